/**
 * The job estimate (api/estimate.ts): its memory model against what workers really allocate (the
 * ArrayBuffer bytes of workers loaded in this thread), its growth with edges and with ALS's rank,
 * the refusal of a job that does not fit (JobService.submit: GAS_ERR_LIMIT, no row; accepted with
 * force), its time basis (default, then history), and POST /jobs/estimate through inject().
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateJob, JobService, runJob, type JobEstimate } from '../src/api/index.js';
import { prepareJob } from '../src/api/run.js';
import { loadInProcessWorkers } from '../src/engine/coordinator/load.js';
import { AsyncRunner } from '../src/engine/worker/async-runner.js';
import type { Message, WorkerRuntime } from '../src/engine/worker/worker-runtime.js';
import type { NeighborSets } from '../src/engine/worker/neighbor-sets.js';
import { ERROR_CODES, type GasError } from '../src/errors.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { docwordText, edgeListText, erdosRenyi, ratingsCsv } from './helpers/generators.js';
import { ENDLESS_PAGERANK, LONG_GRAPH, startTestServer, waitForJob, type TestServer } from './helpers/server.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The model counts typed arrays by their declared sizes; measured bytes must be within this factor of it, either way. */
const ACCURACY = 1.05;

let temp: TempCatalog;

beforeAll(async () => {
  temp = openTempCatalog();
  const catalog = temp.catalog;
  for (const [name, edges] of [
    ['er1', 20_000],
    ['er2', 40_000],
  ] as const) {
    const file = writeGraphFile(temp.inputDir, `${name}.txt`, edgeListText(erdosRenyi(7, 5_000, edges)));
    await importGraph(catalog, { file, name, partitions: 4 });
  }
  const undirected = writeGraphFile(temp.inputDir, 'und.txt', edgeListText(erdosRenyi(9, 4_000, 16_000)));
  await importGraph(catalog, { file: undirected, name: 'und', undirected: true, partitions: 4 });
  const ratings = writeGraphFile(temp.inputDir, 'ratings.csv', ratingsCsv(3, 300, 200, 0.2));
  await importGraph(catalog, { file: ratings, name: 'ratings', format: 'ratings', partitions: 4 });
  await importGraph(catalog, { file: writeGraphFile(temp.inputDir, 'docword.txt', docwordText(5, 200, 100)), name: 'corpus', format: 'uci', partitions: 4 });
});

afterAll(() => {
  temp.close();
  removeTempDirs();
});

/**
 * The ArrayBuffer bytes `workers` in-process workers hold once loaded: process.memoryUsage()
 * .arrayBuffers after full collections, less the same before. A first load, thrown away, lets
 * whatever earlier work left be collected before the measurement (the shards are garbage by the
 * second reading, as the model's `residentBytes` leaves them out).
 */
async function measuredResidentBytes(request: Parameters<typeof estimateJob>[1]): Promise<number> {
  const prepared = await prepareJob(temp.catalog, { ...request, inProcess: true });
  const collect = (): void => {
    for (let i = 0; i < 4; i++) gc();
  };
  try {
    const program = prepared.plan.program;
    const workers = prepared.plan.placement.kind === 'in-process' ? prepared.plan.placement.workers : 1;
    loadInProcessWorkers(prepared.reader, program, workers);
    collect();
    const before = process.memoryUsage().arrayBuffers;
    const loaded = loadInProcessWorkers(prepared.reader, program, workers);
    collect();
    const after = process.memoryUsage().arrayBuffers;
    if (loaded.endpoints.length !== workers) throw new Error('not every worker loaded'); // and keeps them alive through the measurement
    return after - before;
  } finally {
    prepared.reader.close();
  }
}

/**
 * Bytes of the array buffers reachable from `root` through its own fields (objects, arrays,
 * maps), each buffer counted once; objects in `shared` (the worker runtimes the runner was given,
 * which it does not allocate) are not entered.
 */
