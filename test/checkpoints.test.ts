/**
 * Checkpoints and resumable jobs (issue 18): a job interrupted mid-run (the service shutting
 * down, as on SIGTERM) checkpoints where it stops and is recorded `interrupted`; `resume` goes on
 * from the newest checkpoint and ends with exactly the result of a run never interrupted — PageRank
 * and ALS (floats, compared bit for bit: BSP on the same workers runs the same arithmetic in the
 * same order), connected components (integers) and LDA (token topics in an edge column, topic
 * totals in a vector aggregate). A corrupt or truncated newest checkpoint makes the resume fall
 * back to the one before, never to a wrong result; no usable checkpoint is a clear refusal that
 * changes nothing. A job keeps two checkpoints; one that succeeds or is cancelled keeps none. A
 * worker thread that dies mid-run (test instrumentation: it exits when a chosen step begins) is
 * recovered from by itself — from the newest checkpoint, or from the start without one — and the
 * job ends with the uninterrupted result, its summary saying what was lost and where it went on.
 */
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobService, runJob, type RunOptions } from '../src/api/index.js';
import { buildApp } from '../src/server/index.js';
import { CheckpointClock, parseCheckpointSchedule } from '../src/api/checkpoint-schedule.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { Catalog, catalogPath, graphDir, jobCheckpointsDir } from '../src/storage/index.js';
import Database from 'better-sqlite3';
import { chain, docwordText, edgeListText, erdosRenyi, ratingsCsv } from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, storedResult, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { interruptAt } from './helpers/interrupt.js';

let temp: TempCatalog;

beforeAll(async () => {
  temp = openTempCatalog();
  const { catalog, inputDir } = temp;
  await importGraph(catalog, { file: writeGraphFile(inputDir, 'er.txt', edgeListText(erdosRenyi(11, 400, 2_000))), name: 'er', partitions: 4 });
  await importGraph(catalog, { file: writeGraphFile(inputDir, 'chain.txt', edgeListText(chain(40))), name: 'chain', undirected: true, partitions: 4 });
  await importGraph(catalog, { file: writeGraphFile(inputDir, 'ratings.csv', ratingsCsv(3, 120, 80, 0.2)), name: 'ratings', format: 'ratings', partitions: 4 });
  await importGraph(catalog, { file: writeGraphFile(inputDir, 'docword.txt', docwordText(5, 60, 80)), name: 'corpus', format: 'uci', partitions: 4 });
}, 60_000);

afterAll(() => {
  temp.close();
  removeTempDirs();
});

function resultOf(id: number): Float64Array {
  return storedResult(temp.catalog, id);
}

/** Resumes job `id` in a fresh service and waits for it. */
async function resume(id: number): Promise<{ record: ReturnType<JobService['get']>; resumed: Awaited<ReturnType<JobService['resume']>> }> {
  const service = new JobService(temp.catalog);
  try {
    const resumed = await service.resume(id);
    return { record: await service.wait(id), resumed };
  } finally {
    await service.shutdown();
  }
}

const CASES: { name: string; request: RunOptions; stopAt: number }[] = [
  {
    name: 'PageRank (floats), 2 workers in this thread',
    request: { graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 24 }, workers: 2, inProcess: true },
    stopAt: 9,
  },
  {
    name: 'PageRank on 2 worker threads',
    request: { graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 24 }, workers: 2 },
    stopAt: 9,
  },
  { name: 'connected components (integers)', request: { graph: 'chain', algorithm: 'connected-components', workers: 2, inProcess: true }, stopAt: 12 },
  { name: 'ALS', request: { graph: 'ratings', algorithm: 'als', options: { rank: 4, maxIterations: 8 }, workers: 2, inProcess: true }, stopAt: 6 },
  {
    name: 'LDA (edge column, vector aggregate)',
    request: { graph: 'corpus', algorithm: 'lda', options: { topics: 4, maxIterations: 12 }, workers: 2, inProcess: true },
    stopAt: 5,
  },
];

