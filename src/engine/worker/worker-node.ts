/**
 * One worker of a running job: its runtime (the four phases as functions from inbox to outbox)
 * joined to the mesh. Each call of the coordinator runs one or more phases back to back; between
 * phases the node sends its outbox to its peers and waits for its inbox from them, so exchange
 * messages never pass through the coordinator. What the coordinator still gets from a call is
 * small: aggregator partials, counts, traffic.
 *
 * A superstep under BSP is two calls, split where the coordinator must all-reduce aggregates:
 *
 *   gatherApply(t)                gather → partials to masters → apply → values to mirrors
 *   scatterActivate(t, aggs)      values in → scatter → signals to masters → activate → flags out
 *
 * Under SSP one call runs a worker's whole step, waiting only for peers that are too far behind
 * (their clocks) and for peers' messages that are too stale (`sspStep`, see ssp-engine.ts). `computeMs` counts only the node's own work:
 * waiting for peers is not computing.
 */
import { GasError } from '../../errors.js';
import { recordCount } from './codec.js';
import { collectMasters, type CollectedColumn } from './collect.js';
import { meshPeers, MESH_KIND_NAMES, type MeshKind, type MeshLinks, type PeerInbox } from './mesh.js';
import type { AggregateValues } from '../program/program.js';
import { aggregateCombiner, coordinatorContext } from './aggregates.js';
import { AsyncRunner, type AsyncMode, type AsyncPoll, type AsyncRunSettings, type AsyncWorkerStats } from './async-runner.js';
import { mirrorRecordWidth } from './state.js';
import { readCheckpointPart, writeCheckpointPart, type CheckpointPartCheck, type CheckpointPartInfo } from './checkpoint-part.js';
import type { Mailbox, Message, WorkerRuntime } from './worker-runtime.js';

/** What a worker sent each peer during a call: payload bytes and (non-empty) messages, indexed by peer. */
export interface SentTraffic {
  readonly bytes: number[];
  readonly messages: number[];
}

export interface NodeOptions {
  /** Testing and benchmarks: every compute section takes `slowdown` times as long (a straggler). */
  readonly slowdown?: number;
  /**
   * Testing (fault tolerance): exit this thread or process at once when step `crashAtStep` begins,
   * as a killed worker would vanish; in an asynchronous run, which has no steps, at the
   * coordinator's `crashAtStep`-th poll (one every few milliseconds).
   */
  readonly crashAtStep?: number | null;
}

/** The mesh step a restore's exchange of mirror values travels under (before step 0; neighbour sets use −1). */
const RESTORE_STEP = -2;

export class WorkerNode {
  /** Time spent computing (phases, packing), excluding waits for peers. */
  computeMs = 0;
  private readonly peers: Record<MeshKind, { readonly sendTo: number[]; readonly hearFrom: number[] }>;
  private readonly valueWidth: number;
  private readonly alwaysActive: boolean;
  private readonly slowdown: number;
  private readonly crashAtStep: number | null;
  private asyncPolls = 0;
  private sent: SentTraffic;
  /** SSP: the newest step of mirror values from each peer already installed. */
  private readonly deliveredValues: number[];
  /** SSP: the last step of the run, once the coordinator knows it. */
  private sspStopAfter = Infinity;
  /** SSP: the aggregates scatter sees, and the step they were combined from (−1: the initial ones). */
  private latestAggregates: AggregateValues = new Map();
  private aggregatesStep = -1;
  private readonly combine: (partials: readonly number[][]) => Map<string, number | Float64Array>;
  /** Asynchronous runs: the loop's state. */
  private runner: AsyncRunner | null = null;

