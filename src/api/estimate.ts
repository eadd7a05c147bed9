/**
 * A job's memory and time, estimated before it runs (as Neo4j GDS's `estimate`): the same request
 * as `JobService.submit`, resolved and planned by the same path (`prepareJob`, run.ts), with no
 * job row. The job service refuses a job whose estimate does not fit, unless forced.
 *
 * MEMORY is counted from what the code allocates, per worker (worker w owns every W-th
 * partition, exchange-plan.ts):
 *   localGraph    gid, byGid (u32), masterPartition (u16) per vertex; out/in offsets (u32, n+1);
 *                 src, dst, inEdges, inSources (u32) and weight (f64, weighted graphs) per edge;
 *                 the symmetric neighbour list (u32 per arc) of undirected all-edge gathers
 *   degrees       whole-graph degree (u32) and weight total (f64) per vertex; directed: twice
 *   vertexState   each declared vertex column: vertices × width × element size
 *   edgeState     each declared edge column (per weight unit: × the worker's weight units), and
 *                 on unweighted graphs the ones the state's `weight` holds (f64 per edge)
 *   runtime       active, signaled (u8) and the gather partial (f64 × accumulator width) per vertex
 *   exchangePlan  masterWorker (u16), isMaster (u8) per vertex; the shared-vertex lists (u32)
 *   messages      one superstep's partials, values, flags and signals, sent and received (SSP
 *                 keeps up to staleness + 1 steps of them)
 *   collect       collecting programs: one f64 per visited edge, start and end (u32) per vertex
 *   neighborSets  programs that need them: ids and multiplicities (u32) per distinct neighbour in
 *                 the whole graph of each local vertex (bounded by its whole-graph degree)
 *   neighborLists the per-vertex lists they are merged from, alive until the sets are built
 *   async         the asynchronous engine's per-vertex arrays (counts, locks, flags, scheduler)
 *   shard         the partitions' tables and vertex facts as shipped, alive while the runtime is built
 *   overhead      a worker thread's isolate and modules (measured; 0 for workers in this thread)
 * and for the coordinator: the whole-graph tables (degrees, weights, routing) and the result
 * (f64 × width per vertex, plus one worker's collected part). A worker's vertices are counted
 * exactly (the union of its partitions' vertex lists, from the routing table); its share of the
 * masters' mirror lists is apportioned by its masters.
 *
 * TIME is per-step cost from history: the 5 most recent succeeded jobs of the same algorithm (on
 * graphs within 16× of this one's edges, when there are any: a toy graph's steps are all fixed
 * cost) give ms per edge per step per worker, Σ computeMs × workers / Σ steps × edges, scaled to
 * this graph's edges and worker count. Without history, `DEFAULT_MS_PER_EDGE_STEP`
 * (measured, see there). Steps: the planned count of a fixed-iteration program, else
 * `maxIterations` (× steps per iteration) as an upper bound (`stepsAre: 'at most'`).
 *
 * Measured against whole runs (`gasworks run pagerank`, Kronecker scale 18: 262 144 vertex ids,
 * 4 194 304 edges, 4 partitions, 10 steps), the estimate's total was 0.94 (1 worker in this
 * thread), 0.95 (2 threads) and 0.985 (4 threads) of the peak RSS's growth over the same command
 * on a 4-edge graph; the rest is the graph store's mapped pages and V8's own growth.
 */
import os from 'node:os';
import v8 from 'node:v8';
import { bytesPerElement, type Catalog, type GraphReader, type GraphRecord, type PartitionSize } from '../storage/index.js';
import { columnSpecs } from '../engine/worker/state.js';
import { directionsOf } from '../engine/worker/loops.js';
import type { AnyVertexProgram } from '../engine/index.js';
import { GasError } from '../errors.js';
import { formatBytes } from '../util/format-bytes.js';
import { plannedSteps, type JobPlan } from './execute-job.js';
import { prepareJob, type PreparedJob, type RunOptions } from './run.js';

/** Bytes by component (see the module comment). */
export interface MemoryBreakdown {
  readonly localGraph: number;
  readonly degrees: number;
  readonly vertexState: number;
  readonly edgeState: number;
  readonly runtime: number;
  readonly exchangePlan: number;
  readonly messages: number;
  readonly collect: number;
  readonly neighborSets: number;
  readonly neighborLists: number;
  readonly async: number;
  readonly shard: number;
  readonly overhead: number;
}

