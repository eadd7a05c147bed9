/**
 * Engine invariants checked by probe programs (PowerGraph's habit: a gather that counts
 * in-neighbours must equal the in-degree). Each probe is a small program FILE written to a temp
 * directory and run by path, so the user-program path (tsx loading, a bare program or an
 * algorithm definition as default export) is exercised too. Probes check themselves against the
 * engine's built-in columns on every vertex (an aggregator counts mismatches), and the test
 * checks their result columns against degrees computed here from the edge list. Runs on 1, 3
 * and 7 partitions with 1 and 3 workers, on a skewed graph whose hubs span several partitions,
 * built in memory (laid out as `import` lays it out); the failure probes run on a stored graph,
 * since the job's catalog row is part of what they check.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraphFile, runJob } from '../src/api/index.js';
import { layOutGraphology } from '../src/api/graphology-layout.js';
import { GasError } from '../src/errors.js';
import { makeTempDir, openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { seededRandom, skewedEdges } from './helpers/generators.js';
import { graphologyOf, runInMemory, type EdgeGraph } from './helpers/run-by-label.js';

const ENGINE = pathToFileURL(resolve('src/engine/index.ts')).href;
const VERTICES = 300;
const EDGES = 1_500;
const LAYOUTS = [
  [1, 1],
  [3, 1],
  [3, 3],
  [7, 1],
  [7, 3],
] as const;

let temp: TempCatalog;
let probeDir: string;
/** The skewed edge list (self-loops and repeats included) and its quarter-valued weights. */
const edges = skewedEdges(77, VERTICES, EDGES, 2);
const random = seededRandom(78);
const weights = edges.map(() => 0.25 * (1 + Math.floor(random() * 16)));
const unweighted: EdgeGraph = { edges };
const weighted: EdgeGraph = { edges, weights };

