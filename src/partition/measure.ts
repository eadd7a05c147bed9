/**
 * Running one strategy over an in-memory edge stream and measuring the cut it makes, without
 * storing anything: replication factor (replicas per vertex with an edge), edge balance (max/mean
 * edges per partition), vertex balance (max/mean replicas per partition), time and the memory of
 * the strategy's state. Used by `partition-report` and by `--strategy auto`.
 */
import { BLOCK_SIZE } from '../storage/columns.js';
import { gatherSpan, verticesWithBits, type GatherDirection } from './gather-span.js';
import { balance } from './routing.js';
import { shuffledChunks } from './stream-order.js';
import type { PartitionStrategy } from './types.js';

/** Dense-id edges in stream order (undirected: source ≤ target). */
export interface EdgeStream {
  readonly numVertices: number;
  readonly directed: boolean;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
}

export interface StrategyMeasurement {
  readonly replicationFactor: number;
  readonly edgeBalance: number;
  readonly vertexBalance: number;
  readonly seconds: number;
  readonly edgesPerSecond: number;
  /** Typed-array memory of the strategy's state (and its degree pass), in MB. */
  readonly stateMB: number;
  /** Mean partitions per vertex holding its gather edges (`gather-span.ts`); = replicationFactor for `all`. */
  readonly gatherSpan: number;
}

export function measureStrategy(
  strategy: PartitionStrategy,
  stream: EdgeStream,
  partitions: number,
  parameters: { seed: number; threshold: number; lambda: number; streamOrder: boolean; gathers?: GatherDirection },
): StrategyMeasurement {
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  const degrees = strategy.needsDegrees ? countDegrees(stream) : undefined;
  const partitioner = strategy.create({
    numPartitions: partitions,
    numVertices: stream.numVertices,
    directed: stream.directed,
    seed: parameters.seed,
    degrees,
    threshold: parameters.threshold,
    lambda: parameters.lambda,
  });
  const { src, dst } = stream;
  const assignment = new Uint16Array(src.length);
  if (strategy.orderSensitive && !parameters.streamOrder) {
    const chunks = Math.ceil(src.length / BLOCK_SIZE);
    for (const { chunk, order } of shuffledChunks(chunks, (k) => Math.min(BLOCK_SIZE, src.length - k * BLOCK_SIZE), parameters.seed)) {
      const base = chunk * BLOCK_SIZE;
      for (let i = 0; i < order.length; i++) {
        const e = base + order[i]!;
        assignment[e] = partitioner.assign(src[e]!, dst[e]!);
      }
    }
  } else {
    for (let e = 0; e < src.length; e++) assignment[e] = partitioner.assign(src[e]!, dst[e]!);
  }
  const seconds = (performance.now() - started) / 1000;
  const stateMB = Math.max(0, process.memoryUsage().arrayBuffers - before - assignment.byteLength) / 2 ** 20;
  const cut = cutOf(stream, assignment, partitions);
  const gathers = stream.directed ? (parameters.gathers ?? 'all') : 'all';
  const span = gathers === 'all' ? cut.replicationFactor : gatherSpan(stream, assignment, partitions, gathers);
  return { ...cut, seconds, edgesPerSecond: src.length / Math.max(seconds, 1e-9), stateMB, gatherSpan: span };
}

function countDegrees(stream: EdgeStream): { out: Uint32Array; in: Uint32Array } {
  const out = new Uint32Array(stream.numVertices);
  const into = stream.directed ? new Uint32Array(stream.numVertices) : out;
  for (let e = 0; e < stream.src.length; e++) {
    out[stream.src[e]!]!++;
    into[stream.dst[e]!]!++;
  }
  return { out, in: into };
}

/** Replicas per vertex (vertices with edges only) and loads per partition, from an assignment. */
function cutOf(stream: EdgeStream, assignment: Uint16Array, partitions: number): { replicationFactor: number; edgeBalance: number; vertexBalance: number } {
  const words = (partitions + 31) >>> 5;
  const bits = new Uint32Array(stream.numVertices * words);
  const edges = new Float64Array(partitions);
  const vertices = new Float64Array(partitions);
  let replicas = 0;
  const mark = (v: number, p: number): void => {
    const at = v * words + (p >>> 5);
    const bit = 1 << (p & 31);
    if ((bits[at]! & bit) === 0) {
      bits[at]! |= bit;
      vertices[p]!++;
      replicas++;
    }
  };
  for (let e = 0; e < assignment.length; e++) {
    const p = assignment[e]!;
    edges[p]!++;
    mark(stream.src[e]!, p);
    mark(stream.dst[e]!, p);
  }
  const touched = verticesWithBits(bits, stream.numVertices, words);
  return { replicationFactor: touched === 0 ? 1 : replicas / touched, edgeBalance: balance(edges), vertexBalance: balance(vertices) };
}
