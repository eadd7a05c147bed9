/**
 * The Graph500 Kronecker generator: size and id range, determinism, the R-MAT statistics (through
 * moments that do not depend on how vertices are named, since ids are relabelled), skew, the text
 * writer read back against the generator (plain and gzip), and option validation.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { GasError, InvalidArgumentError } from '../src/errors.js';
import { KRONECKER_DEFAULTS, kroneckerEdges, resolveKroneckerOptions, writeKroneckerEdgeList, type KroneckerOptions } from '../src/generate/kronecker.js';

const dir = mkdtempSync(join(tmpdir(), 'gasworks-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** All edges of one run, concatenated. */
function collect(options: KroneckerOptions): { src: Uint32Array; dst: Uint32Array; chunkLengths: number[] } {
  const chunks = [...kroneckerEdges(options)];
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const src = new Uint32Array(total);
  const dst = new Uint32Array(total);
  let at = 0;
  for (const chunk of chunks) {
    src.set(chunk.src.subarray(0, chunk.length), at);
    dst.set(chunk.dst.subarray(0, chunk.length), at);
    at += chunk.length;
  }
  return { src, dst, chunkLengths: chunks.map((chunk) => chunk.length) };
}

function degrees(ids: Uint32Array, vertices: number): Float64Array {
  const degree = new Float64Array(vertices);
  for (const id of ids) degree[id]!++;
  return degree;
}

function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  return max;
}

function sumOfSquares(values: Float64Array): number {
  return values.reduce((sum, value) => sum + value * value, 0);
}

function differingPositions(left: Uint32Array, right: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < left.length; i++) if (left[i] !== right[i]) count++;
  return count;
}

