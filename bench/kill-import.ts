/**
 * Kill the importer (issue 18): `gasworks import` and `gasworks repartition` SIGKILLed at random
 * points leave the graph absent or complete (import), old or new (repartition) — never half, and
 * no directory behind once the next process has opened the catalog.
 *
 *   node --import tsx bench/kill-import.ts [--runs 20] [--seed 1] [--sections import,repartition] [--file PATH]
 *
 * In a fresh data directory, `--file` (default: cnr-2000) is imported once through the CLI into 4
 * random partitions as `ref`, timed from spawn to exit, and PageRank (3 iterations, tolerance 0)
 * is run on it: the reference result. Each kill point is a draw in [0, T] of a generator seeded by
 * `--seed` (one per section, each starting from the seed), T being that section's timed command.
 *
 * `import`: `--runs` times, `gasworks import FILE --name victim` is spawned and SIGKILLed at its
 * kill point, then the catalog is opened (its open sweeps what the dead process left) and the run
 * classified: `absent` (no graph `victim`, and a small import named `victim` is accepted),
 * `complete` (`victim` is ready with the reference's vertex and edge counts, and its PageRank
 * equals the reference within 1e-9), or `half` (anything else, an import that failed on its own
 * included). `victim` is then dropped. One `kill-import` line: runs, absent, complete, half,
 * strayDirs (directories under graphs/ that no ready graph owns, summed over runs),
 * finishedBeforeKill (imports that exited on their own first), importMs (T), killPointsMs.
 *
 * `repartition`: `ref` is repartitioned once to 8 partitions with HDRF, timed; then `--runs`
 * times to 4 or 8 partitions (whichever it does not have, so every run changes the layout),
 * SIGKILLed at its kill point, and classified: `old` (the previous layout and partition count),
 * `new` (a new layout with the target count, HDRF), or `half` (anything else, or partition sizes
 * that do not add up to the graph, or a PageRank that fails or differs from the reference by more
 * than 1e-9). One `kill-repartition` line: runs, old, new, half, strayDirs (layout directories
 * other than the graph's current one, plus graph directories no ready graph owns),
 * finishedBeforeKill, repartitionMs, killPointsMs.
 *
 * A half run or one leaving stray directories also prints a `kill-half` line (section, seed, run,
 * kill point, why). `load` lines give os.loadavg() at the start and the end. The script exits 1
 * if any run was half or left a stray directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, round, seededRandom } from './lib.js';
import type { Catalog as StoredCatalog, GraphRecord } from '../src/storage/index.js';

const CLI = resolve(fileURLToPath(new URL('../bin/gasworks.js', import.meta.url)));
const CNR = resolve(fileURLToPath(new URL('../../shared/data/cnr-2000.txt.gz', import.meta.url)));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    sections: { type: 'string', default: 'import,repartition' },
    file: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const sections = new Set(values.sections.split(','));
const file = values.file === undefined ? CNR : resolve(values.file);

const { Catalog, graphDir, readResults } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
const { dropGraph, importGraphFile, runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');

/** PageRank as every check runs it: a fixed number of steps, so every layout does the same work. */
const PAGERANK = { algorithm: 'pagerank', options: { maxIterations: 3, tolerance: 0 }, top: 0 } as const;
/** Largest |difference| a layout may make to PageRank: the order of float sums changes with the partitions. */
const TOLERANCE = 1e-9;
const VICTIM = 'victim';

interface ChildRun {
  /** The command exited on its own before the kill. */
  readonly finishedBeforeKill: boolean;
  readonly code: number | null;
  readonly ms: number;
  readonly stderr: string;
}

/** `gasworks ARGS`, SIGKILLed `killAfterMs` after it was spawned unless it exits first. */
function runCli(args: readonly string[], killAfterMs = Infinity): Promise<ChildRun> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = Number.isFinite(killAfterMs) ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ finishedBeforeKill: signal === null, code, ms: performance.now() - started, stderr });
    });
  });
}

/** PageRank on `graph`, by global vertex id. */
async function pagerankOf(catalog: StoredCatalog, graph: string): Promise<Float64Array> {
  const { jobId } = await runJob(catalog, { ...PAGERANK, graph });
  return readResults(graphDir(catalog.dataDir, catalog.jobs.get(jobId).graphId!), jobId).values;
}