export interface WorkerEstimate {
  readonly worker: number;
  readonly partitions: readonly number[];
  readonly vertices: number;
  readonly masters: number;
  readonly edges: number;
  readonly bytes: MemoryBreakdown;
  /** The typed arrays the worker holds while it runs (everything but shard, messages and overhead). */
  readonly residentBytes: number;
  /** Its peak: the sum of every component. */
  readonly peakBytes: number;
  /** The part of it on the V8 heap (overhead, the asynchronous engine's maps); the rest is typed arrays. */
  readonly heapBytes: number;
}

export interface JobEstimate {
  readonly graph: string;
  readonly algorithm: string;
  readonly engine: string;
  readonly placement: 'in-process' | 'threads' | 'cluster';
  readonly workers: number;
  readonly vertices: number;
  readonly edges: number;
  readonly memory: {
    readonly perWorker: readonly WorkerEstimate[];
    /** The worker with the largest peak. */
    readonly peakWorker: WorkerEstimate;
    readonly coordinator: { readonly graphTables: number; readonly result: number; readonly bytes: number };
    /** Coordinator and every worker (those on this machine, or all of a cluster's). */
    readonly totalBytes: number;
  };
  readonly time: {
    readonly perStepMs: number;
    readonly steps: number;
    /** `planned`: a fixed-iteration program runs exactly `steps`; `at most`: `maxIterations` bounds a converging one. */
    readonly stepsAre: 'planned' | 'at most';
    readonly totalMs: number;
    readonly msPerEdgeStep: number;
    readonly basis: 'history' | 'default';
    readonly historyJobs: readonly number[];
  };
  readonly limits: MemoryLimits;
  readonly fits: boolean;
  readonly reason: string | null;
}

/** What a job may use on this machine (bytes). */
export interface MemoryLimits {
  /** What the machine can give now: `os.freemem()` (MemAvailable on Linux), capped by the total allowance. */
  readonly availableBytes: number;
  /** `os.totalmem()` (or the cgroup limit, or GASWORKS_MEMORY_LIMIT) less `MEMORY_MARGIN`. */
  readonly allowanceBytes: number;
  /** A worker thread's V8 heap limit (threads get the process's default). */
  readonly heapLimitBytes: number;
}

/**
 * ms per edge per step per worker when the catalog has no history of the algorithm: PageRank
 * (sync, tolerance 0, 50 steps, 1 worker in this thread) on a Kronecker scale-16 graph
 * (`gasworks generate kron --scale 16`: 46 804 vertices, 1 048 576 edges, 4 partitions) took
 * 7.8, 4.1 and 7.2 ms per step in three runs on this machine (2 shared cores): the median,
 * 7.2 ms, is 6.8e-6 ms per edge.
 */
export const DEFAULT_MS_PER_EDGE_STEP = 6.8e-6;

/**
 * Fixed cost of one worker thread (a V8 isolate with the engine's modules loaded): the process's
 * RSS grew by 23.5 MiB per thread when four threads started on the built thread entry (Node 20).
 */
export const WORKER_OVERHEAD_BYTES = 24 * 2 ** 20;

/** Memory left to the OS and everything else: 10 % of the machine. */
export const MEMORY_MARGIN = 0.1;

/** History: at most this many recent succeeded jobs of the algorithm… */
const HISTORY_JOBS = 5;
/** …among this many most recent succeeded jobs (rows carry their summaries: a bounded read)… */
const HISTORY_SCAN = 200;
/** …taken from graphs within this factor of the job's edges when there are any. */
const HISTORY_SIZE_RATIO = 16;

/** Estimates the request's memory and time without creating a job (the same checks as `submit`: a bad request throws). */
export async function estimateJob(catalog: Catalog, request: RunOptions): Promise<JobEstimate> {
  const prepared = await prepareJob(catalog, request);
  try {
    return estimatePrepared(catalog, prepared);
  } finally {
    prepared.reader.close();
  }
}

/**
 * The estimate of a prepared job; `fits` follows this rule:
 *   - every worker's peak ≤ the machine's available memory (a worker must fit while the others
 *     are elsewhere: remote workers are assumed on machines like this one);
 *   - on this machine (in-process and threads), coordinator + all workers ≤ min(available,
 *     allowance = total memory less the 10 % margin);
 *   - the JS-heap part of a worker (the asynchronous engine's maps, neighbour lists under
 *     construction, its overhead) ≤ a thread's heap limit: typed arrays live outside the V8 heap
 *     and are bounded by the machine, not by the heap limit.
 */
