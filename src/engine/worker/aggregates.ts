/**
 * Where each aggregator's partial lives in the flat array of numbers a worker returns: one slot
 * for a scalar aggregator, `width` consecutive slots for a vector one. Workers, coordinators and
 * the wire all see that one flat array; only the ends know the names.
 */
import type { AggregateValues, AnyVertexProgram } from '../program/program.js';

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
