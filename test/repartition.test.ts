/**
 * `repartition`: the same graph, cut anew. The edge set, labels, degrees and weights survive
 * exactly; the graph keeps its id, jobs and results; the routing agrees with the new partitions;
 * the result equals an import with that strategy (for order-insensitive strategies); bad options
 * and a killed process leave the graph as it was.
 */
import { readdirSync, renameSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResults, repartition, runJob } from '../src/api/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { Catalog, graphDir, graphStoreDir, type GraphRecord } from '../src/storage/index.js';
import { edgeListText, withWeights, preferentialAttachment } from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, storedEdges, withReader, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { runAndKill } from './helpers/workers.js';
import { requireSharedData, sharedDataFile } from './helpers/shared-data.js';

const CNR = sharedDataFile('cnr-2000.txt.gz');

let temp: TempCatalog;
let file: string;
let weightedFile: string;
beforeAll(() => {
  temp = openTempCatalog();
  const graph = preferentialAttachment(7, 400, 4);
  file = writeGraphFile(temp.inputDir, 'pa.txt', edgeListText(graph));
  weightedFile = writeGraphFile(temp.inputDir, 'pa-weighted.txt', edgeListText(withWeights(graph, 3)));
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

let count = 0;
async function importPa(options: { strategy?: string; partitions?: number; weighted?: boolean; undirected?: boolean } = {}): Promise<GraphRecord> {
  const { weighted, ...rest } = options;
  return (await importGraph(temp.catalog, { file: weighted ? weightedFile : file, name: `pa${count++}`, weighted, ...rest })).graph;
}

/**
 * Everything a layout must preserve: edges under labels (with weights), degrees and labels, as
 * one string; and the total weight per vertex, which is summed per partition and so may differ
 * in the last bits from one layout to another.
 */
function graphContent(name: string): string {
  const { edges, labels } = storedEdges(temp.catalog, name);
  const degrees = withReader(temp.catalog, name, (reader) => Object.values(reader.degrees()).map((column) => Array.from(column)));
  return JSON.stringify({ edges, labels: [...labels], degrees });
}

function expectSameWeights(name: string, before: Float64Array[]): void {
  const after = withReader(temp.catalog, name, (reader) => Object.values(reader.weights()));
  after.forEach((column, c) => column.forEach((weight, v) => expect(weight).toBeCloseTo(before[c]![v]!, 9)));
}

/** Layout directories of a graph (and whether graph tables sit in its root). */
function layoutsOf(graph: GraphRecord): string[] {
  return readdirSync(graphDir(temp.dataDir, graph.id)).filter((entry) => entry !== 'jobs');
}

describe('repartition', () => {
  it('keeps the edge set, labels, degrees and weights; switches strategy and partition count; keeps one layout', async () => {
    for (const undirected of [false, true]) {
      const before = await importPa({ weighted: true, undirected });
      const content = graphContent(before.name);
      const weights = withReader(temp.catalog, before.name, (reader) => Object.values(reader.weights()));
      for (const [strategy, partitions] of [
        ['hdrf', 7],
        ['grid', 9],
        ['dbh', 3],
        ['random', 1],
      ] as const) {
        const result = await repartition(temp.catalog, { graph: before.name, strategy, partitions });
        expect(result.graph.id).toBe(before.id);
        expect(result.graph.strategy).toBe(strategy);
        expect(result.graph.partitions).toBe(partitions);
        expect(temp.catalog.partitionSizes(before.id)).toHaveLength(partitions);
        expect(result.partitionSizes.reduce((sum, p) => sum + p.edges, 0)).toBe(before.edges);
        expect(graphContent(before.name)).toBe(content);
        expectSameWeights(before.name, weights);
        expect(layoutsOf(result.graph)).toEqual([result.graph.layout]);
      }
    }
  });

  it('gives the same partitions as importing with that strategy (order-insensitive strategies)', async () => {
    const random = await importPa({ strategy: 'random', partitions: 4 });
    const grid = await importPa({ strategy: 'grid', partitions: 6 });
    await repartition(temp.catalog, { graph: random.name, strategy: 'grid', partitions: 6 });
    const cut = (name: string): string =>
      withReader(temp.catalog, name, (reader) =>
        JSON.stringify({
          parts: Array.from({ length: reader.meta.numPartitions }, (_, p) => reader.partition(p)).map((part) =>
            [part.gids, part.master, part.src, part.dst].map((column) => Array.from(column)),
          ),
          routing: Object.values(reader.routing()).map((column) => Array.from(column as ArrayLike<number>)),
        }),
      );
    expect(cut(random.name)).toBe(cut(grid.name));
    const after = temp.catalog.getGraph(random.name);
    expect(after.replicationFactor).toBe(grid.replicationFactor);
    expect(after.edgeBalance).toBe(grid.edgeBalance);
  });

  it('keeps the graph id, its jobs and their results, and later runs give the same answer', async () => {
    const graph = await importPa({ strategy: 'random', partitions: 4 });
    const first = await runJob(temp.catalog, { graph: graph.name, algorithm: 'pagerank', options: { tolerance: 1e-12 }, inProcess: true });
    const rows = (): number[] => [...jobResults(temp.catalog, first.jobId).rows()].map((row) => row.value as number);
    const before = rows();
    await repartition(temp.catalog, { graph: graph.name, strategy: 'hdrf', partitions: 5 });
    expect(rows()).toEqual(before);
    const again = await runJob(temp.catalog, { graph: graph.name, algorithm: 'pagerank', options: { tolerance: 1e-12 }, workers: 3, inProcess: true });
    expect(again.replicationFactor).toBe(temp.catalog.getGraph(graph.name).replicationFactor);
    const after = [...jobResults(temp.catalog, again.jobId).rows()].map((row) => row.value as number);
    after.forEach((value, i) => expect(value).toBeCloseTo(before[i]!, 12));
    expect(temp.catalog.jobs.get(first.jobId).graphId).toBe(graph.id);
  });

  it('defaults to the current values, records the parameters, and says why with auto', async () => {
    const graph = await importPa({ strategy: 'hybrid', partitions: 4 });
    expect(graph.strategyOptions).toEqual({ threshold: 100, lambda: 1 });
    const reseeded = await repartition(temp.catalog, { graph: graph.name, threshold: 7 });
    expect(reseeded.graph).toMatchObject({ strategy: 'hybrid', partitions: 4, seed: 1, strategyOptions: { threshold: 7, lambda: 1 }, strategyReason: null });
    const auto = await repartition(temp.catalog, { graph: graph.name, strategy: 'auto', partitions: 8 });
    expect(auto.strategyReason).toMatch(/^auto chose /);
    expect(auto.graph.strategyReason).toBe(auto.strategyReason);
    expect(auto.strategyReason).toContain(auto.graph.strategy);
  });

  it('bad options and unknown graphs fail with the option named, leaving the graph untouched', async () => {
    const graph = await importPa({ strategy: 'random', partitions: 4 });
    const content = graphContent(graph.name);
    await expect(repartition(temp.catalog, { graph: graph.name, strategy: 'metis' })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      details: { option: 'strategy' },
    });
    await expect(repartition(temp.catalog, { graph: graph.name, partitions: 0 })).rejects.toMatchObject({ details: { option: 'partitions' } });
    await expect(repartition(temp.catalog, { graph: graph.name, lambda: -1 })).rejects.toMatchObject({ details: { option: 'lambda' } });
    await expect(repartition(temp.catalog, { graph: 'no-such-graph', strategy: 'hdrf' })).rejects.toMatchObject({ code: 'GAS_ERR_NOT_FOUND' });
    expect(temp.catalog.getGraph(graph.name)).toEqual(graph);
    expect(graphContent(graph.name)).toBe(content);
    expect(layoutsOf(graph)).toEqual([graph.layout]);
  });

  it('a graph stored before layouts (tables in the graph directory) reads, and repartitions into a layout', async () => {
    const graph = await importPa({ strategy: 'random', partitions: 3 });
    const content = graphContent(graph.name);
    // Put the tables where the first catalog schema kept them, and point the row there.
    const root = graphDir(temp.dataDir, graph.id);
    for (const entry of readdirSync(graphStoreDir(temp.dataDir, graph))) renameSync(join(root, graph.layout, entry), join(root, entry));
    rmdirSync(join(root, graph.layout));
    const db = new Database(join(temp.dataDir, 'catalog.sqlite'));
    db.prepare(`UPDATE graphs SET layout = '' WHERE id = ?`).run(graph.id);
    db.close();
    expect(graphContent(graph.name)).toBe(content);
    const result = await repartition(temp.catalog, { graph: graph.name, strategy: 'dbh', partitions: 5 });
    expect(graphContent(graph.name)).toBe(content);
    expect(layoutsOf(result.graph)).toEqual([result.graph.layout]);
  });
});

describe('repartition atomicity', () => {
  it('a SIGKILL while the new layout is being written leaves the graph as it was; the next open removes the half-written layout', async () => {
    requireSharedData(CNR);
    const { graph } = await importGraph(temp.catalog, { file: CNR, name: 'cnr', partitions: 4 });
    const job = await runJob(temp.catalog, { graph: 'cnr', algorithm: 'pagerank', inProcess: true });
    const root = graphDir(temp.dataDir, graph.id);
    const newLayoutStarted = (): boolean => readdirSync(root).some((entry) => entry !== 'jobs' && entry !== graph.layout);
    const signal = await runAndKill(['repartition', 'cnr', '--strategy', 'hdrf', '--partitions', '16', '--data-dir', temp.dataDir], newLayoutStarted);
    expect(signal).toBe('SIGKILL');
    expect(temp.catalog.getGraph('cnr')).toEqual(graph);
    expect(newLayoutStarted()).toBe(true);
    const reopened = Catalog.open(temp.dataDir);
    try {
      expect(newLayoutStarted()).toBe(false);
      expect(reopened.getGraph('cnr')).toEqual(graph);
      expect([...jobResults(reopened, job.jobId, { top: 1 }).rows()]).toHaveLength(1);
      // The dead process's reservation is gone: a new repartition may start.
      const result = await repartition(reopened, { graph: 'cnr', strategy: 'hdrf', partitions: 16 });
      expect(result.graph.edges).toBe(3_216_152);
      expect(result.graph.replicationFactor).toBeLessThan(graph.replicationFactor);
    } finally {
      reopened.close();
    }
  });
});
