/**
 * The asynchronous engine on one worker against the synchronous one, in the same process run:
 * dynamic (delta) PageRank, connected components and SSSP, and greedy colouring (async only), on
 * real graphs (default cnr-2000 and soc-Slashdot0902 from ../shared/data).
 *
 *   npm run build && node --import tsx bench/async.ts [--files a.txt.gz,b.txt.gz] [--runs 3] [--tolerance 1e-6]
 *     [--sections schedulers,consistency] [--consistency-files a.txt.gz] [--threads 1,2]
 *     [--models vertex,edge,full] [--coloring-scheduler fifo] [--pagerank-scheduler priority] [--algorithms coloring,pagerank]
 *     [--timeout 120] [--max-updates-per-vertex 100] [--strategy hdrf] [--partitions 2]
 *
 * Per graph and algorithm, one JSON line per engine and scheduler with medians over `--runs`:
 *   updates          vertex updates (sync: the vertices active in each step, summed — |V| × steps
 *                    for PageRank, whose every vertex runs every step)
 *   computeMs        the engine's time, load excluded
 *   updatesPerSecond updates / computeMs
 *   updatesVsSync    updates / sync's updates (the target for dynamic PageRank: ≤ 0.5)
 *   msVsSync         computeMs / sync's (target: ≤ 1, not slower than sync on one worker)
 *   l1ToSync         PageRank: L1 distance of the ranks to the sync run's (the target:
 *                    < 1e-6; but the sync run stopped at the tolerance is itself that far from
 *                    the exact ranks, so see l1ToExact too); CC / SSSP: vertices whose value
 *                    differs from sync's (must be 0)
 *   l1ToExact        PageRank: L1 distance to the ranks of a sync run at tolerance 1e-12 (sync's
 *                    own line carries its distance too)
 *   conflicts, colors  colouring: edges whose ends share a colour (must be 0), colours used
 * and `load` lines (the machine may be shared).
 *
 * The `consistency` section (issue 16) runs the async engine on 1 and 2 worker threads under each
 * consistency model, on the first graph (`--consistency-files`): colouring (`--coloring-scheduler`,
 * default fifo) and dynamic PageRank (`--pagerank-scheduler`, default priority), each run capped at
 * `--timeout` seconds (default 120) and `--max-updates-per-vertex` × |V| updates (default 100),
 * the graph cut by `--strategy` into `--partitions` (default hdrf into 2: a vertex whose edges
 * all lie on one worker runs without a message, so the cut decides how many updates span workers).
 * One `async-consistency` line per algorithm, workers and model, medians over `--runs` unless
 * said otherwise:
 *   updates, seconds              the engine's own count and wall time (first update to last)
 *   updatesPerSecondPerWorker     the mean over workers of each one's updates/s
 *   flightShare                   Σ flights / Σ updates (updates whose scope spans workers)
 *   lockWaitShare                 Σ lock sets that waited / Σ lock sets taken (0 when none taken)
 *   meanLockWaitMs                Σ wait / Σ lock sets that waited (0 when none waited)
 *   bytesBetweenWorkers           bytes sent over all links, summed
 *   endReason                     every run's, distinct ones joined by `,`
 *   conflicts (most over runs), colors   colouring
 *   l1ToSync (largest over runs)  PageRank, against a sync run at the same tolerance
 *   target, meetsTarget           `edge` lines: the 500 k updates/s per worker
 *
 *   node --import tsx bench/async.ts --sections consistency --runs 3
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fromDist, median, round } from './lib.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '../shared/data/cnr-2000.txt.gz,../shared/data/soc-Slashdot0902.txt.gz' },
    runs: { type: 'string', default: '3' },
    tolerance: { type: 'string', default: '1e-6' },
    sections: { type: 'string', default: 'schedulers,consistency' },
    'consistency-files': { type: 'string' },
    threads: { type: 'string', default: '1,2' },
    models: { type: 'string', default: 'vertex,edge,full' },
    'coloring-scheduler': { type: 'string', default: 'fifo' },
    'pagerank-scheduler': { type: 'string', default: 'priority' },
    algorithms: { type: 'string', default: 'coloring,pagerank' },
    timeout: { type: 'string', default: '120' },
    'max-updates-per-vertex': { type: 'string', default: '100' },
    strategy: { type: 'string', default: 'hdrf' },
    partitions: { type: 'string', default: '2' },
  },
});

/** Issue 16's target for `edge` consistency on threads, in updates/s per worker. */
const TARGET_UPDATES_PER_WORKER = 500_000;

