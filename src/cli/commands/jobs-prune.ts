import { Command, Option } from 'clipanion';
import { InvalidArgumentError } from '../../errors.js';
import { GasCommand } from '../base.js';

export class JobsPruneCommand extends GasCommand {
  static override paths = [['jobs', 'prune']];

  static override usage = Command.Usage({
    description: 'Delete jobs in bulk: every failed job (and what results it left)',
    examples: [
      ['Remove the failed jobs', '$0 jobs prune --failed'],
      ['Only those on graph cnr', '$0 jobs prune --failed --graph cnr'],
    ],
  });

  failed = Option.Boolean('--failed', false, { description: 'Remove the failed jobs (required: the one kind prune removes today)' });
  graph = Option.String('--graph', { description: 'Only jobs on this graph' });

  async run(): Promise<void> {
    // Which jobs must be said: a bare `prune` deleting things by default would be a trap.
    if (!this.failed) throw new InvalidArgumentError('jobs prune: say which jobs to remove: --failed', { option: 'failed' });
    const removed = await this.withCatalog((catalog) => catalog.jobs.prune({ status: 'failed', graph: this.graph }));
    if (this.json) this.printJson({ removed: removed.map((job) => job.id) });
    else
      this.context.stdout.write(
        removed.length === 0
          ? 'no failed jobs to remove\n'
          : `removed ${removed.length} failed job${removed.length === 1 ? '' : 's'} (${removed.map((job) => job.id).join(', ')})\n`,
      );
  }
}
