import { Command, Option } from 'clipanion';
import { ALGORITHMS, findAlgorithm } from '../../algorithms/index.js';
import { JobService, type JobSummary, type RunOptions } from '../../api/index.js';
import type { Catalog } from '../../storage/index.js';
import { jobProgressReporter } from '../progress.js';
import { loadClusterSecret, parseAddress } from '../../cluster/index.js';
import { defaultText, kebabCase, optionSchemaOf, resolveOptionName, typeText, type AlgorithmDefinition } from '../../engine/index.js';
import { GasError, InvalidArgumentError } from '../../errors.js';
import { suggest } from '../../util/did-you-mean.js';
import { formatBytes } from '../../util/format-bytes.js';
import { parseTrailingOptions } from '../algorithm-args.js';
import { formatCount, GasCommand, integerOption, numberOption } from '../base.js';

/** The options `run` itself takes (every other option goes to the algorithm), with their help lines. */
const ENGINE_OPTIONS: Readonly<Record<string, readonly [value: string, help: string]>> = {
  graph: ['G', 'the graph to run on (name or id; required)'],
  workers: ['N', 'worker threads (default: one per core for graphs of 8 M edges or more, else 1)'],
  cluster: ['HOST:PORT,…', 'remote workers started with `gasworks worker`, one worker per address'],
  spares: [
    'HOST:PORT,…',
    'with --cluster: standby `gasworks worker` processes; a worker process that dies or stops answering has its partitions moved to the next spare (else to a surviving process) and the run goes on from the newest checkpoint',
  ],
  'secret-file': ['F', "the cluster's shared secret, as given to its workers (default: $GASWORKS_CLUSTER_SECRET)"],
  engine: ['NAME', 'sync (BSP, the default), ssp (stale-synchronous; the default with --staleness S > 0) or async'],
  scheduler: ['NAME', 'async: fifo (the default), priority (highest ctx.signal priority first) or sweep'],
  'min-priority': ['P', 'async, priority scheduler: drop signals below P (default 0)'],
  'max-updates': ['N', 'async: stop after N vertex updates'],
  timeout: ['SECONDS', 'stop after this long (sync, ssp: at the next step boundary; async: at the next poll), keeping the result so far and saying so'],
  consistency: ['MODEL', 'async on several workers: vertex, edge (the default: no two adjacent vertices run at once) or full (none within distance 2)'],
  staleness: ['S', 'stale-synchronous: workers may run up to S steps ahead of the slowest (0 = BSP, the default)'],
  'checkpoint-every': [
    'K|30s|auto',
    "sync: checkpoint every K steps, every so long (30s, 5m, 1h) or at the interval Young's formula gives (auto), so `gasworks jobs resume` can go on from the newest (an interrupted run checkpoints where it stops anyway)",
  ],
  mtbf: ['S', 'with --checkpoint-every auto: the mean time between failures to plan for, in seconds (default 86400)'],
  'step-timeout': [
    'S',
    'a worker whose step has run S seconds and that then does not answer for S more is stuck: the job fails naming it (default: the longer of 60 s and 4 × the longest step)',
  ],
  'max-recoveries': [
    'N',
    'recover from at most N lost workers (a crashed thread; a worker process killed, exited or silent for $GASWORKS_HEARTBEAT_TIMEOUT_MS, 10 s), each time from the newest checkpoint (default 3; 0: a lost worker fails the job)',
  ],
  top: ['K', 'list the top K vertices in the summary (default 10; 0 for none)'],
  force: ['', 'run even when the memory estimate (`gasworks estimate`) says the job does not fit'],
  json: ['', 'print the summary as one JSON document'],
  'data-dir': ['DIR', 'data directory (default $GASWORKS_HOME, else ./.gasworks)'],
  verbose: ['', 'debug logs on stderr, and the stack of an internal error'],
  quiet: ['', 'no informational lines on stderr'],
  'in-process': ['', 'testing: run several workers in this thread'],
  'slow-worker': ['W:F', 'testing: worker W runs F times slower'],
  'crash-worker': ['W:STEP', 'testing: worker W exits when step STEP begins (once; the run recovers from it)'],
};

