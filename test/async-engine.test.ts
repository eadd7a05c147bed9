/**
 * The asynchronous engine on one worker: its schedulers' orders, label-correcting programs
 * reaching the sequential oracles' answers under every scheduler, greedy colouring ending proper
 * (on generated graphs and a real one), reproducibility, the end reasons (`--max-updates`,
 * `--timeout`), and refusals — of programs that count on supersteps, of colouring on the engines
 * with steps, of an unknown consistency model. Several workers: async-consistency.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../src/index.js';
import { ALGORITHMS } from '../src/algorithms/index.js';
import { asyncRefusal, engineByName, resolveAlgorithmOptions, type AnyVertexProgram } from '../src/engine/index.js';
import { createScheduler, SCHEDULER_NAMES } from '../src/engine/worker/schedulers.js';
import { runOnGraph } from '../src/graphology.js';
import {
  edgeListText,
  erdosRenyi,
  powerLaw,
  preferentialAttachment,
  seededRandom,
  severalComponents,
  withWeights,
  type TestGraph,
} from './helpers/generators.js';
import { bfsOracle, componentsOracle, dijkstraOracle } from './helpers/oracles.js';
import { graphologyOf, runInMemory } from './helpers/run-by-label.js';
import { requireSharedData, sharedDataFile } from './helpers/shared-data.js';
import { makeTempDir, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';
import { FOREVER } from './helpers/forever-program.js';

function drain(scheduler: ReturnType<typeof createScheduler>): number[] {
  const order: number[] = [];
  for (let v = scheduler.next(); v >= 0; v = scheduler.next()) order.push(v);
  return order;
}

describe('schedulers', () => {
  it('fifo: first signalled first; a repeated signal keeps its place; a vertex run may be signalled again', () => {
    const fifo = createScheduler('fifo', 6);
    for (const v of [4, 1, 4, 5, 1]) fifo.signal(v, 0);
    expect(fifo.size).toBe(3);
    expect(fifo.next()).toBe(4);
    fifo.signal(4, 0);
    expect(drain(fifo)).toEqual([1, 5, 4]);
    expect(fifo.next()).toBe(-1);
  });

  it('priority: highest first (to within a factor 1.25), first signalled first among equals, a repeated signal raises but never lowers, below the minimum dropped', () => {
    const buckets = createScheduler('priority', 8, 0.5);
    buckets.signal(3, 1);
    buckets.signal(6, 5);
    buckets.signal(2, 1);
    buckets.signal(7, 0.1); // below the minimum: dropped
    buckets.signal(3, 9); // raised
    buckets.signal(6, 2); // not lowered
    buckets.signal(0, Infinity);
    expect(drain(buckets)).toEqual([0, 3, 6, 2]);
    // Equal priorities (and zero, and a priority within a bucket) come out first signalled first.
    const fifo = createScheduler('priority', 6, -1);
    for (const v of [4, 1, 5]) fifo.signal(v, 0);
    expect(drain(fifo)).toEqual([4, 1, 5]);
    // A larger random check: every vertex once, and each next priority less than 1.25 times the one before.
    const random = seededRandom(7);
    const big = createScheduler('priority', 500);
    const best = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const v = Math.floor(random() * 500);
      const p = 10 ** (-8 * random());
      big.signal(v, p);
      best.set(v, Math.max(best.get(v) ?? -1, p));
    }
    const order = drain(big);
    expect([...order].sort((a, b) => a - b)).toEqual([...best.keys()].sort((a, b) => a - b));
    for (let i = 1; i < order.length; i++) expect(best.get(order[i]!)!).toBeLessThan(best.get(order[i - 1]!)! * 1.25);
  });

  it('sweep: passes in id order; a signal behind the cursor waits for the next pass', () => {
    const sweep = createScheduler('sweep', 6);
    for (const v of [5, 2, 3]) sweep.signal(v, 0);
    expect(sweep.next()).toBe(2);
    sweep.signal(0, 0);
    sweep.signal(4, 0);
    expect(drain(sweep)).toEqual([3, 4, 5, 0]);
  });

  it('sweep holding passes: a pass ends by holding the schedule, signals kept, until resumed', () => {
    const sweep = createScheduler('sweep', 6, 0, { holdPasses: true });
    for (const v of [5, 2, 3]) sweep.signal(v, 0);
    expect(sweep.next()).toBe(2);
    sweep.signal(0, 0);
    expect(drain(sweep)).toEqual([3, 5]);
    expect(sweep.held).toBe(true);
    sweep.signal(1, 0);
    expect(sweep.next()).toBe(-1);
    expect(sweep.size).toBe(2);
    sweep.resumePass!();
    expect(drain(sweep)).toEqual([0, 1]);
    // Nothing scheduled: the pass stays open at its place; it ends when it reaches the last vertex.
    expect(sweep.held).toBe(false);
    sweep.signal(4, 0);
    sweep.signal(1, 0);
    expect(drain(sweep)).toEqual([4]);
    expect(sweep.held).toBe(true);
    sweep.resumePass!();
    expect(drain(sweep)).toEqual([1]);
  });

  it('an unknown scheduler is refused naming the known ones', () => {
    expect(() => createScheduler('lifo', 3)).toThrow(
      expect.objectContaining({ code: 'GAS_ERR_INVALID_ARGUMENT', message: expect.stringContaining('fifo, priority, sweep') }),
    );
  });
});

describe('label-correcting programs reach the sequential answer under every scheduler', () => {
  const graphs: { graph: TestGraph; directed: boolean }[] = [
    { graph: severalComponents(3), directed: false },
    { graph: erdosRenyi(11, 400, 900), directed: true },
    { graph: withWeights(preferentialAttachment(5, 500, 3), 6), directed: false },
  ];
  for (const { graph, directed } of graphs) {
    for (const scheduler of SCHEDULER_NAMES) {
      it(`${graph.name} (directed: ${directed}), ${scheduler}: components and shortest paths`, async () => {
        const components = await runInMemory(graph, 'connected-components', { directed, engine: 'async', scheduler });
        expect(components.summary).toMatchObject({ engine: 'async', stopReason: 'converged', converged: true });
        expect(Array.from(components.byIndex(graph.vertices))).toEqual(Array.from(componentsOracle(graph.vertices, graph.edges)));
        const paths = await runInMemory(graph, 'sssp', { directed, engine: 'async', scheduler, options: { source: '0' } });
        const expected = graph.weights
          ? dijkstraOracle(graph.vertices, graph.edges, graph.weights, directed, 0)
          : bfsOracle(graph.vertices, graph.edges, directed, 0);
        const got = paths.byIndex(graph.vertices);
        for (let v = 0; v < graph.vertices; v++) {
          if (!(Object.is(got[v], expected[v]) || Math.abs(got[v]! - expected[v]!) <= 1e-12 * Math.abs(expected[v]!))) {
            expect.fail(`sssp ${scheduler}: vertex ${v}: got ${got[v]}, expected ${expected[v]}`);
          }
        }
        // Every update is counted once, in the total and in the histogram.
        const a = paths.summary.async!;
        const counted = a.updatesHistogram.reduce((sum, count, k) => sum + count * (k === 0 ? 0 : 1), 0);
        expect(a.updatesHistogram.reduce((s, c) => s + c, 0)).toBe(graph.vertices);
        expect(counted).toBeLessThanOrEqual(a.updates);
      });
    }
  }
});

/** Edges whose two ends share a colour (self-loops aside). */
function conflicts(edges: readonly (readonly [number, number])[], color: (v: number) => number): number {
  return edges.filter(([a, b]) => a !== b && color(a) === color(b)).length;
}