export function estimatePrepared(catalog: Catalog, prepared: PreparedJob, limits: MemoryLimits = memoryLimits()): JobEstimate {
  const memory = estimateMemory(catalog, prepared, limits);
  return { ...memory, time: estimateTime(catalog, prepared.graph, prepared.plan, memory.workers) };
}

/** The estimate without its time (which reads the catalog's job history): what `assertFits` needs. */
function estimateMemory(catalog: Catalog, prepared: PreparedJob, limits: MemoryLimits): Omit<JobEstimate, 'time'> {
  const { graph, reader, plan } = prepared;
  const placement = plan.placement;
  const workers = placement.kind === 'cluster' ? placement.addresses.length : placement.workers;
  const perWorker = estimateWorkers(graph, reader, plan, workers, catalog.partitionSizes(graph.id));
  const peakWorker = perWorker.reduce((a, b) => (b.peakBytes > a.peakBytes ? b : a));
  const coordinator = coordinatorBytes(graph, plan, peakWorker);
  const local = placement.kind !== 'cluster';
  const totalBytes = coordinator.bytes + perWorker.reduce((sum, w) => sum + w.peakBytes, 0);

  let reason: string | null = null;
  const heapPart = Math.max(...perWorker.map((w) => w.heapBytes));
  if (peakWorker.peakBytes > limits.availableBytes) {
    reason = `worker ${peakWorker.worker} needs ${formatBytes(peakWorker.peakBytes)}, more than the ${formatBytes(limits.availableBytes)} available`;
  } else if (local && totalBytes > Math.min(limits.availableBytes, limits.allowanceBytes)) {
    reason = `the job needs ${formatBytes(totalBytes)} on this machine (${workers} worker${workers > 1 ? 's' : ''} and the coordinator), more than the ${formatBytes(Math.min(limits.availableBytes, limits.allowanceBytes))} available`;
  } else if (heapPart > limits.heapLimitBytes) {
    reason = `a worker needs ${formatBytes(heapPart)} of JS heap, more than a thread's heap limit of ${formatBytes(limits.heapLimitBytes)}`;
  }
  return {
    graph: graph.name,
    algorithm: plan.definition.name,
    engine: plan.engine.name,
    placement: placement.kind,
    workers,
    vertices: graph.vertices,
    edges: graph.edges,
    memory: { perWorker, peakWorker, coordinator, totalBytes },
    limits,
    fits: reason === null,
    reason,
  };
}

/** The job service's check: refuses (GAS_ERR_LIMIT) a job whose estimate does not fit. */
export function assertFits(catalog: Catalog, prepared: PreparedJob): void {
  const estimate = estimateMemory(catalog, prepared, memoryLimits());
  if (estimate.fits) return;
  throw new GasError(
    'GAS_ERR_LIMIT',
    `jobs: the estimate says ${estimate.algorithm} on ${estimate.graph} does not fit: ${estimate.reason}; pass force (--force) to run it anyway`,
    { estimateBytes: estimate.memory.totalBytes, peakWorkerBytes: estimate.memory.peakWorker.peakBytes, availableBytes: estimate.limits.availableBytes },
  );
}

/** This machine's limits; GASWORKS_MEMORY_LIMIT (bytes) caps them (containers, tests). */
export function memoryLimits(): MemoryLimits {
  const configured = Number(process.env.GASWORKS_MEMORY_LIMIT ?? '');
  const constrained = process.constrainedMemory?.() ?? 0;
  let total = os.totalmem();
  if (constrained > 0 && constrained < total) total = constrained;
  if (configured > 0) total = Math.min(total, configured);
  const allowanceBytes = Math.floor(total * (1 - MEMORY_MARGIN));
  return {
    availableBytes: Math.min(os.freemem(), allowanceBytes),
    allowanceBytes,
    heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
  };
}

