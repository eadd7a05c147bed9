/**
 * Vector accumulators, vector result columns and edge aggregators, across partitions and
 * workers on a graph built in memory: a probe gathers [1, weight] over in-edges into a 2-wide
 * total, so every vertex must end with [in-degree, in-weight]; an edge aggregator must see each
 * edge once. A stored job's vector result read through the CLI names its components.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../src/api/index.js';
import { defineProgram } from '../src/engine/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { openTempCatalog, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';
import { seededRandom, skewedEdges } from './helpers/generators.js';
import { runInMemory } from './helpers/run-by-label.js';

afterAll(removeTempDirs);

const probe = defineProgram({
  name: 'in-stats',
  vertexColumns: { stats: ['f64', 2] },
  gatherEdges: 'in',
  scatterEdges: 'none',
  accumulatorWidth: 2,
  gatherInto(state, _self, _neighbor, edge, total, offset) {
    total[offset] = total[offset]! + 1;
    total[offset + 1] = total[offset + 1]! + state.weight[edge]!;
  },
  apply(state, v, total: Float64Array) {
    state.stats[2 * v] = total[0]!;
    state.stats[2 * v + 1] = total[1]!;
  },
  aggregators: {
    edgeWeight: { over: 'edges', map: (state, e) => state.weight[e]!, sum: (a, b) => a + b, zero: 0 },
    edges: { over: 'edges', map: () => 1, sum: (a, b) => a + b, zero: 0 },
    vertices: { map: () => 1, sum: (a, b) => a + b, zero: 0 },
  },
  converged: () => true,
});

describe('vector accumulators and edge aggregators', () => {
  const temp = openTempCatalog();
  const random = seededRandom(3);
  const edges = skewedEdges(3, 200, 1500).map(([u, v]) => [u, v, Math.round(random() * 40) / 4] as const);
  const graph = { edges: edges.map(([u, v]) => [u, v] as const), weights: edges.map(([, , w]) => w) };
  const expected = new Map<number, [number, number]>();
  for (const [u, v, w] of edges) {
    if (!expected.has(u)) expected.set(u, [0, 0]);
    const entry = expected.get(v) ?? [0, 0];
    entry[0] += 1;
    entry[1] += w;
    expected.set(v, entry);
  }
  const totalWeight = edges.reduce((sum, [, , w]) => sum + w, 0);

  for (const partitions of [1, 3]) {
    it(`every vertex gets [in-degree, in-weight]; edge aggregators see each edge once (P=${partitions}, workers 1 and ${partitions})`, async () => {
      for (const workers of new Set([1, partitions])) {
        const { summary, values } = await runInMemory(graph, probe, { directed: true, partitions, strategy: 'grid', workers });
        expect(summary.result).toEqual({ column: 'stats', width: 2 });
        expect(summary.aggregates.edges).toBe(edges.length);
        expect(summary.aggregates.edgeWeight).toBeCloseTo(totalWeight, 9);
        expect(summary.aggregates.vertices).toBe(expected.size);
        expect(values.size).toBe(expected.size);
        for (const [vertex, [degree, weight]] of expected) {
          const got = values.get(String(vertex)) as number[];
          expect(got[0]).toBe(degree);
          expect(got[1]).toBeCloseTo(weight, 9);
        }
      }
    });
  }

  it('vector results come out of the CLI with components named after the column: vertex,stats_0,stats_1', async () => {
    const file = writeGraphFile(temp.inputDir, 'weighted.txt', edges.map(([u, v, w]) => `${u}\t${v}\t${w}`).join('\n'));
    await importGraph(temp.catalog, { file, name: 'w3', weighted: true, partitions: 3, strategy: 'grid' });
    const summary = await runJob(temp.catalog, { inProcess: true, graph: 'w3', algorithm: probe });
    const child = spawnSync(process.execPath, [resolve('bin/gasworks.js'), 'results', String(summary.jobId), '--data-dir', temp.dataDir], { encoding: 'utf8' });
    const lines = child.stdout.trim().split('\n');
    expect(lines[0]).toBe('vertex,stats_0,stats_1');
    expect(lines).toHaveLength(expected.size + 1);
  });
});