function maxDegree(vertices: number, edges: readonly (readonly [number, number])[]): number {
  const degree = new Uint32Array(vertices);
  for (const [a, b] of edges) {
    if (a === b) continue;
    degree[a]!++;
    degree[b]!++;
  }
  return Math.max(...degree);
}

describe('PageRank in push form (dynamic PageRank)', () => {
  const l1 = (a: Float64Array, b: Float64Array): number => a.reduce((sum, x, i) => sum + Math.abs(x - b[i]!), 0);
  const cases: { graph: TestGraph; directed: boolean; weighted?: boolean }[] = [
    { graph: powerLaw(31, 2000, 4, true), directed: true },
    { graph: withWeights(preferentialAttachment(8, 1500, 3), 9), directed: false, weighted: true },
    { graph: erdosRenyi(12, 800, 1600), directed: true },
  ];
  for (const { graph, directed, weighted } of cases) {
    it.each(SCHEDULER_NAMES)(`${graph.name} (directed: ${directed}): converged by sync's rule, as close to the exact ranks as sync (%s)`, async (scheduler) => {
      const tolerance = 1e-8;
      const options = { tolerance, weighted: weighted ?? false };
      const exact = (await runInMemory(graph, 'pagerank', { directed, options: { ...options, tolerance: 1e-14, maxIterations: 2000 } })).byIndex(
        graph.vertices,
      );
      const dynamic = await runInMemory(graph, 'pagerank', { directed, options, engine: 'async', scheduler });
      expect(dynamic.summary).toMatchObject({ engine: 'async', stopReason: 'converged' });
      // At least one verification sweep: the stopping rule was checked, not assumed.
      expect(dynamic.summary.sweeps as number).toBeGreaterThanOrEqual(1);
      const ranks = dynamic.byIndex(graph.vertices);
      expect(ranks.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      // A sweep whose total change is below the tolerance leaves the ranks within d/(1 − d)·tolerance
      // (L1) of the exact ones, as a sync step does.
      expect(l1(ranks, exact)).toBeLessThan((0.85 / 0.15) * tolerance);
    });
  }

  it('the graphlab variant (unnormalised) agrees as well, and tolerance 0 is refused asynchronously', async () => {
    const graph = powerLaw(4, 600, 3, true);
    const exact = (await runInMemory(graph, 'pagerank', { directed: true, options: { variant: 'graphlab', tolerance: 1e-14, maxIterations: 2000 } })).byIndex(
      graph.vertices,
    );
    const dynamic = (await runInMemory(graph, 'pagerank', { directed: true, options: { variant: 'graphlab', tolerance: 1e-8 }, engine: 'async' })).byIndex(
      graph.vertices,
    );
    expect(l1(dynamic, exact) / graph.vertices).toBeLessThan((0.85 / 0.15) * 1e-8);
    await expect(runInMemory(graph, 'pagerank', { directed: true, options: { tolerance: 0 }, engine: 'async' })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('--tolerance 0'),
    });
  });
});