function estimateWorkers(graph: GraphRecord, reader: GraphReader, plan: JobPlan, workers: number, sizes: readonly PartitionSize[]): WorkerEstimate[] {
  const meta = reader.meta;
  const numPartitions = meta.numPartitions;
  const partitionSize = (p: number): PartitionSize =>
    sizes[p] ?? {
      partition: p,
      vertices: Math.ceil((graph.vertices * graph.replicationFactor) / numPartitions),
      masters: Math.ceil(graph.vertices / numPartitions),
      edges: Math.ceil(graph.edges / numPartitions),
    };
  const shape = programShape(plan.program, meta.directed);
  const { vertices: localVertices, degreeSums } = replicasPerWorker(reader, workers, shape.neighborSets);
  const totalMirrors = localVertices.reduce((sum, n) => sum + n, 0) - graph.vertices;
  const weightUnits = shape.perWeightUnit ? reader.weights().outWeight.reduce((sum, w) => sum + w, 0) : 0;
  const staleness = plan.engine.name === 'ssp' ? plan.staleness : 0;
  const threads = plan.placement.kind !== 'in-process';
  const estimates: WorkerEstimate[] = [];
  for (let w = 0; w < workers; w++) {
    const partitions: number[] = [];
    for (let p = w; p < numPartitions; p += workers) partitions.push(p);
    const parts = partitions.map(partitionSize);
    const n = localVertices[w]!;
    const masters = parts.reduce((sum, p) => sum + p.masters, 0);
    const m = parts.reduce((sum, p) => sum + p.edges, 0);
    const mirrors = Math.max(0, n - masters);
    // Σ over workers of the masters' lists = Σ of the mirrors': apportioned by masters.
    const masterLists = graph.vertices > 0 ? Math.round((totalMirrors * masters) / graph.vertices) : 0;
    const shared = mirrors + masterLists;
    const weighted = meta.weighted;
    const arcs = 2 * m;
    const bytes: MemoryBreakdown = {
      localGraph: n * (4 + 4 + 2) + 2 * (n + 1) * 4 + m * 16 + (weighted ? m * 8 : 0) + (shape.symmetric ? (n + 1) * 4 + arcs * 4 : 0),
      degrees: n * 12 * (meta.directed ? 2 : 1),
      vertexState: n * shape.vertexBytes,
      edgeState:
        m * shape.edgeBytes +
        (shape.perWeightUnit ? (m + 1) * 4 + (graph.edges > 0 ? (weightUnits * m) / graph.edges : 0) * shape.perUnitBytes : 0) +
        // The state's `weight` is the local graph's on a weighted graph, else ones allocated per edge.
        (weighted ? 0 : m * 8),
      // Flags and partials; a program with messages adds an inbox (f64) and a sent-to flag.
      runtime: n * (2 + 8 * shape.accumulatorWidth + (shape.messages ? 9 : 0)),
      exchangePlan: n * 3 + shared * 4,
      messages: plan.engine.name === 'async' ? 0 : shared * (8 * (shape.partialWidth + shape.valueWidth) + 8) * (staleness + 1),
      collect: shape.collectDirections > 0 ? shape.collectDirections * m * 8 + n * 8 : 0,
      neighborSets: shape.neighborSets ? (n + 1) * 4 + 2 * 4 * degreeSums[w]! : 0,
      neighborLists: shape.neighborSets ? n * NEIGHBOR_LIST_BYTES + 2 * 4 * degreeSums[w]! : 0,
      async:
        plan.engine.name === 'async' ? asyncBytes(n, masters, masterLists, plan.async.scheduler, workers, plan.async.consistency === 'edge' && workers > 1) : 0,
      shard:
        parts.reduce((sum, p) => sum + p.vertices * 6 + p.edges * (8 + (weighted ? 8 : 0)), 0) +
        n * (4 + 12 * (meta.directed ? 2 : 1) + 4 + 2 * graph.replicationFactor),
      overhead: threads ? WORKER_OVERHEAD_BYTES : 0,
    };
    const peakBytes = Object.values(bytes).reduce((sum, b) => sum + b, 0);
    const residentBytes = peakBytes - bytes.shard - bytes.neighborLists - bytes.messages - bytes.overhead;
    const heapBytes =
      bytes.overhead + (plan.engine.name === 'async' ? masterLists * ASYNC_MAP_ENTRY_BYTES : 0) + (shape.neighborSets ? n * NEIGHBOR_LIST_BYTES : 0);
    estimates.push({
      worker: w,
      partitions,
      vertices: n,
      masters,
      edges: m,
      bytes: roundAll(bytes),
      residentBytes: Math.round(residentBytes),
      peakBytes: Math.round(peakBytes),
      heapBytes: Math.round(heapBytes),
    });
  }
  return estimates;
}

