/**
 * `random`: each edge to the partition given by a seeded hash of (source, target). Balanced in
 * edges, oblivious to structure, so replication grows with P (expected replicas of a vertex of
 * degree d: P·(1 − (1 − 1/P)^d), PowerGraph §5.1). Duplicate edges hash alike and stay together.
 */
import { hashPair } from './hash.js';
import type { PartitionStrategy } from './types.js';

export const randomStrategy: PartitionStrategy = {
  name: 'random',
  description: 'hash of the edge (source, target)',
  colocatesDuplicates: true,
  create({ numPartitions, seed }) {
    return {
      assign: (source, target) => hashPair(source, target, seed) % numPartitions,
    };
  },
};
