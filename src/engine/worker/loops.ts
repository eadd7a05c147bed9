/**
 * The engine's per-edge loops, compiled once per run.
 *
 * Why code generation: a loop shared by every program sees many different `gather` functions at
 * its call site, which V8 then leaves megamorphic and never inlines — measured 2–4× slower on
 * cnr-2000 than a loop that only ever sees one program. Each run therefore builds its own copy of
 * the loop source with `new Function`, so each copy's call sites stay monomorphic and V8 can
 * inline the program's `gather`/`sum`/`scatter` into the edge loop. Only the loop skeleton is
 * generated; the program's functions are passed in as values, never spliced in as source.
 */
import { symmetricNeighbors, type LocalGraph } from './local-graph.js';
import { aggregateLayout } from './aggregates.js';
import type { AnyVertexProgram, EdgeDirection, ProgramContext } from '../program/program.js';

export interface CompiledLoops {
  /** Gathers every active vertex into `partial` (inactive vertices are left untouched). */
  gather(active: Uint8Array, allActive: boolean, partial: Float64Array): void;
  /** Runs scatter for every active vertex. */
  scatter(active: Uint8Array, allActive: boolean, ctx: ProgramContext): void;
  /** Runs apply on every active master, with its total from `partial`; returns the aggregators' partials over all masters. */
  apply(active: Uint8Array, isMaster: Uint8Array, partial: Float64Array, ctx: ProgramContext): number[];
  /** Each aggregator's reduction over the masters. */
  aggregate(isMaster: Uint8Array, ctx: ProgramContext): number[];
  /**
   * One vertex's whole update, as the asynchronous engine runs it: gather over its edges reading
   * the neighbours' current values (its total left in `partial`; a collecting program's values
   * sorted in a scratch array), apply, scatter.
   */
  update(v: number, partial: Float64Array, ctx: ProgramContext): void;
  /**
   * The three parts of `update`, for a vertex whose edges several workers hold (asynchronous runs
   * on several workers): `gatherVertex` gathers v over this worker's edges — into `partial` (the
   * scalar total at `partial[v]`, a vector at `partial[v·width …]`), or for a collecting program
   * into `scratch`, returning how many values — and returns the values' count (1 for a scalar
   * total, `width` for a vector, 0 for a program without gather); `applyVertex` applies a
   * combined total; `scatterVertex` scatters over this worker's edges.
   */
  gatherVertex(v: number, partial: Float64Array): number;
  applyVertex(v: number, total: unknown, ctx: ProgramContext): void;
  scatterVertex(v: number, ctx: ProgramContext): void;
  /** A collecting program's gathered values (`gatherVertex` fills the front). */
  readonly scratch: Float64Array;
}

interface Directions {
  readonly out: boolean;
  readonly in: boolean;
}

export function directionsOf(direction: EdgeDirection, directed: boolean): Directions {
  if (direction === 'none') return { out: false, in: false };
  if (!directed) return { out: true, in: true };
  return { out: direction === 'out' || direction === 'all', in: direction === 'in' || direction === 'all' };
}

type Call = (neighbor: string, edge: string) => string;

/**
 * Loop source visiting v's out-edges and/or in-edges, emitting `call(neighbor, edge)` for each.
 * On undirected graphs a self-loop is one arc (as in NetworkX's `to_directed`): visited by the
 * out-loop only.
 */
const EDGE_LOOPS = (call: Call, dirs: Directions, directed: boolean): string => `
      ${dirs.out ? `for (let e = outOffsets[v], end = outOffsets[v + 1]; e < end; e++) { ${call('dst[e]', 'e')} }` : ''}
      ${dirs.in ? `for (let k = inOffsets[v], end = inOffsets[v + 1]; k < end; k++) { ${directed || !dirs.out ? '' : 'if (inSources[k] === v) continue; '}${call('inSources[k]', 'inEdges[k]')} }` : ''}`;

