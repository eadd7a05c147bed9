/**
 * `dbh`, degree-based hashing (Xie, Yan, Li & Zhang, "Distributed Power-law Graph Computing:
 * Theoretical and Empirical Analysis", NIPS 2014): each edge goes to the hash of its endpoint of
 * lower degree (ties: the source), so low-degree vertices keep all their edges in one partition
 * and only hubs are cut — the vertices whose replication costs least per edge. Expected
 * replication on power-law graphs is bounded below random's in the paper's analysis.
 *
 * Degrees are exact, from one extra pass over the parsed edges (`needsDegrees`), not estimated.
 */
import { hashVertex } from './hash.js';
import type { PartitionStrategy } from './types.js';

export const dbhStrategy: PartitionStrategy = {
  name: 'dbh',
  description: 'hash of the endpoint of lower degree',
  colocatesDuplicates: true,
  needsDegrees: true,
  create({ numPartitions, seed, degrees, directed }) {
    if (!degrees) throw new Error('dbh: degrees are required');
    const { out, in: inDegree } = degrees;
    // Total degree: out + in on directed graphs; out already is the degree on undirected ones.
    const degree = (v: number): number => (directed ? out[v]! + inDegree[v]! : out[v]!);
    return {
      assign: (source, target) => hashVertex(degree(target) < degree(source) ? target : source, seed) % numPartitions,
    };
  },
};
