/**
 * Readers soak (issue 18): reader processes SIGKILLed inside a read leave their LMDB reader slots
 * behind; the writes that follow must not fail with `MDB_READERS_FULL`, and the data files must not
 * grow without bound across repeated `--replace` imports.
 *
 *   node --import tsx bench/readers-soak.ts [--against cli|serve|cli,serve] [--readers 200] [--batch 20] [--imports 20]
 *     [--file PATH] [--scale 17] [--round-readers 6]
 *
 * The script runs the build (dist/, bin/gasworks.js): build first.
 *
 * `--against cli` (the default): in a fresh data directory, `--file` (default: facebook_combined)
 * is imported through the CLI as `g` and PageRank is run on it, so a result file exists. Then
 * `--readers` reader processes are started, `--batch` at a time: each opens the graph's store
 * (`GraphReader`) and the job's result file, opens every `.mdb` file of the layout and the result
 * with lmdb and holds a read transaction on each, prints `ready` and waits; it is SIGKILLed as
 * soon as it says so, dying with its reader slots taken. Then the write soak: `--imports` rounds of
 * `gasworks import FILE --name g --replace --force` followed by `gasworks run pagerank --graph g`,
 * each of which must exit 0 with no `MDB_READERS_FULL` in its output; after each round the files
 * under graphs/ are measured.
 *
 * Lines: `load` (os.loadavg() at the start and the end); `readers-killed` (readers, killed: those
 * that said ready and were SIGKILLed, seconds, readAfterKillOk: `gasworks results` of the job,
 * run after the kills on the files they held, exits 0 without `MDB_READERS_FULL`); one `replace-import` per round (round, ok, bytes:
 * total size of graphs/, layouts: layout directories, files: `.mdb` and `.mdb-lock` files); a
 * `readers-soak` summary (readersKilled, imports, failures, readersFullSeen, bytesFirst, bytesLast,
 * bytesMax, growthRatio = bytesLast / bytesFirst, layoutsLast). A failed command also prints a
 * `readers-soak-failure` line (round, command, code, output tail). The script exits 1 if any
 * command failed, `MDB_READERS_FULL` was seen, a reader exited before it was ready, or bytesLast > 2 × bytesFirst.
 *
 * `--against serve`: the same soak against one long-running `gasworks serve` (127.0.0.1, a random
 * token, no rate limit), up from the first import to the last check. The Kronecker graph of
 * `--scale` (edge factor 16, seed 1; the default 17 has 90 k vertices, whose 4 MB ndjson result is
 * more than the loopback socket's buffers hold, so a client that stops reading holds the server
 * mid-stream) is written into the server's uploads/ folder; the server
 * imports it (`POST /graphs?wait=true`, undirected) as `g` and runs PageRank on it (`POST /jobs`);
 * the CLI, in its own processes, imports the same file as `c` and runs PageRank on it. Then
 * `--readers` readers, `--batch` at a time, each SIGKILLed once it is inside its read, of three
 * kinds in turn: `lmdb` (the CLI soak's reader, on `g`'s files, which the server has open too),
 * `stream` (a client of `GET /jobs/:id/results?format=ndjson|csv` of `g`'s job that stops reading
 * after the first chunk, so the server is held mid-stream, its result and store open) and `query`
 * (a client killed once its request is sent: `GET /graphs/g`, a top-K, a vertex, `GET /graphs/c`).
 * Then `--imports` rounds while clients in this process keep reading through the server
 * (`GET /graphs/g|c`, top-10 and whole ndjson streams of both graphs' latest jobs — a whole stream
 * must have one row per vertex): the server replaces `g` (`POST /graphs?wait=true`, replace) while
 * the CLI replaces `c` (`import --replace --force`), and `--round-readers` stream readers of the
 * jobs being replaced hold their streams across both imports and are SIGKILLed after them; then
 * PageRank on `g` through the server and on `c` through the CLI. At the end the server must still
 * answer: both graphs' vertex and edge counts as first imported, and the top 10 of the last
 * PageRank of `g` (and of `c`) the same vertices and values as the first one's.
 *
 * Lines: `serve-start` (graph counts, server pid); `serve-readers-killed` (readers, killed, byKind,
 * seconds, readAfterKillOk: through the server a whole stream and a top-5 of the job the readers
 * held, and `gasworks results` of it, all without `MDB_READERS_FULL`; serverRssMB, deleted: files
 * of the data directory the server still holds, by descriptor or mapping, after they were
 * removed); one `serve-replace-import` per round (round, ok, serverImportMs, cliImportMs,
 * roundReadersKilled, heldAcrossReplace: the removed files the held streams kept open in the
 * server just after the imports, bytes, layouts, files, serverRssMB, deletedHeldBytes: what it
 * still held after the kills); a `readers-soak-serve`
 * summary (readersKilled, roundReadersKilled, imports, cliImports, failures, readersFullSeen,
 * reads: ok / gone (404 for results of a job whose graph was just replaced) / errors, bytesBefore
 * (after the first imports and jobs), bytesFirst, bytesLast, bytesMax, growthRatio = bytesLast /
 * bytesFirst, layoutsLast, serverRssBeforeMB, serverRssAfterMB, deletedHeldBytes, serverAlive,
 * finalOk, vertices, edges, topMatches). Failures print `readers-soak-failure` lines (round,
 * command, status or code, output tail). `MDB_READERS_FULL` is looked for in every CLI output,
 * every failed response, every failed job and the server's log. The script exits 1 on any failure,
 * as the CLI soak does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, round, serverUrl, stopChild } from './lib.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'bin/gasworks.js');
const FACEBOOK = resolve(ROOT, '../shared/data/facebook_combined.txt.gz');
const READERS_FULL = 'MDB_READERS_FULL';
/** Growth of graphs/ from the first round to the last beyond which it counts as unbounded. */
const MAX_GROWTH = 2;
const MODES = ['cli', 'serve'] as const;
type Mode = (typeof MODES)[number];

