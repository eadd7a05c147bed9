/**
 * Job rows in the catalog: a job is created `queued` (by the job service, api/job-service.ts) or
 * `running` by the process that runs it, and ends `succeeded` (with its figures), `failed` (with
 * an error code and message), `cancelled` or `interrupted` (stopped at a step boundary, no
 * result). A live job's row names its process and holds a lease the process renews
 * (liveness.ts); a `running` or `queued` job whose process is gone — its lease ran out, or its pid
 * is dead on this host — is marked `interrupted` (naming the process and why) the next time the
 * catalog is opened, or when a command that needs its graph finds it. Each job keeps a log of
 * events (`appendEvent`: progress and state changes, numbered from 1) for followers in any
 * process.
 *
 * Jobs and graphs hold on to each other (job-holds.ts): a job starts and succeeds only on its
 * graph as it found it, and a running job keeps its graph from being dropped, replaced or
 * repartitioned. Finished jobs outlive their graph: `releaseGraph` marks them `graph_removed`
 * ('replaced' or 'dropped') and their rows stay as history; their result files go with the
 * graph directory.
 */
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { GasError, NotFoundError } from '../errors.js';
import { graphDir } from './data-dir.js';
import { checkStartable, graphGoneError, resultsAtStakeError, runningJobsError, type GraphFate, type GraphRef } from './job-holds.js';
import { CATALOG_WRITE_BYTES, asNoSpace, availableBytes } from './disk-space.js';
import { resultFile } from './results.js';
import { jobCheckpointsDir } from './checkpoints.js';
import type { LeaseHolder, LeasedRow } from './lease-keeper.js';
import { claimAssignments, claimParameters, ownerColumns, ownerGone, releaseAssignments, type OwnerRow } from './liveness.js';

export type { GraphFate, GraphRef };

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** Free space below which progress events are not stored (appendEvent). */
const EVENT_RESERVE_BYTES = 16 * 1024 * 1024;

/** The statuses of a job that has not ended: it holds its graph (job-holds.ts). */
const LIVE = `('queued', 'running')`;

/** A stored event: its number in the job's log, the job, when, and the body the service gave it. */
export type StoredJobEvent = Record<string, unknown> & { readonly seq: number; readonly job: number; readonly at: string };

export interface JobRecord {
  readonly id: number;
  readonly graphId: string | null;
  readonly graphName: string;
  /** The graph's layout the job ran on (null for jobs from before layouts were recorded). */
  readonly graphLayout: string | null;
  /** Set when the job's graph was replaced or dropped after it: its results went with the graph. */
  readonly graphRemoved: GraphFate | null;
  readonly algorithm: string;
  readonly programFile: string | null;
  readonly options: Record<string, unknown>;
  readonly workers: number;
  readonly status: JobStatus;
  readonly iterations: number | null;
  readonly converged: boolean | null;
  readonly loadMs: number | null;
  readonly computeMs: number | null;
  readonly summary: Record<string, unknown> | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Another process asked the job to stop (`cancel`); the process running it stops it at a step boundary. */
  readonly cancelRequested: boolean;
}

/** `graphLayout`: the layout the job opened (checked against the graph's); default: the graph's current one. */
export type NewJob = Pick<JobRecord, 'graphId' | 'graphName' | 'algorithm' | 'programFile' | 'options' | 'workers'> & { readonly graphLayout?: string };

export interface JobOutcome {
  readonly iterations: number;
  readonly converged: boolean;
  readonly loadMs: number;
  readonly computeMs: number;
  readonly summary: Record<string, unknown>;
}

interface JobRow {
  id: number;
  graph_id: string | null;
  graph_name: string;
  graph_layout: string | null;
  graph_removed: GraphFate | null;
  algorithm: string;
  program_file: string | null;
  options: string;
  workers: number;
  status: JobStatus;
  owner_pid: number | null;
  iterations: number | null;
  converged: number | null;
  load_ms: number | null;
  compute_ms: number | null;
  summary: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested: number;
}