const { runOnGraph } = await fromDist<typeof import('../src/graphology.js')>('graphology.js');
const files = values.files!.split(',').filter(Boolean);
const runs = Number(values.runs);
const tolerance = Number(values.tolerance);
const sections = new Set(values.sections!.split(','));
const consistencyFiles = (values['consistency-files'] ?? files[0] ?? '').split(',').filter(Boolean);
console.log(JSON.stringify({ bench: 'load', at: 'start', loadAverage: loadavg().map(round) }));

for (const file of [...new Set([...files, ...(sections.has('consistency') ? consistencyFiles : [])])]) {
  const graph = await readGraph(file);
  const name = file
    .split('/')
    .pop()!
    .replace(/\.txt(\.gz)?$/, '');
  const n = graph.order;
  const run = async (algorithm: string, options: Record<string, unknown>, engine: string, scheduler?: string) => {
    let active = 0;
    const summary = await runOnGraph(graph, algorithm, {
      options,
      engine,
      scheduler,
      attribute: false,
      // One worker on a thread of its own (runOnGraph's default): in this thread, beside the
      // graphology heap, every collection would mark that heap too and slow both engines.
      workers: 1,
      top: 0,
      onStep: (step) => (active += step.activeVertices),
    });
    return { summary, active, values: summary.values() };
  };
  const jobs: { algorithm: string; options: Record<string, unknown>; sync: boolean }[] = [
    { algorithm: 'pagerank', options: { tolerance }, sync: true },
    { algorithm: 'connected-components', options: {}, sync: true },
    { algorithm: 'sssp', options: { source: firstLabel(graph) }, sync: true },
    { algorithm: 'coloring', options: {}, sync: false },
  ];
  // The sync ranks at `--tolerance`, for l1ToSync: the schedulers section's, or one run of the consistency section's own.
  let syncRanks: ReadonlyMap<string, number | number[]> | null = null;
  const schedulerJobs = sections.has('schedulers') && files.includes(file) ? jobs : [];
  const exact = schedulerJobs.length > 0 ? new Map((await run('pagerank', { tolerance: 1e-12, maxIterations: 1000 }, 'sync')).values) : new Map();
  for (const job of schedulerJobs) {
    let reference: Map<string, number | number[]> | null = null;
    let syncUpdates = NaN;
    let syncMs = NaN;
    if (job.sync) {
      const samples = [];
      for (let r = 0; r < runs; r++) samples.push(await run(job.algorithm, job.options, 'sync'));
      const last = samples.at(-1)!;
      reference = new Map(last.values);
      if (job.algorithm === 'pagerank') syncRanks = reference;
      syncMs = median(samples.map((s) => s.summary.timings.computeMs));
      syncUpdates = last.active;
      console.log(
        JSON.stringify({
          bench: 'async',
          graph: name,
          algorithm: job.algorithm,
          engine: 'sync',
          vertices: n,
          steps: last.summary.iterations,
          updates: syncUpdates,
          computeMs: round(syncMs),
          updatesPerSecond: Math.round(syncUpdates / (syncMs / 1000)),
          ...(job.algorithm === 'pagerank' && { l1ToExact: compare(last.values, exact, true) }),
        }),
      );
    }
    for (const scheduler of ['fifo', 'priority', 'sweep']) {
      const samples = [];
      for (let r = 0; r < runs; r++) samples.push(await run(job.algorithm, job.options, 'async', scheduler));
      const last = samples.at(-1)!;
      const updates = last.summary.async!.updates;
      const computeMs = median(samples.map((s) => s.summary.timings.computeMs));
      const line: Record<string, unknown> = {
        bench: 'async',
        graph: name,
        algorithm: job.algorithm,
        engine: 'async',
        scheduler,
        vertices: n,
        updates,
        endReason: last.summary.async!.endReason,
        computeMs: round(computeMs),
        updatesPerSecond: Math.round(updates / (computeMs / 1000)),
      };
      if (reference) {
        line.updatesVsSync = round(updates / syncUpdates);
        line.msVsSync = round(computeMs / syncMs);
        if (job.algorithm === 'pagerank') {
          line.l1ToSync = compare(last.values, reference, true);
          line.l1ToExact = compare(last.values, exact, true);
        } else line.differFromSync = compare(last.values, reference, false);
      } else {
        const colours = last.values as Map<string, number>;
        line.colors = last.summary.aggregates.colors;
        line.conflicts = conflicts(graph, colours);
      }
      console.log(JSON.stringify(line));
    }
  }
  if (sections.has('consistency') && consistencyFiles.includes(file)) {
    syncRanks ??= new Map((await run('pagerank', { tolerance }, 'sync')).values);
    await consistencyRuns(graph, name, syncRanks);
  }
}
console.log(JSON.stringify({ bench: 'load', at: 'end', loadAverage: loadavg().map(round) }));

