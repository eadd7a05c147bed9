/** Seeded 32-bit integer hashing (MurmurHash3's finalizer), the basis of the hashing strategies. */

export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of one vertex id under `seed`. */
export function hashVertex(vertex: number, seed: number): number {
  return mix32((vertex ^ Math.imul(seed, 0x9e3779b1)) >>> 0);
}

/** Hash of an ordered pair under `seed`. */
export function hashPair(a: number, b: number, seed: number): number {
  return mix32((Math.imul(hashVertex(a, seed), 0x01000193) ^ b) >>> 0);
}
