/**
 * The vertex-program API: PowerGraph's gather–apply–scatter (Gonzalez et al., OSDI 2012, §3) in
 * TypeScript. This is the contract between users' programs and every engine gasworks has
 * (synchronous BSP, SSP and asynchronous): a program written against it runs unchanged under all
 * of them, on one thread or many, and on any partitioning.
 *
 * ## The model
 *
 * Every *active* vertex runs, in order:
 *
 *   1. **gather** over its `gatherEdges`: `gather(state, self, neighbor, edge)` is called once per
 *      adjacent edge and the results are combined with `sum` (starting from `zero`) into a total;
 *   2. **apply**: `apply(state, self, total, ctx)` computes the vertex's new state from the total.
 *      Apply is the *only* place vertex state may change;
 *   3. **scatter** over its `scatterEdges`: `scatter(state, self, neighbor, edge, ctx)` may write
 *      edge columns and `ctx.signal(neighbor)` to make the neighbor active in the next step.
 *
 * ## Identifiers and state
 *
 * Vertices and edges are passed as small integers (*local* ids of the worker running the call)
 * that index the typed-array columns of `state`: `state.rank[self]`, `state.weight[edge]`. A
 * vector column of width k stores vertex v at `[v*k, v*k+k)`. Columns are declared by the program
 * (`vertexColumns`, `edgeColumns`); the engine also provides the read-only columns `outDegree`
 * and `inDegree` (whole-graph degrees) and, on weighted graphs, the edge column `weight`. Use
 * `ctx.globalId(v)` where a stable id is needed (seeds, sources); local ids differ per worker.
 * Each worker runs its own instance of a registered algorithm's or a program file's program (built
 * by the same `create`), so state a program keeps in its closure — scratch, caches indexed by
 * local id — is per worker; a program object handed to the library is shared by in-process workers.
 *
 * ## What may run concurrently, and what each call may touch
 *
 * - `gather` may run for any edges in any order, on several workers at once, and on several
 *   replicas of the same vertex: it must only *read* state (any vertex column of `self` and
 *   `neighbor`, any edge column of `edge`) and return a value; it must not write anything.
 * - `sum` must be commutative and associative with `zero` its identity (a commutative monoid):
 *   partial totals from different partitions are combined in an unspecified order. Floating-point
 *   sums therefore agree across partitionings up to rounding (≈1e-12 relative), not bit for bit.
 * - `apply` runs once per active vertex per step, on the vertex's master replica; it may read
 *   and write `self`'s vertex columns only. The engine then copies the new values to every mirror.
 * - `scatter` runs on every replica for its local edges; it may write the edge columns of `edge`
 *   (each edge lives in exactly one partition, so edge writes never conflict) and signal
 *   vertices; it must not write vertex columns.
 *
 * ## Accumulators
 *
 * (Besides the two monoid forms below, a program may `collect`: see that field.)
 *
 * Scalar programs (`accumulatorWidth` 0, the default) return a number from `gather`. Vector
 * programs (`accumulatorWidth` k > 0, e.g. ALS's XᵀX and Xᵀy) implement `gatherInto`, which
 * *adds* the edge's contribution into `total[offset .. offset+k)` of a preallocated array; the
 * monoid is then element-wise addition with zero 0. Neither form may allocate per edge.
 *
 * ## Defaults (as PowerGraph's `ivertex_program`)
 *
 * `gatherEdges: 'in'`, `scatterEdges: 'out'`, every vertex active in the first step, and a run
 * ends when no vertex is active, `maxIterations` steps have run, or `converged` says so. On an
 * undirected graph every edge is both in and out, so any direction but `none` means "all edges".
 */
import type { ColumnType } from '../../storage/columns.js';
import type { NeighborSets } from '../worker/neighbor-sets.js';

export type EdgeDirection = 'in' | 'out' | 'all' | 'none';

/**
 * A column declaration: a type for scalars, `[type, width]` for fixed-length vectors, and — for
 * edge columns only — `[type, 'perWeightUnit']`: one value per unit of the edge's (integer)
 * weight, e.g. LDA's topic of each of the c tokens on a document–word edge of weight c. Edge e's
 * values are `column[state.weightOffsets[e] .. state.weightOffsets[e + 1])`.
 */
export type ColumnDeclaration = ColumnType | readonly [ColumnType, number] | readonly [ColumnType, 'perWeightUnit'];

export type ColumnDeclarations = Readonly<Record<string, ColumnDeclaration>>;

type ArrayOf<T extends ColumnType> = T extends 'f64'
  ? Float64Array
  : T extends 'f32'
    ? Float32Array
    : T extends 'i32'
      ? Int32Array
      : T extends 'u32'
        ? Uint32Array
        : T extends 'u16'
          ? Uint16Array
          : Uint8Array;

type ColumnsOf<D extends ColumnDeclarations> = {
  readonly [K in keyof D]: D[K] extends readonly [infer T extends ColumnType, number | 'perWeightUnit']
    ? ArrayOf<T>
    : D[K] extends ColumnType
      ? ArrayOf<D[K]>
      : never;
};

