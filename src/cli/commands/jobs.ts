import { Command, Option } from 'clipanion';
import { findAlgorithm } from '../../algorithms/index.js';
import type { JobRecord } from '../../storage/index.js';
import { NotFoundError } from '../../errors.js';
import { formatCount, GasCommand, integerOption } from '../base.js';

/** What the markers after a job's iteration count mean (printed under the table when one shows). */
const ITERATION_MARKERS: Readonly<Record<string, string>> = {
  '*': 'stopped at the iteration limit (--max-iterations; async: --max-updates or --timeout) without converging',
  '=': 'a fixed number of iterations by design (ALS, LDA, --tolerance 0): no convergence test',
};

/** ITER: the steps a job ran, or an asynchronous job's vertex updates (it has no steps), with its marker. */
function iterationText(job: Pick<JobRecord, 'iterations' | 'converged' | 'summary'>): string {
  const updates = (job.summary?.async as { updates?: number } | null | undefined)?.updates;
  return `${typeof updates === 'number' ? `${formatCount(updates)} upd` : job.iterations}${iterationMarker(job)}`;
}

/** How the run stopped, from the summary's stopReason (jobs from before it: the converged flag). */
function iterationMarker(job: Pick<JobRecord, 'converged' | 'summary'>): string {
  const reason = job.summary?.stopReason;
  if (reason === 'fixed-iterations') return '=';
  if (reason === 'converged' || (reason === undefined && job.converged)) return '';
  return '*';
}

export class JobsCommand extends GasCommand {
  static override paths = [['jobs']];

  static override usage = Command.Usage({
    description: 'List jobs, newest first',
    details:
      'OPTIONS shows the options that differ from the algorithm’s defaults (all of them for a program file); `--json` gives every option. Remove jobs with `gasworks jobs rm <job>` and `gasworks jobs prune --failed`.',
    examples: [
      ['All recent jobs', '$0 jobs'],
      ['Jobs on graph cnr, as JSON', '$0 jobs --graph cnr --json'],
      ['The newest job id on graph cnr, for scripts', 'JOB=$(gasworks jobs --last --graph cnr)'],
    ],
  });

  graph = Option.String('--graph', { description: 'Only jobs on this graph' });
  limit = Option.String('--limit', { description: 'At most this many (default 100)' });
  last = Option.Boolean('--last', false, { description: 'Print only the newest job id (on --graph G if given); exit 66 when there is none' });

  async run(): Promise<void> {
    const limit = this.last ? 1 : integerOption(this.limit, '--limit', 1, 1_000_000);
    const jobs = await this.withCatalog((catalog) => catalog.jobs.list({ graph: this.graph, limit }));
    if (this.last) {
      const newest = jobs[0];
      if (!newest) throw new NotFoundError(this.graph ? `no jobs on graph ${this.graph}` : 'no jobs', { graph: this.graph });
      if (this.json) this.printJson(newest);
      else this.context.stdout.write(`${newest.id}\n`);
      return;
    }
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
      j.graphRemoved === null ? j.status : `${j.status} (graph ${j.graphRemoved})`,
      j.iterations === null ? '' : iterationText(j),
      j.computeMs === null ? '' : `${(j.computeMs / 1000).toFixed(2)} s`,
      j.createdAt.slice(0, 19).replace('T', ' '),
      compactOptions(j),
      j.errorMessage ?? '',
    ]);
    this.printTable(['JOB', 'ALGORITHM', 'GRAPH', 'STATUS', 'ITER', 'COMPUTE', 'CREATED', 'OPTIONS', 'ERROR'], rows);
    const shown = Object.entries(ITERATION_MARKERS).filter(([marker]) => rows.some((row) => row[4]!.endsWith(marker)));
    if (shown.length) this.context.stdout.write(`\n${shown.map(([marker, meaning]) => `${marker} after ITER: ${meaning}`).join('\n')}\n`);
  }
}

/** `damping=0.9 maxIterations=20`: the options that differ from the algorithm's defaults (all of a program file's). */
export function compactOptions(job: Pick<JobRecord, 'algorithm' | 'programFile' | 'options'>): string {
  const defaults: Readonly<Record<string, unknown>> = (job.programFile === null ? findAlgorithm(job.algorithm)?.defaults : undefined) ?? {};
  return Object.entries(job.options)
    .filter(([name, value]) => !sameValue(value, defaults[name]))
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