describe('kroneckerEdges', () => {
  it('emits edgeFactor · 2^scale edges over [0, 2^scale) in chunks of at most 65536', () => {
    const chunks = [...kroneckerEdges({ scale: 13, edgeFactor: 10, seed: 3 })];
    expect(chunks.map((chunk) => chunk.length)).toEqual([65_536, 16_384]);
    for (const { src, dst, length } of chunks) {
      expect(src.length).toBe(length);
      expect(dst.length).toBe(length);
      expect(Math.max(maxOf(src), maxOf(dst))).toBeLessThan(2 ** 13);
    }
    const tiny = collect({ scale: 1, edgeFactor: 3, seed: 1 });
    expect(tiny.src.length).toBe(6);
    for (const id of [...tiny.src, ...tiny.dst]) expect([0, 1]).toContain(id);
  });

  it('relabels with a bijection: at scale 4 every id occurs at both ends', () => {
    // The rarest endpoint (all bits one) is expected ~53 times among 16000 edges.
    const { src, dst } = collect({ scale: 4, edgeFactor: 1000, seed: 5 });
    expect(new Set(src).size).toBe(16);
    expect(new Set(dst).size).toBe(16);
  });

  it('is deterministic for a seed, and different seeds give different edges', () => {
    const first = collect({ scale: 12, edgeFactor: 16, seed: 42 });
    const again = collect({ scale: 12, edgeFactor: 16, seed: 42 });
    expect(again.src).toEqual(first.src);
    expect(again.dst).toEqual(first.dst);
    // Seeds are safe integers, not 32-bit: 42 + 2^32 is a different seed from 42.
    for (const seed of [43, 42 + 2 ** 32]) {
      const other = collect({ scale: 12, edgeFactor: 16, seed });
      expect(differingPositions(first.src, other.src)).toBeGreaterThan(0.9 * first.src.length);
    }
  });

  it('carries the random state across chunks: no chunk repeats the one before', () => {
    const chunks = [...kroneckerEdges({ scale: 12, edgeFactor: 64, seed: 1 })];
    expect(chunks.length).toBe(4);
    for (let i = 1; i < chunks.length; i++) {
      expect(differingPositions(chunks[i]!.src, chunks[i - 1]!.src)).toBeGreaterThan(0.9 * 65_536);
    }
  });

  it('is pinned for (scale 10, seed 1), so benchmark graphs named by their options stay the same', () => {
    // Changing this is changing every generated graph: do it on purpose, and say so.
    const { src, dst } = collect({ scale: 10, edgeFactor: 16, seed: 1 });
    let fingerprint = 0;
    for (let i = 0; i < src.length; i++) fingerprint = (Math.imul(fingerprint, 31) + src[i]! * 1024 + dst[i]!) >>> 0;
    expect([...src.subarray(0, 4)].map((id, i) => [id, dst[i]])).toEqual([
      [937, 813],
      [736, 223],
      [404, 874],
      [813, 412],
    ]);
    expect(fingerprint).toBe(1_366_381_020);
  });

  // Σ out-degree², Σ in-degree² and the self-loop count do not depend on how vertices are
  // named. Per level, an edge's src bit is 0 with probability a + b, its dst bit with a + c, and
  // the two bits agree with a + d; so, over M edges at scale s (D = 1 - a - b - c):
  //   E[self-loops]  = M (a + d)^s
  //   E[Σ out-deg²]  = M + M (M - 1) ((a + b)² + (c + d)²)^s
  //   E[Σ in-deg²]   = M + M (M - 1) ((a + c)² + (b + d)²)^s
  // Together they pin a + b, a + c and a + d, hence a, b, c and d. The second set has b ≠ c, so
  // swapping src and dst (or b and c) fails it. Over 30 seeds the sums of squares varied by
  // 0.6–1.3% (sd) and the self-loops as the binomial sd predicts: the bounds below are >= 6 sd.
  it.each([
    { a: 0.57, b: 0.19, c: 0.19 },
    { a: 0.5, b: 0.2, c: 0.1 },
  ])('matches the R-MAT moments for a=$a b=$b c=$c', ({ a, b, c }) => {
    const scale = 10;
    const d = 1 - a - b - c;
    const { src, dst } = collect({ scale, edgeFactor: 64, seed: 7, a, b, c });
    const edges = src.length;

    const loopProbability = (a + d) ** scale;
    const expectedLoops = edges * loopProbability;
    const loopSd = Math.sqrt(edges * loopProbability * (1 - loopProbability));
    let loops = 0;
    for (let i = 0; i < edges; i++) if (src[i] === dst[i]) loops++;
    expect(Math.abs(loops - expectedLoops)).toBeLessThan(6 * loopSd);

    const expectedOut = edges + edges * (edges - 1) * ((a + b) ** 2 + (c + d) ** 2) ** scale;
    const expectedIn = edges + edges * (edges - 1) * ((a + c) ** 2 + (b + d) ** 2) ** scale;
    expect(Math.abs(sumOfSquares(degrees(src, 2 ** scale)) / expectedOut - 1)).toBeLessThan(0.1);
    expect(Math.abs(sumOfSquares(degrees(dst, 2 ** scale)) / expectedIn - 1)).toBeLessThan(0.1);
  });

  it('is skewed at scale 12: the hub is far above the mean degree, and not at id 0', () => {
    const scale = 12;
    const { src } = collect({ scale, edgeFactor: 16, seed: 1 });
    const outDegree = degrees(src, 2 ** scale);
    const maxDegree = maxOf(outDegree);
    const hub = outDegree.indexOf(maxDegree);
    // The hub is the id whose bits are all 0 before relabelling: M (a + b)^scale ≈ 2431 edges
    // (sd over 30 seeds: 1.4%).
    expect(maxDegree).toBeGreaterThan(20 * 16);
    expect(Math.abs(maxDegree / (src.length * 0.76 ** scale) - 1)).toBeLessThan(0.1);
    expect(hub).not.toBe(0);
    expect(outDegree[0]).toBeLessThan(maxDegree / 10);
  });
});