/**
 * Issue 16: colouring and dynamic PageRank on each worker count × consistency model, one
 * `async-consistency` line each (see the header for the fields).
 */
async function consistencyRuns(graph: import('graphology').default, name: string, syncRanks: ReadonlyMap<string, number | number[]>): Promise<void> {
  const wanted = new Set(values.algorithms!.split(','));
  const jobs = [
    { algorithm: 'coloring', options: {}, scheduler: values['coloring-scheduler']! },
    { algorithm: 'pagerank', options: { tolerance }, scheduler: values['pagerank-scheduler']! },
  ].filter((job) => wanted.has(job.algorithm));
  for (const job of jobs) {
    for (const workers of values.threads!.split(',').map(Number)) {
      for (const consistency of values.models!.split(',')) {
        const samples = [];
        for (let r = 0; r < runs; r++) {
          const summary = await runOnGraph(graph, job.algorithm, {
            options: job.options,
            engine: 'async',
            scheduler: job.scheduler,
            consistency,
            workers,
            timeoutSeconds: Number(values.timeout),
            // Colouring under vertex consistency on several workers need not end (neighbours may
            // recolour against each other forever): a budget keeps such a run short and says so.
            maxUpdates: Number(values['max-updates-per-vertex']) * graph.order,
            strategy: values.strategy!,
            partitions: Number(values.partitions),
            attribute: false,
            top: 0,
          });
          samples.push(asyncFigures(summary.async!, summary.values(), summary.aggregates, job.algorithm, graph, syncRanks));
        }
        const line: Record<string, unknown> = {
          bench: 'async-consistency',
          graph: name,
          algorithm: job.algorithm,
          scheduler: job.scheduler,
          workers,
          consistency,
          strategy: values.strategy,
          partitions: Number(values.partitions),
          consistencyKept: [...new Set(samples.map((s) => s.consistency))].join(','),
          vertices: graph.order,
          runs,
          updates: Math.round(median(samples.map((s) => s.updates))),
          seconds: round(median(samples.map((s) => s.seconds))),
          updatesPerSecondPerWorker: Math.round(median(samples.map((s) => s.updatesPerSecondPerWorker))),
          flightShare: round(median(samples.map((s) => s.flightShare))),
          lockWaitShare: round(median(samples.map((s) => s.lockWaitShare))),
          meanLockWaitMs: round(median(samples.map((s) => s.meanLockWaitMs))),
          deferrals: Math.round(median(samples.map((s) => s.deferrals))),
          bytesBetweenWorkers: Math.round(median(samples.map((s) => s.bytesBetweenWorkers))),
          endReason: [...new Set(samples.map((s) => s.endReason))].join(','),
        };
        if (job.algorithm === 'coloring') {
          line.conflicts = Math.max(...samples.map((s) => s.conflicts!));
          line.colors = median(samples.map((s) => s.colors!));
        } else line.l1ToSync = Math.max(...samples.map((s) => s.l1ToSync!));
        if (consistency === 'edge') {
          line.target = TARGET_UPDATES_PER_WORKER;
          line.meetsTarget = (line.updatesPerSecondPerWorker as number) >= TARGET_UPDATES_PER_WORKER;
        }
        console.log(JSON.stringify(line));
      }
    }
  }
}

