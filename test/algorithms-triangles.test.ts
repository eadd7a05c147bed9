/**
 * triangle-count against a sequential oracle (sets of neighbours, simple undirected view) on
 * small graphs with multi-edges, reversed duplicates and self-loops, built in memory, for several
 * partitionings and worker counts; and, end to end through import and the stored job, against
 * the published totals for SNAP's ego-Facebook and wiki-Vote graphs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { jobResults, runJob } from '../src/api/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { openTempCatalog, removeTempDirs } from './helpers/graph-files.js';
import { seededRandom, skewedEdges } from './helpers/generators.js';
import { runInMemory } from './helpers/run-by-label.js';
import { requireSharedData, sharedDataFile } from './helpers/shared-data.js';

afterAll(removeTempDirs);

/** Triangles through each vertex of the simple undirected graph, by brute force over neighbour sets. */
function triangleOracle(edges: readonly (readonly [number, number])[]): Map<number, number> {
  const neighbors = new Map<number, Set<number>>();
  const add = (a: number, b: number): void => {
    if (!neighbors.has(a)) neighbors.set(a, new Set());
    if (a !== b) neighbors.get(a)!.add(b);
  };
  for (const [a, b] of edges) {
    add(a, b);
    add(b, a);
  }
  const counts = new Map<number, number>();
  for (const [v, nv] of neighbors) {
    let twice = 0;
    for (const u of nv) for (const w of neighbors.get(u)!) if (nv.has(w)) twice++;
    counts.set(v, twice / 2);
  }
  return counts;
}

function graphWithQuirks(seed: number): [number, number][] {
  const random = seededRandom(seed);
  const edges: [number, number][] = skewedEdges(seed, 60, 400).map(([a, b]) => [a, b]);
  for (let i = 0; i < 40; i++) {
    const [a, b] = edges[Math.floor(random() * edges.length)]!;
    edges.push(random() < 0.5 ? [a, b] : [b, a]); // duplicates in both directions
  }
  edges.push([3, 3], [7, 7]);
  return edges;
}

describe('triangle-count', () => {
  const graph = { edges: graphWithQuirks(11) };
  const expected = triangleOracle(graph.edges);

  for (const undirected of [false, true]) {
    for (const strategy of ['random', 'grid']) {
      for (const partitions of [1, 2, 4, 7]) {
        it(`${undirected ? 'undirected' : 'directed'}, ${strategy}, P=${partitions}, workers 1 and ${partitions}`, async () => {
          for (const workers of new Set([1, partitions])) {
            const { summary, values } = await runInMemory(graph, 'triangle-count', { directed: !undirected, strategy, partitions, workers });
            expect(new Map([...values].map(([vertex, value]) => [Number(vertex), value]))).toEqual(expected);
            const total = [...expected.values()].reduce((a, b) => a + b, 0) / 3;
            expect(summary.aggregates.triangles).toBe(total);
          }
        });
      }
    }
  }
});

const FACEBOOK = sharedDataFile('facebook_combined.txt.gz');

describe('triangle-count on SNAP ego-Facebook', () => {
  it('finds the 1,612,010 triangles SNAP publishes for the graph', async () => {
    requireSharedData(FACEBOOK);
    const { catalog } = openTempCatalog();
    await importGraph(catalog, { file: FACEBOOK, name: 'fb', undirected: true, partitions: 4, strategy: 'grid' });
    const summary = await runJob(catalog, { inProcess: true, graph: 'fb', algorithm: 'triangle-count', workers: 2 });
    expect(summary.aggregates.triangles).toBe(1_612_010);
  });
});

const WIKI_VOTE = sharedDataFile('wiki-Vote.txt.gz');

describe('SNAP wiki-Vote, against the statistics SNAP publishes for it', () => {
  it('608,389 triangles and a largest weakly connected component of 7,066 vertices', async () => {
    requireSharedData(WIKI_VOTE);
    const { catalog } = openTempCatalog();
    await importGraph(catalog, { file: WIKI_VOTE, name: 'wiki', partitions: 4, strategy: 'grid' });
    const triangles = await runJob(catalog, { inProcess: true, graph: 'wiki', algorithm: 'triangle-count', workers: 2 });
    expect(triangles.aggregates.triangles).toBe(608_389);
    const components = await runJob(catalog, { inProcess: true, graph: 'wiki', algorithm: 'connected-components', workers: 2 });
    const sizes = new Map<number, number>();
    for (const row of jobResults(catalog, components.jobId).rows()) sizes.set(row.value as number, (sizes.get(row.value as number) ?? 0) + 1);
    expect(Math.max(...sizes.values())).toBe(7_066);
  });
});
