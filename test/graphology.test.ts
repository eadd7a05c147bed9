/**
 * graphology in memory (`runOnGraph`): results against sequential oracles and graphology-metrics
 * on graphs built in memory, the same answers whatever the worker count and placement, results
 * written as node attributes with every other attribute kept, nothing written to disk, errors
 * with stable codes; and `toGraphology` round trips with a stored graph and job.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pagerankModule from 'graphology-metrics/centrality/pagerank.js';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../src/api/index.js';
import { defineProgram } from '../src/engine/index.js';
import { toGraphology, runOnGraph, type AnyGraphology } from '../src/graphology.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { Graph, makeTempDir, openTempCatalog, removeTempDirs } from './helpers/graph-files.js';
import { componentsOracle } from './helpers/oracles.js';
import { erdosRenyiGnp, grid2d, oriented, powerLaw, star, withQuarterWeights, type OrientedGraph } from './helpers/generators.js';
import { pagerankOracle } from './helpers/rank-oracles.js';

afterAll(removeTempDirs);

/** graphology-metrics is CommonJS typed as an ES module: the default import is the function at run time. */
const pagerankMetrics = pagerankModule as unknown as typeof pagerankModule.default;

const key = (v: number): string => `n${v}`;

/** A test graph as a graphology graph: node `n<i>` is oracle vertex i (string keys keep node order as id order), plus `isolated` extra nodes. */
function toGraph(graph: OrientedGraph, options: { isolated?: number; weightAttribute?: string } = {}): AnyGraphology {
  const g = new Graph({ type: graph.directed ? 'directed' : 'undirected', multi: true, allowSelfLoops: true });
  for (let v = 0; v < graph.vertices + (options.isolated ?? 0); v++) g.addNode(key(v), { index: v, color: v % 2 ? 'red' : 'blue' });
  graph.edges.forEach(([u, v], i) => g.addEdge(key(u), key(v), { [options.weightAttribute ?? 'weight']: graph.weights?.[i] ?? 1, tag: `e${i}` }));
  return g as unknown as AnyGraphology;
}

function attributeArray(g: AnyGraphology, name: string, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, v) => g.getNodeAttribute(key(v), name) as number);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const TIGHT = { damping: 0.85, tolerance: 1e-13, maxIterations: 2000 };

