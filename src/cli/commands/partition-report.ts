import { Command, Option } from 'clipanion';
import { partitionReport } from '../../api/partition-report.js';
import { STRATEGY_NAMES } from '../../partition/index.js';
import type { GraphFormat } from '../../storage/index.js';
import { GasCommand, integerOption, numberOption } from '../base.js';

export class PartitionReportCommand extends GasCommand {
  static override paths = [['partition-report']];

  static override usage = Command.Usage({
    description: 'Compare partitioning strategies on a graph file or stored graph, storing nothing',
    details: `
      For each strategy: replication factor, edge balance (max/mean edges per partition), vertex balance (max/mean replicas per partition), time, edges/s and the memory of the strategy's state. Strategies: ${STRATEGY_NAMES.join(', ')}.
    `,
    examples: [
      ['Every strategy at 16 partitions', '$0 partition-report soc-Slashdot0902.txt.gz --partitions 16'],
      ['Three strategies on a stored graph, as JSON', '$0 partition-report cnr --partitions 8 --strategies grid,hdrf,dbh --json'],
    ],
  });

  source = Option.String({ name: 'file-or-graph' });
  partitions = Option.String('--partitions', { required: true, description: 'Number of partitions P' });
  strategies = Option.String('--strategies', { description: `Comma-separated (default: all: ${STRATEGY_NAMES.join(',')})` });
  undirected = Option.Boolean('--undirected', false, { description: 'Treat a file as undirected' });
  format = Option.String('--format', { description: 'File format (default: detected)' });
  seed = Option.String('--seed', { description: 'Seed of the hashing strategies (default 1)' });
  threshold = Option.String('--threshold', { description: 'hybrid: in-degree threshold (default 100)' });
  lambda = Option.String('--lambda', { description: 'hdrf: balance weight λ (default 1)' });
  streamOrder = Option.Boolean('--stream-order', false, { description: 'Give hdrf and oblivious the edges in file order instead of a seeded shuffle' });

  forAlgorithm = Option.String('--for', {
    description: 'An algorithm (e.g. pagerank): add its estimated messages per vertex per step, from the edges it gathers on',
  });

  async run(): Promise<void> {
    const report = await this.withCatalog((catalog) =>
      partitionReport(catalog, {
        source: this.source,
        partitions: integerOption(this.partitions, '--partitions', 1, 1024)!,
        strategies: this.strategies?.split(',').map((s) => s.trim()),
        undirected: this.undirected,
        format: this.format as GraphFormat | undefined,
        seed: integerOption(this.seed, '--seed', 0, Number.MAX_SAFE_INTEGER),
        threshold: integerOption(this.threshold, '--threshold', 0, 2 ** 32 - 1),
        lambda: numberOption(this.lambda, '--lambda', 0),
        streamOrder: this.streamOrder,
        for: this.forAlgorithm,
      }),
    );
    if (this.json) {
      this.printJson(report.rows);
      return;
    }
    this.context.stdout.write(`${this.source}: ${report.vertices} vertices, ${report.edges} edges, P = ${this.partitions}\n\n`);
    this.printTable(
      [
        'strategy',
        'replication',
        'edge balance',
        'vertex balance',
        'seconds',
        'edges/s',
        'state MB',
        ...(this.forAlgorithm ? ['gather span', 'messages/vertex'] : []),
      ],
      report.rows.map((r) => [
        r.strategy,
        r.replicationFactor.toFixed(3),
        r.edgeBalance.toFixed(3),
        r.vertexBalance.toFixed(3),
        r.seconds.toFixed(2),
        `${(r.edgesPerSecond / 1e6).toFixed(1)} M`,
        r.stateMB.toFixed(1),
        ...(r.messagesPerVertex === undefined ? [] : [r.gatherSpan.toFixed(3), r.messagesPerVertex.toFixed(3)]),
      ]),
    );
  }
}