/**
 * Scalar gather loops with two running totals, edges alternating between them. A single total
 * makes every edge wait for the previous addition (a dependency chain through `sum`); two halve
 * it and let the random loads of neighbour state overlap. Legal because `sum` is commutative and
 * associative (the monoid contract); measured ≈10% faster on a scale-20 Kronecker graph and on cnr-2000.
 */
const SCALAR_GATHER_LOOPS = (edgeArgument: (e: string) => string, dirs: Directions, directed: boolean): string => {
  const term = (nbr: string, e: string): string => `gather(state, v, ${nbr}, ${edgeArgument(e)})`;
  const out = `
      {
        let e = outOffsets[v];
        const end = outOffsets[v + 1];
        for (; e + 1 < end; e += 2) {
          s0 = sum(s0, ${term('dst[e]', 'e')});
          s1 = sum(s1, ${term('dst[e + 1]', 'e + 1')});
        }
        if (e < end) s0 = sum(s0, ${term('dst[e]', 'e')});
      }`;
  // On undirected graphs the in-loop skips self-loops (already visited as out-edges).
  const skip = directed || !dirs.out;
  const inTerm = (k: string, target: string): string =>
    skip
      ? `${target} = sum(${target}, ${term(`inSources[${k}]`, `inEdges[${k}]`)});`
      : `if (inSources[${k}] !== v) ${target} = sum(${target}, ${term(`inSources[${k}]`, `inEdges[${k}]`)});`;
  const into = `
      {
        let k = inOffsets[v];
        const end = inOffsets[v + 1];
        for (; k + 1 < end; k += 2) {
          ${inTerm('k', 's0')}
          ${inTerm('k + 1', 's1')}
        }
        if (k < end) { ${inTerm('k', 's0')} }
      }`;
  return `${dirs.out ? out : ''}${dirs.in ? into : ''}`;
};

/**
 * Where a collecting program's gathered values go (see `VertexProgram.collect`): vertex v's
 * values are `values[starts[v] .. ends[v])`; `totalOf(v)` gives apply the vertex's whole multiset.
 */
export interface CollectBuffer {
  values: Float64Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  totalOf(v: number): Float64Array;
}

