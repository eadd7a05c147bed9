import { Command, Option } from 'clipanion';
import { GasCommand } from '../base.js';
import { printJobSummary, runInService } from './run.js';

export class JobsResumeCommand extends GasCommand {
  static override paths = [['jobs', 'resume']];

  static override usage = Command.Usage({
    description: 'Go on with an interrupted or failed job from its newest checkpoint',
    details:
      'A job checkpoints every `--checkpoint-every K` steps, and where it stops when it is interrupted (Ctrl-C, SIGTERM, a server shutting down). `jobs resume` runs it again in this shell from its newest checkpoint whose every part verifies against its checksum (a corrupt or missing one falls back to the one before, and says so), with the algorithm, options, engine and workers it started with, under the same job id: its result is the one the uninterrupted run would have given. Progress, Ctrl-C, `--json` and the summary are as for `gasworks run`.',
    examples: [['Resume job 7', '$0 jobs resume 7']],
  });

  job = Option.String({ name: 'job' });

  async run(): Promise<void> {
    const summary = await this.withCatalog((catalog) =>
      runInService(this, catalog, async (service) => {
        const resumed = await service.resume(this.job);
        for (const passed of resumed.skipped) this.inform(`warning: passed over ${passed}`);
        this.inform(`job ${resumed.id}: resuming from checkpoint ${resumed.checkpoint} (after step ${resumed.step})`);
        return resumed;
      }),
    );
    if (this.json) this.printJson(summary);
    else printJobSummary(this.context.stdout, summary);
  }
}
