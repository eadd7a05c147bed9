/**
 * The state of the streaming greedy strategies: which partitions already hold a replica of each
 * vertex (a bit set of ⌈P/32⌉ words per vertex: memory proportional to vertices, never to
 * edges), and how many edges each partition has received.
 */
export class ReplicaSets {
  readonly words: number;
  readonly bits: Uint32Array;
  readonly loads: Float64Array;

  constructor(
    numVertices: number,
    readonly numPartitions: number,
  ) {
    this.words = (numPartitions + 31) >>> 5;
    this.bits = new Uint32Array(numVertices * this.words);
    this.loads = new Float64Array(numPartitions);
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
    this.loads[partition]!++;
    return partition;
  }
}