  constructor(
    readonly runtime: WorkerRuntime,
    private readonly links: MeshLinks,
    readonly inbox: PeerInbox,
    options: NodeOptions = {},
  ) {
    const { plan } = runtime;
    this.peers = Object.fromEntries(MESH_KIND_NAMES.map((kind) => [kind, meshPeers(plan, kind)])) as WorkerNode['peers'];
    this.valueWidth = mirrorRecordWidth(runtime.program);
    this.alwaysActive = runtime.program.alwaysActive === true;
    this.slowdown = options.slowdown ?? 1;
    this.crashAtStep = options.crashAtStep ?? null;
    this.sent = emptyTraffic(plan.numWorkers);
    this.deliveredValues = new Array<number>(plan.numWorkers).fill(-Infinity);
    this.combine = aggregateCombiner(runtime.program, coordinatorContext(runtime.program, runtime.facts));
  }

  /** Neighbour sets if the program needs them (three exchanges), then initial state; returns aggregator partials. */
  async start(): Promise<number[]> {
    const { runtime } = this;
    if (runtime.program.needsNeighborSets) {
      this.send(
        'neighborsUp',
        -1,
        this.compute(() => runtime.neighborsToMasters()),
      );
      const up = await this.take('neighborsUp', -1);
      this.send(
        'neighborsDown',
        -1,
        this.compute(() => runtime.neighborsFromMirrors(up)),
      );
      const down = await this.take('neighborsDown', -1);
      this.compute(() => runtime.neighborsInstall(down));
    }
    return this.compute(() => runtime.init());
  }

  /** The first activation, with the initial aggregates: flags for step 0 go to mirrors; returns the active masters. */
  activate(aggregates: AggregateValues): { activeMasters: number } {
    this.latestAggregates = aggregates;
    const activated = this.compute(() => {
      this.runtime.setAggregates(aggregates);
      return this.runtime.activate([], 0);
    });
    this.send('flags', 0, activated.outbox);
    this.sent = emptyTraffic(this.runtime.plan.numWorkers);
    return { activeMasters: activated.activeMasters };
  }

  /** BSP, first half of step t: gather with the step's flags, partials to masters, apply; values go to mirrors. */
  async gatherApply(t: number): Promise<{ aggregates: number[]; mirrorUpdates: number; sent: SentTraffic }> {
    // In a worker thread this ends the thread alone; in a `gasworks worker` process, the process.
    if (t === this.crashAtStep) process.exit(70);
    // An always-active program's vertices are all active after step 0: no flags travel (see scatterActivate).
    const flags = this.alwaysActive && t > 0 ? [] : await this.take('flags', t);
    this.send(
      'partials',
      t,
      this.compute(() => this.runtime.gather(flags, t)),
    );
    const partials = await this.take('partials', t);
    const applied = this.compute(() => this.runtime.apply(partials));
    const mirrorUpdates = this.send('values', t, applied.outbox);
    return { aggregates: applied.aggregates, mirrorUpdates, sent: this.takeTraffic() };
  }

  /** BSP, second half of step t: mirrors install values, scatter; signals to masters; activation for t + 1, flags out. */
  async scatterActivate(t: number, aggregates: AggregateValues): Promise<{ activeMasters: number; sent: SentTraffic }> {
    this.latestAggregates = aggregates;
    const values = await this.take('values', t);
    const signalsOut = this.compute(() => this.runtime.scatter(values, aggregates));
    // An always-active program runs every vertex in every step after step 0 whatever was signalled,
    // and sends no flags (runtime.activate): every worker knows it, so neither exchange happens —
    // two of a step's four rounds of messages, and the wake-ups they cost.
    if (this.alwaysActive) {
      const activated = this.compute(() => this.runtime.activate([], t + 1));
      return { activeMasters: activated.activeMasters, sent: this.takeTraffic() };
    }
    this.send('signals', t, signalsOut);
    const signals = await this.take('signals', t);
    const activated = this.compute(() => this.runtime.activate(signals, t + 1));
    this.send('flags', t + 1, activated.outbox);
    return { activeMasters: activated.activeMasters, sent: this.takeTraffic() };
  }