const { values } = parseArgs({
  options: {
    against: { type: 'string', default: 'cli' },
    readers: { type: 'string', default: '200' },
    batch: { type: 'string', default: '20' },
    imports: { type: 'string', default: '20' },
    file: { type: 'string' },
    scale: { type: 'string', default: '17' },
    'round-readers': { type: 'string', default: '6' },
  },
});
const modes = values.against.split(',').map((mode) => mode.trim());
for (const mode of modes) if (!MODES.includes(mode as Mode)) throw new Error(`--against: unknown target ${mode} (cli, serve)`);
const readers = Number(values.readers);
const batch = Number(values.batch);
const imports = Number(values.imports);
const file = values.file === undefined ? FACEBOOK : resolve(values.file);
const scale = Number(values.scale);
const roundReaders = Number(values['round-readers']);

/**
 * One reader (ESM, run with `node --input-type=module -e`; argv: data dir, graph name, job):
 * opens the graph and the result as the CLI does, then holds a read transaction on every LMDB file
 * of both, says `ready` and waits to be killed.
 */
const READER = `
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
const dist = (path) => import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist')).href)} + '/' + path);
const { Catalog, GraphReader, graphDir, graphStoreDir, readResultMeta, resultFile } = await dist('storage/index.js');
const [dataDir, name, job] = process.argv.slice(1);
const catalog = Catalog.open(dataDir);
const graph = catalog.getGraph(name);
catalog.close();
const store = graphStoreDir(dataDir, graph);
const reader = GraphReader.open(store);
reader.degrees();
readResultMeta(graphDir(dataDir, graph.id), Number(job));
const files = readdirSync(store).filter((f) => f.endsWith('.mdb')).map((f) => join(store, f));
files.push(resultFile(graphDir(dataDir, graph.id), Number(job)));
const held = files.map((path) => {
  const db = open({ path, noSubdir: true, readOnly: true, encoding: 'binary', compression: false });
  db.useReadTransaction();
  db.getKeys({ limit: 1 }).asArray;
  return db;
});
process.stdout.write('ready ' + held.length + '\\n');
setInterval(() => {}, 1 << 30);
`;

/**
 * One REST reader (argv: URL of the request, token, `stream` or `query`). `stream`: reads the
 * first chunk of the response, then stops reading (the server, held by backpressure, keeps its
 * rows' files open), says `ready STATUS BYTES` and waits. `query`: says `ready` once its request
 * is sent, before the answer. Either waits to be killed.
 */
