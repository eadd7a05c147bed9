/**
 * Edge columns with one value per unit of edge weight (`['u32', 'perWeightUnit']`, for LDA's
 * per-token topics): each edge's range is `weightOffsets[e] .. weightOffsets[e + 1]`, values
 * written in `initEdge` and `scatter` are what later gathers read, on any partitioning and
 * worker count; non-integer weights are refused naming the column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraphFile, jobResults, runJob } from '../src/api/index.js';
import { defineProgram } from '../src/engine/index.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { seededRandom, skewedEdges } from './helpers/generators.js';

const STEPS = 3;
let temp: TempCatalog;
const edges = skewedEdges(5, 200, 1200, 2);
const random = seededRandom(3);
const units = edges.map(() => 1 + Math.floor(random() * 5));

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

beforeAll(async () => {
  temp = openTempCatalog();
  const text = edges.map(([s, t], k) => `${s} ${t} ${units[k]}`).join('\n');
  await importGraphFile(temp.catalog, { file: writeGraphFile(temp.inputDir, 'units.txt', text), name: 'units', weighted: true, partitions: 5 });
  await importGraphFile(temp.catalog, { file: writeGraphFile(temp.inputDir, 'halves.txt', '1 2 0.5\n2 3 1\n'), name: 'halves', weighted: true });
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

describe('perWeightUnit edge columns', () => {
  it.each([1, 3, 5])('%i worker(s): gathers read what initEdge and scatter wrote, unit by unit', async (workers) => {
    const job = await runJob(temp.catalog, { graph: 'units', algorithm: probe, options: { maxIterations: STEPS }, workers, inProcess: true });
    // In the last step each unit i of an edge of weight c holds i + (STEPS − 1): Σ = c(c+1)/2 + (STEPS − 1)·c.
    const expected = new Map<string, number>();
    edges.forEach(([, target], k) => {
      const c = units[k]!;
      expected.set(String(target), (expected.get(String(target)) ?? 0) + (c * (c + 1)) / 2 + (STEPS - 1) * c);
    });
    for (const row of jobResults(temp.catalog, job.jobId).rows()) expect(row.value).toBe(expected.get(String(row.vertex)) ?? 0);
  });

  it('refuses weights that are not whole units, naming the column', async () => {
    await expect(runJob(temp.catalog, { graph: 'halves', algorithm: probe, inProcess: true })).rejects.toMatchObject({
      code: 'GAS_ERR_PROGRAM',
      message: expect.stringContaining('edge column "unit" holds one value per unit of edge weight, but an edge has weight 0.5'),
    });
  });
});
