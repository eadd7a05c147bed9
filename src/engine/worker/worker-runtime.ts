/**
 * One worker's computing side: its local graph, its replicas' state, the four phases of a
 * superstep, and asynchronous updates one vertex at a time (whole, or its gather, apply and
 * scatter separately for a vertex whose edges several workers hold). The runtime never talks
 * to other workers itself: every phase takes the messages addressed to it (`inbox[peer]`) and
 * returns the messages it sends (`outbox[peer]`); its node (worker-node.ts) carries them over the
 * mesh, so the same code runs in-process, on worker threads and in remote processes.
 *
 * Message layouts (positions index the pair's shared-vertex list, see exchange-plan.ts):
 *   flags    master → mirrors  Uint32Array of positions of active vertices
 *   partials mirror → master   Float64Array of totals (see codec.ts: dense, or [position, total…] records)
 *   values   master → mirrors  Float64Array of column values (see codec.ts)
 *   signals  mirror → master   Uint32Array of positions of signaled vertices; for a program with
 *                              `messages`, a Float64Array of (code, inbox) pairs: code = 4·position
 *                              + 1 if signalled + 2 if sent to, inbox the sum sent to the mirror
 */
import type { TypedColumn } from '../../storage/columns.js';
import type { ColumnSpec } from '../../storage/columns.js';
import type { ExchangePlan } from './exchange-plan.js';
import type { LocalGraph } from './local-graph.js';
import { compileAggregateLookup, compileLoops, directionsOf, type CollectBuffer, type CompiledLoops } from './loops.js';
import type { AggregateValues, AnyVertexProgram, ProgramContext } from '../program/program.js';
import { compileCodec, type RecordCodec } from './codec.js';
import { MessageSlots, type MessageKind } from './message-slots.js';
import { allocateState, type LocalDegrees, type ProgramStateRecord } from './state.js';
import { localNeighborLists, packLists, toNeighborSets, unpackLists } from './neighbor-sets.js';

export type Message = Float64Array | Uint32Array | null;

const EMPTY = new Float64Array(0);
export type Mailbox = readonly Message[];

export interface GraphFacts {
  readonly numVertices: number;
  readonly numEdges: number;
  readonly directed: boolean;
}

export class WorkerRuntime {
  readonly graph: LocalGraph;
  readonly plan: ExchangePlan;
  readonly program: AnyVertexProgram;
  readonly facts: GraphFacts;
  readonly state: ProgramStateRecord;
  private neighborLists: { ids: Uint32Array; mult: Uint32Array }[] | null = null;
  /** The vertex columns sent to mirrors after apply (`program.mirrorColumns`). */
  private readonly mirrorSpecs: ColumnSpec[];
  /** Every column the program declared (a checkpoint's contents), vertex columns first. */
  readonly stateSpecs: { readonly vertex: readonly ColumnSpec[]; readonly edge: readonly ColumnSpec[] };
  private readonly valueCodec: RecordCodec;
  private readonly partialCodec: RecordCodec;
  private readonly accumulatorWidth: number;
  private readonly loops: CompiledLoops;
  private readonly aggregatorNames: string[];
  /** Vertices active in the current step (every replica knows). */
  private readonly active: Uint8Array;
  /** Signals raised on this worker since the last activation. */
  private readonly signaled: Uint8Array;
  /** Gather partials, then (on masters) totals. */
  private readonly partial: Float64Array;
  private allActive = true;
  /** Collecting programs: gathered values, and those received from mirrors this step. */
  private readonly collected: CollectBuffer | null;
  private readonly received = new Map<number, Float64Array[]>();
  private readonly context: RuntimeContext;
  /**
   * Programs with `messages`: each replica's inbox, the sum sent to it since its master's last
   * apply (a mirror's is passed on to its master at the end of each scatter), and whether anything
   * was sent to it since the last activation; null otherwise.
   */
  readonly messageInbox: Float64Array | null;
  private readonly sentTo: Uint8Array | null;
  /** The inbox magnitude at which a send signals its receiver (`messages.threshold`). */
  readonly messageThreshold: number;
  /** Aggregator values visible to the program, by aggregator index. */
  private readonly aggregateValues: Float64Array;
  /** Vector aggregator values visible to the program, by name. */
  private readonly aggregateVectors = new Map<string, Float64Array>();

  /** Shared message storage (threads under BSP), or null for a new array per message. */
  private readonly slots: MessageSlots | null;

