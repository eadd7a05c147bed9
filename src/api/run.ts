/**
 * Running a job: resolve the algorithm (a registry name or a program file), validate its
 * options, load the graph into workers, run the synchronous engine, store the result column
 * next to the graph and record the job in the catalog. Every failure — a missing graph, an
 * unknown algorithm, a bad option, a program that throws — leaves a `failed` job row with its
 * error code and message, and is raised as a `GasError`.
 */
import { findAlgorithm, ALGORITHMS } from '../algorithms/index.js';
import {
  loadInProcessWorkers,
  resolveAlgorithmOptions,
  resolveWorkerCount,
  runSynchronous,
  type AlgorithmDefinition,
  type AnyVertexProgram,
  type GraphHandle,
  type StepReport,
} from '../engine/index.js';
import { GasError, NotFoundError } from '../errors.js';
import { GraphReader, graphDir, writeResults, type Catalog, type GraphRecord, type VertexLabel } from '../storage/index.js';
import { asAlgorithm, loadProgramFile, looksLikeProgramFile } from './program-file.js';

export interface RunOptions {
  /** Graph name (or id). */
  readonly graph: string;
  /** A registered algorithm name, the path of a program file (`./my-program.ts`), or a program / algorithm object. */
  readonly algorithm: string | AnyVertexProgram | AlgorithmDefinition;
  /** Algorithm options by name (`damping`, `maxIterations`, …); strings are converted to the defaults' types. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** In-process workers (each owns every W-th partition); default 1. */
  readonly workers?: number;
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
  readonly options: Readonly<Record<string, unknown>>;
  readonly timings: { readonly loadMs: number; readonly computeMs: number; readonly perIterationMs: readonly number[] };
  readonly aggregates: Readonly<Record<string, number>>;
  readonly result: { readonly column: string; readonly width: number };
  readonly top: readonly { vertex: VertexLabel; value: number }[];
  readonly bytesExchanged: number;
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
    workers: run.workers ?? 1,
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
  const reader = GraphReader.open(graphDir(catalog.dataDir, graph.id));
  try {
    const handle: GraphHandle = {
      numVertices: graph.vertices,
      directed: graph.directed,
      weighted: graph.weighted,
      idOf: (label, option) => {
        const id = reader.idOf(label);
        if (id < 0)
          throw new NotFoundError(`${definition.name}: ${option}: vertex ${JSON.stringify(label)} is not in graph "${graph.name}"`, { option, vertex: label });
        return id;
      },
    };
    const program = definition.create(definition.prepare ? definition.prepare(options, handle) : options) as AnyVertexProgram;
    const resultColumn = validateProgram(program);
    const workers = resolveWorkerCount(run.workers, graph.partitions);

    const loadStart = performance.now();
    const { endpoints, facts } = loadInProcessWorkers(reader, program, workers);
    const loadMs = performance.now() - loadStart;

    const computeStart = performance.now();
    const outcome = await runSynchronous(endpoints, program, facts, {
      maxIterations: (options.maxIterations as number | undefined) ?? 100,
      onStep: run.onStep,
    });
    const computeMs = performance.now() - computeStart;

    const { column, width } = resultColumn;
    const values = new Float64Array(graph.vertices * width);
    for (const endpoint of endpoints) {
      const part = await endpoint.collect(column);
      for (let i = 0; i < part.gids.length; i++) for (let k = 0; k < width; k++) values[part.gids[i]! * width + k] = part.values[i * width + k]!;
      await endpoint.close();
    }
    writeResults(graphDir(catalog.dataDir, graph.id), { job: jobId, column, width, vertices: graph.vertices }, values);

    const order = definition.topOrder ?? 'desc';
    const summary: JobSummary = {
      jobId,
      algorithm: definition.name,
      graph: graph.name,
      iterations: outcome.iterations,
      converged: outcome.converged,
      workers,
      options,
      timings: { loadMs, computeMs, perIterationMs: outcome.steps.map((step) => step.ms) },
      aggregates: outcome.aggregates,
      result: { column, width },
      top: width === 1 && order !== 'none' ? topVertices(values, run.top ?? 10, order, reader) : [],
      bytesExchanged: outcome.steps.reduce((sum, step) => sum + step.bytes, 0),
    };
    catalog.jobs.succeed(jobId, {
      iterations: outcome.iterations,
      converged: outcome.converged,
      loadMs,
      computeMs,
      summary: summary as unknown as Record<string, unknown>,
    });
    return summary;
  } finally {
    reader.close();
  }
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
  const name = program.result ?? columns[0]![0];
  const declaration = columns.find(([column]) => column === name)?.[1];
  if (declaration === undefined) fail(`result column "${name}" is not a vertex column`);
  return { column: name, width: typeof declaration === 'string' ? 1 : declaration![1] };
}

function topVertices(values: Float64Array, k: number, order: 'asc' | 'desc', reader: GraphReader): { vertex: VertexLabel; value: number }[] {
  if (k <= 0) return [];
  const ids = Array.from({ length: values.length }, (_, i) => i).filter((i) => Number.isFinite(values[i]!));
  ids.sort((a, b) => (order === 'desc' ? values[b]! - values[a]! : values[a]! - values[b]!) || a - b);
  return ids.slice(0, k).map((id) => ({ vertex: reader.labelOf(id), value: values[id]! }));
}

function asGasError(error: unknown, algorithm: string): GasError {
  if (error instanceof GasError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GasError('GAS_ERR_PROGRAM', `${algorithm}: the program threw: ${message}`, { algorithm }, { cause: error });
}
