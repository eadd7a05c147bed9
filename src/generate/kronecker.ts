/**
 * The Graph500 Kronecker edge generator (R-MAT): a seeded stream of `edgeFactor · 2^scale`
 * directed edges over the vertex ids `[0, 2^scale)`, with the skewed, community-nested degree
 * distribution of real networks. The synthetic graph for benchmarks of any size.
 *
 * What it computes, sequentially:
 *
 *     for each of edgeFactor · 2^scale edges:
 *       src = dst = 0
 *       for level in 0 .. scale-1:                 // one quadrant of the adjacency matrix per level
 *         pick (srcBit, dstBit) = (0,0) with probability a, (0,1) with b, (1,0) with c, (1,1) with d = 1-a-b-c
 *         src |= srcBit << level;  dst |= dstBit << level
 *       emit (relabel(src), relabel(dst))          // relabel: a seeded bijection of [0, 2^scale)
 *
 * Self-loops and duplicate edges are kept, as the specification generates them; the importer
 * counts them.
 *
 * Two departures from the specification's reference pseudocode, neither of which changes the
 * graph up to the naming of its vertices:
 * - The relabelling is a seeded bijection computed per id (three rounds of key-xor, odd multiply
 *   and xorshift, each invertible modulo 2^scale), as the reference C code's `scramble()` does,
 *   not a Fisher–Yates table: at scale 22 a table lookup per endpoint misses cache and TLB and
 *   more than doubled the generation time (~10 s against ~4.5 s in a prototype). Either way the
 *   hubs, born at ids with few one-bits, are scattered over the id range.
 * - The edge list is not shuffled afterwards: the edges are independent and identically
 *   distributed, so their order is already random, and not shuffling lets them stream.
 *
 * References: Graph500 specification, "Graph generation" (graph500.org); D. Chakrabarti,
 * Y. Zhan and C. Faloutsos, "R-MAT: A Recursive Model for Graph Mining", SDM 2004.
 *
 * Options (defaults in `KRONECKER_DEFAULTS`):
 * - `scale` (required): log2 of the vertex count, an integer from 1 to 30.
 * - `edgeFactor` = 16: edges per vertex.
 * - `seed` = 1: any non-negative safe integer; the same options always give the same edges.
 * - `a` = 0.57, `b` = 0.19, `c` = 0.19: quadrant probabilities, each in (0, 1), `a + b + c < 1`.
 *
 * @example
 *   let selfLoops = 0;
 *   for (const { src, dst, length } of kroneckerEdges({ scale: 16, edgeFactor: 16, seed: 7 })) {
 *     for (let i = 0; i < length; i++) if (src[i] === dst[i]) selfLoops++;
 *   }
 *   await writeKroneckerEdgeList({ scale: 20, edgeFactor: 16, seed: 1 }, 'kron20.txt.gz');
 */

import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';

import { GasError, InvalidArgumentError } from '../errors.js';

export interface KroneckerOptions {
  scale: number;
  edgeFactor: number;
  seed: number;
  a?: number;
  b?: number;
  c?: number;
}

export const KRONECKER_DEFAULTS = { edgeFactor: 16, seed: 1, a: 0.57, b: 0.19, c: 0.19 } as const;

const MAX_SCALE = 30;
const CHUNK_EDGES = 65_536;

/** Fills in `KRONECKER_DEFAULTS` and validates, throwing `InvalidArgumentError` that names the option. */
export function resolveKroneckerOptions(opts: Partial<KroneckerOptions> & { scale: number }): Required<KroneckerOptions> {
  const options = {
    scale: opts.scale,
    edgeFactor: opts.edgeFactor ?? KRONECKER_DEFAULTS.edgeFactor,
    seed: opts.seed ?? KRONECKER_DEFAULTS.seed,
    a: opts.a ?? KRONECKER_DEFAULTS.a,
    b: opts.b ?? KRONECKER_DEFAULTS.b,
    c: opts.c ?? KRONECKER_DEFAULTS.c,
  };
  const { scale, edgeFactor, seed, a, b, c } = options;
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    invalid('scale', `must be an integer from 1 to ${MAX_SCALE}`, scale);
  }
  if (!Number.isInteger(edgeFactor) || edgeFactor < 1) invalid('edgeFactor', 'must be a positive integer', edgeFactor);
  if (edgeFactor * 2 ** scale > Number.MAX_SAFE_INTEGER) {
    invalid('edgeFactor', `times 2^scale must not exceed ${Number.MAX_SAFE_INTEGER}`, edgeFactor);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) invalid('seed', 'must be a non-negative safe integer', seed);
  for (const [name, probability] of [
    ['a', a],
    ['b', b],
    ['c', c],
  ] as const) {
    if (!(probability > 0 && probability < 1)) invalid(name, 'must be a probability in (0, 1)', probability);
  }
  if (!(a + b + c < 1)) invalid('a + b + c', 'must be below 1 (d = 1 - a - b - c is the fourth quadrant)', a + b + c);
  return options;
}

