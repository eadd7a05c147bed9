/**
 * Running a job: resolve the algorithm (a registry name or a program file), validate its
 * options, load the graph into workers, run the synchronous engine, store the result column
 * next to the graph and record the job in the catalog. Every failure — a missing graph, an
 * unknown algorithm, a bad option, a program that throws — leaves a `failed` job row with its
 * error code and message, and is raised as a `GasError`.
 */
import { resolve } from 'node:path';
import { findAlgorithm, ALGORITHMS } from '../algorithms/index.js';
import { defaultWorkerCount, startWorkers, type Placement, type ProgramSpec, type StartedWorkers } from '../cluster/index.js';
import {
  checkSspProgram,
  resolveWorkerCount,
  resolveAlgorithmOptions,
  runStaleSynchronous,
  runSynchronous,
  type AlgorithmDefinition,
  type AnyVertexProgram,
  type Evaluation,
  type GraphHandle,
  type StepReport,
} from '../engine/index.js';
import { GasError, NotFoundError } from '../errors.js';
import { GraphReader, graphDir, graphStoreDir, writeResults, type Catalog, type GraphRecord, type VertexLabel } from '../storage/index.js';
import { asAlgorithm, loadProgramFile, looksLikeProgramFile } from './program-file.js';
import { topIds } from './top-vertices.js';

export interface RunOptions {
  /** Graph name (or id). */
  readonly graph: string;
  /** A registered algorithm name, the path of a program file (`./my-program.ts`), or a program / algorithm object. */
  readonly algorithm: string | AnyVertexProgram | AlgorithmDefinition;
  /** Algorithm options by name (`damping`, `maxIterations`, …); strings are converted to the defaults' types. */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Workers, each owning every W-th partition, on worker threads. Default: one per core (at most
   * one per partition) for graphs of 8 M edges or more, else one. With one worker, or a program
   * object (which cannot be sent to a thread), the workers run in this thread.
   */
  readonly workers?: number;
  /** Run the workers in this thread even when there are several (tests, debugging). */
  readonly inProcess?: boolean;
  /** Remote workers (`gasworks worker --listen HOST:PORT`), one per address; replaces `workers`. */
  readonly cluster?: readonly string[];
  /** SSP staleness bound S (0 = BSP, the default): a worker may run up to S steps ahead of the slowest. */
  readonly staleness?: number;
  /** Testing and benchmarks: make one worker a straggler (`factor` times slower). */
  readonly slowWorker?: { readonly worker: number; readonly factor: number };
  /** How many top vertices the summary lists (default 10; 0 for none). */
  readonly top?: number;
  readonly onStep?: (step: StepReport) => void;
}

export interface JobSummary {
  readonly jobId: number;
  readonly algorithm: string;
  readonly graph: string;
  readonly iterations: number;
  readonly converged: boolean;
  readonly workers: number;
  /** Where the workers ran: `in-process`, `threads` or `cluster`. */
  readonly placement: Placement['kind'];
  readonly staleness: number;
  readonly replicationFactor: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly timings: { readonly loadMs: number; readonly computeMs: number; readonly perIterationMs: readonly number[] };
  readonly aggregates: Readonly<Record<string, number>>;
  readonly result: { readonly column: string; readonly width: number };
  readonly top: readonly { vertex: VertexLabel; value: number }[];
  readonly bytesExchanged: number;
  /** Per superstep: bytes and messages exchanged between workers (vertex-cut traffic: partials, values, flags, signals). */
  readonly exchange: {
    readonly bytesPerStep: readonly number[];
    readonly messagesPerStep: readonly number[];
    /** Vertex records masters sent to mirrors per step: Σ (replicas − 1) over active vertices, the vertex cut's price. */
    readonly mirrorUpdatesPerStep: readonly number[];
  };
  /** Cluster runs: bytes on the wire in all (both directions, shards included) and of the shards alone. */
  readonly wire: { readonly totalBytes: number; readonly shardBytes: number } | null;
  /** Per worker: computing vs waiting (barriers in BSP, the staleness bound and peers' messages in SSP), over all steps. */
  readonly workerStats: readonly { readonly name: string; readonly busyMs: number; readonly waitMs: number; readonly steps: number }[];
  /** SSP runs: the furthest any worker ran ahead of the slowest (≤ staleness). */
  readonly maxLead: number | null;
  /** Fields the algorithm adds (`AlgorithmDefinition.summarize`: ALS's trainRmse and testRmse, …). */
  readonly [extra: string]: unknown;
}