export class RunCommand extends GasCommand {
  static override paths = [['run']];

  static override usage = Command.Usage({
    description: 'Run an algorithm or your own vertex program on a graph',
    details: `
      \`<algorithm>\` is a registered algorithm or the path of a TypeScript file whose default export is a vertex program (no build step needed). The algorithms:

      ${ALGORITHMS.map((a) => `- \`${a.name}\`: ${a.description}`).join('\n\n      ')}

      Options after the algorithm: ${Object.entries(ENGINE_OPTIONS)
        .filter(([name]) => !['in-process', 'slow-worker', 'crash-worker'].includes(name))
        .map(([name, [value, help]]) => `\`--${name}${value ? ` ${value}` : ''}\` (${help})`)
        .join(
          ', ',
        )}, and the algorithm's own options in kebab-case (\`--max-iterations 20\`, \`--damping 0.9\`): \`gasworks run <algorithm> --help\` lists them with their types, ranges and defaults. The job and its result column are stored; read them back with \`gasworks results <job>\`.
    `,
    examples: [
      ['PageRank, printing the top 10 vertices', '$0 run pagerank --graph cnr'],
      ['PageRank as JSON, 30 iterations at most', '$0 run pagerank --graph cnr --max-iterations 30 --tolerance 1e-9 --json'],
      ['Your own program', '$0 run ./my-program.ts --graph cnr'],
      ['On two remote workers, stale-synchronous with S = 2', '$0 run pagerank --graph cnr --cluster 10.0.0.2:7400,10.0.0.3:7400 --staleness 2'],
      [
        'On two remote workers with a spare, checkpointing every 5 steps',
        '$0 run pagerank --graph cnr --cluster 10.0.0.2:7400,10.0.0.3:7400 --spares 10.0.0.4:7400 --checkpoint-every 5',
      ],
      ['Asynchronously: dynamic PageRank, highest change first', '$0 run pagerank --graph cnr --engine async --scheduler priority'],
      ['Greedy colouring (asynchronous by default)', '$0 run coloring --graph cnr --scheduler sweep'],
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
    this.verbose = this.verbose || args.get('verbose') === 'true';
    this.quiet = this.quiet || args.get('quiet') === 'true';
    if (this.verbose && this.quiet) throw new InvalidArgumentError('--verbose and --quiet contradict each other; give one', { option: 'quiet' });
    this.dataDir = args.get('data-dir') ?? this.dataDir;
    const graph = args.get('graph');
    if (!graph || graph === 'true') throw new InvalidArgumentError('run: --graph G is required', { option: 'graph' });
    const options = this.algorithmOptions(args);
    const request: RunOptions = {
      graph,
      algorithm: this.algorithm,
      options,
      workers: integerOption(args.get('workers'), '--workers', 1, 1024),
      cluster: args.has('cluster') ? addressList(args.get('cluster')!) : undefined,
      spares: args.has('spares') ? addressList(args.get('spares')!, '--spares') : undefined,
      clusterSecret: args.has('secret-file') ? loadClusterSecret(args.get('secret-file')!)! : undefined,
      staleness: integerOption(args.get('staleness'), '--staleness', 0, 1000),
      engine: args.get('engine'),
      scheduler: args.get('scheduler'),
      minPriority: numberOption(args.get('min-priority'), '--min-priority', -Number.MAX_VALUE),
      maxUpdates: integerOption(args.get('max-updates'), '--max-updates', 1, Number.MAX_SAFE_INTEGER),
      timeoutSeconds: numberOption(args.get('timeout'), '--timeout', Number.MIN_VALUE),
      consistency: args.get('consistency'),
      inProcess: args.get('in-process') === 'true',
      slowWorker: args.has('slow-worker') ? slowWorker(args.get('slow-worker')!) : undefined,
      crashWorker: args.has('crash-worker') ? crashWorker(args.get('crash-worker')!) : undefined,
      top: integerOption(args.get('top'), '--top', 0, 1_000_000),
      checkpointEvery: args.get('checkpoint-every'),
      mtbfSeconds: numberOption(args.get('mtbf'), '--mtbf', Number.MIN_VALUE),
      maxRecoveries: integerOption(args.get('max-recoveries'), '--max-recoveries', 0, 1_000_000),
      stepTimeoutSeconds: numberOption(args.get('step-timeout'), '--step-timeout', Number.MIN_VALUE),
    };
    const force = args.get('force') === 'true';
    const summary = await this.withCatalog((catalog) => runInService(this, catalog, (service) => service.submit(request, { force })));
    if (this.json) this.printJson(summary);
    else printJobSummary(this.context.stdout, summary);
  }

  /**
   * The options that are not `run`'s own, under the algorithm's names: aliases from other systems
   * are translated (with a note on stderr), a mistyped name is refused with a did-you-mean over
   * both the algorithm's and `run`'s options. Program files are checked when they are loaded.
   */
  private algorithmOptions(args: ReadonlyMap<string, string>): Record<string, string> {
    const definition = findAlgorithm(this.algorithm);
    const options: Record<string, string> = {};
    for (const [given, value] of args) {
      if (given in ENGINE_OPTIONS) continue;
      if (!definition) {
        options[given] = value;
        continue;
      }
      const schema = optionSchemaOf(definition);
      let name: string;
      try {
        name = resolveOptionName(definition.name, schema, given).name;
      } catch (error) {
        const runOption = suggest(given, Object.keys(ENGINE_OPTIONS));
        if (runOption && !(error instanceof GasError && error.details.suggestion)) {
          throw new InvalidArgumentError(`run: unknown option --${given} (did you mean --${runOption}?)`, { option: given, suggestion: runOption });
        }
        throw error;
      }
      if (kebabCase(name) !== given) this.inform(`note: --${given} is --${kebabCase(name)} in gasworks`);
      options[name] = value;
    }
    return options;
  }

  /** `gasworks run <algorithm> --help`: the algorithm's description, then every option with its type, range, default and meaning. */
  private printAlgorithmHelp(): void {
    const definition = findAlgorithm(this.algorithm);
    const out = this.context.stdout;
    if (!definition) {
      out.write(`${this.algorithm}: not a registered algorithm (${ALGORITHMS.map((a) => a.name).join(', ')}); a program file takes --max-iterations only\n`);
      return;
    }
    out.write(`gasworks run ${definition.name} --graph G [run options] [${definition.name} options]\n\n${definition.description}\n\n`);
    out.write(`${definition.name} options:\n${algorithmOptionLines(definition).join('\n') || '  (none)'}\n\nrun options:\n`);
    for (const [name, [value, help]] of Object.entries(ENGINE_OPTIONS)) out.write(`  --${`${name} ${value}`.padEnd(26)} ${help}\n`);
  }
}

/**
 * Runs a job through the job service, as the server does — `start` submits or resumes it: its row
 * is queued then running, its progress stored (another shell can `gasworks jobs watch` it) and
 * drawn as a bar on a terminal, and `gasworks jobs cancel` from another shell stops it at a step
 * boundary. The first Ctrl-C (or SIGTERM) stops it at the next step boundary, checkpoints it
 * there (sync) and records it `interrupted`; a second one exits at once.
 */
export async function runInService(command: GasCommand, catalog: Catalog, start: (service: JobService) => Promise<{ id: number }>): Promise<JobSummary> {
  const service = new JobService(catalog);
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(130);
    command.inform(`${name}: stopping the job at the next step boundary (again to exit at once)`);
    void service.shutdown(`interrupted by ${name}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { id } = await start(service);
    const progress = command.quiet || command.json ? undefined : jobProgressReporter(command.context.stderr);
    for await (const event of service.follow(id)) if (event.type === 'progress') progress?.(event.progress);
    progress?.(null);
    return service.outcome(id);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    service.close();
  }
}

