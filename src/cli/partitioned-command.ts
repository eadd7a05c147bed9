/**
 * The partitioning options `import` and `repartition` share — `--partitions`, `--strategy`,
 * `--seed`, `--threshold`, `--lambda`, `--for` — declared once, parsed once.
 */
import { Option } from 'clipanion';
import { MAX_PARTITIONS } from '../ingest/options.js';
import { STRATEGY_NAMES } from '../partition/index.js';
import { GasCommand, integerOption, numberOption } from './base.js';

export abstract class PartitionedCommand extends GasCommand {
  partitions = Option.String('--partitions', { description: 'Number of partitions (import: 4; repartition: the current number)' });
  strategy = Option.String('--strategy', {
    description: `${STRATEGY_NAMES.join(' | ')} | auto (measure every strategy on a sample and keep the cheapest; import: random; repartition: the current one)`,
  });
  seed = Option.String('--seed', { description: 'Seed of the hashing and of the greedy strategies’ stream order (import: 1; repartition: the current one)' });
  threshold = Option.String('--threshold', {
    description: 'hybrid: in-degree above which in-edges follow their sources (default 100; repartition: the current value)',
  });
  lambda = Option.String('--lambda', { description: 'hdrf: weight of the balance term λ (default 1; repartition: the current value)' });
  forAlgorithm = Option.String('--for', {
    description: 'With --strategy auto: the algorithm the graph is for (e.g. pagerank); auto then weighs the edges it gathers on',
  });

  /** The options above, parsed (undefined where not given); each error names its option. */
  protected partitionOptions(): { partitions?: number; strategy?: string; seed?: number; threshold?: number; lambda?: number; for?: string } {
    return {
      partitions: integerOption(this.partitions, '--partitions', 1, MAX_PARTITIONS),
      strategy: this.strategy,
      seed: integerOption(this.seed, '--seed', 0, Number.MAX_SAFE_INTEGER),
      threshold: integerOption(this.threshold, '--threshold', 0, 2 ** 32 - 1),
      lambda: numberOption(this.lambda, '--lambda', 0),
      for: this.forAlgorithm,
    };
  }
}
