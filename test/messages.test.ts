/**
 * Signals that carry a number (`messages`, `ctx.send`, `ctx.message`): probe programs whose
 * results are exact integers computed here from the edge list — what every vertex was sent, summed
 * — on every layout, under the sync engine (Pregel's delivery: the next step) and the async one
 * (the next update) on one and several workers under every consistency model; the threshold below
 * which a send does not signal; refusals; and a sync run with messages recovered from a
 * checkpoint with the uninterrupted result (the inboxes are part of a checkpoint).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runJob } from '../src/api/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { edgeListText, erdosRenyi, skewedEdges } from './helpers/generators.js';
import { makeTempDir, openTempCatalog, removeTempDirs, storedResult, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { runInMemory, type EdgeGraph } from './helpers/run-by-label.js';

const ENGINE = pathToFileURL(resolve('src/engine/index.ts')).href;
const edges = skewedEdges(91, 250, 1_200, 2);
const graph: EdgeGraph = { edges };

let probeDir: string;
let temp: TempCatalog;
beforeAll(() => {
  probeDir = makeTempDir('gasworks-messages-');
  temp = openTempCatalog();
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

function probe(name: string, body: string): string {
  return writeGraphFile(probeDir, `${name}.ts`, `import { defineProgram } from '${ENGINE}';\n${body}\n`);
}

const outDegree = new Map<number, number>();
const vertices = new Set<number>();
for (const [u, v] of edges) {
  outDegree.set(u, (outDegree.get(u) ?? 0) + 1);
  vertices.add(u).add(v);
}

/**
 * Every vertex, at its first update, sends each out-neighbour its own out-degree (a self-loop:
 * itself); `got` sums what it received. Exact: Σ over in-edges (u, v) of outDegree(u).
 */
const SUM_PROBE = `export default defineProgram({
  name: 'message-sum',
  vertexColumns: { got: 'f64', sent: 'u8', sending: 'u8' },
  mirrorColumns: ['sending'],
  scatterEdges: 'out',
  asynchronous: true,
  messages: {},
  apply(state, v, _total, ctx) {
    state.got[v] += ctx.message;
    state.sending[v] = state.sent[v] === 0 ? 1 : 0;
    state.sent[v] = 1;
  },
  scatter(state, self, neighbor, _edge, ctx) {
    if (state.sending[self] === 1) ctx.send(neighbor, state.outDegree[self]);
  },
});`;

const expectedSums = new Map([...vertices].map((v) => [v, 0]));
for (const [u, v] of edges) expectedSums.set(v, expectedSums.get(v)! + outDegree.get(u)!);

/**
 * Vertices of odd out-degree (the sources) send 1 to each out-neighbour, once; a send signals its
 * receiver only once the receiver's inbox reaches 2.5. A non-source then absorbs the count of its
 * in-edges from sources when there are at least 3 — and nothing otherwise.
 */
const THRESHOLD_PROBE = `export default defineProgram({
  name: 'message-threshold',
  vertexColumns: { got: 'f64', sending: 'u8', sent: 'u8' },
  mirrorColumns: ['sending'],
  scatterEdges: 'out',
  asynchronous: true,
  initiallyActive: 'signaled',
  messages: { threshold: () => 2.5 },
  init(state, v, ctx) {
    if (state.outDegree[v] % 2 === 1) ctx.signal(v);
  },
  apply(state, v, _total, ctx) {
    state.got[v] += ctx.message;
    state.sending[v] = state.outDegree[v] % 2 === 1 && state.sent[v] === 0 ? 1 : 0;
    state.sent[v] = 1;
  },
  scatter(state, self, neighbor, _edge, ctx) {
    if (state.sending[self] === 1) ctx.send(neighbor, 1);
  },
});`;

const isSource = (v: number): boolean => (outDegree.get(v) ?? 0) % 2 === 1;
const fromSources = new Map<number, number>();
for (const [u, v] of edges) if (isSource(u)) fromSources.set(v, (fromSources.get(v) ?? 0) + 1);
const expectedThreshold = new Map([...vertices].filter((v) => !isSource(v)).map((v) => [v, (fromSources.get(v) ?? 0) >= 3 ? fromSources.get(v)! : 0]));

function byVertex(values: ReadonlyMap<string | number, unknown>): Map<number, number> {
  return new Map([...values].map(([vertex, value]) => [Number(vertex), value as number]));
}

