/**
 * Where gasworks keeps its state: `--data-dir`, else `$GASWORKS_HOME`, else `./.gasworks`.
 *
 *   <data-dir>/catalog.sqlite          the catalog (graphs, jobs, …)
 *   <data-dir>/graphs/<graph id>/            one graph
 *     <layout>/graph.mdb, part-NNNN.mdb      its tables in the current partitioning (`layout-<uuid>`
 *                                            after `repartition`; graphs imported before layouts
 *                                            existed keep theirs in the graph directory itself)
 *     jobs/job-N.mdb                         results of its jobs, over global vertex ids, which
 *                                            outlive any repartitioning
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GasError } from '../errors.js';
import { isOutOfSpace, noSpaceError } from './disk-space.js';

export function resolveDataDir(explicit?: string): string {
  return resolve(explicit ?? process.env.GASWORKS_HOME ?? '.gasworks');
}

export function catalogPath(dataDir: string): string {
  return join(dataDir, 'catalog.sqlite');
}

export function graphsDir(dataDir: string): string {
  return join(dataDir, 'graphs');
}

export function graphDir(dataDir: string, graphId: string): string {
  return join(graphsDir(dataDir), graphId);
}

/** The data directory that holds a graph directory (the inverse of `graphDir`). */
export function dataDirOfGraph(graphDirectory: string): string {
  return dirname(dirname(graphDirectory));
}

/** Directory of a graph's tables in its current layout (`layout` '' = the graph directory itself). */
export function graphStoreDir(dataDir: string, graph: { readonly id: string; readonly layout: string }): string {
  return join(graphDir(dataDir, graph.id), graph.layout);
}

export const LAYOUT_PREFIX = 'layout-';

/** A fresh layout name; unique across graphs, so it also names shards in workers' caches. */
export function newLayoutName(): string {
  return `${LAYOUT_PREFIX}${randomUUID()}`;
}

export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(graphsDir(dataDir), { recursive: true });
  } catch (error) {
    const need = { api: 'data directory', dataDir, what: `creating ${graphsDir(dataDir)}`, neededBytes: 4096 };
    if (isOutOfSpace(error, dataDir, need.neededBytes)) throw noSpaceError(need, error);
    throw new GasError('GAS_ERR_IO', `data directory: cannot create ${graphsDir(dataDir)}: ${(error as Error).message}`, { file: dataDir });
  }
}