/** The typed arrays a program reads and writes: its own columns plus the engine's built-ins. */
export type ProgramState<V extends ColumnDeclarations = ColumnDeclarations, E extends ColumnDeclarations = ColumnDeclarations> = ColumnsOf<V> &
  ColumnsOf<E> & {
    /** Whole-graph out-degree of each local vertex (for undirected graphs: the degree). */
    readonly outDegree: Uint32Array;
    /** Whole-graph in-degree of each local vertex (for undirected graphs: the degree). */
    readonly inDegree: Uint32Array;
    /** Whole-graph total weight of each local vertex's out-edges / in-edges (the degrees on unweighted graphs). */
    readonly outWeight: Float64Array;
    readonly inWeight: Float64Array;
    /** Edge weights (1 on unweighted graphs). */
    readonly weight: Float64Array;
    /** Where each edge's values start in `perWeightUnit` edge columns (m + 1 entries); empty when the program has none. */
    readonly weightOffsets: Uint32Array;
    /** Whole-graph neighbour sets; present only when the program sets `needsNeighborSets`. */
    readonly neighbors: NeighborSets;
  };

/** What every callback may ask of the engine. */
export interface ProgramContext {
  /** The current superstep, from 0; −1 in `init`, `initEdge` and the aggregation that follows them. */
  readonly iteration: number;
  readonly numVertices: number;
  readonly numEdges: number;
  readonly directed: boolean;
  /** The stable (graph-wide) id of a local vertex. */
  globalId(local: number): number;
  /**
   * Makes `local` active in the next step (scatter, apply and init only); under the asynchronous
   * engine, schedules it. `priority` orders the priority scheduler (highest first; a signal below
   * `--min-priority` is dropped; none: +∞); other schedulers and engines ignore it.
   */
  signal(local: number, priority?: number): void;
  /**
   * Sends `value` to `local` (programs that declare `messages`; in scatter, apply and init): the
   * value is added to the vertex's *inbox*, the sum of what it was sent since its last apply, and
   * the vertex is signalled once the inbox's magnitude reaches `messages.threshold` — the priority
   * scheduler then orders it by that magnitude. In `init` a vertex may send only to itself (every
   * replica runs init; the master's send is the one that counts).
   */
  send(local: number, value: number): void;
  /**
   * In apply, for programs that declare `messages`: the sum of the values sent to this vertex
   * since its last apply (0 if none), taken out of its inbox by this apply.
   */
  readonly message: number;
  /** The value an aggregator produced after the previous step (or after init). */
  aggregate(name: string): number;
  /** The values of a vector aggregator after the previous step (or after init); read-only. */
  aggregateVector(name: string): Float64Array;
}

/**
 * A global reduction over vertices (run on masters only, so each vertex counts once) or over
 * edges (each edge lives in exactly one partition), after every apply phase and once after init;
 * its finalised value is readable through `ctx.aggregate(name)` in the next step and is reported
 * per step. Edge aggregators see edge state as the previous scatter left it (as gather did).
 * `sum`/`zero` must form a commutative monoid.
 */
export interface ScalarAggregator<S> {
  /** What `map` receives: a vertex (the default) or an edge id. */
  readonly over?: 'vertices' | 'edges';
  readonly width?: undefined;
  map(state: S, item: number, ctx: ProgramContext): number;
  sum(a: number, b: number): number;
  readonly zero: number;
  finalize?(value: number, ctx: ProgramContext): number;
}

/**
 * A vector aggregator: `width` numbers that add element-wise (e.g. LDA's K topic totals, ALS's
 * Gram matrix), read with `ctx.aggregateVector(name)`. `mapInto` adds the item's contribution
 * into `out` (zeroed by the engine), allocating nothing.
 */
export interface VectorAggregator<S> {
  readonly over?: 'vertices' | 'edges';
  readonly width: number;
  mapInto(state: S, item: number, ctx: ProgramContext, out: Float64Array): void;
}

export type Aggregator<S> = ScalarAggregator<S> | VectorAggregator<S>;

/** Aggregator values as the engines pass them around: numbers, and Float64Arrays for vector aggregators. */
export type AggregateValues = ReadonlyMap<string, number | Float64Array>;

export interface VertexProgram<
  V extends ColumnDeclarations = ColumnDeclarations,
  E extends ColumnDeclarations = ColumnDeclarations,
  T extends number | Float64Array = number,