export class JobTable {
  /** `dataDir`: where the jobs' result files are (`graphs/<graph id>/jobs/job-N.mdb`); `leases`: the catalog's, renewing this process's live jobs. */
  constructor(
    private readonly db: Database.Database,
    private readonly dataDir: string,
    private readonly leases: LeaseHolder,
  ) {}

  /**
   * Records a new running job of this process, in one transaction with the checks that its graph
   * is there to run on: ready, at the layout the job opened, not being replaced or repartitioned
   * by a live process (GAS_ERR_NOT_FOUND for a graph gone, GAS_ERR_BUSY otherwise).
   */
  create(job: NewJob, status: 'queued' | 'running' = 'running'): number {
    const insert = this.db.transaction((): number => {
      const layout = job.graphId === null ? null : checkStartable(this.db, job.graphId, job.graphName, job.graphLayout);
      const result = this.db
        .prepare(
          `INSERT INTO jobs (graph_id, graph_name, graph_layout, algorithm, program_file, options, workers, status, created_at, started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          job.graphId,
          job.graphName,
          layout,
          job.algorithm,
          job.programFile,
          JSON.stringify(job.options),
          job.workers,
          status,
          new Date().toISOString(),
          status === 'running' ? new Date().toISOString() : null,
        );
      const id = Number(result.lastInsertRowid);
      this.db.prepare(`UPDATE jobs SET ${claimAssignments('owner')} WHERE id = @id`).run({ ...claimParameters(), id });
      return id;
    });
    const id = this.recording(() => insert.immediate());
    this.leases.acquire(leased(id));
    return id;
  }

  /**
   * Records a job's success, in the transaction that checks its graph is still there at the
   * layout it ran on; if it is not, nothing is written and the job's GasError is thrown (the
   * caller fails the job and discards its result file).
   */
  succeed(id: number, outcome: JobOutcome): void {
    const commit = this.db.transaction(() => {
      this.assertGraphHeld(id);
      this.db
        .prepare(
          `UPDATE jobs SET status = 'succeeded', ${releaseAssignments('owner')}, iterations = ?, converged = ?, load_ms = ?, compute_ms = ?, summary = ?,
             finished_at = ?
           WHERE id = ?`,
        )
        .run(outcome.iterations, outcome.converged ? 1 : 0, outcome.loadMs, outcome.computeMs, JSON.stringify(outcome.summary), new Date().toISOString(), id);
    });
    this.recording(() => commit.immediate());
    this.leases.release(leased(id));
  }

  fail(id: number, code: string, message: string): void {
    this.recording(() =>
      this.db
        .prepare(`UPDATE jobs SET status = 'failed', ${releaseAssignments('owner')}, error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`)
        .run(code, message, new Date().toISOString(), id),
    );
    this.leases.release(leased(id));
  }

  /**
   * A queued job of this process starts: `running`, in one transaction with the checks `create`
   * made (its graph may have gone while it waited: GAS_ERR_NOT_FOUND, and the row is left queued
   * for the caller to fail). GAS_ERR_CANCELLED if another process asked to cancel it meanwhile.
   */
  start(id: number): void {
    const begin = this.db.transaction(() => {
      const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
      if (!row || row.status !== 'queued')
        throw new GasError('GAS_ERR_ABORTED', `run: job ${id} is no longer queued (${row?.status ?? 'removed'})`, { job: id });
      if (row.cancel_requested === 1) throw new GasError('GAS_ERR_CANCELLED', `run: job ${id} was cancelled before it started`, { job: id });
      if (row.graph_id !== null) checkStartable(this.db, row.graph_id, row.graph_name, row.graph_layout ?? undefined);
      this.db
        .prepare(`UPDATE jobs SET status = 'running', ${claimAssignments('owner')}, started_at = @startedAt WHERE id = @id`)
        .run({ ...claimParameters(), startedAt: new Date().toISOString(), id });
    });
    this.recording(() => begin.immediate());
    this.leases.acquire(leased(id));
  }

  /**
   * A job that did not finish ends `cancelled` or `interrupted` (`reason` kept as its message); its
   * result file, if any, goes. Also how `sweep` ends the jobs of processes that are gone.
   */
  end(id: number, status: 'cancelled' | 'interrupted', reason?: string): void {
    this.discardResults(id);
    this.recording(() =>
      this.db
        .prepare(`UPDATE jobs SET status = ?, ${releaseAssignments('owner')}, error_message = ?, finished_at = ? WHERE id = ? AND status IN ${LIVE}`)
        .run(status, reason ?? null, new Date().toISOString(), id),
    );
    this.leases.release(leased(id));
  }

  /**
   * An interrupted or failed job taken up again (`jobs resume`): `queued` for this process's
   * service to start, or `running` at once, with its error and end cleared. GAS_ERR_BUSY if it is
   * no longer interrupted or failed (another process resumed it first).
   */
  requeue(id: number, status: 'queued' | 'running'): void {
    const changed = this.recording(
      () =>
        this.db
          .prepare(
            `UPDATE jobs SET status = @status, ${claimAssignments('owner')}, error_code = NULL, error_message = NULL, finished_at = NULL, cancel_requested = 0,
               started_at = CASE WHEN @status = 'running' THEN @startedAt ELSE started_at END
             WHERE id = @id AND status IN ('interrupted', 'failed')`,
          )
          .run({ ...claimParameters(), status, startedAt: new Date().toISOString(), id }).changes,
    );
    if (changed !== 1)
      throw new GasError('GAS_ERR_BUSY', `jobs resume: job ${id} is no longer interrupted or failed (resumed by another process?)`, { job: id });
    this.leases.acquire(leased(id));
  }

  /** Asks the process running job `id` to stop it (it polls `cancelRequested`); false if the job has already ended. */
  requestCancel(id: number): boolean {
    return this.db.prepare(`UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND status IN ${LIVE}`).run(id).changes === 1;
  }

  /** Which of these jobs another process asked to cancel. */
  cancelRequested(ids: readonly number[]): number[] {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT id FROM jobs WHERE cancel_requested = 1 AND id IN (${ids.map(() => '?').join(', ')})`).all(...ids) as { id: number }[];
    return rows.map((row) => row.id);
  }

  /**
   * Appends an event to job `id`'s log, numbered after the last; returns it as stored. An
   * `optional` event (progress) is not stored, and null returned, when the data directory's volume
   * has less than EVENT_RESERVE_BYTES free: the room left is for the job's result and its end.
   */
  appendEvent(id: number, body: Readonly<Record<string, unknown>>, optional = false): StoredJobEvent | null {
    if (optional && availableBytes(this.dataDir) < EVENT_RESERVE_BYTES) return null;
    const append = this.db.transaction((): StoredJobEvent => {
      const last = this.db.prepare(`SELECT MAX(seq) AS seq FROM job_events WHERE job_id = ?`).get(id) as { seq: number | null };
      const event = { ...body, seq: (last.seq ?? 0) + 1, job: id, at: new Date().toISOString() };
      this.db.prepare(`INSERT INTO job_events (job_id, seq, event) VALUES (?, ?, ?)`).run(id, event.seq, JSON.stringify(event));
      return event;
    });
    return this.recording(() => append.immediate());
  }

  /** Job `id`'s events numbered after `after`, in order (at most `limit`). */
  events(id: number, after = 0, limit = 10_000): StoredJobEvent[] {
    const rows = this.db.prepare(`SELECT event FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`).all(id, after, limit) as { event: string }[];
    return rows.map((row) => JSON.parse(row.event) as StoredJobEvent);
  }

  /**
   * Runs a write of a job's row: a volume too full for it is GAS_ERR_NO_SPACE naming the data
   * directory, not an error of the job's program (which is what the run would take it for).
   */
  private recording<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      throw asNoSpace(error, { api: 'run', dataDir: this.dataDir, what: 'recording the job in the catalog', neededBytes: CATALOG_WRITE_BYTES });
    }
  }

