/**
 * A job's results, next to its graph: `graphs/<graph id>/jobs/job-<id>.mdb` holds one column over
 * global vertex ids (width 1 for scalars, k for vectors), written in one transaction, so
 * `gasworks results` reads them back without recomputing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GasError } from '../errors.js';
import { ColumnEnv } from './graph-store.js';

export interface ResultMeta {
  readonly job: number;
  readonly column: string;
  readonly width: number;
  readonly vertices: number;
}

export function resultFile(graphDirectory: string, job: number): string {
  return join(graphDirectory, 'jobs', `job-${job}.mdb`);
}

export function writeResults(graphDirectory: string, meta: ResultMeta, values: Float64Array): void {
  const env = ColumnEnv.open(resultFile(graphDirectory, meta.job), { create: true });
  try {
    env.transaction(() => {
      env.putColumn('vertex', { name: meta.column, type: 'f64', width: meta.width }, values);
      env.putMeta(meta);
    });
  } finally {
    env.close();
  }
}

export function readResults(graphDirectory: string, job: number): { meta: ResultMeta; values: Float64Array } {
  const file = resultFile(graphDirectory, job);
  if (!existsSync(file)) throw new GasError('GAS_ERR_NOT_FOUND', `results of job ${job} not found (${file})`, { job });
  const env = ColumnEnv.open(file, { create: false, readOnly: true });
  try {
    const meta = env.getMeta<ResultMeta>();
    const values = env.getColumn('vertex', { name: meta.column, type: 'f64', width: meta.width }, meta.vertices) as Float64Array;
    return { meta, values };
  } finally {
    env.close();
  }
}
