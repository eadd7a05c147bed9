/**
 * Connected components, single-source shortest paths and label propagation: each generated graph
 * (star, chain, 2D grid, Erdős–Rényi, preferential attachment, several components with isolated
 * vertices) is built in memory directed and undirected under every layout (1, 2, 4, 7
 * partitions × random and grid, laid out as `import` lays them out), each algorithm runs with 1,
 * 2 and P workers, and its values read by label must equal a sequential oracle: exactly for
 * integer results, within 1e-12 relative for weighted distances. The options tests run end to
 * end on stored graphs, because the job's catalog row is part of what they check: bad options
 * must fail as a `GasError` naming the option, before any job row is created; what the program
 * finds while it runs (negative weights) leaves a failed job row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GasError, runJob, type GraphRecord } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import {
  chain,
  edgeListText,
  embedded,
  erdosRenyi,
  grid2d,
  importOptions,
  preferentialAttachment,
  relabeled,
  severalComponents,
  star,
  withWeights,
  type TestGraph,
} from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { bfsOracle, componentsOracle, dijkstraOracle, distinctCount, labelPropagationOracle } from './helpers/oracles.js';
import { runInMemory, runStored } from './helpers/run-by-label.js';

const GRAPHS: readonly TestGraph[] = [star(40), chain(60), grid2d(9, 12), erdosRenyi(4, 250, 600), preferentialAttachment(5, 400, 3), severalComponents(6)].map(
  (graph, k) => withWeights(relabeled(graph, 10 + k), 20 + k),
);

const LAYOUTS = [
  { partitions: 1, strategy: 'random' },
  { partitions: 2, strategy: 'random' },
  { partitions: 2, strategy: 'grid' },
  { partitions: 4, strategy: 'random' },
  { partitions: 4, strategy: 'grid' },
  { partitions: 7, strategy: 'random' },
  { partitions: 7, strategy: 'grid' },
] as const;

const LP = { maxIterations: 20 };

let temp: TempCatalog;
let imports = 0;

beforeAll(() => {
  temp = openTempCatalog();
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

async function importTestGraph(graph: TestGraph, directed: boolean, layout: { partitions: number; strategy: string }): Promise<GraphRecord> {
  const file = writeGraphFile(temp.inputDir, `${graph.name}-${imports}.txt`, edgeListText(graph));
  const { graph: record } = await importGraph(temp.catalog, { file, name: `g${imports++}`, ...importOptions(graph, directed), ...layout, seed: 7 });
  expect(record.vertices).toBe(graph.vertices);
  return record;
}

/** A test graph read directed or undirected, cut as `import` would cut it (seed 7). */
interface Layout {
  readonly graph: TestGraph;
  readonly directed: boolean;
  readonly partitions: number;
  readonly strategy: string;
}

/** Runs a job on `layout` built in memory; returns its summary and its values indexed by vertex label. */
async function run(
  layout: Layout,
  algorithm: string,
  workers: number,
  options: Record<string, unknown> = {},
): Promise<{ summary: { converged: boolean; iterations: number; workers: number; aggregates: Readonly<Record<string, number>> }; values: Float64Array }> {
  const { graph, directed, partitions, strategy } = layout;
  const { summary, byIndex } = await runInMemory(graph, algorithm, { directed, partitions, strategy, seed: 7, workers, options, top: 0 });
  return { summary, values: byIndex(graph.vertices) };
}

/** Runs a job on a stored graph; returns its summary and its values indexed by vertex label. */
async function runOnStored(
  graph: GraphRecord,
  algorithm: string,
  workers: number,
  options: Record<string, unknown> = {},
): Promise<{ summary: { converged: boolean; iterations: number }; values: Float64Array }> {
  const { summary, byIndex } = await runStored(temp.catalog, { graph: graph.name, algorithm, workers, options, top: 0 });
  return { summary, values: byIndex(graph.vertices) };
}