  /**
   * Throws (GAS_ERR_NOT_FOUND for a graph gone, GAS_ERR_BUSY otherwise) unless a job could start on
   * graph `graphId` at layout `layout` now: the checks `create` makes, for a caller that failed to
   * open the graph's tables and wants to say why.
   */
  assertStartable(graphId: string, graphName: string, layout: string): void {
    checkStartable(this.db, graphId, graphName, layout);
  }

  /**
   * Throws the job's error if running job `id` can no longer succeed: its row is gone or no longer
   * running, or its graph was dropped, replaced or repartitioned under it.
   */
  assertGraphHeld(id: number): void {
    const error = graphGoneError(this.db, id);
    if (error) throw error;
  }

  get(id: number | string): JobRecord {
    const numeric = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(numeric) as JobRow | undefined;
    if (!row) throw new NotFoundError(`job ${JSON.stringify(String(id))} not found`, { job: id });
    return toRecord(row);
  }

  list(filter: { graph?: string; status?: JobStatus; limit?: number } = {}): JobRecord[] {
    const where = [filter.graph !== undefined && 'graph_name = @graph', filter.status !== undefined && 'status = @status'].filter(Boolean);
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`)
      .all({ graph: filter.graph, status: filter.status, limit: filter.limit ?? 100 }) as JobRow[];
    return rows.map(toRecord);
  }

  /**
   * Refuses (GAS_ERR_BUSY, naming each job and its process) while a live process runs a job on
   * `graph`: the job reads the graph's tables and will write its result next to them. Jobs whose
   * process is gone are marked interrupted first, so a killed run does not hold its graph forever.
   * `verb` prefixes the message (`graph drop`, `import`, `repartition`).
   */
  assertNoRunningJobs(graph: GraphRef, verb: string): void {
    const running = this.liveRows(`graph_id = ?`, graph.id);
    const live: { id: number; pid: number }[] = [];
    for (const row of running) {
      const gone = ownerGone(row);
      if (gone === null) live.push({ id: row.id, pid: row.pid ?? 0 });
      else this.end(row.id, 'interrupted', gone);
    }
    if (live.length > 0) throw runningJobsError(verb, graph, live);
  }

  /**
   * The finished jobs on `graph` whose results removing it would delete (its succeeded jobs), after
   * `assertNoRunningJobs`. Without `force`, refuses (GAS_ERR_EXISTS) when there are any, saying
   * what goes and that the jobs stay listed. `fate` words the message for a replace or a drop.
   */
  checkRemovable(graph: GraphRef, fate: GraphFate, verb: string, force: boolean): JobRecord[] {
    this.assertNoRunningJobs(graph, verb);
    const withResults = (
      this.db.prepare(`SELECT * FROM jobs WHERE graph_id = ? AND status = 'succeeded' AND graph_removed IS NULL ORDER BY id`).all(graph.id) as JobRow[]
    ).map(toRecord);
    const ids = withResults.map((job) => job.id);
    if (ids.length > 0 && !force) throw resultsAtStakeError(verb, graph, fate, ids);
    return withResults;
  }

  /**
   * Lets the jobs on `graph` outlive it, inside the caller's transaction that deletes the graph's
   * row: `checkRemovable` (with `force`), then every job on it is marked `graph_removed = fate`.
   * Returns the jobs whose results go with the graph directory, which the caller deletes after.
   */
  releaseGraph(graph: GraphRef, fate: GraphFate, verb: string, force: boolean): JobRecord[] {
    const discarded = this.checkRemovable(graph, fate, verb, force);
    this.db.prepare(`UPDATE jobs SET graph_removed = ? WHERE graph_id = ? AND graph_removed IS NULL`).run(fate, graph.id);
    return discarded;
  }

  /**
   * Deletes a finished job: its row, events and checkpoints, then its result file and checkpoint
   * files (a crash in between leaves files no row names, which nothing reads). A running job is refused (GAS_ERR_BUSY): its process still
   * writes to both.
   */
  remove(id: number | string): JobRecord {
    const job = this.get(id);
    if (job.status === 'running' || job.status === 'queued') {
      throw new GasError(
        'GAS_ERR_BUSY',
        `jobs rm: job ${job.id} is ${job.status} (process ${this.ownerOf(job.id) ?? '?'}); wait for it to finish, or cancel it`,
        {
          job: job.id,
        },
      );
    }
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM jobs WHERE id = ?`).run(job.id);
      this.db.prepare(`DELETE FROM job_events WHERE job_id = ?`).run(job.id);
      this.db.prepare(`DELETE FROM checkpoints WHERE job_id = ?`).run(job.id);
    })();
    this.removeResultFile(job);
    this.removeCheckpointFiles(job);
    return job;
  }

  /** Deletes every job with this status (optionally on one graph), as `remove` does; returns them. */
  prune(filter: { readonly status: Exclude<JobStatus, 'running' | 'queued'>; readonly graph?: string }): JobRecord[] {
    const rows = (
      filter.graph === undefined
        ? this.db.prepare(`SELECT * FROM jobs WHERE status = ? ORDER BY id`).all(filter.status)
        : this.db.prepare(`SELECT * FROM jobs WHERE status = ? AND graph_name = ? ORDER BY id`).all(filter.status, filter.graph)
    ) as JobRow[];
    const jobs = rows.map(toRecord);
    const remove = this.db.prepare(`DELETE FROM jobs WHERE id = ?`);
    const removeEvents = this.db.prepare(`DELETE FROM job_events WHERE job_id = ?`);
    const removeCheckpoints = this.db.prepare(`DELETE FROM checkpoints WHERE job_id = ?`);
    this.db.transaction(() => {
      for (const job of jobs) {
        remove.run(job.id);
        removeEvents.run(job.id);
        removeCheckpoints.run(job.id);
      }
    })();
    for (const job of jobs) {
      this.removeResultFile(job);
      this.removeCheckpointFiles(job);
    }
    return jobs;
  }

  /** Deletes the result file of a job that failed after writing it (its graph vanished before it could succeed). */
  discardResults(id: number): void {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    if (row) this.removeResultFile(toRecord(row));
  }

  private ownerOf(id: number): number | null {
    return (this.db.prepare(`SELECT owner_pid FROM jobs WHERE id = ?`).get(id) as { owner_pid: number | null } | undefined)?.owner_pid ?? null;
  }

  private removeCheckpointFiles(job: JobRecord): void {
    if (job.graphId !== null) rmSync(jobCheckpointsDir(this.dataDir, job.graphId, job.id), { recursive: true, force: true });
  }

  private removeResultFile(job: JobRecord): void {
    if (job.graphId === null) return;
    const file = resultFile(graphDir(this.dataDir, job.graphId), job.id);
    // LMDB keeps a lock file next to a single-file environment.
    for (const path of [file, `${file}-lock`]) rmSync(path, { force: true });
  }

  /**
   * Marks `interrupted` the running and queued jobs whose process is gone, naming it and why
   * (`its process (pid 12 on host h) stopped renewing its lease, which ran out at …`): a job
   * stopped from outside is not a failure of the job.
   */
  sweep(): void {
    for (const row of this.liveRows('1')) {
      const gone = ownerGone(row);
      if (gone !== null) this.end(row.id, 'interrupted', gone);
    }
  }

  /** Jobs `queued` or `running` where `condition`, in id order, with their owners. */
  private liveRows(condition: string, ...parameters: unknown[]): (OwnerRow & { id: number })[] {
    return this.db
      .prepare(`SELECT id, ${ownerColumns('owner')} FROM jobs WHERE ${condition} AND status IN ${LIVE} ORDER BY id`)
      .all(...parameters) as (OwnerRow & {
      id: number;
    })[];
  }
}

/** A job's row as the lease keeper knows it. */
function leased(id: number): LeasedRow {
  return { table: 'jobs', slot: 'owner', key: id };
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    graphId: row.graph_id,
    graphName: row.graph_name,
    graphLayout: row.graph_layout,
    graphRemoved: row.graph_removed,
    algorithm: row.algorithm,
    programFile: row.program_file,
    options: JSON.parse(row.options) as Record<string, unknown>,
    workers: row.workers,
    status: row.status,
    iterations: row.iterations,
    converged: row.converged === null ? null : row.converged === 1,
    loadMs: row.load_ms,
    computeMs: row.compute_ms,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    cancelRequested: row.cancel_requested === 1,
  };
}
