/**
 * Seeded uniform numbers in [0, 1) from (seed, a, b) without state: the same vertex gets the same
 * initial values on every worker and under every partitioning, so results depend only on the
 * seed. MurmurHash3's 32-bit finaliser over the mixed inputs (53 bits from two rounds).
 */
import { mix32 } from '../../partition/hash.js';

export function unitHash(seed: number, a: number, b: number): number {
  const h1 = mix32((Math.imul(a, 0x9e3779b1) ^ mix32(seed ^ Math.imul(b + 1, 0x85ebca6b))) >>> 0);
  const h2 = mix32((h1 ^ Math.imul(b, 0xc2b2ae35) ^ 0x27d4eb2f) >>> 0);
  return ((h1 >>> 5) * 67108864 + (h2 >>> 6)) / 9007199254740992;
}
