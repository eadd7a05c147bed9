/**
 * Running a job on a stored graph: resolve the algorithm (a registry name or a program file),
 * validate its options, plan and run it on the graph store's tables (execute-job.ts: workers,
 * engine, result), store the result column next to the graph and record the job in the catalog.
 * Everything that checks the user's input — the graph exists, the algorithm or program file
 * loads, its options are valid, the labels it names are in the graph, the program is well
 * formed — happens before a job row is created: a typo is an error, not a failed job. A failure
 * after that (a program that throws, a worker lost) leaves a `failed` job row with its error
 * code and message. Every failure is raised as a `GasError`.
 *
 * The job and its graph hold on to each other (storage/jobs.ts): the job row is created only on
 * the layout the job opened, of a graph nobody is replacing or repartitioning; while it runs,
 * `graph drop`, `import --replace` and `repartition` of its graph are refused; and it succeeds
 * only in the transaction that finds its graph still there, so a job whose graph vanished anyway
 * fails and never hands out a result id that leads nowhere.
 */
import { defaultWorkerCount } from '../cluster/index.js';
import { resolveAlgorithmOptions } from '../engine/index.js';
import { GraphReader, graphDir, graphStoreDir, writeResults, type Catalog, type GraphRecord } from '../storage/index.js';
import {
  planJob,
  plannedSteps,
  resolveAlgorithm,
  resolveStaleness,
  runPlan,
  type ExecuteOptions,
  type JobGraph,
  type JobPlan,
  type ExecutionSummary,
  type StopReason,
} from './execute-job.js';
import { GasError } from '../errors.js';
import { looksLikeProgramFile } from '../engine/program/program-file.js';
import { asGasError } from './program-checks.js';
import { checkpointSink, usableCheckpoint, type ResumeFrom, type ResumeSettings } from './checkpoints.js';

export type { StopReason };

/** A job on a stored graph: the graph's name, and how to run (execute-job.ts). */
export interface RunOptions extends ExecuteOptions {
  /** Graph name (or id). */
  readonly graph: string;
}

/** A run's summary (execute-job.ts) with the id of the job that stores its result column. */
export interface JobSummary extends ExecutionSummary {
  readonly jobId: number;
}

export async function runJob(catalog: Catalog, run: RunOptions): Promise<JobSummary> {
  const admitted = await admitJob(catalog, run, 'running');
  return admitted.execute(run);
}

/** A job whose input was checked and whose row exists (`queued` or `running`): run it once, or release it. */
export interface AdmittedJob {
  readonly jobId: number;
  /** The steps it will run if nothing stops it sooner, when known (fixed-iteration programs). */
  readonly plannedSteps: number | null;
  /**
   * Runs the job (its row must be `running`: `JobTable.start` for a queued one), stores its
   * result and records it `succeeded`; or records it `failed` and throws the GasError. A cancel
   * (`signal`) throws GAS_ERR_CANCELLED and leaves the row for the caller to end (`JobTable.end`).
   * The graph is closed when it returns.
   */
  execute(hooks?: ExecuteHooks): Promise<JobSummary>;
  /** Closes the graph of a job that will not run (cancelled or interrupted while queued). */
  release(): void;
}

/** What the caller of `execute` follows the run by: progress, a cancel, and whether a stop should checkpoint first. */
export interface ExecuteHooks extends Pick<RunOptions, 'onStep' | 'signal'> {
  /** Asked at each step boundary: checkpoint now (the job is being interrupted and should resume from here). */
  readonly checkpointWanted?: () => boolean;
}

/**
 * A job's input checked and planned, no row created: the graph's record, its tables (open: close
 * `reader` when done) and the plan. `admitJob` and the estimate (estimate.ts) share this path, so
 * an estimate sees exactly the graph, options and placement the job would run with.
 */
export interface PreparedJob {
  readonly graph: GraphRecord;
  readonly reader: GraphReader;
  readonly plan: JobPlan;
}

/**
 * Resolves and checks everything a user can get wrong about a job — the graph exists, the
 * algorithm or program file loads, the options are valid, the labels it names are in the graph,
 * the program is well formed — and plans it; nothing is recorded.
 */