> {
  readonly name: string;
  readonly vertexColumns: V;
  readonly edgeColumns?: E;
  /**
   * The vertex columns a *mirror* reads — in `gather` (as the neighbour or as self) and in
   * `scatter`. After apply, masters send their mirrors only these, so columns that matter on the
   * master alone (a convergence delta, a result) cost no traffic. Default: every vertex column.
   * A column left out here reads as stale on mirrors.
   */
  readonly mirrorColumns?: readonly (keyof V & string)[];
  /** Default `'in'`. */
  readonly gatherEdges?: EdgeDirection;
  /** Default `'out'`. */
  readonly scatterEdges?: EdgeDirection;
  /** 0 (the default) for a scalar total; k for a vector total of k doubles. */
  readonly accumulatorWidth?: number;
  /**
   * Collect instead of sum: `gather` returns one value per edge, and `apply` receives *all* of
   * them for the vertex — from every replica — as a Float64Array sorted ascending (a multiset, so
   * the result does not depend on the partitioning). For rules no monoid expresses, such as the
   * most frequent neighbour label; costs memory and traffic proportional to the gathered edges.
   */
  readonly collect?: boolean;
  /** Which vertices are active in step 0: all (the default) or those `init` signals. */
  readonly initiallyActive?: 'all' | 'signaled';
  /** Vertices stay active every step (e.g. PageRank with a global tolerance); default false. */
  readonly alwaysActive?: boolean;
  /**
   * Build `state.neighbors` (each vertex's distinct neighbours across the whole graph) before
   * step 0. Costs memory proportional to the edges on every replica; for set algorithms such as
   * triangle counting.
   */
  readonly needsNeighborSets?: boolean;

  /**
   * The program may run under the asynchronous engine: vertices updated one at a time, in any
   * order the scheduler picks, each reading its neighbours' latest values, must reach the
   * program's answer (true of label-correcting programs: shortest paths, components, colouring).
   * Programs that count on supersteps leave it unset and are refused by `--engine async`;
   * `'only'`: the program is right only asynchronously (greedy colouring: adjacent vertices
   * updated in the same step would take the same colour), so the other engines refuse it and it
   * runs asynchronously by default.
   */
  readonly asynchronous?: boolean | 'only';
  /**
   * Signals that carry a number, summed per receiver (PowerGraph's messages, Gonzalez et al., OSDI
   * 2012, §3.1: `signal(v, msg)` combined with `+=`): `ctx.send(v, value)` in scatter, read by v's
   * next apply as `ctx.message`. A program that pushes changes instead of gathering them — a
   * residual PageRank: each update passes its received mass on to its out-neighbours — then
   * costs its out-degree per update and runs only the vertices that received enough.
   *
   * Under the sync engine what a step's scatter sends is read in the next step's apply (Pregel's
   * messages); under the async engine, by the receiver's next update. A vertex whose inbox stays
   * below `threshold` is not signalled by sends: its messages wait for its next update — a later
   * send that lifts it over, a plain `signal`, or the async engine's verification sweep (programs
   * with `converged`). A run can therefore end with inboxes below the threshold unread, which is
   * the point of the threshold: it bounds what a run leaves undone. SSP refuses such programs.
   */
  readonly messages?: {
    /** The inbox magnitude at which a send signals its receiver (default 0: every send does); computed once per run. */
    readonly threshold?: (graph: { readonly numVertices: number; readonly numEdges: number; readonly directed: boolean }) => number;
  };

  /** Sets a vertex's initial state (every replica runs it; it must be deterministic). */
  init?(state: ProgramState<V, E>, self: number, ctx: ProgramContext): void;
  /** Sets an edge's initial state. */
  initEdge?(state: ProgramState<V, E>, edge: number, ctx: ProgramContext): void;

  gather?(state: ProgramState<V, E>, self: number, neighbor: number, edge: number): number;
  gatherInto?(state: ProgramState<V, E>, self: number, neighbor: number, edge: number, total: Float64Array, offset: number): void;
  readonly zero?: number;
  sum?(a: number, b: number): number;

  /** Computes the new state of `self`; `total` is a number, or a view of k doubles for vector programs. */
  apply(state: ProgramState<V, E>, self: number, total: T, ctx: ProgramContext): void;
  scatter?(state: ProgramState<V, E>, self: number, neighbor: number, edge: number, ctx: ProgramContext): void;

  /**
   * Runs once on every master after the run's last step (or last asynchronous update), with the
   * final aggregates readable through `ctx.aggregate`: e.g. normalising the result column by a
   * total only known at the end. It may write `self`'s vertex columns only.
   */
  finish?(state: ProgramState<V, E>, self: number, ctx: ProgramContext): void;

  readonly aggregators?: Readonly<Record<string, Aggregator<ProgramState<V, E>>>>;
  /** Stops the run when true (checked after each step's aggregators). */
  converged?(ctx: ProgramContext): boolean;
  /** Which vertex column is the job's result (default: the first). */
  readonly result?: keyof V & string;
}

/** Identity function that gives a program literal its column types (`state.rank` is a Float64Array). */
export function defineProgram<
  const V extends ColumnDeclarations,
  const E extends ColumnDeclarations = Record<never, never>,
  T extends number | Float64Array = number,
>(program: VertexProgram<V, E, T>): VertexProgram<V, E, T> {
  return program;
}

/** Any program, whatever its column and total types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyVertexProgram = VertexProgram<any, any, any>;