  constructor(
    graph: LocalGraph,
    plan: ExchangePlan,
    program: AnyVertexProgram,
    degrees: LocalDegrees,
    facts: GraphFacts,
    options: { sharedMessages?: boolean } = {},
  ) {
    this.slots = options.sharedMessages ? new MessageSlots() : null;
    this.graph = graph;
    this.plan = plan;
    this.program = program;
    this.facts = facts;
    const { state, vertexSpecs, edgeSpecs } = allocateState(program, graph, degrees);
    this.state = state;
    this.stateSpecs = { vertex: vertexSpecs, edge: edgeSpecs };

    const mirrored = program.mirrorColumns;
    this.mirrorSpecs = mirrored ? vertexSpecs.filter((spec) => mirrored.includes(spec.name)) : vertexSpecs;
    this.valueCodec = compileCodec(this.mirrorSpecs);
    this.partialCodec = compileCodec([{ width: Math.max(1, program.accumulatorWidth ?? 0) }]);
    this.accumulatorWidth = program.accumulatorWidth ?? 0;
    this.active = new Uint8Array(graph.numVertices);
    this.signaled = new Uint8Array(graph.numVertices);
    this.partial = new Float64Array(graph.numVertices * Math.max(1, this.accumulatorWidth));
    // Scalar aggregators are read through a compiled switch over a Float64Array; vector ones by name.
    this.aggregatorNames = Object.entries(program.aggregators ?? {})
      .filter(([, aggregator]) => aggregator.width === undefined)
      .map(([name]) => name);
    const signaled = this.signaled;
    const gid = graph.gid;
    const messages = program.messages;
    const inbox = (this.messageInbox = messages ? new Float64Array(graph.numVertices) : null);
    const sentTo = (this.sentTo = messages ? new Uint8Array(graph.numVertices) : null);
    this.messageThreshold = messages?.threshold?.(facts) ?? 0;
    this.aggregateValues = new Float64Array(this.aggregatorNames.length);
    const vectors = this.aggregateVectors;
    this.context = {
      iteration: 0,
      numVertices: facts.numVertices,
      numEdges: facts.numEdges,
      directed: facts.directed,
      globalId: (local) => gid[local]!,
      signal: (local) => {
        signaled[local] = 1;
      },
      send:
        inbox && sentTo
          ? (local, value) => {
              inbox[local]! += value;
              sentTo[local] = 1;
            }
          : () => {
              throw new Error(`program ${program.name}: send() needs the program to declare messages`);
            },
      // −0, not 0: a double from the start, so that the engine's stores of doubles before each apply
      // keep the field's representation (0 is a small integer, and the first double stored would
      // change the context's map under the compiled loops).
      message: -0,
      aggregate: compileAggregateLookup(this.aggregatorNames, this.aggregateValues, program.name),
      aggregateVector: (name) => {
        const vector = vectors.get(name);
        if (!vector) throw new Error(`program ${program.name}: no vector aggregator named "${name}"`);
        return vector;
      },
    };
    this.collected = program.collect ? this.collectBuffer(facts.directed) : null;
    this.loops = compileLoops(program, state, graph, facts.directed, this.collected, this.messageInbox);
  }

  /** Initial vertex and edge state on every replica; returns this worker's aggregator partials. */
  init(): number[] {
    const { program, state, context } = this;
    // Before step 0: `init`, `initEdge` and the first aggregation see iteration −1.
    context.iteration = -1;
    if (program.init) for (let v = 0; v < this.graph.numVertices; v++) program.init(state as never, v, context);
    if (program.initEdge) for (let e = 0; e < this.graph.numEdges; e++) program.initEdge(state as never, e, context);
    // Every replica ran init: only what masters sent themselves counts.
    if (this.messageInbox) {
      const { isMaster } = this.plan;
      for (let v = 0; v < isMaster.length; v++) {
        if (isMaster[v] === 1) continue;
        this.messageInbox[v] = 0;
        this.sentTo![v] = 0;
      }
    }
    if ((program.initiallyActive ?? 'all') === 'all') this.signaled.fill(1);
    return this.aggregatePartials();
  }

