/**
 * The one path from "an algorithm and a partitioned graph" to "a result column and a summary":
 * resolve the algorithm, prepare its options against the graph, create and check the program,
 * place the workers (in this thread, on threads, on a cluster), run the synchronous or SSP
 * engine, and collect the result by global id. Where the graph comes from (the graph store, or a
 * graphology graph laid out in memory) and where the result goes (a job's result column, or node
 * attributes) are the callers' business: `runJob` (run.ts) and `runOnGraph` (graphology.ts).
 */
import { resolve } from 'node:path';
import { findAlgorithm, ALGORITHMS } from '../algorithms/index.js';
import { defaultWorkerCount, Standby, startWorkers, type Placement, type ProgramSpec, type StartedWorkers } from '../cluster/index.js';
import {
  engineByName,
  type Engine,
  resolveWorkerCount,
  type AlgorithmDefinition,
  type AlgorithmOptions,
  type AnyVertexProgram,
  type Evaluation,
  type GraphHandle,
  type OptionValue,
  type StepReport,
  type StepTraffic,
  type CheckpointPolicy,
  type ResumePoint,
  type EngineOutcome,
  type AsyncOutcome,
  type AsyncSettings,
  kebabCase,
  SCHEDULER_NAMES,
  CONSISTENCY_MODELS,
  isConsistency,
} from '../engine/index.js';
import { GasError, NotFoundError } from '../errors.js';
import { throwIfCancelled } from '../engine/index.js';
import type { GraphSource, VertexLabel } from '../storage/index.js';
import { vertexNotFound } from './label-hint.js';
import { asAlgorithm, loadProgramFile, looksLikeProgramFile } from '../engine/program/program-file.js';
import { validateProgram } from './program-checks.js';
import { topIds } from './top-vertices.js';
import type { CheckpointSink, ResumeFrom } from './checkpoints.js';
import { CheckpointClock, describeSchedule, parseCheckpointSchedule, type CheckpointSchedule } from './checkpoint-schedule.js';
import type { CheckpointPartInfo, WorkerEndpoint } from '../engine/runtime.js';

