/**
 * Vertex-cut invariants of stored graphs (PowerGraph, OSDI 2012 §5), on a generated skewed graph
 * of a few thousand edges: every edge in exactly one partition; the grid strategy's replication
 * bound 2⌈√P⌉; partitioning is a pure function of the seed; and the routing table agrees with
 * the partitions' vertex tables about replicas and masters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraph } from '../src/ingest/import-graph.js';
import type { ImportOptions } from '../src/ingest/options.js';
import { greedyPartitioner } from '../src/partition/hdrf.js';
import { gridShape, shuffledChunks, STRATEGY_NAMES, strategyByName } from '../src/partition/index.js';
import { RUN_LENGTH } from '../src/partition/stream-order.js';
import type { GraphRecord, GraphReader } from '../src/index.js';
import type { StoredPartition, StoredRouting } from '../src/storage/index.js';
import { openTempCatalog, removeTempDirs, snapText, storedEdges, withReader, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { skewedEdges } from './helpers/generators.js';

const VERTICES = 1_500;
const EDGES = 4_000;
/** Vertices whose only edge is a self-loop; with `dropSelfLoops` they become isolated. */
const LOOP_ONLY = 25;

let temp: TempCatalog;
let edges: [number, number][];
let file: string;
let withLoopsFile: string;
let importCount = 0;

