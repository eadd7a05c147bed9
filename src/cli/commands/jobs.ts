import { Command, Option } from 'clipanion';
import { GasCommand, integerOption } from '../base.js';

export class JobsCommand extends GasCommand {
  static override paths = [['jobs']];

  static override usage = Command.Usage({
    description: 'List jobs, newest first',
    examples: [
      ['All recent jobs', '$0 jobs'],
      ['Jobs on graph cnr, as JSON', '$0 jobs --graph cnr --json'],
    ],
  });

  graph = Option.String('--graph', { description: 'Only jobs on this graph' });
  limit = Option.String('--limit', { description: 'At most this many (default 100)' });

  async run(): Promise<void> {
    const jobs = await this.withCatalog((catalog) => catalog.jobs.list({ graph: this.graph, limit: integerOption(this.limit, '--limit', 1, 1_000_000) }));
    if (this.json) {
      this.printJson(jobs);
      return;
    }
    if (jobs.length === 0) {
      this.context.stdout.write('no jobs (start one with: gasworks run pagerank --graph G)\n');
      return;
    }
    const rows = jobs.map((j) => [
      String(j.id),
      j.algorithm,
      j.graphName,
      j.status,
      j.iterations === null ? '' : `${j.iterations}${j.converged ? '' : '*'}`,
      j.computeMs === null ? '' : `${(j.computeMs / 1000).toFixed(2)} s`,
      j.createdAt.slice(0, 19).replace('T', ' '),
      j.errorMessage ?? '',
    ]);
    this.printTable(['JOB', 'ALGORITHM', 'GRAPH', 'STATUS', 'ITER', 'COMPUTE', 'CREATED', 'ERROR'], rows);
  }
}