function ownBufferBytes(root: object, shared: readonly object[]): number {
  // Buffers `shared` objects hold (a runtime's inboxes, which the runner also points at) are theirs.
  const buffersOf = (roots: readonly object[], skip: Set<object>): Set<ArrayBufferLike> => {
    const buffers = new Set<ArrayBufferLike>();
    const seen = new Set<object>(skip);
    const visit = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || seen.has(value)) return;
      seen.add(value);
      if (ArrayBuffer.isView(value)) {
        buffers.add(value.buffer);
        return;
      }
      if (value instanceof Map) for (const [key, entry] of value) (visit(key), visit(entry));
      else for (const entry of Object.values(value)) visit(entry);
    };
    roots.forEach(visit);
    return buffers;
  };
  const theirs = buffersOf(shared, new Set());
  let bytes = 0;
  for (const buffer of buffersOf([root], new Set(shared))) if (!theirs.has(buffer)) bytes += buffer.byteLength;
  return bytes;
}

function resident(estimate: JobEstimate): number {
  return estimate.memory.perWorker.reduce((sum, w) => sum + w.residentBytes, 0);
}

describe('the memory model against what workers allocate', () => {
  const cases = [
    { name: 'pagerank, directed, 2 workers', request: { graph: 'er1', algorithm: 'pagerank', workers: 2 } },
    { name: 'pagerank, directed, 4 workers', request: { graph: 'er2', algorithm: 'pagerank', workers: 4 } },
    { name: 'connected components, undirected (symmetric lists)', request: { graph: 'und', algorithm: 'connected-components', workers: 2 } },
    { name: 'label propagation (collecting)', request: { graph: 'und', algorithm: 'label-propagation', workers: 2 } },
    { name: 'als rank 20', request: { graph: 'ratings', algorithm: 'als', workers: 2, options: { rank: 20 } } },
    { name: 'lda, 8 topics (a column per token)', request: { graph: 'corpus', algorithm: 'lda', workers: 2, options: { topics: 8 } } },
  ];
  for (const { name, request } of cases) {
    it(`${name}: estimated resident bytes within ${ACCURACY}× of measured`, async () => {
      const estimate = await estimateJob(temp.catalog, { ...request, inProcess: true });
      const measured = await measuredResidentBytes(request);
      const ratio = resident(estimate) / measured;
      console.log(`estimate ${name}: estimated ${resident(estimate)} B, measured ${measured} B, ratio ${ratio.toFixed(3)}`);
      expect(ratio).toBeGreaterThan(1 / ACCURACY);
      expect(ratio).toBeLessThan(ACCURACY);
    });
  }
});

describe("the asynchronous engine's arrays against what its runner allocates", () => {
  for (const scheduler of ['fifo', 'priority', 'sweep']) {
    it(`pagerank --engine async --scheduler ${scheduler}, 2 workers`, async () => {
      const request = { graph: 'er1', algorithm: 'pagerank', engine: 'async', scheduler, workers: 2, inProcess: true };
      const estimate = await estimateJob(temp.catalog, request);
      const prepared = await prepareJob(temp.catalog, request);
      try {
        const { endpoints } = loadInProcessWorkers(prepared.reader, prepared.plan.program, 2);
        const runtimes = endpoints.map((endpoint) => (endpoint as unknown as { node: { runtime: WorkerRuntime } }).node.runtime);
        const settings = { ...prepared.plan.async, maxUpdates: Infinity };
        // The runner's constructor allocates its arrays and touches neither links nor inbox. Its
        // buffers are counted by walking it (the process's arrayBuffers figure moved with other
        // files' collections in a full run, once below zero).
        const runners = runtimes.map((runtime) => new AsyncRunner(runtime, null as never, null as never, settings));
        const measured = runners.reduce((sum, runner) => sum + ownBufferBytes(runner, runtimes), 0);
        expect(runners).toHaveLength(2);
        // The estimate's async bytes less its heap part (the map of mirror workers) are typed arrays.
        const typed = estimate.memory.perWorker.reduce((sum, w) => sum + w.bytes.async - (w.heapBytes - w.bytes.overhead), 0);
        console.log(`estimate async ${scheduler}: estimated ${typed} B, measured ${measured} B, ratio ${(typed / measured).toFixed(3)}`);
        expect(typed / measured).toBeGreaterThan(1 / ACCURACY);
        expect(typed / measured).toBeLessThan(ACCURACY);
      } finally {
        prepared.reader.close();
      }
    });
  }
});

