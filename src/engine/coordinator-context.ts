/** What the coordinator needs of a program between steps: its aggregators combined over workers, and the context `converged` reads. */
import type { AnyVertexProgram, ProgramContext } from './program.js';
import type { GraphFacts } from './worker-runtime.js';

export type CoordinatorContext = ProgramContext & { iteration: number; aggregates: Map<string, number> };

export function coordinatorContext(program: AnyVertexProgram, facts: GraphFacts): CoordinatorContext {
  return {
    ...facts,
    iteration: 0,
    aggregates: new Map<string, number>(),
    globalId: () => {
      throw new Error(`program ${program.name}: globalId() is not available in converged()`);
    },
    signal: () => {
      throw new Error(`program ${program.name}: signal() is not available in converged()`);
    },
    aggregate(name) {
      const value = this.aggregates.get(name);
      if (value === undefined) throw new Error(`program ${program.name}: no aggregator named "${name}"`);
      return value;
    },
  };
}

/** Combines the workers' aggregator partials (one array per worker, by aggregator order) and finalizes them. */
export function aggregateCombiner(program: AnyVertexProgram, context: CoordinatorContext): (partials: readonly number[][]) => Map<string, number> {
  const names = Object.keys(program.aggregators ?? {});
  return (partials) => {
    const values = new Map<string, number>();
    names.forEach((name, k) => {
      const aggregator = program.aggregators![name]!;
      let value = aggregator.zero;
      for (const worker of partials) value = aggregator.sum(value, worker[k]!);
      values.set(name, aggregator.finalize ? aggregator.finalize(value, context) : value);
    });
    return values;
  };
}
