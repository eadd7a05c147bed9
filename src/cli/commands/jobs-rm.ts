import { Command, Option } from 'clipanion';
import { GasCommand } from '../base.js';

export class JobsRmCommand extends GasCommand {
  static override paths = [['jobs', 'rm']];

  static override usage = Command.Usage({
    description: 'Delete a finished job: its row and its stored results',
    details: 'A running job is refused. `gasworks jobs prune --failed` removes every failed job at once.',
    examples: [['Delete job 3', '$0 jobs rm 3']],
  });

  job = Option.String({ name: 'job' });

  async run(): Promise<void> {
    const job = await this.withCatalog((catalog) => catalog.jobs.remove(this.job));
    if (this.json) this.printJson({ removed: [job.id] });
    else this.context.stdout.write(`removed job ${job.id} (${job.algorithm} on ${job.graphName}, ${job.status}) and its results\n`);
  }
}