beforeAll(() => {
  temp = openTempCatalog();
  edges = skewedEdges(2024, VERTICES, EDGES, 2.5);
  file = writeGraphFile(temp.inputDir, 'skewed.txt', snapText(edges));
  const loops = Array.from({ length: LOOP_ONLY }, (_, k) => [VERTICES + k, VERTICES + k] as [number, number]);
  withLoopsFile = writeGraphFile(temp.inputDir, 'loops.txt', snapText([...edges, ...loops]));
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

async function importSkewed(options: Partial<ImportOptions>): Promise<GraphRecord> {
  const { graph } = await importGraph(temp.catalog, { file, name: `g${importCount++}`, ...options });
  return graph;
}

interface Layout {
  readonly reader: GraphReader;
  readonly parts: StoredPartition[];
  readonly routing: StoredRouting;
}

function withLayout<T>(graph: GraphRecord, body: (layout: Layout) => T): T {
  return withReader(temp.catalog, graph.name, (reader) => {
    const parts = Array.from({ length: reader.meta.numPartitions }, (_, p) => reader.partition(p));
    return body({ reader, parts, routing: reader.routing() });
  });
}

/** Number of partitions holding each vertex, from the partitions' vertex tables. */
function replicaCounts(layout: Layout): Uint32Array {
  const counts = new Uint32Array(layout.reader.meta.vertices);
  for (const part of layout.parts) for (const gid of part.gids) counts[gid]!++;
  return counts;
}

describe('each edge is stored in exactly one partition', () => {
  const cases: [string, number, boolean][] = [
    ['random', 1, false],
    ['random', 4, false],
    ['random', 7, true],
    ['grid', 1, true],
    ['grid', 5, false],
    ['grid', 9, true],
    ['canonical-random', 5, false],
    ['1d-source', 4, false],
    ['1d-destination', 6, true],
    ['dbh', 7, false],
    ['dbh', 3, true],
    ['hybrid', 4, false],
  ];
  for (const [strategy, partitions, undirected] of cases) {
    it(`${strategy}, P = ${partitions}, ${undirected ? 'undirected' : 'directed'}`, async () => {
      const graph = await importSkewed({ strategy, partitions, undirected });
      expect(graph.edges).toBe(EDGES);
      // Integer labels get ids in label order, so the stored orientation of an undirected
      // edge is the smaller label first.
      const expected = edges.map(([s, t]) => (undirected ? `${Math.min(s, t)}-${Math.max(s, t)}` : `${s}>${t}`)).sort();
      expect(storedEdges(temp.catalog, graph.name).edges).toEqual(expected);

      withLayout(graph, ({ parts }) => {
        expect(parts.reduce((sum, part) => sum + part.meta.edges, 0)).toBe(EDGES);
        expect(temp.catalog.partitionSizes(graph.id)).toEqual(
          parts.map((part, p) => ({ partition: p, vertices: part.meta.vertices, masters: part.meta.masters, edges: part.meta.edges })),
        );
        for (const part of parts) {
          // Local ids follow global id order; edges are sorted by (local source, local target).
          expect(part.gids.every((gid, l) => l === 0 || gid > part.gids[l - 1]!)).toBe(true);
          const local = part.gids.length;
          const misplaced = part.src.filter((s, i) => {
            const d = part.dst[i]!;
            const ordered = i === 0 || part.src[i - 1]! < s || (part.src[i - 1] === s && part.dst[i - 1]! <= d);
            return s >= local || d >= local || !ordered;
          });
          expect(misplaced.length).toBe(0);
        }
      });
    });
  }

  it('degrees agree with the stored edges', async () => {
    const graph = await importSkewed({ strategy: 'random', partitions: 6 });
    withLayout(graph, ({ reader, parts }) => {
      const out = new Uint32Array(graph.vertices);
      const into = new Uint32Array(graph.vertices);
      for (const part of parts) {
        for (let i = 0; i < part.src.length; i++) {
          out[part.gids[part.src[i]!]!]!++;
          into[part.gids[part.dst[i]!]!]!++;
        }
      }
      const { outDegree, inDegree } = reader.degrees();
      expect(Array.from(outDegree)).toEqual(Array.from(out));
      expect(Array.from(inDegree)).toEqual(Array.from(into));
    });
  });
});

describe('grid replication bound', () => {
  it('replication ≤ 2⌈√P⌉ for P = 1..16, on average and for every vertex', async () => {
    for (let partitions = 1; partitions <= 16; partitions++) {
      const bound = 2 * Math.ceil(Math.sqrt(partitions));
      expect(strategyByName('grid').replicationBound?.(partitions)).toBe(bound);
      const graph = await importSkewed({ strategy: 'grid', partitions });
      withLayout(graph, (layout) => {
        const counts = replicaCounts(layout);
        const { columns, rows } = gridShape(partitions);
        expect(Math.max(...counts)).toBeLessThanOrEqual(Math.min(bound, columns + rows));
        const average = counts.reduce((sum, n) => sum + n, 0) / counts.length;
        expect(average).toBeLessThanOrEqual(bound);
        expect(graph.replicationFactor).toBeCloseTo(average, 12);

        // The layout behind the bound: all out-edges of a vertex lie in one grid column.
        const columnOf = new Int32Array(graph.vertices).fill(-1);
        let straying = 0;
        layout.parts.forEach((part, p) => {
          const column = Math.floor(p / rows);
          for (let i = 0; i < part.src.length; i++) {
            const source = part.gids[part.src[i]!]!;
            if (columnOf[source] === -1) columnOf[source] = column;
            if (columnOf[source] !== column) straying++;
          }
        });
        expect(straying).toBe(0);
      });
    }
  });

  it('a hub of the skewed graph is cut, yet stays within the bound', async () => {
    // Vertex 0 has the highest degree by construction; with random placement it would touch
    // nearly every partition, with grid at most rows + columns − 1 of them.
    const partitions = 16;
    const random = await importSkewed({ strategy: 'random', partitions });
    const grid = await importSkewed({ strategy: 'grid', partitions });
    const hubReplicas = (graph: GraphRecord): number => withLayout(graph, (layout) => replicaCounts(layout)[layout.reader.idOf('0')]!);
    expect(hubReplicas(random)).toBe(partitions);
    expect(hubReplicas(grid)).toBeLessThanOrEqual(2 * Math.ceil(Math.sqrt(partitions)));
    expect(grid.replicationFactor).toBeLessThan(random.replicationFactor);
  });
});

describe('seeds', () => {
  const contents = (graph: GraphRecord): string =>
    withLayout(graph, ({ parts, routing }) =>
      JSON.stringify({
        parts: parts.map((part) => [part.gids, part.master, part.src, part.dst].map((column) => Array.from(column))),
        master: Array.from(routing.master),
      }),
    );

  for (const strategy of STRATEGY_NAMES) {
    it(`${strategy}: same seed ⇒ identical partitions, different seed ⇒ different`, async () => {
      const first = await importSkewed({ strategy, partitions: 6, seed: 11 });
      const again = await importSkewed({ strategy, partitions: 6, seed: 11 });
      const other = await importSkewed({ strategy, partitions: 6, seed: 12 });
      expect(contents(again)).toBe(contents(first));
      expect(contents(other)).not.toBe(contents(first));
      expect(storedEdges(temp.catalog, other.name).edges).toEqual(storedEdges(temp.catalog, first.name).edges);
    });
  }
});

describe('routing', () => {
  const cases: [string, number][] = [
    ['random', 1],
    ['random', 5],
    ['grid', 4],
    ['grid', 11],
    ['1d-source', 5],
    ['dbh', 6],
    ['hybrid', 3],
  ];
  for (const [strategy, partitions] of cases) {
    it(`${strategy}, P = ${partitions}: one master per vertex, among its replicas, marked consistently`, async () => {
      const { graph } = await importGraph(temp.catalog, {
        file: withLoopsFile,
        name: `loops${importCount++}`,
        strategy,
        partitions,
        dropSelfLoops: true,
      });
      expect(graph.vertices).toBe(new Set(edges.flat()).size + LOOP_ONLY);
      withLayout(graph, (layout) => {
        const { parts, routing, reader } = layout;
        const vertices = graph.vertices;
        expect(routing.replicaOffsets).toHaveLength(vertices + 1);

        // Replicas in the routing table are exactly the partitions whose vertex table has the vertex.
        const holders: number[][] = Array.from({ length: vertices }, () => []);
        parts.forEach((part, p) => part.gids.forEach((gid) => holders[gid]!.push(p)));
        const replicas = holders.map((_, v) => Array.from(routing.replicaPartitions.subarray(routing.replicaOffsets[v], routing.replicaOffsets[v + 1])));
        expect(replicas).toEqual(holders);
        expect(replicas.filter((list, v) => !list.includes(routing.master[v]!))).toEqual([]);

        // Each partition marks a local vertex with the routing table's master, and a vertex is
        // the master replica in exactly one partition.
        const mastersOf = new Uint32Array(vertices);
        parts.forEach((part, p) => {
          expect(Array.from(part.master)).toEqual(Array.from(part.gids, (gid) => routing.master[gid]));
          let masters = 0;
          part.gids.forEach((gid, l) => {
            if (part.master[l] === p) {
              masters++;
              mastersOf[gid]!++;
            }
          });
          expect(part.meta.masters).toBe(masters);
        });
        expect(Array.from(mastersOf).every((n) => n === 1)).toBe(true);
        expect(parts.reduce((sum, part) => sum + part.meta.masters, 0)).toBe(vertices);

        // Vertices left isolated by dropped self-loops have one replica, which is their master.
        for (let k = 0; k < LOOP_ONLY; k++) {
          const v = reader.idOf(String(VERTICES + k));
          expect(v).toBeGreaterThanOrEqual(0);
          expect(routing.replicaOffsets[v + 1]! - routing.replicaOffsets[v]!).toBe(1);
          expect(holders[v]).toEqual([routing.master[v]]);
        }
      });
    });
  }
});

/** For each vertex (gid), the partitions holding its in-edges (`side: 'in'`) or out-edges (`'out'`). */
function edgePartitions(layout: Layout, side: 'in' | 'out'): Set<number>[] {
  const sets = Array.from({ length: layout.reader.meta.vertices }, () => new Set<number>());
  layout.parts.forEach((part, p) => {
    const ends = side === 'in' ? part.dst : part.src;
    for (let i = 0; i < ends.length; i++) sets[part.gids[ends[i]!]!]!.add(p);
  });
  return sets;
}

describe('1D, DBH and hybrid placement', () => {
  it("1d-source: every vertex's out-edges in one partition, replicas ≤ min(P, 1 + in-degree); 1d-destination mirrors it", async () => {
    const partitions = 8;
    for (const [strategy, together, spread] of [
      ['1d-source', 'out', 'in'],
      ['1d-destination', 'in', 'out'],
    ] as const) {
      const graph = await importSkewed({ strategy, partitions });
      withLayout(graph, (layout) => {
        const grouped = edgePartitions(layout, together);
        expect(grouped.every((set) => set.size <= 1)).toBe(true);
        const { outDegree, inDegree } = layout.reader.degrees();
        const other = spread === 'in' ? inDegree : outDegree;
        const counts = replicaCounts(layout);
        counts.forEach((replicas, v) => expect(replicas).toBeLessThanOrEqual(Math.min(partitions, 1 + other[v]!)));
      });
    }
  });

  it('dbh: a vertex of lower degree than all its neighbours is never cut; hubs are', async () => {
    const graph = await importSkewed({ strategy: 'dbh', partitions: 8 });
    withLayout(graph, (layout) => {
      const { outDegree, inDegree } = layout.reader.degrees();
      const degree = (v: number): number => outDegree[v]! + inDegree[v]!;
      const lowest = new Uint8Array(graph.vertices).fill(1);
      for (const part of layout.parts) {
        for (let i = 0; i < part.src.length; i++) {
          const [s, t] = [part.gids[part.src[i]!]!, part.gids[part.dst[i]!]!];
          if (degree(t) <= degree(s)) lowest[s] = 0;
          if (degree(s) <= degree(t)) lowest[t] = 0;
        }
      }
      const counts = replicaCounts(layout);
      let checked = 0;
      lowest.forEach((flag, v) => {
        if (flag === 1 && degree(v) > 0) {
          expect(counts[v], `vertex ${v}`).toBe(1);
          checked++;
        }
      });
      expect(checked).toBeGreaterThan(100);
      expect(counts[layout.reader.idOf('0')]).toBeGreaterThan(4);
    });
  });

  it('hybrid: a target of in-degree ≤ threshold has all its in-edges in one partition; above it they spread', async () => {
    const threshold = 5;
    const graph = await importSkewed({ strategy: 'hybrid', partitions: 8, threshold });
    withLayout(graph, (layout) => {
      const { inDegree } = layout.reader.degrees();
      const incoming = edgePartitions(layout, 'in');
      let high = 0;
      incoming.forEach((set, v) => {
        if (inDegree[v]! <= threshold) expect(set.size, `vertex ${v}`).toBeLessThanOrEqual(1);
        else if (set.size > 1) high++;
      });
      expect(high).toBeGreaterThan(0);
    });
    await expect(importSkewed({ strategy: 'hybrid', threshold: -1 })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      details: { option: 'threshold' },
    });
  });

  it('on the skewed graph, dbh and hybrid replicate less than random', async () => {
    const factor = async (strategy: string): Promise<number> => (await importSkewed({ strategy, partitions: 16 })).replicationFactor;
    const random = await factor('random');
    expect(await factor('dbh')).toBeLessThan(random);
    expect(await factor('hybrid')).toBeLessThan(random);
  });
});

describe('greedy strategies (hdrf, oblivious)', () => {
  it('store every edge once, count repeats split across partitions, and refuse --dedupe', async () => {
    // Every edge of the skewed graph twice, the copies far apart in the file.
    const doubled = writeGraphFile(temp.inputDir, 'doubled.txt', snapText([...edges, ...edges]));
    for (const strategy of ['hdrf', 'oblivious']) {
      const { graph } = await importGraph(temp.catalog, { file: doubled, name: `doubled-${strategy}`, strategy, partitions: 8 });
      expect(graph).toMatchObject({ edges: 2 * EDGES, multiEdges: EDGES + repeatsIn(edges) });
      expect(storedEdges(temp.catalog, graph.name).edges).toEqual([...edges, ...edges].map(([s, t]) => `${s}>${t}`).sort());
      await expect(importGraph(temp.catalog, { file: doubled, name: `dedupe-${strategy}`, strategy, dedupe: true })).rejects.toMatchObject({
        code: 'GAS_ERR_UNSUPPORTED',
        details: { option: 'dedupe' },
      });
    }
    expect(temp.catalog.listGraphs().some((g) => g.name.startsWith('dedupe-'))).toBe(false);
  });

  it('give the replication partition-report predicts', async () => {
    const { partitionReport } = await import('../src/api/index.js');
    for (const strategy of ['hdrf', 'oblivious']) {
      const graph = await importSkewed({ strategy, partitions: 8 });
      const [row] = (await partitionReport(temp.catalog, { source: file, partitions: 8, strategies: [strategy] })).rows;
      expect(graph.replicationFactor).toBeCloseTo(row!.replicationFactor, 9);
      expect(graph.replicationFactor).toBeLessThan((await importSkewed({ strategy: 'random', partitions: 8 })).replicationFactor);
    }
  });
});

describe('greedy placement against scoring every partition', () => {
  /** HDRF's and oblivious's definition, computed naively: every partition scored, ties to the lowest index. */
  function naiveGreedy(partitions: number, vertices: number, lambda: number, degreeWeighted: boolean): (u: number, v: number) => number {
    const degree = new Uint32Array(vertices);
    const holders = Array.from({ length: vertices }, () => new Set<number>());
    const loads = new Float64Array(partitions);
    return (u, v) => {
      let gu = 1;
      let gv = 1;
      if (degreeWeighted) {
        const du = ++degree[u]!;
        const dv = ++degree[v]!;
        gu = 2 - du / (du + dv);
        gv = 1 + du / (du + dv);
      }
      const max = Math.max(...loads);
      const scale = lambda / (1 + max - Math.min(...loads));
      let best = 0;
      let bestScore = -Infinity;
      for (let p = 0; p < partitions; p++) {
        const score = (max - loads[p]!) * scale + (holders[u]!.has(p) ? gu : 0) + (holders[v]!.has(p) ? gv : 0);
        if (score > bestScore) {
          bestScore = score;
          best = p;
        }
      }
      loads[best]!++;
      holders[u]!.add(best);
      holders[v]!.add(best);
      return best;
    };
  }

  // The placement walks only the least loaded partition of each class (holding both endpoints,
  // one, neither) and skips classes that cannot win: it must agree edge for edge, ties included.
  for (const partitions of [1, 3, 8, 32, 33, 70]) {
    it(`P = ${partitions}: same placements as the naive scoring on a skewed stream, λ = 0.5, 1, 4`, () => {
      const list = skewedEdges(7, VERTICES, EDGES, 2.5);
      for (const [lambda, degreeWeighted] of [
        [0.5, true],
        [1, true],
        [4, true],
        [1, false],
      ] as const) {
        const fast = greedyPartitioner(partitions, VERTICES, lambda, degreeWeighted);
        const naive = naiveGreedy(partitions, VERTICES, lambda, degreeWeighted);
        const mismatches = [...list, ...list].filter(([u, v]) => fast.assign(u, v) !== naive(u, v));
        expect(mismatches, `λ = ${lambda}, ${degreeWeighted ? 'hdrf' : 'oblivious'}`).toEqual([]);
      }
    });
  }
});

describe('stream order of the greedy strategies', () => {
  it('each chunk is a permutation of its edges made of runs of consecutive edges, fixed by the seed', () => {
    const lengths = [70_000, 1_000, 5, 0, 65_536];
    const orders = (seed: number): { chunk: number; order: number[] }[] =>
      Array.from(
        shuffledChunks(lengths.length, (k) => lengths[k]!, seed),
        ({ chunk, order }) => ({ chunk, order: Array.from(order) }),
      );
    const first = orders(3);
    expect(first.map(({ chunk }) => chunk).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const { chunk, order } of first) {
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: lengths[chunk]! }, (_, i) => i));
      // A run starts at a multiple of RUN_LENGTH and continues one by one to its end.
      expect(order.filter((edge, i) => edge % RUN_LENGTH !== 0 && order[i - 1] !== edge - 1)).toEqual([]);
    }
    expect(orders(3)).toEqual(first);
    expect(orders(4)).not.toEqual(first);
  });
});