  /**
   * Masters become active if signaled here or by a mirror (`inbox`: signals); returns the flags
   * for each mirror worker and the number of active masters.
   */
  activate(inbox: Mailbox, iteration: number): { outbox: Message[]; activeMasters: number } {
    this.context.iteration = iteration;
    const { plan, signaled, active } = this;
    inbox.forEach((message, peer) => {
      if (!message) return;
      const masters = plan.mastersByMirror[peer]!;
      if (this.messageInbox) this.receiveMessages(message as Float64Array, masters);
      else for (let i = 0; i < message.length; i++) signaled[masters[message[i]!]!] = 1;
    });
    if (this.messageInbox) this.signalReceivers();
    const always = this.program.alwaysActive === true && iteration > 0;
    if (always && this.allActive) {
      // Steady state of an always-active program: nothing to compute, no flags to send.
      signaled.fill(0);
      return { outbox: plan.mastersByMirror.map(() => null), activeMasters: plan.numMasters };
    }
    let activeMasters = 0;
    for (let v = 0; v < active.length; v++) {
      active[v] = plan.isMaster[v] === 1 && (always || signaled[v] === 1) ? 1 : 0;
      activeMasters += active[v]!;
    }
    signaled.fill(0);
    this.allActive = activeMasters === plan.numMasters && plan.numMasters === active.length;
    // An always-active program needs no flags: every mirror knows it is active (see gather).
    const outbox = always
      ? plan.mastersByMirror.map(() => null)
      : plan.mastersByMirror.map((masters, peer) => selectPositions(masters, active, this.u32('flags', peer)));
    return { outbox, activeMasters };
  }

  /** Mirrors learn which of them are active (`inbox`: flags), then every active replica gathers; partials go to masters. */
  gather(inbox: Mailbox, iteration: number): Message[] {
    this.context.iteration = iteration;
    const { plan, active } = this;
    if (this.program.alwaysActive === true && iteration > 0) {
      active.fill(1);
      this.allActive = true;
    } else {
      inbox.forEach((message, peer) => {
        if (!message) return;
        const mirrors = plan.mirrorsByMaster[peer]!;
        for (let i = 0; i < message.length; i++) active[mirrors[message[i]!]!] = 1;
      });
      this.allActive = this.allActive || active.every((flag) => flag === 1);
    }
    if (this.program.gather || this.program.gatherInto) this.loops.gather(active, this.allActive, this.partial);
    if (this.collected) return plan.mirrorsByMaster.map((mirrors) => packCollected(mirrors, active, this.collected!));
    const source = this.allActive ? null : active;
    return plan.mirrorsByMaster.map((mirrors, peer) => this.partialCodec.pack(mirrors, source, [this.partial], this.f64('partials', peer)));
  }

  /** Masters combine partials (`inbox`) and apply; new values go to mirrors; returns aggregator partials too. */
  apply(inbox: Mailbox): { outbox: Message[]; aggregates: number[] } {
    const { plan, active, partial, program, context } = this;
    const sum = program.sum ?? ((a: number, b: number) => a + b);
    this.received.clear();
    inbox.forEach((message, peer) => {
      if (!message) return;
      if (this.collected) {
        unpackCollected(message as Float64Array, plan.mastersByMirror[peer]!, this.received);
        return;
      }
      this.partialCodec.combine(plan.mastersByMirror[peer]!, message as Float64Array, [partial], sum);
    });
    const aggregates = this.loops.apply(active, plan.isMaster, partial, context);
    const columns = this.valueColumns();
    const source = this.allActive ? null : active;
    const outbox = plan.mastersByMirror.map((masters, peer) => this.valueCodec.pack(masters, source, columns, this.f64('values', peer)));
    return { outbox, aggregates };
  }

  /** Mirrors take the masters' new values (`inbox`), then active replicas scatter; signals for remote masters go out. */
  scatter(inbox: Mailbox, aggregates: AggregateValues): Message[] {
    const { plan } = this;
    this.setAggregates(aggregates);
    this.installMirrorValues(inbox);
    this.loops.scatter(this.active, this.allActive, this.context);
    if (this.messageInbox) return plan.mirrorsByMaster.map((mirrors, peer) => this.passMessagesOn(mirrors, peer));
    return plan.mirrorsByMaster.map((mirrors, peer) => selectPositions(mirrors, this.signaled, this.u32('signals', peer)));
  }