/** Vertices whose values differ by more than `relative` (∞ must match ∞ exactly). */
function mismatches(actual: Float64Array, expected: Float64Array, relative = 0): string[] {
  const bad: string[] = [];
  for (let v = 0; v < expected.length; v++) {
    const [a, e] = [actual[v]!, expected[v]!];
    const ok = a === e || (Number.isFinite(e) && Math.abs(a - e) <= relative * Math.abs(e));
    if (!ok) bad.push(`vertex ${v}: got ${a}, expected ${e}`);
  }
  return bad.slice(0, 10);
}

const finite = (values: Float64Array): number => values.filter(Number.isFinite).length;

for (const graph of GRAPHS) {
  // A source a third of the way through the edge list: inside the graph, not its first vertex.
  const source = graph.edges[Math.floor(graph.edges.length / 3)]![0];
  const components = componentsOracle(graph.vertices, graph.edges);
  const communities = labelPropagationOracle(graph.vertices, graph.edges, LP);

  for (const directed of [true, false]) {
    describe(`${graph.name}, ${directed ? 'directed' : 'undirected'}`, () => {
      const hops = bfsOracle(graph.vertices, graph.edges, directed, source);
      const distances = dijkstraOracle(graph.vertices, graph.edges, graph.weights!, directed, source);

      it.each(LAYOUTS)('$partitions partitions, $strategy: every algorithm equals its oracle for 1, 2 and P workers', async (cut) => {
        const layout = { graph, directed, ...cut };
        for (const workers of new Set([1, 2, layout.partitions].filter((w) => w <= layout.partitions))) {
          const context = `${workers} worker(s)`;
          const cc = await run(layout, 'connected-components', workers);
          expect(mismatches(cc.values, components), context).toEqual([]);
          expect(cc.summary).toMatchObject({ converged: true, workers, aggregates: { components: distinctCount(components) } });

          const weighted = await run(layout, 'sssp', workers, { source: String(source) });
          expect(mismatches(weighted.values, distances, 1e-12), context).toEqual([]);
          expect(weighted.summary).toMatchObject({ converged: true, aggregates: { reached: finite(distances) } });

          // Hop counts differ from weighted runs only in the edge length; one worker count keeps the file fast.
          if (workers === layout.partitions) {
            const hopCount = await run(layout, 'sssp', workers, { source: String(source), weighted: false });
            expect(mismatches(hopCount.values, hops), context).toEqual([]);
          }

          const lp = await run(layout, 'label-propagation', workers);
          expect(mismatches(lp.values, communities.labels), context).toEqual([]);
          const namesakes = communities.labels.filter((label, v) => label === v).length;
          expect(lp.summary, context).toMatchObject({
            iterations: communities.iterations,
            converged: communities.converged,
            aggregates: { communities: namesakes },
          });
        }
      });
    });
  }
}

describe('vertex ids above 2¹⁶', () => {
  const graph = withWeights(embedded(preferentialAttachment(12, 300, 3), 2 ** 17 + 300, 13), 14);
  const source = graph.edges[0]![0];
  const layout = { graph, directed: false, partitions: 4, strategy: 'grid' };

  it('components and distances equal their oracles', async () => {
    const cc = await run(layout, 'connected-components', 4);
    const components = componentsOracle(graph.vertices, graph.edges);
    expect(mismatches(cc.values, components)).toEqual([]);
    expect(cc.summary.aggregates.components).toBe(distinctCount(components));
    const sssp = await run(layout, 'sssp', 2, { source: String(source) });
    expect(mismatches(sssp.values, dijkstraOracle(graph.vertices, graph.edges, graph.weights!, false, source), 1e-12)).toEqual([]);
  });

  it('label propagation equals its oracle', async () => {
    const expected = labelPropagationOracle(graph.vertices, graph.edges, { maxIterations: 20 });
    expect(expected.labels.some((label) => label >= 2 ** 16)).toBe(true);
    for (const workers of [1, 4]) {
      const { summary, values } = await run(layout, 'label-propagation', workers);
      expect(mismatches(values, expected.labels)).toEqual([]);
      expect(summary).toMatchObject({ iterations: expected.iterations, converged: expected.converged });
    }
  });
});

