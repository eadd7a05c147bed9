/**
 * A job's results, next to its graph: `graphs/<graph id>/jobs/job-<id>.mdb` holds one column over
 * global vertex ids (width 1 for scalars, k for vectors), written in one transaction, so
 * `gasworks results` reads them back without recomputing.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GasError, NoSpaceError } from '../errors.js';
import { dataDirOfGraph, graphDir } from './data-dir.js';
import { LMDB_ENV_BYTES, checkSpace, noSpaceError } from './disk-space.js';
import { ColumnEnv } from './graph-store.js';
import { BLOCK_SIZE, blockCount } from './columns.js';

export interface ResultMeta {
  readonly job: number;
  readonly column: string;
  readonly width: number;
  readonly vertices: number;
}

export function resultFile(graphDirectory: string, job: number): string {
  return join(graphDirectory, 'jobs', `job-${job}.mdb`);
}

/**
 * Stores a job's result column. Any failure removes the file (the job fails, and nothing reads
 * a failed job's results); a volume without room for the column is GAS_ERR_NO_SPACE naming the
 * data directory, refused before writing when the column alone exceeds the space available. The
 * file goes before the error is raised, so the catalog write that fails the job finds its space.
 */
export function writeResults(graphDirectory: string, meta: ResultMeta, values: Float64Array): void {
  const file = resultFile(graphDirectory, meta.job);
  const need = {
    api: 'results',
    dataDir: dataDirOfGraph(graphDirectory),
    what: `the result column of job ${meta.job} (${meta.vertices.toLocaleString('en-US')} vertices × ${meta.width})`,
    neededBytes: values.byteLength + LMDB_ENV_BYTES,
    file,
  };
  try {
    checkSpace(graphDirectory, need);
    const env = ColumnEnv.open(file, { create: true });
    try {
      env.transaction(() => {
        env.putColumn('vertex', { name: meta.column, type: 'f64', width: meta.width }, values);
        env.putMeta(meta);
      });
    } finally {
      env.close();
    }
  } catch (error) {
    removeResultFile(file);
    if (error instanceof NoSpaceError) throw noSpaceError({ ...need, neededBytes: Math.max(need.neededBytes, error.neededBytes) }, error);
    throw error;
  }
}

/** Deletes a result file and the lock file LMDB keeps beside a single-file environment. */
export function removeResultFile(file: string): void {
  for (const path of [file, `${file}-lock`]) rmSync(path, { force: true });
}

/**
 * Removes the result files in `graphs/<id>/jobs/` of the given graphs that `keep` rejects (by
 * job id): the catalog's open sweep passes the jobs that succeeded or still run, so the files of
 * failed, killed and deleted jobs go. Returns the removed files; a file that cannot be listed or
 * removed is reported to `onError` and skipped.
 */
export function sweepResultFiles(dataDir: string, graphIds: Iterable<string>, keep: (job: number) => boolean, onError: (error: unknown) => void): string[] {
  const removed: string[] = [];
  for (const graphId of graphIds) {
    const dir = join(graphDir(dataDir, graphId), 'jobs');
    try {
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir)) {
        const match = /^job-(\d+)\.mdb(-lock)?$/.exec(entry);
        if (!match || keep(Number(match[1]))) continue;
        rmSync(join(dir, entry), { force: true });
        removed.push(join(dir, entry));
      }
    } catch (error) {
      onError(error);
    }
  }
  return removed;
}

/**
 * A job's results a block (BLOCK_SIZE vertices) at a time, from vertex 0: for a reader that
 * streams them in constant memory. The file is open until the generator is finished or returned.
 */
export function* resultBlocks(graphDirectory: string, job: number): Generator<{ readonly start: number; readonly values: Float64Array }> {
  const env = openResults(graphDirectory, job);
  try {
    const meta = env.getMeta<ResultMeta>();
    const spec = { name: meta.column, type: 'f64', width: meta.width } as const;
    for (let b = 0; b < blockCount(meta.vertices); b++)
      yield { start: b * BLOCK_SIZE, values: env.getColumnBlock('vertex', spec, meta.vertices, b) as Float64Array };
  } finally {
    env.close();
  }
}

/** What a job's result file holds (column, width, vertices), without its values. */
export function readResultMeta(graphDirectory: string, job: number): ResultMeta {
  const env = openResults(graphDirectory, job);
  try {
    return env.getMeta<ResultMeta>();
  } finally {
    env.close();
  }
}

function openResults(graphDirectory: string, job: number): ColumnEnv {
  const file = resultFile(graphDirectory, job);
  if (!existsSync(file)) throw new GasError('GAS_ERR_NOT_FOUND', `results of job ${job} not found (${file})`, { job });
  return ColumnEnv.open(file, { create: false, readOnly: true });
}

export function readResults(graphDirectory: string, job: number): { meta: ResultMeta; values: Float64Array } {
  const env = openResults(graphDirectory, job);
  try {
    const meta = env.getMeta<ResultMeta>();
    const values = env.getColumn('vertex', { name: meta.column, type: 'f64', width: meta.width }, meta.vertices) as Float64Array;
    return { meta, values };
  } finally {
    env.close();
  }
}
