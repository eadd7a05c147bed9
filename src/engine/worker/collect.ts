/** Reading a result out of a worker: the master replicas' values of one vertex column. */
import type { TypedColumn } from '../../storage/columns.js';
import type { ColumnDeclarations } from '../program/program.js';
import { vertexColumnWidth } from './state.js';
import type { WorkerRuntime } from './worker-runtime.js';

/** Global ids of the worker's masters, and `width` values of the column for each, in the same order. */
export interface CollectedColumn {
  readonly gids: Uint32Array;
  readonly values: Float64Array;
  readonly width: number;
}

export function collectMasters(runtime: WorkerRuntime, column: string): CollectedColumn {
  const declaration = (runtime.program.vertexColumns as ColumnDeclarations)[column];
  if (declaration === undefined) throw new Error(`program ${runtime.program.name}: no vertex column "${column}"`);
  const width = vertexColumnWidth(declaration);
  const { plan, graph, state } = runtime;
  const gids = new Uint32Array(plan.numMasters);
  const values = new Float64Array(plan.numMasters * width);
  const source = state[column] as TypedColumn;
  let at = 0;
  for (let v = 0; v < graph.numVertices; v++) {
    if (plan.isMaster[v] === 0) continue;
    gids[at] = graph.gid[v]!;
    for (let k = 0; k < width; k++) values[at * width + k] = source[v * width + k]!;
    at++;
  }
  return { gids, values, width };
}
