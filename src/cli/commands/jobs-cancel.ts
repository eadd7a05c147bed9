import { Command, Option } from 'clipanion';
import { JobService, isTerminal } from '../../api/index.js';
import { GasCommand, numberOption } from '../base.js';

export class JobsCancelCommand extends GasCommand {
  static override paths = [['jobs', 'cancel']];

  static override usage = Command.Usage({
    description: 'Cancel a queued or running job, from any shell',
    details:
      'A queued job ends at once. A running one — in `gasworks run` in another shell, or in `gasworks serve` — stops at its next step boundary and ends `cancelled`, leaving no result. The command waits until it has (at most `--wait` seconds, default 60). A job that has already ended is left as it is.',
    examples: [['Cancel job 7', '$0 jobs cancel 7']],
  });

  job = Option.String({ name: 'job' });
  wait = Option.String('--wait', { description: 'Seconds to wait for the job to stop (default 60; 0: ask and return)' });

  async run(): Promise<void> {
    const waitSeconds = numberOption(this.wait, '--wait', 0) ?? 60;
    const job = await this.withCatalog(async (catalog) => {
      const service = new JobService(catalog);
      try {
        const asked = service.cancel(this.job);
        if (isTerminal(asked.status) || waitSeconds === 0) return asked;
        const stop = AbortSignal.timeout(waitSeconds * 1000);
        // Read to its end: follow returns once the job has ended (or the wait is over).
        for await (const _ of service.follow(asked.id, 0, stop));
        return service.get(asked.id);
      } finally {
        service.close();
      }
    });
    if (this.json) this.printJson(job);
    else if (job.status === 'cancelled') this.context.stdout.write(`job ${job.id} (${job.algorithm} on ${job.graphName}) cancelled\n`);
    else if (isTerminal(job.status)) this.context.stdout.write(`job ${job.id} had already ended: ${job.status}\n`);
    else this.context.stdout.write(`job ${job.id} was asked to stop; it is still ${job.status} (its process stops it at the next step boundary)\n`);
  }
}
