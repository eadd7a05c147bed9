import { Command, Option } from 'clipanion';
import { graphInfo, type DegreeSummary } from '../../api/index.js';
import { GasCommand, formatCount } from '../base.js';

export class GraphInfoCommand extends GasCommand {
  static override paths = [['graph', 'info']];

  static override usage = Command.Usage({
    description: 'Describe a graph: counts, degrees, replication factor, balance, partition sizes',
    examples: [
      ['Describe graph cnr', '$0 graph info cnr'],
      ['As JSON', '$0 graph info cnr --json'],
    ],
  });

  name = Option.String({ name: 'graph' });

  async run(): Promise<void> {
    const info = await this.withCatalog((catalog) => graphInfo(catalog, this.name));
    if (this.json) {
      this.printJson(info);
      return;
    }
    const out = this.context.stdout;
    const line = (label: string, value: string): boolean => out.write(`${label.padEnd(20)}${value}\n`);
    line('graph', `${info.name} (${info.id})`);
    line('source', `${info.sourceFile} [${info.format}]`);
    line('kind', `${info.directed ? 'directed' : 'undirected'}${info.weighted ? ', weighted' : ''}`);
    line('vertices', formatCount(info.vertices));
    line('edges', formatCount(info.edges));
    line('self-loops', `${formatCount(info.selfLoops)}${info.removedSelfLoops ? ' (removed)' : ''}`);
    line('multi-edges', `${formatCount(info.multiEdges)}${info.removedMultiEdges ? ' (removed)' : ''}`);
    for (const [name, summary] of Object.entries(info.degrees) as [string, DegreeSummary][]) {
      line(
        name,
        `min ${summary.min}  median ${summary.median}  mean ${summary.mean.toFixed(2)}  max ${formatCount(summary.max)}  zero ${formatCount(summary.zero)}`,
      );
    }
    line('partitions', `${info.partitions} (${info.strategy}, seed ${info.seed})`);
    if (info.strategyReason) line('chosen because', info.strategyReason);
    line('replication factor', info.replicationFactor.toFixed(3));
    line('edge balance', `${info.edgeBalance.toFixed(3)} (max/mean edges per partition)`);
    line('master balance', `${info.vertexBalance.toFixed(3)} (max/mean masters per partition)`);
    line('imported', `${info.createdAt} in ${(info.importMs / 1000).toFixed(2)} s`);
    out.write(`\n${'PARTITION'.padEnd(11)}${'VERTICES'.padStart(12)}${'MASTERS'.padStart(12)}${'EDGES'.padStart(14)}\n`);
    for (const p of info.partitionSizes) {
      out.write(
        `${String(p.partition).padEnd(11)}${formatCount(p.vertices).padStart(12)}${formatCount(p.masters).padStart(12)}${formatCount(p.edges).padStart(14)}\n`,
      );
    }
  }
}
