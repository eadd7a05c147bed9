/**
 * What both engines' coordinators share: the start of a run before step 0 and the traffic
 * ledger. (Combining aggregates and the context `converged` reads: worker/aggregates.ts.)
 */
import type { WorkerEndpoint } from './endpoint.js';
import type { ResumePoint, StepTraffic } from './engine.js';
import type { AggregateValues } from '../program/program.js';
import type { SentTraffic } from '../worker/worker-node.js';

/**
 * Before step 0: neighbour sets if the program asks for them and initial state (the workers
 * exchange on the mesh), the first aggregates combined here, and the first activation. Returns
 * the first aggregates and the number of active vertices.
 */
export async function startRun(
  workers: readonly WorkerEndpoint[],
  combine: (partials: readonly number[][]) => Map<string, number | Float64Array>,
): Promise<{ aggregates: Map<string, number | Float64Array>; activeVertices: number }> {
  const aggregates = combine(await Promise.all(workers.map((w) => w.start())));
  const activated = await Promise.all(workers.map((w) => w.activate(aggregates)));
  return { aggregates, activeVertices: activated.reduce((sum, a) => sum + a.activeMasters, 0) };
}

/**
 * Instead of `startRun`, from a checkpoint: neighbour sets and initial state as a fresh run (what
 * the checkpoint does not hold is rebuilt), then the checkpoint's state on every worker. Returns
 * its aggregates, the number of active vertices and the step to run next.
 */
export async function resumeRun(
  workers: readonly WorkerEndpoint[],
  resume: ResumePoint,
): Promise<{ aggregates: AggregateValues; activeVertices: number; nextStep: number }> {
  await Promise.all(workers.map((w) => w.start()));
  return resume.restore(workers);
}

/**
 * Counts each step's traffic as the engine's calls return: what every worker sent every peer
 * (from the calls' results) and the bytes on each worker's coordinator link around its calls
 * (exact per link, even while calls to other workers overlap, as they do under SSP).
 */
export class TrafficLedger {
  private readonly steps: { peerBytes: number[][]; peerMessages: number[][]; controlMessages: number; controlBytes: number | null }[] = [];

  constructor(private readonly workers: readonly WorkerEndpoint[]) {}

  /** Runs `call` on worker `w` for step `step`, recording its coordinator-link bytes and what it reports sending. */
  async record<R extends { sent?: SentTraffic }>(step: number, w: number, call: (endpoint: WorkerEndpoint) => Promise<R>): Promise<R> {
    const endpoint = this.workers[w]!;
    const before = endpoint.controlBytes;
    const result = await call(endpoint);
    const entry = this.entry(step);
    entry.controlMessages += 2;
    const after = endpoint.controlBytes;
    entry.controlBytes = before === null || after === null || entry.controlBytes === null ? null : entry.controlBytes + after - before;
    if (result.sent) {
      for (let to = 0; to < this.workers.length; to++) {
        entry.peerBytes[w]![to]! += result.sent.bytes[to] ?? 0;
        entry.peerMessages[w]![to]! += result.sent.messages[to] ?? 0;
      }
    }
    return result;
  }

  /** The step's traffic, with its totals over all links. */
  report(step: number): StepTraffic & { messages: number; bytes: number } {
    const entry = this.entry(step);
    const total = (grid: number[][]): number => grid.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
    return { ...entry, messages: total(entry.peerMessages), bytes: total(entry.peerBytes) };
  }

  private entry(step: number): TrafficLedger['steps'][number] {
    const W = this.workers.length;
    const grid = (): number[][] => Array.from({ length: W }, () => new Array<number>(W).fill(0));
    return (this.steps[step] ??= {
      peerBytes: grid(),
      peerMessages: grid(),
      controlMessages: 0,
      controlBytes: this.workers.every((w) => w.controlBytes !== null) ? 0 : null,
    });
  }
}
