/**
 * Termination of the asynchronous engine across workers: 200 seeded runs on small random graphs
 * — 100 on 2 worker threads, 100 on 2 `gasworks worker` processes — of label-correcting
 * programs and colouring, under every scheduler and consistency model. Each must end (within its
 * test's timeout: a run that hangs fails) with the oracle's answer, which it can only have if no
 * worker stopped while a peer's signal to it was still on its way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResults, runJob, type RunOptions } from '../src/index.js';
import { SCHEDULER_NAMES } from '../src/engine/index.js';
import { erdosRenyi, type TestGraph } from './helpers/generators.js';
import { bfsOracle, componentsOracle } from './helpers/oracles.js';
import type { TempCatalog } from './helpers/graph-files.js';
import { runInMemory } from './helpers/run-by-label.js';
import { storedGraphsAndWorkers, type WorkerProcess } from './helpers/workers.js';

const ALGORITHMS = ['connected-components', 'sssp', 'coloring'] as const;
const MODELS = ['vertex', 'edge', 'full'] as const;
const RUNS = 100;
const STORED_GRAPHS = 10;

interface Case {
  readonly seed: number;
  readonly algorithm: (typeof ALGORITHMS)[number];
  readonly scheduler: string;
  readonly consistency: string;
}

const CASES: Case[] = Array.from({ length: RUNS }, (_, seed) => ({
  seed,
  algorithm: ALGORITHMS[seed % 3]!,
  scheduler: SCHEDULER_NAMES[Math.floor(seed / 3) % 3]!,
  consistency: MODELS[Math.floor(seed / 9) % 3]!,
}));

/** A sparse random graph (several components) of 30–69 vertices. */
function graphOf(seed: number): TestGraph & { vertices: number } {
  const vertices = 30 + ((seed * 7) % 40);
  return erdosRenyi(1000 + seed, vertices, Math.round(vertices * 1.2)) as TestGraph & { vertices: number };
}

function check(graph: TestGraph & { vertices: number }, algorithm: Case['algorithm'], values: Float64Array): void {
  if (algorithm === 'connected-components') expect(Array.from(values)).toEqual(Array.from(componentsOracle(graph.vertices, graph.edges)));
  else if (algorithm === 'sssp') expect(Array.from(values)).toEqual(Array.from(bfsOracle(graph.vertices, graph.edges, false, 0)));
  else {
    const conflicts = graph.edges.filter(([u, v]) => u !== v && values[u as number] === values[v as number]);
    expect(conflicts).toEqual([]);
  }
}

const optionsOf = (algorithm: Case['algorithm']): Record<string, unknown> => (algorithm === 'sssp' ? { source: '0', weighted: false } : {});

describe('200 seeded asynchronous runs end, with the right result', () => {
  let temp: TempCatalog;
  let processes: WorkerProcess[] = [];
  let close: () => Promise<void>;

  beforeAll(async () => {
    const graphs = Array.from({ length: STORED_GRAPHS }, (_, g) => ({ name: `er-${g}`, graph: graphOf(g) }));
    ({ temp, processes, close } = await storedGraphsAndWorkers(graphs, 2));
  }, 60_000);

  afterAll(() => close());

  it.each(CASES)(
    '2 threads: seed $seed, $algorithm, $scheduler, $consistency',
    async ({ seed, algorithm, scheduler, consistency }) => {
      const graph = graphOf(seed);
      const run = await runInMemory(graph, algorithm, {
        directed: false,
        workers: 2,
        inProcess: false,
        engine: 'async',
        scheduler,
        consistency,
        options: optionsOf(algorithm),
      });
      expect(run.summary.async).toMatchObject({ endReason: 'converged', consistency });
      check(graph, algorithm, run.byIndex(graph.vertices));
    },
    20_000,
  );

  it.each(CASES)(
    '2 processes: seed $seed, $algorithm, $scheduler, $consistency',
    async ({ seed, algorithm, scheduler, consistency }) => {
      const stored = seed % STORED_GRAPHS;
      const graph = graphOf(stored);
      const summary = await runJob(temp.catalog, {
        graph: `er-${stored}`,
        algorithm,
        options: optionsOf(algorithm),
        cluster: processes.map((p) => p.address),
        engine: 'async',
        scheduler,
        consistency,
        top: 0,
      } as RunOptions);
      expect(summary.async).toMatchObject({ endReason: 'converged', consistency });
      const values = new Float64Array(graph.vertices).fill(NaN);
      for (const { vertex, value } of jobResults(temp.catalog, summary.jobId).rows()) values[vertex as number] = value as number;
      check(graph, algorithm, values);
    },
    20_000,
  );
});
