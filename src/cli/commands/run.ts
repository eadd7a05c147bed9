import { Command, Option } from 'clipanion';
import { ALGORITHMS, findAlgorithm } from '../../algorithms/index.js';
import { runJob, type JobSummary } from '../../api/index.js';
import { parseAddress } from '../../cluster/index.js';
import { resolveAlgorithmOptions } from '../../engine/index.js';
import { GasError, InvalidArgumentError } from '../../errors.js';
import { camelCase, kebabCase, parseTrailingOptions } from '../algorithm-args.js';
import { GasCommand, integerOption } from '../base.js';

const ENGINE_OPTIONS = ['graph', 'workers', 'cluster', 'staleness', 'in-process', 'slow-worker', 'json', 'data-dir', 'top'];

export class RunCommand extends GasCommand {
  static override paths = [['run']];

  static override usage = Command.Usage({
    description: 'Run an algorithm or your own vertex program on a graph',
    details: `
      \`<algorithm>\` is a registered algorithm (${ALGORITHMS.map((a) => a.name).join(', ')}) or the path of a TypeScript file whose default export is a vertex program (no build step needed).

      Options after the algorithm: \`--graph G\` (required), \`--workers N\` (worker threads; default one per core for graphs of 8 M edges or more, else 1), \`--cluster HOST:PORT,…\` (remote workers started with \`gasworks worker\`), \`--staleness S\` (SSP: workers may run up to S steps ahead of the slowest; 0 = BSP, the default), \`--top K\`, \`--json\`, \`--data-dir DIR\`, and the algorithm's own options in kebab-case (\`--max-iterations 20\`, \`--damping 0.9\`). The job and its result column are stored; read them back with \`gasworks results <job>\`.
    `,
    examples: [
      ['PageRank, printing the top 10 vertices', '$0 run pagerank --graph cnr'],
      ['PageRank as JSON, 30 iterations at most', '$0 run pagerank --graph cnr --max-iterations 30 --tolerance 1e-9 --json'],
      ['Your own program', '$0 run ./my-program.ts --graph cnr'],
      ['On two remote workers, stale-synchronous with S = 2', '$0 run pagerank --graph cnr --cluster 10.0.0.2:7400,10.0.0.3:7400 --staleness 2'],
    ],
  });

  algorithm = Option.String({ name: 'algorithm' });
  rest = Option.Proxy();

  async run(): Promise<void> {
    const args = parseTrailingOptions(this.rest);
    if (args.has('help') || args.has('h')) {
      this.printAlgorithmHelp();
      return;
    }
    this.json = this.json || args.get('json') === 'true';
    this.dataDir = args.get('data-dir') ?? this.dataDir;
    const graph = args.get('graph');
    if (!graph || graph === 'true') throw new InvalidArgumentError('run: --graph G is required', { option: 'graph' });
    const options: Record<string, string> = {};
    for (const [name, value] of args) if (!ENGINE_OPTIONS.includes(name)) options[camelCase(name)] = value;
    const summary = await this.withCatalog((catalog) =>
      runJob(catalog, {
        graph,
        algorithm: this.algorithm,
        options,
        workers: integerOption(args.get('workers'), '--workers', 1, 1024),
        cluster: args.has('cluster') ? addressList(args.get('cluster')!) : undefined,
        staleness: integerOption(args.get('staleness'), '--staleness', 0, 1000),
        inProcess: args.get('in-process') === 'true',
        slowWorker: args.has('slow-worker') ? slowWorker(args.get('slow-worker')!) : undefined,
        top: integerOption(args.get('top'), '--top', 0, 1_000_000),
      }),
    );
    if (this.json) this.printJson(summary);
    else this.printSummary(summary);
  }

  /** `gasworks run <algorithm> --help`: the algorithm's description and options with their defaults. */
  private printAlgorithmHelp(): void {
    const definition = findAlgorithm(this.algorithm);
    if (!definition) {
      this.context.stdout.write(
        `${this.algorithm}: not a registered algorithm (${ALGORITHMS.map((a) => a.name).join(', ')}); a program file takes --max-iterations only\n`,
      );
      return;
    }
    const out = this.context.stdout;
    out.write(
      `gasworks run ${definition.name} --graph G [--workers N | --cluster HOST:PORT,…] [--staleness S] [--top K] [--json] [options]\n\n${definition.description}\n\noptions (defaults):\n`,
    );
    const required = requiredOption(definition);
    for (const [name, value] of Object.entries(definition.defaults)) {
      const shown = name === required ? '(required)' : Array.isArray(value) ? value.join(',') || '(none)' : value === '' ? '(none)' : String(value);
      out.write(`  --${kebabCase(name).padEnd(18)} ${shown}\n`);
    }
  }

