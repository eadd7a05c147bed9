/**
 * Parsing a large plain-text edge list on every core. The file is cut into one byte range per
 * thread at line boundaries; each thread scans its range into its own label dictionary and
 * edge chunks, and the ranges are merged in file order: integer labels are their own codes, and
 * other labels are re-interned range by range, so ids and edge order come out exactly as one
 * sequential parse would give them. A parse error names the file and the absolute line.
 * (Gzip streams cannot be cut, so compressed files are parsed sequentially; their inflation
 * already runs on libuv's thread pool.) Ranges are cut just past a line terminator — LF, CRLF or
 * a lone CR, never between the CR and LF of one CRLF — so no line is split, doubled or lost.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startModuleWorker } from '../../threads.js';
import { GasError, ParseError } from '../../errors.js';
import { DIRECT_LIMIT, type DictionarySnapshot } from '../dictionary.js';
import { CR, LF, type InputFile } from './input.js';
import { labelLimit, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';

/**
 * Files smaller than this are parsed in one thread (thread start-up would cost more than it
 * saves). `GASWORKS_PARALLEL_PARSE_BYTES` overrides it (read at each import), so tests can
 * exercise the parallel path on small files.
 */
export function parallelBytes(): number {
  return Number(process.env.GASWORKS_PARALLEL_PARSE_BYTES) || 64 << 20;
}

/** How a parallel parse is carried out: ranges and where they run. Tests use many ranges, run in-process. */
export interface RangePlan {
  /** Number of byte ranges (default: one per core, at most 8). */
  readonly parts: number;
  /** Scans one range (default: on a new worker thread). */
  readonly run: (request: RangeRequest) => Promise<RangeResult>;
}

export interface RangeRequest {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly first: boolean;
  readonly tabOnly: boolean;
  readonly weighted: boolean;
  readonly header: boolean | 'auto';
  readonly maxLabelBytes: number;
}

export type RangeResult =
  | { ok: true; chunks: { src: Uint32Array; dst: Uint32Array; weight: Float64Array | null; length: number }[]; dictionary: DictionarySnapshot; lines: number }
  | { ok: false; line: number; problem: string; text?: string; code: string; message: string };

export async function parseInParallel(
  input: InputFile,
  target: LoadTarget,
  options: LoaderOptions,
  tabOnly: boolean,
  plan: RangePlan = { parts: Math.max(1, Math.min(availableParallelism(), 8)), run: runRange },
): Promise<LoadInfo> {
  // A header is recognised only in the first range, so no range may start before the first data line ends.
  const bounds = rangeBounds(input.path, input.bytes, plan.parts, options.header === false ? 0 : firstDataLineEnd(input.path, input.bytes));
  const requests: RangeRequest[] = bounds.slice(0, -1).map((start, k) => ({
    path: input.path,
    start,
    end: bounds[k + 1]!,
    first: k === 0,
    tabOnly,
    weighted: options.weighted,
    header: options.header,
    maxLabelBytes: labelLimit(options),
  }));
  const results = await Promise.all(requests.map(plan.run));
  options.onBytes?.(input.bytes);

  const edges = target.begin(options.weighted);
  let lines = 0;
  for (const result of results) {
    if (!result.ok) {
      const line = lines + result.line;
      if (result.code !== 'GAS_ERR_PARSE') throw new GasError(result.code as never, result.message);
      throw new ParseError(input.path, line, result.problem, result.text);
    }
    const codes = target.dictionary.absorb(result.dictionary);
    for (const chunk of result.chunks) {
      if (codes.length > 0) remapHashed(chunk.src, chunk.length, codes);
      if (codes.length > 0) remapHashed(chunk.dst, chunk.length, codes);
      edges.adopt(chunk.src, chunk.dst, chunk.weight, chunk.length);
    }
    lines += result.lines;
  }
  return { weighted: options.weighted, lines };
}

function remapHashed(codes: Uint32Array, length: number, map: Uint32Array): void {
  for (let i = 0; i < length; i++) {
    const code = codes[i]!;
    if (code >= DIRECT_LIMIT) codes[i] = map[code - DIRECT_LIMIT]!;
  }
}

/** Byte offsets cutting the file into `parts` ranges, each starting at the beginning of a line, none before `minCut`. */
export function rangeBounds(path: string, size: number, parts: number, minCut = 0): number[] {
  const bounds = [0];
  const fd = openSync(path, 'r');
  try {
    const window = Buffer.alloc(1 << 16);
    for (let k = 1; k < parts; k++) {
      const from = Math.max(bounds[bounds.length - 1]!, Math.floor((size * k) / parts));
      const at = from < minCut ? minCut : lineStartAfter(fd, window, from, size);
      if (at < size && at > bounds[bounds.length - 1]!) bounds.push(at);
    }
  } finally {
    closeSync(fd);
  }
  bounds.push(size);
  return bounds;
}

/** Just past the first line terminator at or after `at` (a CR followed by LF ends at the LF); `size` if none. */
function lineStartAfter(fd: number, window: Buffer, at: number, size: number): number {
  for (;;) {
    const n = readSync(fd, window, 0, window.length, at);
    if (n <= 0) return size;
    const view = window.subarray(0, n);
    const lf = view.indexOf(LF);
    const cr = view.subarray(0, lf < 0 ? n : lf).indexOf(CR);
    if (cr >= 0) {
      // The byte after the CR may lie in the next window.
      const following = cr + 1 < n ? view[cr + 1] : readByte(fd, at + n);
      return at + cr + (following === LF ? 2 : 1);
    }
    if (lf >= 0) return at + lf + 1;
    at += n;
  }
}

/**
 * Just past the first line that is neither blank nor a comment (the line a header would be on),
 * or `size` when there is none. Only the head of the file is read, a line at a time.
 */
function firstDataLineEnd(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const window = Buffer.alloc(1 << 16);
    let at = 0;
    while (at < size) {
      const next = lineStartAfter(fd, window, at, size);
      const n = readSync(fd, window, 0, Math.min(window.length, next - at), at);
      let i = 0;
      if (at === 0 && window[0] === 0xef && window[1] === 0xbb && window[2] === 0xbf) i = 3;
      while (i < n && (window[i] === 32 || window[i] === 9)) i++;
      const c = i < n ? window[i] : LF;
      if (c !== LF && c !== CR && c !== 35 && c !== 37) return next;
      at = next;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}

function readByte(fd: number, position: number): number {
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, position) === 1 ? one[0]! : -1;
}

function runRange(request: RangeRequest): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, './edge-list-worker');
    worker.once('message', (result: RangeResult) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', (error) => {
      void worker.terminate();
      reject(error);
    });
    worker.postMessage(request);
  });
}

/** Reads one byte range of a file in chunks (of `chunkBytes`: tests make them tiny, so chunk ends fall everywhere). */
export function readRange(path: string, start: number, end: number, chunkBytes = 4 << 20): AsyncIterable<Buffer> {
  if (end <= start) return (async function* () {})();
  return createReadStream(path, { start, end: end - 1, highWaterMark: chunkBytes }) as AsyncIterable<Buffer>;
}
