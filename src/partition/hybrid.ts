/**
 * `hybrid`, PowerLyra's hybrid-cut (Chen, Shi, Chen & Chen, EuroSys 2015, §4.1): an edge goes
 * with its target when the target's in-degree is at most `threshold` (default 100) — a low-degree
 * vertex keeps all its in-edges in one partition, edge-cut style, so gathering them needs no
 * mirror — and with its source otherwise, so a hub's in-edges spread over the partitions of its
 * in-neighbours (vertex-cut). Ties the cut to the `in` direction most programs gather on.
 *
 * Degrees are exact, from one extra pass over the parsed edges (`needsDegrees`).
 */
import { hashVertex } from './hash.js';
import type { PartitionStrategy } from './types.js';

export const hybridStrategy: PartitionStrategy = {
  name: 'hybrid',
  description: 'low in-degree targets by target, high in-degree targets by source (--threshold, default 100)',
  colocatesDuplicates: true,
  needsDegrees: true,
  create({ numPartitions, seed, degrees, threshold }) {
    if (!degrees) throw new Error('hybrid: degrees are required');
    const inDegree = degrees.in;
    return {
      assign: (source, target) => hashVertex(inDegree[target]! <= threshold ? target : source, seed) % numPartitions,
    };
  },
};