describe('greedy colouring', () => {
  it.each(SCHEDULER_NAMES)('is proper with at most Δ + 1 colours on a power-law graph (%s), the same every run', async (scheduler) => {
    const graph = powerLaw(21, 1500, 5, false);
    const first = await runInMemory(graph, 'coloring', { directed: false, scheduler });
    expect(first.summary).toMatchObject({ engine: 'async', stopReason: 'converged' });
    const colors = first.byIndex(graph.vertices);
    expect(conflicts(graph.edges, (v) => colors[v]!)).toBe(0);
    expect(first.summary.aggregates.colors).toBe(Math.max(...colors) + 1);
    expect(first.summary.aggregates.colors).toBeLessThanOrEqual(maxDegree(graph.vertices, graph.edges) + 1);
    // Greedy: every vertex's colour is the smallest its neighbours leave free.
    const neighbours = Array.from({ length: graph.vertices }, () => new Set<number>());
    for (const [a, b] of graph.edges) if (a !== b) (neighbours[a]!.add(colors[b]!), neighbours[b]!.add(colors[a]!));
    for (let v = 0; v < graph.vertices; v++) for (let c = 0; c < colors[v]!; c++) expect(neighbours[v]!.has(c), `vertex ${v} could take ${c}`).toBe(true);
    const again = await runInMemory(graph, 'coloring', { directed: false, scheduler });
    expect(Array.from(again.byIndex(graph.vertices))).toEqual(Array.from(colors));
    expect(again.summary.async!.updates).toBe(first.summary.async!.updates);
  });

  it('is proper on ego-Facebook (../shared/data), read from the file', async () => {
    const file = sharedDataFile('facebook_combined.txt.gz');
    requireSharedData(file);
    const { gunzipSync } = await import('node:zlib');
    const { readFileSync } = await import('node:fs');
    const edges = gunzipSync(readFileSync(file))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number) as [number, number]);
    const graph = { vertices: 4039, edges };
    const run = await runInMemory(graph, 'coloring', { directed: false, scheduler: 'sweep' });
    const colors = run.byIndex(4039);
    expect(conflicts(edges, (v) => colors[v]!)).toBe(0);
    expect(run.summary.aggregates.colors).toBeGreaterThan(1);
  });
});

