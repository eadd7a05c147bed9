/**
 * The C pull-PageRank peer (pull-pagerank.c, GAP pr_spmv's loop) for bench/pagerank.ts and
 * bench/scaling.ts: its input (the in-neighbour CSR of a stored graph), its build with the system
 * compiler and OpenMP, and its runs on a given number of threads. Every row says how many threads
 * the peer actually ran on, as the peer itself reports it: a build without OpenMP runs on one
 * thread whatever OMP_NUM_THREADS says, and a row must not claim otherwise.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalGraph } from '../../src/engine/worker/local-graph.js';
import { fromDist, median } from '../lib.js';

const SOURCE = resolve(fileURLToPath(new URL('pull-pagerank.c', import.meta.url)));

export type PullPageRankBuild =
  | { readonly binary: string; readonly openmp: true }
  /** Built, but without OpenMP: `reason` says why; every run is on one thread. */
  | { readonly binary: string; readonly openmp: false; readonly reason: string }
  | { readonly skipped: string };

/** Compiles the peer into `dir` with `-fopenmp`, or without it (saying why) where OpenMP is missing. */
export function buildPullPageRank(dir: string): PullPageRankBuild {
  const binary = join(dir, 'pull-pagerank');
  const compile = (flags: string[]): ReturnType<typeof spawnSync> =>
    spawnSync('cc', ['-O3', '-march=native', ...flags, '-o', binary, SOURCE], { encoding: 'utf8' });
  const withOpenMp = compile(['-fopenmp']);
  if (withOpenMp.status === 0) return { binary, openmp: true };
  const firstLine = (result: ReturnType<typeof spawnSync>): string => result.error?.message ?? String(result.stderr).trim().split('\n')[0] ?? '';
  const plain = compile([]);
  if (plain.status !== 0) return { skipped: `no C compiler (${firstLine(plain)})` };
  return { binary, openmp: false, reason: `cc -fopenmp failed (${firstLine(withOpenMp)})` };
}

export interface PullPageRankRun {
  /** Median over `runs` runs of the peer's median iteration. */
  readonly perIterationMs: number;
  readonly bestMs: number;
  /** Threads the peer's parallel loops ran on, as it reports them. */
  readonly threads: number;
}

/** Runs the peer `runs` times on OMP_NUM_THREADS = `threads`. */
export function runPullPageRank(binary: string, csr: string, threads: number, runs = 3): PullPageRankRun {
  const results = Array.from({ length: runs }, () => {
    const child = spawnSync(binary, [csr], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
    if (child.status !== 0) throw new Error(`C peer failed (${child.status ?? child.signal}): ${child.stderr}`);
    return JSON.parse(child.stdout) as { bestMs: number; medianMs: number; threads: number };
  });
  const used = new Set(results.map((r) => r.threads));
  if (used.size !== 1) throw new Error(`C peer ran on ${[...used].join(' and ')} threads in runs of the same setting`);
  return { perIterationMs: median(results.map((r) => r.medianMs)), bestMs: Math.min(...results.map((r) => r.bestMs)), threads: results[0]!.threads };
}

/** Writes the peer's input for a stored graph (all its partitions, as one worker loads them). */
export async function writePullPageRankInput(dataDir: string, graphName: string, file: string): Promise<void> {
  const { Catalog, GraphReader, graphStoreDir } = await fromDist<typeof import('../../src/storage/index.js')>('storage/index.js');
  const { loadLocalGraph } = await fromDist<typeof import('../../src/engine/coordinator/load.js')>('engine/coordinator/load.js');
  const catalog = Catalog.open(dataDir);
  try {
    const graph = catalog.getGraph(graphName);
    const reader = GraphReader.open(graphStoreDir(dataDir, graph));
    try {
      writeFileSync(file, inNeighbourCsr(loadLocalGraph(reader, 0, 1), !graph.directed));
    } finally {
      reader.close();
    }
  } finally {
    catalog.close();
  }
}

/**
 * The peer's input (little-endian u32): n, m, offsets[n+1], in-neighbours[m], out-degrees[n].
 * Undirected: every edge both ways, a self-loop once.
 */
export function inNeighbourCsr(graph: LocalGraph, undirected: boolean): Buffer {
  const n = graph.numVertices;
  const { inOffsets, inSources, outOffsets, dst } = graph;
  const offsets = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) {
    let count = inOffsets[v + 1]! - inOffsets[v]!;
    if (undirected) {
      count += outOffsets[v + 1]! - outOffsets[v]!;
      for (let k = inOffsets[v]!; k < inOffsets[v + 1]!; k++) if (inSources[k] === v) count--;
    }
    offsets[v + 1] = offsets[v]! + count;
  }
  const neighbours = new Uint32Array(offsets[n]!);
  const degree = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    let at = offsets[v]!;
    for (let k = inOffsets[v]!; k < inOffsets[v + 1]!; k++) if (!undirected || inSources[k] !== v) neighbours[at++] = inSources[k]!;
    if (undirected) for (let e = outOffsets[v]!; e < outOffsets[v + 1]!; e++) neighbours[at++] = dst[e]!;
  }
  for (let k = 0; k < neighbours.length; k++) degree[neighbours[k]!]!++;
  return Buffer.concat([
    Buffer.from(new Uint32Array([n, neighbours.length]).buffer),
    Buffer.from(offsets.buffer),
    Buffer.from(neighbours.buffer),
    Buffer.from(degree.buffer),
  ]);
}
