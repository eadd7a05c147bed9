/** Allocation of a program's typed-array state on one worker. */
import { GasError } from '../../errors.js';
import { allocateColumn, type ColumnSpec, type TypedColumn } from '../../storage/columns.js';
import type { LocalGraph } from './local-graph.js';
import type { NeighborSets } from './neighbor-sets.js';
import type { AnyVertexProgram, ColumnDeclaration, ColumnDeclarations } from '../program/program.js';

/** The state object as the engine holds it: typed columns plus the optional neighbour sets. */
export type ProgramStateRecord = Record<string, TypedColumn | NeighborSets | null>;

/** Whole-graph degrees and edge-weight totals of a worker's local vertices. */
export interface LocalDegrees {
  readonly outDegree: Uint32Array;
  readonly inDegree: Uint32Array;
  readonly outWeight: Float64Array;
  readonly inWeight: Float64Array;
}

export function columnSpecs(declarations: ColumnDeclarations | undefined): StateColumnSpec[] {
  return Object.entries(declarations ?? {}).map(([name, declaration]) => toSpec(name, declaration));
}

/** A column's spec; `perWeightUnit` columns have width 1 and one row per unit of edge weight. */
export type StateColumnSpec = ColumnSpec & { readonly perWeightUnit?: boolean };

function toSpec(name: string, declaration: ColumnDeclaration): StateColumnSpec {
  if (typeof declaration === 'string') return { name, type: declaration, width: 1 };
  const [type, width] = declaration;
  return width === 'perWeightUnit' ? { name, type, width: 1, perWeightUnit: true } : { name, type, width };
}

/** Values per vertex of a vertex column (vertex columns cannot be perWeightUnit). */
export function vertexColumnWidth(declaration: ColumnDeclaration): number {
  if (typeof declaration === 'string') return 1;
  if (declaration[1] === 'perWeightUnit') throw new Error('only edge columns can be perWeightUnit');
  return declaration[1];
}

export const BUILT_IN_COLUMNS = ['outDegree', 'inDegree', 'outWeight', 'inWeight', 'weight', 'weightOffsets', 'neighbors'] as const;

/** Prefix sums of the edge weights, which must be non-negative integers (token counts, …). */
function weightOffsetsOf(program: AnyVertexProgram, weight: Float64Array, column: string): Uint32Array {
  const offsets = new Uint32Array(weight.length + 1);
  let total = 0;
  for (let e = 0; e < weight.length; e++) {
    const units = weight[e]!;
    if (!Number.isInteger(units) || units < 0) {
      throw new GasError(
        'GAS_ERR_PROGRAM',
        `program ${program.name}: edge column "${column}" holds one value per unit of edge weight, but an edge has weight ${units} (expected a non-negative integer, e.g. a token count)`,
      );
    }
    total += units;
    if (total > 0xffffffff)
      throw new GasError('GAS_ERR_PROGRAM', `program ${program.name}: edge column "${column}": more than 2^32 weight units on one worker`);
    offsets[e + 1] = total;
  }
  return offsets;
}

/**
 * The `state` object handed to every callback: one typed array per declared column, plus the
 * built-in `outDegree`/`inDegree` (whole-graph degrees of the local vertices) and `weight`.
 */
export function allocateState(
  program: AnyVertexProgram,
  graph: LocalGraph,
  degrees: LocalDegrees,
): { state: ProgramStateRecord; vertexSpecs: StateColumnSpec[]; edgeSpecs: StateColumnSpec[] } {
  const vertexSpecs = columnSpecs(program.vertexColumns);
  const edgeSpecs = columnSpecs(program.edgeColumns);
  const state: ProgramStateRecord = {};
  for (const spec of [...vertexSpecs, ...edgeSpecs]) {
    if ((BUILT_IN_COLUMNS as readonly string[]).includes(spec.name) || spec.name in state) {
      throw new Error(`program ${program.name}: column name "${spec.name}" is reserved or declared twice`);
    }
  }
  for (const spec of vertexSpecs) {
    if (spec.perWeightUnit) throw new Error(`program ${program.name}: vertex column "${spec.name}": only edge columns can be perWeightUnit`);
    state[spec.name] = allocateColumn(spec, graph.numVertices);
  }
  const weight = graph.weight ?? new Float64Array(graph.numEdges).fill(1);
  const perUnit = edgeSpecs.find((spec) => spec.perWeightUnit);
  const weightOffsets = perUnit ? weightOffsetsOf(program, weight, perUnit.name) : new Uint32Array(0);
  for (const spec of edgeSpecs) state[spec.name] = allocateColumn(spec, spec.perWeightUnit ? weightOffsets[graph.numEdges]! : graph.numEdges);
  state.outDegree = degrees.outDegree;
  state.inDegree = degrees.inDegree;
  state.outWeight = degrees.outWeight;
  state.inWeight = degrees.inWeight;
  state.weight = weight;
  state.weightOffsets = weightOffsets;
  state.neighbors = null; // set before step 0 when the program asks for neighbour sets
  return { state, vertexSpecs, edgeSpecs };
}

/** Fields per value record sent to mirrors: the widths of the program's mirrored vertex columns. */
export function mirrorRecordWidth(program: AnyVertexProgram): number {
  const mirrored = program.mirrorColumns;
  return columnSpecs(program.vertexColumns)
    .filter((spec) => !mirrored || mirrored.includes(spec.name))
    .reduce((sum, spec) => sum + spec.width, 0);
}
