import { Command } from 'clipanion';
import { listGraphs } from '../../api/index.js';
import { GasCommand, formatCount } from '../base.js';

export class GraphListCommand extends GasCommand {
  static override paths = [['graph', 'list']];

  static override usage = Command.Usage({
    description: 'List the graphs in the catalog',
    examples: [
      ['List graphs', '$0 graph list'],
      ['As JSON', '$0 graph list --json'],
    ],
  });

  async run(): Promise<void> {
    const graphs = await this.withCatalog(listGraphs);
    if (this.json) {
      this.printJson(graphs);
      return;
    }
    if (graphs.length === 0) {
      this.context.stdout.write('no graphs (import one with: gasworks import FILE --name NAME)\n');
      return;
    }
    const rows = graphs.map((g) => [
      g.name,
      formatCount(g.vertices),
      formatCount(g.edges),
      g.directed ? 'directed' : 'undirected',
      `${g.partitions} ${g.strategy}`,
      g.replicationFactor.toFixed(2),
      g.createdAt.slice(0, 19).replace('T', ' '),
    ]);
    this.printTable(['NAME', 'VERTICES', 'EDGES', 'KIND', 'PARTITIONS', 'REPL', 'CREATED'], rows);
  }
}