export function compileLoops(
  program: AnyVertexProgram,
  state: object,
  graph: LocalGraph,
  directed: boolean,
  collected: CollectBuffer | null = null,
  inbox: Float64Array | null = null,
): CompiledLoops {
  const gatherDirs = directionsOf(program.gatherEdges ?? 'in', directed);
  const scatterDirs = directionsOf(program.scatterEdges ?? 'out', directed);
  const width = program.accumulatorWidth ?? 0;

  // A gather declared without the `edge` parameter never reads it: skip loading the in-edge id
  // (measured: one fewer array stream, −25% per in-edge gather on cnr-2000).
  const gatherUsesEdge = (width === 0 ? program.gather?.length : program.gatherInto?.length) ?? 4;
  const edgeArgument = (e: string): string => (gatherUsesEdge >= 4 || width > 0 ? e : '-1');
  // Undirected gathers over all edges that never read the edge id walk one sorted neighbour list.
  const symmetric = !directed && gatherDirs.out && gatherDirs.in && width === 0 && gatherUsesEdge < 4 ? symmetricNeighbors(graph) : null;
  let gatherBody: string;
  if (symmetric && collected) {
    gatherBody = `
      starts[v] = at;
      for (let k = symOffsets[v], end = symOffsets[v + 1]; k < end; k++) values[at++] = gather(state, v, symNeighbors[k], -1);
      ends[v] = at;`;
  } else if (symmetric) {
    gatherBody = `
      let s0 = zero, s1 = zero;
      {
        let k = symOffsets[v];
        const end = symOffsets[v + 1];
        for (; k + 1 < end; k += 2) {
          s0 = sum(s0, gather(state, v, symNeighbors[k], -1));
          s1 = sum(s1, gather(state, v, symNeighbors[k + 1], -1));
        }
        if (k < end) s0 = sum(s0, gather(state, v, symNeighbors[k], -1));
      }
      partial[v] = sum(s0, s1);`;
  } else if (collected) {
    const call: Call = (nbr, e) => `values[at++] = gather(state, v, ${nbr}, ${edgeArgument(e)});`;
    gatherBody = `
      starts[v] = at;${EDGE_LOOPS(call, gatherDirs, directed)}
      ends[v] = at;`;
  } else if (width === 0) {
    gatherBody = `
      let s0 = zero, s1 = zero;${SCALAR_GATHER_LOOPS(edgeArgument, gatherDirs, directed)}
      partial[v] = sum(s0, s1);`;
  } else {
    const call: Call = (nbr, e) => `gatherInto(state, v, ${nbr}, ${e}, partial, offset);`;
    gatherBody = `
      const offset = v * ${width};
      partial.fill(0, offset, offset + ${width});${EDGE_LOOPS(call, gatherDirs, directed)}`;
  }
  const scatterCall: Call = (nbr, e) => `scatter(state, v, ${nbr}, ${e}, ctx);`;
  // A collecting program's update gathers one vertex's values into a scratch array as long as the
  // longest edge list, then hands apply the sorted multiset.
  const collectUpdateBody = symmetric
    ? `for (let k = symOffsets[v], end = symOffsets[v + 1]; k < end; k++) scratch[at++] = gather(state, v, symNeighbors[k], -1);`
    : EDGE_LOOPS((nbr, e) => `scratch[at++] = gather(state, v, ${nbr}, ${edgeArgument(e)});`, gatherDirs, directed);

  const hasGather = program.gather !== undefined || program.gatherInto !== undefined;
  // A program with messages reads its inbox in apply (ctx.message), which empties it.
  const takeMessage = inbox ? 'ctx.message = inbox[v]; inbox[v] = 0;' : '';
  const total = collected ? 'collected.totalOf(v)' : width > 0 ? `partial.subarray(v * ${width}, v * ${width} + ${width})` : hasGather ? 'partial[v]' : 'zero';
  const { slots, length: totalsLength } = aggregateLayout(program);
  const aggregators = slots.map((slot) => slot.name);
  // Aggregators are folded into the apply loop (one pass over the vertices, not 1 + A).
  // Each aggregator's functions are bound to constants of the compiled code (not read from an
  // array per vertex), so their call sites have one known target and can be inlined. A vector
  // aggregator adds into its own preallocated Float64Array (`vec k`), copied into the totals.
  const isVector = slots.map((slot) => slot.width > 0);
  const aggregateConstants = slots
    .map((slot, k) =>
      isVector[k]
        ? `const agg${k} = aggs[${k}], mapInto${k} = agg${k}.mapInto.bind(agg${k}), vec${k} = new Float64Array(${slot.width});`
        : `const agg${k} = aggs[${k}], map${k} = agg${k}.map.bind(agg${k}), sum${k} = agg${k}.sum.bind(agg${k});`,
    )
    .join('\n');
  const aggregateInit = slots.map((_, k) => (isVector[k] ? `vec${k}.fill(0);` : `let a${k} = agg${k}.zero;`)).join(' ');
  const fold = (k: number, item: string): string =>
    isVector[k] ? `mapInto${k}(state, ${item}, ctx, vec${k});` : `a${k} = sum${k}(a${k}, map${k}(state, ${item}, ctx));`;
  const overEdges = aggregators.map((name) => program.aggregators![name]!.over === 'edges');
  const aggregateStep = aggregators.map((_, k) => (overEdges[k] ? '' : fold(k, 'v'))).join(' ');
  // Edge aggregators: one pass over this worker's edges (each edge lives in one partition only).
  const edgeAggregateLoop = overEdges.some(Boolean)
    ? `for (let e = 0; e < m; e++) { ${aggregators.map((_, k) => (overEdges[k] ? fold(k, 'e') : '')).join(' ')} }`
    : '';
  // Totals leave through a preallocated array: an array literal built once per call, after the
  // loop, never gets type feedback before the loop is optimised and deoptimised it every step.
  const aggregateResult = `${slots.map((slot, k) => (isVector[k] ? `totals.set(vec${k}, ${slot.offset});` : `totals[${slot.offset}] = a${k};`)).join(' ')} return Array.from(totals);`;

  const source = `
    const { outOffsets, dst, inOffsets, inSources, inEdges, numVertices: n, numEdges: m } = graph;
    const { offsets: symOffsets, neighbors: symNeighbors } = symmetric ?? {};
    const zero = prog.zero ?? 0;
    // The program's callbacks as constants of this compiled code: one known target per call site.
    const bind = (f) => (typeof f === 'function' ? f.bind(prog) : undefined);
    const gather = bind(prog.gather), gatherInto = bind(prog.gatherInto), sum = bind(prog.sum) ?? ((a, b) => a + b);
    const apply = bind(prog.apply), scatter = bind(prog.scatter);
    const aggs = names.map((name) => prog.aggregators[name]);
    const totals = new Float64Array(${totalsLength});
    let longest = 0;
    if (collected) for (let v = 0; v < n; v++) longest = Math.max(longest, outOffsets[v + 1] - outOffsets[v] + inOffsets[v + 1] - inOffsets[v]);
    const scratch = new Float64Array(longest);
    ${aggregateConstants}
    return {
      gather(active, allActive, partial) {
        ${collected ? 'const { values, starts, ends } = collected; let at = 0;' : ''}
        for (let v = 0; v < n; v++) {
          if (!allActive && active[v] === 0) continue;${gatherBody}
        }
      },
      apply(active, isMaster, partial, ctx) {
        ${aggregateInit}
        for (let v = 0; v < n; v++) {
          if (isMaster[v] === 0) continue;
          if (active[v] === 1) { ${takeMessage} apply(state, v, ${total}, ctx); }
          ${aggregateStep}
        }
        ${edgeAggregateLoop}
        ${aggregateResult}
      },
      aggregate(isMaster, ctx) {
        ${aggregateInit}
        for (let v = 0; v < n; v++) {
          if (isMaster[v] === 0) continue;
          ${aggregateStep}
        }
        ${edgeAggregateLoop}
        ${aggregateResult}
      },
      scatter(active, allActive, ctx) {
        ${program.scatter ? '' : 'return;'}
        for (let v = 0; v < n; v++) {
          if (!allActive && active[v] === 0) continue;${EDGE_LOOPS(scatterCall, scatterDirs, directed)}
        }
      },
      update(v, partial, ctx) {
        ${collected ? `let at = 0; {${collectUpdateBody}} ${takeMessage} apply(state, v, scratch.subarray(0, at).sort(), ctx);` : `${hasGather ? `{${gatherBody}}` : ''} ${takeMessage} apply(state, v, ${total}, ctx);`}
        ${program.scatter ? EDGE_LOOPS(scatterCall, scatterDirs, directed) : ''}
      },
      gatherVertex(v, partial) {
        ${collected ? `let at = 0; {${collectUpdateBody}} return at;` : hasGather ? `{${gatherBody}} return ${Math.max(1, width)};` : 'return 0;'}
      },
      applyVertex(v, total, ctx) {
        ${takeMessage}
        apply(state, v, total, ctx);
      },
      scatterVertex(v, ctx) {
        ${program.scatter ? EDGE_LOOPS(scatterCall, scatterDirs, directed) : ''}
      },
      scratch,
    };`;
  return new Function('prog', 'state', 'graph', 'names', 'collected', 'symmetric', 'inbox', source)(
    program,
    state,
    graph,
    aggregators,
    collected,
    symmetric,
    inbox,
  ) as CompiledLoops;
}

/**
 * `ctx.aggregate(name)` is called once per vertex in apply, so it is compiled to a switch over the
 * aggregator names (constant-string comparisons) reading a Float64Array, not a keyed lookup.
 */
export function compileAggregateLookup(names: readonly string[], values: Float64Array, program: string): (name: string) => number {
  const cases = names.map((name, k) => `case ${JSON.stringify(name)}: return values[${k}];`).join('\n');
  const source = `return function aggregate(name) { switch (name) { ${cases}\n default: throw new Error('program ' + program + ': no aggregator named "' + name + '"'); } };`;
  return new Function('values', 'program', source)(values, program) as (name: string) => number;
}