describe('runOnGraph: PageRank', () => {
  const graphs = [powerLaw(5, 300, 3, true), erdosRenyiGnp(7, 120, 0.05, false), oriented(star(20), true), oriented(grid2d(5, 6), false)];
  for (const graph of graphs) {
    it(`matches the sequential oracle and graphology-metrics on ${graph.name} (multi-edges, self-loops, dangling vertices kept)`, async () => {
      const g = toGraph(graph);
      const summary = await runOnGraph(g, 'pagerank', { options: TIGHT, attribute: 'pr' });
      expect(summary.attribute).toBe('pr');
      expect(summary.converged).toBe(true);
      const ranks = attributeArray(g, 'pr', graph.vertices);
      expect(maxDifference(ranks, pagerankOracle(graph, { ...TIGHT, tolerance: 1e-15 }).ranks)).toBeLessThanOrEqual(1e-9);
      // graphology-metrics counts an undirected self-loop differently from NetworkX; compare where both agree on the graph.
      if (graph.directed || graph.edges.every(([u, v]) => u !== v)) {
        const metrics = pagerankMetrics(g, { alpha: 0.85, tolerance: 1e-14, maxIterations: 5000, getEdgeWeight: null });
        expect(
          maxDifference(
            ranks,
            Float64Array.from({ length: graph.vertices }, (_, v) => metrics[key(v)]!),
          ),
        ).toBeLessThanOrEqual(1e-9);
      }
    });
  }

  it('weighted: reads the named edge attribute, and the algorithm weighs by it', async () => {
    const graph = withQuarterWeights(powerLaw(9, 200, 3, true), 4);
    const g = toGraph(graph, { weightAttribute: 'w' });
    await runOnGraph(g, 'pagerank', { options: TIGHT, weighted: 'w' });
    const expected = pagerankOracle(graph, { ...TIGHT, tolerance: 1e-15, weighted: true }).ranks;
    expect(maxDifference(attributeArray(g, 'rank', graph.vertices), expected)).toBeLessThanOrEqual(1e-9);
  });

  it('gives the same ranks on 1 and 2 worker threads and 1 and 2 in-process workers, and on 1, 3 and 7 partitions', async () => {
    const graph = powerLaw(11, 400, 4, true);
    const g = toGraph(graph, { isolated: 3 });
    const n = graph.vertices + 3;
    const byPlacement: Float64Array[] = [];
    for (const [workers, inProcess] of [
      [1, false],
      [2, false],
      [2, true],
      [1, true],
    ] as const) {
      const summary = await runOnGraph(g, 'pagerank', { options: TIGHT, workers, inProcess, partitions: 4, strategy: 'hdrf' });
      expect(summary.workers).toBe(workers);
      // Even one worker runs on a thread (a heap of its own) unless asked to stay in this thread.
      expect(summary.placement).toBe(inProcess ? 'in-process' : 'threads');
      byPlacement.push(attributeArray(g, 'rank', n));
    }
    // Same partitions and worker count: the same sums in the same order, so the same bits.
    expect(byPlacement[1]).toEqual(byPlacement[2]);
    expect(byPlacement[0]).toEqual(byPlacement[3]);
    // One worker sums a vertex's in-edges from all partitions at once, two add two partials: last-bit differences only.
    expect(maxDifference(byPlacement[1]!, byPlacement[0]!)).toBeLessThanOrEqual(1e-15);
    for (const partitions of [1, 3, 7]) {
      await runOnGraph(g, 'pagerank', { options: TIGHT, partitions, strategy: 'random' });
      expect(maxDifference(attributeArray(g, 'rank', n), byPlacement[0]!)).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('runOnGraph: connected components and programs', () => {
  it('connected components match union-find, isolated nodes included, for every worker count and partition count', async () => {
    const graph = erdosRenyiGnp(3, 150, 0.012, false);
    const g = toGraph(graph, { isolated: 5 });
    const n = graph.vertices + 5;
    const expected = componentsOracle(n, graph.edges);
    for (const [workers, partitions] of [
      [1, 1],
      [2, 2],
      [2, 5],
      [1, 8],
    ] as const) {
      const summary = await runOnGraph(g, 'connected-components', { workers, partitions, attribute: 'component' });
      expect(summary.top).toEqual([]);
      expect(attributeArray(g, 'component', n)).toEqual(expected);
    }
  });

  it('runs a user vertex program object, and writes a vector result as arrays', async () => {
    const graph = powerLaw(2, 120, 2, true);
    const g = toGraph(graph);
    const program = defineProgram({
      name: 'in-stats',
      vertexColumns: { stats: ['f64', 2] },
      gatherEdges: 'in',
      scatterEdges: 'none',
      accumulatorWidth: 2,
      gatherInto(state, _self, neighbor, _edge, total, offset) {
        total[offset] = total[offset]! + 1;
        total[offset + 1] = total[offset + 1]! + 1 / state.outDegree[neighbor]!;
      },
      apply(state, v, total: Float64Array) {
        state.stats[2 * v] = total[0]!;
        state.stats[2 * v + 1] = total[1]!;
      },
      converged: () => true,
    });
    const outDegree = new Float64Array(graph.vertices);
    for (const [u] of graph.edges) outDegree[u]!++;
    const expected = Array.from({ length: graph.vertices }, () => [0, 0]);
    for (const [u, v] of graph.edges) {
      expected[v]![0]! += 1;
      expected[v]![1]! += 1 / outDegree[u]!;
    }
    for (const partitions of [1, 3]) {
      const summary = await runOnGraph(g, program, { partitions, workers: partitions, inProcess: true });
      expect(summary.result).toEqual({ column: 'stats', width: 2 });
      for (let v = 0; v < graph.vertices; v++) {
        const [count, share] = g.getNodeAttribute(key(v), 'stats') as number[];
        expect(count).toBe(expected[v]![0]);
        expect(share).toBeCloseTo(expected[v]![1]!, 12);
      }
    }
  });

  it('keeps node, edge and graph attributes; integer keys work; nothing is written to cwd or $GASWORKS_HOME', async () => {
    const home = join(makeTempDir(), 'home-that-must-not-exist');
    const saved = process.env.GASWORKS_HOME;
    const cwdStore = join(process.cwd(), '.gasworks');
    const cwdBefore = existsSync(cwdStore) ? readdirSync(cwdStore).sort() : null;
    process.env.GASWORKS_HOME = home;
    try {
      const g = new Graph({ multi: true }) as unknown as AnyGraphology;
      g.setAttribute('name', 'tiny');
      for (const node of ['10', '2', 'x', '007']) g.addNode(node, { label: `node ${node}` });
      g.addNode('lonely');
      g.addEdge('10', '2', { weight: 3, tag: 'a' });
      g.addEdge('10', '2', { weight: 1, tag: 'parallel' });
      g.addEdge('2', 'x', { weight: 2 });
      g.addEdge('x', '10', { weight: 1 });
      g.addEdge('007', '007', { weight: 5, tag: 'loop' });
      const edgesBefore = g.mapEdges((edge, attributes, source, target) => JSON.stringify([edge, source, target, attributes]));
      const summary = await runOnGraph(g, 'pagerank', { weighted: true, workers: 2, partitions: 2, top: 3 });
      expect(summary.graph).toBe('tiny');
      expect(summary.top).toHaveLength(3);
      expect(summary.options.weighted).toBe(true);
      expect(g.getAttribute('name')).toBe('tiny');
      expect(g.mapEdges((edge, attributes, source, target) => JSON.stringify([edge, source, target, attributes]))).toEqual(edgesBefore);
      expect(g.getNodeAttributes('007')).toEqual({ label: 'node 007', rank: summary.values().get('007') });
      expect(g.getNodeAttribute('lonely', 'rank')).toBeGreaterThan(0);
      const total = g.reduceNodes((sum, _node, attributes) => sum + (attributes.rank as number), 0);
      expect(total).toBeCloseTo(1, 12);
      // sssp resolves its source among the node keys.
      await runOnGraph(g, 'sssp', { options: { source: '2' }, attribute: 'hops' });
      expect(g.getNodeAttribute('10', 'hops')).toBe(2);
      expect(g.getNodeAttribute('007', 'label')).toBe('node 007');
    } finally {
      if (saved === undefined) delete process.env.GASWORKS_HOME;
      else process.env.GASWORKS_HOME = saved;
    }
    expect(existsSync(home)).toBe(false);
    expect(existsSync(cwdStore) ? readdirSync(cwdStore).sort() : null).toEqual(cwdBefore);
  });
});

describe('runOnGraph: errors', () => {
  const g = toGraph(chainGraph());
  const expectError = async (promise: Promise<unknown>, code: string, words: RegExp): Promise<void> => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(error, 'expected an error').not.toBeNull();
    expect(error!.code).toBe(code);
    expect(error!.message).toMatch(words);
  };

  it('refuses what is not a graphology graph', async () => {
    await expectError(
      runOnGraph({ nodes: [] } as unknown as AnyGraphology, 'pagerank'),
      'GAS_ERR_INVALID_ARGUMENT',
      /runOnGraph: expected a graphology Graph, got Object/,
    );
    await expectError(runOnGraph(null as unknown as AnyGraphology, 'pagerank'), 'GAS_ERR_INVALID_ARGUMENT', /got null/);
  });

  it('names an unknown algorithm and a bad option', async () => {
    await expectError(runOnGraph(g, 'pagerrank'), 'GAS_ERR_NOT_FOUND', /unknown algorithm "pagerrank"/);
    await expectError(runOnGraph(g, 'pagerank', { options: { damping: 2 } }), 'GAS_ERR_INVALID_ARGUMENT', /damping/);
    await expectError(runOnGraph(g, 'pagerank', { partitions: 0 }), 'GAS_ERR_INVALID_ARGUMENT', /partitions/);
    await expectError(runOnGraph(g, 'pagerank', { strategy: 'nope' }), 'GAS_ERR_INVALID_ARGUMENT', /strategy/);
    await expectError(runOnGraph(g, 'sssp', { options: { source: 'missing' } }), 'GAS_ERR_NOT_FOUND', /"missing" is not in graph/);
  });

  it('names a missing weight attribute and the edge without it', async () => {
    const weighted = toGraph(chainGraph(), { weightAttribute: 'w' });
    weighted.removeEdgeAttribute(weighted.edges()[1]!, 'w');
    await expectError(
      runOnGraph(weighted, 'pagerank', { weighted: 'w' }),
      'GAS_ERR_INVALID_ARGUMENT',
      /edge .* \(n1 → n2\) has no finite numeric "w" attribute/,
    );
    await expectError(runOnGraph(weighted, 'pagerank', { options: { weighted: true } }), 'GAS_ERR_INVALID_ARGUMENT', /"weight" attribute/);
  });

  it('refuses mixed graphs with directed and undirected edges, and empty graphs', async () => {
    const mixed = new Graph() as unknown as AnyGraphology;
    mixed.mergeDirectedEdge('a', 'b');
    mixed.mergeUndirectedEdge('b', 'c');
    await expectError(runOnGraph(mixed, 'pagerank'), 'GAS_ERR_UNSUPPORTED', /mixed graphs \(1 directed and 1 undirected edges\)/);
    await expectError(runOnGraph(new Graph() as unknown as AnyGraphology, 'pagerank'), 'GAS_ERR_INVALID_ARGUMENT', /no nodes/);
  });
});

describe('toGraphology', () => {
  it('a stored graph and job round trip: labels, edges, weights and the job result survive; runOnGraph on the export gives the job result exactly', async () => {
    const temp = openTempCatalog();
    try {
      const graph = withQuarterWeights(powerLaw(4, 150, 3, true), 2);
      const source = toGraph(graph);
      const file = join(temp.inputDir, 'g.json');
      writeFileSync(file, JSON.stringify(source.export()));
      // An order-insensitive strategy: the export lists edges partition by partition, not in file order.
      await importGraph(temp.catalog, { file, name: 'g', weighted: true, partitions: 3, strategy: 'grid', seed: 5 });
      const job = await runJob(temp.catalog, { graph: 'g', algorithm: 'pagerank', options: { weighted: true } });

      const exported = await toGraphology(temp.catalog, 'g', { job: job.jobId, attribute: 'stored' });
      expect(exported.order).toBe(source.order);
      expect(exported.size).toBe(source.size);
      const edgeSet = (x: AnyGraphology): string[] => x.mapEdges((_e, a, s, t) => `${s}>${t}:${a.weight}`).sort();
      expect(edgeSet(exported as unknown as AnyGraphology)).toEqual(edgeSet(source));

      await runOnGraph(exported as unknown as AnyGraphology, 'pagerank', { weighted: true, partitions: 3, strategy: 'grid', seed: 5 });
      exported.forEachNode((_node, attributes) => expect(attributes.rank).toBe(attributes.stored));
    } finally {
      temp.close();
    }
  });
});

describe('bench/graphology.ts', () => {
  it('runs on its small input (from the build) and reports agreement with graphology-metrics within 1e-9 at the same iteration count', () => {
    const bench = spawnSync(process.execPath, ['--import', 'tsx', 'bench/graphology.ts', '--small', '--runs', '1', '--workers', '1,2'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(bench.status, bench.stderr).toBe(0);
    const lines = bench.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const agreement = lines.find((line) => line.bench === 'agreement')!;
    expect(agreement).toMatchObject({ ok: true, sameIterations: true });
    expect(agreement.maxAbsDiff as number).toBeLessThanOrEqual(1e-9);
    expect(lines.filter((line) => line.bench === 'summary').map((line) => `${line.engine}/${line.workers}`)).toEqual([
      'gasworks/1',
      'gasworks/2',
      'graphology-metrics/1',
    ]);
  });
});

function chainGraph(): OrientedGraph {
  return {
    name: 'chain4',
    vertices: 4,
    directed: true,
    weights: null,
    edges: [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
  };
}
