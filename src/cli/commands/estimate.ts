import { Command, Option } from 'clipanion';
import { findAlgorithm } from '../../algorithms/index.js';
import { estimateJob, type JobEstimate, type MemoryBreakdown, type RunOptions } from '../../api/index.js';
import { kebabCase, optionSchemaOf, resolveOptionName } from '../../engine/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { formatBytes } from '../../util/format-bytes.js';
import { parseTrailingOptions } from '../algorithm-args.js';
import { GasCommand, integerOption } from '../base.js';

/** The options `estimate` itself takes; every other one goes to the algorithm, as with `run`. */
const OWN_OPTIONS = ['graph', 'workers', 'engine', 'staleness', 'scheduler', 'consistency', 'in-process', 'json', 'data-dir', 'verbose', 'quiet'];

/** What each memory component is, in the table. */
const COMPONENTS: Readonly<Record<keyof MemoryBreakdown, string>> = {
  localGraph: 'local graph (CSR/CSC, ids)',
  degrees: 'degrees, weight totals',
  vertexState: 'vertex columns',
  edgeState: 'edge columns, weights',
  runtime: 'active flags, gather partials',
  exchangePlan: 'exchange plan',
  messages: 'messages (one step)',
  collect: 'collected values',
  neighborSets: 'neighbour sets',
  neighborLists: 'neighbour lists (while building)',
  async: 'async engine arrays',
  shard: 'shard (while loading)',
  overhead: 'thread overhead',
};

export class EstimateCommand extends GasCommand {
  static override paths = [['estimate']];

  static override usage = Command.Usage({
    description: "Estimate a job's memory and time without running it",
    details: `
      Takes what \`gasworks run\` takes (\`--graph\`, \`--workers\`, \`--engine\`, the algorithm's own options) and prints the memory each worker would allocate, by component, the coordinator's share and the total, the time per step (from past jobs of the algorithm, else a default rate) times the steps, and whether the job fits this machine. \`gasworks run\` refuses a job that does not fit unless \`--force\`.
    `,
    examples: [
      ['PageRank on four workers', '$0 estimate pagerank --graph cnr --workers 4'],
      ['ALS at rank 50, as JSON', '$0 estimate als --graph ml --rank 50 --json'],
    ],
  });

  algorithm = Option.String({ name: 'algorithm' });
  rest = Option.Proxy();

  async run(): Promise<number> {
    const args = parseTrailingOptions(this.rest);
    this.json = this.json || args.get('json') === 'true';
    this.dataDir = args.get('data-dir') ?? this.dataDir;
    const graph = args.get('graph');
    if (!graph || graph === 'true') throw new InvalidArgumentError('estimate: --graph G is required', { option: 'graph' });
    const request: RunOptions = {
      graph,
      algorithm: this.algorithm,
      options: this.algorithmOptions(args),
      workers: integerOption(args.get('workers'), '--workers', 1, 1024),
      staleness: integerOption(args.get('staleness'), '--staleness', 0, 1000),
      engine: args.get('engine'),
      scheduler: args.get('scheduler'),
      consistency: args.get('consistency'),
      inProcess: args.get('in-process') === 'true',
    };
    const estimate = await this.withCatalog((catalog) => estimateJob(catalog, request));
    if (this.json) this.printJson(estimate);
    else this.printEstimate(estimate);
    return 0;
  }

  /** The algorithm's options under its own names (aliases and kebab-case resolved by its schema). */
  private algorithmOptions(args: ReadonlyMap<string, string>): Record<string, string> {
    const definition = findAlgorithm(this.algorithm);
    const options: Record<string, string> = {};
    for (const [given, value] of args) {
      if (OWN_OPTIONS.includes(given)) continue;
      const name = definition ? resolveOptionName(definition.name, optionSchemaOf(definition), given).name : given;
      if (definition && kebabCase(name) !== given) this.inform(`note: --${given} is --${kebabCase(name)} in gasworks`);
      options[name] = value;
    }
    return options;
  }

  private printEstimate(e: JobEstimate): void {
    const out = this.context.stdout;
    const { memory, time } = e;
    const peak = memory.peakWorker;
    out.write(
      `${e.algorithm} on ${e.graph} (${e.vertices} vertices, ${e.edges} edges): ${e.workers} worker${e.workers > 1 ? 's' : ''} (${e.placement}, ${e.engine})\n\n`,
    );
    const all = (key: keyof MemoryBreakdown): number => memory.perWorker.reduce((sum, w) => sum + w.bytes[key], 0);
    const rows = (Object.keys(COMPONENTS) as (keyof MemoryBreakdown)[])
      .filter((key) => all(key) > 0)
      .map((key) => [COMPONENTS[key], formatBytes(peak.bytes[key]), formatBytes(all(key))]);
    rows.push(['worker peak', formatBytes(peak.peakBytes), formatBytes(memory.perWorker.reduce((sum, w) => sum + w.peakBytes, 0))]);
    rows.push(['coordinator (tables, result)', '', formatBytes(memory.coordinator.bytes)]);
    rows.push(['total', '', formatBytes(memory.totalBytes)]);
    this.printTable(['memory', `worker ${peak.worker} (peak)`, 'all workers'], rows);
    const basis = time.basis === 'history' ? `from jobs ${time.historyJobs.join(', ')}` : 'default rate: no past job of the algorithm';
    out.write(
      `\ntime: ${time.perStepMs.toFixed(1)} ms per step × ${time.stepsAre === 'planned' ? '' : 'at most '}${time.steps} steps = ${(time.totalMs / 1000).toFixed(1)} s (${basis})\n`,
    );
    out.write(
      e.fits ? `fits: yes (${formatBytes(e.limits.availableBytes)} available)\n` : `fits: no — ${e.reason}; \`gasworks run\` refuses it without --force\n`,
    );
  }
}