/** How a job runs: what to run, where, and what to report. */
export interface ExecuteOptions {
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
  /**
   * Run even a single worker on a worker thread (when the program can be sent to one), so the
   * compute runs in a heap of its own: a caller holding a large heap (a graphology graph) makes
   * every garbage collection during the run mark it, which slowed PageRank's steps 3–4× in place.
   */
  readonly ownHeap?: boolean;
  /** Remote workers (`gasworks worker --listen HOST:PORT`), one per address; replaces `workers`. */
  readonly cluster?: readonly string[];
  /**
   * Standby worker processes (`--spares HOST:PORT,…`): not used until a worker process of `cluster`
   * is lost; then its partitions move to the next spare (without one, to a surviving process), and
   * the run goes on from the newest checkpoint (`maxRecoveries`, cluster/standby.ts).
   */
  readonly spares?: readonly string[];
  /** The cluster's shared secret for `cluster` (default: `GASWORKS_CLUSTER_SECRET`); see `loadClusterSecret`. */
  readonly clusterSecret?: Buffer;
  /** SSP staleness bound S (0 = BSP, the default): a worker may run up to S steps ahead of the slowest. */
  readonly staleness?: number;
  /** The engine by name (`sync`, `ssp`, `async`); default `ssp` when `staleness` > 0, else the algorithm's `defaultEngine` (coloring: `async`), else `sync`. */
  readonly engine?: string;
  /** `async`: the scheduler (`fifo`, the default; `priority`; `sweep`). */
  readonly scheduler?: string;
  /** `async` with the priority scheduler: signals below this priority are dropped (default 0). */
  readonly minPriority?: number;
  /** `async`: stop after this many vertex updates (default: none). */
  readonly maxUpdates?: number;
  /** Stop after this many seconds (default: none): `sync` and `ssp` at the next step boundary, `async` at its next poll; the result so far is stored, and the summary says `timeout`, not converged. */
  readonly timeoutSeconds?: number;
  /** `async`: the consistency model on several workers — `vertex`, `edge` (the default, as GraphLab's) or `full`. */
  readonly consistency?: string;
  /** `async`, test instrumentation: every worker records the pieces of every update (summary `async.trace`; see the consistency checker). */
  readonly traceUpdates?: boolean;
  /** Testing and benchmarks: make one worker a straggler (`factor` times slower). */
  readonly slowWorker?: { readonly worker: number; readonly factor: number };
  /** How many top vertices the summary lists (default 10; 0 for none). */
  readonly top?: number;
  /** The catalog's job id, for workers' log lines (runJob sets it). */
  readonly jobId?: number;
  readonly onStep?: (step: StepReport) => void;
  /** Aborting stops the run at its next step boundary (async: its next poll) with GAS_ERR_CANCELLED; the workers are closed. */
  readonly signal?: AbortSignal;
  /**
   * When to checkpoint (`sync` engine, workers on this machine): every K steps (a number), every
   * so long (`'30s'`, `'5m'`, `'1h'`), or `'auto'` (Young's interval from the measured cost and
   * `mtbfSeconds`; checkpoint-schedule.ts). A stored job can then be resumed from its newest
   * checkpoint (`jobs resume`). Stored jobs also checkpoint when interrupted (a signal, a server
   * shutting down), whatever this says.
   */
  readonly checkpointEvery?: number | string;
  /** `checkpointEvery: 'auto'`: the mean time between failures to plan for (s; default one day). */
  readonly mtbfSeconds?: number;
  /**
   * How many lost workers the run recovers from — a crashed thread, or a worker process that exited,
   * was killed, or stopped answering heartbeats (`GASWORKS_HEARTBEAT_TIMEOUT_MS`, 10 s) — each time
   * starting the workers again from the newest checkpoint (or from the start without one); a lost
   * process's partitions move to a spare or a survivor. Default 3; 0 never.
   */
  readonly maxRecoveries?: number;
  /**
   * The step watchdog (`sync`, `ssp`; workers on threads or remote): a worker whose step has run
   * this long and that then does not answer a ping for as long again is stuck, and the job fails
   * naming it. Default: the longer of 60 s and 4 × the longest step so far.
   */
  readonly stepTimeoutSeconds?: number;
  /** Testing (fault tolerance): worker `worker` exits at once when step `atStep` begins, the first time only. */
  readonly crashWorker?: { readonly worker: number; readonly atStep: number };
  /** Where checkpoints go (run.ts sets it for stored jobs). */
  readonly checkpoints?: CheckpointSink;
  /** Start from this checkpoint instead of step 0 (run.ts: `jobs resume`). */
  readonly resumeFrom?: ResumeFrom;
}

export type StopReason = 'converged' | 'max-iterations' | 'fixed-iterations' | 'max-updates' | 'timeout';

/** What a run reports, wherever its graph came from (a stored job adds its id: `JobSummary`). */
export interface ExecutionSummary {
  readonly algorithm: string;
  readonly graph: string;
  readonly iterations: number;
  readonly converged: boolean;
  /**
   * Why the run stopped: `converged` (the program's convergence test held, or no vertex was
   * active), `max-iterations` (the limit came first: not converged), or `fixed-iterations` (the
   * program has no convergence test — ALS, LDA, PageRank at tolerance 0 — and ran its count).
   */
  readonly stopReason: StopReason;
  readonly workers: number;
  /** Where the workers ran: `in-process`, `threads` or `cluster`. */
  readonly placement: Placement['kind'];
  /** The engine that ran the job (`sync`, `ssp`). */
  readonly engine: string;
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
    /**
     * Per step, per link: payload bytes and messages each worker sent each other worker over the
     * mesh (`peerBytes[from][to]`), and the coordinator's control traffic (calls; bytes where the
     * transport counts them: remote workers).
     */
    readonly trafficPerStep: readonly StepTraffic[];
  };
  /** Cluster runs: bytes on the wire in all (both directions, shards included) and of the shards alone. */
  readonly wire: { readonly totalBytes: number; readonly shardBytes: number } | null;
  /** Per worker: computing vs waiting (barriers in BSP, the staleness bound and peers' messages in SSP), over all steps. */
  readonly workerStats: readonly { readonly name: string; readonly busyMs: number; readonly waitMs: number; readonly steps: number }[];
  /** SSP runs: the furthest any worker ran ahead of the slowest (≤ staleness). */
  readonly maxLead: number | null;
  /** Checkpoints taken by this run (its attempt, when resumed): how many, after which steps, their bytes and the time writing them took. */
  readonly checkpoints: {
    /** When it checkpointed (`describeSchedule`), and under `auto` the interval Young's formula last gave (ms). */
    readonly schedule: string;
    readonly autoIntervalMs: number | null;
    readonly taken: number;
    readonly steps: readonly number[];
    readonly bytes: number;
    readonly ms: number;
    readonly failed: readonly string[];
  } | null;
  /** A resumed run: the checkpoint it started from (its number and the last step it held). */
  readonly resumedFrom: { readonly checkpoint: number; readonly step: number } | null;
  /** Workers lost and recovered from during the run, in order (empty when none was lost). */
  readonly recoveries: readonly Recovery[];
  /** `--engine async`: vertex updates, the histogram of updates per vertex, updates and time per worker, the scheduler, and why the run ended. */
  readonly async: (AsyncOutcome & { readonly scheduler: string }) | null;
  /** Fields the algorithm adds (`AlgorithmDefinition.summarize`: ALS's trainRmse and testRmse, …). */
  readonly [extra: string]: unknown;
}