describe('writeKroneckerEdgeList', () => {
  // Scale 16 writes ~11 MB: three 4 MiB pieces, so both buffers are filled and reused.
  const options = { scale: 16, edgeFactor: 16, seed: 9 };

  it.each(['kron16.txt', 'kron16.txt.gz'])('writes %s whose lines are the generated edges', async (name) => {
    const file = join(dir, name);
    const progress: Array<[number, number]> = [];
    const result = await writeKroneckerEdgeList(options, file, (written, total) => progress.push([written, total]));
    expect(result).toEqual({ vertices: 65_536, edges: 1_048_576, bytes: statSync(file).size });
    expect(progress.at(-1)).toEqual([1_048_576, 1_048_576]);
    expect(progress.every(([written], i) => i === 0 || written > progress[i - 1]![0])).toBe(true);

    const bytes = readFileSync(file);
    const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('latin1');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toMatch(/^# .*Kronecker.*scale=16 edgeFactor=16 seed=9 a=0\.57 b=0\.19 c=0\.19$/);
    expect(lines[1]).toMatch(/^# .*Nodes: 65536 Edges: 1048576$/);
    const edgeLines = lines.slice(2);

    const { src, dst } = collect(options);
    expect(edgeLines.length).toBe(src.length);
    let mismatches = 0;
    for (let i = 0; i < edgeLines.length; i++) {
      const match = /^(\d+)\t(\d+)$/.exec(edgeLines[i]!);
      if (match === null || Number(match[1]) !== src[i] || Number(match[2]) !== dst[i]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it.each(['k.txt', 'k.txt.gz'])('reports a write failure (%s) as GAS_ERR_IO naming the file', async (name) => {
    const file = join(dir, 'no-such-directory', name);
    const failure = await writeKroneckerEdgeList(options, file).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GasError);
    expect(failure).toMatchObject({ code: 'GAS_ERR_IO' });
    expect((failure as GasError).message).toContain(file);
  });

  it('lets an onProgress error through unchanged and removes the partial file', async () => {
    const file = join(dir, 'interrupted.txt');
    const stop = new Error('stop');
    let calls = 0;
    const onProgress = (): void => {
      if (++calls === 10) throw stop; // a chunk is ~0.8 MB of text: the first piece has gone out
    };
    await expect(writeKroneckerEdgeList(options, file, onProgress)).rejects.toBe(stop);
    expect(existsSync(file)).toBe(false);
  });
});

describe('resolveKroneckerOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveKroneckerOptions({ scale: 5 })).toEqual({ scale: 5, ...KRONECKER_DEFAULTS });
    expect(resolveKroneckerOptions({ scale: 5, seed: 0, a: 0.4 })).toEqual({ ...KRONECKER_DEFAULTS, scale: 5, seed: 0, a: 0.4 });
  });

  it('names the option and the value in its message', () => {
    expect(() => resolveKroneckerOptions({ scale: 40 })).toThrow('kronecker: scale must be an integer from 1 to 30, got 40');
  });

  it.each<[Partial<KroneckerOptions>, string]>([
    [{ scale: 0 }, 'scale'],
    [{ scale: 31 }, 'scale'],
    [{ scale: 2.5 }, 'scale'],
    [{ scale: Number.NaN }, 'scale'],
    [{ edgeFactor: 0 }, 'edgeFactor'],
    [{ edgeFactor: 1.5 }, 'edgeFactor'],
    [{ scale: 30, edgeFactor: 2 ** 24 }, 'edgeFactor'],
    [{ seed: -1 }, 'seed'],
    [{ seed: 0.5 }, 'seed'],
    [{ seed: 2 ** 53 }, 'seed'],
    [{ a: 0 }, 'a'],
    [{ b: 1 }, 'b'],
    [{ c: -0.1 }, 'c'],
    [{ a: Number.NaN }, 'a'],
    [{ a: 0.5, b: 0.25, c: 0.25 }, 'a + b + c'],
    [{ a: 0.6, b: 0.3, c: 0.2 }, 'a + b + c'],
  ])('rejects %o, naming %s', async (invalid, option) => {
    const options = { scale: 4, edgeFactor: 2, seed: 1, ...invalid };
    const expected = { name: 'InvalidArgumentError', code: 'GAS_ERR_INVALID_ARGUMENT', message: expect.stringMatching(`^kronecker: ${escapeRegExp(option)} `) };
    expect(() => resolveKroneckerOptions(options)).toThrow(InvalidArgumentError);
    expect(() => resolveKroneckerOptions(options)).toThrow(expect.objectContaining(expected));
    // Validation is eager: the call throws, before any iteration.
    expect(() => kroneckerEdges(options)).toThrow(expect.objectContaining(expected));
    const file = join(dir, 'invalid.txt');
    await expect(writeKroneckerEdgeList(options, file)).rejects.toMatchObject(expected);
    expect(existsSync(file)).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