/**
 * Per worker: the vertices it holds a replica of (the union of its partitions'), from the routing
 * table; with `degrees`, also the sum of their whole-graph degrees (out + in), which bounds the
 * entries of their neighbour sets (exact on a graph without multi-edges and self-loops).
 */
function replicasPerWorker(reader: GraphReader, workers: number, degrees: boolean): { vertices: number[]; degreeSums: number[] } {
  const vertices = new Array<number>(workers).fill(0);
  const degreeSums = new Array<number>(workers).fill(0);
  const degree = degrees ? reader.degrees() : null;
  const degreeOf = (v: number): number => (degree ? degree.outDegree[v]! + degree.inDegree[v]! : 0);
  if (workers === 1) {
    vertices[0] = reader.meta.vertices;
    for (let v = 0; degree && v < reader.meta.vertices; v++) degreeSums[0]! += degreeOf(v);
    return { vertices, degreeSums };
  }
  const { replicaOffsets, replicaPartitions } = reader.routing();
  const seen = new Int32Array(workers).fill(-1);
  for (let v = 0; v < reader.meta.vertices; v++) {
    for (let r = replicaOffsets[v]!; r < replicaOffsets[v + 1]!; r++) {
      const w = replicaPartitions[r]! % workers;
      if (seen[w] !== v) {
        seen[w] = v;
        vertices[w]!++;
        if (degree) degreeSums[w]! += degreeOf(v);
      }
    }
  }
  return { vertices, degreeSums };
}

interface ProgramShape {
  readonly vertexBytes: number;
  readonly edgeBytes: number;
  readonly perWeightUnit: boolean;
  readonly perUnitBytes: number;
  readonly accumulatorWidth: number;
  /** Values per partial message record (1 for scalar gathers; collecting programs: ~2 for [position, count]). */
  readonly partialWidth: number;
  readonly valueWidth: number;
  readonly symmetric: boolean;
  readonly collectDirections: number;
  readonly neighborSets: boolean;
  /** The program sends messages (an inbox per vertex). */
  readonly messages: boolean;
}

/** What the program's declarations cost per vertex and per edge (state.ts, worker-runtime.ts, loops.ts). */
function programShape(program: AnyVertexProgram, directed: boolean): ProgramShape {
  const vertexSpecs = columnSpecs(program.vertexColumns);
  const edgeSpecs = columnSpecs(program.edgeColumns);
  const mirrored = program.mirrorColumns;
  const width = program.accumulatorWidth ?? 0;
  const gatherDirs = directionsOf(program.gatherEdges ?? 'in', directed);
  const gatherUsesEdge = (width === 0 ? program.gather?.length : program.gatherInto?.length) ?? 4;
  const perUnit = edgeSpecs.find((spec) => spec.perWeightUnit);
  return {
    vertexBytes: vertexSpecs.reduce((sum, spec) => sum + bytesPerElement(spec.type) * spec.width, 0),
    edgeBytes: edgeSpecs.filter((spec) => !spec.perWeightUnit).reduce((sum, spec) => sum + bytesPerElement(spec.type) * spec.width, 0),
    perWeightUnit: perUnit !== undefined,
    perUnitBytes: perUnit ? bytesPerElement(perUnit.type) : 0,
    accumulatorWidth: Math.max(1, width),
    partialWidth: program.collect ? 2 : Math.max(1, width),
    valueWidth: vertexSpecs.filter((spec) => !mirrored || mirrored.includes(spec.name)).reduce((sum, spec) => sum + spec.width, 0),
    symmetric: !directed && gatherDirs.out && gatherDirs.in && width === 0 && gatherUsesEdge < 4 && (program.gather !== undefined || program.collect === true),
    collectDirections: program.collect ? (gatherDirs.out ? 1 : 0) + (gatherDirs.in ? 1 : 0) : 0,
    neighborSets: program.needsNeighborSets === true,
    messages: program.messages !== undefined,
  };
}