  private printSummary(s: JobSummary): void {
    const out = this.context.stdout;
    const perIteration = [...s.timings.perIterationMs].sort((a, b) => a - b);
    const median = perIteration.length ? perIteration[perIteration.length >> 1]! : 0;
    out.write(
      `job ${s.jobId}: ${s.algorithm} on ${s.graph} — ${s.iterations} iterations, ${s.converged ? 'converged' : 'not converged (maxIterations reached)'}\n` +
        `  load ${s.timings.loadMs.toFixed(0)} ms, compute ${s.timings.computeMs.toFixed(0)} ms (median ${median.toFixed(1)} ms per step)\n` +
        `  ${s.workers} worker(s) (${s.placement}${s.staleness > 0 ? `, staleness ${s.staleness}, max lead ${s.maxLead}` : ''}), replication factor ${s.replicationFactor.toFixed(2)}, ` +
        `${formatBytes(s.bytesExchanged / Math.max(1, s.timings.perIterationMs.length))} exchanged per step (${Math.round(middle(s.exchange.mirrorUpdatesPerStep))} mirror updates)${s.wire ? `, ${formatBytes(s.wire.totalBytes)} on the wire (shards ${formatBytes(s.wire.shardBytes)})` : ''}\n`,
    );
    if (s.workerStats.length > 1) {
      out.write(
        `  ${s.workerStats.map((w) => `${w.name}: busy ${w.busyMs.toFixed(0)} ms, waiting ${w.waitMs.toFixed(0)} ms, ${w.steps} steps`).join('\n  ')}\n`,
      );
    }
    const aggregates = Object.entries(s.aggregates);
    if (aggregates.length) out.write(`  ${aggregates.map(([k, v]) => `${k} ${formatValue(v)}`).join(', ')}\n`);
    // Fields the algorithm added (ALS: trainRmse, testRmse; LDA: sampler, …): series as first →
    // last of the iterations that have a value (LDA's --likelihood-every leaves nulls between).
    for (const [name, value] of Object.entries(s)) {
      if (COMMON_FIELDS.has(name)) continue;
      if (typeof value === 'number') out.write(`  ${name} ${formatValue(value)}\n`);
      else if (typeof value === 'string') out.write(`  ${name} ${value}\n`);
      else if (Array.isArray(value)) {
        const series = value.filter((item): item is number => typeof item === 'number');
        if (series.length === 0) continue;
        const of = series.length < value.length ? `${series.length} of ${value.length}` : `${value.length}`;
        out.write(`  ${name} ${formatValue(series[0]!)} → ${formatValue(series.at(-1)!)} (${of} iterations)\n`);
      }
    }
    if (s.top.length) {
      out.write(`\n  top ${s.top.length} by ${s.result.column}:\n`);
      for (const { vertex, value } of s.top) out.write(`  ${String(vertex).padEnd(20)} ${formatValue(value)}\n`);
    }
    out.write(`\n  results: gasworks results ${s.jobId}\n`);
  }
}

/** The option validation asks for when none is given (sssp's source, …), if any. */
function requiredOption(definition: NonNullable<ReturnType<typeof findAlgorithm>>): string | null {
  try {
    resolveAlgorithmOptions(definition, {});
    return null;
  } catch (error) {
    return error instanceof GasError ? String(error.details.option ?? '') : null;
  }
}

/** The summary fields every job has; any other field is the algorithm's own (`AlgorithmDefinition.summarize`). */
const COMMON_FIELDS = new Set([
  'jobId',
  'algorithm',
  'graph',
  'iterations',
  'converged',
  'workers',
  'placement',
  'staleness',
  'replicationFactor',
  'options',
  'timings',
  'aggregates',
  'result',
  'top',
  'bytesExchanged',
  'exchange',
  'wire',
  'workerStats',
  'maxLead',
]);

function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1]! : 0;
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes)} B`;
}

/** `--cluster host1:port,host2:port` */
function addressList(text: string): string[] {
  const addresses = text.split(',').map((a) => a.trim());
  for (const address of addresses) parseAddress(address, '--cluster');
  return addresses;
}

/** `--slow-worker W:F` (testing): worker W runs F times slower. */
function slowWorker(text: string): { worker: number; factor: number } {
  const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!match || Number(match[2]) < 1)
    throw new InvalidArgumentError(`--slow-worker: expected WORKER:FACTOR (factor ≥ 1), got "${text}"`, { option: 'slow-worker' });
  return { worker: Number(match[1]), factor: Number(match[2]) };
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(6);
}
