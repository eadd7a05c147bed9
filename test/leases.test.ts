/**
 * Liveness by lease, not by process id (issue 18, item 3). A row a process owns (a job, an
 * import, a repartition) names the process (random owner id, host, pid space, start time) and
 * holds a lease its lease-keeper thread renews. Another process takes the owner for gone when
 * the lease ran out, or at once when the owner is on this host and its pid is dead (or reused);
 * a job whose process is gone is recorded `interrupted`, an import or repartition is cleaned up.
 *
 * Nothing here waits on a clock except through lease arithmetic: leases of "other hosts" are
 * written into rows, expired or fresh by a margin of minutes, and the renewal test compares the
 * stored expiry with the time the main thread was blocked.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropGraph } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { Catalog, catalogPath, graphDir, newLayoutName, type NewGraph } from '../src/storage/index.js';
import { edgeListText, erdosRenyi } from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { CLI } from './helpers/workers.js';

/** Short leases, so that the renewal test blocks for seconds, not minutes (read when this process first takes a lease). */
const TTL_MS = 1500;
process.env.GASWORKS_LEASE_TTL_MS = String(TTL_MS);

/** A lease that ran out, or one that will not for a long while, whatever the test's speed. */
const LONG_AGO = () => Date.now() - 10 * 60_000;
const LATER = () => Date.now() + 10 * 60_000;
const ELSEWHERE = 'elsewhere.example';

let temp: TempCatalog;
let file: string;

beforeAll(async () => {
  temp = openTempCatalog();
  file = writeGraphFile(temp.inputDir, 'er.txt', edgeListText(erdosRenyi(5, 60, 240)));
  await importGraph(temp.catalog, { file, name: 'g', partitions: 2 });
}, 60_000);

afterAll(() => {
  temp.close();
  removeTempDirs();
});

/** Another process with a raw connection: what a process on another host would have written. */
function withRawCatalog<T>(body: (db: Database.Database) => T): T {
  const db = new Database(catalogPath(temp.dataDir));
  try {
    return body(db);
  } finally {
    db.close();
  }
}

/** Hands row `id` of `table` to a process on another host: pid 1 there, with the lease given. */
function giveToOtherHost(table: 'jobs' | 'graphs', id: number | string, leaseExpiresAt: number): void {
  withRawCatalog((db) =>
    db
      .prepare(
        `UPDATE ${table} SET owner_id = 'another-process', owner_host = ?, owner_pid = 1, owner_pid_space = NULL, owner_start_time = '1', lease_expires_at = ? WHERE id = ?`,
      )
      .run(ELSEWHERE, leaseExpiresAt, id),
  );
}

function leaseOf(id: number): number | null {
  return withRawCatalog((db) => (db.prepare(`SELECT lease_expires_at FROM jobs WHERE id = ?`).get(id) as { lease_expires_at: number | null }).lease_expires_at);
}

/** A running job of this process on graph `g`, as `run` records one. */
function newRunningJob(): number {
  const graph = temp.catalog.getGraph('g');
  return temp.catalog.jobs.create({
    graphId: graph.id,
    graphName: 'g',
    graphLayout: graph.layout,
    algorithm: 'pagerank',
    programFile: null,
    options: {},
    workers: 1,
  });
}

/** Opens the catalog as the next command would (its sweep runs), returns job `id`'s record. */
function jobAfterReopen(id: number) {
  const catalog = Catalog.open(temp.dataDir);
  try {
    return catalog.jobs.get(id);
  } finally {
    catalog.close();
  }
}

