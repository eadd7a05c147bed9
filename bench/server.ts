/**
 * The REST server under load and streaming large results (issue 17's figures), against the real
 * `gasworks serve` in a child process on 127.0.0.1 (rate limit off, no token unless `--token`).
 *
 *   npm run build && node --import tsx bench/server.ts [--sections load,stream] [--runs 3] [--scale 20]
 *     [--iterations 20] [--connections 50] [--stream-scale 22 | --stream-vertices N] [--stream-iterations 5] [--formats ndjson,csv,arrow] [--stream-heap-mb MB]
 *     [--concurrent-streams 4]
 *     [--workers N] [--server-log info|warn] [--token T]
 *
 * The script runs the build (dist/, bin/gasworks.js): build first.
 *
 *   load    Kronecker `--scale` (default 20, edge factor 16, undirected) imported into a fresh data
 *           directory; one server. A warm-up PageRank job first (not counted). Then per run, back
 *           to back: the same job (`--iterations` steps, tolerance 0, so every job does the same
 *           work) with no clients (`quiet`), then again while `--connections` clients (default
 *           50, in this process, through autocannon) keep asking for it for as long as it runs:
 *           half poll GET /jobs/:id of the running job, half GET /jobs/:id/results?top=100 of
 *           the quiet job just finished (the running one has no results yet). The clients stop
 *           at the first autocannon sample (100 ms) after the job ends, or after 10× the quiet
 *           job's time plus 60 s (`timedOut`). One `server-load` line per run, then a `summary`
 *           line of medians:
 *             quietComputeMs / loadedComputeMs   the job record's computeMs (loadMs likewise)
 *             computeRatio                      loadedComputeMs / quietComputeMs (same run)
 *             job… / top…                        per route: requestsPerSec (completed / seconds
 *                                                the clients ran), p50Ms, p99Ms, maxMs, non2xx,
 *                                                errors, timeouts
 *             topFirstMs                        the first ?top=100 of the quiet job (ranked, then
 *                                                kept in the server's top-K cache), before the clients
 *   stream  Kronecker `--stream-scale` (default 22; 2.4 M of its 4.2 M vertices have edges, so its
 *           result has 2.4 M rows) or, with `--stream-vertices N`, a ring of N vertices with one
 *           chord each (N rows: `--stream-vertices 10000000` for a 10 M-row result), in its own
 *           data directory; one PageRank job
 *           (`--stream-iterations` steps) on a server that is then stopped. Each measurement then
 *           has a fresh server on the same directory, so its memory is the stream's, not the job's
 *           nor an earlier stream's: for each of `--formats`, GET /jobs/:id/results?format=F
 *           (every row) read by fetch chunk by chunk and dropped, counting rows (lines; csv less
 *           its header) and bytes, while the server's VmRSS is sampled every 50 ms; its VmHWM is
 *           reset (clear_refs 5) before the stream and read after. `--stream-heap-mb M` starts those
 *           servers with a V8 old-space limit of M MB: a stream that held its rows would die of it. Then `--concurrent-streams`
 *           (default 4; 1 skips it) ndjson streams of the same result at once: memory held per
 *           stream multiplies. One `server-stream` line per measurement: streams, rows (per
 *           stream), bytes (all streams), seconds, rowsPerSec and MBPerSec (all streams),
 *           serverRssBeforeMB, serverPeakRssMB (VmHWM), serverSampledMaxMB, serverGrowthMB and
 *           growthBytesPerRow (peak − before, per row of one stream); the same for RssAnon (the
 *           process's own memory, without the LMDB file pages it maps), sampled: serverAnonBeforeMB,
 *           serverAnonSampledMaxMB, anonGrowthBytesPerRow.
 *
 * `--server-log warn` runs the server with --quiet (no per-request info lines; the default `info`
 * is how `gasworks serve` runs). The server's stderr goes to a file in the temporary directory
 * and its tail is shown if it fails. `load` lines give the load average before and after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importKronecker, importRingWithChords, median, round, serverUrl, stopChild } from './lib.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'bin/gasworks.js');

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number; max: number };
  requests: { total: number };
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  stop(): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    sections: { type: 'string', default: 'load,stream' },
    runs: { type: 'string', default: '3' },
    scale: { type: 'string', default: '20' },
    iterations: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    'stream-scale': { type: 'string', default: '22' },
    'stream-iterations': { type: 'string', default: '5' },
    'stream-vertices': { type: 'string' },
    formats: { type: 'string', default: 'ndjson,csv' },
    'concurrent-streams': { type: 'string', default: '4' },
    workers: { type: 'string' },
    'server-log': { type: 'string', default: 'info' },
    'stream-heap-mb': { type: 'string' },
    token: { type: 'string' },
  },
});

const sections = values.sections.split(',').map((s) => s.trim());
for (const section of sections) if (section !== 'load' && section !== 'stream') throw new Error(`--sections: unknown section ${section} (load, stream)`);
/** `--stream-heap-mb`: the stream servers' V8 old-space limit — a stream that held its rows would die of it. */
const streamHeapMB = values['stream-heap-mb'] === undefined ? undefined : Number(values['stream-heap-mb']);
if (values['server-log'] !== 'info' && values['server-log'] !== 'warn') throw new Error(`--server-log must be info or warn, got ${values['server-log']}`);
const runs = Number(values.runs);
const connections = Number(values.connections);
const workers = values.workers === undefined ? undefined : Number(values.workers);
const token = values.token;
const POLL_MS = 200;

