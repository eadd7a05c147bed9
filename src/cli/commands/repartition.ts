import { Command, Option } from 'clipanion';
import { repartition } from '../../api/index.js';
import { PartitionedCommand } from '../partitioned-command.js';

export class RepartitionCommand extends PartitionedCommand {
  static override paths = [['repartition']];

  static override usage = Command.Usage({
    description: 'Cut a stored graph anew: another strategy, partition count, seed or parameter',
    details: `
      Reads the graph's edges back from its stored partitions (not from the source file) and lays them out again. The graph keeps its name, id, jobs and results; options not given keep their current values. Atomic: on any error, or if the process is killed, the graph keeps its current partitions.
    `,
    examples: [
      ['HDRF over 16 partitions', '$0 repartition cnr --strategy hdrf --partitions 16'],
      ['Let gasworks measure and choose', '$0 repartition cnr --strategy auto'],
    ],
  });

  graph = Option.String({ name: 'graph' });

  async run(): Promise<void> {
    const result = await this.withCatalog((catalog) =>
      repartition(catalog, {
        graph: this.graph,
        ...this.partitionOptions(),
        onProgress: this.progress(),
      }),
    );
    const { graph: g, previous: was } = result;
    if (this.json) {
      this.printJson({
        ...g,
        previous: result.previous,
        strategyReason: result.strategyReason,
        partitionSizes: result.partitionSizes,
        timings: result.timings,
      });
      return;
    }
    this.context.stdout.write(
      `repartitioned graph "${g.name}" (${g.id}) in ${(result.timings.totalMs / 1000).toFixed(2)} s; its jobs and results are kept\n` +
        `  was: ${was.partitions} partitions (${was.strategy}, seed ${was.seed}): replication factor ${was.replicationFactor.toFixed(3)}, edge balance ${was.edgeBalance.toFixed(3)}\n` +
        `  now: ${g.partitions} partitions (${g.strategy}, seed ${g.seed}): replication factor ${g.replicationFactor.toFixed(3)}, edge balance ${g.edgeBalance.toFixed(3)}\n` +
        (result.strategyReason ? `  ${result.strategyReason}\n` : ''),
    );
  }
}