const REST_READER = `
import { request } from 'node:http';
const [url, token, mode] = process.argv.slice(1);
const req = request(url, { headers: { authorization: 'Bearer ' + token } }, (res) => {
  if (mode !== 'stream') return;
  res.once('data', (chunk) => {
    res.pause();
    process.stdout.write('ready ' + res.statusCode + ' ' + chunk.length + '\\n');
  });
});
req.on('error', (error) => {
  process.stderr.write(String(error));
  process.exit(2);
});
if (mode === 'query') req.once('finish', () => process.stdout.write('ready\\n'));
req.end();
setInterval(() => {}, 1 << 30);
`;

interface CliRun {
  readonly code: number | null;
  readonly output: string;
}

/** `gasworks ARGS` to its exit, stdout and stderr together. */
function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-16000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, output }));
  });
}

/** How a reader ended: whether it said `ready` (and was SIGKILLed), and the rest of its `ready` line. */
interface KilledReader {
  readonly ready: boolean;
  readonly said: string;
}

/**
 * Starts one reader script (`READER` or `REST_READER`) and SIGKILLs it once it says `ready` and
 * `killAfter` has settled; resolves whether it got that far.
 */
function killReaderWhenReady(script: string, args: readonly string[], killAfter: Promise<unknown> = Promise.resolve()): Promise<KilledReader> {
  return new Promise((resolveKilled) => {
    const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let said: string | null = null;
    child.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready ?([^\n]*)\n/.exec(out);
      if (said === null && match) {
        said = match[1]!;
        void killAfter.finally(() => child.kill('SIGKILL'));
      }
    });
    child.once('close', () => {
      if (said === null) console.error(`readers-soak: a reader exited before it was ready: ${err.trim()}`);
      resolveKilled({ ready: said !== null, said: said ?? '' });
    });
  });
}

/** Total bytes, layout directories and LMDB files (data and lock) under `dir`. */
function measure(dir: string): { bytes: number; layouts: number; files: number } {
  const sizes = { bytes: 0, layouts: 0, files: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('layout-')) sizes.layouts++;
      const inner = measure(path);
      sizes.bytes += inner.bytes;
      sizes.layouts += inner.layouts;
      sizes.files += inner.files;
    } else {
      sizes.bytes += statSync(path).size;
      if (entry.name.endsWith('.mdb') || entry.name.endsWith('-lock')) sizes.files++;
    }
  }
  return sizes;
}

function load(at: string): void {
  console.log(JSON.stringify({ bench: 'load', at, cores: availableParallelism(), loadAverage: loadavg().map(round) }));
}

function failure(details: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: 'readers-soak-failure', ...details }));
}

/** The job id in `gasworks run --json` output. */
function jobIdOf(output: string): number {
  const match = /"jobId":\s*(\d+)/.exec(output);
  if (!match) throw new Error(`readers-soak: no jobId in the run's output: ${output.slice(-2000)}`);
  return Number(match[1]);
}