/** Why `actual` is not `expected` within TOLERANCE, or null. */
function differs(expected: Float64Array, actual: Float64Array): string | null {
  if (expected.length !== actual.length) return `PageRank has ${actual.length} values, the reference ${expected.length}`;
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(expected[i]! - actual[i]!);
    // NaN against a number counts as an infinite difference, not as none.
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff);
  }
  return maxAbsDiff > TOLERANCE ? `PageRank differs from the reference by ${maxAbsDiff}` : null;
}

/** Directories under graphs/ that no ready graph owns. */
function strayGraphDirs(catalog: StoredCatalog): string[] {
  const owned = new Set(catalog.listGraphs().map((graph) => graph.id));
  return readdirSync(join(catalog.dataDir, 'graphs')).filter((id) => !owned.has(id));
}

/** Layout directories of `graph` other than its current one. */
function strayLayouts(catalog: StoredCatalog, graph: GraphRecord): string[] {
  const dir = graphDir(catalog.dataDir, graph.id);
  return readdirSync(dir).filter((entry) => entry.startsWith('layout-') && entry !== graph.layout);
}

/** Reports a half run or stray directories: enough to run the case again. */
function reportHalf(section: string, run: number, killPointMs: number, why: string, stray: readonly string[]): void {
  console.log(JSON.stringify({ bench: 'kill-half', section, seed, run, killPointMs: round(killPointMs), why, strayDirs: stray }));
}

/** Opens the catalog of `dataDir` (sweeping), hands it to `body`, closes it before the next child starts. */
async function withCatalog<T>(dataDir: string, body: (catalog: StoredCatalog) => Promise<T>): Promise<T> {
  const catalog = Catalog.open(dataDir);
  try {
    return await body(catalog);
  } finally {
    catalog.close();
  }
}

async function importSection(dataDir: string, work: string, ref: GraphRecord, expected: Float64Array, importMs: number): Promise<boolean> {
  const rng = seededRandom(seed);
  // A name-free check: an import of `victim` after an `absent` run must be accepted.
  const tiny = join(work, 'tiny.txt');
  writeFileSync(tiny, '1 2\n2 3\n');
  const counts = { absent: 0, complete: 0, half: 0, strayDirs: 0, finishedBeforeKill: 0 };
  const killPointsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const killPointMs = rng() * importMs;
    killPointsMs.push(round(killPointMs));
    const child = await runCli(['import', file, '--name', VICTIM, '--partitions', '4', '--data-dir', dataDir, '--quiet'], killPointMs);
    if (child.finishedBeforeKill) counts.finishedBeforeKill++;
    const { outcome, why, stray } = await withCatalog(dataDir, async (catalog) => {
      const stray = strayGraphDirs(catalog);
      const victim = catalog.listGraphs().find((graph) => graph.name === VICTIM);
      let why: string | null = child.finishedBeforeKill && child.code !== 0 ? `import exited ${child.code}: ${child.stderr.trim()}` : null;
      if (victim === undefined) {
        try {
          await importGraphFile(catalog, { file: tiny, name: VICTIM });
        } catch (error) {
          why ??= `an import of "${VICTIM}" afterwards is refused: ${(error as Error).message}`;
        }
      } else if (victim.vertices !== ref.vertices || victim.edges !== ref.edges) {
        why ??= `${victim.vertices} vertices and ${victim.edges} edges, the reference ${ref.vertices} and ${ref.edges}`;
      } else {
        try {
          why ??= differs(expected, await pagerankOf(catalog, VICTIM));
        } catch (error) {
          why ??= `PageRank fails: ${(error as Error).message}`;
        }
      }
      if (catalog.listGraphs().some((graph) => graph.name === VICTIM)) dropGraph(catalog, VICTIM, { force: true });
      const outcome = why !== null ? 'half' : victim === undefined ? 'absent' : 'complete';
      return { outcome, why, stray } as const;
    });
    counts[outcome]++;
    counts.strayDirs += stray.length;
    if (why !== null || stray.length > 0) reportHalf('import', run, killPointMs, why ?? 'stray directories', stray);
  }
  console.log(JSON.stringify({ bench: 'kill-import', file, seed, runs, ...counts, importMs: round(importMs), killPointsMs }));
  return counts.half === 0 && counts.strayDirs === 0;
}

