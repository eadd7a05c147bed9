/**
 * `canonical-random`: each edge to the partition given by a seeded hash of its *unordered* pair
 * {source, target}, so u→v and v→u always land together (GraphX's CanonicalRandomVertexCut).
 * Same replication as `random` in expectation: a vertex of degree d has P·(1 − (1 − 1/P)^d)
 * replicas (PowerGraph §5.1); no worst-case bound below P.
 */
import { hashPair } from './hash.js';
import type { PartitionStrategy } from './types.js';

export const canonicalRandomStrategy: PartitionStrategy = {
  name: 'canonical-random',
  description: 'hash of the unordered pair {source, target}',
  colocatesDuplicates: true,
  create({ numPartitions, seed }) {
    return {
      assign: (source, target) => (source <= target ? hashPair(source, target, seed) : hashPair(target, source, seed)) % numPartitions,
    };
  },
};