  /** Messages: the (code, inbox) pairs of the mirrors in `mirrors` signalled or sent to, for their master; their inboxes are emptied. */
  private passMessagesOn(mirrors: Uint32Array, peer: number): Float64Array | null {
    const inbox = this.messageInbox!;
    const sentTo = this.sentTo!;
    const signaled = this.signaled;
    let count = 0;
    for (let i = 0; i < mirrors.length; i++) {
      const v = mirrors[i]!;
      if (signaled[v] === 1 || sentTo[v] === 1) count++;
    }
    if (count === 0) return null;
    const out = this.f64('signals', peer)?.(2 * count) ?? new Float64Array(2 * count);
    let at = 0;
    for (let i = 0; i < mirrors.length; i++) {
      const v = mirrors[i]!;
      if (signaled[v] === 0 && sentTo[v] === 0) continue;
      out[at++] = 4 * i + signaled[v]! + 2 * sentTo[v]!;
      out[at++] = inbox[v]!;
      inbox[v] = 0;
      sentTo[v] = 0;
    }
    return out;
  }

  /** Messages: a mirror worker's (code, inbox) pairs (`passMessagesOn`) into its masters' signals and inboxes. */
  private receiveMessages(message: Float64Array, masters: Uint32Array): void {
    const inbox = this.messageInbox!;
    const sentTo = this.sentTo!;
    for (let i = 0; i < message.length; i += 2) {
      const code = message[i]!;
      const v = masters[Math.floor(code / 4)]!;
      if (code % 2 === 1) this.signaled[v] = 1;
      if ((code & 2) !== 0) {
        inbox[v]! += message[i + 1]!;
        sentTo[v] = 1;
      }
    }
  }

  /** Messages: masters sent to since the last activation whose inbox reached the threshold are signalled. */
  private signalReceivers(): void {
    const inbox = this.messageInbox!;
    const sentTo = this.sentTo!;
    const { isMaster } = this.plan;
    const threshold = this.messageThreshold;
    for (let v = 0; v < sentTo.length; v++) {
      if (sentTo[v] === 0) continue;
      sentTo[v] = 0;
      if (isMaster[v] === 1 && Math.abs(inbox[v]!) >= threshold) this.signaled[v] = 1;
    }
  }

  /** The buffer a collecting program gathers into, sized for one value per visited edge. */
  private collectBuffer(directed: boolean): CollectBuffer {
    const dirs = directionsOf(this.program.gatherEdges ?? 'in', directed);
    const n = this.graph.numVertices;
    const buffer: CollectBuffer = {
      values: new Float64Array(((dirs.out ? 1 : 0) + (dirs.in ? 1 : 0)) * this.graph.numEdges),
      starts: new Uint32Array(n),
      ends: new Uint32Array(n),
      totalOf: (v) => {
        const own = buffer.values.subarray(buffer.starts[v]!, buffer.ends[v]!);
        const extra = this.received.get(v);
        return extra ? sortedConcat([own, ...extra]) : own.sort();
      },
    };
    return buffer;
  }

  /** Neighbour sets, step 1 of 3: every replica's local neighbour list, mirrors' lists to their masters. */
  neighborsToMasters(): Message[] {
    this.neighborLists = localNeighborLists(this.graph);
    return this.plan.mirrorsByMaster.map((mirrors) => packLists(mirrors, this.neighborLists!));
  }

  /** Step 2 of 3: masters merge their mirrors' lists (`inbox`) and send the union back. */
  neighborsFromMirrors(inbox: Mailbox): Message[] {
    inbox.forEach((message, peer) => {
      if (message) unpackLists(message as Uint32Array, this.plan.mastersByMirror[peer]!, this.neighborLists!, true);
    });
    return this.plan.mastersByMirror.map((masters) => packLists(masters, this.neighborLists!));
  }

  /** Step 3 of 3: mirrors take the union (`inbox`); `state.neighbors` is ready. */
  neighborsInstall(inbox: Mailbox): void {
    inbox.forEach((message, peer) => {
      if (message) unpackLists(message as Uint32Array, this.plan.mirrorsByMaster[peer]!, this.neighborLists!, false);
    });
    this.state.neighbors = toNeighborSets(this.neighborLists!, this.graph.gid);
    this.neighborLists = null;
  }

  // ---- Asynchronous execution (async-runner.ts drives these, one vertex at a time) ----------

  /**
   * Hands every vertex `init` signalled — or sent itself enough (its priority then the inbox's
   * magnitude) — to `schedule`, in local-id order, and clears the signals.
   */
  takeInitialSignals(schedule: (v: number, priority: number) => void): void {
    const { signaled, messageInbox: inbox, sentTo } = this;
    for (let v = 0; v < signaled.length; v++) {
      if (signaled[v] === 1) schedule(v, Infinity);
      else if (inbox && sentTo![v] === 1 && Math.abs(inbox[v]!) >= this.messageThreshold) schedule(v, Math.abs(inbox[v]!));
    }
    signaled.fill(0);
    sentTo?.fill(0);
  }