/**
 * async-runner.ts, async-locks.ts, schedulers.ts: counts (u32), lock writer (u8) and readers
 * (u32), five flags (u8), two queue marks (u8) per vertex; masters (u32); the scheduler; a record
 * batch (256 f64 to start) per peer; and the map of each master's mirror workers (heap). Phased
 * flights (edge consistency on several workers) add a pending flag (u8) per vertex and, once the
 * colours are known, a colour (i32) per vertex.
 */
function asyncBytes(n: number, masters: number, masterLists: number, scheduler: string, workers: number, phased: boolean): number {
  const schedulerBytes = scheduler === 'priority' ? n * 12 + (1 << 13) * 8 + 1024 : scheduler === 'sweep' ? n : n * 5;
  return n * 15 + (phased ? n * 5 : 0) + masters * 4 + schedulerBytes + workers * 256 * 8 + masterLists * ASYNC_MAP_ENTRY_BYTES;
}

/** A neighbour list under construction: an object holding two Uint32Arrays, on the V8 heap (approximate). */
const NEIGHBOR_LIST_BYTES = 240;

/** A `Map<number, number[]>` entry with a one-element array, on the V8 heap (approximate). */
const ASYNC_MAP_ENTRY_BYTES = 64;

/** The coordinator: whole-graph tables (degrees, weights, routing; shard.ts readGraphTables) and the collected result. */
function coordinatorBytes(graph: GraphRecord, plan: JobPlan, peak: WorkerEstimate): { graphTables: number; result: number; bytes: number } {
  const n = graph.vertices;
  const graphTables = n * (4 + 4 + 8 + 8 + 4) + Math.round(n * graph.replicationFactor * 2);
  const width = plan.resultColumn.width;
  const result = n * width * 8 + peak.masters * (4 + 8 * width);
  return { graphTables, result, bytes: graphTables + result };
}

function estimateTime(catalog: Catalog, graph: GraphRecord, plan: JobPlan, workers: number): JobEstimate['time'] {
  const planned = plannedSteps(plan);
  const steps = planned ?? ((plan.options.maxIterations as number | undefined) ?? 100) * (plan.definition.stepsPerIteration ?? 1);
  // Worker-ms and edge-steps of each past job, preferring jobs on graphs of a comparable size (a
  // step has a fixed cost — barriers, messages — that dominates on a toy graph and vanishes on a
  // large one); their ratio over all of them weighs each job by its size.
  const candidates: { id: number; workerMs: number; edgeSteps: number; edges: number }[] = [];
  const graphs = new Map(catalog.listGraphs().map((g) => [g.id, g]));
  for (const job of catalog.jobs.list({ status: 'succeeded', limit: HISTORY_SCAN })) {
    if (job.algorithm !== plan.definition.name || job.computeMs === null || job.graphId === null) continue;
    const edges = graphs.get(job.graphId)?.edges;
    const timings = job.summary?.timings as { perIterationMs?: unknown[] } | undefined;
    const jobSteps = timings?.perIterationMs?.length ?? (job.iterations ?? 0) * (plan.definition.stepsPerIteration ?? 1);
    if (!edges || jobSteps <= 0 || job.computeMs <= 0) continue;
    candidates.push({ id: job.id, workerMs: job.computeMs * Math.max(1, job.workers), edgeSteps: jobSteps * edges, edges });
  }
  const comparable = candidates.filter((c) => c.edges * HISTORY_SIZE_RATIO >= graph.edges && c.edges <= graph.edges * HISTORY_SIZE_RATIO);
  const rates = (comparable.length > 0 ? comparable : candidates).slice(0, HISTORY_JOBS);
  const workerMs = rates.reduce((sum, r) => sum + r.workerMs, 0);
  const edgeSteps = rates.reduce((sum, r) => sum + r.edgeSteps, 0);
  const msPerEdgeStep = rates.length > 0 ? workerMs / edgeSteps : DEFAULT_MS_PER_EDGE_STEP;
  const perStepMs = (msPerEdgeStep * Math.max(1, graph.edges)) / workers;
  return {
    perStepMs,
    steps,
    stepsAre: planned !== null ? 'planned' : 'at most',
    totalMs: perStepMs * steps,
    msPerEdgeStep,
    basis: rates.length > 0 ? 'history' : 'default',
    historyJobs: rates.map((r) => r.id),
  };
}

function roundAll(bytes: MemoryBreakdown): MemoryBreakdown {
  return Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, Math.round(v)])) as unknown as MemoryBreakdown;
}