function invalid(option: string, requirement: string, value: unknown): never {
  throw new InvalidArgumentError(`kronecker: ${option} ${requirement}, got ${String(value)}`, { option, value });
}

/**
 * Yields the edges in chunks of at most 65536, deterministically for a given seed. Each chunk
 * owns fresh arrays (`src.length === length`), so a consumer may keep them or transfer them to a
 * worker. Options are validated when this is called, not at the first `next()`.
 */
export function kroneckerEdges(opts: KroneckerOptions): Generator<{ src: Uint32Array; dst: Uint32Array; length: number }> {
  return generateEdges(resolveKroneckerOptions(opts));
}

function* generateEdges(options: Required<KroneckerOptions>): Generator<{ src: Uint32Array; dst: Uint32Array; length: number }> {
  const { scale, seed } = options;
  const totalEdges = options.edgeFactor * 2 ** scale;
  const sampler = buildQuadrantSampler(options.a, options.b, options.c);
  const relabel = relabelKeys(scale, seed);
  const randomState = seedWords(seed, EDGE_STREAM, 4);
  for (let first = 0; first < totalEdges; first += CHUNK_EDGES) {
    const length = Math.min(CHUNK_EDGES, totalEdges - first);
    const src = new Uint32Array(length);
    const dst = new Uint32Array(length);
    fillEdges(src, dst, scale, sampler, relabel, randomState);
    yield { src, dst, length };
  }
}

/**
 * The hot loop: fills `src` and `dst` with edges and advances the xoshiro128** state in
 * `randomState` (D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
 * 2018). The generator step is written out on local variables, not called as a method of a
 * state object: reading and writing object fields once per draw made the loop ~40% slower.
 */
function fillEdges(src: Uint32Array, dst: Uint32Array, scale: number, sampler: QuadrantSampler, relabel: RelabelKeys, randomState: Int32Array): void {
  const { keep, outcomes } = sampler;
  let s0 = randomState[0]!;
  let s1 = randomState[1]!;
  let s2 = randomState[2]!;
  let s3 = randomState[3]!;
  for (let edge = 0; edge < src.length; edge++) {
    let from = 0;
    let to = 0;
    // One draw decides LEVELS_PER_DRAW levels; the levels past `scale` are masked off below,
    // which is exact because levels are independent.
    for (let level = 0; level < scale; level += LEVELS_PER_DRAW) {
      const times5 = Math.imul(s1, 5);
      const draw = Math.imul((times5 << 7) | (times5 >>> 25), 9);
      const shifted = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= shifted;
      s3 = (s3 << 11) | (s3 >>> 21);

      const bucket = draw & BUCKET_MASK;
      // Branch-free `u < keep ? outcome : alias`: a branch here mispredicts often and was 2x slower.
      const useAlias = (keep[bucket]! - 1 - (draw >>> BUCKET_BITS)) >>> 31;
      const quadrants = outcomes[(bucket << 1) | useAlias]!;
      from |= (quadrants & LEVEL_BITS_MASK) << level;
      to |= (quadrants >>> 16) << level;
    }
    src[edge] = relabelVertex(from & relabel.mask, relabel);
    dst[edge] = relabelVertex(to & relabel.mask, relabel);
  }
  randomState[0] = s0;
  randomState[1] = s1;
  randomState[2] = s2;
  randomState[3] = s3;
}

