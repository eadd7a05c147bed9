/**
 * The job service (issue 17, item 1): submit returns an id at once and checks the input first
 * (no row for a typo); follow yields every event in order from any sequence number; cancel ends a
 * queued job at once and stops a running one at a step boundary under each engine, with no result
 * left; a bounded queue refuses what it cannot hold; shutdown records `interrupted`; a cancel
 * asked through the catalog (another process) is honoured; and the CLI's `jobs cancel` and
 * `jobs watch` work on a `gasworks run` in another process.
 *
 * Long jobs are made long by construction, not by timing: PageRank at tolerance 0 with a huge
 * iteration count, or an asynchronous program whose every update signals itself again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GasError, JobService, jobResults, type JobEvent, type RunOptions } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { Catalog, graphDir, resultFile } from '../src/storage/index.js';
import { edgeListText, erdosRenyi } from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { CLI } from './helpers/workers.js';
import { FOREVER } from './helpers/forever-program.js';

let temp: TempCatalog;

beforeAll(async () => {
  temp = openTempCatalog();
  const file = writeGraphFile(temp.inputDir, 'er.txt', edgeListText(erdosRenyi(3, 200, 800)));
  await importGraph(temp.catalog, { file, name: 'er', undirected: true, partitions: 2 });
}, 60_000);

afterAll(() => {
  temp.close();
  removeTempDirs();
});

/** PageRank that would run a million steps: it only ends by being stopped. */
const ENDLESS_PAGERANK: RunOptions = { graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 1_000_000 }, inProcess: true };

/** Follows job `id` until an event of `type` (returned), or its end. */
async function until(service: JobService, id: number, type: JobEvent['type']): Promise<JobEvent> {
  for await (const event of service.follow(id))
    if (event.type === type || ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(event.type)) return event;
  throw new Error(`job ${id} ended without ${type}`);
}

function resultFileExists(id: number): boolean {
  const job = temp.catalog.jobs.get(id);
  return existsSync(resultFile(graphDir(temp.dataDir, job.graphId!), id));
}

describe('submit and follow', () => {
  it('returns an id at once, then the job runs: queued, running, one progress event per step, succeeded, numbered 1, 2, …', async () => {
    const service = new JobService(temp.catalog);
    try {
      const { id } = await service.submit({ graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 8 }, inProcess: true });
      expect(['queued', 'running']).toContain(service.get(id).status);
      const events: JobEvent[] = [];
      for await (const event of service.follow(id)) events.push(event);
      expect(events.map((event) => event.type)).toEqual(['queued', 'running', ...Array(8).fill('progress'), 'succeeded']);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, k) => k + 1));
      // A fixed count of steps: percent done is known, and reaches 100 at the last step.
      const percents = events.flatMap((event) => (event.type === 'progress' ? [event.progress.percent] : []));
      expect(percents).toEqual([12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100]);
      expect(service.get(id)).toMatchObject({ status: 'succeeded', iterations: 8 });
      // Replay from a sequence number gives the rest, as a reconnecting follower needs.
      const rest: JobEvent[] = [];
      for await (const event of service.follow(id, 9)) rest.push(event);
      expect(rest.map((event) => event.seq)).toEqual([10, 11]);
      expect([...jobResults(temp.catalog, id).rows()]).toHaveLength(200);
    } finally {
      await service.shutdown();
    }
  });

  it('keeps every progress event of the first 1000 steps, then a thinning share spread to the last step', async () => {
    const service = new JobService(temp.catalog);
    try {
      const { id } = await service.submit({ graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 2500 }, inProcess: true });
      const steps: number[] = [];
      for await (const event of service.follow(id)) if (event.type === 'progress') steps.push(event.progress.step);
      // The n-th report (step n − 1): the first 1000 all, then every 2nd up to 2000, then every 3rd: 1000 + 500 + 167.
      const reports = Array.from({ length: 2500 }, (_, k) => k + 1).filter((n) => n <= 1000 || n % Math.ceil(n / 1000) === 0);
      const expected = reports.map((n) => n - 1);
      expect(expected).toHaveLength(1667);
      expect(steps).toEqual(expected);
      expect(service.get(id)).toMatchObject({ status: 'succeeded', iterations: 2500 });
    } finally {
      await service.shutdown();
    }
  });

  it('refuses bad input before any row exists', async () => {
    const service = new JobService(temp.catalog);
    try {
      const before = temp.catalog.jobs.list({ limit: 1_000_000 }).length;
      await expect(service.submit({ graph: 'nope', algorithm: 'pagerank' })).rejects.toMatchObject({ code: 'GAS_ERR_NOT_FOUND' });
      await expect(service.submit({ graph: 'er', algorithm: 'pagerankk' })).rejects.toMatchObject({ code: 'GAS_ERR_NOT_FOUND' });
      await expect(service.submit({ graph: 'er', algorithm: 'pagerank', options: { damping: 7 } })).rejects.toMatchObject({ code: 'GAS_ERR_INVALID_ARGUMENT' });
      expect(temp.catalog.jobs.list({ limit: 1_000_000 })).toHaveLength(before);
    } finally {
      await service.shutdown();
    }
  });
});

