/**
 * `--strategy auto`: measure, don't guess. Every strategy partitions a sample of the graph's own
 * edge stream (about `SAMPLE_EDGES` edges: every k-th, so that the sample spans the whole file
 * or stored graph) into the requested number of partitions; among those with edge balance ≤ 1.1 the cheapest
 * wins, and the import summary says why, with the runners-up. Cost: about one second per
 * million sampled edges.
 *
 * "Cheapest" is the lowest replication factor (PowerGraph: runtime follows replication), unless
 * the import names the program it is for (`--for pagerank`): then the lowest estimated messages
 * per vertex per step for that program's gather direction, (replication − 1) + (gather span − 1)
 * (`gather-span.ts`) — on a directed graph a program gathering in-edges is cheap under a cut
 * that keeps each vertex's in-edges together (hybrid, 1d-destination), whatever the replication.
 */
import { messagesPerVertex, type GatherDirection } from './gather-span.js';
import { measureStrategy, type EdgeStream, type StrategyMeasurement } from './measure.js';
import type { PartitionStrategy } from './types.js';

export const AUTO_STRATEGY = 'auto';
export const SAMPLE_EDGES = 1 << 20;
const BALANCED = 1.1;

/** The program a partitioning is chosen for: its name (for the reason) and gather direction. */
export interface ProgramTarget {
  readonly name: string;
  readonly gathers: GatherDirection;
}

export interface StrategyChoice {
  readonly strategy: PartitionStrategy;
  /** One line for the import summary: the choice, its measurements, the runners-up. */
  readonly reason: string;
}

export function chooseStrategy(
  candidates: readonly PartitionStrategy[],
  sample: EdgeStream,
  partitions: number,
  parameters: { seed: number; threshold: number; lambda: number; target?: ProgramTarget },
): StrategyChoice {
  const target = parameters.target;
  const directional = target !== undefined && target.gathers !== 'all' && sample.directed;
  const measured: { strategy: PartitionStrategy; m: StrategyMeasurement; cost: number }[] = candidates.map((strategy) => {
    const m = measureStrategy(strategy, sample, partitions, { ...parameters, streamOrder: false, gathers: target?.gathers });
    return { strategy, m, cost: directional ? messagesPerVertex(m.replicationFactor, m.gatherSpan) : m.replicationFactor };
  });
  const balanced = measured.filter(({ m }) => m.edgeBalance <= BALANCED);
  const pool = balanced.length > 0 ? balanced : measured;
  pool.sort((a, b) => a.cost - b.cost || b.m.edgesPerSecond - a.m.edgesPerSecond);
  const best = pool[0]!;
  const figure = (m: StrategyMeasurement, cost: number): string =>
    directional
      ? `${cost.toFixed(2)} (replication ${m.replicationFactor.toFixed(2)}, ${target!.gathers}-edge span ${m.gatherSpan.toFixed(2)})`
      : cost.toFixed(2);
  const others = measured
    .filter((x) => x !== best)
    .sort((a, b) => a.cost - b.cost)
    .map(({ strategy, m, cost }) => `${strategy.name} ${figure(m, cost)}${m.edgeBalance > BALANCED ? ` (edge balance ${m.edgeBalance.toFixed(2)})` : ''}`);
  const size = `a ${sample.src.length.toLocaleString('en-US')}-edge sample at P = ${partitions}`;
  const reason = directional
    ? `auto chose ${best.strategy.name} for ${target!.name} (gathers ${target!.gathers}-edges): ${figure(best.m, best.cost)} estimated messages per vertex per step, ` +
      `edge balance ${best.m.edgeBalance.toFixed(2)} on ${size}; others: ${others.join(', ')}`
    : `auto chose ${best.strategy.name}: replication ${best.m.replicationFactor.toFixed(2)}, edge balance ${best.m.edgeBalance.toFixed(2)} ` +
      `on ${size}${target ? ` (${target.name} gathers all edges: replication decides)` : ''}; others: ${others.join(', ')}`;
  return { strategy: best.strategy, reason };
}
