/**
 * Vertex labels → dense internal ids.
 *
 * Files name vertices however they like (sparse integers, integers past 2^53, strings); the
 * engine wants ids 0..V-1. Interning happens twice per edge on the import hot path, so the
 * common case — non-negative integer labels below `DIRECT_LIMIT` — costs one bit set in a
 * presence bitmap and its provisional code *is* the label. Every other label (strings, larger
 * integers) goes to a hash table and gets the code `DIRECT_LIMIT + k` in first-seen order.
 * `finalize()` numbers direct labels by rank (so integer graphs keep their label order, and a
 * dense 0-based file keeps its ids) followed by the hashed labels.
 *
 * Only labels that occur are ever given an id: nothing is created for gaps between integers.
 */
import { GasError } from '../errors.js';

/** Integer labels below this use the bitmap (at most 16 MiB of bitmap + 16 MiB of ranks). */
export const DIRECT_LIMIT = 1 << 27;
const MAX_HASHED = 0xffffffff - DIRECT_LIMIT;

/** A label as users see it: a safe non-negative integer, or the exact text from the file. */
export type VertexLabel = number | string;

export interface FinalDictionary {
  readonly numVertices: number;
  /** Ids `0..numDirect-1` are integer labels in increasing order. */
  readonly numDirect: number;
  /** Maps a provisional code (from `intern*`) to its dense id. */
  idOf(code: number): number;
  /** Rewrites codes to ids in place. */
  remap(codes: Uint32Array, length: number): void;
  /** Label of each id: the number, or NaN where the label is a string (see `text`). */
  readonly numeric: Float64Array;
  /** String labels by id (only for ids whose `numeric` entry is NaN). */
  readonly text: Map<number, string>;
}

/** A dictionary's contents in transferable form. */
export interface DictionarySnapshot {
  readonly bitmap: Uint32Array;
  readonly maxDirect: number;
  readonly hashed: readonly VertexLabel[];
}

export class LabelDictionary {
  private bitmap = new Uint32Array(1024);
  private maxDirect = -1;
  private readonly numericIndex = new NumericHashIndex();
  private readonly stringIndex = new Map<string, number>();
  private readonly hashed: VertexLabel[] = [];

  /** Provisional code for a non-negative safe-integer label. */
  internNumber(label: number): number {
    if (label < DIRECT_LIMIT) {
      const word = label >>> 5;
      if (word >= this.bitmap.length) this.growBitmap(word);
      this.bitmap[word]! |= 1 << (label & 31);
      if (label > this.maxDirect) this.maxDirect = label;
      return label;
    }
    let k = this.numericIndex.get(label);
    if (k < 0) {
      k = this.addHashed(label);
      this.numericIndex.set(label, k);
    }
    return DIRECT_LIMIT + k;
  }

  /** Provisional code for a label that is not a canonical safe integer. */
  internString(label: string): number {
    let k = this.stringIndex.get(label);
    if (k === undefined) {
      k = this.addHashed(label);
      this.stringIndex.set(label, k);
    }
    return DIRECT_LIMIT + k;
  }

  /** Interns a label given as text: canonical integers become numbers, the rest stay strings. */
  internText(text: string): number {
    const n = canonicalInteger(text);
    return n >= 0 ? this.internNumber(n) : this.internString(text);
  }

  /** This dictionary's contents, to merge into another with `absorb` (parallel parsing). */
  snapshot(): DictionarySnapshot {
    return { bitmap: this.bitmap.slice(0, (this.maxDirect >>> 5) + 1), maxDirect: this.maxDirect, hashed: this.hashed.slice() };
  }

  /**
   * Merges a dictionary filled by a parse of a *later* part of the same file: integer labels
   * keep their codes (they are the labels), hashed labels are interned here in their first-seen
   * order, so ids come out exactly as one sequential parse would give them. Returns the map from
   * the other dictionary's hashed codes to this one's (index `code − DIRECT_LIMIT`).
   */
  absorb(other: DictionarySnapshot): Uint32Array {
    if (other.maxDirect >= 0) {
      const words = (other.maxDirect >>> 5) + 1;
      if (words > this.bitmap.length) this.growBitmap(words - 1);
      for (let w = 0; w < words; w++) this.bitmap[w]! |= other.bitmap[w]!;
      if (other.maxDirect > this.maxDirect) this.maxDirect = other.maxDirect;
    }
    const codes = new Uint32Array(other.hashed.length);
    other.hashed.forEach((label, k) => {
      codes[k] = typeof label === 'number' ? this.internNumber(label) : this.internString(label);
    });
    return codes;
  }