describe('neighbour sets against what the workers build', () => {
  it('triangle-count, 2 workers: the sets are the whole-graph neighbours of every replica', async () => {
    const request = { graph: 'und', algorithm: 'triangle-count', workers: 2, inProcess: true };
    const estimate = await estimateJob(temp.catalog, request);
    const prepared = await prepareJob(temp.catalog, request);
    try {
      const { endpoints } = loadInProcessWorkers(prepared.reader, prepared.plan.program, 2);
      const runtimes = endpoints.map((endpoint) => (endpoint as unknown as { node: { runtime: WorkerRuntime } }).node.runtime);
      // The three exchanges the engine runs before step 0 (worker-runtime.ts), messages handed over by hand.
      const deliver = (outboxes: Message[][]): Message[][] => runtimes.map((_, to) => outboxes.map((outbox) => outbox[to] ?? null));
      const first = deliver(runtimes.map((runtime) => runtime.neighborsToMasters()));
      const second = deliver(runtimes.map((runtime, w) => runtime.neighborsFromMirrors(first[w]!)));
      runtimes.forEach((runtime, w) => runtime.neighborsInstall(second[w]!));
      const measured = runtimes.reduce((sum, runtime) => {
        const sets = runtime.state.neighbors as NeighborSets;
        return sum + sets.offsets.byteLength + sets.ids.byteLength + sets.multiplicities.byteLength;
      }, 0);
      const estimated = estimate.memory.perWorker.reduce((sum, w) => sum + w.bytes.neighborSets, 0);
      console.log(`estimate neighbour sets: estimated ${estimated} B, measured ${measured} B, ratio ${(estimated / measured).toFixed(3)}`);
      expect(estimated / measured).toBeGreaterThanOrEqual(1);
      expect(estimated / measured).toBeLessThan(ACCURACY);
    } finally {
      prepared.reader.close();
    }
  });
});

