/**
 * What both engines' coordinators share: the start of a run before step 0 and the traffic
 * ledger. (Combining aggregates and the context `converged` reads: worker/aggregates.ts.)
 */
import type { WorkerEndpoint } from './endpoint.js';
import type { ResumePoint, StepTraffic } from './engine.js';
import type { AggregateValues } from '../program/program.js';
import { GasError } from '../../errors.js';
import { cancellableDelay } from '../../util/delay.js';

/** A call's outcome, settled. */
type Settled<R> = { readonly value: R } | { readonly error: unknown };

function unwrap<R>(settled: Settled<R>): R {
  if ('error' in settled) throw settled.error;
  return settled.value;
}
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

/** The step watchdog's least patience (ms) when no `stepTimeoutMs` is given. */
const MIN_STUCK_MS = 60_000;
/** … and its patience in multiples of the longest step call so far. */
const STUCK_STEPS = 4;

/**
 * Counts each step's traffic as the engine's calls return: what every worker sent every peer
 * (from the calls' results) and the bytes on each worker's coordinator link around its calls
 * (exact per link, even while calls to other workers overlap, as they do under SSP).
 *
 * It is also the **step watchdog**: a step call still running after `patience` (the given
 * `stepTimeoutMs`, else the longer of 60 s and 4 × the longest call so far) gets a `ping` to its
 * worker, answered between computations; a worker that does not answer within `patience` either
 * is stuck — a program in an endless loop, a thread that never yields — and the call fails with
 * GAS_ERR_WORKER naming it (`details.stuck`), so the run ends instead of hanging. A worker that is
 * merely slow, or waiting for a peer, answers and is waited for. (Workers in the coordinator's
 * own thread cannot be watched: while one computes, nothing else runs.)
 */
export class TrafficLedger {
  private readonly steps: { peerBytes: number[][]; peerMessages: number[][]; controlMessages: number; controlBytes: number | null }[] = [];
  private longestCallMs = 0;

  constructor(
    private readonly workers: readonly WorkerEndpoint[],
    private readonly stepTimeoutMs?: number,
  ) {}

  /** Runs `call` on worker `w` for step `step`, recording its coordinator-link bytes and what it reports sending. */
  async record<R extends { sent?: SentTraffic }>(step: number, w: number, call: (endpoint: WorkerEndpoint) => Promise<R>): Promise<R> {
    const endpoint = this.workers[w]!;
    const before = endpoint.controlBytes;
    const started = performance.now();
    const result = await this.watched(endpoint, step, call(endpoint));
    this.longestCallMs = Math.max(this.longestCallMs, performance.now() - started);
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

  /** `pending`, unless its worker stops answering pings while it runs (see the class comment). */
  private async watched<R>(endpoint: WorkerEndpoint, step: number, pending: Promise<R>): Promise<R> {
    // Settled either way before it is raced, so a call abandoned below never rejects unhandled.
    const outcome: Promise<Settled<R>> = pending.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const started = performance.now();
    for (;;) {
      const patience = this.stepTimeoutMs ?? Math.max(MIN_STUCK_MS, STUCK_STEPS * this.longestCallMs);
      const waited = cancellableDelay(patience);
      const first = await Promise.race([outcome, waited.elapsed]);
      waited.cancel();
      if (first) return unwrap(first);
      const answered = endpoint.ping().then(
        () => 'answered' as const,
        () => 'answered' as const,
      );
      const silence = cancellableDelay(patience);
      const next = await Promise.race([outcome, answered, silence.elapsed]);
      silence.cancel();
      if (next === 'answered') continue;
      if (next) return unwrap(next);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      throw new GasError(
        'GAS_ERR_WORKER',
        `${endpoint.name}: step ${step} has run ${seconds} s and the worker has not answered for ${(patience / 1000).toFixed(1)} s: it is stuck (a program in an endless loop?) and was stopped`,
        { worker: endpoint.name, step, stuck: true },
      );
    }
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