// ---------------------------------------------------------------------------------------------
// Quadrant sampling: Walker's alias method (A. J. Walker, ACM TOMS 1977; M. D. Vose, IEEE TSE
// 1991) over LEVELS_PER_DRAW levels at once. Deciding one level per draw with three threshold
// compares cost ~20 s at scale 22 (22 draws and mispredicted branches per edge); deciding 8 levels
// from the 4^8 products of a, b, c, d costs one draw and one compare. The weights are integers
// summing to 2^32 and the compares are on integers, never floats; each level's quadrant
// probabilities come out within ~1e-8 of a, b, c, d.

const LEVELS_PER_DRAW = 8;
/** The low BUCKET_BITS of a draw pick one of the 4^LEVELS_PER_DRAW buckets... */
const BUCKET_BITS = 2 * LEVELS_PER_DRAW;
const BUCKET_MASK = (1 << BUCKET_BITS) - 1;
/** ...and the high bits, a uniform integer below BUCKET_CAPACITY, pick its outcome or its alias. */
const BUCKET_CAPACITY = 2 ** (32 - BUCKET_BITS);
const LEVEL_BITS_MASK = (1 << LEVELS_PER_DRAW) - 1;

interface QuadrantSampler {
  /** Bucket i yields `outcomes[2i]` when the high bits of the draw are below `keep[i]`, else its alias `outcomes[2i + 1]`. */
  keep: Int32Array;
  /** An outcome packs the src bits of its levels in bits 0..15 and the dst bits in bits 16..31. */
  outcomes: Int32Array;
}

function buildQuadrantSampler(a: number, b: number, c: number): QuadrantSampler {
  // Quadrant q of one level has srcBit = q >> 1 and dstBit = q & 1: a (0,0), b (0,1), c (1,0), d (1,1).
  const quadrantProbability = [a, b, c, 1 - a - b - c];
  const outcomes = 1 << BUCKET_BITS;
  const weight = new Float64Array(outcomes);
  const packed = new Int32Array(outcomes);
  // Each weight is the difference of consecutive rounded cumulative sums (in units of 2^-32):
  // within one unit of exact, and together exactly 2^32.
  let cumulative = 0;
  let boundary = 0;
  for (let outcome = 0; outcome < outcomes; outcome++) {
    let probability = 1;
    let srcBits = 0;
    let dstBits = 0;
    for (let level = 0; level < LEVELS_PER_DRAW; level++) {
      const quadrant = (outcome >>> (2 * level)) & 3;
      probability *= quadrantProbability[quadrant]!;
      srcBits |= (quadrant >> 1) << level;
      dstBits |= (quadrant & 1) << level;
    }
    cumulative += probability;
    const next = outcome === outcomes - 1 ? 2 ** 32 : Math.min(2 ** 32, Math.round(cumulative * 2 ** 32));
    weight[outcome] = next - boundary;
    boundary = next;
    packed[outcome] = srcBits | (dstBits << 16);
  }

  // Vose: pair each underfull bucket with an overfull outcome that tops it up to capacity.
  const keep = new Int32Array(outcomes).fill(BUCKET_CAPACITY);
  const alias = Int32Array.from(packed);
  const underfull = new Int32Array(outcomes);
  const overfull = new Int32Array(outcomes);
  let underfullCount = 0;
  let overfullCount = 0;
  for (let outcome = 0; outcome < outcomes; outcome++) {
    if (weight[outcome]! < BUCKET_CAPACITY) underfull[underfullCount++] = outcome;
    else overfull[overfullCount++] = outcome;
  }
  while (underfullCount > 0 && overfullCount > 0) {
    const small = underfull[--underfullCount]!;
    const large = overfull[--overfullCount]!;
    keep[small] = weight[small]!;
    alias[small] = packed[large]!;
    weight[large]! -= BUCKET_CAPACITY - weight[small]!;
    if (weight[large]! < BUCKET_CAPACITY) underfull[underfullCount++] = large;
    else overfull[overfullCount++] = large;
  }
  // Integer weights leave every remaining bucket exactly full: `keep` stays at capacity.
  const interleaved = new Int32Array(2 * outcomes);
  for (let bucket = 0; bucket < outcomes; bucket++) {
    interleaved[2 * bucket] = packed[bucket]!;
    interleaved[2 * bucket + 1] = alias[bucket]!;
  }
  return { keep, outcomes: interleaved };
}

// ---------------------------------------------------------------------------------------------
// Seeding and relabelling, all in 32-bit integer operations.

/** Independent streams of one seed: the edge generator's state, and the relabelling keys. */
const EDGE_STREAM = 1;
const RELABEL_STREAM = 2;
const GOLDEN_GAMMA = 0x9e3779b9;

