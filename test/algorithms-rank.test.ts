/**
 * PageRank, personalized PageRank and k-core on graphs built in memory (laid out as `import`
 * lays them out, `helpers/run-by-label.ts`), against the plain sequential oracles of
 * `helpers/rank-oracles.ts` on star, chain, grid, Erdős–Rényi and power-law graphs (directed and
 * undirected), for 1, 2, 4 and 7 partitions under the `random` and `grid` strategies and 1, 2
 * and P workers. Floating-point results must agree within 1e-12 relative (partial sums combine
 * in different orders on different partitionings), core numbers exactly. PageRank is also
 * checked against published values. k-core with `--dedupe` (an import option) runs on a stored
 * graph, end to end through import, the job and its stored result.
 */
import { describe, expect, it } from 'vitest';
import { importGraphFile } from '../src/api/index.js';
import { GasError } from '../src/errors.js';
import { openTempCatalog, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';
import { chain, edgeListText, erdosRenyiGnp, grid2d, oriented, powerLaw, star, withQuarterWeights, type OrientedGraph } from './helpers/generators.js';
import { coreNumberOracle, pagerankOracle, type PageRankOracleOptions } from './helpers/rank-oracles.js';
import { runInMemory, runStored } from './helpers/run-by-label.js';

/** Tight enough that engine and oracle both stop at the fixpoint up to rounding. */
const TIGHT = { damping: 0.85, tolerance: 1e-13, maxIterations: 1000 } as const;
const RELATIVE = 1e-12;
const PARTITIONS = [1, 2, 4, 7] as const;
const STRATEGIES = ['random', 'grid'] as const;

/** How a test graph is cut: partitions under a strategy (import's default seed). */
interface Layout {
  readonly graph: OrientedGraph;
  readonly partitions: number;
  readonly strategy: string;
}

/** Runs a job on `layout` built in memory; returns its result indexed by vertex label (labels are 0..n−1). */
async function run(
  layout: Layout,
  algorithm: string,
  workers: number,
  options: Record<string, unknown>,
): Promise<{ values: Float64Array; iterations: number; converged: boolean }> {
  const { graph, partitions, strategy } = layout;
  const { summary, byIndex } = await runInMemory(graph, algorithm, { directed: graph.directed, partitions, strategy, workers, options });
  return { values: byIndex(graph.vertices), iterations: summary.iterations, converged: summary.converged };
}

function expectClose(actual: Float64Array, expected: ArrayLike<number>, relative: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let v = 0; v < actual.length; v++) {
    const [a, e] = [actual[v]!, expected[v]!];
    if (Math.abs(a - e) > relative * Math.max(Math.abs(a), Math.abs(e))) expect.fail(`${what}: vertex ${v}: got ${a}, oracle ${e}`);
  }
}

/** 1, 2 and P workers, without repeats (a run never has more workers than partitions). */
function workerCounts(partitions: number): number[] {
  return [...new Set([1, 2, partitions].map((w) => Math.min(w, partitions)))];
}

/** Two restart vertices, one named twice (NetworkX's personalization dict keeps it once). */
function sourcesOf(graph: OrientedGraph): number[] {
  return [0, Math.floor(graph.vertices / 2), 0];
}

async function expectRank(layout: Layout, workers: number, algorithm: string, options: Record<string, unknown>, oracle: PageRankOracleOptions): Promise<void> {
  const expected = pagerankOracle(layout.graph, oracle);
  expect(expected.converged).toBe(true);
  const got = await run(layout, algorithm, workers, options);
  const what = `${algorithm} ${JSON.stringify(options)} on ${layout.graph.name} (${layout.strategy}, ${layout.partitions} partitions) with ${workers} workers`;
  expect(got.converged, what).toBe(true);
  expect(Math.abs(got.iterations - expected.iterations), what).toBeLessThanOrEqual(1);
  expectClose(got.values, expected.ranks, RELATIVE, what);
}

const GRAPHS: OrientedGraph[] = [true, false].flatMap((directed) => [
  oriented(star(30), directed),
  oriented(chain(25), directed),
  oriented(grid2d(5, 6), directed),
  erdosRenyiGnp(11, 60, directed ? 0.06 : 0.08, directed),
  powerLaw(17, 120, 2, directed),
]);