describe('an interrupted job resumes to the uninterrupted result', () => {
  for (const { name, request, stopAt } of CASES) {
    it(
      name,
      async () => {
        const reference = await runJob(temp.catalog, request);
        const expected = resultOf(reference.jobId);

        const id = await interruptAt(temp.catalog, { ...request, checkpointEvery: 4 }, stopAt);
        const interrupted = temp.catalog.jobs.get(id);
        expect(interrupted.status).toBe('interrupted');
        expect(interrupted.errorMessage).toMatch(/the test stopped it; `gasworks jobs resume \d+` goes on from its checkpoint after step \d+/);
        const kept = temp.catalog.checkpoints.list(id);
        expect(kept.length).toBeGreaterThan(0);
        expect(kept.length).toBeLessThanOrEqual(2);
        // The newest is where it stopped (at or after the step that asked it to stop), not the last multiple of 4.
        expect(kept[0]!.step).toBeGreaterThanOrEqual(stopAt);

        const { record, resumed } = await resume(id);
        expect(record.status).toBe('succeeded');
        expect(resumed.step).toBe(kept[0]!.step);
        expect(resumed.skipped).toEqual([]);
        expect(record.iterations).toBe(reference.iterations);
        expect(record.summary).toMatchObject({ resumedFrom: { checkpoint: kept[0]!.seq, step: kept[0]!.step } });
        expect(resultOf(id)).toEqual(expected);
        // A finished job is never resumed again: its checkpoints are gone.
        expect(temp.catalog.checkpoints.list(id)).toEqual([]);
      },
      60_000,
    );
  }
});

describe('a damaged newest checkpoint', () => {
  const request: RunOptions = {
    graph: 'er',
    algorithm: 'pagerank',
    options: { tolerance: 0, maxIterations: 30 },
    workers: 2,
    inProcess: true,
    checkpointEvery: 3,
  };
  let expected: Float64Array;

  beforeAll(async () => {
    const { checkpointEvery: _, ...plain } = request;
    expected = resultOf((await runJob(temp.catalog, plain)).jobId);
  });

  /** A part file of checkpoint `seq` of job `id`. */
  function partFile(id: number, seq: number, worker: number): string {
    const job = temp.catalog.jobs.get(id);
    const manifest = temp.catalog.checkpoints.list(id).find((c) => c.seq === seq)!.manifest as { parts: { file: string }[] };
    return join(graphDir(temp.dataDir, job.graphId!), manifest.parts[worker]!.file);
  }

  const damages: { name: string; damage: (file: string) => void; why: RegExp }[] = [
    {
      name: 'bytes flipped in a value',
      damage: (file) => {
        // The first 32 bytes of worker 1's rank column, found in the file and inverted.
        const bytes = readFileSync(file);
        const at = bytes.length >> 1;
        const fd = openSync(file, 'r+');
        try {
          writeSync(fd, Buffer.from(bytes.subarray(at, at + 32).map((b) => b ^ 0xff)), 0, 32, at);
        } finally {
          closeSync(fd);
        }
      },
      why: /its bytes changed since they were written/,
    },
    { name: 'truncated', damage: (file) => truncateSync(file, statSync(file).size >> 1), why: /bytes; \d+ were written/ },
  ];

  for (const { name, damage, why } of damages) {
    it(`${name}: the resume falls back to the one before and still ends right`, async () => {
      const id = await interruptAt(temp.catalog, request, 10);
      const [newest, previous] = temp.catalog.checkpoints.list(id);
      expect(previous).toBeDefined();
      damage(partFile(id, newest!.seq, 1));
      const { record, resumed } = await resume(id);
      expect(resumed.checkpoint).toBe(previous!.seq);
      expect(resumed.skipped).toHaveLength(1);
      expect(resumed.skipped[0]).toMatch(why);
      expect(record.status).toBe('succeeded');
      expect(resultOf(id)).toEqual(expected);
    }, 60_000);
  }

  it('every checkpoint damaged: refused, and the job stays as it was', async () => {
    const id = await interruptAt(temp.catalog, request, 10);
    for (const { seq } of temp.catalog.checkpoints.list(id)) truncateSync(partFile(id, seq, 0), 100);
    const before = temp.catalog.jobs.get(id);
    const service = new JobService(temp.catalog);
    try {
      await expect(service.resume(id)).rejects.toMatchObject({
        code: 'GAS_ERR_NOT_FOUND',
        message: expect.stringMatching(/none of its 2 checkpoints is usable/),
      });
    } finally {
      await service.shutdown();
    }
    expect(temp.catalog.jobs.get(id)).toEqual(before);
  }, 60_000);
});