  /**
   * BSP, between steps (after `scatterActivate(step)`): this worker's part of a checkpoint, written
   * to `file` in one transaction (checkpoint-part.ts). The flags of step + 1 are already on the
   * mesh; they stay there for the next `gatherApply`.
   */
  checkpoint(file: string, step: number): CheckpointPartInfo {
    return this.compute(() => writeCheckpointPart(file, this.runtime, step, this.latestAggregates));
  }

  /**
   * BSP, instead of `activate` after `start`: the state of this worker's part of a checkpoint
   * (checked against its size and checksum), and the activation of the step after it, whose flags go to the
   * mirrors as `scatterActivate` would have sent them. Returns that step (`nextStep`), the active
   * masters and (`withAggregates`: one worker is asked) the aggregates saved.
   */
  async restore(
    file: string,
    part: CheckpointPartCheck,
    withAggregates: boolean,
  ): Promise<{ nextStep: number; activeMasters: number; aggregates: AggregateValues | null }> {
    const restored = this.compute(() => readCheckpointPart(file, this.runtime, part));
    // A part holds masters' vertex values: mirrors get theirs from their masters, as after an apply.
    this.send(
      'values',
      RESTORE_STEP,
      this.compute(() => this.runtime.masterValuesOutbox()),
    );
    const values = await this.take('values', RESTORE_STEP);
    this.compute(() => this.runtime.installMirrorValues(values));
    this.latestAggregates = restored.aggregates;
    if (!this.alwaysActive) this.send('flags', restored.step + 1, restored.activation.outbox);
    this.sent = emptyTraffic(this.runtime.plan.numWorkers);
    return { nextStep: restored.step + 1, activeMasters: restored.activation.activeMasters, aggregates: withAggregates ? restored.aggregates : null };
  }

  /**
   * SSP, worker step t with staleness bound S. The clock first: the step starts only when every
   * peer has completed step t − S or later (peers' clocks arrive on the mesh). Then install the
   * newest mirror values (waiting only for peers whose newest is older than step t − 1 − S) and
   * scatter; gather; apply with each peer's newest partials (waiting only for those older than
   * t − S); send values, then this worker's clock, t + 1, to every peer. Signals are not
   * exchanged: SSP runs always-active programs only.
   *
   * A step past the run's end (`stopSsp`) returns `stopped` without applying — at once, or as soon
   * as the stop reaches a wait — so a worker ahead of the others never waits for peers that stopped.
   */
  async sspStep(
    t: number,
    staleness: number,
  ): Promise<{ stopped: boolean; aggregates: number[]; mirrorUpdates: number; blockedMs: number; lead: number; sent: SentTraffic }> {
    let blockedMs = 0;
    const stopped = (): boolean => t > this.sspStopAfter;
    const wait = async (kind: MeshKind, minStep: number): Promise<boolean> => {
      const started = performance.now();
      const ready = await this.inbox.until(kind, this.peers[kind].hearFrom, minStep, stopped);
      blockedMs += performance.now() - started;
      return ready;
    };
    const halted = () => ({ stopped: true, aggregates: [], mirrorUpdates: 0, lead: 0, blockedMs, sent: this.takeTraffic() });
    const { runtime, inbox } = this;
    // Every worker starts at clock 0: a bound at or below 0 holds without any frame.
    if (stopped() || (t - staleness > 0 && !(await wait('clocks', t - staleness)))) return halted();
    const slowest = Math.min(t, ...this.peers.clocks.hearFrom.map((peer) => Math.max(0, inbox.newest('clocks', peer).step)));
    if (t > 0) {
      if (!(await wait('values', t - 1 - staleness))) return halted();
      const fresh = this.mailbox('values', (peer) => {
        const slot = inbox.newest('values', peer);
        if (slot.step <= this.deliveredValues[peer]!) return null;
        this.deliveredValues[peer] = slot.step;
        return slot.message;
      });
      this.compute(() => runtime.scatter(fresh, this.newestAggregates(t - 1)));
    }
    const flags = t === 0 ? await this.take('flags', 0) : [];
    this.send(
      'partials',
      t,
      this.compute(() => runtime.gather(flags, t)),
    );
    if (!(await wait('partials', t - staleness))) return halted();
    const partials = this.mailbox('partials', (peer) => inbox.newest('partials', peer).message);
    const applied = this.compute(() => runtime.apply(partials));
    const mirrorUpdates = this.send('values', t, applied.outbox);
    // Aggregates before the clock: a peer that sees this clock has this step's partials too (FIFO links).
    inbox.deliver(runtime.plan.worker, { kind: 'aggregates', step: t, message: Float64Array.from(applied.aggregates) });
    // A copy for each peer: a link may move the buffer it sends.
    const partialsOut: Message[] = [];
    for (const peer of this.peers.aggregates.sendTo) partialsOut[peer] = Float64Array.from(applied.aggregates);
    this.send('aggregates', t, partialsOut);
    this.send('clocks', t + 1, []);
    return { stopped: false, aggregates: applied.aggregates, mirrorUpdates, blockedMs, lead: t - slowest, sent: this.takeTraffic() };
  }