describe.each(GRAPHS.map((graph) => [graph.name, graph] as const))('%s', (_, graph) => {
  const cores = coreNumberOracle(graph);
  it.each(STRATEGIES.flatMap((strategy) => PARTITIONS.map((p) => [strategy, p] as const)))(
    '%s strategy, %i partitions: pagerank (both variants), personalized-pagerank, k-core',
    async (strategy, partitions) => {
      const layout = { graph, partitions, strategy };
      const sources = sourcesOf(graph);
      for (const workers of workerCounts(partitions)) {
        await expectRank(layout, workers, 'pagerank', { ...TIGHT }, TIGHT);
        await expectRank(layout, workers, 'pagerank', { ...TIGHT, variant: 'graphlab' }, { ...TIGHT, variant: 'graphlab' });
        await expectRank(layout, workers, 'personalized-pagerank', { ...TIGHT, sources: sources.join(',') }, { ...TIGHT, sources });
        const core = await run(layout, 'k-core', workers, {});
        expect(core.converged).toBe(true);
        expect(Array.from(core.values), `k-core on ${graph.name} (${strategy}, ${partitions} partitions) with ${workers} workers`).toEqual(Array.from(cores));
      }
    },
  );
});

describe('weighted graphs (weighted: true)', () => {
  const graphs = [withQuarterWeights(erdosRenyiGnp(23, 50, 0.08, true), 5), withQuarterWeights(powerLaw(29, 80, 3, false), 6)];
  it.each(graphs.flatMap((graph) => STRATEGIES.flatMap((strategy) => PARTITIONS.map((p) => [graph.name, strategy, p, graph] as const))))(
    '%s, %s strategy, %i partitions',
    async (_, strategy, partitions, graph) => {
      const layout = { graph, partitions, strategy };
      const sources = sourcesOf(graph);
      for (const workers of workerCounts(partitions)) {
        await expectRank(layout, workers, 'pagerank', { ...TIGHT, weighted: true }, { ...TIGHT, weighted: true });
        await expectRank(layout, workers, 'pagerank', { ...TIGHT, weighted: true, variant: 'graphlab' }, { ...TIGHT, weighted: true, variant: 'graphlab' });
        await expectRank(layout, workers, 'personalized-pagerank', { ...TIGHT, weighted: true, sources }, { ...TIGHT, weighted: true, sources });
        // Weights change the walk: the unweighted run must differ from the weighted one.
        const unweighted = await run(layout, 'pagerank', workers, { ...TIGHT, weighted: false });
        expect(Array.from(unweighted.values)).not.toEqual(Array.from(pagerankOracle(graph, { ...TIGHT, weighted: true }).ranks));
      }
    },
  );
});

describe('PageRank against published values', () => {
  // The 11-page example of Wikipedia's "PageRank" article (figure PageRanks-Example.svg, damping
  // 0.85; page A is dangling). The figure shows percentages (B 38.4, C 34.3, E 8.1, …); its
  // Wikimedia Commons description gives the exact solution, a vector of integers / 579662461,
  // used here.
  const links = 'B>C C>B D>A D>B E>B E>D E>F F>B F>E G>B G>E H>B H>E I>B I>E J>E K>E';
  const exact: Record<string, number> = { A: 19002201, B: 222822800, C: 198772220, D: 22657320, E: 46886400, F: 22657320 };
  for (const page of 'GHIJK') exact[page] = 9372840;
  const shownPercent: Record<string, number> = { A: 3.3, B: 38.4, C: 34.3, D: 3.9, E: 8.1, F: 3.9, G: 1.6, H: 1.6, I: 1.6, J: 1.6, K: 1.6 };
  const wikipedia = { edges: links.split(' ').map((link) => link.split('>') as [string, string]) };

  it.each([
    [1, 1],
    [3, 1],
    [3, 3],
  ])('Wikipedia 11-page graph, %i partitions, %i workers', async (partitions, workers) => {
    const { values } = await runInMemory(wikipedia, 'pagerank', { directed: true, partitions, workers, options: { ...TIGHT } });
    expect(values.size).toBe(11);
    for (const [page, numerator] of Object.entries(exact)) {
      expect(values.get(page)).toBeCloseTo(numerator / 579662461, 11);
      expect(Math.round((values.get(page) as number) * 1000) / 10).toBe(shownPercent[page]);
    }
  });

  // The three-page example of pr.efactory.de's "The PageRank Algorithm" (A→B, A→C, B→C, C→A,
  // d = 0.85, the original unnormalised formula PR(A) = (1 − d) + d·Σ PR(T)/C(T)), converged
  // values printed to 8 decimals; PowerGraph's formula, so `variant: 'graphlab'`.
  it('pr.efactory.de three-page example with variant graphlab', async () => {
    const efactory = {
      edges: [
        ['A', 'B'],
        ['A', 'C'],
        ['B', 'C'],
        ['C', 'A'],
      ] as const,
    };
    const { value } = await runInMemory(efactory, 'pagerank', { directed: true, partitions: 2, workers: 2, options: { ...TIGHT, variant: 'graphlab' } });
    expect(value('A')).toBeCloseTo(1.16336914, 8);
    expect(value('B')).toBeCloseTo(0.64443188, 8);
    expect(value('C')).toBeCloseTo(1.19219898, 8);
  });
});