describe('messages under the sync engine: read by the receiver in the next step', () => {
  it.each([
    [1, 1],
    [4, 1],
    [4, 3],
  ] as const)('%i partitions, %i workers: every vertex gets the exact sum it was sent, in two steps', async (partitions, workers) => {
    const file = probe(`sum-sync-${partitions}-${workers}`, SUM_PROBE);
    const { summary, values } = await runInMemory(graph, file, { directed: true, partitions, strategy: 'random', workers });
    expect(byVertex(values)).toEqual(expectedSums);
    expect(summary.iterations).toBe(2);
  });

  it.each([1, 3])('a send below the threshold does not activate its receiver (%i workers)', async (workers) => {
    const file = probe(`threshold-sync-${workers}`, THRESHOLD_PROBE);
    const { values } = await runInMemory(graph, file, { directed: true, partitions: 4, strategy: 'random', workers });
    const got = byVertex(values);
    expect(expectedThreshold.size).toBeGreaterThan(20);
    // Not vacuous: some receivers got enough and some did not.
    expect([...expectedThreshold.values()].filter((x) => x === 0).length).toBeGreaterThan(5);
    expect([...expectedThreshold.values()].filter((x) => x > 0).length).toBeGreaterThan(5);
    for (const [v, value] of expectedThreshold) expect([v, got.get(v)]).toEqual([v, value]);
  });
});

describe('messages under the async engine: read by the receiver at its next update', () => {
  it.each(['fifo', 'priority', 'sweep'])('one worker, %s scheduler: the exact sums', async (scheduler) => {
    const file = probe(`sum-async-${scheduler}`, SUM_PROBE);
    const { values } = await runInMemory(graph, file, { directed: true, engine: 'async', scheduler });
    expect(byVertex(values)).toEqual(expectedSums);
  });

  it.each(['vertex', 'edge', 'full'] as const)('two workers, %s consistency: the exact sums (sends to mirrors reach the master)', async (consistency) => {
    const file = probe(`sum-async-2-${consistency}`, SUM_PROBE);
    const { summary, values } = await runInMemory(graph, file, { directed: true, engine: 'async', workers: 2, partitions: 2, strategy: 'random', consistency });
    expect(byVertex(values)).toEqual(expectedSums);
    expect(summary.async!.workers.every((worker) => worker.updates > 0)).toBe(true);
  });

  it('one worker, fifo: the threshold holds receivers back as under sync', async () => {
    const file = probe('threshold-async', THRESHOLD_PROBE);
    const got = byVertex((await runInMemory(graph, file, { directed: true, engine: 'async', scheduler: 'fifo' })).values);
    for (const [v, value] of expectedThreshold) expect([v, got.get(v)]).toEqual([v, value]);
  });
});

describe('refusals', () => {
  it('SSP refuses a program with messages, naming it and the option', async () => {
    const file = probe('sum-ssp', SUM_PROBE.replace('messages: {},', 'messages: {}, alwaysActive: true,'));
    await expect(runInMemory(graph, file, { directed: true, partitions: 2, engine: 'ssp', staleness: 1 })).rejects.toMatchObject({
      code: 'GAS_ERR_UNSUPPORTED',
      message: expect.stringContaining('message-sum'),
    });
  });

  it('send() in a program that does not declare messages fails the run naming the program', async () => {
    const file = probe('undeclared', SUM_PROBE.replace('messages: {},', ''));
    await expect(runInMemory(graph, file, { directed: true })).rejects.toMatchObject({
      code: 'GAS_ERR_PROGRAM',
      message: expect.stringContaining('send() needs the program to declare messages'),
    });
  });
});

describe('a sync run with messages, a worker thread lost', () => {
  /** PageRank's push form run under sync: many steps, and inboxes below the threshold carried across them. */
  const PUSH_PROBE = `export default defineProgram({
    name: 'push-rank',
    vertexColumns: { rank: 'f64', push: 'f64' },
    mirrorColumns: ['push'],
    gatherEdges: 'none',
    initiallyActive: 'signaled',
    messages: { threshold: () => 1e-4 },
    init(state, v, ctx) {
      ctx.send(v, 1);
    },
    apply(state, v, _total, ctx) {
      state.rank[v] += ctx.message;
      const out = state.outDegree[v];
      state.push[v] = out > 0 ? (0.85 * ctx.message) / out : 0;
    },
    scatter(state, self, neighbor, _edge, ctx) {
      if (state.push[self] !== 0) ctx.send(neighbor, state.push[self]);
    },
  });`;

  it('recovers from the newest checkpoint with the uninterrupted result, inboxes included', async () => {
    const dir = makeTempDir('gasworks-messages-input-');
    await importGraph(temp.catalog, { file: writeGraphFile(dir, 'er.txt', edgeListText(erdosRenyi(5, 300, 1_500))), name: 'er', partitions: 4 });
    const algorithm = probe('push-rank', PUSH_PROBE);
    const base = { graph: 'er', algorithm, workers: 2, options: { maxIterations: 200 } };
    const plain = await runJob(temp.catalog, base);
    expect(plain.iterations).toBeGreaterThan(12);
    expect(plain.iterations).toBeLessThan(200);
    const recovered = await runJob(temp.catalog, { ...base, checkpointEvery: 4, crashWorker: { worker: 1, atStep: 11 } });
    expect(recovered.recoveries).toMatchObject([{ lostAfterStep: 10, resumedAfterStep: 7 }]);
    expect(recovered.iterations).toBe(plain.iterations);
    expect(storedResult(temp.catalog, recovered.jobId)).toEqual(storedResult(temp.catalog, plain.jobId));
  }, 60_000);
});