interface Server {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logFile: string;
}

interface JobRecord {
  id: number;
  status: string;
  iterations: number | null;
  loadMs: number | null;
  computeMs: number | null;
  workers: number;
  startedAt: string | null;
  finishedAt: string | null;
  errorMessage: string | null;
}

const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-server-'));
const servers = new Set<ChildProcess>();
// A last resort if the script dies between a server's start and its stop: no server outlives it.
process.once('exit', () => {
  for (const child of servers) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of servers) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null;
const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() !== '';
const started = performance.now();
if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
printLoad('start');
try {
  if (sections.includes('load')) await loadSection();
  if (sections.includes('stream')) await streamSection();
} finally {
  for (const child of servers) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
printLoad('end');

function printLoad(at: 'start' | 'end'): void {
  console.log(
    JSON.stringify({
      bench: 'load',
      at,
      loadAverage: loadavg().map(round),
      cores: cpus().length,
      commit,
      srcDirty: dirty,
      ...(at === 'end' ? { totalSeconds: round((performance.now() - started) / 1000) } : {}),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// load: a job with and without clients polling

async function loadSection(): Promise<void> {
  const dir = join(work, 'load');
  const dataDir = join(dir, 'data');
  mkdirSync(dir);
  const { graph } = await importKronecker(dir, Number(values.scale), dataDir);
  const server = await startServer(dataDir, join(dir, 'server.log'));
  try {
    const job = { graph, algorithm: 'pagerank', options: { maxIterations: Number(values.iterations), tolerance: 0 }, ...(workers && { workers }) };
    const warmup = await runJob(server, job, 3_600_000);
    console.log(JSON.stringify({ bench: 'server-load-warmup', graph, ...jobFigures(warmup) }));
    const lines: Record<string, number>[] = [];
    for (let run = 0; run < runs; run++) {
      const quiet = await runJob(server, job, 3_600_000);
      const topPath = `/jobs/${quiet.id}/results?top=100`;
      const first = performance.now();
      await expectOk(server, topPath);
      const topFirstMs = performance.now() - first;
      const bound = 10 * (quiet.computeMs! + quiet.loadMs!) + 60_000;
      const loaded = await runLoaded(server, job, topPath, bound);
      const line = {
        quietComputeMs: quiet.computeMs!,
        loadedComputeMs: loaded.job.computeMs!,
        computeRatio: loaded.job.computeMs! / quiet.computeMs!,
        quietLoadMs: quiet.loadMs!,
        loadedLoadMs: loaded.job.loadMs!,
        topFirstMs,
        ...routeFigures('job', loaded.jobRoute),
        ...routeFigures('top', loaded.topRoute),
      };
      lines.push(line);
      console.log(
        JSON.stringify({
          bench: 'server-load',
          graph,
          run,
          iterations: quiet.iterations,
          workers: quiet.workers,
          connections,
          serverLog: values['server-log'],
          timedOut: loaded.timedOut,
          ...Object.fromEntries(Object.entries(line).map(([k, v]) => [k, round(v)])),
        }),
      );
    }
    console.log(
      JSON.stringify({
        bench: 'server-load',
        graph,
        summary: true,
        runs,
        connections,
        serverLog: values['server-log'],
        ...Object.fromEntries(Object.keys(lines[0]!).map((k) => [k, round(median(lines.map((l) => l[k]!)))])),
      }),
    );
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Submits `job` and, while it runs, drives half the clients at GET /jobs/:id and half at
 * `topPath`; stops them when the job has ended (or after `boundMs`).
 */
async function runLoaded(
  server: Server,
  job: Record<string, unknown>,
  topPath: string,
  boundMs: number,
): Promise<{ job: JobRecord; jobRoute: AutocannonResult; topRoute: AutocannonResult; timedOut: boolean }> {
  const id = await submit(server, job);
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const drive = (path: string, count: number): AutocannonInstance =>
    autocannon({ url: `${server.url}${path}`, connections: count, duration: boundMs / 1000, headers, timeout: 30, sampleInt: 100 });
  const half = Math.ceil(connections / 2);
  const jobClients = drive(`/jobs/${id}`, half);
  const topClients = drive(topPath, connections - half);
  const deadline = performance.now() + boundMs;
  let record: JobRecord;
  let timedOut = false;
  for (;;) {
    record = await getJob(server, id);
    if (isEnded(record)) break;
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    await sleep(POLL_MS);
  }
  jobClients.stop();
  topClients.stop();
  const [jobRoute, topRoute] = await Promise.all([jobClients, topClients]);
  if (timedOut) record = await waitJob(server, id, 3_600_000);
  if (record.status !== 'succeeded') throw new Error(`job ${id} ${record.status}: ${record.errorMessage}`);
  return { job: record, jobRoute: jobRoute!, topRoute: topRoute!, timedOut };
}

function routeFigures(prefix: string, result: AutocannonResult): Record<string, number> {
  return {
    [`${prefix}RequestsPerSec`]: result.requests.total / result.duration,
    [`${prefix}P50Ms`]: result.latency.p50,
    [`${prefix}P99Ms`]: result.latency.p99,
    [`${prefix}MaxMs`]: result.latency.max,
    [`${prefix}Requests`]: result.requests.total,
    [`${prefix}Non2xx`]: result.non2xx,
    [`${prefix}Errors`]: result.errors,
    [`${prefix}Timeouts`]: result.timeouts,
  };
}

function jobFigures(job: JobRecord): Record<string, unknown> {
  return { id: job.id, iterations: job.iterations, workers: job.workers, loadMs: round(job.loadMs!), computeMs: round(job.computeMs!) };
}

// ---------------------------------------------------------------------------------------------
// stream: every row of a large result, and the server's memory meanwhile

async function streamSection(): Promise<void> {
  const dir = join(work, 'stream');
  const dataDir = join(dir, 'data');
  mkdirSync(dir);
  const { graph } =
    values['stream-vertices'] === undefined
      ? await importKronecker(dir, Number(values['stream-scale']), dataDir)
      : await importRingWithChords(dir, Number(values['stream-vertices']), dataDir);
  const logFile = join(dir, 'server.log');
  let server = await startServer(dataDir, logFile);
  let job: JobRecord;
  try {
    const body = { graph, algorithm: 'pagerank', options: { maxIterations: Number(values['stream-iterations']), tolerance: 0 }, ...(workers && { workers }) };
    job = await runJob(server, body, 3_600_000);
    console.log(JSON.stringify({ bench: 'server-stream-job', graph, ...jobFigures(job), serverPeakRssMB: mb(procStatus(server.pid, 'VmHWM')) }));
  } finally {
    await stopServer(server);
  }
  const concurrent = Number(values['concurrent-streams']);
  const cases = values.formats.split(',').map((format) => ({ format, streams: 1 }));
  if (concurrent > 1) cases.push({ format: 'ndjson', streams: concurrent });
  try {
    for (const { format, streams } of cases) {
      server = await startServer(dataDir, logFile, streamHeapMB);
      try {
        const figures = await streamResults(server, `/jobs/${job.id}/results?format=${format}`, format === 'csv' ? 1 : 0, streams);
        // Arrow is binary: its newlines are not rows.
        if (format === 'arrow') figures.rows = NaN;
        console.log(
          JSON.stringify({
            bench: 'server-stream',
            graph,
            format,
            streams,
            serverLog: values['server-log'],
            ...(streamHeapMB !== undefined && { serverOldSpaceLimitMB: streamHeapMB }),
            ...figures,
          }),
        );
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `streams` GETs of `path` at once, each read to its end and dropped, and the server's memory meanwhile. */
async function streamResults(server: Server, path: string, headerLines: number, streams: number): Promise<Record<string, number | boolean>> {
  const rssBefore = procStatus(server.pid, 'VmRSS');
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  } catch {
    hwmReset = false; // then VmHWM is the process's peak since it started
  }
  const anonBefore = procStatus(server.pid, 'RssAnon');
  let sampledMax = rssBefore;
  let anonMax = anonBefore;
  const sampler = setInterval(() => {
    sampledMax = Math.max(sampledMax, procStatus(server.pid, 'VmRSS'));
    anonMax = Math.max(anonMax, procStatus(server.pid, 'RssAnon'));
  }, 50);
  const startedAt = performance.now();
  let counts: { bytes: number; lines: number }[];
  try {
    counts = await Promise.all(Array.from({ length: streams }, () => readToEnd(server, path)));
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const peak = procStatus(server.pid, 'VmHWM');
  const rows = counts[0]!.lines - headerLines;
  if (counts.some((count) => count.lines !== counts[0]!.lines)) throw new Error(`GET ${path}: concurrent streams gave different row counts`);
  const bytes = counts.reduce((sum, count) => sum + count.bytes, 0);
  return {
    rows,
    bytes,
    seconds: round(seconds),
    rowsPerSec: Math.round((rows * streams) / seconds),
    MBPerSec: round(bytes / 2 ** 20 / seconds),
    serverRssBeforeMB: mb(rssBefore),
    serverPeakRssMB: mb(peak),
    serverSampledMaxMB: mb(sampledMax),
    serverGrowthMB: mb(peak - rssBefore),
    growthBytesPerRow: round((peak - rssBefore) / rows),
    serverAnonBeforeMB: mb(anonBefore),
    serverAnonSampledMaxMB: mb(anonMax),
    anonGrowthBytesPerRow: round((anonMax - anonBefore) / rows),
    hwmReset,
  };
}

/** A response body read chunk by chunk and dropped: its bytes and newlines. */
async function readToEnd(server: Server, path: string): Promise<{ bytes: number; lines: number }> {
  const response = await fetch(`${server.url}${path}`, { headers: authHeaders() });
  if (!response.ok || !response.body) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  let bytes = 0;
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes, lines };
    bytes += value.byteLength;
    for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) lines++;
  }
}

// ---------------------------------------------------------------------------------------------
// the server and its API

/** `gasworks serve --port 0` on `dataDir`; resolves once its first stdout line names its URL. */
async function startServer(dataDir: string, logFile: string, heapMB?: number): Promise<Server> {
  const args = [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--rate-limit', '0', '--data-dir', dataDir];
  if (token !== undefined) args.push('--token', token);
  if (values['server-log'] === 'warn') args.push('--quiet');
  const log = openSync(logFile, 'a');
  const env = heapMB === undefined ? process.env : { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMB}` };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', log], env });
  closeSync(log);
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  const url = await serverUrl(child, logFile);
  return { url, pid: child.pid!, child, logFile };
}

/** Stops `server`'s process (bench/lib.ts `stopChild`). */
async function stopServer(server: Server): Promise<void> {
  await stopChild(server.child);
}

function authHeaders(): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

async function submit(server: Server, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${server.url}/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`POST /jobs: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

async function getJob(server: Server, id: number): Promise<JobRecord> {
  const response = await fetch(`${server.url}/jobs/${id}`, { headers: authHeaders() });
  if (!response.ok) throw new Error(`GET /jobs/${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as JobRecord;
}

async function expectOk(server: Server, path: string): Promise<void> {
  const response = await fetch(`${server.url}${path}`, { headers: authHeaders() });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text}`);
}

function isEnded(job: JobRecord): boolean {
  return job.status !== 'queued' && job.status !== 'running';
}

async function waitJob(server: Server, id: number, timeoutMs: number): Promise<JobRecord> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const job = await getJob(server, id);
    if (isEnded(job)) return job;
    if (performance.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** Submits `body` and waits for it to succeed. */
async function runJob(server: Server, body: Record<string, unknown>, timeoutMs: number): Promise<JobRecord> {
  const job = await waitJob(server, await submit(server, body), timeoutMs);
  if (job.status !== 'succeeded') throw new Error(`job ${job.id} ${job.status}: ${job.errorMessage}`);
  return job;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM, RssAnon). */
function procStatus(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
