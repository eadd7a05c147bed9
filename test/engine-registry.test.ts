/**
 * The engines by name and the coordinator ⇄ worker call table: both engines run through one
 * `Engine.run`, report one outcome type, and drive workers only through the table's calls. The
 * graph is a graphology grid laid out in memory (no files, no LMDB).
 */
import { describe, expect, it } from 'vitest';
import pagerank from '../src/algorithms/pagerank.js';
import { layOutGraphology } from '../src/api/graphology-layout.js';
import { METHODS } from '../src/cluster/protocol.js';
import { InProcessEndpoint, TableEndpoint, type WorkerEndpoint } from '../src/engine/coordinator/endpoint.js';
import { ENGINE_NAMES, engineByName, loadInProcessWorkers, resolveAlgorithmOptions, runSynchronous, type AnyVertexProgram } from '../src/engine/index.js';
import { NODE_HANDLERS, WORKER_CALL_NAMES, WORKER_CALLS, type CallArgs, type CallResult, type WorkerCall } from '../src/engine/worker/worker-calls.js';
import { Graph } from './helpers/graph-files.js';

/** A side × side grid, edges both ways, partitioned 4 ways in memory. */
async function grid(side: number) {
  const graph = new Graph({ type: 'directed' });
  for (let i = 0; i < side * side; i++) graph.addNode(String(i));
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const v = r * side + c;
      for (const u of [c + 1 < side ? v + 1 : -1, r + 1 < side ? v + side : -1]) {
        if (u < 0) continue;
        graph.addEdge(String(v), String(u));
        graph.addEdge(String(u), String(v));
      }
    }
  }
  return (await layOutGraphology(graph, null, { partitions: 4 }, 'test')).graph;
}

/** An endpoint that records the calls it forwards: the engine reaches workers only through the table. */
class RecordingEndpoint extends TableEndpoint {
  readonly calls: WorkerCall[] = [];
  constructor(private readonly inner: WorkerEndpoint) {
    super();
  }
  get name(): string {
    return this.inner.name;
  }
  get busyMs(): number {
    return this.inner.busyMs;
  }
  get controlBytes(): number | null {
    return this.inner.controlBytes;
  }
  call<M extends WorkerCall>(method: M, ...args: CallArgs<M>): Promise<CallResult<M>> {
    this.calls.push(method);
    return (this.inner[method] as (...args: CallArgs<M>) => Promise<CallResult<M>>)(...args);
  }
}

async function ranks(workers: readonly WorkerEndpoint[], vertices: number): Promise<Float64Array> {
  const values = new Float64Array(vertices);
  for (const worker of workers) {
    const { gids, values: part } = await worker.collect('rank');
    gids.forEach((g, i) => (values[g] = part[i]!));
  }
  return values;
}

