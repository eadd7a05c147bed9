/**
 * The state of the streaming greedy strategies: which partitions already hold a replica of each
 * vertex (a bit set of ⌈P/32⌉ words per vertex: memory proportional to vertices, never to
 * edges), how many edges each partition has received, and the least loaded partition (lowest
 * index among ties), kept up to date in amortised O(1) per edge so that a placement costs
 * O(|A(u)| + |A(v)|), not O(P).
 */
export class ReplicaSets {
  readonly words: number;
  readonly bits: Uint32Array;
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
    this.bits = new Uint32Array(numVertices * this.words);
    this.loads = new Float64Array(numPartitions);
    this.atMin = numPartitions;
  }

  has(vertex: number, partition: number): boolean {
    return (this.bits[vertex * this.words + (partition >>> 5)]! & (1 << (partition & 31))) !== 0;
  }

  isEmpty(vertex: number): boolean {
    for (let w = 0, at = vertex * this.words; w < this.words; w++, at++) if (this.bits[at] !== 0) return false;
    return true;
  }

  /** Records edge (u, v) in `partition`: both endpoints now have a replica there. */
  place(u: number, v: number, partition: number): number {
    const word = partition >>> 5;
    const bit = 1 << (partition & 31);
    this.bits[u * this.words + word]! |= bit;
    this.bits[v * this.words + word]! |= bit;
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