/** The CLI soak (see the header); resolves whether it failed. */
async function cliSoak(): Promise<boolean> {
  if (!existsSync(file)) throw new Error(`readers-soak: ${file} not found`);
  const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-readers-'));
  const dataDir = join(work, 'data');
  let failures = 0;
  let readersFullSeen = 0;
  try {
    const first = await runCli(['import', file, '--name', 'g', '--data-dir', dataDir, '--quiet']);
    if (first.code !== 0) throw new Error(`readers-soak: the first import exited ${first.code}: ${first.output}`);
    const firstRun = await runCli(['run', 'pagerank', '--graph', 'g', '--data-dir', dataDir, '--quiet', '--json']);
    if (firstRun.code !== 0) throw new Error(`readers-soak: the first PageRank exited ${firstRun.code}: ${firstRun.output}`);
    const job = jobIdOf(firstRun.output);

    const started = performance.now();
    let killed = 0;
    for (let start = 0; start < readers; start += batch) {
      const count = Math.min(batch, readers - start);
      const outcomes = await Promise.all(Array.from({ length: count }, () => killReaderWhenReady(READER, [dataDir, 'g', String(job)])));
      killed += outcomes.filter((outcome) => outcome.ready).length;
    }
    const seconds = round((performance.now() - started) / 1000);
    // The files the dead readers held, read again before any replace takes them away.
    const after = await runCli(['results', String(job), '--data-dir', dataDir, '--top', '5']);
    const readAfterKillOk = after.code === 0 && !after.output.includes(READERS_FULL);
    if (after.output.includes(READERS_FULL)) readersFullSeen++;
    if (!readAfterKillOk) {
      failures++;
      failure({ round: 0, command: 'results', code: after.code, output: after.output.slice(-2000) });
    }
    console.log(JSON.stringify({ bench: 'readers-killed', readers, killed, seconds, readAfterKillOk }));

    if (killed < readers) failures++;
    const bytes: number[] = [];
    let layoutsLast = 0;
    for (let round_ = 1; round_ <= imports; round_++) {
      let ok = true;
      const commands = [
        ['import', file, '--name', 'g', '--replace', '--force', '--data-dir', dataDir, '--quiet'],
        ['run', 'pagerank', '--graph', 'g', '--data-dir', dataDir, '--quiet', '--json'],
      ];
      for (const args of commands) {
        const run = await runCli(args);
        const readersFull = run.output.includes(READERS_FULL);
        if (readersFull) readersFullSeen++;
        if (run.code !== 0 || readersFull) {
          ok = false;
          failures++;
          failure({ round: round_, command: args.slice(0, 2).join(' '), code: run.code, output: run.output.slice(-2000) });
        }
      }
      const sizes = measure(join(dataDir, 'graphs'));
      bytes.push(sizes.bytes);
      layoutsLast = sizes.layouts;
      console.log(JSON.stringify({ bench: 'replace-import', round: round_, ok, ...sizes }));
    }
    const bytesFirst = bytes[0] ?? 0;
    const bytesLast = bytes.at(-1) ?? 0;
    const growthRatio = bytesFirst > 0 ? round(bytesLast / bytesFirst) : null;
    console.log(
      JSON.stringify({
        bench: 'readers-soak',
        readersKilled: killed,
        imports,
        failures,
        readersFullSeen,
        bytesFirst,
        bytesLast,
        bytesMax: Math.max(0, ...bytes),
        growthRatio,
        layoutsLast,
      }),
    );
    if (bytesLast > MAX_GROWTH * bytesFirst) failures++;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return failures > 0 || readersFullSeen > 0;
}

// ---------------------------------------------------------------------------------------------
// Against `gasworks serve`

interface Server {
  readonly url: string;
  readonly token: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

interface JobRecord {
  id: number;
  status: string;
  errorMessage: string | null;
}

interface GraphCounts {
  vertices: number;
  edges: number;
}

interface Row {
  vertex: string | number;
  value: number;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);
const POLL_MS = 100;
/** Relative difference below which two PageRank values of the same vertex on the same graph are equal. */
const SAME_VALUE = 1e-9;

/** `gasworks serve` on a free port of 127.0.0.1 with `token`, its log in `logFile`; resolves once it listens. */
async function startServer(dataDir: string, token: string, logFile: string): Promise<Server> {
  const log = openSync(logFile, 'a');
  const args = [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--rate-limit', '0', '--quiet', '--token', token, '--data-dir', dataDir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  // A last resort if the script dies while the server runs: it must not outlive the script.
  const orphan = (): void => void child.kill('SIGKILL');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  const url = await serverUrl(child, logFile);
  return { url, token, child, logFile };
}

/** Stops `server`'s process (bench/lib.ts `stopChild`). */
async function stopServer(server: Server): Promise<void> {
  await stopChild(server.child);
}

async function call(server: Server, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

/** `GET path` answered 200, as JSON; anything else throws with the answer. */
async function getJson<T>(server: Server, path: string): Promise<T> {
  const answer = await call(server, 'GET', path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text.slice(0, 1000)}`);
  return JSON.parse(answer.text) as T;
}

/** `POST /graphs?wait=true`: the import job through the server, to its end. */
async function importThroughServer(server: Server, name: string, upload: string, replace: boolean): Promise<Answer> {
  return call(server, 'POST', '/graphs?wait=true', { name, file: upload, undirected: true, ...(replace && { replace: true, force: true }) });
}

/** PageRank on `graph` through the server (`POST /jobs`, then polls `GET /jobs/:id`); its final record. */
async function pagerankThroughServer(server: Server, graph: string): Promise<{ submitted: Answer; job: JobRecord | null }> {
  const submitted = await call(server, 'POST', '/jobs', { graph, algorithm: 'pagerank' });
  if (submitted.status !== 202) return { submitted, job: null };
  const { id } = JSON.parse(submitted.text) as { id: number };
  for (;;) {
    const job = await getJson<JobRecord>(server, `/jobs/${id}`);
    if (TERMINAL.has(job.status)) return { submitted, job };
    await new Promise((wake) => setTimeout(wake, POLL_MS));
  }
}

/** Rows of a whole ndjson stream of `job`'s results through the server, or its failed answer. */
async function streamRows(server: Server, job: number): Promise<{ status: number; rows: number; text: string }> {
  const response = await fetch(`${server.url}/jobs/${job}/results?format=ndjson`, { headers: { authorization: `Bearer ${server.token}` } });
  if (response.status !== 200) return { status: response.status, rows: 0, text: await response.text() };
  let rows = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 0x0a) rows++;
  return { status: 200, rows, text: '' };
}

/** VmRSS of `pid` in MB. */
function rssMB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? round(Number(match[1]) / 1024) : NaN;
}

/**
 * Files under `dir` that `pid` still holds after they were removed: by open descriptor (fds, and
 * their bytes) and by mapping (maps: distinct files; LMDB maps its data file).
 */
function deletedHeld(pid: number, dir: string): { fds: number; maps: number; bytes: number } {
  const held = { fds: 0, maps: 0, bytes: 0 };
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    if (!target.startsWith(dir) || !target.endsWith(' (deleted)')) continue;
    held.fds++;
    try {
      held.bytes += statSync(`/proc/${pid}/fd/${fd}`).size;
    } catch {
      // closed since the readlink
    }
  }
  const mapped = new Set<string>();
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const at = line.indexOf(dir);
    if (at >= 0 && line.endsWith(' (deleted)')) mapped.add(line.slice(at));
  }
  held.maps = mapped.size;
  return held;
}

/** A read the background clients make: its path, and the graph whose job it reads (if it reads one). */
interface Read {
  readonly path: string;
  readonly graph?: string;
  readonly job?: number;
}

/**
 * Clients in this process reading through the server until stopped, `concurrency` at a time,
 * each request chosen in turn from `reads()` (so they follow the latest jobs). A whole stream
 * must have `expectedRows` rows. A 404 for a job's results is `gone` when `replaced(graph, job)`
 * says that job's graph is being or has been replaced (its results go with it); any other answer
 * but 200 is an error.
 */
class BackgroundReads {
  ok = 0;
  gone = 0;
  errors = 0;
  readersFull = 0;
  readonly samples: string[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private turn = 0;

  constructor(
    private readonly server: Server,
    private readonly reads: () => readonly Read[],
    private readonly replaced: (graph: string, job: number) => boolean,
    private readonly expectedRows: number,
    concurrency: number,
  ) {
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const reads = this.reads();
      const { path, graph, job } = reads[this.turn++ % reads.length]!;
      try {
        const answer = path.endsWith('format=ndjson')
          ? await streamRows(this.server, job!)
          : { ...(await call(this.server, 'GET', path)), rows: this.expectedRows };
        if (answer.text.includes(READERS_FULL)) this.readersFull++;
        if (answer.status === 200 && answer.rows === this.expectedRows) this.ok++;
        else if (answer.status === 404 && graph !== undefined && this.replaced(graph, job!)) this.gone++;
        else this.error(`GET ${path}: ${answer.status}, ${answer.rows} rows: ${answer.text.slice(0, 500)}`);
      } catch (error) {
        this.error(`GET ${path}: ${String(error)}`);
      }
      await new Promise((wake) => setTimeout(wake, 20));
    }
  }

  private error(message: string): void {
    this.errors++;
    if (this.samples.length < 5) this.samples.push(message);
  }
}

/** The soak against `gasworks serve` (see the header); resolves whether it failed. */
async function serveSoak(): Promise<boolean> {
  const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-readers-serve-'));
  const dataDir = join(work, 'data');
  const logFile = join(work, 'serve.log');
  const uploads = join(dataDir, 'uploads');
  mkdirSync(uploads, { recursive: true });
  const upload = `kron-${scale}.txt`;
  const edgeList = join(uploads, upload);
  const { writeKroneckerEdgeList } = await fromDist<typeof import('../src/generate/kronecker.js')>('generate/kronecker.js');
  await writeKroneckerEdgeList({ scale, edgeFactor: 16, seed: 1 }, edgeList);

  let failures = 0;
  let readersFullSeen = 0;
  /** Counts a failed step: a line for it, and `MDB_READERS_FULL` if its output says so. */
  const fail = (details: Record<string, unknown>, output: string): void => {
    failures++;
    if (output.includes(READERS_FULL)) readersFullSeen++;
    failure({ ...details, output: output.slice(-2000) });
  };
  const cli = async (round_: number, args: readonly string[]): Promise<CliRun> => {
    const run = await runCli([...args, '--data-dir', dataDir]);
    if (run.code !== 0 || run.output.includes(READERS_FULL)) fail({ round: round_, command: args.slice(0, 2).join(' '), code: run.code }, run.output);
    return run;
  };
  const server = await startServer(dataDir, randomBytes(16).toString('hex'), logFile);
  const pid = server.child.pid!;
  let serverExited = false;
  server.child.once('exit', () => (serverExited = true));
  try {
    // The graphs and their first PageRank: `g` through the server, `c` through the CLI.
    const firstImport = await importThroughServer(server, 'g', upload, false);
    if (firstImport.status !== 201) throw new Error(`readers-soak: the server's first import answered ${firstImport.status}: ${firstImport.text}`);
    const counts = JSON.parse(firstImport.text) as GraphCounts;
    const cliImport = await cli(0, ['import', edgeList, '--name', 'c', '--undirected', '--quiet']);
    if (cliImport.code !== 0) throw new Error(`readers-soak: the CLI's first import exited ${cliImport.code}: ${cliImport.output}`);
    const first = await pagerankThroughServer(server, 'g');
    if (first.job?.status !== 'succeeded')
      throw new Error(`readers-soak: the first PageRank through the server: ${first.submitted.text} ${JSON.stringify(first.job)}`);
    const cliRun = await cli(0, ['run', 'pagerank', '--graph', 'c', '--quiet', '--json']);
    if (cliRun.code !== 0) throw new Error(`readers-soak: the first PageRank through the CLI exited ${cliRun.code}: ${cliRun.output}`);
    const latest = { g: first.job.id, c: jobIdOf(cliRun.output) };
    const topFirst = await getJson<Row[]>(server, `/jobs/${latest.g}/results?top=10`);
    const bytesBefore = measure(join(dataDir, 'graphs')).bytes;
    const serverRssBeforeMB = rssMB(pid);
    console.log(JSON.stringify({ bench: 'serve-start', ...pick(counts), serverPid: pid, jobs: latest, serverRssMB: serverRssBeforeMB, bytes: bytesBefore }));

    // Readers killed inside their reads: LMDB holders, paused streams, requests in flight.
    const label = topFirst[0]!.vertex;
    const restArgs = (path: string, mode: 'stream' | 'query'): string[] => [`${server.url}${path}`, server.token, mode];
    const queries = [`/graphs/g`, `/jobs/${latest.g}/results?top=100`, `/graphs/g/vertices/${encodeURIComponent(String(label))}?jobs=1`, `/graphs/c`];
    const kinds = ['lmdb', 'stream', 'query'] as const;
    const killedByKind = { lmdb: 0, stream: 0, query: 0 };
    const startedKills = performance.now();
    for (let start = 0; start < readers; start += batch) {
      const count = Math.min(batch, readers - start);
      const outcomes = await Promise.all(
        Array.from({ length: count }, (_, i) => {
          const n = start + i;
          const kind = kinds[n % kinds.length]!;
          const reader =
            kind === 'lmdb'
              ? killReaderWhenReady(READER, [dataDir, 'g', String(latest.g)])
              : kind === 'stream'
                ? killReaderWhenReady(REST_READER, restArgs(`/jobs/${latest.g}/results?format=${n % 2 === 0 ? 'ndjson' : 'csv'}`, 'stream'))
                : killReaderWhenReady(REST_READER, restArgs(queries[n % queries.length]!, 'query'));
          return reader.then((outcome) => ({ kind, ...outcome }));
        }),
      );
      for (const outcome of outcomes) {
        if (outcome.ready && (outcome.kind !== 'stream' || outcome.said.startsWith('200 '))) killedByKind[outcome.kind]++;
        else fail({ round: 0, command: `${outcome.kind} reader`, said: outcome.said }, outcome.said);
      }
    }
    const killed = killedByKind.lmdb + killedByKind.stream + killedByKind.query;
    const seconds = round((performance.now() - startedKills) / 1000);
    // What the dead readers held, read again through the server and the CLI.
    const wholeAfter = await streamRows(server, latest.g);
    const topAfter = await call(server, 'GET', `/jobs/${latest.g}/results?top=5`);
    const cliAfter = await cli(0, ['results', String(latest.g), '--top', '5']);
    const readAfterKillOk = wholeAfter.status === 200 && wholeAfter.rows === counts.vertices && topAfter.status === 200 && cliAfter.code === 0;
    if (wholeAfter.status !== 200 || wholeAfter.rows !== counts.vertices)
      fail({ round: 0, command: 'GET results ndjson', status: wholeAfter.status, rows: wholeAfter.rows }, wholeAfter.text);
    if (topAfter.status !== 200) fail({ round: 0, command: 'GET results top', status: topAfter.status }, topAfter.text);
    console.log(
      JSON.stringify({
        bench: 'serve-readers-killed',
        readers,
        killed,
        byKind: killedByKind,
        seconds,
        readAfterKillOk,
        serverRssMB: rssMB(pid),
        deleted: deletedHeld(pid, dataDir),
      }),
    );

    // The write soak, while clients keep reading through the server.
    /** Graphs from the start of their replace to their next PageRank: their latest job's results are gone meanwhile. */
    const replacing = new Set<'g' | 'c'>();
    const reads = new BackgroundReads(
      server,
      () =>
        (['g', 'c'] as const).flatMap((graph) => [
          { path: `/graphs/${graph}` },
          { path: `/jobs/${latest[graph]}/results?top=10`, graph, job: latest[graph] },
          { path: `/jobs/${latest[graph]}/results?format=ndjson`, graph, job: latest[graph] },
        ]),
      (graph, job) => replacing.has(graph as 'g' | 'c') || latest[graph as 'g' | 'c'] !== job,
      counts.vertices,
      3,
    );
    const bytes: number[] = [];
    let layoutsLast = 0;
    let roundReadersKilled = 0;
    let cliImports = 0;
    let serverImports = 0;
    try {
      for (let round_ = 1; round_ <= imports; round_++) {
        const failuresBefore = failures;
        // Streams of the jobs about to be replaced, held open across both imports, then killed.
        let importsDone!: () => void;
        const afterImports = new Promise<void>((wake) => (importsDone = wake));
        const held = Array.from({ length: roundReaders }, (_, i) =>
          killReaderWhenReady(REST_READER, restArgs(`/jobs/${i % 2 === 0 ? latest.g : latest.c}/results?format=ndjson`, 'stream'), afterImports),
        );
        replacing.add('g').add('c');
        const serverStarted = performance.now();
        const serverImport = importThroughServer(server, 'g', upload, true).then((answer) => ({ answer, ms: Math.round(performance.now() - serverStarted) }));
        const cliStarted = performance.now();
        const cliReplace = cli(round_, ['import', edgeList, '--name', 'c', '--undirected', '--replace', '--force', '--quiet']).then((run) => ({
          run,
          ms: Math.round(performance.now() - cliStarted),
        }));
        const [replacedG, replacedC] = await Promise.all([serverImport, cliReplace]);
        // The old graphs' files are removed by now: the held streams keep some of them open in the server.
        const heldAcrossReplace = deletedHeld(pid, dataDir);
        importsDone();
        if (replacedG.answer.status === 201) serverImports++;
        else fail({ round: round_, command: 'POST /graphs replace', status: replacedG.answer.status }, replacedG.answer.text);
        if (replacedC.run.code === 0) cliImports++;
        for (const outcome of await Promise.all(held)) {
          // A stream asked for after its job's graph was replaced is a 404; either way the client dies.
          if (outcome.ready) roundReadersKilled++;
          else fail({ round: round_, command: 'stream reader' }, outcome.said);
        }
        const [job, run] = await Promise.all([pagerankThroughServer(server, 'g'), cli(round_, ['run', 'pagerank', '--graph', 'c', '--quiet', '--json'])]);
        if (job.job?.status === 'succeeded') latest.g = job.job.id;
        else
          fail(
            { round: round_, command: 'POST /jobs pagerank', status: job.submitted.status, job: job.job },
            job.submitted.text + (job.job?.errorMessage ?? ''),
          );
        if (run.code === 0) latest.c = jobIdOf(run.output);
        replacing.clear();
        const sizes = measure(join(dataDir, 'graphs'));
        bytes.push(sizes.bytes);
        layoutsLast = sizes.layouts;
        console.log(
          JSON.stringify({
            bench: 'serve-replace-import',
            round: round_,
            ok: failures === failuresBefore,
            serverImportMs: replacedG.ms,
            cliImportMs: replacedC.ms,
            roundReadersKilled,
            heldAcrossReplace,
            ...sizes,
            serverRssMB: rssMB(pid),
            deletedHeldBytes: deletedHeld(pid, dataDir).bytes,
          }),
        );
      }
    } finally {
      await reads.stop();
    }
    readersFullSeen += reads.readersFull;
    if (reads.errors > 0) {
      failures += reads.errors;
      failure({ round: null, command: 'background reads', errors: reads.errors, output: reads.samples.join('\n') });
    }

    // The server still answers, and correctly.
    const final = await Promise.all(
      ['/health', '/graphs/g', '/graphs/c', `/jobs/${latest.g}/results?top=10`, `/jobs/${latest.c}/results?top=10`].map((path) => call(server, 'GET', path)),
    );
    const [health, finalG, finalC, topLastG, topLastC] = final.map((answer) => (answer.status === 200 ? JSON.parse(answer.text) : null)) as [
      unknown,
      GraphCounts | null,
      GraphCounts | null,
      Row[] | null,
      Row[] | null,
    ];
    const topMatches = sameTop(topFirst, topLastG) && sameTop(topFirst, topLastC);
    const countsMatch = [finalG, finalC].every((graph) => graph?.vertices === counts.vertices && graph.edges === counts.edges);
    const serverAlive = !serverExited && health !== null;
    const finalOk = serverAlive && countsMatch && topMatches;
    if (!finalOk) {
      const answers = final.map((answer) => `${answer.status} ${answer.text.slice(0, 300)}`);
      fail({ round: null, command: 'final check', serverAlive, countsMatch, topMatches, jobs: latest }, answers.join('\n'));
    }
    const deleted = deletedHeld(pid, dataDir);
    const serverRssAfterMB = rssMB(pid);
    if (readFileSync(logFile, 'utf8').includes(READERS_FULL)) fail({ round: null, command: 'server log' }, READERS_FULL);
    const bytesFirst = bytes[0] ?? 0;
    const bytesLast = bytes.at(-1) ?? 0;
    if (bytesLast > MAX_GROWTH * bytesFirst) failures++;
    console.log(
      JSON.stringify({
        bench: 'readers-soak-serve',
        readersKilled: killed,
        roundReadersKilled,
        imports: serverImports,
        cliImports,
        failures,
        readersFullSeen,
        reads: { ok: reads.ok, gone: reads.gone, errors: reads.errors },
        bytesBefore,
        bytesFirst,
        bytesLast,
        bytesMax: Math.max(0, ...bytes),
        growthRatio: bytesFirst > 0 ? round(bytesLast / bytesFirst) : null,
        layoutsLast,
        serverRssBeforeMB,
        serverRssAfterMB,
        deletedHeldBytes: deleted.bytes,
        serverAlive,
        finalOk,
        vertices: finalG?.vertices ?? null,
        edges: finalG?.edges ?? null,
        topMatches,
      }),
    );
  } finally {
    await stopServer(server);
    rmSync(work, { recursive: true, force: true });
  }
  return failures > 0 || readersFullSeen > 0;
}

function pick(graph: GraphCounts): GraphCounts {
  return { vertices: graph.vertices, edges: graph.edges };
}

/** The same vertices in the same order, with the same values (to `SAME_VALUE`). */
function sameTop(expected: readonly Row[], actual: readonly Row[] | null): boolean {
  return (
    actual !== null &&
    expected.length === actual.length &&
    expected.every((row, i) => String(row.vertex) === String(actual[i]!.vertex) && Math.abs(row.value - actual[i]!.value) <= SAME_VALUE * Math.abs(row.value))
  );
}

load('start');
let failed = false;
try {
  for (const mode of modes) if (await (mode === 'cli' ? cliSoak() : serveSoak())) failed = true;
} finally {
  load('end');
}
if (failed) process.exitCode = 1;
