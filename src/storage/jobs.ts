/**
 * Job rows in the catalog: a job is created `running` by the process that runs it and ends
 * `succeeded` (with its figures) or `failed` (with an error code and message). A `running` job
 * whose process has died is marked failed the next time the catalog is opened.
 */
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { GasError, NotFoundError } from '../errors.js';
import { graphDir } from './data-dir.js';
import { resultFile } from './results.js';

export type JobStatus = 'running' | 'succeeded' | 'failed';

export interface JobRecord {
  readonly id: number;
  readonly graphId: string | null;
  readonly graphName: string;
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
  readonly finishedAt: string | null;
}

export type NewJob = Pick<JobRecord, 'graphId' | 'graphName' | 'algorithm' | 'programFile' | 'options' | 'workers'>;

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
  algorithm: string;
  program_file: string | null;
  options: string;
  workers: number;
  status: JobStatus;
  iterations: number | null;
  converged: number | null;
  load_ms: number | null;
  compute_ms: number | null;
  summary: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  finished_at: string | null;
}

export class JobTable {
  /** `dataDir`: where the jobs' result files are (`graphs/<graph id>/jobs/job-N.mdb`). */
  constructor(
    private readonly db: Database.Database,
    private readonly dataDir: string,
  ) {}

  create(job: NewJob): number {
    const result = this.db
      .prepare(
        `INSERT INTO jobs (graph_id, graph_name, algorithm, program_file, options, workers, status, owner_pid, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(job.graphId, job.graphName, job.algorithm, job.programFile, JSON.stringify(job.options), job.workers, process.pid, new Date().toISOString());
    return Number(result.lastInsertRowid);
  }

  succeed(id: number, outcome: JobOutcome): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = 'succeeded', owner_pid = NULL, iterations = ?, converged = ?, load_ms = ?, compute_ms = ?, summary = ?, finished_at = ?
         WHERE id = ?`,
      )
      .run(outcome.iterations, outcome.converged ? 1 : 0, outcome.loadMs, outcome.computeMs, JSON.stringify(outcome.summary), new Date().toISOString(), id);
  }

  fail(id: number, code: string, message: string): void {
    this.db
      .prepare(`UPDATE jobs SET status = 'failed', owner_pid = NULL, error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`)
      .run(code, message, new Date().toISOString(), id);
  }

  get(id: number | string): JobRecord {
    const numeric = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(numeric) as JobRow | undefined;
    if (!row) throw new NotFoundError(`job ${JSON.stringify(String(id))} not found`, { job: id });
    return toRecord(row);
  }

  list(filter: { graph?: string; limit?: number } = {}): JobRecord[] {
    const rows = (
      filter.graph
        ? this.db.prepare(`SELECT * FROM jobs WHERE graph_name = ? ORDER BY id DESC LIMIT ?`).all(filter.graph, filter.limit ?? 100)
        : this.db.prepare(`SELECT * FROM jobs ORDER BY id DESC LIMIT ?`).all(filter.limit ?? 100)
    ) as JobRow[];
    return rows.map(toRecord);
  }

  /** How many jobs ran (or run) on the graph with this id. */
  countForGraph(graphId: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE graph_id = ?`).get(graphId) as { n: number }).n;
  }

  /**
   * Deletes a finished job: its row, then its result file (a crash in between leaves a file no
   * row names, which nothing reads). A running job is refused (GAS_ERR_BUSY): its process still
   * writes to both.
   */
  remove(id: number | string): JobRecord {
    const job = this.get(id);
    if (job.status === 'running') {
      throw new GasError('GAS_ERR_BUSY', `jobs rm: job ${job.id} is running (process ${this.ownerOf(job.id) ?? '?'}); wait for it to finish`, { job: job.id });
    }
    this.db.prepare(`DELETE FROM jobs WHERE id = ?`).run(job.id);
    this.removeResultFile(job);
    return job;
  }

  /** Deletes every job with this status (optionally on one graph), as `remove` does; returns them. */
  prune(filter: { readonly status: Exclude<JobStatus, 'running'>; readonly graph?: string }): JobRecord[] {
    const rows = (
      filter.graph === undefined
        ? this.db.prepare(`SELECT * FROM jobs WHERE status = ? ORDER BY id`).all(filter.status)
        : this.db.prepare(`SELECT * FROM jobs WHERE status = ? AND graph_name = ? ORDER BY id`).all(filter.status, filter.graph)
    ) as JobRow[];
    const jobs = rows.map(toRecord);
    const remove = this.db.prepare(`DELETE FROM jobs WHERE id = ?`);
    this.db.transaction(() => {
      for (const job of jobs) remove.run(job.id);
    })();
    for (const job of jobs) this.removeResultFile(job);
    return jobs;
  }

  private ownerOf(id: number): number | null {
    return (this.db.prepare(`SELECT owner_pid FROM jobs WHERE id = ?`).get(id) as { owner_pid: number | null } | undefined)?.owner_pid ?? null;
  }

  private removeResultFile(job: JobRecord): void {
    if (job.graphId === null) return;
    const file = resultFile(graphDir(this.dataDir, job.graphId), job.id);
    // LMDB keeps a lock file next to a single-file environment.
    for (const path of [file, `${file}-lock`]) rmSync(path, { force: true });
  }

  /** Marks failed the running jobs whose process is gone. */
  sweep(isAlive: (pid: number) => boolean): void {
    const rows = this.db.prepare(`SELECT id, owner_pid FROM jobs WHERE status = 'running'`).all() as { id: number; owner_pid: number }[];
    for (const row of rows) if (!isAlive(row.owner_pid)) this.fail(row.id, 'GAS_ERR_ABORTED', `the process running the job (pid ${row.owner_pid}) died`);
  }
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    graphId: row.graph_id,
    graphName: row.graph_name,
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
    finishedAt: row.finished_at,
  };
}
