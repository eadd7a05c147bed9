/**
 * A job's checkpoints as the library sees them: the manifest recorded once every worker has
 * written its part (storage/checkpoints.ts keeps the rows, engine/worker/checkpoint-part.ts writes
 * and verifies the parts), the sink a running job writes through, and the choice of the
 * checkpoint a resumed job starts from — the newest whose every part verifies against its
 * manifest's checksum; a corrupt or missing part makes it fall back to the one before, never to a
 * wrong result.
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GasError } from '../errors.js';
import type { Evaluation, StepReport } from '../engine/index.js';
import { verifyCheckpointPart, type CheckpointPartInfo } from '../engine/worker/checkpoint-part.js';
import { checkpointDir, graphDir, type Catalog, type CheckpointRecord } from '../storage/index.js';

/** The run settings a resumed job reuses (besides its algorithm and options, which its row keeps). */
export interface ResumeSettings {
  readonly engine: string;
  readonly workers: number;
  readonly inProcess: boolean;
  readonly ownHeap: boolean;
  /** A cluster job: its worker processes' addresses (`--cluster`) and standby ones (`--spares`), as first given. */
  readonly cluster?: readonly string[];
  readonly spares?: readonly string[];
  /** `--checkpoint-every` as given (steps, a duration, `auto`), null when not given; `--mtbf` with `auto`. */
  readonly checkpointEvery: number | string | null;
  readonly mtbfSeconds?: number;
  readonly top?: number;
}

/** A worker's part as the manifest lists it: its file (relative to the graph's directory) and what checks it. */
export interface CheckpointPart extends CheckpointPartInfo {
  readonly file: string;
}

/** What a checkpoint's row holds: enough to go on from it with the same result. */
export interface CheckpointManifest {
  readonly format: 1;
  readonly job: number;
  readonly seq: number;
  /** The last step the checkpoint holds: a resumed run starts at step + 1. */
  readonly step: number;
  /** The graph's layout the parts were written over (a repartitioned graph cannot use them). */
  readonly layout: string;
  /** One part per worker, in worker order: its file (relative to the graph's directory), size and checksum. */
  readonly parts: readonly CheckpointPart[];
  /** The run's history up to the checkpoint, so a resumed job's summary covers every step. */
  readonly steps: readonly StepReport[];
  readonly evaluations: readonly Evaluation[];
  /** Compute time of the run up to the checkpoint (ms), over every attempt. */
  readonly computeMs: number;
  readonly run: ResumeSettings;
  /** How long writing the parts took (ms). */
  readonly writeMs: number;
}

/** What a running job gives its engine to checkpoint through (execute-job.ts builds the engine's policy on it). */
export interface CheckpointSink {
  /** A checkpoint is wanted at the next step boundary regardless of `every` (the job is being interrupted). */
  wanted(): boolean;
  /** The files of the next checkpoint's parts, one per worker; their directory exists. */
  begin(workers: number): { seq: number; files: string[] };
  /** Records checkpoint `seq` (every part written) and prunes the older ones. */
  commit(seq: number, manifest: Omit<CheckpointManifest, 'format' | 'job' | 'seq' | 'layout' | 'run'>): void;
  /** Removes the files of a checkpoint that could not be completed. */
  abandon(seq: number): void;
  /** The newest checkpoint whose parts verify (a run recovering from a lost worker goes on from it), or null. */
  latest(): ResumeFrom | null;
}

/** Where a resumed run starts: the manifest and its parts' absolute paths. */
export interface ResumeFrom {
  readonly manifest: CheckpointManifest;
  readonly files: readonly string[];
}

/** The sink of job `job` on graph `graphId` at layout `layout` in `catalog`. */
export function checkpointSink(
  catalog: Catalog,
  target: { readonly job: number; readonly graphId: string; readonly layout: string },
  run: ResumeSettings,
  wanted: () => boolean,
): CheckpointSink {
  const { job, graphId, layout } = target;
  const base = graphDir(catalog.dataDir, graphId);
  return {
    wanted,
    begin(workers) {
      const seq = catalog.checkpoints.nextSeq(job, graphId);
      const dir = checkpointDir(catalog.dataDir, graphId, job, seq);
      mkdirSync(dir, { recursive: true });
      return { seq, files: Array.from({ length: workers }, (_, w) => join(dir, `worker-${w}.part`)) };
    },
    commit(seq, partial) {
      const manifest: CheckpointManifest = {
        format: 1,
        job,
        seq,
        layout,
        run,
        ...partial,
        parts: partial.parts.map((part) => ({ ...part, file: relative(base, part.file) })),
      };
      catalog.checkpoints.record(job, graphId, seq, manifest.step, manifest);
    },
    abandon(seq) {
      catalog.checkpoints.removeFiles(graphId, job, seq);
    },
    latest() {
      try {
        return usableCheckpoint(catalog, { id: job, graphId }).from;
      } catch (error) {
        if (error instanceof GasError && error.code === 'GAS_ERR_NOT_FOUND') return null;
        throw error;
      }
    },
  };
}

/**
 * The newest checkpoint of job `job` whose every part verifies (read whole and checked against
 * its manifest), with the reasons the newer ones were passed over; GAS_ERR_NOT_FOUND when none
 * is usable.
 */
export function usableCheckpoint(catalog: Catalog, job: { readonly id: number; readonly graphId: string }): { from: ResumeFrom; skipped: string[] } {
  const records = catalog.checkpoints.list(job.id);
  const skipped: string[] = [];
  const base = graphDir(catalog.dataDir, job.graphId);
  for (const record of records) {
    const manifest = asManifest(record);
    if (!manifest) {
      skipped.push(`checkpoint ${record.seq} (after step ${record.step}): its manifest is not one this gasworks reads`);
      continue;
    }
    const files = manifest.parts.map((part) => resolve(base, part.file));
    try {
      manifest.parts.forEach((part, w) => verifyCheckpointPart(files[w]!, part));
      return { from: { manifest, files }, skipped };
    } catch (error) {
      if (!(error instanceof GasError) || error.code !== 'GAS_ERR_CORRUPT') throw error;
      skipped.push(`checkpoint ${record.seq} (after step ${record.step}): ${error.message}`);
    }
  }
  const why = records.length === 0 ? 'it has no checkpoint' : `none of its ${records.length} checkpoints is usable: ${skipped.join('; ')}`;
  throw new GasError('GAS_ERR_NOT_FOUND', `jobs resume: job ${job.id} cannot be resumed: ${why}`, { job: job.id });
}

function asManifest(record: CheckpointRecord): CheckpointManifest | null {
  const manifest = record.manifest as unknown as CheckpointManifest;
  const parts = manifest.parts as unknown;
  const wellFormed =
    Array.isArray(parts) &&
    parts.every((part: Partial<CheckpointPart>) => typeof part.file === 'string' && typeof part.checksum === 'string' && typeof part.fileBytes === 'number');
  return manifest.format === 1 && wellFormed && Array.isArray(manifest.steps) ? manifest : null;
}
