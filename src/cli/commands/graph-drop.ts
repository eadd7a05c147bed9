import { Command, Option } from 'clipanion';
import { dropGraph } from '../../api/index.js';
import { GasCommand } from '../base.js';

export class GraphDropCommand extends GasCommand {
  static override paths = [['graph', 'drop']];

  static override usage = Command.Usage({
    description: 'Delete a graph and its stored partitions',
    examples: [['Drop graph cnr', '$0 graph drop cnr']],
  });

  name = Option.String({ name: 'graph' });

  async run(): Promise<void> {
    const graph = await this.withCatalog((catalog) => dropGraph(catalog, this.name));
    if (this.json) this.printJson({ dropped: graph.name, id: graph.id });
    else this.context.stdout.write(`dropped graph "${graph.name}" (${graph.id})\n`);
  }
}