  /**
   * The context asynchronous updates see: `signal` goes to `route` (the scheduler, or the
   * vertex's master), `send` to `deliver` (null: the program declared no messages).
   */
  asyncContext(route: (local: number, priority: number) => void, deliver: ((local: number, value: number) => void) | null): RuntimeContext {
    return { ...this.context, iteration: 0, signal: (local, priority) => route(local, priority ?? Infinity), send: deliver ?? this.context.send };
  }

  /** v's whole update: gather over its edges here (all of them: v has no replica elsewhere), apply, scatter. */
  updateVertex(v: number, ctx: ProgramContext): void {
    this.loops.update(v, this.partial, ctx);
  }

  /** v's gather over this worker's edges: the partial's values (a view valid until the next gather). */
  gatherVertex(v: number): Float64Array {
    const count = this.loops.gatherVertex(v, this.partial);
    if (this.collected) return this.loops.scratch.subarray(0, count);
    const width = Math.max(1, this.accumulatorWidth);
    return count === 0 ? EMPTY : this.partial.subarray(v * width, v * width + width);
  }

  /**
   * The total apply takes from every replica's partial (in worker order): the program's `sum`
   * over scalars, element-wise addition of vectors, or a collecting program's values merged and
   * sorted; `zero` for a program without gather.
   */
  combinePartials(parts: readonly Float64Array[]): unknown {
    const { program } = this;
    if (this.collected) return sortedConcat(parts);
    if (!program.gather && !program.gatherInto) return program.zero ?? 0;
    if (this.accumulatorWidth > 0) {
      const total = new Float64Array(this.accumulatorWidth);
      for (const part of parts) for (let k = 0; k < total.length; k++) total[k]! += part[k]!;
      return total;
    }
    const sum = program.sum ?? ((a: number, b: number) => a + b);
    let total = parts[0]![0]!;
    for (let i = 1; i < parts.length; i++) total = sum(total, parts[i]![0]!);
    return total;
  }

  applyVertex(v: number, total: unknown, ctx: ProgramContext): void {
    this.loops.applyVertex(v, total, ctx);
  }

  scatterVertex(v: number, ctx: ProgramContext): void {
    this.loops.scatterVertex(v, ctx);
  }

  /** How many numbers `writeValues` writes per vertex (the mirrored columns' widths). */
  get valueWidth(): number {
    return this.mirrorSpecs.reduce((total, spec) => total + spec.width, 0);
  }

  /** v's mirrored column values into `out` from `at`; returns the position after them. */
  writeValues(v: number, out: Float64Array, at: number): number {
    const specs = this.mirrorSpecs;
    for (let c = 0; c < specs.length; c++) {
      const column = this.state[specs[c]!.name] as TypedColumn;
      const width = specs[c]!.width;
      for (let k = 0; k < width; k++) out[at++] = column[v * width + k]!;
    }
    return at;
  }

  /** The reverse of `writeValues`: v's mirrored columns from `message` at `at`. */
  readValues(v: number, message: Float64Array, at: number): void {
    const specs = this.mirrorSpecs;
    for (let c = 0; c < specs.length; c++) {
      const column = this.state[specs[c]!.name] as TypedColumn;
      const width = specs[c]!.width;
      for (let k = 0; k < width; k++) column[v * width + k] = message[at++]!;
    }
  }

  /** The program's `finish` on every master, with the final aggregates. */
  finish(aggregates: AggregateValues): void {
    const finish = this.program.finish;
    if (!finish) return;
    this.setAggregates(aggregates);
    const { isMaster } = this.plan;
    for (let v = 0; v < isMaster.length; v++) if (isMaster[v] === 1) finish.call(this.program, this.state as never, v, this.context);
  }

  /** The aggregators over the vertices' current state (asynchronous runs: after the last update). */
  aggregateNow(): number[] {
    return this.aggregatePartials();
  }

  /** Which replicas are active in the step about to start: after `activate`, its masters (a checkpoint saves them). */
  get activeFlags(): Uint8Array {
    return this.active;
  }

