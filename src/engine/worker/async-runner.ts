/**
 * One worker's side of an asynchronous run: a loop that takes peers' records, launches the
 * vertices its scheduler hands out, and sends its own records, until the coordinator ends it.
 *
 * **Which updates need the other workers.** Under a vertex cut a vertex's edges may lie on several
 * workers (its master and its mirrors). A master without mirrors — most vertices of a good cut —
 * has its whole scope here, and runs at once when the locks its scope needs are free: it runs to
 * the end without yielding, so it holds nothing while it runs (`runLocal`). A vertex with mirrors
 * (or, under full consistency, with neighbours whose masters are elsewhere) runs as a *flight*:
 *
 *   lock     each worker holding part of its scope takes its lock set (async-locks.ts), one worker
 *            after another in ascending worker order; the last one gathers right away
 *   gather   every other replica gathers over its edges; partials go to the master
 *   apply    the master combines the partials (in worker order) and applies
 *   scatter  the new values go to the mirrors, which install them and scatter over their edges
 *   release  once every mirror has scattered, every lock set is let go
 *
 * **Why ordered locking.** Taking lock sets worker by worker in one global order, each worker's
 * set all at once, can never deadlock: a flight waiting on worker k holds locks only on workers
 * below k, so a cycle of waits would need a worker order that goes round — the classic argument
 * the Distributed GraphLab locking engine uses (Low et al., VLDB 2012, §4.2.2). PowerGraph's
 * asynchronous engine uses Chandy–Misra forks per edge instead (OSDI 2012, §4.3.2), which needs
 * fork state per edge on every replica and a request/response per fork; lock sets by worker need
 * a table of two small counters per replica and one message per worker per flight, and they
 * extend to full consistency (write locks on the neighbours' masters) without new machinery.
 * Many flights are in the air at once (`WINDOW` per worker), and every record for a peer within
 * one turn of the loop travels in one message (async-protocol.ts).
 *
 * **Why release only after every replica scattered.** Then every piece of an update's program —
 * gathers on the replicas, apply, scatters on the replicas — runs while all of its locks are held,
 * so two updates whose scopes conflict run at disjoint times, on any worker: what the
 * consistency checker (test instrumentation, `trace`) verifies from the pieces' times.
 *
 * Under vertex consistency there are no locks: a flight gathers from every mirror at once,
 * applies and commits; the master runs a vertex again only once every mirror has scattered.
 *
 * **Under edge consistency on several workers, flights run in phases instead** (see "Phased
 * flights" below): the shared vertices are coloured so that no two neighbours share a colour, and
 * every worker runs its flights of one colour at a time, together, with no lock that can wait —
 * measured on cnr-2000 (2 threads, dynamic PageRank): 5× the updates per second and half the
 * wall time (though 2.7× the updates) of the ordered locking above, whose flights queued behind
 * each other's locks in the graph's dense core. The ordered locking stays for full consistency,
 * where a colouring would have to separate vertices at distance 2.
 *
 * Termination is the coordinator's (async-engine.ts): it polls every worker's counters — frames
 * sent and processed, whether it is idle, a count of everything it did — and ends the run when
 * two polls in a row find every worker idle and unchanged and every frame sent processed.
 */
import { GasError } from '../../errors.js';
import type { ProgramContext } from '../program/program.js';
import { colourSharedGraph, sharedEdgePairs, sharedVertices } from './async-colouring.js';
import { extraLockTriples, LockTable, scopeLocks, VertexQueues, type Consistency } from './async-locks.js';
import { RECORD, RecordBatch } from './async-protocol.js';
import { localIdOf } from './local-graph.js';
import type { MeshLinks, PeerInbox } from './mesh.js';
import { createScheduler, type Scheduler } from './schedulers.js';
import type { WorkerRuntime } from './worker-runtime.js';

/**
 * Flights a worker keeps in the air at once. Small on purpose: measured on dynamic PageRank over
 * a 1,500-vertex power-law graph on two workers under edge consistency, 64 flights made 1.3–1.8×
 * the updates of one worker, 1024 made 100–200× (each vertex updated thousands of times, with
 * changes of 1e-4 to 1e-3 again and again, while vertex consistency with 1024 stayed at 1.7×) —
 * not understood yet; colouring, whose updates are fixed, gains throughput from larger windows.
 */
const WINDOW = 64;
/** Vertices launched (or tried) per turn of the loop before it lets the event loop run. */
const BUDGET = 4096;
/**
 * The same under phased flights, whose phases follow each other only as fast as the workers'
 * turns end (each of a phase's four messages waits for its receiver's turn): short turns.
 */
const PHASED_BUDGET = 256;
/** Updates per turn of the loop on a worker that runs alone (a turn lasts a few milliseconds). */
const ALONE_BUDGET = 1 << 15;
/** Vertices taken from the scheduler but not yet runnable (locks held, in flight, window full) kept at most. */
const DEFER_CAP = 4096;

export interface AsyncRunSettings {
  readonly scheduler: string;
  readonly minPriority: number;
  /** A worker stops launching at this many updates of its own (the coordinator ends the run at this many in all). */
  readonly maxUpdates: number;
  readonly consistency: Consistency;
  /** Record every update's pieces on this worker (the consistency checker). */
  readonly trace: boolean;
}

/** What a worker launches: from its scheduler, a sweep over its masters, or nothing (the run is draining). */
export type AsyncMode = 'schedule' | 'sweep' | 'drain';

export interface AsyncPoll {
  readonly updates: number;
  /** Nothing to launch in the current mode, nothing in flight, no lock held or awaited here. */
  readonly idle: boolean;
  /** Turns of the loop that did something, so far. */
  readonly activity: number;
  /** Frames sent to peers and frames from peers processed, so far. */
  readonly sent: number;
  readonly processed: number;
  /** Bytes and frames sent to each peer so far. */
  readonly linkBytes: readonly number[];
  readonly linkMessages: readonly number[];
}

export interface AsyncWorkerStats {
  readonly updates: number;
  /** Updates that ran as flights (their vertex's scope spans workers). */
  readonly flights: number;
  /** Lock sets taken on this worker (for its own flights and its peers'). */
  readonly lockSets: number;
  /** Lock sets that had to wait (on this worker), and their total wait. */
  readonly lockWaits: number;
  readonly lockWaitMs: number;
  /** Vertices taken from the scheduler that could not run at once (locks held, already in flight, window full). */
  readonly deferrals: number;
  readonly linkBytes: readonly number[];
  readonly linkMessages: readonly number[];
}

