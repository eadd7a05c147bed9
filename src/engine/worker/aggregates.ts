/**
 * Where each aggregator's partial lives in the flat array of numbers a worker returns: one slot
 * for a scalar aggregator, `width` consecutive slots for a vector one. Workers, coordinators and
 * the wire all see that one flat array; only the ends know the names. Combining the workers'
 * partials is here too: the coordinator combines every step's, and SSP workers combine them
 * among themselves.
 */
import type { AggregateValues, AnyVertexProgram, ProgramContext } from '../program/program.js';
import type { GraphFacts } from './worker-runtime.js';

export interface AggregateSlot {
  readonly name: string;
  readonly offset: number;
  /** 0 for a scalar aggregator. */
  readonly width: number;
}

export function aggregateLayout(program: AnyVertexProgram): { readonly slots: readonly AggregateSlot[]; readonly length: number } {
  let offset = 0;
  const slots = Object.entries(program.aggregators ?? {}).map(([name, aggregator]) => {
    const width = aggregator.width ?? 0;
    const slot = { name, offset, width };
    offset += Math.max(1, width);
    return slot;
  });
  return { slots, length: offset };
}

/** Only the scalar values (for step reports and job summaries). */
export function scalarAggregates(values: AggregateValues): Record<string, number> {
  const scalars: Record<string, number> = {};
  for (const [name, value] of values) if (typeof value === 'number') scalars[name] = value;
  return scalars;
}

export type CoordinatorContext = ProgramContext & { iteration: number; aggregates: AggregateValues };

export function coordinatorContext(program: AnyVertexProgram, facts: GraphFacts): CoordinatorContext {
  return {
    ...facts,
    iteration: 0,
    aggregates: new Map<string, number | Float64Array>(),
    globalId: () => {
      throw new Error(`program ${program.name}: globalId() is not available in converged()`);
    },
    signal: () => {
      throw new Error(`program ${program.name}: signal() is not available in converged()`);
    },
    send: () => {
      throw new Error(`program ${program.name}: send() is not available in converged()`);
    },
    message: 0,
    aggregate(name) {
      const value = this.aggregates.get(name);
      if (typeof value !== 'number') throw new Error(`program ${program.name}: no scalar aggregator named "${name}"`);
      return value;
    },
    aggregateVector(name) {
      const value = this.aggregates.get(name);
      if (!(value instanceof Float64Array)) throw new Error(`program ${program.name}: no vector aggregator named "${name}"`);
      return value;
    },
  };
}

/**
 * Combines the workers' aggregator partials (one flat array per worker, laid out by
 * `aggregateLayout`) and finalizes them: scalars through their monoid, vectors element-wise.
 */
export function aggregateCombiner(
  program: AnyVertexProgram,
  context: CoordinatorContext,
): (partials: readonly number[][]) => Map<string, number | Float64Array> {
  const { slots } = aggregateLayout(program);
  return (partials) => {
    const values = new Map<string, number | Float64Array>();
    for (const { name, offset, width } of slots) {
      const aggregator = program.aggregators![name]!;
      if (aggregator.width !== undefined) {
        const vector = new Float64Array(width);
        for (const worker of partials) for (let i = 0; i < width; i++) vector[i]! += worker[offset + i]!;
        values.set(name, vector);
        continue;
      }
      let value = aggregator.zero;
      for (const worker of partials) value = aggregator.sum(value, worker[offset]!);
      values.set(name, aggregator.finalize ? aggregator.finalize(value, context) : value);
    }
    return values;
  };
}