  /**
   * A checkpoint's restore: the masters flagged in `activeMasters` (saved from `activeFlags`)
   * are active in step `iteration`, as if `activate` had just run for it — the same flags go to
   * the mirrors (`outbox`). The columns were restored before; `init`'s signals are dropped.
   */
  restoreActivation(activeMasters: Uint8Array, iteration: number): { outbox: Message[]; activeMasters: number } {
    const { signaled } = this;
    const { isMaster } = this.plan;
    for (let v = 0; v < signaled.length; v++) signaled[v] = isMaster[v] === 1 && activeMasters[v] === 1 ? 1 : 0;
    // The inboxes came from the checkpoint; what init sent is not news.
    this.sentTo?.fill(0);
    // An always-active program's steady state (every master, no flags) is what a fresh runtime starts in.
    this.allActive = true;
    return this.activate([], iteration);
  }

  /** A checkpoint's restore, masters restored: their mirrored columns for each mirror worker (as `apply` sends them, for every master). */
  masterValuesOutbox(): Message[] {
    const columns = this.valueColumns();
    return this.plan.mastersByMirror.map((masters) => this.valueCodec.pack(masters, null, columns, null));
  }

  /** Mirrors take their masters' values (`inbox`: after an apply, or from `masterValuesOutbox` in a checkpoint's restore). */
  installMirrorValues(inbox: Mailbox): void {
    const columns = this.valueColumns();
    inbox.forEach((message, peer) => {
      if (message) this.valueCodec.assign(this.plan.mirrorsByMaster[peer]!, message as Float64Array, columns);
    });
  }

  /** Sets the aggregator values visible to the next step (after init). */
  setAggregates(aggregates: AggregateValues): void {
    for (const [name, value] of aggregates) {
      if (typeof value === 'number') this.aggregateValues[this.aggregatorNames.indexOf(name)] = value;
      else this.aggregateVectors.set(name, value);
    }
  }

  private aggregatePartials(): number[] {
    return this.loops.aggregate(this.plan.isMaster, this.context);
  }

  private f64(kind: MessageKind, peer: number): ((length: number) => Float64Array) | null {
    const slots = this.slots;
    return slots ? (length) => slots.f64(kind, peer, length) : null;
  }

  private u32(kind: MessageKind, peer: number): ((length: number) => Uint32Array) | null {
    const slots = this.slots;
    return slots ? (length) => slots.u32(kind, peer, length) : null;
  }

  /** The vertex columns mirrors receive, in declaration order (the value codec's fields). */
  private valueColumns(): TypedColumn[] {
    return this.mirrorSpecs.map((spec) => this.state[spec.name] as TypedColumn);
  }
}

/** The context a runtime hands its program: the engine sets `iteration`, and `message` before each apply. */
export type RuntimeContext = ProgramContext & { iteration: number; message: number };

/** Positions in `list` whose vertex has `flags[v] === 1`, or null if none. */
function selectPositions(list: Uint32Array, flags: Uint8Array, allocate: ((length: number) => Uint32Array) | null): Uint32Array | null {
  let count = 0;
  for (let i = 0; i < list.length; i++) count += flags[list[i]!]!;
  if (count === 0) return null;
  const out = allocate ? allocate(count) : new Uint32Array(count);
  let at = 0;
  for (let i = 0; i < list.length; i++) if (flags[list[i]!] === 1) out[at++] = i;
  return out;
}

/** `[position, count, values…]` records of the active vertices' collected values. */
function packCollected(list: Uint32Array, active: Uint8Array, collected: CollectBuffer): Float64Array | null {
  let size = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (active[v] === 1) size += 2 + collected.ends[v]! - collected.starts[v]!;
  }
  if (size === 0) return null;
  const out = new Float64Array(size);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (active[v] === 0) continue;
    const start = collected.starts[v]!;
    const end = collected.ends[v]!;
    out[at++] = i;
    out[at++] = end - start;
    out.set(collected.values.subarray(start, end), at);
    at += end - start;
  }
  return out;
}

/** Files each record's values under its master vertex. */
function unpackCollected(message: Float64Array, masters: Uint32Array, received: Map<number, Float64Array[]>): void {
  for (let at = 0; at < message.length;) {
    const v = masters[message[at++]!]!;
    const count = message[at++]!;
    const values = message.subarray(at, at + count);
    at += count;
    const list = received.get(v);
    if (list) list.push(values);
    else received.set(v, [values]);
  }
}

/** A collecting program's values from several places as one sorted multiset (a new array). */
function sortedConcat(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all.sort();
}
