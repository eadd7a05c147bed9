/**
 * Readers soak (issue 18): reader processes SIGKILLed inside a read leave their LMDB reader slots
 * behind; the writes that follow must not fail with `MDB_READERS_FULL`, and the data files must not
 * grow without bound across repeated `--replace` imports.
 *
 *   node --import tsx bench/readers-soak.ts [--readers 200] [--batch 20] [--imports 20] [--file PATH]
 *
 * In a fresh data directory, `--file` (default: facebook_combined) is imported through the CLI as
 * `g` and PageRank is run on it, so a result file exists. Then `--readers` reader processes are
 * started, `--batch` at a time: each opens the graph's store (`GraphReader`) and the job's result
 * file, opens every `.mdb` file of the layout and the result with lmdb and holds a read transaction
 * on each, prints `ready` and waits; it is SIGKILLed as soon as it says so, dying with its reader
 * slots taken. Then the write soak: `--imports` rounds of `gasworks import FILE --name g --replace
 * --force` followed by `gasworks run pagerank --graph g`, each of which must exit 0 with no
 * `MDB_READERS_FULL` in its output; after each round the files under graphs/ are measured.
 *
 * Lines: `load` (os.loadavg() at the start and the end); `readers-killed` (readers, killed: those
 * that said ready and were SIGKILLed, seconds, readAfterKillOk: `gasworks results` of the job,
 * run after the kills on the files they held, exits 0 without `MDB_READERS_FULL`); one `replace-import` per round (round, ok, bytes:
 * total size of graphs/, layouts: layout directories, files: `.mdb` and `.mdb-lock` files); a
 * `readers-soak` summary (readersKilled, imports, failures, readersFullSeen, bytesFirst, bytesLast,
 * bytesMax, growthRatio = bytesLast / bytesFirst, layoutsLast). A failed command also prints a
 * `readers-soak-failure` line (round, command, code, output tail). The script exits 1 if any
 * command failed, `MDB_READERS_FULL` was seen, a reader exited before it was ready, or bytesLast > 2 × bytesFirst.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { round } from './lib.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'bin/gasworks.js');
const FACEBOOK = resolve(ROOT, '../shared/data/facebook_combined.txt.gz');
const READERS_FULL = 'MDB_READERS_FULL';
/** Growth of graphs/ from the first round to the last beyond which it counts as unbounded. */
const MAX_GROWTH = 2;

const { values } = parseArgs({
  options: {
    readers: { type: 'string', default: '200' },
    batch: { type: 'string', default: '20' },
    imports: { type: 'string', default: '20' },
    file: { type: 'string' },
  },
});
const readers = Number(values.readers);
const batch = Number(values.batch);
const imports = Number(values.imports);
const file = values.file === undefined ? FACEBOOK : resolve(values.file);

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

/** Starts one reader and SIGKILLs it once it says `ready`; resolves whether it got that far. */
function killReaderWhenReady(dataDir: string, job: number): Promise<boolean> {
  return new Promise((resolveKilled) => {
    const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', READER, dataDir, 'g', String(job)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let ready = false;
    child.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!ready && out.includes('ready')) {
        ready = true;
        child.kill('SIGKILL');
      }
    });
    child.once('close', () => {
      if (!ready) console.error(`readers-soak: a reader exited before it was ready: ${err.trim()}`);
      resolveKilled(ready);
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

/** The job id in `gasworks run --json` output. */
function jobIdOf(output: string): number {
  const match = /"jobId":\s*(\d+)/.exec(output);
  if (!match) throw new Error(`readers-soak: no jobId in the run's output: ${output.slice(-2000)}`);
  return Number(match[1]);
}

if (!existsSync(file)) throw new Error(`readers-soak: ${file} not found`);
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-readers-'));
const dataDir = join(work, 'data');
load('start');
let failures = 0;
let readersFullSeen = 0;
let bytesLast = 0;
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
    const outcomes = await Promise.all(Array.from({ length: count }, () => killReaderWhenReady(dataDir, job)));
    killed += outcomes.filter(Boolean).length;
  }
  const seconds = round((performance.now() - started) / 1000);
  // The files the dead readers held, read again before any replace takes them away.
  const after = await runCli(['results', String(job), '--data-dir', dataDir, '--top', '5']);
  const readAfterKillOk = after.code === 0 && !after.output.includes(READERS_FULL);
  if (after.output.includes(READERS_FULL)) readersFullSeen++;
  if (!readAfterKillOk) {
    failures++;
    console.log(JSON.stringify({ bench: 'readers-soak-failure', round: 0, command: 'results', code: after.code, output: after.output.slice(-2000) }));
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
        console.log(
          JSON.stringify({
            bench: 'readers-soak-failure',
            round: round_,
            command: args.slice(0, 2).join(' '),
            code: run.code,
            output: run.output.slice(-2000),
          }),
        );
      }
    }
    const sizes = measure(join(dataDir, 'graphs'));
    bytes.push(sizes.bytes);
    layoutsLast = sizes.layouts;
    console.log(JSON.stringify({ bench: 'replace-import', round: round_, ok, ...sizes }));
  }
  const bytesFirst = bytes[0] ?? 0;
  bytesLast = bytes.at(-1) ?? 0;
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
  load('end');
}
if (failures > 0 || readersFullSeen > 0) process.exitCode = 1;