interface RunFigures {
  readonly consistency: string;
  readonly endReason: string;
  readonly updates: number;
  readonly seconds: number;
  readonly updatesPerSecondPerWorker: number;
  readonly flightShare: number;
  readonly lockWaitShare: number;
  readonly meanLockWaitMs: number;
  readonly deferrals: number;
  readonly bytesBetweenWorkers: number;
  /** Colouring. */
  readonly conflicts?: number;
  readonly colors?: number;
  /** PageRank. */
  readonly l1ToSync?: number;
}

/** One run's figures for the consistency lines, summed over workers and links. */
function asyncFigures(
  outcome: import('../src/engine/coordinator/engine.js').AsyncOutcome,
  result: ReadonlyMap<string, number | number[]>,
  aggregates: Readonly<Record<string, number>>,
  algorithm: string,
  graph: import('graphology').default,
  syncRanks: ReadonlyMap<string, number | number[]>,
): RunFigures {
  const sum = (pick: (w: (typeof outcome.workers)[number]) => number) => outcome.workers.reduce((total, w) => total + pick(w), 0);
  const updates = sum((w) => w.updates);
  const lockSets = sum((w) => w.lockSets);
  const lockWaits = sum((w) => w.lockWaits);
  return {
    consistency: outcome.consistency,
    endReason: outcome.endReason,
    updates: outcome.updates,
    seconds: outcome.seconds,
    updatesPerSecondPerWorker: sum((w) => w.updatesPerSecond) / outcome.workers.length,
    flightShare: updates > 0 ? sum((w) => w.flights) / updates : 0,
    lockWaitShare: lockSets > 0 ? lockWaits / lockSets : 0,
    meanLockWaitMs: lockWaits > 0 ? sum((w) => w.lockWaitMs) / lockWaits : 0,
    deferrals: sum((w) => w.deferrals),
    bytesBetweenWorkers: outcome.links.bytes.flat().reduce((total, b) => total + b, 0),
    ...(algorithm === 'coloring' ? { conflicts: conflicts(graph, result as ReadonlyMap<string, number>), colors: aggregates.colors! } : {}),
    ...(algorithm === 'pagerank' ? { l1ToSync: compare(result, syncRanks, true) } : {}),
  };
}

/** A SNAP edge list (gzip or not) as a directed graphology graph. */
async function readGraph(file: string) {
  const { readFileSync } = await import('node:fs');
  const { gunzipSync } = await import('node:zlib');
  const graphology = (await import('graphology')).default as unknown as new (options: object) => import('graphology').default;
  const bytes = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const graph = new graphology({ type: 'directed', multi: false, allowSelfLoops: true });
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [a, b] = line.split(/\s+/);
    graph.mergeNode(a!);
    graph.mergeNode(b!);
    graph.mergeEdge(a!, b!);
  }
  return graph;
}

function firstLabel(graph: import('graphology').default): string {
  return graph.nodes()[0]!;
}

function compare(got: ReadonlyMap<string, number | number[]>, want: ReadonlyMap<string, number | number[]>, l1: boolean): number {
  let total = 0;
  for (const [label, value] of want) {
    const other = got.get(label) as number;
    if (l1) total += Math.abs(other - (value as number));
    else if (!Object.is(other, value)) total++;
  }
  return l1 ? Number(total.toExponential(3)) : total;
}

function conflicts(graph: import('graphology').default, colours: ReadonlyMap<string, number>): number {
  let count = 0;
  graph.forEachEdge((_edge, _attributes, source, target) => {
    if (source !== target && colours.get(source) === colours.get(target)) count++;
  });
  return count;
}