export async function runJob(catalog: Catalog, run: RunOptions): Promise<JobSummary> {
  let graph: GraphRecord | null = null;
  try {
    graph = catalog.getGraph(run.graph);
  } catch {
    // recorded below as a failed job naming the graph
  }
  const algorithmName = typeof run.algorithm === 'string' ? run.algorithm : String(run.algorithm?.name ?? '(program)');
  const jobId = catalog.jobs.create({
    graphId: graph?.id ?? null,
    graphName: run.graph,
    algorithm: algorithmName,
    programFile: typeof run.algorithm === 'string' && looksLikeProgramFile(run.algorithm) ? run.algorithm : null,
    options: { ...run.options },
    workers: run.cluster?.length ?? run.workers ?? defaultWorkerCount(graph?.edges ?? 0),
  });
  try {
    if (!graph) throw new NotFoundError(`graph "${run.graph}" not found`, { graph: run.graph });
    return await execute(catalog, jobId, graph, run);
  } catch (error) {
    const failure = asGasError(error, algorithmName);
    catalog.jobs.fail(jobId, failure.code, failure.message);
    throw failure;
  }
}

async function execute(catalog: Catalog, jobId: number, graph: GraphRecord, run: RunOptions): Promise<JobSummary> {
  const definition = await resolveAlgorithm(run.algorithm);
  const options = resolveAlgorithmOptions(definition, run.options ?? {});
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  let workers: StartedWorkers | null = null;
  try {
    const handle: GraphHandle = {
      numVertices: graph.vertices,
      directed: graph.directed,
      weighted: graph.weighted,
      numEdges: graph.edges,
      get totalWeight() {
        return reader.weights().outWeight.reduce((sum, w) => sum + w, 0);
      },
      idOf: (label, option) => {
        const id = reader.idOf(label);
        if (id < 0)
          throw new NotFoundError(`${definition.name}: ${option}: vertex ${JSON.stringify(label)} is not in graph "${graph.name}"`, { option, vertex: label });
        return id;
      },
      lookup: (label) => reader.idOf(label),
    };
    const prepared = definition.prepare ? await definition.prepare(options, handle) : options;
    const program = definition.create(prepared) as AnyVertexProgram;
    const resultColumn = validateProgram(program);
    const staleness = run.staleness ?? 0;
    if (!Number.isInteger(staleness) || staleness < 0 || staleness > 1000) {
      throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --staleness must be an integer 0..1000, got ${run.staleness}`, { option: 'staleness' });
    }
    if (staleness > 0) checkSspProgram(program);
    const spec = programSpec(run.algorithm, definition, prepared as Record<string, unknown>);
    const placement = choosePlacement(run, spec, graph.partitions, graph.edges);

    const loadStart = performance.now();
    workers = await startWorkers(reader, program, spec, placement, { slowWorker: run.slowWorker, transferInboxes: staleness === 0 });
    const { endpoints, facts } = workers;
    const loadMs = performance.now() - loadStart;

    const computeStart = performance.now();
    const stepsPerIteration = definition.stepsPerIteration ?? 1;
    const maxIterations = ((options.maxIterations as number | undefined) ?? 100) * stepsPerIteration;
    const { column, width } = resultColumn;
    const evaluations: Evaluation[] = [];
    const evaluation = definition.evaluation;
    const afterStep = evaluation
      ? async (step: StepReport): Promise<void> => {
          if ((step.iteration + 1) % evaluation.every !== 0) return;
          const values = await collectResult(endpoints, column, width, graph.vertices);
          evaluations.push({ iteration: (step.iteration + 1) / evaluation.every, figures: evaluation.evaluate(prepared, values, step) });
        }
      : undefined;
    const outcome =
      staleness > 0
        ? await runStaleSynchronous(endpoints, program, facts, { staleness, maxIterations, onStep: run.onStep })
        : await runSynchronous(endpoints, program, facts, { maxIterations, onStep: run.onStep, afterStep });
    const computeMs = performance.now() - computeStart;

    const values = await collectResult(endpoints, column, width, graph.vertices);
    writeResults(graphDir(catalog.dataDir, graph.id), { job: jobId, column, width, vertices: graph.vertices }, values);

    const order = definition.topOrder ?? 'desc';
    const summary: JobSummary = {
      jobId,
      algorithm: definition.name,
      graph: graph.name,
      iterations: Math.ceil(outcome.iterations / stepsPerIteration),
      converged: outcome.converged,
      workers: endpoints.length,
      placement: placement.kind,
      staleness,
      replicationFactor: graph.replicationFactor,
      options,
      timings: { loadMs, computeMs, perIterationMs: outcome.steps.map((step) => step.ms) },
      aggregates: outcome.aggregates,
      result: { column, width },
      top: width === 1 && order !== 'none' ? topIds(values, run.top ?? 10, order).map((id) => ({ vertex: reader.labelOf(id), value: values[id]! })) : [],
      bytesExchanged: outcome.steps.reduce((sum, step) => sum + step.bytes, 0),
      exchange: {
        bytesPerStep: outcome.steps.map((step) => step.bytes),
        messagesPerStep: outcome.steps.map((step) => step.messages),
        mirrorUpdatesPerStep: outcome.steps.map((step) => step.mirrorUpdates),
      },
      wire: placement.kind === 'cluster' ? { totalBytes: workers.wireBytes(), shardBytes: workers.shipBytes } : null,
      workerStats: endpoints.map((endpoint, w) => ({
        name: endpoint.name,
        busyMs: endpoint.busyMs,
        waitMs: outcome.steps.reduce((sum, step) => sum + (step.waitMs[w] ?? 0), 0),
        steps: 'workerSteps' in outcome ? (outcome as { workerSteps: number[] }).workerSteps[w]! : outcome.iterations,
      })),
      maxLead: 'maxLead' in outcome ? (outcome as { maxLead: number }).maxLead : null,
      ...definition.summarize?.(prepared, { steps: outcome.steps, evaluations, computeMs, workers: endpoints.length }),
    };
    catalog.jobs.succeed(jobId, {
      iterations: summary.iterations,
      converged: outcome.converged,
      loadMs,
      computeMs,
      summary: summary as unknown as Record<string, unknown>,
    });
    return summary;
  } finally {
    await workers?.close();
    reader.close();
  }
}

/** The result column of every master, by global id (`width` values per vertex). */
async function collectResult(endpoints: StartedWorkers['endpoints'], column: string, width: number, vertices: number): Promise<Float64Array> {
  const values = new Float64Array(vertices * width);
  for (const endpoint of endpoints) {
    const part = await endpoint.collect(column);
    for (let i = 0; i < part.gids.length; i++) for (let k = 0; k < width; k++) values[part.gids[i]! * width + k] = part.values[i * width + k]!;
  }
  return values;
}

/** How workers elsewhere rebuild the program, or null for a program object (it runs in this thread). */
function programSpec(algorithm: RunOptions['algorithm'], definition: AlgorithmDefinition, prepared: Record<string, unknown>): ProgramSpec | null {
  if (typeof algorithm !== 'string') return null;
  if (findAlgorithm(algorithm) === definition) return { kind: 'algorithm', name: definition.name, options: prepared };
  return { kind: 'file', path: resolve(algorithm), source: null, options: prepared };
}

function choosePlacement(run: RunOptions, spec: ProgramSpec | null, partitions: number, edges: number): Placement {
  if (run.cluster) {
    if (run.cluster.length === 0) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'run: --cluster needs at least one HOST:PORT', { option: 'cluster' });
    return { kind: 'cluster', addresses: run.cluster };
  }
  const workers = resolveWorkerCount(run.workers ?? defaultWorkerCount(edges), partitions);
  const threads = workers > 1 && !run.inProcess && spec !== null;
  return { kind: threads || run.slowWorker ? 'threads' : 'in-process', workers };
}

async function resolveAlgorithm(spec: RunOptions['algorithm']): Promise<AlgorithmDefinition> {
  if (typeof spec !== 'string') {
    const definition = asAlgorithm(spec);
    if (!definition)
      throw new GasError('GAS_ERR_PROGRAM', 'run: the program must be a vertex program (with name, vertexColumns and apply) or an algorithm definition');
    return definition;
  }
  const registered = findAlgorithm(spec);
  if (registered) return registered;
  if (looksLikeProgramFile(spec)) return loadProgramFile(spec);
  throw new NotFoundError(`run: unknown algorithm "${spec}" (known: ${ALGORITHMS.map((a) => a.name).join(', ')}; or give a ./program.ts file)`, {
    algorithm: spec,
  });
}

/** Checks the parts of a program the engine relies on; returns its result column. */
function validateProgram(program: AnyVertexProgram): { column: string; width: number } {
  const fail = (problem: string): never => {
    throw new GasError('GAS_ERR_PROGRAM', `program ${program?.name ?? '(unnamed)'}: ${problem}`);
  };
  if (!program || typeof program !== 'object') return fail('create() must return a vertex program');
  if (typeof program.apply !== 'function') fail('apply must be a function');
  const columns = Object.entries(program.vertexColumns ?? {}) as [string, string | readonly [string, number]][];
  if (columns.length === 0) fail('vertexColumns must declare at least one column');
  const width = program.accumulatorWidth ?? 0;
  if (width === 0 && program.gather && !program.collect && typeof program.sum !== 'function') fail('a scalar gather needs a sum function (the monoid)');
  if (width > 0 && program.gather) fail('a vector program (accumulatorWidth > 0) implements gatherInto, not gather');
  for (const [name, aggregator] of Object.entries(program.aggregators ?? {})) {
    if (aggregator.width !== undefined) {
      if (!Number.isInteger(aggregator.width) || aggregator.width < 1) fail(`aggregator "${name}": width must be a positive integer`);
      if (typeof aggregator.mapInto !== 'function') fail(`aggregator "${name}": a vector aggregator (width) needs mapInto`);
    } else if (typeof aggregator.map !== 'function' || typeof aggregator.sum !== 'function') {
      fail(`aggregator "${name}": needs map and sum (or width and mapInto for a vector aggregator)`);
    }
  }
  for (const column of program.mirrorColumns ?? []) {
    if (!columns.some(([name]) => name === column)) fail(`mirrorColumns: "${column}" is not a vertex column`);
  }
  if (columns.some(([, declaration]) => Array.isArray(declaration) && declaration[1] === 'perWeightUnit'))
    fail('vertex columns cannot be perWeightUnit (only edge columns)');
  const name = program.result ?? columns[0]![0];
  const declaration = columns.find(([column]) => column === name)?.[1];
  if (declaration === undefined) fail(`result column "${name}" is not a vertex column`);
  return { column: name, width: typeof declaration === 'string' ? 1 : declaration![1] };
}

function asGasError(error: unknown, algorithm: string): GasError {
  if (error instanceof GasError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GasError('GAS_ERR_PROGRAM', `${algorithm}: the program threw: ${message}`, { algorithm }, { cause: error });
}
