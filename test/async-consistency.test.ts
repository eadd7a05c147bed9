/**
 * The asynchronous engine's consistency models on several workers, checked from the outside:
 * every worker records when each piece of each update ran (`traceUpdates`), and the checker
 * (helpers/consistency-checker.ts) merges them. On a power-law graph, where hubs make conflicts
 * likely, on 2 worker threads and on 2 `gasworks worker` processes:
 *
 * - `edge`: no two adjacent vertices' updates ever overlap, and greedy colouring ends proper;
 * - `full`: no two vertices within distance 2 overlap;
 * - `vertex`: the checker does see adjacent updates overlap (it is not vacuous), while no vertex
 *   ever overlaps itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResults, runJob, type JobSummary, type RunOptions } from '../src/index.js';
import { adjacencyOf, adjacentOverlaps, distanceTwoOverlaps, sameVertexOverlaps, updateIntervals } from './helpers/consistency-checker.js';
import { preferentialAttachment } from './helpers/generators.js';
import type { TempCatalog } from './helpers/graph-files.js';
import { startWorkerProcess, storedGraphsAndWorkers, type WorkerProcess } from './helpers/workers.js';

const GRAPH = preferentialAttachment(11, 1500, 4);
const ADJACENCY = adjacencyOf(GRAPH.edges as [number, number][], GRAPH.vertices!);

let temp: TempCatalog;
let processes: WorkerProcess[] = [];
let close: () => Promise<void>;

beforeAll(async () => {
  ({ temp, processes, close } = await storedGraphsAndWorkers([{ name: 'pa', graph: GRAPH }], 2));
}, 60_000);

afterAll(() => close());

const PLACEMENTS = [
  { name: '2 threads', placement: (): Partial<RunOptions> => ({ workers: 2 }) },
  { name: '2 processes', placement: (): Partial<RunOptions> => ({ cluster: processes.map((p) => p.address) }) },
];

async function traced(run: Partial<RunOptions>): Promise<{ summary: JobSummary; values: Float64Array }> {
  const summary = await runJob(temp.catalog, { graph: 'pa', algorithm: 'pagerank', engine: 'async', traceUpdates: true, top: 0, ...run } as RunOptions);
  const values = new Float64Array(GRAPH.vertices!).fill(NaN);
  for (const { vertex, value } of jobResults(temp.catalog, summary.jobId).rows()) values[vertex as number] = value as number;
  return { summary, values };
}

function intervalsOf(summary: JobSummary) {
  const trace = summary.async!.trace!;
  expect(trace).toHaveLength(2);
  return updateIntervals(trace, GRAPH.vertices!);
}

describe.each(PLACEMENTS)('consistency on $name', ({ placement }) => {
  it('edge: no two adjacent vertices run at once (dynamic PageRank, priority scheduler)', async () => {
    const { summary } = await traced({ ...placement(), consistency: 'edge', scheduler: 'priority', options: { tolerance: 1e-6 } });
    expect(summary.async).toMatchObject({ consistency: 'edge', endReason: 'converged' });
    const intervals = intervalsOf(summary);
    const adjacent = adjacentOverlaps(intervals, ADJACENCY);
    expect(adjacent.updates).toBe(summary.async!.updates);
    // Most updates span both workers: the protocol, not luck, keeps them apart.
    expect(summary.async!.workers.reduce((total, w) => total + w.flights, 0)).toBeGreaterThan(summary.async!.updates / 4);
    expect(adjacent.overlaps, adjacent.example ?? '').toBe(0);
    expect(sameVertexOverlaps(intervals).overlaps).toBe(0);
  }, 60_000);

  it('full: no two vertices within distance 2 run at once', async () => {
    const { summary } = await traced({ ...placement(), consistency: 'full', scheduler: 'fifo', options: { tolerance: 1e-4 } });
    const intervals = intervalsOf(summary);
    const near = distanceTwoOverlaps(intervals, ADJACENCY);
    expect(near.updates).toBe(summary.async!.updates);
    expect(near.overlaps, near.example ?? '').toBe(0);
  }, 60_000);

  it('vertex: adjacent updates do overlap (the checker sees them), one vertex never overlaps itself', async () => {
    const { summary } = await traced({ ...placement(), consistency: 'vertex', scheduler: 'fifo', options: { tolerance: 1e-6 } });
    const intervals = intervalsOf(summary);
    expect(adjacentOverlaps(intervals, ADJACENCY).overlaps).toBeGreaterThan(0);
    expect(sameVertexOverlaps(intervals).overlaps).toBe(0);
  }, 60_000);

  it('greedy colouring under edge consistency ends proper', async () => {
    const summary = await runJob(temp.catalog, { graph: 'pa', algorithm: 'coloring', consistency: 'edge', top: 0, ...placement() } as RunOptions);
    const color = new Float64Array(GRAPH.vertices!);
    for (const { vertex, value } of jobResults(temp.catalog, summary.jobId).rows()) color[vertex as number] = value as number;
    const conflicts = GRAPH.edges.filter(([u, v]) => u !== v && color[u as number] === color[v as number]).length;
    expect(summary.async).toMatchObject({ endReason: 'converged', consistency: 'edge' });
    expect(conflicts).toBe(0);
  }, 60_000);
});

describe('ending a run on several workers', () => {
  it('--max-updates and --timeout drain the flights in the air and end the run, saying why', async () => {
    // A tolerance no run reaches (the push form reaches 1e-15 on this graph): only the limits end it.
    const forever = { graph: 'pa', algorithm: 'pagerank', engine: 'async', options: { tolerance: 1e-300 }, top: 0, workers: 2 } as RunOptions;
    const capped = await runJob(temp.catalog, { ...forever, maxUpdates: 20_000 });
    expect(capped).toMatchObject({ converged: false, stopReason: 'max-updates' });
    expect(capped.async!.updates).toBeGreaterThanOrEqual(20_000);
    const timed = await runJob(temp.catalog, { ...forever, timeoutSeconds: 0.5, consistency: 'full' });
    expect(timed).toMatchObject({ converged: false, stopReason: 'timeout' });
  }, 60_000);

  it('a worker process killed in the middle of a run fails the job naming it, and no run hangs', async () => {
    const victim = await startWorkerProcess();
    try {
      let killed = false;
      const error = await runJob(temp.catalog, {
        graph: 'pa',
        algorithm: 'pagerank',
        engine: 'async',
        options: { tolerance: 1e-300 },
        cluster: [processes[0]!.address, victim.address],
        // The failure path: with recoveries allowed, the lost worker's partitions would move to the survivor.
        maxRecoveries: 0,
        top: 0,
        onStep: () => {
          if (!killed) {
            killed = true;
            victim.child.kill('SIGKILL');
          }
        },
      } as RunOptions).catch((e: unknown) => e);
      expect(killed).toBe(true);
      expect(error).toMatchObject({ code: 'GAS_ERR_WORKER', message: expect.stringContaining(victim.address) });
    } finally {
      await victim.stop();
    }
  }, 60_000);

  it("with recoveries allowed, the lost process's partitions move to the survivor, the run starts again and converges to the ranks", async () => {
    const victim = await startWorkerProcess();
    try {
      let killed = false;
      const tolerance = 1e-14;
      const summary = await runJob(temp.catalog, {
        graph: 'pa',
        algorithm: 'pagerank',
        engine: 'async',
        options: { tolerance },
        cluster: [processes[0]!.address, victim.address],
        top: 0,
        onStep: () => {
          if (!killed) {
            killed = true;
            victim.child.kill('SIGKILL');
          }
        },
      } as RunOptions);
      expect(killed).toBe(true);
      // Asynchronous runs take no checkpoints: the attempt after the loss starts from the beginning.
      expect(summary.recoveries).toMatchObject([{ worker: victim.address, resumedAfterStep: null }]);
      expect(summary).toMatchObject({ converged: true, stopReason: 'converged' });
      expect(await distanceToExactRanks(summary.jobId)).toBeLessThan((0.85 / 0.15) * tolerance * 10);
    } finally {
      await victim.stop();
    }
  }, 60_000);

  it('a worker thread lost in an asynchronous run: the run starts again on new threads and converges to the ranks', async () => {
    const tolerance = 1e-12;
    const summary = await runJob(temp.catalog, {
      graph: 'pa',
      algorithm: 'pagerank',
      engine: 'async',
      options: { tolerance },
      workers: 2,
      top: 0,
      // Asynchronous runs have no steps: the thread exits at the coordinator's 10th poll (≈ 20 ms in).
      crashWorker: { worker: 1, atStep: 10 },
    } as RunOptions);
    expect(summary.recoveries).toMatchObject([{ worker: 'thread 1', error: expect.stringContaining('exited with code 70'), resumedAfterStep: null }]);
    expect(summary).toMatchObject({ converged: true, stopReason: 'converged' });
    expect(await distanceToExactRanks(summary.jobId)).toBeLessThan((0.85 / 0.15) * tolerance * 10);
  }, 60_000);
});

/** L1 distance of job `id`'s ranks to PageRank's at tolerance 1e-15 on the same graph. */
async function distanceToExactRanks(id: number): Promise<number> {
  const exact = await runJob(temp.catalog, { graph: 'pa', algorithm: 'pagerank', options: { tolerance: 1e-15, maxIterations: 1000 }, top: 0 } as RunOptions);
  const ranks = (job: number): Float64Array => {
    const values = new Float64Array(GRAPH.vertices!);
    for (const { vertex, value } of jobResults(temp.catalog, job).rows()) values[vertex as number] = value as number;
    return values;
  };
  const got = ranks(id);
  const want = ranks(exact.jobId);
  return got.reduce((total, x, i) => total + Math.abs(x - want[i]!), 0);
}
