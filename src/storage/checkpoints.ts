/**
 * Checkpoints in the catalog: one row per complete checkpoint of a job — written only after every
 * worker has written its part (engine/worker/checkpoint-part.ts) — holding the manifest, the
 * JSON the job needs to go on from there (which parts, their checksums, the run's settings and
 * history). The parts live beside the graph, `graphs/<graph id>/checkpoints/job-<id>/<n>/`,
 * so they go with the graph when it is dropped or replaced (a checkpoint is of one layout).
 *
 * A job keeps its newest `KEPT` checkpoints: if the newest turns out unusable (a part corrupt or
 * missing), the one before it still is.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { graphDir } from './data-dir.js';

/** Checkpoints kept per job. */
export const KEPT_CHECKPOINTS = 2;

/** A checkpoint row: the job, its number (1, 2, … per job), the last step it holds, and its manifest. */
export interface CheckpointRecord {
  readonly job: number;
  readonly seq: number;
  readonly step: number;
  readonly manifest: Record<string, unknown>;
  readonly createdAt: string;
}

/** The directory of job `job`'s checkpoints in graph `graphId`'s directory. */
export function jobCheckpointsDir(dataDir: string, graphId: string, job: number): string {
  return join(graphDir(dataDir, graphId), 'checkpoints', `job-${job}`);
}

/** The directory of checkpoint `seq` of a job (its parts: `worker-<w>.part`, engine/worker/checkpoint-part.ts). */
export function checkpointDir(dataDir: string, graphId: string, job: number, seq: number): string {
  return join(jobCheckpointsDir(dataDir, graphId, job), String(seq));
}

export class CheckpointTable {
  constructor(
    private readonly db: Database.Database,
    private readonly dataDir: string,
  ) {}

  /** The number the job's next checkpoint takes: one past every checkpoint it had, recorded or not. */
  nextSeq(job: number, graphId: string): number {
    const row = this.db.prepare(`SELECT MAX(seq) AS seq FROM checkpoints WHERE job_id = ?`).get(job) as { seq: number | null };
    let seq = row.seq ?? 0;
    // A checkpoint whose parts were written but whose row never was (a crash between) left its directory.
    const dir = jobCheckpointsDir(this.dataDir, graphId, job);
    if (existsSync(dir)) for (const entry of readdirSync(dir)) if (/^\d+$/.test(entry)) seq = Math.max(seq, Number(entry));
    return seq + 1;
  }

  /** Records a complete checkpoint, then prunes the job's checkpoints to the newest `KEPT_CHECKPOINTS` (rows first, then their files). */
  record(job: number, graphId: string, seq: number, step: number, manifest: object): void {
    const pruned = this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO checkpoints (job_id, seq, step, manifest, created_at) VALUES (?, ?, ?, ?, ?)`)
        .run(job, seq, step, JSON.stringify(manifest), new Date().toISOString());
      const old = this.db.prepare(`SELECT seq FROM checkpoints WHERE job_id = ? ORDER BY seq DESC LIMIT -1 OFFSET ?`).all(job, KEPT_CHECKPOINTS) as {
        seq: number;
      }[];
      for (const { seq: gone } of old) this.db.prepare(`DELETE FROM checkpoints WHERE job_id = ? AND seq = ?`).run(job, gone);
      const kept = this.db.prepare(`SELECT MIN(seq) AS seq FROM checkpoints WHERE job_id = ?`).get(job) as { seq: number };
      return { gone: old.map((row) => row.seq), oldestKept: kept.seq };
    });
    const { gone, oldestKept } = pruned.immediate();
    for (const seq of gone) this.removeFiles(graphId, job, seq);
    // Directories older than every kept checkpoint whose rows never existed (a crash between parts and row).
    const dir = jobCheckpointsDir(this.dataDir, graphId, job);
    if (existsSync(dir))
      for (const entry of readdirSync(dir)) if (/^\d+$/.test(entry) && Number(entry) < oldestKept) this.removeFiles(graphId, job, Number(entry));
  }

  /** The job's checkpoints, newest first. */
  list(job: number): CheckpointRecord[] {
    const rows = this.db.prepare(`SELECT * FROM checkpoints WHERE job_id = ? ORDER BY seq DESC`).all(job) as {
      job_id: number;
      seq: number;
      step: number;
      manifest: string;
      created_at: string;
    }[];
    return rows.map((row) => ({
      job: row.job_id,
      seq: row.seq,
      step: row.step,
      manifest: JSON.parse(row.manifest) as Record<string, unknown>,
      createdAt: row.created_at,
    }));
  }

  /** Removes every checkpoint of a job, rows and files (it succeeded, was cancelled, or was deleted). */
  removeAll(job: number, graphId: string | null): void {
    this.db.prepare(`DELETE FROM checkpoints WHERE job_id = ?`).run(job);
    if (graphId !== null) rmSync(jobCheckpointsDir(this.dataDir, graphId, job), { recursive: true, force: true });
  }

  /**
   * At the catalog's open: the checkpoints no job can resume from go — rows and directories of
   * jobs that succeeded, were cancelled or deleted (a crash between a job's end and the removal of
   * its checkpoints leaves them). Those of queued, running, interrupted and failed jobs stay.
   * `graphIds`: the graphs whose directories to look in.
   */
  sweep(graphIds: readonly string[]): void {
    const resumable = `SELECT id FROM jobs WHERE status IN ('queued', 'running', 'interrupted', 'failed')`;
    this.db.prepare(`DELETE FROM checkpoints WHERE job_id NOT IN (${resumable})`).run();
    const keep = new Set((this.db.prepare(resumable).all() as { id: number }[]).map((row) => row.id));
    for (const graphId of graphIds) {
      const dir = join(graphDir(this.dataDir, graphId), 'checkpoints');
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir)) {
        const match = /^job-(\d+)$/.exec(entry);
        if (match && !keep.has(Number(match[1]))) rmSync(join(dir, entry), { recursive: true, force: true });
      }
    }
  }

  /** Removes the files of one checkpoint (its row is gone, or was never written). */
  removeFiles(graphId: string, job: number, seq: number): void {
    rmSync(checkpointDir(this.dataDir, graphId, job, seq), { recursive: true, force: true });
  }
}
