/**
 * `--strategy auto`: measure, don't guess. Every strategy partitions a sample of the graph's own
 * edge stream (its first `SAMPLE_EDGES` edges, in file order — what the import will see first)
 * into the requested number of partitions; the one with the lowest replication factor among
 * those with edge balance ≤ 1.1 wins (PowerGraph: runtime follows replication), and the import
 * summary says why, with the runners-up. Cost: about one second per million sampled edges.
 */
import { measureStrategy, type EdgeStream, type StrategyMeasurement } from './measure.js';
import type { PartitionStrategy } from './types.js';

export const AUTO_STRATEGY = 'auto';
export const SAMPLE_EDGES = 1 << 20;
const BALANCED = 1.1;

export interface StrategyChoice {
  readonly strategy: PartitionStrategy;
  /** One line for the import summary: the choice, its measurements, the runners-up. */
  readonly reason: string;
}

export function chooseStrategy(
  candidates: readonly PartitionStrategy[],
  sample: EdgeStream,
  partitions: number,
  parameters: { seed: number; threshold: number; lambda: number },
): StrategyChoice {
  const measured: { strategy: PartitionStrategy; m: StrategyMeasurement }[] = candidates.map((strategy) => ({
    strategy,
    m: measureStrategy(strategy, sample, partitions, { ...parameters, streamOrder: false }),
  }));
  const balanced = measured.filter(({ m }) => m.edgeBalance <= BALANCED);
  const pool = balanced.length > 0 ? balanced : measured;
  pool.sort((a, b) => a.m.replicationFactor - b.m.replicationFactor || b.m.edgesPerSecond - a.m.edgesPerSecond);
  const best = pool[0]!;
  const others = measured
    .filter((x) => x !== best)
    .sort((a, b) => a.m.replicationFactor - b.m.replicationFactor)
    .map(
      ({ strategy, m }) => `${strategy.name} ${m.replicationFactor.toFixed(2)}${m.edgeBalance > BALANCED ? ` (edge balance ${m.edgeBalance.toFixed(2)})` : ''}`,
    );
  const reason =
    `auto chose ${best.strategy.name}: replication ${best.m.replicationFactor.toFixed(2)}, edge balance ${best.m.edgeBalance.toFixed(2)} ` +
    `on a ${sample.src.length.toLocaleString('en-US')}-edge sample at P = ${partitions}; others: ${others.join(', ')}`;
  return { strategy: best.strategy, reason };
}
