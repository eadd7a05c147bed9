/**
 * Job history is not collateral damage (issue 14, item 3). A running job keeps its graph: `graph
 * drop`, `import --replace` and `repartition` are refused with GAS_ERR_BUSY naming the job while
 * it runs — in this process, on worker threads, on a worker process, and with the job in another
 * `gasworks run` process — and its result is readable afterwards. A job never reports success on
 * a graph that vanished under it, and does not start on a graph being replaced or repartitioned.
 * A killed run does not hold its graph once the catalog sees its process is gone (it is recorded
 * `interrupted`; test/leases.test.ts covers how the catalog decides). Finished jobs
 * outlive a drop or replace as history, marked so, and the commands ask for --force before
 * deleting their results. Old catalogs migrate, keeping job ids.
 *
 * Overlap is made deterministic, not timed: a job in this process acts from its `onStep`
 * callback (the job is mid-run by construction); a job in a child process runs
 * `helpers/gate-program.ts`, which says when it has started and waits for a release file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropGraph, ERROR_CODES, GasError, jobResults, runJob, type ErrorCode, type RunOptions } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/storage/catalog.js';
import { Catalog as CatalogClass, catalogPath, graphDir, newLayoutName, resultFile } from '../src/storage/index.js';
import { edgeListText, erdosRenyi } from './helpers/generators.js';
import { makeTempDir, openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { CLI, startWorkerProcess, type WorkerProcess } from './helpers/workers.js';

const GATE_PROGRAM = resolve('test/helpers/gate-program.ts');
/** Long enough that a coordinator busy with this test's other commands is never taken for dead. */
const PATIENT_HEARTBEAT = { GASWORKS_HEARTBEAT_TIMEOUT_MS: '120000' };

let temp: TempCatalog;
let file: string;
let worker: WorkerProcess;

beforeAll(async () => {
  temp = openTempCatalog();
  file = writeGraphFile(temp.inputDir, 'er.txt', edgeListText(erdosRenyi(3, 60, 240)));
  worker = await startWorkerProcess();
}, 60_000);