describe('personalized-pagerank options', () => {
  const graph = oriented(chain(6), true);
  const layout = { graph, partitions: 2, strategy: 'random' };
  const runOn = (options: Record<string, unknown>): Promise<unknown> => runInMemory(graph, 'personalized-pagerank', { directed: true, partitions: 2, options });

  it('requires --sources, naming the option', async () => {
    const failure = await runOn({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GasError);
    expect(failure).toMatchObject({ code: 'GAS_ERR_INVALID_ARGUMENT', message: expect.stringContaining('sources') });
  });

  it('names a source label that is not in the graph', async () => {
    const failure = await runOn({ sources: '1,nowhere' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'GAS_ERR_NOT_FOUND', message: expect.stringContaining('"nowhere"') });
  });

  it('a single source on a chain: all mass downstream of it, none upstream', async () => {
    const { values } = await run(layout, 'personalized-pagerank', 2, { ...TIGHT, sources: '2' });
    expect(Array.from(values.subarray(0, 2))).toEqual([0, 0]);
    expectClose(values, pagerankOracle(graph, { ...TIGHT, sources: [2] }).ranks, RELATIVE, 'chain from 2');
    expect(values.reduce((sum, rank) => sum + rank, 0)).toBeCloseTo(1, 12);
  });
});

describe('k-core: self-loops, parallel edges, direction, early stop', () => {
  // Triangle 0-1-2 with a doubled edge 0-1, self-loops on 1 and 5, pendant 3 on 2, edge 4-5.
  const edges = [
    [0, 1],
    [1, 0],
    [1, 2],
    [2, 0],
    [1, 1],
    [2, 3],
    [4, 5],
    [5, 5],
    [0, 1],
  ] as const;
  const undirected: OrientedGraph = { name: 'loops-u', vertices: 6, directed: false, edges, weights: null };
  const directed: OrientedGraph = { ...undirected, name: 'loops-d', directed: true };

  it.each([
    ['undirected', undirected],
    ['directed', directed],
  ])('%s: parallel edges count, self-loops do not', async (_, graph) => {
    const layout = { graph, partitions: 3, strategy: 'random' };
    const expected = coreNumberOracle(graph);
    // Undirected: 0-1 is stored three times, so {0, 1} is a 3-core; the oracle agrees.
    expect(Array.from(expected)).toEqual([3, 3, 2, 1, 1, 1]);
    for (const workers of [1, 3]) expect(Array.from((await run(layout, 'k-core', workers, {})).values)).toEqual(Array.from(expected));
  });

  it('with --dedupe: the core numbers of the simple graph (NetworkX core_number), through import, the job and its stored result', async () => {
    const temp = openTempCatalog();
    try {
      const file = writeGraphFile(temp.inputDir, 'loops.txt', edgeListText(undirected));
      await importGraphFile(temp.catalog, { file, name: 'loops', undirected: true, partitions: 3, strategy: 'grid', dedupe: true });
      const { byIndex } = await runStored(temp.catalog, { graph: 'loops', algorithm: 'k-core', workers: 3 });
      // nx.core_number(nx.Graph(edges) minus self-loops): the triangle is a 2-core.
      expect(Array.from(byIndex(6))).toEqual([2, 2, 2, 1, 1, 1]);
    } finally {
      temp.close();
      removeTempDirs();
    }
  });

  it('maxIterations cuts the peeling short: unpeeled vertices are −1 and the job is not converged', async () => {
    const { values, converged } = await run({ graph: oriented(chain(20), false), partitions: 2, strategy: 'random' }, 'k-core', 2, { maxIterations: 3 });
    expect(converged).toBe(false);
    // Step 0 peels nothing (level 0), then each step peels one vertex from each end.
    expect(Array.from(values)).toEqual([1, 1, ...new Array<number>(16).fill(-1), 1, 1]);
  });

  it('top vertices are listed by core number, largest first', async () => {
    const graph = powerLaw(31, 80, 3, false);
    const { summary } = await runInMemory(graph, 'k-core', { directed: false, partitions: 4, strategy: 'grid', workers: 2, top: 5 });
    const max = Math.max(...coreNumberOracle(graph));
    expect(summary.top.map((entry) => entry.value)).toEqual(new Array<number>(5).fill(max));
  });
});
