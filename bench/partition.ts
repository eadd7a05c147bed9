/**
 * Every partitioning strategy on real graphs: replication factor, edge and vertex balance and
 * throughput for P = 4, 8, 16, 32 (through `partitionReport`, nothing stored), on cnr-2000,
 * soc-Slashdot0902, email-Enron (undirected) and a Kronecker graph of scale 20 (undirected);
 * then, per graph at P = 16, PageRank per-iteration time and bytes exchanged per step on two
 * worker threads for the strategy with the lowest and the highest replication factor.
 *
 *   npm run build && node --import tsx bench/partition.ts [--partitions 4,8,16,32] [--scale 20] [--iterations 20] [--skip-pagerank]
 *     [--graphs cnr-2000,soc-Slashdot0902,email-Enron,kron]
 *
 * A shared data set that is missing is left out with a `skipped` line.
 *
 * One JSON line per (graph, P, strategy), then one per PageRank run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, median, round } from './lib.js';

const DATA = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const { values } = parseArgs({
  options: {
    partitions: { type: 'string', default: '4,8,16,32' },
    scale: { type: 'string', default: '20' },
    iterations: { type: 'string', default: '20' },
    graphs: { type: 'string', default: 'cnr-2000,soc-Slashdot0902,email-Enron,kron' },
    'skip-pagerank': { type: 'boolean', default: false },
  },
});

const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
const { partitionReport, runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');
const { importGraph } = await fromDist<typeof import('../src/ingest/import-graph.js')>('ingest/import-graph.js');
const { writeKroneckerEdgeList } = await fromDist<typeof import('../src/generate/kronecker.js')>('generate/kronecker.js');

const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-partition-'));
const catalog = Catalog.open(join(work, 'data'));
try {
  const selected = new Set(values.graphs.split(','));
  const kron = `kron-${values.scale}`;
  const known = [
    { name: 'cnr-2000', file: join(DATA, 'cnr-2000.txt.gz'), undirected: false },
    { name: 'soc-Slashdot0902', file: join(DATA, 'soc-Slashdot0902.txt.gz'), undirected: false },
    { name: 'email-Enron', file: join(DATA, 'email-Enron.txt.gz'), undirected: true },
    { name: kron, file: join(work, `${kron}.txt`), undirected: true },
  ];
  const unknown = [...selected].filter((name) => name !== 'kron' && !known.some((g) => g.name === name));
  if (unknown.length > 0) throw new Error(`bench/partition: --graphs: unknown ${unknown.join(', ')} (known: cnr-2000, soc-Slashdot0902, email-Enron, kron)`);
  if (selected.has('kron')) await writeKroneckerEdgeList({ scale: Number(values.scale), edgeFactor: 16, seed: 1 }, join(work, `${kron}.txt`));
  const graphs = known.filter((g) => selected.has(g.name === kron ? 'kron' : g.name));
  for (const missing of graphs.filter((g) => !existsSync(g.file)))
    console.log(JSON.stringify({ bench: 'partition', graph: missing.name, skipped: `${missing.file} not found` }));
  for (const graph of graphs.filter((g) => existsSync(g.file))) {
    let at16: { strategy: string; replicationFactor: number }[] = [];
    for (const partitions of values.partitions.split(',').map(Number)) {
      const { rows } = await partitionReport(catalog, { source: graph.file, partitions, undirected: graph.undirected });
      for (const row of rows) {
        console.log(
          JSON.stringify({
            bench: 'partition',
            graph: graph.name,
            partitions,
            strategy: row.strategy,
            replicationFactor: round(row.replicationFactor),
            edgeBalance: round(row.edgeBalance),
            vertexBalance: round(row.vertexBalance),
            millionEdgesPerSecond: round(row.edgesPerSecond / 1e6),
            stateMB: round(row.stateMB),
          }),
        );
      }
      if (partitions === 16) at16 = rows;
    }
    if (values['skip-pagerank'] || at16.length === 0) continue;
    const sorted = [...at16].sort((a, b) => a.replicationFactor - b.replicationFactor);
    for (const [rank, row] of [
      ['best', sorted[0]!],
      ['worst', sorted[sorted.length - 1]!],
    ] as const) {
      const name = `${graph.name}-${row.strategy}`.replace(/[^A-Za-z0-9._-]/g, '_');
      await importGraph(catalog, { file: graph.file, name, undirected: graph.undirected, partitions: 16, strategy: row.strategy });
      const summary = await runJob(catalog, {
        graph: name,
        algorithm: 'pagerank',
        options: { tolerance: 1e-300, maxIterations: Number(values.iterations) },
        workers: 2,
        top: 0,
      });
      console.log(
        JSON.stringify({
          bench: 'pagerank-by-strategy',
          graph: graph.name,
          partitions: 16,
          workers: 2,
          rank,
          strategy: row.strategy,
          replicationFactor: round(row.replicationFactor),
          perIterationMs: round(median(summary.timings.perIterationMs.slice(1))),
          exchangedBytesPerStep: Math.round(median(summary.exchange.bytesPerStep.slice(1))),
        }),
      );
    }
  }
} finally {
  catalog.close();
  rmSync(work, { recursive: true, force: true });
}
