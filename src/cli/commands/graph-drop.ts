import { Command, Option } from 'clipanion';
import { dropGraph } from '../../api/index.js';
import { GasCommand } from '../base.js';

export class GraphDropCommand extends GasCommand {
  static override paths = [['graph', 'drop']];

  static override usage = Command.Usage({
    description: 'Delete a graph and its stored partitions',
    details: `
      Refused (GAS_ERR_BUSY) while a job runs on the graph: the job keeps its graph until it ends. When finished jobs on the graph have results, those results are deleted with it, so \`--force\` is needed; the jobs stay in \`gasworks jobs\`, marked "graph dropped".
    `,
    examples: [
      ['Drop graph cnr', '$0 graph drop cnr'],
      ['Drop it with the results of its jobs', '$0 graph drop cnr --force'],
    ],
  });

  name = Option.String({ name: 'graph' });
  force = Option.Boolean('--force', false, { description: 'Also when finished jobs have results on it (they are deleted with it; the jobs stay listed)' });

  async run(): Promise<void> {
    const graph = await this.withCatalog((catalog) => dropGraph(catalog, this.name, { force: this.force }));
    if (this.json) {
      this.printJson({ dropped: graph.name, id: graph.id, discardedJobs: graph.discardedJobs });
      return;
    }
    this.context.stdout.write(`dropped graph "${graph.name}" (${graph.id})\n`);
    const n = graph.discardedJobs.length;
    if (n > 0) {
      this.context.stdout.write(
        `  deleted the results of ${n === 1 ? 'job' : `${n} jobs:`} ${graph.discardedJobs.join(', ')}; ` +
          `${n === 1 ? 'it stays' : 'they stay'} in gasworks jobs, marked "graph dropped"\n`,
      );
    }
  }
}
