import { Command, Option } from 'clipanion';
import { JobService, type JobEvent } from '../../api/index.js';
import { GasCommand } from '../base.js';

export class JobsWatchCommand extends GasCommand {
  static override paths = [['jobs', 'watch']];

  static override usage = Command.Usage({
    description: "Follow a job's progress until it ends, from any shell",
    details:
      'Prints every event of the job — queued, running, one line per step (async: per progress report) with its figures, and how it ended — from the start, then live. `--json` prints one JSON object per event (NDJSON). Exits 0 when the job succeeded, else with the exit status of how it ended.',
    examples: [['Follow job 7', '$0 jobs watch 7']],
  });

  job = Option.String({ name: 'job' });

  async run(): Promise<void> {
    await this.withCatalog(async (catalog) => {
      const service = new JobService(catalog);
      try {
        for await (const event of service.follow(this.job)) this.context.stdout.write(this.json ? `${JSON.stringify(event)}\n` : `${describeEvent(event)}\n`);
        // Ends as the job did: a failed or cancelled job's error (and exit status).
        service.outcome(this.job);
      } finally {
        service.close();
      }
    });
  }
}

/** One line per event: `12:00:01 step 3  active 325,557  change 1.2e-3  41 ms  37%  eta 2 s`. */
export function describeEvent(event: JobEvent): string {
  const time = event.at.slice(11, 19);
  switch (event.type) {
    case 'progress': {
      const p = event.progress;
      const figures = Object.entries(p.aggregates).map(([name, value]) => `${name} ${Number(value).toPrecision(3)}`);
      const done = p.percent === null ? [] : [`${p.percent.toFixed(0)}%`, `eta ${((p.etaMs ?? 0) / 1000).toFixed(1)} s`];
      return [`${time} step ${p.step}`, `active ${p.activeVertices.toLocaleString('en-US')}`, ...figures, `${p.stepMs.toFixed(0)} ms`, ...done].join('  ');
    }
    case 'succeeded':
      return `${time} succeeded: ${event.iterations} iterations, ${event.stopReason}, ${(event.computeMs / 1000).toFixed(2)} s computing`;
    case 'failed':
      return `${time} failed: ${event.code}: ${event.message}`;
    case 'interrupted':
      return `${time} interrupted: ${event.reason}`;
    default:
      return `${time} ${event.type}`;
  }
}