  finalize(): FinalDictionary {
    const words = (this.maxDirect >>> 5) + 1;
    const bitmap = this.bitmap;
    const ranks = new Uint32Array(words + 1);
    let total = 0;
    for (let w = 0; w < words && this.maxDirect >= 0; w++) {
      ranks[w] = total;
      total += popcount32(bitmap[w]!);
    }
    ranks[words] = total;
    const numDirect = this.maxDirect >= 0 ? total : 0;
    const numVertices = numDirect + this.hashed.length;

    const numeric = new Float64Array(numVertices);
    const text = new Map<number, string>();
    let id = 0;
    for (let w = 0; w < words && this.maxDirect >= 0; w++) {
      let bits = bitmap[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        numeric[id++] = w * 32 + (31 - Math.clz32(low));
        bits ^= low;
      }
    }
    for (let k = 0; k < this.hashed.length; k++) {
      const label = this.hashed[k]!;
      if (typeof label === 'number') numeric[id++] = label;
      else {
        text.set(id, label);
        numeric[id++] = NaN;
      }
    }
    const identity = this.hashed.length === 0 && numDirect === this.maxDirect + 1;
    const idOf = (code: number): number => {
      if (code >= DIRECT_LIMIT) return numDirect + (code - DIRECT_LIMIT);
      const w = code >>> 5;
      return ranks[w]! + popcount32(bitmap[w]! & ((1 << (code & 31)) - 1));
    };
    const remap = (codes: Uint32Array, length: number): void => {
      if (identity) return;
      for (let i = 0; i < length; i++) {
        const code = codes[i]!;
        if (code >= DIRECT_LIMIT) {
          codes[i] = numDirect + (code - DIRECT_LIMIT);
        } else {
          const w = code >>> 5;
          codes[i] = ranks[w]! + popcount32(bitmap[w]! & ((1 << (code & 31)) - 1));
        }
      }
    };
    return { numVertices, numDirect, idOf, remap, numeric, text };
  }

  private addHashed(label: VertexLabel): number {
    const k = this.hashed.length;
    if (k >= MAX_HASHED) {
      throw new GasError('GAS_ERR_LIMIT', `import: more than ${MAX_HASHED} non-integer vertex labels`);
    }
    this.hashed.push(label);
    return k;
  }

  private growBitmap(word: number): void {
    let size = this.bitmap.length;
    while (size <= word) size *= 2;
    const next = new Uint32Array(size);
    next.set(this.bitmap);
    this.bitmap = next;
  }
}

/**
 * The value of `text` if it is a canonical decimal non-negative integer no larger than
 * 2^53 − 1 (no sign, no leading zeros, no spaces), else −1. Anything else is kept as text so
 * that labels like `007` or `18446744073709551615` survive a round trip unchanged.
 */
export function canonicalInteger(text: string): number {
  const length = text.length;
  if (length === 0 || length > 16) return -1;
  if (length > 1 && text.charCodeAt(0) === 48) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : -1;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Open-addressing hash index from safe-integer keys to small non-negative values. */
class NumericHashIndex {
  private keys = new Float64Array(1024);
  private values = new Int32Array(1024).fill(-1);
  private size = 0;

  get(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = hashNumber(key) & mask; ; slot = (slot + 1) & mask) {
      const value = this.values[slot]!;
      if (value < 0) return -1;
      if (this.keys[slot] === key) return value;
    }
  }

  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.rehash();
    this.insert(key, value);
    this.size++;
  }

  private insert(key: number, value: number): void {
    const mask = this.keys.length - 1;
    let slot = hashNumber(key) & mask;
    while (this.values[slot]! >= 0) slot = (slot + 1) & mask;
    this.keys[slot] = key;
    this.values[slot] = value;
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.values = new Int32Array(oldKeys.length * 2).fill(-1);
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldValues[i]! >= 0) this.insert(oldKeys[i]!, oldValues[i]!);
    }
  }
}

function hashNumber(key: number): number {
  const low = key >>> 0;
  const high = Math.floor(key / 4294967296) >>> 0;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