interface Flight {
  readonly v: number;
  readonly gid: number;
  /** Workers holding a mirror of v, ascending. */
  readonly mirrors: readonly number[];
  /** Workers whose locks the flight takes, ascending (none under vertex consistency). */
  readonly targets: readonly number[];
  /** Targets locked so far. */
  next: number;
  /** Gather partials by worker. */
  readonly parts: (Float64Array | null)[];
  /** Replies still awaited (partials, then scatters done). */
  pending: number;
  /** When the master's own piece began (tracing). */
  traceStart: number;
}

interface Waiter {
  /** Arrival order: waiters woken together are tried first come, first served. */
  readonly seq: number;
  readonly gid: number;
  /** The worker whose flight asked (this worker for its own). */
  readonly from: number;
  readonly set: Int32Array;
  readonly gatherNow: boolean;
  readonly since: number;
}

export class AsyncRunner {
  updates = 0;
  /** Time spent in the loop's turns (not waiting for peers). */
  busyMs = 0;
  private mode: AsyncMode = 'schedule';
  private ended = false;
  private readonly scheduler: Scheduler;
  /** Updates of each local vertex (masters). */
  readonly counts: Uint32Array;
  private readonly locks: LockTable;
  private readonly batches: RecordBatch[];
  /** Lock sets held on this worker, by the global id of the vertex whose flight holds them. */
  private readonly heldSets = new Map<number, Int32Array>();
  /** Lock sets waiting, each on the one vertex that was in its way. */
  private readonly waiters: VertexQueues<Waiter>;
  private waitingCount = 0;
  private waiterSeq = 0;
  /** Waiters whose vertex was let go since they were last tried. */
  private ready: Waiter[] = [];
  /**
   * Vertices taken from the scheduler that could not run yet, each waiting for exactly what was
   * in its way, so none is tried again before that changes: a vertex whose neighbourhood was
   * locked is parked on the locked vertex (woken when a lock on it is let go), one already in
   * flight waits for its flight to land (`relaunch`), one that found the window full waits in
   * `overflow` for a free place. Woken ones are tried again in `retry`.
   */
  private readonly parked: VertexQueues<number>;
  private readonly relaunch: Uint8Array;
  private overflow: number[] = [];
  private overflowHead = 0;
  private retry: number[] = [];
  private deferredCount = 0;
  /** 1 for deferred vertices (a vertex signalled again while deferred is not deferred twice: the signals merge). */
  private readonly isDeferred: Uint8Array;
  private readonly flights = new Map<number, Flight>();
  private readonly inFlight: Uint8Array;
  private readonly masters: Uint32Array;
  private sweepCursor = 0;
  /** Masters whose update is a flight. */
  private readonly isFlight: Uint8Array;
  /** Mirrors' workers of each master that has some. */
  private readonly mirrorsOf = new Map<number, number[]>();
  /** Each vertex's lock set on this worker, by global id, built at its first flight (scopes never change during a run). */
  private readonly lockSetCache = new Map<number, Int32Array>();
  /** Each flying master's lock targets (workers, ascending), built at its first flight. */
  private readonly targetsCache = new Map<number, readonly number[]>();
  /** Full consistency: global ids to write-lock on other workers, by vertex, then worker. */
  private readonly extras = new Map<number, Map<number, number[]>>();
  private readonly ctx: ProgramContext;
  /**
   * Phased flights (edge consistency on several workers): the colour of each shared master
   * (async-colouring.ts), flights waiting for their colour's phase, and the phase's state.
   */
  private readonly phased: boolean;
  private readonly colourOf: Int32Array;
  /** Whether the colours are known (worker 0 sends them as the loop begins). */
  private coloured = false;
  private numColours = 1;
  private pendingByColour: number[][] = [];
  private readonly isPending: Uint8Array;
  private pendingCount = 0;
  /** The phase running, or (not `running`) the next one, whose colour is being voted on. */
  private phase = 0;
  private running = false;
  private phaseColour = -1;
  /** The round of votes being gathered while no phase runs (round 0 travels with PEND), and this worker's last. */
  private voteRound = 1;
  private votedRound = 0;
  /** Votes by round (for `phase`), by worker; NaN until heard. */
  private readonly votes = new Map<number, Float64Array>();
  /** The running phase: own flights not yet committed, PGATHERs each peer sent (−1 until its PGATHER_END), their commits seen. */
  private ownLeft = 0;
  private commitsExpected: Int32Array;
  private commitsSeen: Int32Array;
  private readonly gathersFrom: Int32Array;
  private readonly gathersTo: Int32Array;
  private endSent = false;
  /**
   * The vertices the phase locked here (own flights' and peers'), all let go when it ends: a piece
   * of an update may still run on another worker after this one's, and the locks here must keep
   * this worker's unshared neighbours from running until every piece has.
   */
  private phaseLocks: number[] = [];
  private ownVote = 0;
  /** PEND votes heard in the running phase, by worker (NaN until heard). */
  private readonly ends: Float64Array;
  /** Per peer: records not to be handled before this worker reaches the phase they belong to. */
  private readonly held: Float64Array[][];
  /** Frames from peers that came while the colours were being exchanged, handled first by the loop. */
  private stash: { from: number; message: Float64Array }[] = [];
  /** Programs with messages: the masters' inboxes (the runtime's), and the magnitude at which a send signals. */
  private readonly messageInbox: Float64Array | null;
  private readonly messageThreshold: number;
  /** Mirrors whose inbox holds what local updates sent them since the last flush. */
  private mirrorsSentTo: number[] = [];
  private readonly self: number;
  /** The only worker of the run, not tracing: `launchAlone`. */
  private readonly alone: boolean;
  private readonly consistency: Consistency;
  private readonly hasGather: boolean;
  private readonly values: Float64Array;
  // Counters for the coordinator's polls and the run's figures.
  private activity = 0;
  private sent = 0;
  private processed = 0;
  private flightCount = 0;
  private lockSets = 0;
  private lockWaits = 0;
  private lockWaitMs = 0;
  private deferrals = 0;
  private readonly linkBytes: number[];
  private readonly linkMessages: number[];
  /** Tracing: `[gid, k, start ns, end ns]` per piece of an update run here (the k-th update of gid). */
  private readonly trace: number[] | null;
  private readonly traceStarts = new Map<number, number>();
  private readonly commits: Uint32Array | null;

  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly links: MeshLinks,
    private readonly inbox: PeerInbox,
    private readonly settings: AsyncRunSettings,
  ) {
    const { graph, plan, program } = runtime;
    const n = graph.numVertices;
    this.self = plan.worker;
    this.alone = plan.numWorkers === 1 && !settings.trace;
    this.consistency = settings.consistency;
    this.hasGather = program.gather !== undefined || program.gatherInto !== undefined || program.collect === true;
    this.phased = settings.consistency === 'edge' && plan.numWorkers > 1;
    this.scheduler = createScheduler(settings.scheduler, n, settings.minPriority, { holdPasses: this.phased });
    this.counts = new Uint32Array(n);
    this.locks = new LockTable(n);
    this.inFlight = new Uint8Array(n);
    this.isDeferred = new Uint8Array(n);
    this.parked = new VertexQueues(n);
    this.relaunch = new Uint8Array(n);
    this.waiters = new VertexQueues(n);
    this.isFlight = new Uint8Array(n);
    this.batches = Array.from({ length: plan.numWorkers }, () => new RecordBatch());
    this.linkBytes = new Array<number>(plan.numWorkers).fill(0);
    this.linkMessages = new Array<number>(plan.numWorkers).fill(0);
    this.values = new Float64Array(runtime.valueWidth);
    this.isPending = new Uint8Array(this.phased ? n : 0);
    this.colourOf = new Int32Array(this.phased ? n : 0);
    this.commitsExpected = new Int32Array(plan.numWorkers);
    this.commitsSeen = new Int32Array(plan.numWorkers);
    this.gathersFrom = new Int32Array(plan.numWorkers);
    this.gathersTo = new Int32Array(plan.numWorkers);
    this.ends = new Float64Array(plan.numWorkers);
    this.held = Array.from({ length: plan.numWorkers }, () => []);
    this.messageInbox = runtime.messageInbox;
    this.messageThreshold = runtime.messageThreshold;
    this.trace = settings.trace ? [] : null;
    this.commits = settings.trace ? new Uint32Array(n) : null;
    const masters: number[] = [];
    for (let v = 0; v < n; v++) if (plan.isMaster[v] === 1) masters.push(v);
    this.masters = Uint32Array.from(masters);
    plan.mastersByMirror.forEach((list, peer) => {
      for (const v of list) {
        const mirrors = this.mirrorsOf.get(v);
        if (mirrors) mirrors.push(peer);
        else this.mirrorsOf.set(v, [peer]);
        this.isFlight[v] = 1;
      }
    });
    const gid = graph.gid;
    const { masterWorker, isMaster } = plan;
    const scheduler = this.scheduler;
    const batches = this.batches;
    const { messageInbox, messageThreshold } = runtime;
    this.ctx = runtime.asyncContext(
      (local, priority) => {
        if (isMaster[local] === 1) scheduler.signal(local, priority);
        else batches[masterWorker[local]!]!.push3(RECORD.SIGNAL, gid[local]!, priority);
      },
      messageInbox &&
        (this.alone
          ? // One worker: every vertex is a master here; `receive` written out, as this runs once per
            // edge of every update that sends (one worker, cnr-2000: 589 → 548 ms against the general closure).
            (local, value) => {
              const magnitude = Math.abs((messageInbox[local]! += value));
              if (magnitude >= messageThreshold) scheduler.signal(local, magnitude);
            }
          : (local, value) => {
              if (isMaster[local] === 1) this.receive(local, value);
              else {
                // A mirror's inbox sums what it is sent until the turn's flush passes it on to the master.
                if (messageInbox![local] === 0) this.mirrorsSentTo.push(local);
                messageInbox![local]! += value;
              }
            }),
    );
    // What init signalled: masters only (a mirror's signal stands for its master's, which its own worker schedules).
    runtime.takeInitialSignals((v, priority) => {
      if (isMaster[v] === 1) scheduler.signal(v, priority);
    });
  }

  /**
   * Full consistency: every worker tells each vertex's master which of its neighbours' masters
   * the vertex's flights must write-lock (one frame to every peer, before any worker's loop runs).
   */
  async exchangeExtraLocks(): Promise<void> {
    const { graph, plan } = this.runtime;
    const triples = extraLockTriples(graph, plan);
    for (let peer = 0; peer < plan.numWorkers; peer++) {
      if (peer !== this.self) this.links.send(peer, { kind: 'async', step: 0, message: Float64Array.from(triples[peer]!) });
    }
    this.addExtraLocks(triples[this.self]!);
    for (let heard = 0; heard < plan.numWorkers - 1;) {
      const frames = this.inbox.takeStream();
      for (const frame of frames) this.addExtraLocks(frame.message);
      heard += frames.length;
      if (heard < plan.numWorkers - 1) await this.inbox.streamReady();
    }
  }

  private addExtraLocks(triples: ArrayLike<number>): void {
    const { graph } = this.runtime;
    for (let i = 0; i < triples.length; i += 3) {
      const v = localIdOf(graph, triples[i]!);
      const worker = triples[i + 1]!;
      const target = triples[i + 2]!;
      let byWorker = this.extras.get(v);
      if (!byWorker) this.extras.set(v, (byWorker = new Map()));
      const list = byWorker.get(worker);
      if (!list) byWorker.set(worker, [target]);
      else if (!list.includes(target)) list.push(target);
      this.isFlight[v] = 1;
    }
  }

  setMode(mode: AsyncMode): void {
    this.mode = mode;
    if (mode === 'sweep') this.sweepCursor = 0;
    this.inbox.poke();
  }

  end(): void {
    this.ended = true;
    this.inbox.poke();
  }

  poll(): AsyncPoll {
    return {
      updates: this.updates,
      idle: this.idle(),
      activity: this.activity,
      sent: this.sent,
      processed: this.processed,
      linkBytes: [...this.linkBytes],
      linkMessages: [...this.linkMessages],
    };
  }

  stats(): AsyncWorkerStats {
    return {
      updates: this.updates,
      flights: this.flightCount,
      lockSets: this.lockSets,
      lockWaits: this.lockWaits,
      lockWaitMs: this.lockWaitMs,
      deferrals: this.deferrals,
      linkBytes: [...this.linkBytes],
      linkMessages: [...this.linkMessages],
    };
  }

  /** The pieces recorded, `[gid, k, start ns, end ns]` flat; null when not tracing. */
  tracePieces(): Float64Array | null {
    return this.trace ? Float64Array.from(this.trace) : null;
  }

  /** The loop, until `end`. */
  async run(): Promise<void> {
    if (this.phased) await this.exchangeColours();
    while (!this.ended) {
      const started = performance.now();
      let progress = false;
      const frames = this.stash.length > 0 ? [...this.stash.splice(0), ...this.inbox.takeStream()] : this.inbox.takeStream();
      for (const { from, message } of frames) {
        this.handle(from, message);
        this.processed++;
      }
      if (frames.length > 0) progress = true;
      if (this.phased) while (this.replayHeld()) progress = true;
      if (this.ready.length > 0 && this.retryWaiters()) progress = true;
      if (this.launch() > 0) progress = true;
      if (this.phased) {
        this.wakeIfPending();
        while (this.replayHeld()) progress = true;
      }
      if (this.flush()) progress = true;
      this.busyMs += performance.now() - started;
      if (progress || this.ready.length > 0 || (this.retry.length > 0 && this.mode !== 'drain')) {
        this.activity++;
        await yieldToEventLoop();
      } else await this.inbox.streamReady();
    }
  }

  private idle(): boolean {
    if (this.phased && (!this.coloured || this.running || this.votedRound === this.voteRound || this.held.some((list) => list.length > 0))) return false;
    return this.flights.size === 0 && this.waitingCount === 0 && this.heldSets.size === 0 && !this.launchable();
  }

  private launchable(): boolean {
    if (this.mode === 'drain' || this.updates >= this.settings.maxUpdates) return false;
    if (this.deferredCount > 0 || this.pendingCount > 0) return true;
    return this.mode === 'sweep' ? this.sweepCursor < this.masters.length : this.scheduler.size > 0;
  }

  // ---- Launching ---------------------------------------------------------------------------

  private launch(): number {
    if (this.mode === 'drain') return 0;
    if (this.alone) return this.launchAlone();
    let launched = 0;
    const { maxUpdates } = this.settings;
    if (this.updates >= maxUpdates) return 0;
    // Places freed in the window go to the vertices that found it full, first come first served.
    while (this.overflowHead < this.overflow.length && this.flights.size + this.retry.length < WINDOW) this.retry.push(this.overflow[this.overflowHead++]!);
    if (this.overflowHead === this.overflow.length && this.overflowHead > 0) {
      this.overflow = [];
      this.overflowHead = 0;
    }
    if (this.retry.length > 0) {
      const woken = this.retry;
      this.retry = [];
      for (const v of woken) {
        this.deferredCount--;
        this.isDeferred[v] = 0;
        if (this.updates < maxUpdates) {
          if (this.tryLaunch(v)) launched++;
        } else this.defer(v, -2);
      }
    }
    const budget = this.phased ? PHASED_BUDGET : BUDGET;
    while (launched < budget && this.updates < maxUpdates && this.deferredCount < DEFER_CAP) {
      const v = this.nextToLaunch();
      if (v < 0) break;
      if (this.isDeferred[v] === 1) continue;
      if (this.tryLaunch(v)) launched++;
      else this.deferrals++;
    }
    return launched;
  }

  /**
   * One worker, not tracing: no flight, no lock, nothing deferred — each vertex the scheduler
   * (or the sweep) hands out runs at once, in a loop as tight as the one-worker engine's was
   * (measured: the general path's checks cost 40% on dynamic PageRank over cnr-2000).
   */
  private launchAlone(): number {
    const { runtime, ctx, counts } = this;
    const limit = Math.min(ALONE_BUDGET, this.settings.maxUpdates - this.updates);
    let launched = 0;
    while (launched < limit) {
      const v = this.nextToLaunch();
      if (v < 0) break;
      runtime.updateVertex(v, ctx);
      counts[v]!++;
      launched++;
    }
    this.updates += launched;
    return launched;
  }

  /** The next vertex the mode hands out — the sweep's next master, or the scheduler's pick — or −1. */
  private nextToLaunch(): number {
    // A sweep's pass ends by waiting for the flights it made pending to have run (holdPasses).
    if (this.scheduler.held && this.pendingCount === 0 && this.flights.size === 0) this.scheduler.resumePass!();
    if (this.mode !== 'sweep') return this.scheduler.next();
    return this.sweepCursor < this.masters.length ? this.masters[this.sweepCursor++]! : -1;
  }

  /** Runs v now or starts its flight; if it cannot yet, defers it until what is in its way changes and returns false. */
  private tryLaunch(v: number): boolean {
    if (this.inFlight[v] === 1) return this.defer(v, -1);
    if (this.phased && this.isFlight[v] === 1) {
      this.addPending(v);
      return true;
    }
    if (this.isFlight[v] === 0) {
      if (this.consistency !== 'vertex') {
        const blocker = this.locks.scopeConflict(this.runtime.graph, v, this.consistency === 'full');
        if (blocker >= 0) return this.defer(v, blocker);
      }
      this.runLocal(v);
      return true;
    }
    if (this.flights.size >= WINDOW) return this.defer(v, -2);
    this.startFlight(v);
    return true;
  }

  /** Defers v: parked on vertex `on` (≥ 0), until its flight lands (−1), or until the window has room (−2). Returns false. */
  private defer(v: number, on: number): false {
    this.isDeferred[v] = 1;
    this.deferredCount++;
    if (on === -1) this.relaunch[v] = 1;
    else if (on === -2) this.overflow.push(v);
    else this.parked.add(on, v);
    return false;
  }

  /** A vertex whose whole scope is here: its update at once. */
  private runLocal(v: number): void {
    const trace = this.trace;
    const start = trace ? now() : 0;
    this.runtime.updateVertex(v, this.ctx);
    this.counts[v]!++;
    this.updates++;
    if (trace) trace.push(this.runtime.graph.gid[v]!, this.counts[v]!, start, now());
  }

  // ---- Flights: the master's side --------------------------------------------------------------

  private startFlight(v: number): void {
    const gid = this.runtime.graph.gid[v]!;
    const mirrors = this.mirrorsOf.get(v) ?? [];
    let targets = this.targetsCache.get(v);
    if (!targets) {
      targets = this.consistency === 'vertex' ? [] : [...new Set([this.self, ...mirrors, ...(this.extras.get(v)?.keys() ?? [])])].sort((a, b) => a - b);
      this.targetsCache.set(v, targets);
    }
    const flight: Flight = {
      v,
      gid,
      mirrors,
      targets,
      next: 0,
      parts: new Array<Float64Array | null>(this.runtime.plan.numWorkers).fill(null),
      pending: 0,
      traceStart: 0,
    };
    this.inFlight[v] = 1;
    this.flights.set(gid, flight);
    this.flightCount++;
    this.counts[v]!++;
    this.updates++;
    if (this.consistency === 'vertex') this.gatherAll(flight, -1);
    else this.lockNext(flight);
  }

  /** Takes the flight's next lock sets in worker order; all taken: on to gather. */
  private lockNext(flight: Flight): void {
    const { targets } = flight;
    while (flight.next < targets.length) {
      const worker = targets[flight.next]!;
      const extra = this.extras.get(flight.v)?.get(worker) ?? [];
      if (worker === this.self) {
        const set = this.lockSetOf(flight.gid, flight.v, extra);
        if (!this.takeOrWait(flight.gid, this.self, set, false)) return;
        flight.next++;
        continue;
      }
      // The last worker to lock gathers at once: every lock of the flight is then held.
      const gatherNow = flight.next === targets.length - 1 && this.hasGather && flight.mirrors.includes(worker);
      const batch = this.batches[worker]!;
      const at = batch.reserve(4 + extra.length);
      const data = batch.data;
      data[at] = RECORD.LOCK;
      data[at + 1] = flight.gid;
      data[at + 2] = gatherNow ? 1 : 0;
      data[at + 3] = extra.length;
      for (let i = 0; i < extra.length; i++) data[at + 4 + i] = extra[i]!;
      return;
    }
    this.gatherAll(flight, this.gatheredWith(flight));
  }

  /** The worker whose partial came with its lock grant, or −1. */
  private gatheredWith(flight: Flight): number {
    for (let w = 0; w < flight.parts.length; w++) if (flight.parts[w] !== null) return w;
    return -1;
  }

  /** Every replica not yet gathered gathers; the master gathers here. */
  private gatherAll(flight: Flight, gathered: number): void {
    if (this.hasGather) {
      for (const worker of flight.mirrors) {
        if (worker === gathered) continue;
        this.batches[worker]!.push2(RECORD.GATHER, flight.gid);
        flight.pending++;
      }
    }
    flight.traceStart = this.trace ? now() : 0;
    if (this.hasGather) flight.parts[this.self] = this.runtime.gatherVertex(flight.v).slice();
    if (flight.pending === 0) this.applyAndScatter(flight);
  }

  private applyAndScatter(flight: Flight): void {
    this.applyAndCommit(flight, RECORD.COMMIT);
    // Every model waits for the mirrors' scatters: the vertex's next update must not begin while
    // this one still runs on a mirror (vertex consistency), nor any conflicting update (edge, full).
    flight.pending = flight.mirrors.length;
    if (flight.pending === 0) this.land(flight);
  }

  /**
   * The master's apply over the partials in `flight.parts`; the new values go to every mirror in a
   * `commit` record (COMMIT, PCOMMIT), and the master scatters over its own edges.
   */
  private applyAndCommit(flight: Flight, commit: number): void {
    const { runtime } = this;
    const parts: Float64Array[] = [];
    for (const part of flight.parts) if (part) parts.push(part);
    runtime.applyVertex(flight.v, runtime.combinePartials(parts), this.ctx);
    if (flight.mirrors.length > 0) {
      const width = this.values.length;
      runtime.writeValues(flight.v, this.values, 0);
      for (const worker of flight.mirrors) {
        const batch = this.batches[worker]!;
        const at = batch.reserve(2 + width);
        const data = batch.data;
        data[at] = commit;
        data[at + 1] = flight.gid;
        data.set(this.values, at + 2);
      }
    }
    runtime.scatterVertex(flight.v, this.ctx);
    if (this.trace) this.trace.push(flight.gid, this.counts[flight.v]!, flight.traceStart, now());
  }

  /** A mirror's piece of a commit at `at` of `m`: v's new values installed, then its scatter here. */
  private installAndScatter(gid: number, m: Float64Array, at: number): void {
    const v = this.localOf(gid);
    const start = this.trace ? (this.traceStarts.get(gid) ?? now()) : 0;
    this.runtime.readValues(v, m, at + 2);
    this.runtime.scatterVertex(v, this.ctx);
    if (this.trace) {
      this.traceStarts.delete(gid);
      this.trace.push(gid, ++this.commits![v]!, start, now());
    }
  }

  /** The flight is over: its lock sets go, here and on every worker it locked. */
  private land(flight: Flight): void {
    for (const worker of flight.targets) {
      if (worker === this.self) this.releaseHere(flight.gid);
      else this.batches[worker]!.push2(RECORD.RELEASE, flight.gid);
    }
    this.settle(flight);
  }

  /** The flight's vertex may run again: a signal that came while it flew launches it anew. */
  private settle(flight: Flight): void {
    this.flights.delete(flight.gid);
    this.inFlight[flight.v] = 0;
    if (this.relaunch[flight.v] === 1) {
      this.relaunch[flight.v] = 0;
      this.retry.push(flight.v);
    }
  }

  // ---- Locks on this worker --------------------------------------------------------------------

  private takeOrWait(gid: number, from: number, set: Int32Array, gatherNow: boolean): boolean {
    const blocker = this.locks.conflictOf(set);
    if (blocker < 0) {
      this.locks.take(set);
      this.heldSets.set(gid, set);
      this.lockSets++;
      return true;
    }
    this.lockWaits++;
    this.waitingCount++;
    this.waiters.add(blocker, { seq: this.waiterSeq++, gid, from, set, gatherNow, since: performance.now() });
    return false;
  }

  private releaseHere(gid: number): void {
    const set = this.heldSets.get(gid);
    if (!set) throw new GasError('GAS_ERR_INTERNAL', `async: no locks held for vertex ${gid} on worker ${this.self}`);
    this.locks.release(set);
    this.heldSets.delete(gid);
    // What waited on any vertex of the set is tried again.
    this.waiters.wake(set, this.ready);
    this.parked.wake(set, this.retry);
  }

  /**
   * Woken waiters whose lock sets are free now take them, first come first served; the others
   * wait on their next obstacle. Returns whether any took its set.
   */
  private retryWaiters(): boolean {
    const woken = this.ready.sort((a, b) => a.seq - b.seq);
    this.ready = [];
    const granted: Waiter[] = [];
    for (const waiter of woken) {
      const blocker = this.locks.conflictOf(waiter.set);
      if (blocker >= 0) {
        this.waiters.add(blocker, waiter);
        continue;
      }
      this.locks.take(waiter.set);
      this.heldSets.set(waiter.gid, waiter.set);
      this.lockSets++;
      this.waitingCount--;
      this.lockWaitMs += performance.now() - waiter.since;
      granted.push(waiter);
    }
    for (const waiter of granted) {
      if (waiter.from === this.self) {
        const flight = this.flights.get(waiter.gid)!;
        flight.next++;
        this.lockNext(flight);
      } else this.grant(waiter.from, waiter.gid, waiter.gatherNow);
    }
    return granted.length > 0;
  }

  private grant(to: number, gid: number, gatherNow: boolean): void {
    const batch = this.batches[to]!;
    if (!gatherNow) {
      batch.push3(RECORD.GRANT, gid, -1);
      return;
    }
    const v = this.localOf(gid);
    if (this.trace) this.traceStarts.set(gid, now());
    batch.pushValues(RECORD.GRANT, gid, this.runtime.gatherVertex(v));
  }

  /**
   * A mirror's gather for gid's flight (local id v), sent back to its master as a `reply` record
   * (PARTIAL, PPARTIAL; no values for a program without gather); the mirror's piece of the
   * update begins here (tracing).
   */
  private replyPartial(to: number, reply: number, gid: number, v: number): void {
    if (this.trace) this.traceStarts.set(gid, now());
    this.batches[to]!.pushValues(reply, gid, this.hasGather ? this.runtime.gatherVertex(v) : EMPTY);
  }

  /** A message for master v: into its inbox; v is scheduled, by the inbox's magnitude, once that reaches the threshold. */
  private receive(v: number, value: number): void {
    const inbox = this.messageInbox!;
    const magnitude = Math.abs((inbox[v]! += value));
    if (magnitude >= this.messageThreshold) this.scheduler.signal(v, magnitude);
  }

  // ---- Phased flights (edge consistency on several workers) ----------------------------------
  //
  // Shared vertices are coloured so that no two of one colour are adjacent (async-colouring.ts).
  // Their updates wait for their colour's *phase*, in which every worker runs its pending flights
  // of that colour together: a flight's master locks its vertex here and sends PGATHER to its
  // mirrors (each locks it and replies with its partial), applies when every partial is in, sends
  // PCOMMIT (each mirror installs and scatters) and scatters here. Flights of one colour never
  // touch each other's vertex, so they need no lock between them: a write lock on the flight's
  // vertex (takePhaseLocks) only holds back the unshared neighbours, which run between phases at
  // once, under local locks.
  //
  // A worker ends its part of phase q (PEND) once its own flights have committed and every
  // peer's commits of q have been handled here (it knows how many from the peer's PGATHER_END),
  // so a worker that has heard PEND(q) from every peer knows that every piece of every update of
  // q has ended on every worker: it lets go of the phase's locks and starts q + 1, and no update
  // of q + 1 overlaps one of q. PEND carries a vote: how far, in colours, the sender's nearest
  // pending flight lies; all workers hear the same votes and take the same next colour, skipping
  // colours nobody waits for. When nobody waits, the workers sleep; one that has flights again
  // votes (PVOTE), which wakes the others to vote too, round after round, until a round finds a
  // colour.
  //
  // An update's pieces must all run while its vertex is locked on every replica (what the checker
  // sees): a mirror gathers as it locks, and the master gathers, applies and scatters once every
  // partial is in. A flight with one mirror therefore needs one round trip before its apply
  // (PGATHER, PPARTIAL); one with several first has every mirror lock (PLOCK, PLOCKED), then
  // gather (PGATHER_NOW, PPARTIAL), since one mirror's gather must not begin while another has
  // not locked yet. On two workers every flight has one mirror: a phase is then four messages in a
  // row (PGATHER, PPARTIAL, PCOMMIT, PEND) for all of its flights at once, against five per
  // flight, each waiting for its locks, in the ordered locking above.

  /**
   * Worker 0 colours the shared vertices from every worker's shared edges and tells everyone;
   * frames from peers already past this (their loops started) wait in `stash`.
   */
  private async exchangeColours(): Promise<void> {
    const { graph, plan } = this.runtime;
    const shared = sharedVertices(plan);
    const pairs = sharedEdgePairs(graph, shared);
    let colours: Float64Array;
    const frameFrom = async (accept: (from: number) => boolean): Promise<{ from: number; message: Float64Array }> => {
      for (;;) {
        this.stash.push(...this.inbox.takeStream());
        const index = this.stash.findIndex((frame) => accept(frame.from));
        if (index >= 0) return this.stash.splice(index, 1)[0]!;
        await this.inbox.streamReady();
      }
    };
    if (this.self === 0) {
      const lists: Float64Array[] = [pairs];
      const heard = new Set<number>();
      while (heard.size < plan.numWorkers - 1) {
        const frame = await frameFrom((from) => !heard.has(from));
        heard.add(frame.from);
        lists.push(frame.message);
      }
      const coloured = colourSharedGraph(lists);
      colours = new Float64Array(coloured.colours.length + 1);
      colours[0] = coloured.numColours;
      colours.set(coloured.colours, 1);
      // A copy each: a frame's array may be moved to the peer's thread.
      for (let peer = 1; peer < plan.numWorkers; peer++) this.links.send(peer, { kind: 'async', step: 0, message: colours.slice() });
    } else {
      this.links.send(0, { kind: 'async', step: 0, message: pairs });
      colours = (await frameFrom((from) => from === 0)).message;
    }
    this.numColours = Math.max(1, colours[0]!);
    const colourOf = this.colourOf;
    for (let i = 1; i < colours.length; i += 2) {
      const v = localIdOf(graph, colours[i]!);
      if (v >= 0) colourOf[v] = colours[i + 1]!;
    }
    this.coloured = true;
    this.pendingByColour = Array.from({ length: this.numColours }, () => []);
    this.phaseColour = this.numColours - 1;
  }

  /** A flight that waits for its colour's phase (a vertex signalled again while waiting waits once). */
  private addPending(v: number): void {
    if (this.isPending[v] === 1) return;
    this.isPending[v] = 1;
    this.pendingCount++;
    this.pendingByColour[this.colourOf[v]!]!.push(v);
  }

  /** How many colours past the last phase's this worker's nearest pending flight lies (0: none it may launch). */
  private vote(): number {
    if (this.pendingCount === 0 || this.mode === 'drain' || this.updates >= this.settings.maxUpdates) return 0;
    const k = this.numColours;
    for (let d = 1; d <= k; d++) if (this.pendingByColour[(this.phaseColour + d) % k]!.length > 0) return d;
    return 0;
  }

  private startPhase(colour: number): void {
    this.running = true;
    this.phaseColour = colour;
    this.endSent = false;
    this.ends.fill(NaN);
    this.commitsExpected.fill(-1);
    this.commitsSeen.fill(0);
    this.gathersFrom.fill(0);
    this.gathersTo.fill(0);
    this.ownLeft = 0;
    const launch = this.mode !== 'drain';
    const list = launch ? this.pendingByColour[colour]! : [];
    if (launch) this.pendingByColour[colour] = [];
    for (const v of list) {
      this.isPending[v] = 0;
      this.pendingCount--;
      if (this.updates < this.settings.maxUpdates) this.startPhasedFlight(v);
    }
    for (let peer = 0; peer < this.gathersTo.length; peer++) {
      if (peer !== this.self) this.batches[peer]!.push3(RECORD.PGATHER_END, this.phase, this.gathersTo[peer]!);
    }
    this.maybeEndPhase();
    this.activity++;
  }

  private startPhasedFlight(v: number): void {
    const gid = this.runtime.graph.gid[v]!;
    const mirrors = this.mirrorsOf.get(v) ?? [];
    const flight: Flight = {
      v,
      gid,
      mirrors,
      targets: [],
      next: 0,
      parts: new Array<Float64Array | null>(this.runtime.plan.numWorkers).fill(null),
      pending: mirrors.length,
      traceStart: 0,
    };
    this.inFlight[v] = 1;
    this.flights.set(gid, flight);
    this.flightCount++;
    this.counts[v]!++;
    this.updates++;
    this.ownLeft++;
    this.takePhaseLocks(gid, v);
    for (const worker of mirrors) {
      this.batches[worker]!.push3(mirrors.length > 1 ? RECORD.PLOCK : RECORD.PGATHER, this.phase, gid);
      this.gathersTo[worker]!++;
    }
    if (flight.pending === 0) this.applyPhased(flight);
  }

  /**
   * v locked here for the phase. A write lock on v alone is enough: the phase's other flights are
   * not adjacent to v (no lock between them is needed at all), and an unshared neighbour's update
   * reads v, so it finds v in its way — an O(1) lock, where a lock set costs v's degree to take,
   * check, let go and wake.
   */
  private takePhaseLocks(gid: number, v: number): void {
    if (this.locks.isLocked(v)) {
      throw new GasError('GAS_ERR_INTERNAL', `async: vertex ${gid} is locked on worker ${this.self} as its phase begins`);
    }
    this.locks.mark(v);
    this.lockSets++;
    this.phaseLocks.push(v);
  }

  /** Every lock held, every mirror's partial in: the master gathers here, applies, commits to the mirrors, scatters here. */
  private applyPhased(flight: Flight): void {
    const { runtime } = this;
    if (this.trace) flight.traceStart = now();
    if (this.hasGather) flight.parts[this.self] = runtime.gatherVertex(flight.v).slice();
    this.applyAndCommit(flight, RECORD.PCOMMIT);
    this.settle(flight);
    this.ownLeft--;
    this.maybeEndPhase();
  }

  /** This worker's part of the phase is over (own flights committed, every peer's commits handled): PEND with its vote. */
  private maybeEndPhase(): void {
    if (!this.running || this.endSent || this.ownLeft > 0) return;
    for (let peer = 0; peer < this.commitsExpected.length; peer++) {
      if (peer !== this.self && this.commitsExpected[peer] !== this.commitsSeen[peer]) return;
    }
    this.endSent = true;
    this.ownVote = this.vote();
    for (let peer = 0; peer < this.ends.length; peer++) if (peer !== this.self) this.batches[peer]!.push3(RECORD.PEND, this.phase, this.ownVote);
    this.maybeAdvance();
  }

  private maybeAdvance(): void {
    if (!this.running || !this.endSent) return;
    let nearest = this.ownVote;
    for (let peer = 0; peer < this.ends.length; peer++) {
      if (peer === this.self) continue;
      const vote = this.ends[peer]!;
      if (Number.isNaN(vote)) return;
      if (vote > 0 && (nearest === 0 || vote < nearest)) nearest = vote;
    }
    // Every piece of every update of the phase has ended, on every worker: its locks go.
    for (const v of this.phaseLocks) {
      this.locks.unmark(v);
      this.parked.wakeOne(v, this.retry);
    }
    this.phaseLocks = [];
    this.running = false;
    this.phase++;
    this.votes.clear();
    this.voteRound = 1;
    this.votedRound = 0;
    if (nearest > 0) this.startPhase((this.phaseColour + nearest) % this.numColours);
  }

  /** Asleep (no phase runs): vote in the current round if this worker has flights to run or a peer voted in it. */
  private wakeIfPending(): void {
    if (this.running || !this.coloured || this.votedRound === this.voteRound) return;
    const round = this.votes.get(this.voteRound);
    const peerVoted = round !== undefined && round.some((vote, worker) => worker !== this.self && !Number.isNaN(vote));
    const own = this.vote();
    if (own === 0 && !peerVoted) return;
    this.votedRound = this.voteRound;
    this.recordVote(this.voteRound, this.self, own);
    for (let peer = 0; peer < this.ends.length; peer++) {
      if (peer !== this.self) this.batches[peer]!.pushValues(RECORD.PVOTE, this.phase, [this.voteRound, own]);
    }
    this.maybeDecide();
  }

  private recordVote(round: number, worker: number, vote: number): void {
    let votes = this.votes.get(round);
    if (!votes) this.votes.set(round, (votes = new Float64Array(this.ends.length).fill(NaN)));
    votes[worker] = vote;
  }

  /** Every worker voted in the current round: the phase starts with the nearest colour, or the next round waits. */
  private maybeDecide(): void {
    const votes = this.votes.get(this.voteRound);
    if (this.running || !votes || votes.some(Number.isNaN)) return;
    let nearest = 0;
    for (const vote of votes) if (vote > 0 && (nearest === 0 || vote < nearest)) nearest = vote;
    this.votes.delete(this.voteRound);
    this.voteRound++;
    if (nearest > 0) this.startPhase((this.phaseColour + nearest) % this.numColours);
    else this.wakeIfPending();
  }

  /** A phased record at `at`: handled, returning where the next begins, or −1 if it must wait for a later phase. */
  private handlePhased(from: number, m: Float64Array, at: number): number {
    const type = m[at]!;
    switch (type) {
      case RECORD.PGATHER: {
        if (!this.inPhase(m[at + 1]!)) return -1;
        const gid = m[at + 2]!;
        const v = this.localOf(gid);
        this.takePhaseLocks(gid, v);
        this.gathersFrom[from]!++;
        this.replyPartial(from, RECORD.PPARTIAL, gid, v);
        return at + 3;
      }
      case RECORD.PLOCK: {
        if (!this.inPhase(m[at + 1]!)) return -1;
        const gid = m[at + 2]!;
        this.takePhaseLocks(gid, this.localOf(gid));
        this.gathersFrom[from]!++;
        this.batches[from]!.push2(RECORD.PLOCKED, gid);
        return at + 3;
      }
      case RECORD.PLOCKED: {
        const flight = this.flightOf(m[at + 1]!);
        if (--flight.pending === 0) {
          flight.pending = flight.mirrors.length;
          for (const worker of flight.mirrors) this.batches[worker]!.push2(RECORD.PGATHER_NOW, flight.gid);
        }
        return at + 2;
      }
      case RECORD.PGATHER_NOW: {
        const gid = m[at + 1]!;
        this.replyPartial(from, RECORD.PPARTIAL, gid, this.localOf(gid));
        return at + 2;
      }
      case RECORD.PGATHER_END: {
        if (!this.inPhase(m[at + 1]!)) return -1;
        const count = m[at + 2]!;
        if (count !== this.gathersFrom[from]) {
          throw new GasError('GAS_ERR_INTERNAL', `async: worker ${from} says it sent ${count} flights of phase ${this.phase}, ${this.gathersFrom[from]} came`);
        }
        this.commitsExpected[from] = count;
        this.maybeEndPhase();
        return at + 3;
      }
      case RECORD.PPARTIAL: {
        const gid = m[at + 1]!;
        const count = m[at + 2]!;
        const flight = this.flightOf(gid);
        flight.parts[from] = m.slice(at + 3, at + 3 + count);
        if (--flight.pending === 0) this.applyPhased(flight);
        return at + 3 + count;
      }
      case RECORD.PCOMMIT: {
        this.installAndScatter(m[at + 1]!, m, at);
        this.commitsSeen[from]!++;
        this.maybeEndPhase();
        return at + 2 + this.values.length;
      }
      case RECORD.PEND: {
        if (!this.inPhase(m[at + 1]!)) return -1;
        this.ends[from] = m[at + 2]!;
        this.maybeAdvance();
        return at + 3;
      }
      case RECORD.PVOTE: {
        // Votes are for the phase this worker has yet to start.
        if (this.running || m[at + 1] !== this.phase) return -1;
        const round = m[at + 3]!;
        this.recordVote(round, from, m[at + 4]!);
        this.wakeIfPending();
        this.maybeDecide();
        return at + 5;
      }
      default:
        throw new GasError('GAS_ERR_WORKER', `async: worker ${from} sent an unknown record type ${type}`);
    }
  }

  private inPhase(phase: number): boolean {
    return this.running && phase === this.phase;
  }

  /** Records held for a later phase, handled again now that this worker may have reached it; returns whether any were. */
  private replayHeld(): boolean {
    const size = (): number => this.held.reduce((total, list) => total + list.reduce((sum, frame) => sum + frame.length, 0), 0);
    const before = size();
    if (before === 0) return false;
    this.held.forEach((list, peer) => {
      for (const frame of list.splice(0)) this.handle(peer, frame);
    });
    return size() < before;
  }

  /** One MESSAGE per mirror sent to since the last flush, with the sum, to its master; the mirrors' inboxes empty again. */
  private passMessagesOn(): void {
    const inbox = this.messageInbox!;
    const { gid } = this.runtime.graph;
    const { masterWorker } = this.runtime.plan;
    for (const v of this.mirrorsSentTo) {
      const sum = inbox[v]!;
      inbox[v] = 0;
      // A sum that came back to exactly 0 has nothing to deliver (and 0 marks an empty inbox).
      if (sum !== 0) this.batches[masterWorker[v]!]!.push3(RECORD.MESSAGE, gid[v]!, sum);
    }
    this.mirrorsSentTo = [];
  }

  // ---- Records from peers ---------------------------------------------------------------------

  private handle(from: number, m: Float64Array): void {
    // A peer's records stay in order: once some wait for a phase, the ones after them wait too.
    if (this.held[from]!.length > 0) {
      this.held[from]!.push(m);
      return;
    }
    for (let at = 0; at < m.length;) {
      const type = m[at]!;
      const gid = m[at + 1]!;
      if (type >= RECORD.PGATHER) {
        const next = this.handlePhased(from, m, at);
        if (next < 0) {
          this.held[from]!.push(m.subarray(at));
          return;
        }
        at = next;
        continue;
      }
      switch (type) {
        case RECORD.SIGNAL:
          this.scheduler.signal(this.localOf(gid), m[at + 2]!);
          at += 3;
          break;
        case RECORD.MESSAGE:
          this.receive(this.localOf(gid), m[at + 2]!);
          at += 3;
          break;
        case RECORD.LOCK: {
          const count = m[at + 3]!;
          const set = this.lockSetOf(gid, localIdOf(this.runtime.graph, gid), m.subarray(at + 4, at + 4 + count));
          const gatherNow = m[at + 2] === 1;
          if (this.takeOrWait(gid, from, set, gatherNow)) this.grant(from, gid, gatherNow);
          at += 4 + count;
          break;
        }
        case RECORD.GRANT: {
          const count = m[at + 2]!;
          const flight = this.flightOf(gid);
          if (count >= 0) flight.parts[from] = m.slice(at + 3, at + 3 + count);
          flight.next++;
          this.lockNext(flight);
          at += 3 + Math.max(0, count);
          break;
        }
        case RECORD.GATHER: {
          this.replyPartial(from, RECORD.PARTIAL, gid, this.localOf(gid));
          at += 2;
          break;
        }
        case RECORD.PARTIAL: {
          const count = m[at + 2]!;
          const flight = this.flightOf(gid);
          flight.parts[from] = m.slice(at + 3, at + 3 + count);
          if (--flight.pending === 0) this.applyAndScatter(flight);
          at += 3 + count;
          break;
        }
        case RECORD.COMMIT: {
          this.installAndScatter(gid, m, at);
          this.batches[from]!.push2(RECORD.DONE, gid);
          at += 2 + this.values.length;
          break;
        }
        case RECORD.DONE: {
          const flight = this.flightOf(gid);
          if (--flight.pending === 0) this.land(flight);
          at += 2;
          break;
        }
        case RECORD.RELEASE:
          this.releaseHere(gid);
          at += 2;
          break;
        default:
          throw new GasError('GAS_ERR_WORKER', `async: worker ${from} sent an unknown record type ${type}`);
      }
    }
  }

  /** The lock set of gid's flights on this worker (v: its local id, −1 if none here; extra: global ids to write-lock here too). */
  private lockSetOf(gid: number, v: number, extra: ArrayLike<number>): Int32Array {
    let set = this.lockSetCache.get(gid);
    if (!set) {
      const extraLocal = Array.from(extra, (id) => this.localOf(id));
      set = scopeLocks(this.runtime.graph, v, this.consistency, extraLocal);
      this.lockSetCache.set(gid, set);
    }
    return set;
  }

  private localOf(gid: number): number {
    const v = localIdOf(this.runtime.graph, gid);
    if (v < 0) throw new GasError('GAS_ERR_INTERNAL', `async: worker ${this.self} holds no replica of vertex ${gid}`);
    return v;
  }

  private flightOf(gid: number): Flight {
    const flight = this.flights.get(gid);
    if (!flight) throw new GasError('GAS_ERR_INTERNAL', `async: a reply for vertex ${gid}, which is not in flight on worker ${this.self}`);
    return flight;
  }

  /** Sends every peer its batch of records, with what its masters were sent here; returns whether any went. */
  private flush(): boolean {
    if (this.mirrorsSentTo.length > 0) this.passMessagesOn();
    let any = false;
    this.batches.forEach((batch, peer) => {
      if (batch.length === 0) return;
      const message = batch.take();
      this.sent++;
      this.linkBytes[peer]! += message.byteLength;
      this.linkMessages[peer]!++;
      this.links.send(peer, { kind: 'async', step: 0, message });
      any = true;
    });
    return any;
  }
}

const EMPTY = new Float64Array(0);

/** Nanoseconds on the machine's monotonic clock: the same clock in every thread and process of a host. */
function now(): number {
  return Number(process.hrtime.bigint());
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