describe('what a job keeps', () => {
  it('the newest two checkpoints while it runs; none once it succeeds', async () => {
    const service = new JobService(temp.catalog);
    try {
      const { id } = await service.submit({
        graph: 'er',
        algorithm: 'pagerank',
        options: { tolerance: 0, maxIterations: 20 },
        workers: 2,
        inProcess: true,
        checkpointEvery: 2,
      });
      const seen = new Set<string>();
      for await (const event of service.follow(id)) {
        if (event.type === 'progress')
          seen.add(
            temp.catalog.checkpoints
              .list(id)
              .map((c) => c.step)
              .join(','),
          );
      }
      // After step 1, 3, 5, …: at most two at a time, the newest two.
      for (const kept of seen) if (kept) expect(kept.split(',').length).toBeLessThanOrEqual(2);
      expect(seen).toContain('5,3');
      const record = service.get(id);
      expect(record.status).toBe('succeeded');
      expect(record.summary).toMatchObject({
        checkpoints: { schedule: 'every 2 steps', autoIntervalMs: null, taken: 9, steps: [1, 3, 5, 7, 9, 11, 13, 15, 17] },
      });
      expect(temp.catalog.checkpoints.list(id)).toEqual([]);
    } finally {
      await service.shutdown();
    }
  }, 60_000);

  it('jobs rm and jobs prune of an interrupted job delete its checkpoints, rows and files', async () => {
    const request: RunOptions = {
      graph: 'er',
      algorithm: 'pagerank',
      options: { tolerance: 0, maxIterations: 1_000_000 },
      inProcess: true,
      checkpointEvery: 2,
    };
    const removed = await interruptAt(temp.catalog, request, 6);
    const pruned = await interruptAt(temp.catalog, request, 6);
    const dirOf = (id: number): string => jobCheckpointsDir(temp.dataDir, temp.catalog.jobs.get(id).graphId!, id);
    for (const id of [removed, pruned]) {
      expect(temp.catalog.checkpoints.list(id).length).toBeGreaterThan(0);
      expect(existsSync(dirOf(id))).toBe(true);
    }
    const removedDir = dirOf(removed);
    const prunedDir = dirOf(pruned);
    temp.catalog.jobs.remove(removed);
    temp.catalog.jobs.prune({ status: 'interrupted' });
    for (const [id, dir] of [
      [removed, removedDir],
      [pruned, prunedDir],
    ] as const) {
      expect(temp.catalog.checkpoints.list(id)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }
  }, 60_000);

  it('checkpoints left by a job that ended (a crash before they were removed) go at the next open of the catalog', async () => {
    const id = await interruptAt(
      temp.catalog,
      { graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 1_000_000 }, inProcess: true, checkpointEvery: 2 },
      4,
    );
    const dir = jobCheckpointsDir(temp.dataDir, temp.catalog.jobs.get(id).graphId!, id);
    // As if the job had succeeded and its process died before removing them.
    const db = new Database(catalogPath(temp.dataDir));
    db.prepare(`UPDATE jobs SET status = 'succeeded' WHERE id = ?`).run(id);
    db.close();
    expect(existsSync(dir)).toBe(true);
    const reopened = Catalog.open(temp.dataDir);
    try {
      expect(reopened.checkpoints.list(id)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    } finally {
      reopened.close();
    }
  }, 60_000);

  it('a cancelled job keeps none, and a running or succeeded job cannot be resumed', async () => {
    const service = new JobService(temp.catalog);
    try {
      const { id } = await service.submit({
        graph: 'er',
        algorithm: 'pagerank',
        options: { tolerance: 0, maxIterations: 1_000_000 },
        inProcess: true,
        checkpointEvery: 1,
      });
      for await (const event of service.follow(id)) if (event.type === 'progress' && event.progress.step >= 3) break;
      await expect(service.resume(id)).rejects.toMatchObject({
        code: 'GAS_ERR_INVALID_ARGUMENT',
        message: expect.stringMatching(/is running; only an interrupted or failed job/),
      });
      service.cancel(id);
      expect((await service.wait(id)).status).toBe('cancelled');
      expect(temp.catalog.checkpoints.list(id)).toEqual([]);
    } finally {
      await service.shutdown();
    }
  }, 60_000);

  it('refuses --checkpoint-every where checkpoints are not taken yet, before any row exists', async () => {
    const service = new JobService(temp.catalog);
    try {
      const before = temp.catalog.jobs.list({ limit: 1_000_000 }).length;
      await expect(service.submit({ graph: 'er', algorithm: 'pagerank', engine: 'ssp', staleness: 1, checkpointEvery: 2 })).rejects.toMatchObject({
        code: 'GAS_ERR_UNSUPPORTED',
        message: expect.stringMatching(/sync engine only/),
      });
      await expect(service.submit({ graph: 'er', algorithm: 'pagerank', checkpointEvery: 0 })).rejects.toMatchObject({ code: 'GAS_ERR_INVALID_ARGUMENT' });
      expect(temp.catalog.jobs.list({ limit: 1_000_000 })).toHaveLength(before);
    } finally {
      await service.shutdown();
    }
  });
});

describe('a worker thread lost mid-run', () => {
  const base: RunOptions = { graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 20 }, workers: 2 };
  let expected: Float64Array;

  beforeAll(async () => {
    expected = resultOf((await runJob(temp.catalog, base)).jobId);
  }, 60_000);

  it('the job recovers from the newest checkpoint by itself, with the uninterrupted result', async () => {
    const summary = await runJob(temp.catalog, { ...base, checkpointEvery: 3, crashWorker: { worker: 1, atStep: 10 } });
    expect(summary.recoveries).toEqual([
      { worker: 'thread 1', error: 'worker thread 1: exited with code 70', lostAfterStep: 9, resumedAfterStep: 8, ms: expect.any(Number) },
    ]);
    expect(summary.iterations).toBe(20);
    expect(resultOf(summary.jobId)).toEqual(expected);
    expect(temp.catalog.jobs.get(summary.jobId).status).toBe('succeeded');
  }, 60_000);

  it('without a checkpoint it starts again from the beginning', async () => {
    const summary = await runJob(temp.catalog, { ...base, crashWorker: { worker: 0, atStep: 4 } });
    expect(summary.recoveries).toMatchObject([{ worker: 'thread 0', lostAfterStep: 3, resumedAfterStep: null }]);
    expect(resultOf(summary.jobId)).toEqual(expected);
  }, 60_000);

  it('--max-recoveries 0: the lost worker fails the job, naming it', async () => {
    const error = await runJob(temp.catalog, { ...base, maxRecoveries: 0, crashWorker: { worker: 1, atStep: 2 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GAS_ERR_WORKER', message: expect.stringMatching(/exited with code 70/) });
    const [job] = temp.catalog.jobs.list({ limit: 1 });
    expect(job).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_WORKER' });
  }, 60_000);
});

describe('REST: POST /jobs/:id/resume', () => {
  it('resumes an interrupted job (202, Location), which then ends with the uninterrupted result; refusals say why', async () => {
    const options = { tolerance: 0, maxIterations: 60 };
    const reference = resultOf((await runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', options, workers: 2 })).jobId);
    // A server whose job service the test stops, as SIGTERM would.
    const service = new JobService(temp.catalog);
    const first = buildApp({ catalog: temp.catalog, rateLimit: false, jobs: service, logger: false });
    const submitted = await first.inject({
      method: 'POST',
      url: '/jobs',
      payload: { graph: 'er', algorithm: 'pagerank', options, workers: 2, checkpointEvery: 5 },
    });
    expect(submitted.statusCode).toBe(202);
    const { id } = submitted.json<{ id: number }>();
    for await (const event of service.follow(id)) if (event.type === 'progress' && event.progress.step >= 12) break;
    await service.shutdown('the server stopped');
    await first.close();
    expect(temp.catalog.jobs.get(id).status).toBe('interrupted');

    const second = buildApp({ catalog: temp.catalog, rateLimit: false, logger: false });
    try {
      const resumed = await second.inject({ method: 'POST', url: `/jobs/${id}/resume` });
      expect(resumed.statusCode).toBe(202);
      expect(resumed.headers.location).toBe(`/jobs/${id}`);
      expect(resumed.json()).toMatchObject({ id, checkpoint: expect.any(Number), step: expect.any(Number), skipped: [] });
      for (;;) {
        const job = (await second.inject({ method: 'GET', url: `/jobs/${id}` })).json<{ status: string }>();
        if (job.status !== 'queued' && job.status !== 'running') {
          expect(job.status).toBe('succeeded');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(resultOf(id)).toEqual(reference);
      const again = await second.inject({ method: 'POST', url: `/jobs/${id}/resume` });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({
        error: { code: 'GAS_ERR_INVALID_ARGUMENT', message: expect.stringMatching(/is succeeded; only an interrupted or failed job/) },
      });
      expect((await second.inject({ method: 'POST', url: '/jobs/999999/resume' })).statusCode).toBe(404);
      const badField = await second.inject({ method: 'POST', url: '/jobs', payload: { graph: 'er', algorithm: 'pagerank', checkpointEvery: 0 } });
      expect(badField.statusCode).toBe(400);
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe('the step watchdog', () => {
  it('a worker thread stuck in an endless loop fails the job naming it, instead of hanging it; the next job runs', async () => {
    // Only the worker holding vertex 0's master loops, in apply of step 2; its peer then waits on the mesh.
    const file = writeGraphFile(
      temp.inputDir,
      'stuck.ts',
      `export default { name: 'stuck', vertexColumns: { x: 'f64' }, gatherEdges: 'in', scatterEdges: 'none', alwaysActive: true,
         gather: () => 1, zero: 0, sum: (a: number, b: number) => a + b,
         apply(state: any, v: number, total: number, ctx: any) {
           if (ctx.iteration === 2 && ctx.globalId(v) === 0) for (;;) {}
           state.x[v] = total;
         } };\n`,
    );
    const error = await runJob(temp.catalog, { graph: 'er', algorithm: file, options: { maxIterations: 10 }, workers: 2, stepTimeoutSeconds: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'GAS_ERR_WORKER',
      message: expect.stringMatching(/^thread \d: step 2 has run \d+\.\d s and the worker has not answered for 1\.0 s: it is stuck/),
    });
    const [job] = temp.catalog.jobs.list({ limit: 1 });
    expect(job).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_WORKER' });
    // Not recovered from (it would loop again), and nothing is left running: the next job runs.
    const after = await runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', options: { maxIterations: 5 }, workers: 2 });
    expect(after.recoveries).toEqual([]);
  }, 60_000);

  it('--step-timeout must be positive', async () => {
    await expect(runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', workers: 2, stepTimeoutSeconds: 0 })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
    });
  });
});

describe('checkpoint schedules', () => {
  it('--checkpoint-every takes steps, a duration or auto (with --mtbf), and refuses anything else naming the option', () => {
    expect(parseCheckpointSchedule(5)).toEqual({ kind: 'steps', steps: 5 });
    expect(parseCheckpointSchedule('5')).toEqual({ kind: 'steps', steps: 5 });
    expect(parseCheckpointSchedule('30s')).toEqual({ kind: 'seconds', seconds: 30 });
    expect(parseCheckpointSchedule('5m')).toEqual({ kind: 'seconds', seconds: 300 });
    expect(parseCheckpointSchedule('1h')).toEqual({ kind: 'seconds', seconds: 3600 });
    expect(parseCheckpointSchedule('auto')).toEqual({ kind: 'auto', mtbfSeconds: 86_400 });
    expect(parseCheckpointSchedule('auto', 600)).toEqual({ kind: 'auto', mtbfSeconds: 600 });
    expect(parseCheckpointSchedule(undefined)).toBeNull();
    for (const bad of [0, -1, 1.5, 'x', '10d', '0s', '']) {
      expect(() => parseCheckpointSchedule(bad), String(bad)).toThrow(
        expect.objectContaining({ code: 'GAS_ERR_INVALID_ARGUMENT', details: { option: 'checkpoint-every' } }),
      );
    }
    expect(() => parseCheckpointSchedule(5, 600)).toThrow(/--mtbf goes with --checkpoint-every auto/);
    expect(() => parseCheckpointSchedule('auto', 0)).toThrow(expect.objectContaining({ details: { option: 'mtbf' } }));
  });

  it("is due every K steps, every so many seconds, or at Young's interval √(2·C·M) after the first step", () => {
    const steps = new CheckpointClock({ kind: 'steps', steps: 3 }, 0);
    expect([1, 2, 3, 4, 5, 6].map((n) => steps.due(n, 0))).toEqual([false, false, true, false, false, true]);
    const seconds = new CheckpointClock({ kind: 'seconds', seconds: 2 }, 0);
    expect([seconds.due(1, 1999), seconds.due(2, 2000)]).toEqual([false, true]);
    seconds.taken(10, 2010);
    expect([seconds.due(3, 4000), seconds.due(4, 4010)]).toEqual([false, true]);
    // auto: the first checkpoint measures the cost C; then T = √(2 · 50 ms · 1000 s) = 316.2 ms.
    const auto = new CheckpointClock({ kind: 'auto', mtbfSeconds: 1 }, 0);
    expect(auto.due(1, 0)).toBe(true);
    auto.taken(50, 1000);
    expect(auto.autoIntervalMs).toBeCloseTo(Math.sqrt(2 * 50 * 1000), 9);
    expect([auto.due(2, 1316), auto.due(3, 1317)]).toEqual([false, true]);
    expect(new CheckpointClock(null).due(1)).toBe(false);
  });

  it('a run under auto checkpoints after its first step and says the interval it used', async () => {
    const summary = await runJob(temp.catalog, {
      graph: 'er',
      algorithm: 'pagerank',
      options: { tolerance: 0, maxIterations: 8 },
      inProcess: true,
      workers: 2,
      checkpointEvery: 'auto',
      mtbfSeconds: 1,
    });
    expect(summary.checkpoints).toMatchObject({ schedule: "auto (Young's interval at an MTBF of 1 s)", autoIntervalMs: expect.any(Number) });
    expect(summary.checkpoints!.steps[0]).toBe(0);
  });
});

describe('--timeout under sync and ssp', () => {
  it('stops at the first step boundary past it, keeps the result so far, and says timeout, not converged', async () => {
    for (const engine of [{}, { engine: 'ssp', staleness: 1 }]) {
      const summary = await runJob(temp.catalog, {
        graph: 'er',
        algorithm: 'pagerank',
        options: { tolerance: 0, maxIterations: 1_000_000 },
        workers: 2,
        timeoutSeconds: 0.3,
        ...engine,
      });
      expect(summary).toMatchObject({ stopReason: 'timeout', converged: false });
      expect(summary.iterations).toBeGreaterThan(0);
      expect(summary.iterations).toBeLessThan(1_000_000);
      expect(resultOf(summary.jobId)).toHaveLength(400);
    }
  }, 60_000);
});
