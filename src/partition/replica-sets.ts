/**
 * The state of the streaming greedy strategies, one record per vertex — its partial degree (the
 * edges seen so far) followed by the bit set of partitions already holding a replica (⌈P/32⌉
 * words): memory proportional to vertices, never to edges, one cache line per endpoint. Also the
 * edges each partition has received, and the least loaded partition (lowest index among ties),
 * kept up to date in amortised O(1) per edge so that a placement costs at most |A(u) ∪ A(v)| load
 * comparisons, not O(P) scores (see greedyPartitioner). On kron-20, with the placement that cheap,
 * reading the endpoints' records is the largest single cost (a third of the profile at P = 4:
 * 5 MB of records, read in random order).
 */
export class ReplicaSets {
  /** Bit-set words per vertex. */
  readonly words: number;
  /** Words per vertex record: [partial degree, bits…]. */
  readonly stride: number;
  readonly records: Uint32Array;
  /**
   * The same memory as `records`, for the bit words: as int32, a word with partition 31 set
   * stays a small integer in V8 rather than becoming a heap number (as a uint32 ≥ 2³¹ would).
   */
  readonly bits: Int32Array;
  readonly loads: Float64Array;
  /** Smallest load, and the lowest partition index having it. */
  minLoad = 0;
  minIndex = 0;
  maxLoad = 0;
  private atMin: number;

  constructor(
    numVertices: number,
    readonly numPartitions: number,
  ) {
    this.words = (numPartitions + 31) >>> 5;
    this.stride = this.words + 1;
    this.records = new Uint32Array(numVertices * this.stride);
    this.bits = new Int32Array(this.records.buffer);
    this.loads = new Float64Array(numPartitions);
    this.atMin = numPartitions;
  }

  /** Records edge (u, v) in `partition`: both endpoints now have a replica there. */
  place(u: number, v: number, partition: number): number {
    const word = 1 + (partition >>> 5);
    const bit = 1 << (partition & 31);
    this.bits[u * this.stride + word]! |= bit;
    this.bits[v * this.stride + word]! |= bit;
    const load = ++this.loads[partition]!;
    if (load > this.maxLoad) this.maxLoad = load;
    if (load - 1 === this.minLoad) this.raiseFromMin(partition);
    return partition;
  }

  /** `partition` left the minimum level: find the next lowest-index partition at the minimum, or raise the minimum. */
  private raiseFromMin(partition: number): void {
    const { loads, numPartitions } = this;
    if (--this.atMin > 0) {
      if (partition === this.minIndex) {
        let p = partition + 1;
        while (loads[p] !== this.minLoad) p++;
        this.minIndex = p;
      }
      return;
    }
    this.minLoad++;
    this.atMin = 0;
    this.minIndex = -1;
    for (let p = 0; p < numPartitions; p++) {
      if (loads[p] === this.minLoad) {
        if (this.minIndex < 0) this.minIndex = p;
        this.atMin++;
      }
    }
  }
}
