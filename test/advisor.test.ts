/**
 * The partition advisor: `--strategy auto --for ALGORITHM` weighs the edges the program gathers
 * on. Gather span is computed as defined; the estimate ranks cuts as the engine's measured
 * traffic does; the registry's `gathers` agrees with the programs; the sample spans the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../src/algorithms/index.js';
import { importGraphFile, partitionReport, repartition, runJob } from '../src/api/index.js';
import { orientedStream } from '../src/ingest/edge-stream.js';
import { gatherSpan, messagesPerVertex } from '../src/partition/index.js';
import { EdgeChunks } from '../src/storage/index.js';
import { openTempCatalog, removeTempDirs, snapText, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { skewedEdges } from './helpers/generators.js';

let temp: TempCatalog;
let file: string;
beforeAll(() => {
  temp = openTempCatalog();
  file = writeGraphFile(temp.inputDir, 'skewed.txt', snapText(skewedEdges(77, 3000, 30_000, 2.2)));
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

describe('gather span', () => {
  it('counts, per vertex with gather edges, the partitions holding them', () => {
    // Edges 0→2 (p0), 1→2 (p1), 0→1 (p0), 2→0 (p1): in-edges of 2 in {0, 1}, of 1 in {0}, of 0 in {1}.
    const stream = { numVertices: 3, directed: true, src: Uint32Array.of(0, 1, 0, 2), dst: Uint32Array.of(2, 2, 1, 0) };
    const assignment = Uint16Array.of(0, 1, 0, 1);
    expect(gatherSpan(stream, assignment, 2, 'in')).toBeCloseTo(4 / 3, 12);
    // Out-edges of 0 in {0}, of 1 in {1}, of 2 in {1}.
    expect(gatherSpan(stream, assignment, 2, 'out')).toBe(1);
    expect(messagesPerVertex(2, 4 / 3)).toBeCloseTo(1 + 1 / 3, 12);
  });

  it("each registered algorithm's `gathers` is what its program gathers on", () => {
    for (const algorithm of ALGORITHMS) {
      const program = algorithm.create({ ...algorithm.defaults, source: 0, sourceIds: [0] });
      expect([algorithm.name, algorithm.gathers ?? 'all']).toEqual([algorithm.name, program.gatherEdges ?? 'in']);
    }
  });
});

describe('--strategy auto --for', () => {
  it('ranks cuts by estimated messages, and the engine measures the same order of traffic', async () => {
    const { rows } = await partitionReport(temp.catalog, { source: file, partitions: 4, strategies: ['1d-source', '1d-destination'], for: 'pagerank' });
    const [bySource, byTarget] = rows;
    // PageRank gathers in-edges: 1d-destination keeps each vertex's in-edges in one partition.
    expect(byTarget!.gatherSpan).toBe(1);
    expect(bySource!.gatherSpan).toBeGreaterThan(1.5);
    expect(byTarget!.messagesPerVertex!).toBeLessThan(bySource!.messagesPerVertex!);

    const bytes: Record<string, number> = {};
    for (const strategy of ['1d-source', '1d-destination']) {
      await importGraphFile(temp.catalog, { file, name: `cut-${strategy}`, strategy, partitions: 4 });
      const job = await runJob(temp.catalog, { graph: `cut-${strategy}`, algorithm: 'pagerank', options: { maxIterations: 3 }, workers: 4, inProcess: true });
      bytes[strategy] = job.exchange.bytesPerStep[1]!;
    }
    expect(bytes['1d-destination']).toBeLessThan(bytes['1d-source']!);
  });

  it('says which program it chose for, and picks the lowest estimate among balanced strategies', async () => {
    const { graph, strategyReason } = await importGraphFile(temp.catalog, { file, name: 'auto-pr', strategy: 'auto', partitions: 8, for: 'pagerank' });
    expect(strategyReason).toMatch(/^auto chose \S+ for pagerank \(gathers in-edges\)/);
    expect(graph.strategyReason).toBe(strategyReason);
    const { rows } = await partitionReport(temp.catalog, { source: file, partitions: 8, for: 'pagerank' });
    const balanced = rows.filter((row) => row.edgeBalance <= 1.1);
    const best = Math.min(...balanced.map((row) => row.messagesPerVertex!));
    // The choice was made on a sample (here: every edge, the graph is small), so it is the best row.
    expect(rows.find((row) => row.strategy === graph.strategy)!.messagesPerVertex).toBe(best);

    const undirected = await importGraphFile(temp.catalog, { file, name: 'auto-cc', strategy: 'auto', partitions: 8, for: 'connected-components' });
    expect(undirected.strategyReason).toMatch(/gathers all edges: replication decides/);
  });

  it('refuses --for with a named strategy, and unknown algorithms, naming the option', async () => {
    await expect(importGraphFile(temp.catalog, { file, name: 'bad1', strategy: 'grid', for: 'pagerank' })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      details: { option: 'for' },
    });
    await expect(importGraphFile(temp.catalog, { file, name: 'bad2', strategy: 'auto', for: 'pagerunk' })).rejects.toMatchObject({
      details: { option: 'for' },
    });
    await importGraphFile(temp.catalog, { file, name: 'kept', partitions: 2 });
    await expect(repartition(temp.catalog, { graph: 'kept', strategy: 'hdrf', for: 'pagerank' })).rejects.toMatchObject({ details: { option: 'for' } });
    expect(temp.catalog.listGraphs().map((g) => g.name)).not.toContain('bad1');
  });
});

describe('the sample auto measures', () => {
  it('spans the whole stream (every k-th edge), not its head', () => {
    const edges = new EdgeChunks(false);
    for (let i = 0; i < 100_000; i++) edges.push(i, i + 1, 1);
    const sample = orientedStream(edges, 100_001, true, 1000);
    expect(sample.src.length).toBe(1000);
    expect(sample.src[0]).toBe(0);
    expect(sample.src[999]).toBe(99_900);
    expect(orientedStream(edges, 100_001, true, 200_000).src.length).toBe(100_000);
  });
});