describe('the estimate', () => {
  it('reports a breakdown per worker, the peak worker, the coordinator and the time, with no job row', async () => {
    const estimate = await estimateJob(temp.catalog, { graph: 'er1', algorithm: 'pagerank', workers: 2, options: { tolerance: 0, maxIterations: 30 } });
    expect(estimate.workers).toBe(2);
    expect(estimate.memory.perWorker).toHaveLength(2);
    expect(estimate.memory.peakWorker.peakBytes).toBe(Math.max(...estimate.memory.perWorker.map((w) => w.peakBytes)));
    expect(estimate.memory.peakWorker.bytes.overhead).toBeGreaterThan(0); // two workers run on threads
    expect(estimate.memory.coordinator.result).toBeGreaterThanOrEqual(estimate.vertices * 8);
    expect(estimate.time).toMatchObject({ steps: 30, stepsAre: 'planned', basis: 'default', historyJobs: [] });
    expect(estimate.time.totalMs).toBeCloseTo(estimate.time.perStepMs * 30);
    const converging = await estimateJob(temp.catalog, { graph: 'er1', algorithm: 'pagerank', options: { maxIterations: 40 } });
    expect(converging.time).toMatchObject({ steps: 40, stepsAre: 'at most' });
    expect(estimate.fits).toBe(true);
    expect(temp.catalog.jobs.list()).toHaveLength(0);
  });

  it('grows linearly with edges and with ALS rank', async () => {
    const small = await estimateJob(temp.catalog, { graph: 'er1', algorithm: 'pagerank', workers: 1 });
    const large = await estimateJob(temp.catalog, { graph: 'er2', algorithm: 'pagerank', workers: 1 });
    // Same vertices (5 000), twice the edges: the per-edge parts double.
    const perEdge = (e: JobEstimate): number => e.memory.peakWorker.bytes.localGraph + e.memory.peakWorker.bytes.edgeState;
    expect(perEdge(large) / perEdge(small)).toBeGreaterThan(1.8);
    expect(perEdge(large) / perEdge(small)).toBeLessThan(2.1);
    // ALS: state grows with rank, the gather partial with rank² (the packed normal equations).
    const als = async (rank: number): Promise<JobEstimate> => estimateJob(temp.catalog, { graph: 'ratings', algorithm: 'als', workers: 1, options: { rank } });
    const [r10, r20, r40] = await Promise.all([als(10), als(20), als(40)]);
    const state = (e: JobEstimate): number => e.memory.peakWorker.bytes.vertexState;
    expect((state(r40) - state(r20)) / (state(r20) - state(r10))).toBeCloseTo(2, 5);
    const partial = (e: JobEstimate): number => e.memory.peakWorker.bytes.runtime;
    expect(partial(r40) / partial(r20)).toBeGreaterThan(3.5);
  });

  it('says a job does not fit, naming the numbers; submit refuses it with GAS_ERR_LIMIT and no row, and runs it with force', async () => {
    const request = { graph: 'ratings', algorithm: 'als', options: { rank: 30, maxIterations: 1 }, workers: 1 };
    const roomy = await estimateJob(temp.catalog, request);
    expect(roomy.fits).toBe(true);
    const previous = process.env.GASWORKS_MEMORY_LIMIT;
    // A machine with room for half of the job (GASWORKS_MEMORY_LIMIT caps what the estimate sees).
    process.env.GASWORKS_MEMORY_LIMIT = String(Math.round(roomy.memory.peakWorker.peakBytes / 2 / 0.9));
    const service = new JobService(temp.catalog);
    try {
      const estimate = await estimateJob(temp.catalog, request);
      expect(estimate.fits).toBe(false);
      expect(estimate.reason).toMatch(/^worker 0 needs [\d.]+ [KM]iB, more than the [\d.]+ [KM]iB available$/);
      // A larger rank needs more: rank 200's gather partial alone is 20 302 doubles per vertex.
      const huge = await estimateJob(temp.catalog, { ...request, options: { rank: 200 } });
      expect(huge.memory.peakWorker.peakBytes).toBeGreaterThan(10 * estimate.memory.peakWorker.peakBytes);
      const rowsBefore = temp.catalog.jobs.list({ limit: 1000 }).length;
      const refusal = (await service.submit(request).catch((error: unknown) => error)) as GasError;
      expect(refusal.code).toBe('GAS_ERR_LIMIT');
      expect(refusal.message).toMatch(/does not fit: worker 0 needs .*available; pass force \(--force\)/);
      expect(temp.catalog.jobs.list({ limit: 1000 })).toHaveLength(rowsBefore);
      const record = await service.wait((await service.submit(request, { force: true })).id);
      expect(record.status).toBe('succeeded');
    } finally {
      if (previous === undefined) delete process.env.GASWORKS_MEMORY_LIMIT;
      else process.env.GASWORKS_MEMORY_LIMIT = previous;
      await service.shutdown();
    }
  });

  it('takes its per-step cost from succeeded jobs of the same algorithm', async () => {
    const summary = await runJob(temp.catalog, { graph: 'er1', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 10 } });
    const estimate = await estimateJob(temp.catalog, { graph: 'er2', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 10 } });
    expect(estimate.time.basis).toBe('history');
    expect(estimate.time.historyJobs).toContain(summary.jobId);
    const rate = summary.timings.computeMs / (summary.timings.perIterationMs.length * 20_000);
    expect(estimate.time.msPerEdgeStep).toBeCloseTo(rate, 10);
    expect(estimate.time.perStepMs).toBeCloseTo(rate * 40_000, 6);
  });
});

