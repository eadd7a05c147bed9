/**
 * Checks shared by every way of running a program: that a program has the parts the engine
 * relies on (before any worker is started), and that whatever it throws reaches the caller as a
 * `GasError` naming the algorithm.
 */
import type { AnyVertexProgram } from '../engine/index.js';
import { GasError } from '../errors.js';

/** Checks the parts of a program the engine relies on; returns its result column. */
export function validateProgram(program: AnyVertexProgram): { column: string; width: number } {
  const fail = (problem: string): never => {
    throw new GasError('GAS_ERR_PROGRAM', `program ${program?.name ?? '(unnamed)'}: ${problem}`);
  };
  if (!program || typeof program !== 'object') return fail('create() must return a vertex program');
  if (typeof program.apply !== 'function') fail('apply must be a function');
  const columns = Object.entries(program.vertexColumns ?? {}) as [string, string | readonly [string, number]][];
  if (columns.length === 0) fail('vertexColumns must declare at least one column');
  const width = program.accumulatorWidth ?? 0;
  if (width === 0 && program.gather && !program.collect && typeof program.sum !== 'function') fail('a scalar gather needs a sum function (the monoid)');
  if (width > 0 && program.gather) fail('a vector program (accumulatorWidth > 0) implements gatherInto, not gather');
  for (const [name, aggregator] of Object.entries(program.aggregators ?? {})) {
    if (aggregator.width !== undefined) {
      if (!Number.isInteger(aggregator.width) || aggregator.width < 1) fail(`aggregator "${name}": width must be a positive integer`);
      if (typeof aggregator.mapInto !== 'function') fail(`aggregator "${name}": a vector aggregator (width) needs mapInto`);
    } else if (typeof aggregator.map !== 'function' || typeof aggregator.sum !== 'function') {
      fail(`aggregator "${name}": needs map and sum (or width and mapInto for a vector aggregator)`);
    }
  }
  for (const column of program.mirrorColumns ?? []) {
    if (!columns.some(([name]) => name === column)) fail(`mirrorColumns: "${column}" is not a vertex column`);
  }
  if (columns.some(([, declaration]) => Array.isArray(declaration) && declaration[1] === 'perWeightUnit'))
    fail('vertex columns cannot be perWeightUnit (only edge columns)');
  const name = program.result ?? columns[0]![0];
  const declaration = columns.find(([column]) => column === name)?.[1];
  if (declaration === undefined) fail(`result column "${name}" is not a vertex column`);
  return { column: name, width: typeof declaration === 'string' ? 1 : declaration![1] };
}

/** Any error as a `GasError`: a program's own exception becomes GAS_ERR_PROGRAM naming the algorithm. */
export function asGasError(error: unknown, algorithm: string): GasError {
  if (error instanceof GasError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GasError('GAS_ERR_PROGRAM', `${algorithm}: the program threw: ${message}`, { algorithm }, { cause: error });
}