/** The human summary of a finished job. */
export function printJobSummary(out: NodeJS.WritableStream, s: JobSummary): void {
  const perIteration = [...s.timings.perIterationMs].sort((a, b) => a - b);
  const median = perIteration.length ? perIteration[perIteration.length >> 1]! : 0;
  if (s.async) {
    // No steps: the time, the throughput and how often vertices ran say what an asynchronous run did.
    out.write(
      `job ${s.jobId}: ${s.algorithm} on ${s.graph} — ${stopText(s)}\n` +
        `  load ${s.timings.loadMs.toFixed(0)} ms, compute ${s.timings.computeMs.toFixed(0)} ms; ${s.workers} worker${s.workers === 1 ? '' : 's'} (${s.placement}, async, ${s.async.consistency} consistency)\n` +
        `  ${asyncText(s.async)}\n`,
    );
  } else
    out.write(
      `job ${s.jobId}: ${s.algorithm} on ${s.graph} — ${stopText(s)}\n` +
        `  load ${s.timings.loadMs.toFixed(0)} ms, compute ${s.timings.computeMs.toFixed(0)} ms (median ${median.toFixed(1)} ms per step)\n` +
        `  ${s.workers} worker(s) (${s.placement}${s.engine === 'ssp' ? `, ssp, staleness ${s.staleness}, max lead ${s.maxLead}` : ''}), replication factor ${s.replicationFactor.toFixed(2)}, ` +
        `${formatBytes(s.bytesExchanged / Math.max(1, s.timings.perIterationMs.length))} exchanged per step between workers (${Math.round(middle(s.exchange.mirrorUpdatesPerStep))} mirror updates)${controlText(s)}${s.wire ? `, ${formatBytes(s.wire.totalBytes)} on the wire (shards ${formatBytes(s.wire.shardBytes)})` : ''}\n`,
    );
  if (s.workerStats.length > 1) {
    out.write(`  ${s.workerStats.map((w) => `${w.name}: busy ${w.busyMs.toFixed(0)} ms, waiting ${w.waitMs.toFixed(0)} ms, ${w.steps} steps`).join('\n  ')}\n`);
  }
  if (s.resumedFrom) out.write(`  resumed from checkpoint ${s.resumedFrom.checkpoint} (after step ${s.resumedFrom.step})\n`);
  if (s.checkpoints && (s.checkpoints.taken > 0 || s.checkpoints.failed.length > 0)) out.write(checkpointText(s.checkpoints));
  for (const r of s.recoveries) {
    const from = r.resumedAfterStep === null ? 'from the start' : `from the checkpoint after step ${r.resumedAfterStep}`;
    out.write(
      `  recovered: ${r.worker ?? 'a worker'} lost after step ${r.lostAfterStep} (${r.error}); went on ${from}, workers restarted in ${(r.ms ?? 0).toFixed(0)} ms\n`,
    );
  }
  const aggregates = Object.entries(s.aggregates);
  if (aggregates.length) out.write(`  ${aggregates.map(([k, v]) => `${k} ${formatValue(v)}`).join(', ')}\n`);
  // Fields the algorithm added (ALS: trainRmse, testRmse; LDA: sampler, …): series as first →
  // last of the iterations that have a value (LDA's --likelihood-every leaves nulls between).
  if (Array.isArray(s.residuals)) out.write(residualText(s));
  for (const [name, value] of Object.entries(s)) {
    if (COMMON_FIELDS.has(name) || RESIDUAL_FIELDS.has(name)) continue;
    if (typeof value === 'number') out.write(`  ${name} ${formatValue(value)}\n`);
    else if (typeof value === 'string') out.write(`  ${name} ${value}\n`);
    else if (Array.isArray(value)) {
      const series = value.filter((item): item is number => typeof item === 'number');
      if (series.length === 0) continue;
      // Of the run's iterations, how many have a value (LDA measures none for its last two sweeps).
      const of = series.length < s.iterations ? `${series.length} of ${s.iterations}` : `${series.length}`;
      out.write(`  ${name} ${formatValue(series[0]!)} → ${formatValue(series.at(-1)!)} (${of} iterations)\n`);
    }
  }
  if (s.top.length) {
    out.write(`\n  top ${s.top.length} by ${s.result.column}:\n`);
    for (const { vertex, value } of s.top) out.write(`  ${String(vertex).padEnd(20)} ${formatValue(value)}\n`);
  }
  out.write(`\n  results: gasworks results ${s.jobId}\n`);
}