/** The graph a job runs on: its tables, the name messages use, its replication factor. */
export interface JobGraph {
  readonly name: string;
  readonly source: GraphSource;
  readonly replicationFactor: number;
}

export interface Execution {
  readonly summary: ExecutionSummary;
  /** The result column by global id, `summary.result.width` values per vertex. */
  readonly values: Float64Array;
}

/** The staleness bound, checked (0..1000) before any work is done. */
export function resolveStaleness(run: Pick<ExecuteOptions, 'staleness'>): number {
  const staleness = run.staleness ?? 0;
  if (!Number.isInteger(staleness) || staleness < 0 || staleness > 1000) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --staleness must be an integer 0..1000, got ${run.staleness}`, { option: 'staleness' });
  }
  return staleness;
}

/**
 * The engine by name, checked against the staleness bound, and the asynchronous engine's
 * settings, checked and refused for the other engines — before any worker starts.
 */
export function resolveEngine(
  run: Pick<ExecuteOptions, 'staleness' | 'engine' | 'scheduler' | 'minPriority' | 'maxUpdates' | 'timeoutSeconds' | 'consistency' | 'traceUpdates'>,
  definition: Pick<AlgorithmDefinition, 'defaultEngine'>,
): { staleness: number; engine: Engine; async: AsyncSettings } {
  const staleness = resolveStaleness(run);
  // Default: ssp with a staleness bound; else the algorithm's (async for colouring); else sync.
  const engine = engineByName(run.engine ?? (staleness > 0 ? 'ssp' : (definition.defaultEngine ?? 'sync')));
  if (staleness > 0 && engine.name !== 'ssp') {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --staleness ${staleness} needs --engine ssp (the ${engine.name} engine has no staleness bound)`, {
      option: 'staleness',
    });
  }
  const asyncOptions = {
    scheduler: run.scheduler,
    minPriority: run.minPriority,
    maxUpdates: run.maxUpdates,
    consistency: run.consistency,
  };
  const given = Object.entries(asyncOptions).find(([, value]) => value !== undefined);
  if (given && engine.name !== 'async') {
    const option = kebabCase(given[0]);
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --${option} is an option of --engine async (this run uses ${engine.name})`, { option });
  }
  const scheduler = run.scheduler ?? 'fifo';
  if (!(SCHEDULER_NAMES as readonly string[]).includes(scheduler)) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --scheduler must be one of ${SCHEDULER_NAMES.join(', ')}, got ${JSON.stringify(scheduler)}`, {
      option: 'scheduler',
    });
  }
  const positive = (value: number | undefined, option: string, integer: boolean): number => {
    if (value === undefined) return Infinity;
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --${option} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`, { option });
    }
    return value;
  };
  const consistency = run.consistency ?? 'edge';
  if (!isConsistency(consistency)) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --consistency must be one of ${CONSISTENCY_MODELS.join(', ')}, got ${JSON.stringify(consistency)}`, {
      option: 'consistency',
    });
  }
  const minPriority = run.minPriority ?? 0;
  if (!Number.isFinite(minPriority))
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --min-priority must be a number, got ${minPriority}`, { option: 'min-priority' });
  const async: AsyncSettings = {
    scheduler,
    minPriority,
    maxUpdates: positive(run.maxUpdates, 'max-updates', true),
    timeoutMs: positive(run.timeoutSeconds, 'timeout', false) * 1000,
    consistency,
    trace: run.traceUpdates === true,
  };
  return { staleness, engine, async };
}

/** Everything decided before a worker starts: what `planJob` checked, ready to run. */
export interface JobPlan {
  readonly definition: AlgorithmDefinition;
  readonly options: AlgorithmOptions<Record<string, OptionValue>>;
  readonly prepared: AlgorithmOptions<Record<string, OptionValue>>;
  readonly program: AnyVertexProgram;
  readonly resultColumn: { readonly column: string; readonly width: number };
  readonly staleness: number;
  /** BSP (`sync`), SSP (`ssp`) or `async`: asked for by name, or by the staleness bound. */
  readonly engine: Engine;
  readonly async: AsyncSettings;
  readonly spec: ProgramSpec | null;
  readonly placement: Placement;
  /** When the run checkpoints (`--checkpoint-every`), null when not asked (an interrupted stored job still does). */
  readonly checkpointSchedule: CheckpointSchedule | null;
}

/** Runs a resolved algorithm with validated options on `graph`: `planJob`, then `runPlan`. */
export async function executeJob(
  graph: JobGraph,
  definition: AlgorithmDefinition,
  options: AlgorithmOptions<Record<string, OptionValue>>,
  run: ExecuteOptions,
): Promise<Execution> {
  return runPlan(graph, await planJob(graph, definition, options, run), run);
}

/**
 * The checks that need the graph but no worker: the algorithm's `prepare` (labels such as
 * sssp's source resolved to ids, ALS's test file read), the program it creates, SSP's
 * requirements, the placement. A failure here is the user's input, found before a job exists.
 */
export async function planJob(
  graph: JobGraph,
  definition: AlgorithmDefinition,
  options: AlgorithmOptions<Record<string, OptionValue>>,
  run: ExecuteOptions,
): Promise<JobPlan> {
  const source = graph.source;
  const meta = source.meta;
  // The engine first: `prepare` may build another program for it (PageRank's push form for async).
  const { staleness, engine, async } = resolveEngine(run, definition);
  const handle: GraphHandle = {
    engine: engine.name,
    numVertices: meta.vertices,
    directed: meta.directed,
    weighted: meta.weighted,
    numEdges: meta.edges,
    get totalWeight() {
      return source.weights().outWeight.reduce((sum, w) => sum + w, 0);
    },
    idOf: (label, option) => {
      const id = source.idOf(label);
      if (id < 0) throw vertexNotFound(source, graph.name, label, `${definition.name}: ${option}`, { option });
      return id;
    },
    lookup: (label) => source.idOf(label),
  };
  // `prepare` returns what `create` takes; the engine passes it through untyped.
  const prepared = (definition.prepare ? await definition.prepare(options, handle) : options) as AlgorithmOptions<Record<string, OptionValue>>;
  const program = definition.create(prepared) as AnyVertexProgram;
  const resultColumn = validateProgram(program);
  // The engine refuses here, before any worker starts, a program it cannot run (SSP: a signal-driven one).
  engine.checkProgram(program);
  const spec = programSpec(run.algorithm, definition, prepared as Record<string, unknown>);
  // The asynchronous engine runs on one worker unless more are asked for: one worker keeps every
  // consistency model without a lock and is reproducible bit for bit.
  const placement = choosePlacement(engine.name === 'async' && run.workers === undefined ? { ...run, workers: 1 } : run, spec, meta.numPartitions, meta.edges);
  const checkpointSchedule = checkCheckpointing(run, engine);
  return { definition, options, prepared, program, resultColumn, staleness, engine, async, spec, placement, checkpointSchedule };
}

/**
 * `--checkpoint-every` and `--mtbf` (checkpoint-schedule.ts), refused with a resume too for the
 * engines that take no checkpoints so far; returns the schedule. Cluster runs checkpoint too: their
 * workers' parts travel to the coordinator (cluster/part-transfer.ts).
 */
function checkCheckpointing(run: ExecuteOptions, engine: Engine): CheckpointSchedule | null {
  const schedule = parseCheckpointSchedule(run.checkpointEvery, run.mtbfSeconds);
  if (schedule === null && !run.resumeFrom) return null;
  if (engine.name !== 'sync') {
    throw new GasError('GAS_ERR_UNSUPPORTED', `run: checkpoints are taken by the sync engine only so far (this run uses ${engine.name})`, {
      option: 'checkpoint-every',
    });
  }
  return schedule;
}

/** The steps a plan runs if nothing stops it sooner, when that is known: programs with no convergence test run all their iterations. */
export function plannedSteps(plan: JobPlan): number | null {
  const { definition, program, options } = plan;
  if (plan.engine.name === 'async') return null;
  if (!(definition.fixedIterations || (program.alwaysActive && !program.converged))) return null;
  return ((options.maxIterations as number | undefined) ?? 100) * (definition.stepsPerIteration ?? 1);
}

/** Starts the workers of a plan, runs the engine, collects the result; the workers are closed before it returns. */
export async function runPlan(graph: JobGraph, plan: JobPlan, run: ExecuteOptions): Promise<Execution> {
  const { definition, options, prepared, program, resultColumn, staleness, engine, async, spec, placement, checkpointSchedule } = plan;
  const source = graph.source;
  const meta = source.meta;
  let workers: StartedWorkers | null = null;
  try {
    const stepsPerIteration = definition.stepsPerIteration ?? 1;
    const maxIterations = ((options.maxIterations as number | undefined) ?? 100) * stepsPerIteration;
    const { column, width } = resultColumn;
    const evaluation = definition.evaluation;
    const taken: Checkpointed = { steps: [], bytes: 0, ms: 0, failed: [] };
    const sink = engine.name === 'sync' ? run.checkpoints : undefined;
    const maxRecoveries = resolveMaxRecoveries(run);
    const stepTimeoutMs = resolveStepTimeout(run);
    const recoveries: Recovery[] = [];
    let resumeFrom = run.resumeFrom;
    let lastStep = -1;
    const onStep = (step: StepReport): void => {
      lastStep = step.iteration;
      run.onStep?.(step);
    };
    let loadMs = 0;
    let outcome: EngineOutcome | undefined;
    let attempt: Attempt | undefined;
    let where = placement;
    const standby = new Standby(placement);
    // Each attempt starts the workers and runs the engine — from the start, or from a checkpoint;
    // a worker lost on threads or a cluster starts the next attempt from the newest checkpoint (`recoveries`).
    while (outcome === undefined) {
      try {
        const loadStart = performance.now();
        workers = null;
        workers = await startWorkers(source, program, spec, where, {
          slowWorker: run.slowWorker,
          // Testing: the crash happens once, not again in the attempt that recovers from it.
          crashWorker: recoveries.length === 0 ? run.crashWorker : undefined,
          keepsMessages: engine.keepsMessages,
          jobId: run.jobId,
          secret: run.clusterSecret,
        });
        const { endpoints, facts } = workers;
        const attemptLoadMs = performance.now() - loadStart;
        loadMs += attemptLoadMs;
        throwIfCancelled(run.signal);

        const from = resumeFrom;
        const current: Attempt = {
          computeStart: performance.now(),
          priorComputeMs: from?.manifest.computeMs ?? 0,
          evaluations: from ? [...from.manifest.evaluations] : [],
          clock: new CheckpointClock(checkpointSchedule),
        };
        attempt = current;
        const checkpoint: CheckpointPolicy | undefined = sink && {
          due: (stepsDone) => current.clock.due(stepsDone),
          wanted: () => sink.wanted(),
          save: async (step, endpoints, steps) => {
            const started = performance.now();
            await saveCheckpoint(sink, step, endpoints, steps, current.evaluations, current.priorComputeMs + started - current.computeStart, taken);
            current.clock.taken(performance.now() - started);
          },
        };
        const resume: ResumePoint | undefined = from && {
          steps: from.manifest.steps,
          async restore(endpoints) {
            const restored = await Promise.all(endpoints.map((w, i) => w.restore(from.files[i]!, from.manifest.parts[i]!, i === 0)));
            return {
              nextStep: restored[0]!.nextStep,
              activeVertices: restored.reduce((sum, r) => sum + r.activeMasters, 0),
              aggregates: restored[0]!.aggregates!,
            };
          },
        };
        const afterStep = evaluation
          ? async (step: StepReport): Promise<void> => {
              if ((step.iteration + 1) % evaluation.every !== 0) return;
              const values = await collectResult(endpoints, column, width, meta.vertices);
              current.evaluations.push({ iteration: (step.iteration + 1) / evaluation.every, figures: evaluation.evaluate(prepared, values, step) });
            }
          : undefined;
        if (from && from.manifest.parts.length !== endpoints.length) {
          throw new GasError(
            'GAS_ERR_INVALID_ARGUMENT',
            `run: the checkpoint has ${from.manifest.parts.length} parts, one per worker; this run has ${endpoints.length} workers`,
            {
              option: 'workers',
            },
          );
        }
        const recovering = recoveries.at(-1);
        if (recovering && recovering.ms === null) recovering.ms = attemptLoadMs;
        outcome = await engine.run(endpoints, program, facts, {
          staleness,
          async,
          maxIterations,
          onStep,
          afterStep,
          signal: run.signal,
          checkpoint,
          resume,
          ...(Number.isFinite(async.timeoutMs) && { timeoutMs: async.timeoutMs }),
          ...(stepTimeoutMs !== undefined && { stepTimeoutMs }),
        });
      } catch (error) {
        if (!isRecoverable(error, where, run)) throw error;
        // The worker that died, not the peer that first noticed its mesh link close.
        // A process unreachable as a fresh run starts is a mistake in --cluster, not a loss to recover from.
        const lost = workers ? await workers.lost(LOST_WORKER_WAIT_MS) : recoveries.length > 0 || resumeFrom ? lostAtStart(error, where) : [];
        if (!workers && lost.length === 0) throw error;
        if (recoveries.length >= maxRecoveries || (where.kind === 'cluster' && lost.length === 0)) throw lost[0]?.error ?? error;
        await workers?.close();
        workers = null;
        // Processes: the lost workers' partitions move to a spare or a surviving process (fenced: see `Standby`).
        const moved =
          where.kind === 'cluster'
            ? standby.replace(
                where,
                lost.map((w) => w.worker),
              )
            : null;
        if (moved) where = moved.placement;
        resumeFrom = sink?.latest() ?? undefined;
        recoveries.push({
          worker: lost.length > 0 ? [...new Set(lost.map((w) => w.name))].join(', ') : null,
          error: lost.length > 0 ? lost.map((w) => w.error.message).join('; ') : (error as Error).message,
          lostAfterStep: lastStep,
          resumedAfterStep: resumeFrom ? resumeFrom.manifest.step : null,
          ms: null,
          ...(moved && { movedTo: moved.movedTo }),
        });
      }
    }
    const { endpoints } = workers!;
    const { evaluations, clock } = attempt!;
    const computeMs = attempt!.priorComputeMs + performance.now() - attempt!.computeStart;
    const values = await collectResult(endpoints, column, width, meta.vertices);
    // An asynchronous run has no steps to evaluate after: its evaluation is of the final values.
    if (evaluation && outcome.async && outcome.steps.length > 0) {
      evaluations.push({ iteration: 1, figures: evaluation.evaluate(prepared, values, outcome.steps.at(-1)!) });
    }

    const order = definition.topOrder ?? 'desc';
    const summary: ExecutionSummary = {
      algorithm: definition.name,
      graph: graph.name,
      iterations: Math.ceil(outcome.iterations / stepsPerIteration),
      converged: outcome.converged,
      stopReason: outcome.converged
        ? 'converged'
        : outcome.timedOut
          ? 'timeout'
          : outcome.async
            ? outcome.async.endReason
            : definition.fixedIterations || (program.alwaysActive && !program.converged)
              ? 'fixed-iterations'
              : 'max-iterations',
      workers: endpoints.length,
      placement: placement.kind,
      engine: engine.name,
      staleness,
      replicationFactor: graph.replicationFactor,
      options,
      timings: { loadMs, computeMs, perIterationMs: outcome.steps.map((step) => step.ms) },
      aggregates: outcome.aggregates,
      result: { column, width },
      top: width === 1 && order !== 'none' ? topIds(values, run.top ?? 10, order).map((id) => ({ vertex: source.labelOf(id), value: values[id]! })) : [],
      bytesExchanged: outcome.steps.reduce((sum, step) => sum + step.bytes, 0),
      exchange: {
        bytesPerStep: outcome.steps.map((step) => step.bytes),
        messagesPerStep: outcome.steps.map((step) => step.messages),
        mirrorUpdatesPerStep: outcome.steps.map((step) => step.mirrorUpdates),
        trafficPerStep: outcome.steps.map((step) => step.traffic),
      },
      wire: placement.kind === 'cluster' ? { totalBytes: workers!.wireBytes(), shardBytes: workers!.shipBytes } : null,
      workerStats: endpoints.map((endpoint, w) => ({
        name: endpoint.name,
        busyMs: endpoint.busyMs,
        waitMs: outcome.steps.reduce((sum, step) => sum + (step.waitMs[w] ?? 0), 0),
        steps: outcome.workerSteps?.[w] ?? outcome.iterations,
      })),
      maxLead: outcome.maxLead ?? null,
      checkpoints: sink ? { schedule: describeSchedule(checkpointSchedule), autoIntervalMs: clock.autoIntervalMs, taken: taken.steps.length, ...taken } : null,
      resumedFrom: run.resumeFrom ? { checkpoint: run.resumeFrom.manifest.seq, step: run.resumeFrom.manifest.step } : null,
      recoveries,
      async: outcome.async ? { ...outcome.async, scheduler: async.scheduler } : null,
      ...definition.summarize?.(prepared, { steps: outcome.steps, evaluations, computeMs, workers: endpoints.length, aggregates: outcome.aggregates }),
    };
    return { summary, values };
  } finally {
    await workers?.close();
  }
}

/**
 * One start of the workers and run of the engine (`runPlan`): when its compute began, the compute
 * its checkpoint carried over, its evaluations (from the checkpoint on) and its checkpoint clock.
 */
interface Attempt {
  readonly computeStart: number;
  readonly priorComputeMs: number;
  readonly evaluations: Evaluation[];
  readonly clock: CheckpointClock;
}

/**
 * A worker lost and recovered from: which (its name, when the error named it), the error, the
 * last step completed before, the checkpoint step the run went on from (null: from the start),
 * and how long starting the workers again took (ms; restoring the checkpoint runs in the engine,
 * so it counts in computeMs).
 */
export interface Recovery {
  readonly worker: string | null;
  readonly error: string;
  readonly lostAfterStep: number;
  readonly resumedAfterStep: number | null;
  ms: number | null;
  /** Cluster runs: the process (address) each lost worker's partitions moved to, in worker order. */
  readonly movedTo?: readonly string[];
}

/**
 * Whether a failed attempt is one to recover from: a worker lost (GAS_ERR_WORKER) on threads or a
 * cluster, not a stuck one (it would be stuck again), not a cancelled run. A cluster's worker lost
 * while the workers start counts only when the channel itself failed (`details.lost`).
 */
function isRecoverable(error: unknown, placement: Placement, run: ExecuteOptions): error is GasError {
  if (!(error instanceof GasError) || error.code !== 'GAS_ERR_WORKER' || error.details.stuck === true || run.signal?.aborted) return false;
  return placement.kind === 'threads' || placement.kind === 'cluster';
}

/** The worker processes a failed start names as lost (none on threads: a thread that fails to start fails again). */
function lostAtStart(error: GasError, placement: Placement): { worker: number; name: string; error: GasError }[] {
  if (placement.kind !== 'cluster' || error.details.lost !== true) return [];
  const name = String(error.details.worker);
  return placement.addresses.flatMap((address, worker) => (address === name ? [{ worker, name, error }] : []));
}

/** How long a failed run waits to learn which worker died (its thread's exit) before it recovers. */
const LOST_WORKER_WAIT_MS = 2000;

/** `stepTimeoutSeconds` in ms (positive), or undefined for the watchdog's default. */
function resolveStepTimeout(run: ExecuteOptions): number | undefined {
  const seconds = run.stepTimeoutSeconds;
  if (seconds === undefined) return undefined;
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --step-timeout must be a positive number of seconds, got ${seconds}`, { option: 'step-timeout' });
  }
  return seconds * 1000;
}