describe('cancel', () => {
  const engines: [string, RunOptions][] = [
    ['sync', ENDLESS_PAGERANK],
    ['ssp on 2 workers', { ...ENDLESS_PAGERANK, staleness: 1, workers: 2 }],
    ['async', { graph: 'er', algorithm: FOREVER, engine: 'async' }],
  ];
  it.each(engines)('stops a running job at a step boundary (%s): cancelled, no result, the end is its last event', async (_, request) => {
    const service = new JobService(temp.catalog);
    try {
      const { id } = await service.submit(request);
      expect((await until(service, id, 'progress')).type).toBe('progress');
      expect(['running', 'cancelled']).toContain(service.cancel(id).status);
      const job = await service.wait(id);
      expect(job).toMatchObject({ status: 'cancelled', errorCode: null });
      expect(service.events(id).at(-1)!.type).toBe('cancelled');
      expect(resultFileExists(id)).toBe(false);
      expect(() => jobResults(temp.catalog, id)).toThrow(/has no results/);
      expect(() => service.outcome(id)).toThrow(expect.objectContaining({ code: 'GAS_ERR_CANCELLED' }) as GasError);
      // Cancelling an ended job again changes nothing.
      expect(service.cancel(id).status).toBe('cancelled');
    } finally {
      await service.shutdown();
    }
  });

  it('ends a queued job at once, and a full queue refuses more with GAS_ERR_OVERLOADED and no row', async () => {
    const service = new JobService(temp.catalog, { concurrency: 1, queueLimit: 1 });
    try {
      const first = await service.submit(ENDLESS_PAGERANK);
      await until(service, first.id, 'progress');
      const second = await service.submit(ENDLESS_PAGERANK);
      expect(service.get(second.id).status).toBe('queued');
      const before = temp.catalog.jobs.list({ limit: 1_000_000 }).length;
      await expect(service.submit(ENDLESS_PAGERANK)).rejects.toMatchObject({ code: 'GAS_ERR_OVERLOADED' });
      expect(temp.catalog.jobs.list({ limit: 1_000_000 })).toHaveLength(before);
      expect(service.cancel(second.id).status).toBe('cancelled');
      expect(service.events(second.id).map((event) => event.type)).toEqual(['queued', 'cancelled']);
      expect(service.get(first.id).status).toBe('running');
      service.cancel(first.id);
      expect((await service.wait(first.id)).status).toBe('cancelled');
    } finally {
      await service.shutdown();
    }
  });

  it('honours a cancel asked through the catalog, as another process asks it', async () => {
    const service = new JobService(temp.catalog, { pollMs: 20 });
    const other = Catalog.open(temp.dataDir);
    const elsewhere = new JobService(other);
    try {
      const { id } = await service.submit(ENDLESS_PAGERANK);
      await until(service, id, 'progress');
      // The other catalog's service does not run the job: it can only ask.
      expect(elsewhere.cancel(id)).toMatchObject({ status: 'running', cancelRequested: true });
      expect((await elsewhere.wait(id)).status).toBe('cancelled');
    } finally {
      elsewhere.close();
      other.close();
      await service.shutdown();
    }
  });
});