/** The checkpoints a run took, and any it could not write. */
function checkpointText(c: NonNullable<JobSummary['checkpoints']>): string {
  const interval = c.autoIntervalMs === null ? '' : `, interval ${(c.autoIntervalMs / 1000).toFixed(1)} s`;
  const taken =
    c.taken > 0
      ? `  checkpoints ${c.schedule}${interval}: ${c.taken} (after step ${c.steps.join(', ')}), ${formatBytes(c.bytes)}, ${c.ms.toFixed(0)} ms writing\n`
      : '';
  return taken + c.failed.map((failure) => `  checkpoint not written ${failure}\n`).join('');
}

/** Two lines per option: name, type and default; then its description and the other names it answers to. */
function algorithmOptionLines(definition: AlgorithmDefinition): string[] {
  return Object.entries(optionSchemaOf(definition)).map(([name, spec]) => {
    const aliases = spec.aliases?.length ? ` (also ${spec.aliases.map((alias) => `--${kebabCase(alias)}`).join(', ')})` : '';
    const described = spec.description ? `${spec.description}${aliases}` : aliases.trim();
    return `  --${kebabCase(name).padEnd(18)} ${typeText(spec).padEnd(28)} default ${defaultText(spec)}${described ? `\n  ${''.padEnd(20)}${described}` : ''}`;
  });
}

