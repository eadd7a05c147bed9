/** Vertex-cut partitioning: strategies by name, the routing table, balance metrics. */
import { InvalidArgumentError } from '../errors.js';
import { canonicalRandomStrategy } from './canonical-random.js';
import { dbhStrategy } from './dbh.js';
import { gridStrategy } from './grid.js';
import { hdrfStrategy } from './hdrf.js';
import { hybridStrategy } from './hybrid.js';
import { obliviousStrategy } from './oblivious.js';
import { oneDimensionalDestinationStrategy, oneDimensionalSourceStrategy } from './one-dimensional.js';
import { randomStrategy } from './random.js';
import type { PartitionStrategy } from './types.js';

export type { PartitionContext, Partitioner, PartitionStrategy } from './types.js';
export { buildRouting, replicationFactor, balance, type Routing } from './routing.js';
export { gridShape } from './grid.js';
export { hashVertex, hashPair } from './hash.js';
export { shuffledChunks } from './stream-order.js';
export { measureStrategy, type EdgeStream, type StrategyMeasurement } from './measure.js';
export { AUTO_STRATEGY, SAMPLE_EDGES, chooseStrategy, type StrategyChoice, type ProgramTarget } from './auto.js';
export { gatherSpan, messagesPerVertex, type GatherDirection } from './gather-span.js';

const STRATEGIES: readonly PartitionStrategy[] = [
  randomStrategy,
  canonicalRandomStrategy,
  oneDimensionalSourceStrategy,
  oneDimensionalDestinationStrategy,
  gridStrategy,
  obliviousStrategy,
  hdrfStrategy,
  dbhStrategy,
  hybridStrategy,
];

/** Defaults of the strategies' parameters. */
export const PARTITION_DEFAULTS = { threshold: 100, lambda: 1 } as const;

export const STRATEGY_NAMES = STRATEGIES.map((strategy) => strategy.name);

export function strategyByName(name: string): PartitionStrategy {
  const strategy = STRATEGIES.find((candidate) => candidate.name === name);
  if (!strategy) {
    throw new InvalidArgumentError(`import: --strategy must be one of ${STRATEGY_NAMES.join(', ')}, got ${JSON.stringify(name)}`, { option: 'strategy' });
  }
  return strategy;
}