describe('options', () => {
  const graph = withWeights(relabeled(preferentialAttachment(8, 150, 2), 9), 10);
  let weightedGraph: GraphRecord;
  let unweightedGraph: GraphRecord;

  beforeAll(async () => {
    weightedGraph = await importTestGraph(graph, true, { partitions: 4, strategy: 'grid' });
    unweightedGraph = await importTestGraph({ ...graph, weights: null }, true, { partitions: 3, strategy: 'random' });
  });

  /**
   * Expects `runJob` to fail with `code` naming `option`. Options, and the labels the algorithm
   * resolves against the graph, are the user's input, checked before a job row exists; what the
   * program finds while it runs (sssp's negative weights) fails the job, and its row says so.
   */
  async function expectFailure(
    record: GraphRecord,
    algorithm: string,
    options: Record<string, unknown>,
    code: string,
    option: string,
    when: 'before the job' | 'in the job' = 'before the job',
  ): Promise<GasError> {
    const lastJobBefore = temp.catalog.jobs.list({ limit: 1 })[0]?.id;
    const error = await runJob(temp.catalog, { inProcess: true, graph: record.name, algorithm, options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GasError);
    const gasError = error as GasError;
    expect(gasError).toMatchObject({ code, details: { option } });
    expect(gasError.message).toContain(option);
    const [job] = temp.catalog.jobs.list({ limit: 1 });
    if (when === 'before the job') expect(job?.id).toBe(lastJobBefore);
    else expect(job).toMatchObject({ algorithm, status: 'failed', errorCode: code, errorMessage: gasError.message });
    return gasError;
  }

  it('sssp without --source fails naming the option', async () => {
    await expectFailure(weightedGraph, 'sssp', {}, 'GAS_ERR_INVALID_ARGUMENT', 'source');
  });

  it('sssp with a source label that is not in the graph fails naming the option and the label', async () => {
    const error = await expectFailure(weightedGraph, 'sssp', { source: 'nowhere' }, 'GAS_ERR_NOT_FOUND', 'source');
    expect(error.message).toContain('"nowhere"');
    await expectFailure(weightedGraph, 'sssp', { source: String(graph.vertices + 5) }, 'GAS_ERR_NOT_FOUND', 'source');
  });

  it('sssp on an unweighted graph counts hops by default', async () => {
    const { values } = await runOnStored(unweightedGraph, 'sssp', 2, { source: '3' });
    expect(mismatches(values, bfsOracle(graph.vertices, graph.edges, true, 3))).toEqual([]);
  });

  it('sssp rejects negative weights unless --weighted false', async () => {
    const negative = { ...graph, weights: graph.weights!.map((w, i) => (i === 17 ? -w : w)) };
    const record = await importTestGraph(negative, false, { partitions: 2, strategy: 'random' });
    const error = await expectFailure(record, 'sssp', { source: '3' }, 'GAS_ERR_INVALID_ARGUMENT', 'weighted', 'in the job');
    expect(error.message).toContain('non-negative');
    const { values } = await runOnStored(record, 'sssp', 2, { source: '3', weighted: 'false' });
    expect(mismatches(values, bfsOracle(graph.vertices, graph.edges, false, 3))).toEqual([]);
  });

  it('label propagation honours maxIterations given as a CLI string', async () => {
    for (const maxIterations of [1, 4, 20]) {
      const expected = labelPropagationOracle(graph.vertices, graph.edges, { maxIterations });
      const { summary, values } = await runOnStored(weightedGraph, 'label-propagation', 4, { maxIterations: String(maxIterations) });
      expect(mismatches(values, expected.labels), `maxIterations ${maxIterations}`).toEqual([]);
      expect(summary).toMatchObject({ iterations: expected.iterations, converged: expected.converged });
    }
    await expectFailure(weightedGraph, 'label-propagation', { buckets: 16 }, 'GAS_ERR_INVALID_ARGUMENT', 'buckets');
  });
});
