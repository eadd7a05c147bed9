/**
 * What both engines' coordinators share: the program's aggregators combined over workers, the
 * context `converged` reads, message routing, and the start of a run before step 0.
 */
import type { WorkerEndpoint } from './endpoint.js';
import type { AnyVertexProgram, ProgramContext } from './program.js';
import type { GraphFacts, Message } from './worker-runtime.js';

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

/** outboxes[from][to] → inboxes[to][from]. */
export function transpose(outboxes: readonly (readonly Message[])[]): Message[][] {
  return outboxes.map((_, to) => outboxes.map((outbox) => outbox[to] ?? null));
}

/**
 * Before step 0: neighbour sets if the program asks for them (local lists → masters merge →
 * union back to mirrors), initial state and aggregates on every replica, and the first
 * activation. Returns the first aggregates and each worker's activation.
 */
export async function startRun(
  workers: readonly WorkerEndpoint[],
  program: AnyVertexProgram,
  combine: (partials: readonly number[][]) => Map<string, number>,
): Promise<{ aggregates: Map<string, number>; activated: { outbox: Message[]; activeMasters: number }[] }> {
  if (program.needsNeighborSets) {
    const toMasters = transpose(await Promise.all(workers.map((w) => w.neighborsToMasters())));
    const toMirrors = transpose(await Promise.all(workers.map((w, i) => w.neighborsFromMirrors(toMasters[i]!))));
    await Promise.all(workers.map((w, i) => w.neighborsInstall(toMirrors[i]!)));
  }
  const aggregates = combine(await Promise.all(workers.map((w) => w.init())));
  await Promise.all(workers.map((w) => w.setAggregates(aggregates)));
  const activated = await Promise.all(workers.map((w) => w.activate([], 0)));
  return { aggregates, activated };
}