describe('how an asynchronous run ends, and what it refuses', () => {
  const graph = powerLaw(5, 800, 4, false);

  it('--max-updates stops it, says so, and does not call it converged', async () => {
    const run = await runInMemory(graph, 'coloring', { directed: false, maxUpdates: 100 });
    expect(run.summary).toMatchObject({ stopReason: 'max-updates', converged: false });
    expect(run.summary.async!.updates).toBe(100);
    const [never, once] = run.summary.async!.updatesHistogram;
    expect([never, once]).toEqual([700, 100]);
  });

  it('--timeout stops it, says so, and does not call it converged', async () => {
    // A program that keeps every vertex busy forever: each update signals itself again.
    const forever = FOREVER;
    const run = await runOnGraph(graphologyOf(graph, false), forever, { engine: 'async', timeoutSeconds: 0.3, attribute: false, inProcess: true });
    expect(run).toMatchObject({ stopReason: 'timeout', converged: false });
    expect(run.async!.updates).toBeGreaterThan(800);
  });

  it('every built-in algorithm either runs asynchronously or is refused with a one-line reason naming it', async () => {
    const required: Record<string, Record<string, unknown>> = { sssp: { source: '0' }, 'personalized-pagerank': { sources: '0' } };
    const accepted: string[] = [];
    for (const definition of ALGORITHMS) {
      const options = required[definition.name] ?? {};
      let program: AnyVertexProgram;
      try {
        program = definition.create(resolveAlgorithmOptions(definition, options) as never) as AnyVertexProgram;
      } catch {
        // `create` needs what `prepare` makes of the graph (personalized PageRank's source ids): end to end instead.
        await expect(runInMemory(graph, definition.name, { directed: false, engine: 'async', options }), definition.name).rejects.toMatchObject({
          code: 'GAS_ERR_UNSUPPORTED',
          message: expect.stringContaining(`cannot run ${definition.name}: it `),
        });
        continue;
      }
      try {
        engineByName('async').checkProgram(program);
        accepted.push(definition.name);
      } catch (error) {
        expect(error, definition.name).toMatchObject({ code: 'GAS_ERR_UNSUPPORTED', message: expect.stringContaining(`cannot run ${program.name}: it `) });
        expect((error as Error).message.split('\n'), definition.name).toHaveLength(1);
        expect(asyncRefusal(program)).not.toBeNull();
      }
    }
    // The accepted ones are checked against their oracles above; a refused one is refused end to end too.
    // PageRank's and ALS's programs for the steps engines are refused; under async `prepare` makes
    // their asynchronous forms (PageRank's push form: tested above; ALS: als.test.ts).
    expect(accepted.sort()).toEqual(['coloring', 'connected-components', 'sssp']);
    await expect(runInMemory(graph, 'k-core', { directed: false, engine: 'async' })).rejects.toMatchObject({
      code: 'GAS_ERR_UNSUPPORTED',
      message: expect.stringContaining('--engine async cannot run k-core'),
    });
  });

  it('colouring is refused by the engines with steps; an unknown consistency model is refused naming the option', async () => {
    await expect(runInMemory(graph, 'coloring', { directed: false, engine: 'sync' })).rejects.toMatchObject({
      code: 'GAS_ERR_UNSUPPORTED',
      message: expect.stringContaining('only on the asynchronous engine'),
    });
    await expect(runInMemory(graph, 'coloring', { directed: false, consistency: 'sequential' })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('--consistency must be one of vertex, edge, full'),
      details: { option: 'consistency' },
    });
    await expect(runInMemory(graph, 'pagerank', { directed: false, consistency: 'edge' })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('--consistency is an option of --engine async'),
    });
    await expect(runInMemory(graph, 'connected-components', { directed: false, scheduler: 'sweep' })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('--scheduler is an option of --engine async'),
    });
  });

  it('a program object that runs only asynchronously runs there without --engine, as colouring does', async () => {
    const program = {
      name: 'lowest-neighbour-id',
      vertexColumns: { low: 'f64' },
      gatherEdges: 'all',
      scatterEdges: 'all',
      asynchronous: 'only',
      init: (state: { low: Float64Array }, v: number, ctx: { globalId(v: number): number }) => (state.low[v] = ctx.globalId(v)),
      gather: (state: { low: Float64Array }, _self: number, neighbor: number) => state.low[neighbor]!,
      zero: Infinity,
      sum: (a: number, b: number) => Math.min(a, b),
      apply: (state: { low: Float64Array }, v: number, total: number) => (state.low[v] = Math.min(state.low[v]!, total)),
      scatter: (state: { low: Float64Array }, self: number, neighbor: number, _e: number, ctx: { signal(v: number): void }) => {
        if (state.low[neighbor]! > state.low[self]!) ctx.signal(neighbor);
      },
    } as unknown as AnyVertexProgram;
    const run = await runOnGraph(graphologyOf(graph, false), program, { attribute: false, inProcess: true });
    expect(run).toMatchObject({ engine: 'async', stopReason: 'converged' });
  });

  it('a triangle takes 3 colours, a star 2 and K5 5, whatever the scheduler', async () => {
    const triangle = {
      vertices: 3,
      edges: [
        [0, 1],
        [1, 2],
        [2, 0],
      ] as [number, number][],
    };
    const starGraph = { vertices: 9, edges: Array.from({ length: 8 }, (_, k) => [0, k + 1] as [number, number]) };
    const k5 = { vertices: 5, edges: [0, 1, 2, 3, 4].flatMap((a) => [0, 1, 2, 3, 4].filter((b) => b > a).map((b) => [a, b] as [number, number])) };
    for (const scheduler of SCHEDULER_NAMES) {
      expect((await runInMemory(triangle, 'coloring', { directed: false, scheduler })).summary.aggregates.colors).toBe(3);
      expect((await runInMemory(starGraph, 'coloring', { directed: false, scheduler })).summary.aggregates.colors).toBe(2);
      expect((await runInMemory(k5, 'coloring', { directed: false, scheduler })).summary.aggregates.colors).toBe(5);
    }
  });
});