afterAll(async () => {
  await worker.stop();
  temp.close();
  removeTempDirs();
});

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function gasworks(...args: string[]): Outcome {
  const child = spawnSync(process.execPath, [CLI, ...args, '--data-dir', temp.dataDir], {
    encoding: 'utf8',
    env: { ...process.env, GASWORKS_HOME: undefined },
  });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

function expectRefused(outcome: Outcome, code: ErrorCode, message: string | RegExp): void {
  expect(outcome.status, outcome.stderr).toBe(ERROR_CODES[code].exit);
  expect(outcome.stderr.trimEnd().split('\n'), outcome.stderr).toHaveLength(1);
  expect(outcome.stderr.trimEnd()).toMatch(new RegExp(`\\[${code}\\]$`));
  if (typeof message === 'string') expect(outcome.stderr).toContain(message);
  else expect(outcome.stderr).toMatch(message);
}

function errorOf(action: () => unknown): GasError {
  try {
    action();
  } catch (error) {
    if (error instanceof GasError) return error;
    throw error;
  }
  throw new Error('expected a GasError, nothing was thrown');
}

async function importNamed(name: string): Promise<string> {
  return (await importGraph(temp.catalog, { file, name, partitions: 4 })).graph.id;
}

function runningJob(graph: string): number {
  const [job] = temp.catalog.jobs.list({ graph });
  expect(job?.status).toBe('running');
  return job!.id;
}

/**
 * Everything that would take graph `name` from under running job `job` of process `pid`, each
 * refused with GAS_ERR_BUSY naming the job and its process: the library's drop (with force), and
 * the CLI's drop, replace and repartition.
 */
function expectGraphHeld(name: string, job: number, pid: number): void {
  const holder = `job ${job}, process ${pid}`;
  const dropped = errorOf(() => dropGraph(temp.catalog, name, { force: true }));
  expect(dropped.code).toBe('GAS_ERR_BUSY');
  expect(dropped.message).toContain(`graph drop: graph "${name}" has a running job (${holder})`);
  expectRefused(
    gasworks('graph', 'drop', name, '--force'),
    'GAS_ERR_BUSY',
    `graph drop: graph "${name}" has a running job (${holder}); a running job keeps its graph`,
  );
  expectRefused(gasworks('import', file, '--name', name, '--replace', '--force'), 'GAS_ERR_BUSY', `import: graph "${name}" has a running job (${holder})`);
  expectRefused(gasworks('repartition', name, '--partitions', '2'), 'GAS_ERR_BUSY', `repartition: graph "${name}" has a running job (${holder})`);
}

/** The job's result is there for the library and the CLI: every vertex of its graph, once. */
function expectReadable(job: number): void {
  const vertices = temp.catalog.getGraph(temp.catalog.jobs.get(job).graphName).vertices;
  expect([...jobResults(temp.catalog, job).rows()]).toHaveLength(vertices);
  const cli = gasworks('results', String(job), '--format', 'json');
  expect(cli.status, cli.stderr).toBe(0);
  expect(JSON.parse(cli.stdout)).toHaveLength(vertices);
}

describe('a running job keeps its graph (the job in this process)', () => {
  const placements: readonly [string, Partial<RunOptions>][] = [
    ['in-process', { workers: 2, inProcess: true }],
    ['on worker threads', { workers: 2 }],
    ['on a worker process', {}],
  ];
  for (const [where, placement] of placements) {
    it(`graph drop, import --replace and repartition are refused while it runs ${where}, and its result is read after`, async () => {
      const name = `held-${where.replaceAll(' ', '-')}`;
      await importNamed(name);
      const cluster = where === 'on a worker process' ? { cluster: [worker.address] } : {};
      Object.assign(process.env, PATIENT_HEARTBEAT);
      let held: number | null = null;
      const summary = await runJob(temp.catalog, {
        graph: name,
        algorithm: 'pagerank',
        options: { tolerance: 0, maxIterations: 3 },
        ...placement,
        ...cluster,
        onStep: (step) => {
          if (step.iteration !== 1) return;
          held = runningJob(name);
          expectGraphHeld(name, held, process.pid);
        },
      });
      expect(held).toBe(summary.jobId);
      expect(summary.placement).toBe(where === 'in-process' ? 'in-process' : where === 'on worker threads' ? 'threads' : 'cluster');
      expect(temp.catalog.jobs.get(summary.jobId)).toMatchObject({ status: 'succeeded', graphRemoved: null });
      expectReadable(summary.jobId);
    }, 60_000);
  }
});

describe('a running job keeps its graph (the job in a gasworks run process)', () => {
  /** Starts `gasworks run gate-program.ts` and resolves once the job is mid-run (its `started` file). */
  async function startGatedRun(name: string, placement: readonly string[]): Promise<{ child: ChildProcess; gate: string; output: Promise<Outcome> }> {
    const gate = makeTempDir('gasworks-gate-');
    const child = spawn(process.execPath, [CLI, 'run', GATE_PROGRAM, '--graph', name, ...placement, '--json', '--data-dir', temp.dataDir], {
      env: { ...process.env, GASWORKS_HOME: undefined, GASWORKS_TEST_GATE: gate, ...PATIENT_HEARTBEAT },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const output = once(child, 'exit').then(([code]) => ({ status: (code as number | null) ?? -1, stdout, stderr }));
    // Waiting for a condition, not for time: the file appears when the job is mid-run.
    while (!existsSync(join(gate, 'started'))) {
      if (child.exitCode !== null) throw new Error(`gasworks run ended before its job started: ${stderr}`);
      await delay(20);
    }
    return { child, gate, output };
  }

  const placements: readonly [string, () => string[]][] = [
    ['in-process', () => ['--workers', '1']],
    ['on worker threads', () => ['--workers', '2']],
    ['on a worker process', () => ['--cluster', worker.address]],
  ];
  for (const [where, placement] of placements) {
    it(`the CLI and the library are refused while it runs ${where}; the job then succeeds and its result is read`, async () => {
      const name = `gated-${where.replaceAll(' ', '-')}`;
      await importNamed(name);
      const { child, gate, output } = await startGatedRun(name, placement());
      expectGraphHeld(name, runningJob(name), child.pid!);
      writeFileSync(join(gate, 'release'), '');
      const run = await output;
      expect(run.status, run.stderr).toBe(0);
      const jobId = JSON.parse(run.stdout).jobId as number;
      expect(temp.catalog.jobs.get(jobId)).toMatchObject({ status: 'succeeded', algorithm: 'gate', graphRemoved: null });
      expectReadable(jobId);
    }, 60_000);
  }

  it('a killed run holds its graph only while its process lives: drop then succeeds, and the job is recorded as interrupted', async () => {
    await importNamed('killed');
    const { child, output } = await startGatedRun('killed', ['--workers', '1']);
    const job = runningJob('killed');
    expectRefused(gasworks('graph', 'drop', 'killed'), 'GAS_ERR_BUSY', `graph drop: graph "killed" has a running job (job ${job}, process ${child.pid})`);
    child.kill('SIGKILL');
    await output;
    // This process's catalog stays open: the drop itself sees that the job's process is gone.
    const dropped = dropGraph(temp.catalog, 'killed');
    expect(dropped.discardedJobs).toEqual([]);
    expect(temp.catalog.jobs.get(job)).toMatchObject({
      status: 'interrupted',
      errorCode: null,
      errorMessage: `its process (pid ${child.pid} on host ${hostname()}) stopped (no process has that pid now)`,
      graphRemoved: 'dropped',
    });
    expect(gasworks('jobs').stdout).toMatch(new RegExp(`^${job}\\s+gate\\s+killed\\s+interrupted \\(graph dropped\\)\\s`, 'm'));
  }, 60_000);

  it('the CLI drop notices a killed run when it opens the catalog', async () => {
    await importNamed('killed-cli');
    const { child, output } = await startGatedRun('killed-cli', ['--workers', '1']);
    const job = runningJob('killed-cli');
    child.kill('SIGKILL');
    await output;
    const drop = gasworks('graph', 'drop', 'killed-cli');
    expect(drop.status, drop.stderr).toBe(0);
    expect(drop.stdout).toMatch(/^dropped graph "killed-cli" \(/);
    expect(temp.catalog.jobs.get(job)).toMatchObject({ status: 'interrupted', errorCode: null, graphRemoved: 'dropped' });
  }, 60_000);
});

describe('a job and a graph that goes anyway', () => {
  /** Another process that ignores the catalog's rules (an older gasworks, a hand edit): a raw connection. */
  function rawCatalog(): Database.Database {
    const db = new Database(catalogPath(temp.dataDir));
    db.pragma('foreign_keys = ON');
    return db;
  }

  async function errorOfRun(name: string, duringStep: (graphId: string) => void): Promise<GasError> {
    const graphId = temp.catalog.getGraph(name).id;
    const error = await runJob(temp.catalog, {
      graph: name,
      algorithm: 'pagerank',
      options: { tolerance: 0, maxIterations: 3 },
      onStep: (step) => {
        if (step.iteration === 1) duringStep(graphId);
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GasError);
    return error as GasError;
  }

  it('a job whose graph row is deleted under it fails, writes no result, and results says it failed', async () => {
    await importNamed('vanishing');
    let graphId = '';
    const error = await errorOfRun('vanishing', (id) => {
      graphId = id;
      const db = rawCatalog();
      db.prepare(`DELETE FROM graphs WHERE id = ?`).run(id);
      db.close();
    });
    expect(error.code).toBe('GAS_ERR_NOT_FOUND');
    expect(error.message).toMatch(/^run: graph "vanishing" was dropped or replaced while job \d+ ran; the job's result is discarded$/);
    const job = temp.catalog.jobs.list({ graph: 'vanishing' })[0]!;
    expect(job).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_NOT_FOUND' });
    expect(existsSync(resultFile(graphDir(temp.dataDir, graphId), job.id))).toBe(false);
    expectRefused(gasworks('results', String(job.id)), 'GAS_ERR_NOT_FOUND', `job ${job.id} has no results: it failed (GAS_ERR_NOT_FOUND`);
  }, 60_000);

  it('a job whose graph switched layout under it fails rather than report a result from tables that are gone', async () => {
    await importNamed('switched');
    const error = await errorOfRun('switched', (id) => {
      const db = rawCatalog();
      db.prepare(`UPDATE graphs SET layout = ? WHERE id = ?`).run(newLayoutName(), id);
      db.close();
    });
    expect(error.code).toBe('GAS_ERR_ABORTED');
    expect(error.message).toContain('run: graph "switched" was repartitioned while job');
    expect(temp.catalog.jobs.list({ graph: 'switched' })[0]).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_ABORTED' });
  }, 60_000);

  it('a job does not start on a graph that is being replaced or repartitioned, or at a layout it no longer has, and no job row is left', async () => {
    const id = await importNamed('busy');
    const jobsBefore = temp.catalog.jobs.list().length;
    const replacing = { id: 'replacing-busy', name: 'busy', sourceFile: file, format: 'snap', directed: true, weighted: false, partitions: 2 };
    temp.catalog.beginImport({ ...replacing, strategy: 'random', seed: 1, strategyOptions: {}, layout: newLayoutName() }, true);
    const duringImport = await runJob(temp.catalog, { graph: 'busy', algorithm: 'pagerank' }).catch((e: unknown) => e);
    expect(duringImport).toMatchObject({
      code: 'GAS_ERR_BUSY',
      message: `run: graph "busy" is being replaced (import --replace by process ${process.pid}); run the job when it finishes`,
    });
    temp.catalog.abortImport('replacing-busy');
    const layout = newLayoutName();
    temp.catalog.beginRepartition(id, layout);
    const duringRepartition = await runJob(temp.catalog, { graph: 'busy', algorithm: 'pagerank' }).catch((e: unknown) => e);
    expect(duringRepartition).toMatchObject({
      code: 'GAS_ERR_BUSY',
      message: `run: graph "busy" is being repartitioned by process ${process.pid}; run the job when it finishes`,
    });
    temp.catalog.abortRepartition(id, layout);
    // A job that opened a layout the graph no longer has (a repartition finished in between) is not recorded.
    const stale = errorOf(() =>
      temp.catalog.jobs.create({
        graphId: id,
        graphName: 'busy',
        graphLayout: newLayoutName(),
        algorithm: 'pagerank',
        programFile: null,
        options: {},
        workers: 1,
      }),
    );
    expect(stale).toMatchObject({ code: 'GAS_ERR_BUSY', message: 'run: graph "busy" was repartitioned as the job started; run it again' });
    expect(temp.catalog.jobs.list()).toHaveLength(jobsBefore);
    expect((await runJob(temp.catalog, { graph: 'busy', algorithm: 'pagerank' })).converged).toBe(true);
  }, 60_000);
});

describe('finished jobs outlive their graph', () => {
  it('graph drop asks for --force when finished jobs have results, says what it deleted, and keeps the jobs listed', async () => {
    await importNamed('history');
    const first = (await runJob(temp.catalog, { graph: 'history', algorithm: 'pagerank' })).jobId;
    const second = (await runJob(temp.catalog, { graph: 'history', algorithm: 'connected-components' })).jobId;
    expectRefused(
      gasworks('graph', 'drop', 'history'),
      'GAS_ERR_EXISTS',
      `graph drop: graph "history" has 2 finished jobs with results (jobs ${first}, ${second}); dropping the graph deletes their results (the jobs stay listed, as on a dropped graph); add --force`,
    );
    const dropped = gasworks('graph', 'drop', 'history', '--force');
    expect(dropped.status, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain(`deleted the results of 2 jobs: ${first}, ${second}; they stay in gasworks jobs, marked "graph dropped"`);
    const listing = gasworks('jobs', '--graph', 'history').stdout;
    expect(listing).toMatch(new RegExp(`^${second}\\s+connected-components\\s+history\\s+succeeded \\(graph dropped\\)\\s`, 'm'));
    expect(listing).toMatch(new RegExp(`^${first}\\s+pagerank\\s+history\\s+succeeded \\(graph dropped\\)\\s`, 'm'));
    expectRefused(
      gasworks('results', String(first)),
      'GAS_ERR_NOT_FOUND',
      `job ${first}: its graph "history" was dropped after the job ran, and its results with it`,
    );
    // The record itself is history: figures and top vertices.
    const [record] = JSON.parse(gasworks('jobs', '--graph', 'history', '--json', '--limit', '1').stdout);
    expect(record).toMatchObject({ id: second, status: 'succeeded', graphRemoved: 'dropped', summary: { algorithm: 'connected-components' } });
  }, 60_000);

  it('import --replace keeps the old graph’s jobs as history, marked replaced; results says the results went with it', async () => {
    await importNamed('replaced');
    const old = (await runJob(temp.catalog, { graph: 'replaced', algorithm: 'pagerank' })).jobId;
    const failed = temp.catalog.jobs.create({
      graphId: temp.catalog.getGraph('replaced').id,
      graphName: 'replaced',
      algorithm: 'pagerank',
      programFile: null,
      options: {},
      workers: 1,
    });
    temp.catalog.jobs.fail(failed, 'GAS_ERR_PROGRAM', 'a failure worth remembering');
    const forced = gasworks('import', file, '--name', 'replaced', '--replace', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(
      `import: replaced graph "replaced" and deleted the results of its job ${old}; it stays in gasworks jobs, marked "graph replaced"`,
    );
    expect(temp.catalog.jobs.get(old)).toMatchObject({ status: 'succeeded', graphRemoved: 'replaced' });
    expect(temp.catalog.jobs.get(failed)).toMatchObject({ status: 'failed', graphRemoved: 'replaced', errorMessage: 'a failure worth remembering' });
    expect(errorOf(() => jobResults(temp.catalog, old))).toMatchObject({
      code: 'GAS_ERR_NOT_FOUND',
      message: expect.stringContaining(`its graph "replaced" was replaced (import --replace) after the job ran, and its results with it`),
    });
    // Only failed jobs on it (nothing to lose): a replace needs no --force.
    const again = gasworks('import', file, '--name', 'replaced', '--replace');
    expect(again.status, again.stderr).toBe(0);
    const fresh = await runJob(temp.catalog, { graph: 'replaced', algorithm: 'pagerank' });
    expectReadable(fresh.jobId);
  }, 60_000);
});

describe('catalog migration', () => {
  it('a catalog from before job history opens: jobs keep their ids and rows, and ids are still never reused', () => {
    const dataDir = join(makeTempDir('gasworks-v3-'), 'data');
    mkdirSync(dataDir);
    const db = new Database(catalogPath(dataDir));
    for (const [version, migration] of MIGRATIONS.slice(0, 3).entries()) {
      db.exec(migration);
      db.pragma(`user_version = ${version + 1}`);
    }
    db.prepare(
      `INSERT INTO graphs (id, name, status, source_file, format, directed, weighted, partitions, strategy, seed, created_at, layout)
       VALUES ('g1', 'old', 'ready', 'old.txt', 'snap', 1, 0, 1, 'random', 1, '2024-01-01', 'layout-a')`,
    ).run();
    const insertJob = db.prepare(
      `INSERT INTO jobs (graph_id, graph_name, algorithm, options, workers, status, created_at) VALUES ('g1', 'old', 'pagerank', '{}', 1, 'succeeded', '2024-01-01')`,
    );
    for (let i = 0; i < 3; i++) insertJob.run();
    db.prepare(`DELETE FROM jobs WHERE id = 3`).run();
    db.close();

    const catalog = CatalogClass.open(dataDir);
    try {
      expect(catalog.schemaVersion).toBe(SCHEMA_VERSION);
      expect(catalog.jobs.list().map((job) => [job.id, job.graphLayout, job.graphRemoved])).toEqual([
        [2, 'layout-a', null],
        [1, 'layout-a', null],
      ]);
      const next = catalog.jobs.create({ graphId: 'g1', graphName: 'old', algorithm: 'pagerank', programFile: null, options: {}, workers: 1 });
      expect(next).toBe(4);
      // The graph's row can now go without taking its jobs: history, marked dropped.
      expect(catalog.jobs.list().length).toBe(3);
      catalog.jobs.fail(next, 'GAS_ERR_PROGRAM', 'test');
      const { discarded } = catalog.dropGraph('old', true);
      expect(discarded.map((job) => job.id)).toEqual([1, 2]);
      expect(catalog.jobs.list().map((job) => job.graphRemoved)).toEqual(['dropped', 'dropped', 'dropped']);
    } finally {
      catalog.close();
    }
  });
});