/** Edges of `list` that repeat an earlier one. */
function repeatsIn(list: readonly [number, number][]): number {
  return list.length - new Set(list.map(([s, t]) => `${s}>${t}`)).size;
}

describe('--strategy auto', () => {
  it('measures every strategy on a sample, stores the lowest-replication balanced one and says why', async () => {
    const { graph, strategyReason } = await importGraph(temp.catalog, { file, name: `auto${importCount++}`, strategy: 'auto', partitions: 8 });
    expect(STRATEGY_NAMES).toContain(graph.strategy);
    expect(strategyReason).toMatch(
      new RegExp(`^auto chose ${graph.strategy}: replication [0-9.]+, edge balance [0-9.]+ on a 4,000-edge sample at P = 8; others: `),
    );
    for (const other of STRATEGY_NAMES.filter((name) => name !== graph.strategy)) expect(strategyReason).toContain(other);
    const random = await importSkewed({ strategy: 'random', partitions: 8 });
    expect(graph.replicationFactor).toBeLessThan(random.replicationFactor);
    expect(graph.edgeBalance).toBeLessThanOrEqual(1.1);
  });

  it('with --dedupe, only strategies that keep repeated edges together compete', async () => {
    const { graph } = await importGraph(temp.catalog, { file, name: `auto${importCount++}`, strategy: 'auto', partitions: 8, dedupe: true });
    expect(strategyByName(graph.strategy).colocatesDuplicates).toBe(true);
  });
});