/** The summary fields every job has; any other field is the algorithm's own (`AlgorithmDefinition.summarize`). */
const COMMON_FIELDS = new Set([
  'jobId',
  'algorithm',
  'graph',
  'iterations',
  'converged',
  'stopReason',
  'workers',
  'placement',
  'engine',
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
  'async',
  'checkpoints',
  'resumedFrom',
  'recoveries',
]);

/** Rank algorithms' residual fields (support/rank-stop-rule.ts), shown together by `residualText`. */
const RESIDUAL_FIELDS = new Set(['residuals', 'stopRule', 'tolerance']);

/** What the run did, in words that claim convergence only when the test held. */
function stopText(s: JobSummary): string {
  if (s.async) {
    const vertices = s.async.updatesHistogram.reduce((sum, count) => sum + count, 0);
    const updates = `${formatCount(s.async.updates)} updates (${(s.async.updates / Math.max(1, vertices)).toFixed(2)} per vertex, ${s.async.scheduler} scheduler)`;
    if (s.stopReason === 'converged') {
      return s.async.sweeps > 0
        ? `converged: the stopping rule held at verification sweep ${s.async.sweeps}, after ${updates}`
        : `converged: no vertex left scheduled after ${updates}`;
    }
    return `NOT converged: stopped at ${s.stopReason === 'timeout' ? '--timeout' : '--max-updates'} after ${updates}, vertices still scheduled`;
  }
  const iterations = `${s.iterations} iteration${s.iterations === 1 ? '' : 's'}`;
  switch (s.stopReason) {
    case 'converged':
      return s.stopRule === 'networkx'
        ? `met NetworkX's stop rule (residual < N × tolerance, a bound that grows with N) after ${iterations}`
        : `converged after ${iterations}`;
    case 'fixed-iterations':
      return `${iterations} (a fixed count: no convergence test)`;
    case 'timeout':
      return `NOT converged: stopped at --timeout after ${iterations}`;
    default:
      return `NOT converged: stopped at the iteration limit after ${iterations} (raise --max-iterations)`;
  }
}

