/**
 * Vector aggregators (`width` + `mapInto`, read with `ctx.aggregateVector`): element-wise sums
 * over masters (vertices) or over edges, the same on every partitioning and worker count, seen
 * by every worker in the next step; scalars beside them are unaffected; malformed ones are
 * refused naming the aggregator. The graph is built in memory, cut into 6 partitions.
 */
import { describe, expect, it } from 'vitest';
import { defineProgram } from '../src/engine/index.js';
import { skewedEdges } from './helpers/generators.js';
import { runInMemory } from './helpers/run-by-label.js';

const edges = skewedEdges(11, 150, 900, 2);
const graph = { edges };
const LAYOUT = { directed: true, partitions: 6 } as const;

/** Each vertex stores, in apply, what the vector aggregators said after the previous step. */
const probe = defineProgram({
  name: 'vector-aggregators',
  vertexColumns: { seen: ['f64', 5] },
  gatherEdges: 'none',
  scatterEdges: 'none',
  alwaysActive: true,
  apply(state, v, _total, ctx) {
    const degrees = ctx.aggregateVector('degrees');
    const byEdge = ctx.aggregateVector('edges');
    state.seen.set([degrees[0]!, degrees[1]!, degrees[2]!, byEdge[0]!, ctx.aggregate('count')], v * 5);
  },
  aggregators: {
    // [vertices, Σ out-degree, Σ in-degree²]
    degrees: {
      width: 3,
      mapInto(state, v, _ctx, out) {
        out[0]! += 1;
        out[1]! += state.outDegree[v]!;
        out[2]! += state.inDegree[v]! * state.inDegree[v]!;
      },
    },
    edges: { over: 'edges', width: 1, mapInto: (_state, _e, _ctx, out) => void (out[0]! += 1) },
    count: { map: () => 1, sum: (a, b) => a + b, zero: 0 },
  },
});

describe('vector aggregators', () => {
  it.each([1, 3, 6])('%i worker(s): element-wise sums over masters and over edges, seen by every vertex', async (workers) => {
    const { summary, values } = await runInMemory(graph, probe, { ...LAYOUT, options: { maxIterations: 2 }, workers });
    const vertices = new Set(edges.flat()).size;
    const inDegree = new Map<number, number>();
    for (const [, t] of edges) inDegree.set(t, (inDegree.get(t) ?? 0) + 1);
    const squares = [...inDegree.values()].reduce((sum, d) => sum + d * d, 0);
    expect(values.size).toBe(vertices);
    for (const value of values.values()) expect(value).toEqual([vertices, edges.length, squares, edges.length, vertices]);
    expect(summary.aggregates).toEqual({ count: vertices });
  });

  it('refuses a vector aggregator without mapInto, naming it', async () => {
    const broken = { ...probe, aggregators: { ...probe.aggregators, degrees: { width: 3 } } } as unknown as typeof probe;
    await expect(runInMemory(graph, broken, LAYOUT)).rejects.toMatchObject({
      code: 'GAS_ERR_PROGRAM',
      message: expect.stringContaining('aggregator "degrees": a vector aggregator (width) needs mapInto'),
    });
  });
});
