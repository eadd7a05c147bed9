/**
 * `1d-source` and `1d-destination`: each edge to the partition of one endpoint's hash (GraphX's
 * EdgePartition1D, Pregel-style edge placement). With `1d-source` every vertex's out-edges sit in
 * one partition, so a vertex is replicated only where its in-neighbours' partitions are:
 * replicas(v) ≤ min(P, 1 + in-degree(v)) — symmetric for `1d-destination`. Balance follows the
 * degree distribution: one hub's edges all go to one partition.
 */
import { hashVertex } from './hash.js';
import type { PartitionStrategy } from './types.js';

export const oneDimensionalSourceStrategy: PartitionStrategy = {
  name: '1d-source',
  description: 'hash of the source (out-edges of a vertex together)',
  colocatesDuplicates: true,
  create({ numPartitions, seed }) {
    return { assign: (source) => hashVertex(source, seed) % numPartitions };
  },
};

export const oneDimensionalDestinationStrategy: PartitionStrategy = {
  name: '1d-destination',
  description: 'hash of the target (in-edges of a vertex together)',
  colocatesDuplicates: true,
  create({ numPartitions, seed }) {
    return { assign: (_source, target) => hashVertex(target, seed) % numPartitions };
  },
};