describe('a job whose process is gone', () => {
  it('a SIGKILLed gasworks run on this host is interrupted at the next open, without waiting for its lease to run out', async () => {
    // The child's lease is long: only the fast path (its pid is dead) can see it gone.
    const run = spawn(
      process.execPath,
      [CLI, 'run', 'pagerank', '--graph', 'g', '--tolerance', '0', '--max-iterations', '100000000', '--data-dir', temp.dataDir],
      {
        env: { ...process.env, GASWORKS_HOME: undefined, GASWORKS_LEASE_TTL_MS: '600000' },
      },
    );
    let stderr = '';
    run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(run, 'exit');
    let id = 0;
    // Waiting for a condition: the run's job has reported a step.
    for (let tries = 0; tries < 600 && id === 0; tries++) {
      const newest = temp.catalog.jobs.list({ graph: 'g', limit: 1 })[0];
      if (newest?.status === 'running' && temp.catalog.jobs.events(newest.id).some((event) => event.type === 'progress')) id = newest.id;
      else await delay(50);
    }
    expect(id, `the run never reported a step: ${stderr}`).toBeGreaterThan(0);
    expect(leaseOf(id)).toBeGreaterThan(Date.now() + 60_000);
    run.kill('SIGKILL');
    await exited;

    const job = jobAfterReopen(id);
    expect(job).toMatchObject({ status: 'interrupted', errorCode: null });
    expect(job.errorMessage).toBe(`its process (pid ${run.pid} on host ${hostname()}) stopped (no process has that pid now)`);
    expect(leaseOf(id)).toBeNull();
  }, 60_000);

  it('on another host: interrupted once its lease has run out, left running while it holds', () => {
    const expired = newRunningJob();
    const held = newRunningJob();
    const leaseEnd = LONG_AGO();
    giveToOtherHost('jobs', expired, leaseEnd);
    giveToOtherHost('jobs', held, LATER());

    expect(jobAfterReopen(held)).toMatchObject({ status: 'running', errorMessage: null });
    const job = jobAfterReopen(expired);
    expect(job).toMatchObject({ status: 'interrupted', errorCode: null });
    expect(job.errorMessage).toBe(`its process (pid 1 on host ${ELSEWHERE}) stopped renewing its lease, which ran out at ${new Date(leaseEnd).toISOString()}`);

    // Pid 1 is alive here, and means nothing: the held job's graph stays held, whatever this host's pid 1 is.
    expect(() => dropGraph(temp.catalog, 'g', { force: true })).toThrow(/graph drop: graph "g" has a running job \(job \d+, process 1\)/);
    // Once the lease runs out, the command that needs the graph interrupts the job itself.
    withRawCatalog((db) => db.prepare(`UPDATE jobs SET lease_expires_at = ? WHERE id = ?`).run(LONG_AGO(), held));
    expect(() => temp.catalog.jobs.assertNoRunningJobs({ id: temp.catalog.getGraph('g').id, name: 'g' }, 'graph drop')).not.toThrow();
    expect(temp.catalog.jobs.get(held)).toMatchObject({ status: 'interrupted' });
  });

  it('on this host, a pid that now belongs to another process (a container pid 1, a reused pid) is gone, whatever its lease says', () => {
    const id = newRunningJob();
    // This test process's pid, as if it had been another's: the start time recorded is not this process's.
    withRawCatalog((db) =>
      db.prepare(`UPDATE jobs SET owner_id = 'another-process', owner_start_time = '1', lease_expires_at = ? WHERE id = ?`).run(LATER(), id),
    );
    expect(jobAfterReopen(id)).toMatchObject({
      status: 'interrupted',
      errorMessage: `its process (pid ${process.pid} on host ${hostname()}) stopped (its pid now belongs to another process)`,
    });
  });

  it('on this host, a process that exited but was not reaped (a zombie answers signal 0) is gone', async () => {
    // `sleep 0` exits at once; its parent, exec'd into `sleep 60`, never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60']);
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      while (!/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))) await delay(10);
      const id = newRunningJob();
      withRawCatalog((db) =>
        db
          .prepare(`UPDATE jobs SET owner_id = 'another-process', owner_pid = ?, owner_start_time = NULL, lease_expires_at = ? WHERE id = ?`)
          .run(zombie, LATER(), id),
      );
      expect(jobAfterReopen(id)).toMatchObject({
        status: 'interrupted',
        errorMessage: `its process (pid ${zombie} on host ${hostname()}) stopped (it exited; its parent has not reaped it)`,
      });
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a queued job of a process that is gone is interrupted too', () => {
    const graph = temp.catalog.getGraph('g');
    const queued = temp.catalog.jobs.create({ graphId: graph.id, graphName: 'g', algorithm: 'pagerank', programFile: null, options: {}, workers: 1 }, 'queued');
    giveToOtherHost('jobs', queued, LONG_AGO());
    expect(jobAfterReopen(queued)).toMatchObject({ status: 'interrupted' });
  });
});