describe('imports as jobs', () => {
  it('an import is a job: queued, running, progress by phase, succeeded; the graph is stored', async () => {
    const service = new JobService(temp.catalog);
    try {
      const file = writeGraphFile(temp.inputDir, 'import-job.txt', edgeListText(erdosRenyi(5, 3000, 20_000)));
      const { id } = service.submitImport({ file, name: 'imported', undirected: true, partitions: 2 });
      const events: JobEvent[] = [];
      for await (const event of service.follow(id)) events.push(event);
      expect(events[0]!.type).toBe('queued');
      expect(events.at(-1)).toMatchObject({ type: 'succeeded' });
      const phases = events.flatMap((event) => (event.type === 'progress' ? [event.progress.phase] : []));
      expect(phases[0]).toBe('parse');
      expect(new Set(phases).size).toBeGreaterThan(1);
      expect(service.get(id)).toMatchObject({ status: 'succeeded', algorithm: 'import', graphName: 'imported' });
      expect(temp.catalog.getGraph('imported')).toMatchObject({ vertices: 3000, partitions: 2 });
    } finally {
      await service.shutdown();
    }
  });

  it('checks the options before any row: a missing file, a bad name', () => {
    const service = new JobService(temp.catalog);
    try {
      const before = temp.catalog.jobs.list({ limit: 1_000_000 }).length;
      expect(() => service.submitImport({ file: '/nonexistent/edges.txt', name: 'x' })).toThrow(
        expect.objectContaining({ code: 'GAS_ERR_NOT_FOUND' }) as Error,
      );
      expect(() => service.submitImport({ file: '/dev/null', name: 'bad name!' })).toThrow(
        expect.objectContaining({ code: 'GAS_ERR_INVALID_ARGUMENT' }) as Error,
      );
      expect(temp.catalog.jobs.list({ limit: 1_000_000 })).toHaveLength(before);
    } finally {
      service.close();
    }
  });

  it('a cancelled import stores nothing: cancelled, the graph absent', async () => {
    const service = new JobService(temp.catalog);
    try {
      const file = writeGraphFile(temp.inputDir, 'cancelled-import.txt', edgeListText(erdosRenyi(6, 20_000, 200_000)));
      const graphDirs = temp.graphDirs().length;
      const { id } = service.submitImport({ file, name: 'never', partitions: 2 });
      expect((await until(service, id, 'progress')).type).toBe('progress');
      service.cancel(id);
      expect((await service.wait(id)).status).toBe('cancelled');
      expect(() => temp.catalog.getGraph('never')).toThrow(/not found/);
      expect(temp.graphDirs()).toHaveLength(graphDirs);
    } finally {
      await service.shutdown();
    }
  });
});

describe('shutdown', () => {
  it('records running and queued jobs interrupted, and takes no more', async () => {
    const service = new JobService(temp.catalog, { concurrency: 1 });
    const running = await service.submit(ENDLESS_PAGERANK);
    await until(service, running.id, 'progress');
    const queued = await service.submit(ENDLESS_PAGERANK);
    await service.shutdown('the test stopped the service');
    // It checkpointed where it stopped, and says how to go on.
    expect(service.get(running.id)).toMatchObject({
      status: 'interrupted',
      errorMessage: expect.stringMatching(
        new RegExp(`^the test stopped the service; \`gasworks jobs resume ${running.id}\` goes on from its checkpoint after step \\d+$`),
      ),
    });
    expect(service.get(queued.id)).toMatchObject({ status: 'interrupted', errorMessage: 'the test stopped the service' });
    expect(resultFileExists(running.id)).toBe(false);
    await expect(service.submit(ENDLESS_PAGERANK)).rejects.toMatchObject({ code: 'GAS_ERR_OVERLOADED' });
  });
});

describe('the CLI from another shell', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--data-dir', temp.dataDir], { encoding: 'utf8', env: { ...process.env, GASWORKS_HOME: undefined } });

  it('jobs watch follows a gasworks run, and jobs cancel stops it: exit 130, cancelled, no result', async () => {
    const run = spawn(
      process.execPath,
      [CLI, 'run', 'pagerank', '--graph', 'er', '--tolerance', '0', '--max-iterations', '1000000', '--data-dir', temp.dataDir],
      {
        env: { ...process.env, GASWORKS_HOME: undefined },
      },
    );
    let stderr = '';
    run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(run, 'exit');
    // The run's job is the newest; wait until it reports a step (events are in the catalog).
    let id = 0;
    for (let tries = 0; tries < 600 && id === 0; tries++) {
      const newest = temp.catalog.jobs.list({ graph: 'er', limit: 1 })[0];
      if (newest && newest.status === 'running' && temp.catalog.jobs.events(newest.id).some((event) => event.type === 'progress')) id = newest.id;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(id, `the run never reported a step: ${stderr}`).toBeGreaterThan(0);
    const watch = spawn(process.execPath, [CLI, 'jobs', 'watch', String(id), '--data-dir', temp.dataDir], {
      env: { ...process.env, GASWORKS_HOME: undefined },
    });
    let watched = '';
    watch.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    const watchExited = once(watch, 'exit');
    const cancelled = cli('jobs', 'cancel', String(id));
    expect(cancelled.stdout).toContain(`job ${id} (pagerank on er) cancelled`);
    expect(cancelled.status).toBe(0);
    const [code] = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('GAS_ERR_CANCELLED');
    const [watchCode] = await watchExited;
    expect(watchCode).toBe(130);
    expect(watched).toMatch(/ queued\n.* running\n.* step 0 {2}active 200 {2}/);
    expect(watched.trimEnd().split('\n').at(-1)).toMatch(/ cancelled$/);
    expect(temp.catalog.jobs.get(id).status).toBe('cancelled');
    expect(resultFileExists(id)).toBe(false);
  }, 60_000);
});
