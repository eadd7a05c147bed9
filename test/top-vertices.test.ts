/**
 * topIds against sorting everything: the k best finite values, ties by vertex id, NaN and
 * infinities left out — for small k (the insertion buffer) and large k (the heap), both orders.
 */
import { describe, expect, it } from 'vitest';
import { topIds } from '../src/api/top-vertices.js';
import { seededRandom } from './helpers/generators.js';

function bySorting(values: Float64Array, k: number, order: 'asc' | 'desc'): number[] {
  const ids = [...values.keys()].filter((id) => Number.isFinite(values[id]!));
  ids.sort((a, b) => (order === 'desc' ? values[b]! - values[a]! : values[a]! - values[b]!) || a - b);
  return ids.slice(0, k);
}

describe('topIds', () => {
  const random = seededRandom(7);
  // Few distinct values, so ties are common; some NaN and infinities, which are never ranked.
  const values = Float64Array.from({ length: 3000 }, () => {
    const r = random();
    return r < 0.05 ? NaN : r < 0.07 ? Infinity : r < 0.08 ? -Infinity : Math.floor(random() * 200) / 7;
  });
  it.each([1, 10, 64, 65, 100, 1000, 2999, 5000])('k = %i, both orders, equals sorting every vertex', (k) => {
    for (const order of ['desc', 'asc'] as const) expect(topIds(values, k, order)).toEqual(bySorting(values, k, order));
  });
  it('nothing for k ≤ 0 or no finite value', () => {
    expect(topIds(values, 0, 'desc')).toEqual([]);
    expect(topIds(Float64Array.from([NaN, NaN]), 100, 'desc')).toEqual([]);
  });
});