describe('engines by name', () => {
  it('lists sync, ssp and async, and refuses an unknown name naming the known ones', () => {
    expect(ENGINE_NAMES).toEqual(['sync', 'ssp', 'async']);
    expect(engineByName('ssp').name).toBe('ssp');
    expect(() => engineByName('bulk')).toThrow(
      expect.objectContaining({ code: 'GAS_ERR_INVALID_ARGUMENT', message: expect.stringContaining('sync, ssp, async') }),
    );
  });

  it('ssp refuses a signal-driven program before running it; sync accepts it', () => {
    const signalled = { name: 'probe', alwaysActive: false } as unknown as AnyVertexProgram;
    expect(() => engineByName('ssp').checkProgram(signalled)).toThrow(expect.objectContaining({ code: 'GAS_ERR_UNSUPPORTED' }));
    expect(() => engineByName('sync').checkProgram(signalled)).not.toThrow();
  });

  it.each([1, 3])('sync and ssp (S = 0) give runSynchronous exact ranks on %i workers, with one outcome type', async (workers) => {
    const source = await grid(8);
    const program = (): AnyVertexProgram => pagerank.create(resolveAlgorithmOptions(pagerank, { tolerance: 1e-10 })) as AnyVertexProgram;
    const direct = loadInProcessWorkers(source, program(), workers);
    const expected = await runSynchronous(direct.endpoints, program(), direct.facts, { maxIterations: 100 });
    const expectedRanks = await ranks(direct.endpoints, 64);

    for (const name of ['sync', 'ssp']) {
      const loaded = loadInProcessWorkers(source, program(), workers);
      const recorded = loaded.endpoints.map((endpoint) => new RecordingEndpoint(endpoint));
      const steps: number[] = [];
      const outcome = await engineByName(name).run(recorded, program(), loaded.facts, {
        maxIterations: 100,
        staleness: 0,
        onStep: (step) => steps.push(step.iteration),
      });
      expect(outcome.converged).toBe(true);
      expect(outcome.iterations).toBe(expected.iterations);
      expect(outcome.steps.length).toBe(outcome.iterations);
      expect(steps).toEqual(outcome.steps.map((_, t) => t));
      expect(await ranks(recorded, 64)).toEqual(expectedRanks);
      if (name === 'ssp') {
        expect(outcome.workerSteps).toHaveLength(workers);
        expect(outcome.maxLead).toBe(0);
      } else {
        expect(outcome.workerSteps).toBeUndefined();
        expect(outcome.maxLead).toBeUndefined();
      }
      for (const endpoint of recorded) {
        expect(endpoint.calls.slice(0, 2)).toEqual(['start', 'activate']);
        // Exchange messages travel on the mesh: the coordinator's calls carry none.
        const stepCalls = name === 'sync' ? ['gatherApply', 'scatterActivate'] : ['sspStep'];
        expect(endpoint.calls.slice(2, 2 + stepCalls.length * outcome.iterations)).toEqual(Array.from({ length: outcome.iterations }, () => stepCalls).flat());
      }
      for (const step of outcome.steps) {
        expect(step.traffic.controlMessages).toBe(2 * workers * (name === 'sync' ? 2 : 1));
        expect(step.traffic.controlBytes).toBeNull();
        expect(step.traffic.peerBytes.flat().reduce((a, b) => a + b, 0)).toBe(step.bytes);
        if (workers > 1) expect(step.bytes).toBeGreaterThan(0);
        for (let w = 0; w < workers; w++) expect(step.traffic.peerBytes[w]![w]).toBe(0);
      }
    }
  });
});

describe('the worker call table', () => {
  it('names every call once, handles each on the node, and the protocol adds only hasShard, setup, joinMesh, describe and the checkpoint part transfers', () => {
    expect(new Set(WORKER_CALL_NAMES).size).toBe(WORKER_CALL_NAMES.length);
    expect(Object.keys(NODE_HANDLERS).sort()).toEqual([...WORKER_CALL_NAMES].sort());
    expect([...METHODS].sort()).toEqual(['describe', 'hasShard', 'joinMesh', 'partChunk', 'partUpload', 'setup', ...WORKER_CALL_NAMES].sort());
    expect(WORKER_CALL_NAMES.filter((name) => WORKER_CALLS[name].interrupts).sort()).toEqual([
      'asyncAggregates',
      'asyncEnd',
      'asyncMode',
      'asyncPoll',
      'close',
      'ping',
      'sspStop',
    ]);
    for (const name of WORKER_CALL_NAMES) expect(typeof (TableEndpoint.prototype as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  it('an in-process endpoint counts computing as busy time, not collecting results', async () => {
    const source = await grid(4);
    const program = pagerank.create(resolveAlgorithmOptions(pagerank, {})) as AnyVertexProgram;
    const [endpoint] = loadInProcessWorkers(source, program, 1).endpoints as InProcessEndpoint[];
    await endpoint!.start();
    const afterStart = endpoint!.busyMs;
    expect(afterStart).toBeGreaterThan(0);
    await endpoint!.collect('rank');
    expect(endpoint!.busyMs).toBe(afterStart);
  });
});
