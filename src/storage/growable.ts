/**
 * Chunked growable typed arrays. Appending never copies what is already stored (chunks are
 * fixed at `BLOCK_SIZE` elements, the same size as an LMDB block), so memory stays at the
 * binary size of the data plus at most one partly filled chunk, and a chunk can be released as
 * soon as a later pass has consumed it.
 */
import { BLOCK_SIZE } from './columns.js';

/** An append-only list of edges (`src`, `dst`, optional `weight`) stored in fixed-size chunks. */
export class EdgeChunks {
  readonly weighted: boolean;
  private readonly srcChunks: (Uint32Array | null)[] = [];
  private readonly dstChunks: (Uint32Array | null)[] = [];
  private readonly weightChunks: (Float64Array | null)[] = [];
  /** Filled length of every chunk but the last (which is `fill`); adopted chunks may be partial. */
  private readonly lengths: number[] = [];
  private src: Uint32Array = new Uint32Array(0);
  private dst: Uint32Array = new Uint32Array(0);
  private weight: Float64Array = new Float64Array(0);
  private fill = BLOCK_SIZE;
  private count = 0;

  constructor(weighted: boolean) {
    this.weighted = weighted;
  }

  get length(): number {
    return this.count;
  }

  get chunkCount(): number {
    return this.srcChunks.length;
  }

  push(source: number, target: number, weight: number): void {
    if (this.fill === BLOCK_SIZE) this.grow();
    const i = this.fill++;
    this.src[i] = source;
    this.dst[i] = target;
    if (this.weighted) this.weight[i] = weight;
    this.count++;
  }

  /** Chunk `k` as views trimmed to its filled length. */
  chunk(k: number): { src: Uint32Array; dst: Uint32Array; weight: Float64Array | null; length: number } {
    const src = this.srcChunks[k];
    const dst = this.dstChunks[k];
    if (!src || !dst) throw new Error(`EdgeChunks: chunk ${k} was released`);
    const length = k === this.srcChunks.length - 1 ? this.fill : this.lengths[k]!;
    const weight = this.weighted ? this.weightChunks[k]! : null;
    return { src, dst, weight, length };
  }

  /** Drops chunk `k` so its memory can be reclaimed; it may not be read again. */
  release(k: number): void {
    this.srcChunks[k] = null;
    this.dstChunks[k] = null;
    if (this.weighted) this.weightChunks[k] = null;
  }

  /** Copies all edges into contiguous arrays (releasing chunks as it goes). */
  drain(): { src: Uint32Array; dst: Uint32Array; weight: Float64Array | null } {
    const n = this.count;
    const src = new Uint32Array(n);
    const dst = new Uint32Array(n);
    const weight = this.weighted ? new Float64Array(n) : null;
    let at = 0;
    for (let k = 0; k < this.srcChunks.length; k++) {
      const c = this.chunk(k);
      src.set(c.src.subarray(0, c.length), at);
      dst.set(c.dst.subarray(0, c.length), at);
      if (weight && c.weight) weight.set(c.weight.subarray(0, c.length), at);
      at += c.length;
      this.release(k);
    }
    return { src, dst, weight };
  }

  /**
   * Appends a chunk filled elsewhere (another thread's parse), without copying. Its arrays must
   * be `BLOCK_SIZE` long, as `chunks()` of another EdgeChunks gives them; later pushes go after it.
   */
  adopt(src: Uint32Array, dst: Uint32Array, weight: Float64Array | null, length: number): void {
    if (this.srcChunks.length > 0) this.lengths.push(this.fill);
    this.srcChunks.push(src);
    this.dstChunks.push(dst);
    if (this.weighted) this.weightChunks.push(weight);
    this.src = src;
    this.dst = dst;
    if (weight) this.weight = weight;
    this.fill = length;
    this.count += length;
  }

  /** Every chunk with its filled length (for handing the edges to another thread). */
  chunks(): { src: Uint32Array; dst: Uint32Array; weight: Float64Array | null; length: number }[] {
    return this.srcChunks.map((_, k) => this.chunk(k));
  }

  private grow(): void {
    if (this.srcChunks.length > 0) this.lengths.push(this.fill);
    this.src = new Uint32Array(BLOCK_SIZE);
    this.dst = new Uint32Array(BLOCK_SIZE);
    this.srcChunks.push(this.src);
    this.dstChunks.push(this.dst);
    if (this.weighted) {
      this.weight = new Float64Array(BLOCK_SIZE);
      this.weightChunks.push(this.weight);
    }
    this.fill = 0;
  }
}