describe('POST /jobs/estimate', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const file = writeGraphFile(server.uploads, 'er.txt', edgeListText(erdosRenyi(5, 500, 2_000)));
    await importGraph(server.catalog, { file, name: 'er', partitions: 2 });
  });
  afterAll(async () => server.close());

  it('answers 200 with the estimate and stores nothing', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/jobs/estimate',
      payload: { graph: 'er', algorithm: 'pagerank', workers: 2, options: { maxIterations: 5, tolerance: 0 } },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ graph: 'er', algorithm: 'pagerank', workers: 2, fits: true, time: { steps: 5, stepsAre: 'planned' } });
    expect(body.memory.peakWorker.bytes.localGraph).toBeGreaterThan(0);
    expect(server.stored().jobs).toEqual([]);
  });

  it('404 for an unknown graph or algorithm, 400 for bad options or unknown fields', async () => {
    const post = (payload: Record<string, unknown>) => server.app.inject({ method: 'POST', url: '/jobs/estimate', payload });
    expect((await post({ graph: 'nope', algorithm: 'pagerank' })).statusCode).toBe(404);
    expect((await post({ graph: 'er', algorithm: 'nope' })).statusCode).toBe(404);
    const bad = await post({ graph: 'er', algorithm: 'pagerank', options: { damping: 7 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/damping/);
    expect((await post({ graph: 'er', algorithm: 'pagerank', bogus: 1 })).statusCode).toBe(400);
  });

  it('POST /jobs refuses a job that does not fit (413) unless force', async () => {
    const previous = process.env.GASWORKS_MEMORY_LIMIT;
    process.env.GASWORKS_MEMORY_LIMIT = String(2 ** 20);
    try {
      const payload = { graph: 'er', algorithm: 'pagerank', options: { maxIterations: 3, tolerance: 0 } };
      const refused = await server.app.inject({ method: 'POST', url: '/jobs', payload });
      expect(refused.statusCode).toBe(413);
      expect(refused.json().error.code).toBe('GAS_ERR_LIMIT');
      expect(server.stored().jobs).toEqual([]);
      const forced = await server.app.inject({ method: 'POST', url: '/jobs', payload: { ...payload, force: true } });
      expect(forced.statusCode).toBe(202);
      expect((await waitForJob(server.app, forced.json().id)).status).toBe('succeeded');
    } finally {
      if (previous === undefined) delete process.env.GASWORKS_MEMORY_LIMIT;
      else process.env.GASWORKS_MEMORY_LIMIT = previous;
    }
  });

  it("GET /jobs gives a running job's latest progress, null for an ended one", async () => {
    const file = writeGraphFile(server.uploads, 'long.txt', LONG_GRAPH);
    await importGraph(server.catalog, { file, name: 'long', partitions: 2 });
    const { id } = (
      await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'long', algorithm: 'pagerank', options: ENDLESS_PAGERANK } })
    ).json();
    type Listed = { id: number; status: string; progress: { step?: number } | null };
    let listed: Listed | undefined;
    for (let i = 0; i < 400 && !listed?.progress; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      listed = ((await server.app.inject({ method: 'GET', url: '/jobs' })).json() as Listed[]).find((job) => job.id === id);
    }
    expect(listed?.status).toBe('running');
    expect(listed?.progress?.step).toBeGreaterThanOrEqual(0);
    await server.app.inject({ method: 'DELETE', url: `/jobs/${id}` });
    expect((await waitForJob(server.app, id)).status).toBe('cancelled');
    const ended = (await server.app.inject({ method: 'GET', url: '/jobs' })).json() as Listed[];
    expect(ended.every((job) => job.progress === null)).toBe(true);
  });
});

describe('gasworks estimate, and run --force (the built CLI)', () => {
  const CLI = resolve('bin/gasworks.js');
  const gasworks = (args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } => {
    const child = spawnSync(process.execPath, [CLI, ...args, '--data-dir', temp.dataDir], { encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
  };

  it('prints the breakdown as a table and as JSON', () => {
    const table = gasworks(['estimate', 'pagerank', '--graph', 'er1', '--workers', '2', '--max-iterations', '7', '--tolerance', '0']);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/local graph \(CSR\/CSC, ids\)\s+[\d.]+ [KM]iB/);
    expect(table.stdout).toMatch(/× 7 steps/);
    expect(table.stdout).toMatch(/fits: yes/);
    const json = gasworks(['estimate', 'als', '--graph', 'ratings', '--rank', '12', '--json']);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ algorithm: 'als', graph: 'ratings', fits: true });
  });

  it('run refuses a job that does not fit (exit status of GAS_ERR_LIMIT) and runs it with --force', () => {
    const tight = { GASWORKS_MEMORY_LIMIT: String(2 ** 20) };
    const refused = gasworks(['run', 'pagerank', '--graph', 'er1', '--max-iterations', '2'], tight);
    expect(refused.status).toBe(ERROR_CODES.GAS_ERR_LIMIT.exit);
    expect(refused.stderr).toMatch(/does not fit.*--force/);
    const forced = gasworks(['run', 'pagerank', '--graph', 'er1', '--max-iterations', '2', '--force', '--json'], tight);
    expect(forced.status, forced.stderr).toBe(0);
  });
});