export async function prepareJob(catalog: Catalog, run: RunOptions): Promise<PreparedJob> {
  const graph = catalog.getGraph(run.graph);
  const definition = await resolveAlgorithm(run.algorithm);
  const options = resolveAlgorithmOptions(definition, run.options ?? {});
  resolveStaleness(run);
  const reader = openJobGraph(catalog, graph);
  try {
    const plan = await planJob(jobGraphOf(graph, reader), definition, options, run);
    return { graph, reader, plan };
  } catch (error) {
    reader.close();
    throw asGasError(error, definition.name);
  }
}

/**
 * Checks everything about a job that its user can get wrong (`prepareJob`), then `check`s the
 * prepared job (the job service's memory estimate; it throws to refuse), then records it as
 * `status` and keeps its graph open for `execute`.
 */
export async function admitJob(catalog: Catalog, run: RunOptions, status: 'queued' | 'running', check?: (prepared: PreparedJob) => void): Promise<AdmittedJob> {
  const prepared = await prepareJob(catalog, run);
  const { graph, reader, plan } = prepared;
  const definition = plan.definition;
  const options = plan.options;
  let jobId: number;
  try {
    check?.(prepared);
    // Postcondition: the input is valid (options, labels, program); from here a failure is the job's.
    jobId = catalog.jobs.create(
      {
        graphId: graph.id,
        graphName: graph.name,
        graphLayout: graph.layout,
        algorithm: definition.name,
        programFile: typeof run.algorithm === 'string' && looksLikeProgramFile(run.algorithm) ? run.algorithm : null,
        options,
        workers: run.cluster?.length ?? run.workers ?? defaultWorkerCount(graph.edges),
      },
      status,
    );
  } catch (error) {
    reader.close();
    throw asGasError(error, definition.name);
  }
  return admitted(catalog, prepared, run, jobId);
}

/**
 * Job `jobId` of `catalog`, whose row exists, ready to execute once (or be released): its run
 * stores the result and records success, or records the failure. A `run.resumeFrom` starts it
 * from a checkpoint (`admitResume`).
 */
function admitted(catalog: Catalog, prepared: PreparedJob, run: RunOptions, jobId: number): AdmittedJob {
  const { graph, reader, plan } = prepared;
  const definition = plan.definition;
  const jobGraph = jobGraphOf(graph, reader);
  let used = false;
  const release = (): void => {
    if (used) return;
    used = true;
    reader.close();
  };
  const settings: ResumeSettings = {
    engine: plan.engine.name,
    workers: plan.placement.kind === 'cluster' ? plan.placement.addresses.length : plan.placement.workers,
    inProcess: run.inProcess === true,
    ownHeap: run.ownHeap === true,
    ...(run.cluster && { cluster: [...run.cluster], spares: [...(run.spares ?? [])] }),
    checkpointEvery: run.checkpointEvery ?? null,
    ...(run.mtbfSeconds !== undefined && { mtbfSeconds: run.mtbfSeconds }),
    ...(run.top !== undefined && { top: run.top }),
  };
  return {
    jobId,
    plannedSteps: plannedSteps(plan),
    release,
    async execute(hooks = {}) {
      if (used) throw new GasError('GAS_ERR_INTERNAL', `run: job ${jobId} was already run or released`, { job: jobId });
      const { checkpointWanted, ...progress } = hooks;
      const checkpoints = checkpointSink(catalog, { job: jobId, graphId: graph.id, layout: graph.layout }, settings, checkpointWanted ?? (() => false));
      try {
        const { summary: execution, values } = await runPlan(jobGraph, plan, {
          ...run,
          ...progress,
          jobId,
          checkpoints,
        });
        const { column, width } = execution.result;
        // Not needed for correctness (succeed checks again), but a graph gone must not get its directory back.
        catalog.jobs.assertGraphHeld(jobId);
        writeResults(graphDir(catalog.dataDir, graph.id), { job: jobId, column, width, vertices: graph.vertices }, values);
        const summary: JobSummary = { jobId, ...execution };
        catalog.jobs.succeed(jobId, {
          iterations: summary.iterations,
          converged: summary.converged,
          loadMs: summary.timings.loadMs,
          computeMs: summary.timings.computeMs,
          summary: summary as unknown as Record<string, unknown>,
        });
        // A finished job is never resumed: its checkpoints go.
        catalog.checkpoints.removeAll(jobId, graph.id);
        return summary;
      } catch (error) {
        const failure = asGasError(error, definition.name);
        // The result file goes first: on a full disk, removing it is what makes room to record the failure.
        catalog.jobs.discardResults(jobId);
        if (failure.code !== 'GAS_ERR_CANCELLED') catalog.jobs.fail(jobId, failure.code, failure.message);
        throw failure;
      } finally {
        release();
      }
    },
  };
}

