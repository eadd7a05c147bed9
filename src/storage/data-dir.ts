/**
 * Where gasworks keeps its state: `--data-dir`, else `$GASWORKS_HOME`, else `./.gasworks`.
 *
 *   <data-dir>/catalog.sqlite          the catalog (graphs, jobs, …)
 *   <data-dir>/graphs/<graph id>/      one graph: graph.mdb + part-NNNN.mdb per partition
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

export function ensureDataDir(dataDir: string): void {
  mkdirSync(graphsDir(dataDir), { recursive: true });
}
