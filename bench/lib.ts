/** Shared by the benchmark scripts: medians, rounding, the built modules, Kronecker imports, and worker processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI = resolve(fileURLToPath(new URL('../bin/gasworks.js', import.meta.url)));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** mulberry32: a seeded generator of numbers in [0, 1), so a benchmark's random choices repeat run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Runtime modules from the build (what the CLI runs), typed by their sources. */
export function fromDist<T>(path: string): Promise<T> {
  return import(pathToFileURL(resolve(fileURLToPath(new URL('../dist/', import.meta.url)), path)).href) as Promise<T>;
}

/**
 * Generates the Graph500 Kronecker graph of `scale` (edge factor 16, seed 1) under `work`, imports
 * it undirected as `kron-<scale>` into a fresh catalog at `dataDir` (into `partitions`, or the
 * import default), prints an `import` JSON line, and deletes the edge list. Returns the graph's
 * name and partition count.
 */
export async function importKronecker(work: string, scale: number, dataDir: string, partitions?: number): Promise<{ graph: string; partitions: number }> {
  const { writeKroneckerEdgeList } = await fromDist<typeof import('../src/generate/kronecker.js')>('generate/kronecker.js');
  const file = join(work, `kron-${scale}.txt`);
  await writeKroneckerEdgeList({ scale, edgeFactor: 16, seed: 1 }, file);
  return importEdgeList(file, `kron-${scale}`, dataDir, { undirected: true, ...(partitions !== undefined && { partitions }) });
}

/**
 * A directed graph of exactly `vertices` vertices, none isolated: the ring 0 → 1 → … → 0 plus one
 * chord per vertex to a vertex drawn by a seeded generator (2 × `vertices` edges), written under
 * `work` and imported as `ring-<vertices>` like `importKronecker`. For a result with a given
 * number of rows (a Kronecker graph leaves about 40% of its vertices isolated, so scale 22 gives
 * 2.4 M rows, not 4.2 M).
 */
export async function importRingWithChords(work: string, vertices: number, dataDir: string): Promise<{ graph: string; partitions: number }> {
  const file = join(work, `ring-${vertices}.txt`);
  const out = createWriteStream(file);
  let state = 0x9e3779b9;
  const lines: string[] = [];
  for (let v = 0; v < vertices; v++) {
    // xorshift32: a fixed sequence, so every run imports the same graph.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    let chord = state % vertices;
    if (chord === v || chord === (v + 1) % vertices) chord = (v + 2) % vertices;
    lines.push(`${v} ${(v + 1) % vertices}\n${v} ${chord}\n`);
    if (lines.length === 65536 || v === vertices - 1) {
      if (!out.write(lines.join(''))) await once(out, 'drain');
      lines.length = 0;
    }
  }
  out.end();
  await finished(out);
  return importEdgeList(file, `ring-${vertices}`, dataDir, {});
}

/** Imports an edge list into a fresh catalog at `dataDir`, prints an `import` JSON line, deletes the file. */
async function importEdgeList(
  file: string,
  name: string,
  dataDir: string,
  options: { undirected?: boolean; partitions?: number },
): Promise<{ graph: string; partitions: number }> {
  const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
  const { importGraph } = await fromDist<typeof import('../src/ingest/import-graph.js')>('ingest/import-graph.js');
  const catalog = Catalog.open(dataDir);
  try {
    const started = performance.now();
    const { graph } = await importGraph(catalog, { file, name, ...options });
    console.log(
      JSON.stringify({
        bench: 'import',
        graph: graph.name,
        vertices: graph.vertices,
        edges: graph.edges,
        partitions: graph.partitions,
        replicationFactor: round(graph.replicationFactor),
        seconds: round((performance.now() - started) / 1000),
      }),
    );
    return { graph: graph.name, partitions: graph.partitions };
  } finally {
    catalog.close();
    rmSync(file, { force: true });
  }
}

/** Workers and their coordinators share the cluster's secret: a fresh one for this run unless one is given. */
export function useClusterSecret(): void {
  process.env.GASWORKS_CLUSTER_SECRET ??= randomBytes(32).toString('hex');
}

/**
 * `gasworks worker --listen 127.0.0.1:0` with `dataDir` as its data directory (its shard cache),
 * added to `started` for the caller to stop; resolves with its address once it listens. The
 * secret comes from the environment (`useClusterSecret`).
 */
export function startWorkerProcess(dataDir: string, started: ChildProcess[]): Promise<string> {
  return new Promise((resolveAddress, reject) => {
    const worker = spawn(process.execPath, [CLI, 'worker', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(worker);
    let out = '';
    let err = '';
    worker.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    worker.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolveAddress(match[1]!);
      if (out.length > 65536) out = out.slice(-4096);
    });
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before listening: ${err}`)));
  });
}

/**
 * `n` synthetic ratings (bench/als.ts `--synthetic`, bench/fault-tolerance.ts `--als-ratings`):
 * uniform users, items of Zipf-like popularity (item i drawn ∝ 1/(i+1)^0.8), a rating 1–5 from a
 * hash of the pair (this measures speed, not quality); seed 7, written to `file` as TSV.
 */
export async function writeSyntheticRatings(file: string, n: number): Promise<{ users: number; items: number }> {
  const users = Math.max(1000, Math.round(n / 100));
  const items = Math.max(1000, Math.round(n / 400));
  const rng = seededRandom(7);
  const cumulative = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) cumulative[i] = total += 1 / (i + 1) ** 0.8;
  const pick = (): number => {
    const x = rng() * total;
    let low = 0;
    let high = items - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < x) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  const out = createWriteStream(file);
  let chunk = '';
  for (let r = 0; r < n; r++) {
    const u = Math.floor(rng() * users);
    const i = pick();
    chunk += `${u}\t${i}\t${(1 + ((u * 7 + i * 13) % 9) / 2).toFixed(1)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((done) => out.end(() => done()));
  return { users, items };
}

/**
 * The URL a `gasworks serve` child prints once it listens (`listening on URL`), or an error with
 * the end of its log (`logFile`) if it exits first; its stdout keeps flowing afterwards.
 */
export async function serverUrl(child: ChildProcess, logFile: string): Promise<string> {
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const onExit = (code: number | null): void => {
      let log = '';
      try {
        log = readFileSync(logFile, 'utf8').slice(-4000);
      } catch {
        // No log yet.
      }
      reject(new Error(`gasworks serve exited (${code}) before listening: ${log}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) {
        child.off('exit', onExit);
        resolveUrl(match[1]!);
      }
    });
  });
  child.stdout!.resume();
  return url;
}

/** SIGTERM to a `gasworks serve` child (the server ends its jobs and closes), SIGKILL after 15 s; resolves once it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