/**
 * Job `id` — interrupted, or failed — queued again to go on from its newest usable checkpoint
 * (`usableCheckpoint`: every part verified; newer unusable ones are named in `skipped`), with the
 * algorithm, options and run settings it started with, on the graph layout the checkpoint was
 * written over. Refused (nothing changed) when the job is not resumable, has no usable
 * checkpoint, or its graph was replaced or repartitioned since.
 */
export async function admitResume(
  catalog: Catalog,
  id: number | string,
  status: 'queued' | 'running',
): Promise<AdmittedJob & { readonly resumedFrom: ResumeFrom; readonly skipped: readonly string[] }> {
  const job = catalog.jobs.get(id);
  if (job.status !== 'interrupted' && job.status !== 'failed') {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `jobs resume: job ${job.id} is ${job.status}; only an interrupted or failed job can be resumed`, {
      job: job.id,
    });
  }
  if (job.graphId === null || job.graphRemoved !== null) {
    throw new GasError(
      'GAS_ERR_NOT_FOUND',
      `jobs resume: the graph of job ${job.id} (${job.graphName}) was ${job.graphRemoved ?? 'removed'} since; its checkpoints went with it`,
      {
        job: job.id,
      },
    );
  }
  const { from, skipped } = usableCheckpoint(catalog, { id: job.id, graphId: job.graphId });
  const { manifest } = from;
  const run: RunOptions = {
    graph: job.graphId,
    algorithm: job.programFile ?? job.algorithm,
    options: job.options,
    engine: manifest.run.engine,
    workers: manifest.run.workers,
    inProcess: manifest.run.inProcess,
    ownHeap: manifest.run.ownHeap,
    // A cluster job resumes on the processes it was given (a lost one among them is passed over, or recovered from).
    ...(manifest.run.cluster && { cluster: manifest.run.cluster, spares: manifest.run.spares ?? [] }),
    ...(manifest.run.checkpointEvery !== null && { checkpointEvery: manifest.run.checkpointEvery }),
    ...(manifest.run.mtbfSeconds !== undefined && { mtbfSeconds: manifest.run.mtbfSeconds }),
    ...(manifest.run.top !== undefined && { top: manifest.run.top }),
    resumeFrom: from,
  };
  const prepared = await prepareJob(catalog, run);
  try {
    if (prepared.graph.layout !== manifest.layout) {
      throw new GasError(
        'GAS_ERR_NOT_FOUND',
        `jobs resume: graph ${prepared.graph.name} was repartitioned after job ${job.id}'s checkpoints; none fits its layout`,
        {
          job: job.id,
        },
      );
    }
    catalog.jobs.requeue(job.id, status);
  } catch (error) {
    prepared.reader.close();
    throw error;
  }
  return { ...admitted(catalog, prepared, run, job.id), resumedFrom: from, skipped };
}

function jobGraphOf(graph: GraphRecord, reader: GraphReader): JobGraph {
  return { name: graph.name, source: reader, replicationFactor: graph.replicationFactor };
}

/**
 * The graph's tables at the layout the catalog named. A repartition may switch layouts (and a
 * drop or replace remove the graph) between reading the row and opening the tables: that is
 * said as such (the checks a job's start makes, JobTable.assertStartable), not as a missing store file.
 */
function openJobGraph(catalog: Catalog, graph: GraphRecord): GraphReader {
  try {
    return GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  } catch (error) {
    catalog.jobs.assertStartable(graph.id, graph.name, graph.layout);
    throw error;
  }
}