/** A 32-bit bijective finalizer (C. Wellons' "lowbias32"). */
function mix32(value: number): number {
  let x = value ^ (value >>> 16);
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return x ^ (x >>> 16);
}

/**
 * `count` words of the splitmix32 sequence for `(seed, stream)`. The stream number and both
 * halves of the (up to 53-bit) seed are absorbed by bijective steps, so seeds below 2^32 never
 * collide; consecutive words are distinct, so a xoshiro128** state drawn from them is never all
 * zero.
 */
function seedWords(seed: number, stream: number, count: number): Int32Array {
  let state = mix32(stream);
  state = mix32(state ^ (seed >>> 0));
  state = mix32(state ^ Math.floor(seed / 2 ** 32));
  const words = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + GOLDEN_GAMMA) | 0;
    words[i] = mix32(state);
  }
  return words;
}

/** The keys of one seeded bijection of [0, 2^scale); see `relabelVertex`. */
interface RelabelKeys {
  readonly mask: number;
  readonly shift: number;
  readonly key0: number;
  readonly key1: number;
  readonly key2: number;
  readonly multiplier0: number;
  readonly multiplier1: number;
  readonly multiplier2: number;
}

function relabelKeys(scale: number, seed: number): RelabelKeys {
  const mask = 2 ** scale - 1;
  const [key0, key1, key2, multiplier0, multiplier1, multiplier2] = seedWords(seed, RELABEL_STREAM, 6);
  return {
    mask,
    shift: (scale + 1) >> 1,
    key0: key0! & mask,
    key1: key1! & mask,
    key2: key2! & mask,
    multiplier0: multiplier0! | 1,
    multiplier1: multiplier1! | 1,
    multiplier2: multiplier2! | 1,
  };
}

/**
 * A seeded bijection of [0, 2^scale): three rounds of xor with a key, multiply by an odd number
 * and xorshift, each invertible modulo 2^scale. Multiplication carries low bits upward and the
 * xorshift carries high bits downward, so after the rounds every output bit depends on every
 * input bit.
 */
function relabelVertex(id: number, keys: RelabelKeys): number {
  const { mask, shift } = keys;
  let x = Math.imul(id ^ keys.key0, keys.multiplier0) & mask;
  x ^= x >>> shift;
  x = Math.imul(x ^ keys.key1, keys.multiplier1) & mask;
  x ^= x >>> shift;
  x = Math.imul(x ^ keys.key2, keys.multiplier2) & mask;
  return x ^ (x >>> shift);
}

// ---------------------------------------------------------------------------------------------
// The text writer.

/** A piece is handed to the stream once it holds this many bytes... */
const PIECE_BYTES = 4 * 1024 * 1024;
/** ...and never overflows, since a chunk's lines are at most this long each: 10 + 1 + 10 + 1. */
const MAX_LINE_BYTES = 22;
const PIECE_CAPACITY = PIECE_BYTES + CHUNK_EDGES * MAX_LINE_BYTES;
const TAB = 0x09;
const NEWLINE = 0x0a;
const DIGIT_ZERO = 0x30;

/**
 * Streams a SNAP-style text edge list to `file` (gzip-compressed when the name ends in .gz):
 * two `#` lines naming the generator, its parameters and the counts, then one `src\tdst` line
 * per edge. Returns the vertex and edge counts and the bytes written to the file. A write
 * failure rejects with a `GasError` of code `GAS_ERR_IO`; on any failure the partial file is
 * removed.
 */
