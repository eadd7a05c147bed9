/**
 * The script-facing API as the README shows it: `openGraph` + `run` with a registered algorithm,
 * a program object, and the README's example program file.
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineProgram, importGraphFile, openGraph, run } from '../src/index.js';
import { openTempCatalog, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';

afterAll(removeTempDirs);

describe('library API', () => {
  const temp = openTempCatalog();
  const file = writeGraphFile(temp.inputDir, 'g.txt', 'a b\na c\nb c\nc a\nd c\n');

  it('openGraph + run: a registered algorithm, a program object and the README example file', async () => {
    await importGraphFile(temp.catalog, { file, name: 'g', partitions: 2 });
    const graph = openGraph('g', { dataDir: temp.dataDir });
    try {
      const pagerank = await run(graph, 'pagerank', { options: { tolerance: 1e-12, maxIterations: 500 } });
      const ranks = pagerank.values();
      expect([...ranks.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
      expect([...ranks.values()].reduce<number>((sum, r) => sum + (r as number), 0)).toBeCloseTo(1, 12);
      expect(pagerank.value('c')).toBe(ranks.get('c'));

      const inDegree = defineProgram({
        name: 'in-degree',
        vertexColumns: { count: 'f64' },
        gather: () => 1,
        zero: 0,
        sum: (x, y) => x + y,
        apply(state, v, total) {
          state.count[v] = total;
        },
        converged: () => true,
      });
      const counted = await run(graph, inDegree, { workers: 2 });
      expect(Object.fromEntries(counted.values())).toEqual({ a: 1, b: 1, c: 3, d: 0 });

      // examples/in-weight.ts: Σ over in-neighbours u of 1/outDegree(u).
      const example = await run(graph, resolve('examples/in-weight.ts'));
      expect(example.value('c')).toBeCloseTo(1 / 2 + 1 + 1, 12);
      expect(example.aggregates.total).toBeCloseTo(4, 12);
    } finally {
      graph.close();
    }
  });

  it('openGraph on a missing graph throws GAS_ERR_NOT_FOUND', () => {
    expect(() => openGraph('missing', { dataDir: temp.dataDir })).toThrow(expect.objectContaining({ code: 'GAS_ERR_NOT_FOUND' }));
  });
});