/** Every step's residual, ten to a line, and the bound it was held to. */
function residualText(s: JobSummary): string {
  const residuals = s.residuals as readonly (number | null)[];
  const bound =
    s.tolerance === 0
      ? 'tolerance 0: no test'
      : s.stopRule === 'networkx'
        ? `stop rule networkx: < N × ${formatValue(Number(s.tolerance))}`
        : `stop rule l1: < ${formatValue(Number(s.tolerance))}`;
  const lines: string[] = [];
  for (let i = 0; i < residuals.length; i += 10) {
    lines.push(
      residuals
        .slice(i, i + 10)
        .map((r) => (r === null ? '-' : r.toExponential(1)))
        .join(' '),
    );
  }
  return `  residual Σ|Δ| per step (${bound}):\n    ${lines.join('\n    ')}\n`;
}

function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1]! : 0;
}

/** `--cluster host1:port,host2:port` (or `--spares …`) */
function addressList(text: string, option = '--cluster'): string[] {
  const addresses = text.split(',').map((a) => a.trim());
  for (const address of addresses) parseAddress(address, option);
  return addresses;
}

/** `--slow-worker W:F` (testing): worker W runs F times slower. */
function slowWorker(text: string): { worker: number; factor: number } {
  const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!match || Number(match[2]) < 1)
    throw new InvalidArgumentError(`--slow-worker: expected WORKER:FACTOR (factor ≥ 1), got "${text}"`, { option: 'slow-worker' });
  return { worker: Number(match[1]), factor: Number(match[2]) };
}

function crashWorker(text: string): { worker: number; atStep: number } {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`--crash-worker: expected WORKER:STEP, got "${text}"`, { option: 'crash-worker' });
  return { worker: Number(match[1]), atStep: Number(match[2]) };
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(2) : value.toPrecision(6);
}

/** The coordinator's control traffic per step, where the transport counts it (remote workers). */
function controlText(s: JobSummary): string {
  const control = s.exchange.trafficPerStep.map((step) => step.controlBytes);
  if (control.length === 0 || control.some((bytes) => bytes === null)) return '';
  return `, ${formatBytes(middle(control as number[]))} per step to and from the coordinator`;
}

/** An asynchronous run's throughput, lock waits, traffic between workers and how often vertices ran. */
function asyncText(a: NonNullable<JobSummary['async']>): string {
  const rates = a.workers.map((w) => `${formatCount(Math.round(w.updatesPerSecond))} updates/s`).join(', ');
  const buckets = a.updatesHistogram.map((count, k) => {
    const range = k === 0 ? '0' : k === 1 ? '1' : `${2 ** (k - 1)}–${2 ** k - 1}`;
    return `${range}: ${formatCount(count)}`;
  });
  const lines = [`async: ${rates} per worker; vertices by updates run — ${buckets.join(', ')}`];
  if (a.workers.length > 1) {
    const waits = a.workers.map((w) => `${formatCount(w.lockWaits)} (mean ${(w.lockWaitMs / Math.max(1, w.lockWaits)).toFixed(2)} ms)`).join(', ');
    const flights = a.workers.map((w) => `${((100 * w.flights) / Math.max(1, w.updates)).toFixed(0)}%`).join(', ');
    lines.push(`updates across workers ${flights}; lock sets that waited ${waits}, per worker`);
    const links = a.links.bytes.flatMap((row, from) =>
      row.flatMap((bytes, to) => (from === to ? [] : [`${from}→${to} ${formatBytes(bytes)} in ${formatCount(a.links.messages[from]![to]!)} messages`])),
    );
    lines.push(`between workers: ${links.join(', ')}`);
  }
  return lines.join('\n  ');
}