export async function writeKroneckerEdgeList(
  opts: KroneckerOptions,
  file: string,
  onProgress?: (edgesWritten: number, totalEdges: number) => void,
): Promise<{ vertices: number; edges: number; bytes: number }> {
  const options = resolveKroneckerOptions(opts);
  const vertices = 2 ** options.scale;
  const edges = options.edgeFactor * vertices;
  const fileStream = createWriteStream(file);
  // Random ids barely compress: at scale 20 the default level 6 saved 3% of the bytes over
  // level 1 and took 60% longer.
  const gzip = file.endsWith('.gz') ? createGzip({ level: zlibConstants.Z_BEST_SPEED }) : undefined;
  const sink: Writable = gzip ?? fileStream;
  // Settles once the file is complete and closed, or with the first error of either stream.
  const closed = gzip === undefined ? finished(fileStream) : pipeline(gzip, fileStream);
  const failed = new Promise<Error>((resolve) => closed.catch(resolve));

  // Two pieces alternate: the stream consumes one while the other is filled. A piece is
  // refilled only after the stream's write callback has released it (for gzip that waits for
  // the file to take the compressed output), so at most two pieces are in flight: that wait is
  // the backpressure. Awaiting 'drain' instead would idle the formatter while the stream works.
  const pieces = [Buffer.allocUnsafe(PIECE_CAPACITY), Buffer.allocUnsafe(PIECE_CAPACITY)] as const;
  const released: [Promise<unknown>, Promise<unknown>] = [Promise.resolve(), Promise.resolve()];
  let current = 0;
  let used = pieces[0].write(edgeListHeader(options, vertices, edges), 'latin1');
  let edgesWritten = 0;
  let streamFailed = false;
  try {
    for (const { src, dst, length } of generateEdges(options)) {
      if (used >= PIECE_BYTES) {
        released[current] = writePiece(sink, pieces[current], used);
        current ^= 1;
        // A write error also rejects `closed`, which reports it below.
        streamFailed = (await Promise.race([released[current], failed])) instanceof Error;
        if (streamFailed) break;
        used = 0;
      }
      used = formatEdges(pieces[current], used, src, dst, length);
      edgesWritten += length;
      onProgress?.(edgesWritten, edges);
    }
    if (!streamFailed) {
      void writePiece(sink, pieces[current], used);
      sink.end();
    }
  } catch (error) {
    // Only `onProgress` can throw here: abandon the file and let its error through unchanged.
    sink.destroy();
    await closed.catch(() => undefined);
    await rm(file, { force: true });
    throw error;
  }
  try {
    await closed;
  } catch (error) {
    await rm(file, { force: true }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new GasError('GAS_ERR_IO', `writeKroneckerEdgeList: cannot write ${file}: ${reason}`, { file }, { cause: error });
  }
  return { vertices, edges, bytes: fileStream.bytesWritten };
}

function edgeListHeader(options: Required<KroneckerOptions>, vertices: number, edges: number): string {
  const { scale, edgeFactor, seed, a, b, c } = options;
  return (
    `# Graph500 Kronecker (R-MAT) graph from gasworks: scale=${scale} edgeFactor=${edgeFactor} seed=${seed} a=${a} b=${b} c=${c}\n` +
    `# Directed, self-loops and duplicate edges kept. Nodes: ${vertices} Edges: ${edges}\n`
  );
}

/** Settles (never rejects) once `sink` no longer needs `piece`, with the write error if any. */
function writePiece(sink: Writable, piece: Buffer, length: number): Promise<Error | null | undefined> {
  return new Promise((resolve) => sink.write(piece.subarray(0, length), resolve));
}

/** Formats `length` edges as `src\tdst\n` lines into `target` from `offset`; returns the end offset. */
function formatEdges(target: Uint8Array, offset: number, src: Uint32Array, dst: Uint32Array, length: number): number {
  let at = offset;
  for (let edge = 0; edge < length; edge++) {
    at = writeDecimal(target, at, src[edge]!);
    target[at++] = TAB;
    at = writeDecimal(target, at, dst[edge]!);
    target[at++] = NEWLINE;
  }
  return at;
}

/** Writes the decimal digits of `value` (a uint32) at `offset`; returns the offset after them. */
function writeDecimal(target: Uint8Array, offset: number, value: number): number {
  const end = offset + decimalLength(value);
  let at = end;
  let rest = value;
  do {
    // `>>> 0` truncates like Math.floor for uint32 but keeps V8 on integer division (2x faster).
    const quotient = (rest / 10) >>> 0;
    target[--at] = DIGIT_ZERO + rest - quotient * 10;
    rest = quotient;
  } while (rest !== 0);
  return end;
}

function decimalLength(value: number): number {
  if (value < 100_000) return value < 100 ? (value < 10 ? 1 : 2) : value < 1_000 ? 3 : value < 10_000 ? 4 : 5;
  if (value < 10_000_000) return value < 1_000_000 ? 6 : 7;
  return value < 100_000_000 ? 8 : value < 1_000_000_000 ? 9 : 10;
}