/** `maxRecoveries`: how many lost workers a run recovers from (default 3; 0 never). */
function resolveMaxRecoveries(run: ExecuteOptions): number {
  const max = run.maxRecoveries ?? 3;
  if (!Number.isInteger(max) || max < 0) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --max-recoveries must be a non-negative integer, got ${run.maxRecoveries}`, {
      option: 'max-recoveries',
    });
  }
  return max;
}

/** The checkpoints a run took: after which steps, their bytes and writing time, and those that could not be written. */
interface Checkpointed {
  readonly steps: number[];
  bytes: number;
  ms: number;
  readonly failed: string[];
}

/**
 * Every worker writes its part of a checkpoint after step `step` (a worker process in its own data
 * directory, whose bytes the coordinator then pulls and checks); once all have, the checkpoint is
 * recorded. A checkpoint that cannot be written (a full disk) is abandoned and said in the
 * summary: the job goes on, with the previous checkpoint as its newest.
 */
async function saveCheckpoint(
  sink: CheckpointSink,
  step: number,
  workers: readonly WorkerEndpoint[],
  steps: readonly StepReport[],
  evaluations: readonly Evaluation[],
  computeMs: number,
  taken: Checkpointed,
): Promise<void> {
  const started = performance.now();
  const { seq, files } = sink.begin(workers.length);
  try {
    // Every part settles before the checkpoint is given up: none is still being written when its files go.
    const settled = await Promise.allSettled(workers.map((w, i) => w.checkpoint(files[i]!, step)));
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const parts = settled.map((outcome) => (outcome as PromiseFulfilledResult<CheckpointPartInfo>).value);
    const writeMs = performance.now() - started;
    sink.commit(seq, {
      step,
      parts: parts.map((part, i) => ({ file: files[i]!, ...part })),
      steps: [...steps],
      evaluations: [...evaluations],
      computeMs,
      writeMs,
    });
    taken.steps.push(step);
    taken.bytes += parts.reduce((sum, part) => sum + part.bytes, 0);
  } catch (error) {
    sink.abandon(seq);
    // A part refused on arrival (a cluster worker's bytes did not match their SHA-256) is as unwritable;
    // anything else (a worker lost while it wrote) fails the attempt, with no half checkpoint left.
    if (!(error instanceof GasError) || !['GAS_ERR_NO_SPACE', 'GAS_ERR_IO', 'GAS_ERR_CORRUPT'].includes(error.code)) throw error;
    taken.failed.push(`after step ${step}: ${error.message}`);
  } finally {
    taken.ms += performance.now() - started;
  }
}

/** A registered algorithm, a program file, or a program / algorithm object, as an algorithm definition. */
export async function resolveAlgorithm(spec: ExecuteOptions['algorithm']): Promise<AlgorithmDefinition> {
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
function programSpec(algorithm: ExecuteOptions['algorithm'], definition: AlgorithmDefinition, prepared: Record<string, unknown>): ProgramSpec | null {
  if (typeof algorithm !== 'string') return null;
  if (findAlgorithm(algorithm) === definition) return { kind: 'algorithm', name: definition.name, options: prepared };
  return { kind: 'file', path: resolve(algorithm), source: null, options: prepared };
}

function choosePlacement(run: ExecuteOptions, spec: ProgramSpec | null, partitions: number, edges: number): Placement {
  if (run.cluster) {
    if (run.cluster.length === 0) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'run: --cluster needs at least one HOST:PORT', { option: 'cluster' });
    return { kind: 'cluster', addresses: run.cluster, spares: run.spares ?? [] };
  }
  if (run.spares && run.spares.length > 0) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'run: --spares are standby worker processes of a --cluster run; give --cluster too', { option: 'spares' });
  }
  const workers = resolveWorkerCount(run.workers ?? defaultWorkerCount(edges), partitions);
  const threads = (workers > 1 || run.ownHeap === true) && !run.inProcess && spec !== null;
  return { kind: threads || run.slowWorker ? 'threads' : 'in-process', workers };
}