async function repartitionSection(dataDir: string, expected: Float64Array): Promise<boolean> {
  const timed = await runCli(['repartition', 'ref', '--partitions', '8', '--strategy', 'hdrf', '--data-dir', dataDir, '--quiet']);
  if (timed.code !== 0) throw new Error(`kill-import: the timed repartition exited ${timed.code}: ${timed.stderr}`);
  const repartitionMs = timed.ms;
  const rng = seededRandom(seed);
  const counts = { old: 0, new: 0, half: 0, strayDirs: 0, finishedBeforeKill: 0 };
  const killPointsMs: number[] = [];
  let previous = await withCatalog(dataDir, async (catalog) => catalog.getGraph('ref'));
  for (let run = 0; run < runs; run++) {
    const target = previous.partitions === 8 ? 4 : 8;
    const killPointMs = rng() * repartitionMs;
    killPointsMs.push(round(killPointMs));
    const child = await runCli(['repartition', 'ref', '--partitions', String(target), '--strategy', 'hdrf', '--data-dir', dataDir, '--quiet'], killPointMs);
    if (child.finishedBeforeKill) counts.finishedBeforeKill++;
    const { outcome, why, stray, graph } = await withCatalog(dataDir, async (catalog) => {
      const stray = strayGraphDirs(catalog);
      let why: string | null = child.finishedBeforeKill && child.code !== 0 ? `repartition exited ${child.code}: ${child.stderr.trim()}` : null;
      let graph: GraphRecord;
      try {
        graph = catalog.getGraph('ref');
      } catch (error) {
        return { outcome: 'half', why: `graph "ref" is gone: ${(error as Error).message}`, stray, graph: previous } as const;
      }
      stray.push(...strayLayouts(catalog, graph));
      const isOld = graph.layout === previous.layout && graph.partitions === previous.partitions;
      const isNew = graph.layout !== previous.layout && graph.partitions === target && graph.strategy === 'hdrf';
      if (!isOld && !isNew)
        why ??= `layout ${graph.layout} with ${graph.partitions} partitions: neither the old (${previous.partitions}) nor the new (${target})`;
      const sizes = catalog.partitionSizes(graph.id);
      const edges = sizes.reduce((sum, p) => sum + p.edges, 0);
      if (sizes.length !== graph.partitions || edges !== graph.edges)
        why ??= `${sizes.length} partition sizes holding ${edges} edges, for ${graph.partitions} partitions of ${graph.edges}`;
      try {
        why ??= differs(expected, await pagerankOf(catalog, 'ref'));
      } catch (error) {
        why ??= `PageRank fails: ${(error as Error).message}`;
      }
      const outcome = why !== null ? 'half' : isOld ? 'old' : 'new';
      return { outcome, why, stray, graph } as const;
    });
    counts[outcome]++;
    counts.strayDirs += stray.length;
    if (why !== null || stray.length > 0) reportHalf('repartition', run, killPointMs, why ?? 'stray directories', stray);
    previous = graph;
  }
  console.log(JSON.stringify({ bench: 'kill-repartition', file, seed, runs, ...counts, repartitionMs: round(repartitionMs), killPointsMs }));
  return counts.half === 0 && counts.strayDirs === 0;
}

if (!existsSync(file)) throw new Error(`kill-import: ${file} not found`);
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-kill-'));
const dataDir = join(work, 'data');
console.log(JSON.stringify({ bench: 'load', at: 'start', cores: availableParallelism(), loadAverage: loadavg().map(round) }));
let atomic = true;
try {
  const reference = await runCli(['import', file, '--name', 'ref', '--partitions', '4', '--data-dir', dataDir, '--quiet']);
  if (reference.code !== 0) throw new Error(`kill-import: the reference import exited ${reference.code}: ${reference.stderr}`);
  const { ref, expected } = await withCatalog(dataDir, async (catalog) => ({ ref: catalog.getGraph('ref'), expected: await pagerankOf(catalog, 'ref') }));
  if (sections.has('import')) atomic = (await importSection(dataDir, work, ref, expected, reference.ms)) && atomic;
  if (sections.has('repartition')) atomic = (await repartitionSection(dataDir, expected)) && atomic;
} finally {
  rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'load', at: 'end', cores: availableParallelism(), loadAverage: loadavg().map(round) }));
}
if (!atomic) process.exitCode = 1;