describe('from the CLI', () => {
  it('run coloring needs no --engine; --json carries the async figures; --scheduler elsewhere is refused naming it', () => {
    const dir = makeTempDir();
    const data = join(dir, 'data');
    const cli = (...args: string[]) => spawnSync(process.execPath, [resolve('bin/gasworks.js'), ...args, '--data-dir', data], { encoding: 'utf8' });
    const file = writeGraphFile(dir, 'g.txt', edgeListText(preferentialAttachment(3, 300, 3)));
    expect(cli('import', file, '--name', 'g', '--undirected').status).toBe(0);
    const human = cli('run', 'coloring', '--graph', 'g', '--scheduler', 'priority');
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/converged: no vertex left scheduled after [\d,]+ updates \(1\.00 per vertex, priority scheduler\)/);
    expect(human.stdout).toMatch(/async: [\d,]+ updates\/s per worker/);
    const json = cli('run', 'coloring', '--graph', 'g', '--max-updates', '50', '--json');
    expect(json.status, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout) as JobSummary;
    expect(summary).toMatchObject({ engine: 'async', stopReason: 'max-updates', converged: false, async: { updates: 50, scheduler: 'fifo' } });
    // Two worker threads under edge consistency: the summary shows the lock waits and the traffic per link.
    const twoWorkers = cli('run', 'coloring', '--graph', 'g', '--workers', '2', '--consistency', 'edge');
    expect(twoWorkers.status, twoWorkers.stderr).toBe(0);
    expect(twoWorkers.stdout).toContain('2 workers (threads, async, edge consistency)');
    expect(twoWorkers.stdout).toMatch(
      /updates across workers \d+%, \d+%; lock sets that waited [\d,]+ \(mean [\d.]+ ms\), [\d,]+ \(mean [\d.]+ ms\), per worker/,
    );
    expect(twoWorkers.stdout).toMatch(/between workers: 0→1 [\d.]+ \w*B in [\d,]+ messages, 1→0 /);
    // Refused before a job exists: the jobs list keeps only the three runs above, ITER giving their updates.
    const bogus = cli('run', 'coloring', '--graph', 'g', '--consistency', 'serial');
    expect(bogus.status).not.toBe(0);
    expect(bogus.stderr).toContain('--consistency must be one of vertex, edge, full');
    const jobs = cli('jobs', '--graph', 'g');
    expect(
      jobs.stdout
        .trim()
        .split('\n')
        .slice(1)
        .filter((line) => /^\s*\d+\s/.test(line)),
    ).toHaveLength(3);
    expect(jobs.stdout).toMatch(/\b300 upd\b/);
    expect(jobs.stdout).toMatch(/\b50 upd\*/);
    const refused = cli('run', 'pagerank', '--graph', 'g', '--scheduler', 'sweep');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('--scheduler is an option of --engine async');
    removeTempDirs();
  });
});