describe('an import or repartition whose process is gone', () => {
  function beginImport(name: string): string {
    const graph: NewGraph = {
      id: `00000000-${name.padEnd(4, '0').slice(0, 4)}-4000-8000-000000000000`,
      name,
      sourceFile: file,
      format: 'snap',
      directed: true,
      weighted: false,
      partitions: 2,
      strategy: 'random',
      seed: 1,
      strategyOptions: {},
      layout: newLayoutName(),
    };
    temp.catalog.beginImport(graph, false);
    mkdirSync(join(graphDir(temp.dataDir, graph.id), graph.layout), { recursive: true });
    writeFileSync(join(graphDir(temp.dataDir, graph.id), graph.layout, 'part-0000.mdb'), 'half written');
    return graph.id;
  }

  function importingRows(): { id: string }[] {
    return withRawCatalog((db) => db.prepare(`SELECT id FROM graphs WHERE status = 'importing' ORDER BY id`).all() as { id: string }[]);
  }

  it('by pid 1 on another host: kept while its lease holds (pid 1 here says nothing), cleaned up once it ran out', () => {
    const id = beginImport('ghost');
    giveToOtherHost('graphs', id, LATER());
    Catalog.open(temp.dataDir).close();
    expect(importingRows()).toEqual([{ id }]);
    expect(existsSync(graphDir(temp.dataDir, id))).toBe(true);
    expect(() => temp.catalog.beginImport({ ...temp.catalog.getGraph('g'), id: 'other', name: 'ghost', layout: newLayoutName() }, false)).toThrow(
      'import: graph "ghost" is being imported by process 1',
    );

    giveToOtherHost('graphs', id, LONG_AGO());
    Catalog.open(temp.dataDir).close();
    expect(importingRows()).toEqual([]);
    expect(existsSync(graphDir(temp.dataDir, id))).toBe(false);
  });

  it('a new import of the same name takes over from an import whose lease ran out', () => {
    const id = beginImport('taken');
    giveToOtherHost('graphs', id, LONG_AGO());
    const next = { ...temp.catalog.getGraph('g'), id: '00000000-next-4000-8000-000000000000', name: 'taken', layout: newLayoutName() };
    temp.catalog.beginImport(next, false);
    expect(importingRows()).toEqual([{ id: next.id }]);
    temp.catalog.abortImport(next.id);
  });

  it('a repartition by another host holds the graph while its lease holds; once it ran out, its layout goes and another may begin', () => {
    const graph = temp.catalog.getGraph('g');
    const pending = newLayoutName();
    temp.catalog.beginRepartition(graph.id, pending);
    mkdirSync(join(graphDir(temp.dataDir, graph.id), pending));
    const givePending = (leaseExpiresAt: number) =>
      withRawCatalog((db) =>
        db
          .prepare(`UPDATE graphs SET pending_owner_id = 'another-process', pending_host = ?, pending_pid = 1, pending_lease_expires_at = ? WHERE id = ?`)
          .run(ELSEWHERE, leaseExpiresAt, graph.id),
      );
    givePending(LATER());
    Catalog.open(temp.dataDir).close();
    expect(existsSync(join(graphDir(temp.dataDir, graph.id), pending))).toBe(true);
    expect(() => temp.catalog.beginRepartition(graph.id, newLayoutName())).toThrow(`repartition: graph "g" is being repartitioned by process 1`);

    givePending(LONG_AGO());
    Catalog.open(temp.dataDir).close();
    expect(existsSync(join(graphDir(temp.dataDir, graph.id), pending))).toBe(false);
    expect(withRawCatalog((db) => db.prepare(`SELECT pending_layout, pending_owner_id FROM graphs WHERE id = ?`).get(graph.id))).toEqual({
      pending_layout: null,
      pending_owner_id: null,
    });
  });
});

describe('renewal', () => {
  it('keeps the lease of a job of this process fresh while its main thread is blocked for three leases', async () => {
    const id = newRunningJob();
    const first = leaseOf(id)!;
    expect(first).toBeGreaterThan(Date.now());
    // The keeper thread is running once it has renewed the lease a first time.
    for (let tries = 0; tries < 600 && leaseOf(id) === first; tries++) await delay(20);
    const before = leaseOf(id)!;
    expect(before).toBeGreaterThan(first);

    const blockedUntil = Date.now() + 3 * TTL_MS;
    while (Date.now() < blockedUntil) {
      // A job computing in-process: no timer of the main thread runs.
    }
    const after = leaseOf(id)!;
    expect(after).toBeGreaterThan(blockedUntil);
    expect(after - before).toBeGreaterThanOrEqual(2 * TTL_MS);

    temp.catalog.jobs.fail(id, 'GAS_ERR_PROGRAM', 'the test ended it');
    expect(leaseOf(id)).toBeNull();
  }, 60_000);

  it('a gasworks run that finishes leaves no owner on its job, and its process exits (the keeper thread does not hold it)', () => {
    const run = spawnSync(process.execPath, [CLI, 'run', 'pagerank', '--graph', 'g', '--max-iterations', '3', '--json', '--data-dir', temp.dataDir], {
      encoding: 'utf8',
      env: { ...process.env, GASWORKS_HOME: undefined },
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { jobId: number }).jobId;
    const owner = withRawCatalog((db) => db.prepare(`SELECT owner_pid, owner_id, owner_host, lease_expires_at FROM jobs WHERE id = ?`).get(id));
    expect(owner).toEqual({ owner_pid: null, owner_id: null, owner_host: null, lease_expires_at: null });
    expect(temp.catalog.jobs.get(id).status).toBe('succeeded');
  }, 60_000);
});
