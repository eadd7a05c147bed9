/**
 * Edge columns with one value per unit of edge weight (`['u32', 'perWeightUnit']`, for LDA's
 * per-token topics): each edge's range is `weightOffsets[e] .. weightOffsets[e + 1]`, values
 * written in `initEdge` and `scatter` are what later gathers read, on any partitioning and
 * worker count; non-integer weights are refused naming the column. Graphs are built in memory.
 */
import { describe, expect, it } from 'vitest';
import { defineProgram } from '../src/engine/index.js';
import { seededRandom, skewedEdges } from './helpers/generators.js';
import { runInMemory } from './helpers/run-by-label.js';

const STEPS = 3;
const edges = skewedEdges(5, 200, 1200, 2);
const random = seededRandom(3);
const units = edges.map(() => 1 + Math.floor(random() * 5));
const graph = { edges, weights: units };

/** Gathers Σ over in-edges of the edge's unit values; init sets unit i to i (1-based), each scatter adds 1. */
const probe = defineProgram({
  name: 'weight-units',
  vertexColumns: { total: 'f64' },
  edgeColumns: { unit: ['u32', 'perWeightUnit'] },
  gatherEdges: 'in',
  scatterEdges: 'out',
  alwaysActive: true,
  initEdge(state, e) {
    for (let i = state.weightOffsets[e]!; i < state.weightOffsets[e + 1]!; i++) state.unit[i] = i - state.weightOffsets[e]! + 1;
  },
  gather(state, _self, _neighbor, e) {
    let sum = 0;
    for (let i = state.weightOffsets[e]!; i < state.weightOffsets[e + 1]!; i++) sum += state.unit[i]!;
    return sum;
  },
  zero: 0,
  sum: (a, b) => a + b,
  apply(state, v, total) {
    state.total[v] = total;
  },
  scatter(state, _self, _neighbor, e) {
    for (let i = state.weightOffsets[e]!; i < state.weightOffsets[e + 1]!; i++) state.unit[i]!++;
  },
});

describe('perWeightUnit edge columns', () => {
  it.each([1, 3, 5])('%i worker(s): gathers read what initEdge and scatter wrote, unit by unit', async (workers) => {
    const { values } = await runInMemory(graph, probe, { directed: true, partitions: 5, options: { maxIterations: STEPS }, workers });
    // In the last step each unit i of an edge of weight c holds i + (STEPS − 1): Σ = c(c+1)/2 + (STEPS − 1)·c.
    const expected = new Map<string, number>();
    edges.forEach(([, target], k) => {
      const c = units[k]!;
      expected.set(String(target), (expected.get(String(target)) ?? 0) + (c * (c + 1)) / 2 + (STEPS - 1) * c);
    });
    expect(values.size).toBe(new Set(edges.flat()).size);
    for (const [vertex, value] of values) expect(value).toBe(expected.get(vertex) ?? 0);
  });

  it('refuses weights that are not whole units, naming the column', async () => {
    const halves = {
      edges: [
        [1, 2],
        [2, 3],
      ] as const,
      weights: [0.5, 1],
    };
    await expect(runInMemory(halves, probe, { directed: true })).rejects.toMatchObject({
      code: 'GAS_ERR_PROGRAM',
      message: expect.stringContaining('edge column "unit" holds one value per unit of edge weight, but an edge has weight 0.5'),
    });
  });
});