  /**
   * SSP: the aggregates scatter sees in a step, combined here from every worker's partials: those
   * of the newest step up to `step` that every worker has sent (with S = 0 exactly `step`, as BSP;
   * never older than the staleness bound allows, since peers send their partials before their
   * clocks), else the newest combined before. The same combine in the same worker order as the
   * coordinator's, so both see the same values.
   */
  private newestAggregates(step: number): AggregateValues {
    for (let s = step; s > this.aggregatesStep; s--) {
      const partials = this.inbox.aggregatesOf(s);
      if (!partials) continue;
      this.latestAggregates = this.combine(partials.map((row) => Array.from(row)));
      this.aggregatesStep = s;
      this.inbox.forgetAggregatesBefore(s);
      break;
    }
    return this.latestAggregates;
  }

  /** SSP: the run ends after step `step` (the coordinator saw it converge); later steps stop. */
  stopSsp(step: number): void {
    this.sspStopAfter = Math.min(this.sspStopAfter, step);
    this.inbox.poke();
  }

  /**
   * Asynchronous execution, start: the initial aggregates, a runner (async-runner.ts) whose
   * scheduler holds what `init` signalled, and under full consistency the exchange of extra
   * locks with every peer. The coordinator starts every worker's `asyncLoop` only once every
   * worker has started, so no peer's records arrive before.
   */
  async asyncStart(settings: AsyncRunSettings, aggregates: AggregateValues): Promise<void> {
    const { runtime } = this;
    const runner = this.compute(() => {
      runtime.setAggregates(aggregates);
      return new AsyncRunner(runtime, this.links, this.inbox, settings);
    });
    this.runner = runner;
    if (settings.consistency === 'full' && runtime.plan.numWorkers > 1) await runner.exchangeExtraLocks();
  }

  /** The asynchronous loop, until `asyncEnd`; its turns count as computing. */
  async asyncLoop(): Promise<void> {
    const runner = this.asyncRunner();
    const before = runner.busyMs;
    try {
      await runner.run();
    } finally {
      this.computeMs += runner.busyMs - before;
    }
  }

  /** The runner's counters now (answered between turns of the loop). */
  asyncPoll(): AsyncPoll {
    if (++this.asyncPolls === this.crashAtStep) process.exit(70);
    return this.asyncRunner().poll();
  }

  /** What the loop launches from now on. */
  asyncMode(mode: AsyncMode): void {
    this.asyncRunner().setMode(mode);
  }

  /** The aggregators' partials over the current state (asked when every worker is idle). */
  asyncAggregates(): number[] {
    return this.compute(() => this.runtime.aggregateNow());
  }

