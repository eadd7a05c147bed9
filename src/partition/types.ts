/**
 * The partitioner contract. gasworks cuts vertices, not edges (PowerGraph, OSDI 2012 §5): each
 * edge is assigned to exactly one of P partitions, and a vertex whose edges land in k partitions
 * is replicated k times (one master, k−1 mirrors). Strategies see the edge stream once, in file
 * order, as dense vertex ids; they may keep state (partial degrees, vertex→partition sets).
 */

export interface PartitionContext {
  readonly numPartitions: number;
  readonly numVertices: number;
  /** Undirected edges arrive with `source ≤ target`. */
  readonly directed: boolean;
  readonly seed: number;
  /**
   * Whole-graph degrees of the edge stream (self-loops and repeated edges included), for
   * strategies with `needsDegrees`: counted exactly in one extra pass over the parsed edges,
   * which the import holds in memory anyway. Undirected graphs: out = in = the degree.
   */
  readonly degrees?: { readonly out: Uint32Array; readonly in: Uint32Array };
  /** Strategy parameters (`--threshold` for hybrid, `--lambda` for HDRF), defaults applied. */
  readonly threshold: number;
  readonly lambda: number;
}

export interface Partitioner {
  /** Partition (0..P−1) of the edge `source → target`. Called once per edge, in stream order. */
  assign(source: number, target: number): number;
}

export interface PartitionStrategy {
  readonly name: string;
  readonly description: string;
  /**
   * True when every copy of an edge (same source and target) is always sent to the same
   * partition, so duplicates can be counted and removed one partition at a time.
   */
  readonly colocatesDuplicates: boolean;
  /**
   * True for the greedy strategies, whose choices depend on the order edges arrive in: they see
   * the edges in a seeded random order, because files sorted by source (as SNAP's are) make them
   * pile whole neighbourhoods onto one partition (HDRF paper §5.3).
   */
  readonly orderSensitive?: boolean;
  /** True when `create` reads `context.degrees`. */
  readonly needsDegrees?: boolean;
  /** Largest replication factor the strategy guarantees for P partitions, if it has a bound. */
  replicationBound?(numPartitions: number): number;
  create(context: PartitionContext): Partitioner;
}
