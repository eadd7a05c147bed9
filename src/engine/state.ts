/** Allocation of a program's typed-array state on one worker. */
import { allocateColumn, type ColumnSpec, type TypedColumn } from '../storage/columns.js';
import type { LocalGraph } from './local-graph.js';
import type { NeighborSets } from './neighbor-sets.js';
import type { AnyVertexProgram, ColumnDeclaration, ColumnDeclarations } from './program.js';

/** The state object as the engine holds it: typed columns plus the optional neighbour sets. */
export type ProgramStateRecord = Record<string, TypedColumn | NeighborSets | null>;

/** Whole-graph degrees and edge-weight totals of a worker's local vertices. */
export interface LocalDegrees {
  readonly outDegree: Uint32Array;
  readonly inDegree: Uint32Array;
  readonly outWeight: Float64Array;
  readonly inWeight: Float64Array;
}

export function columnSpecs(declarations: ColumnDeclarations | undefined): ColumnSpec[] {
  return Object.entries(declarations ?? {}).map(([name, declaration]) => toSpec(name, declaration));
}

function toSpec(name: string, declaration: ColumnDeclaration): ColumnSpec {
  return typeof declaration === 'string' ? { name, type: declaration, width: 1 } : { name, type: declaration[0], width: declaration[1] };
}

export const BUILT_IN_COLUMNS = ['outDegree', 'inDegree', 'outWeight', 'inWeight', 'weight', 'neighbors'] as const;

/**
 * The `state` object handed to every callback: one typed array per declared column, plus the
 * built-in `outDegree`/`inDegree` (whole-graph degrees of the local vertices) and `weight`.
 */
export function allocateState(
  program: AnyVertexProgram,
  graph: LocalGraph,
  degrees: LocalDegrees,
): { state: ProgramStateRecord; vertexSpecs: ColumnSpec[]; edgeSpecs: ColumnSpec[] } {
  const vertexSpecs = columnSpecs(program.vertexColumns);
  const edgeSpecs = columnSpecs(program.edgeColumns);
  const state: ProgramStateRecord = {};
  for (const spec of [...vertexSpecs, ...edgeSpecs]) {
    if ((BUILT_IN_COLUMNS as readonly string[]).includes(spec.name) || spec.name in state) {
      throw new Error(`program ${program.name}: column name "${spec.name}" is reserved or declared twice`);
    }
  }
  for (const spec of vertexSpecs) state[spec.name] = allocateColumn(spec, graph.numVertices);
  for (const spec of edgeSpecs) state[spec.name] = allocateColumn(spec, graph.numEdges);
  state.outDegree = degrees.outDegree;
  state.inDegree = degrees.inDegree;
  state.outWeight = degrees.outWeight;
  state.inWeight = degrees.inWeight;
  state.weight = graph.weight ?? new Float64Array(graph.numEdges).fill(1);
  state.neighbors = null; // set before step 0 when the program asks for neighbour sets
  return { state, vertexSpecs, edgeSpecs };
}