  /** Ends the loop (asked when every worker is idle). */
  asyncEnd(): void {
    this.asyncRunner().end();
  }

  /**
   * Asynchronous execution, end: the aggregators over the final state, how many masters ran how
   * often — `histogram[0]` never, `histogram[k]` 2^(k−1) … 2^k − 1 times — the worker's figures,
   * and (tracing) the pieces of updates it ran.
   */
  asyncFinish(): { aggregates: number[]; histogram: number[]; stats: AsyncWorkerStats; trace: Float64Array | null } {
    const runner = this.asyncRunner();
    const histogram: number[] = [];
    const { isMaster } = this.runtime.plan;
    runner.counts.forEach((count, v) => {
      if (isMaster[v] !== 1) return;
      const bucket = count === 0 ? 0 : 32 - Math.clz32(count);
      while (histogram.length <= bucket) histogram.push(0);
      histogram[bucket]!++;
    });
    return { aggregates: this.compute(() => this.runtime.aggregateNow()), histogram, stats: runner.stats(), trace: runner.tracePieces() };
  }

  private asyncRunner(): AsyncRunner {
    if (!this.runner) throw new GasError('GAS_ERR_INTERNAL', 'an asynchronous call before asyncStart');
    return this.runner;
  }

  /** The program's `finish` on this worker's masters, with the run's final aggregates. */
  finish(aggregates: AggregateValues): void {
    this.compute(() => this.runtime.finish(aggregates));
  }

  collect(column: string): CollectedColumn {
    return collectMasters(this.runtime, column);
  }

  /** Ends the node: waits in progress fail with `problem`; the links are let go. */
  close(problem = 'the job was closed'): void {
    this.inbox.fail(new GasError('GAS_ERR_WORKER', `worker ${this.runtime.plan.worker}: ${problem}`));
    this.links.close();
  }

  /** Runs `body`, counting its time (and, for a straggler, sleeping for the rest of its slowdown). */
  private compute<T>(body: () => T): T {
    const started = performance.now();
    try {
      return body();
    } finally {
      let elapsed = performance.now() - started;
      if (this.slowdown > 1) {
        sleep((this.slowdown - 1) * elapsed);
        elapsed = performance.now() - started;
      }
      this.computeMs += elapsed;
    }
  }

  /** Sends `outbox[peer]` to every peer that expects `kind`; returns the value records sent (for 'values'). */
  private send(kind: MeshKind, step: number, outbox: readonly Message[]): number {
    let records = 0;
    for (const peer of this.peers[kind].sendTo) {
      const message = outbox[peer] ?? null;
      if (message) {
        this.sent.bytes[peer]! += message.byteLength;
        this.sent.messages[peer]!++;
        if (kind === 'values') records += recordCount(message as Float64Array, this.valueWidth);
      }
      this.links.send(peer, { kind, step, message });
    }
    return records;
  }

  private take(kind: MeshKind, step: number): Promise<Mailbox> {
    return this.inbox.take(kind, this.peers[kind].hearFrom, step);
  }

  /** A mailbox of `kind` with `pick(peer)` for each peer this worker hears it from. */
  private mailbox(kind: MeshKind, pick: (peer: number) => Message): Mailbox {
    const mailbox: Message[] = new Array<Message>(this.runtime.plan.numWorkers).fill(null);
    for (const peer of this.peers[kind].hearFrom) mailbox[peer] = pick(peer);
    return mailbox;
  }

  private takeTraffic(): SentTraffic {
    const sent = this.sent;
    this.sent = emptyTraffic(this.runtime.plan.numWorkers);
    return sent;
  }
}

function emptyTraffic(numWorkers: number): SentTraffic {
  return { bytes: new Array<number>(numWorkers).fill(0), messages: new Array<number>(numWorkers).fill(0) };
}

/** Blocks this thread (workers only: a straggler's slowdown). */
function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