beforeAll(() => {
  temp = openTempCatalog();
  probeDir = makeTempDir('gasworks-probes-');
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

/** Writes a probe program file importing the engine's public API; returns its path. */
function probe(name: string, body: string): string {
  return writeGraphFile(probeDir, `${name}.ts`, `import { defineAlgorithm, defineProgram } from '${ENGINE}';\n${body}\n`);
}

/** Per-vertex counts from the edge list, keyed by label. */
function tally(contribution: (u: number, v: number, i: number) => [number, number][]): Map<number, number> {
  const counts = new Map<number, number>();
  edges.forEach(([u, v], i) => {
    counts.set(u, counts.get(u) ?? 0);
    counts.set(v, counts.get(v) ?? 0);
    for (const [vertex, amount] of contribution(u, v, i)) counts.set(vertex, counts.get(vertex)! + amount);
  });
  return counts;
}

const IN_DEGREE = tally((_, v) => [[v, 1]]);
const OUT_DEGREE = tally((u) => [[u, 1]]);
/** Undirected degree: each edge is two arcs, a self-loop one (NetworkX's `to_directed`). */
const DEGREE = tally((u, v) =>
  u === v
    ? [[u, 1]]
    : [
        [u, 1],
        [v, 1],
      ],
);
const IN_WEIGHT = tally((_, v, i) => [[v, weights[i]!]]);

/** The edge list read directed, undirected, or directed with its weights. */
type Reading = 'directed' | 'undirected' | 'weighted';

/** Runs probe `file` on the edge list built in memory as `reading`, cut into `partitions` (strategy random); values keyed by label. */
async function runProbe(
  reading: Reading,
  partitions: number,
  file: string,
  workers: number,
  options: Record<string, unknown> = {},
): Promise<{ summary: Awaited<ReturnType<typeof runInMemory>>['summary']; values: Map<number, number> }> {
  const graph = reading === 'weighted' ? weighted : unweighted;
  const { summary, values } = await runInMemory(graph, file, { directed: reading !== 'undirected', partitions, strategy: 'random', workers, options });
  return { summary, values: new Map([...values].map(([vertex, value]) => [Number(vertex), value as number])) };
}

/** A one-step probe: gather `gather` over `direction`, store the total, count vertices where it differs from `builtIn`. */
function countingProbe(name: string, direction: string, gather: string, builtIn: string): string {
  return probe(
    name,
    `export default defineProgram({
      name: '${name}',
      vertexColumns: { total: 'f64', mismatch: 'u8' },
      gatherEdges: '${direction}',
      scatterEdges: 'none',
      gather: ${gather},
      zero: 0,
      sum: (a, b) => a + b,
      apply(state, v, total) {
        state.total[v] = total;
        state.mismatch[v] = total === state.${builtIn}[v] ? 0 : 1;
      },
      aggregators: {
        mismatches: { map: (state, v) => state.mismatch[v], sum: (a, b) => a + b, zero: 0 },
        masters: { map: () => 1, sum: (a, b) => a + b, zero: 0 },
        idSum: { map: (_state, v, ctx) => ctx.globalId(v) + 1, sum: (a, b) => a + b, zero: 0 },
      },
    });`,
  );
}

describe.each(LAYOUTS)('%i partitions, %i workers', (partitions, workers) => {
  it('the graph has vertices replicated on several partitions (so the exchange is exercised)', async () => {
    // The layout runInMemory's runs get: runOnGraph lays the graph out the same way.
    const { graph } = await layOutGraphology(graphologyOf(unweighted, true), null, { partitions, strategy: 'random' }, 'engine-probes');
    const replicas = new Uint32Array(graph.meta.vertices);
    for (let p = 0; p < partitions; p++) for (const gid of graph.partition(p).gids) replicas[gid]!++;
    expect(Math.max(...replicas)).toBe(partitions);
  });

  it.each([
    ['in-neighbours = in-degree', 'in', 'inDegree', 'directed', IN_DEGREE],
    ['out-neighbours = out-degree', 'out', 'outDegree', 'directed', OUT_DEGREE],
    ['all on an undirected graph = degree', 'all', 'outDegree', 'undirected', DEGREE],
    ['in on an undirected graph = degree (every edge is both ways)', 'in', 'inDegree', 'undirected', DEGREE],
  ] as const)('gather counting %s', async (_, direction, builtIn, reading, expected) => {
    const file = countingProbe(`count-${direction}-${builtIn}`, direction, '() => 1', builtIn);
    const { summary, values } = await runProbe(reading, partitions, file, workers);
    expect(summary.iterations).toBe(1);
    expect(summary.aggregates.mismatches).toBe(0);
    expect(values).toEqual(expected);
    // Aggregators see every vertex once: on masters only.
    expect(summary.aggregates.masters).toBe(expected.size);
    expect(summary.aggregates.idSum).toBe((expected.size * (expected.size + 1)) / 2);
  });

  it('gather summing in-edge weights = in-weight', async () => {
    const file = countingProbe('in-weight', 'in', '(state, _self, _neighbor, edge) => state.weight[edge]', 'inWeight');
    const { summary, values } = await runProbe('weighted', partitions, file, workers);
    expect(summary.aggregates.mismatches).toBe(0);
    expect(values).toEqual(IN_WEIGHT);
  });

  it('signals from one source activate exactly its out-neighbours in the next step', async () => {
    const hub = [...OUT_DEGREE].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    const file = probe(
      'signal-from-source',
      `export default defineAlgorithm({
        name: 'signal-from-source',
        description: 'probe: only the source signals, once',
        defaults: { source: '', maxIterations: 10 },
        prepare: ({ source }, graph) => graph.idOf(source, 'source'),
        create: (source) => defineProgram({
          name: 'signal-from-source',
          vertexColumns: { activations: 'i32', lastStep: 'i32' },
          initiallyActive: 'signaled',
          scatterEdges: 'out',
          init(state, v, ctx) {
            state.lastStep[v] = -1;
            if (ctx.globalId(v) === source) ctx.signal(v);
          },
          apply(state, v, _total, ctx) {
            state.activations[v] += 1;
            state.lastStep[v] = ctx.iteration;
          },
          scatter(_state, self, neighbor, _edge, ctx) {
            if (ctx.iteration === 0 && ctx.globalId(self) === source) ctx.signal(neighbor);
          },
        }),
      });`,
    );
    const { summary, values } = await runProbe('directed', partitions, file, workers, { source: String(hub) });
    const neighbours = new Set(edges.filter(([u]) => u === hub).map(([, v]) => v));
    expect(neighbours.size).toBeGreaterThan(partitions);
    const expected = new Map([...OUT_DEGREE.keys()].map((v) => [v, (v === hub ? 1 : 0) + (neighbours.has(v) ? 1 : 0)]));
    expect(values).toEqual(expected);
    expect(summary.iterations).toBe(2);
    expect(summary.timings.perIterationMs).toHaveLength(2);
  });

  it('edge columns: initEdge values reach step 0, scatter writes persist into later gathers', async () => {
    // Step 0 sees initEdge's −1000 per in-edge and stamps each edge 1 + outDegree(source);
    // steps 1 and 2 must both gather Σ_{u→v} (1 + outDegree(u)).
    const file = probe(
      'edge-persist',
      `export default defineProgram({
        name: 'edge-persist',
        vertexColumns: { stamped: 'f64', initial: 'f64', unstable: 'u8' },
        edgeColumns: { stamp: 'f64' },
        alwaysActive: true,
        initEdge(state, e) {
          state.stamp[e] = -1000;
        },
        gather: (state, _self, _neighbor, edge) => state.stamp[edge],
        zero: 0,
        sum: (a, b) => a + b,
        apply(state, v, total, ctx) {
          if (ctx.iteration === 0) state.initial[v] = total;
          else if (ctx.iteration === 1) state.stamped[v] = total;
          else if (total !== state.stamped[v]) state.unstable[v] = 1;
        },
        scatter(state, self, _neighbor, edge, ctx) {
          if (ctx.iteration === 0) state.stamp[edge] = 1 + state.outDegree[self];
        },
        aggregators: {
          unstable: { map: (state, v) => state.unstable[v], sum: (a, b) => a + b, zero: 0 },
          initialOk: { map: (state, v) => (state.initial[v] === -1000 * state.inDegree[v] ? 1 : 0), sum: (a, b) => a + b, zero: 0 },
        },
        converged: (ctx) => ctx.iteration >= 2,
      });`,
    );
    const { summary, values } = await runProbe('directed', partitions, file, workers);
    expect(summary.iterations).toBe(3);
    expect(summary.aggregates).toMatchObject({ unstable: 0, initialOk: IN_DEGREE.size });
    expect(summary.result.column).toBe('stamped');
    expect(values).toEqual(tally((u, v) => [[v, 1 + OUT_DEGREE.get(u)!]]));
  });

  describe('on a stored graph', () => {
    let directed: string;
    beforeAll(async () => {
      directed = `d-${partitions}-${workers}`;
      const file = writeGraphFile(temp.inputDir, `${directed}.txt`, `${edges.map(([u, v]) => `${u}\t${v}`).join('\n')}\n`);
      await importGraphFile(temp.catalog, { file, name: directed, partitions, strategy: 'random' });
    });
    const runStoredProbe = (file: string): Promise<unknown> => runJob(temp.catalog, { inProcess: true, graph: directed, algorithm: file, workers });

    it('a program that throws in apply: GAS_ERR_PROGRAM and a failed job row', async () => {
      const file = probe(
        'throws-in-apply',
        `export default defineProgram({
        name: 'throws-in-apply',
        vertexColumns: { value: 'f64' },
        alwaysActive: true,
        apply(_state, v, _total, ctx) {
          if (ctx.iteration === 1 && ctx.globalId(v) === 0) throw new Error('probe failure at vertex 0');
        },
      });`,
      );
      const failure = await runStoredProbe(file).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GasError);
      expect(failure).toMatchObject({ code: 'GAS_ERR_PROGRAM', message: expect.stringContaining('probe failure at vertex 0') });
      const [job] = temp.catalog.jobs.list({ graph: directed, limit: 1 });
      expect(job).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_PROGRAM', programFile: file });
    });

    it('a file whose default export is not a program: GAS_ERR_PROGRAM, before a job row exists', async () => {
      const lastJobBefore = temp.catalog.jobs.list({ limit: 1 })[0]?.id;
      const file = writeGraphFile(probeDir, 'not-a-program.ts', `export default { name: 'not-a-program', columns: {} };\n`);
      const failure = await runStoredProbe(file).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GasError);
      expect(failure).toMatchObject({ code: 'GAS_ERR_PROGRAM', message: expect.stringContaining('default export') });
      expect(temp.catalog.jobs.list({ limit: 1 })[0]?.id).toBe(lastJobBefore);
    });
  });
});
