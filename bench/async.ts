/**
 * The asynchronous engine on one worker against the synchronous one, in the same process run:
 * dynamic (delta) PageRank, connected components and SSSP, and greedy colouring (async only), on
 * real graphs (default cnr-2000 and soc-Slashdot0902 from ../shared/data).
 *
 *   npm run build && node --import tsx bench/async.ts [--files a.txt.gz,b.txt.gz] [--runs 3] [--tolerance 1e-6]
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
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fromDist, median, round } from './lib.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '../shared/data/cnr-2000.txt.gz,../shared/data/soc-Slashdot0902.txt.gz' },
    runs: { type: 'string', default: '3' },
    tolerance: { type: 'string', default: '1e-6' },
  },
});

const { runOnGraph } = await fromDist<typeof import('../src/graphology.js')>('graphology.js');
const files = values.files!.split(',').filter(Boolean);
const runs = Number(values.runs);
const tolerance = Number(values.tolerance);
console.log(JSON.stringify({ bench: 'load', at: 'start', loadAverage: loadavg().map(round) }));

for (const file of files) {
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
  const exact = new Map((await run('pagerank', { tolerance: 1e-12, maxIterations: 1000 }, 'sync')).values);
  for (const job of jobs) {
    let reference: Map<string, number | number[]> | null = null;
    let syncUpdates = NaN;
    let syncMs = NaN;
    if (job.sync) {
      const samples = [];
      for (let r = 0; r < runs; r++) samples.push(await run(job.algorithm, job.options, 'sync'));
      const last = samples.at(-1)!;
      reference = new Map(last.values);
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
}
console.log(JSON.stringify({ bench: 'load', at: 'end', loadAverage: loadavg().map(round) }));

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
