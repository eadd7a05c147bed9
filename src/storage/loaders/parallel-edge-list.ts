/**
 * Parsing a large plain-text edge list on every core. The file is cut into one byte range per
 * thread at line boundaries; each thread scans its range into its own label dictionary and
 * edge chunks, and the ranges are merged in file order: integer labels are their own codes, and
 * other labels are re-interned range by range, so ids and edge order come out exactly as one
 * sequential parse would give them. A parse error names the file and the absolute line.
 * (Gzip streams cannot be cut, so compressed files are parsed sequentially; their inflation
 * already runs on libuv's thread pool.)
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startModuleWorker } from '../../threads.js';
import { GasError, ParseError } from '../../errors.js';
import { DIRECT_LIMIT, type DictionarySnapshot } from '../dictionary.js';
import type { InputFile } from './input.js';
import type { LoadInfo, LoadTarget, LoaderOptions } from './types.js';

/**
 * Files smaller than this are parsed in one thread (thread start-up would cost more than it
 * saves). `GASWORKS_PARALLEL_PARSE_BYTES` overrides it, so tests can exercise the parallel path
 * on small files.
 */
export const PARALLEL_BYTES = Number(process.env.GASWORKS_PARALLEL_PARSE_BYTES) || 64 << 20;

export interface RangeRequest {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly first: boolean;
  readonly tabOnly: boolean;
  readonly weighted: boolean;
  readonly header: boolean | 'auto';
}

export type RangeResult =
  | { ok: true; chunks: { src: Uint32Array; dst: Uint32Array; weight: Float64Array | null; length: number }[]; dictionary: DictionarySnapshot; lines: number }
  | { ok: false; line: number; problem: string; text?: string; code: string; message: string };

export async function parseInParallel(input: InputFile, target: LoadTarget, options: LoaderOptions, tabOnly: boolean): Promise<LoadInfo> {
  const threads = Math.max(1, Math.min(availableParallelism(), 8));
  const bounds = rangeBounds(input.path, input.bytes, threads);
  const requests: RangeRequest[] = bounds.slice(0, -1).map((start, k) => ({
    path: input.path,
    start,
    end: bounds[k + 1]!,
    first: k === 0,
    tabOnly,
    weighted: options.weighted,
    header: options.header,
  }));
  const results = await Promise.all(requests.map(runRange));
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

/** Byte offsets cutting the file into `parts` ranges, each starting at the beginning of a line. */
function rangeBounds(path: string, size: number, parts: number): number[] {
  const bounds = [0];
  const fd = openSync(path, 'r');
  try {
    const window = Buffer.alloc(1 << 16);
    for (let k = 1; k < parts; k++) {
      let at = Math.max(bounds[bounds.length - 1]!, Math.floor((size * k) / parts));
      for (;;) {
        const n = readSync(fd, window, 0, window.length, at);
        if (n <= 0) {
          at = size;
          break;
        }
        const newline = window.subarray(0, n).indexOf(10);
        if (newline >= 0) {
          at += newline + 1;
          break;
        }
        at += n;
      }
      if (at < size && at > bounds[bounds.length - 1]!) bounds.push(at);
    }
  } finally {
    closeSync(fd);
  }
  bounds.push(size);
  return bounds;
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

/** Reads one byte range of a file in chunks. */
export function readRange(path: string, start: number, end: number): AsyncIterable<Buffer> {
  return createReadStream(path, { start, end: end - 1, highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>;
}
