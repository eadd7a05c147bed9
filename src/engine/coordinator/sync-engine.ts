/**
 * The synchronous (BSP) engine: PowerGraph's synchronous engine over a vertex cut
 * (Gonzalez et al., OSDI 2012, §4.3). Each superstep runs four phases on every worker; the
 * workers exchange messages between phases directly, over the mesh (mesh.ts, worker-node.ts):
 *
 *   gather   active replicas gather over local edges; mirrors send partials to masters
 *   apply    masters combine partials, apply, and send new values to their mirrors
 *   scatter  mirrors install the values; active replicas scatter and raise signals
 *   activate signals reach masters; masters tell mirrors who is active next
 *
 * The coordinator keeps control only: two calls per step and worker (`gatherApply`, then
 * `scatterActivate` with the step's aggregates, all-reduced here in between), which are the
 * step's barriers, and the decision to stop. A run ends when no vertex is active, after
 * `maxIterations` steps, or when the program's `converged` says so.
 *
 * **Checkpoints** (`options.checkpoint`) are taken between steps, where every worker is idle and
 * nothing is on the mesh but the next step's flags — Pregel's superstep-boundary checkpoint, so
 * no message needs saving: each worker saves its state after `scatterActivate(t)`, flags of step
 * t + 1 included (checkpoint-part.ts). A resumed run (`options.resume`) starts the workers, lets
 * each restore its part instead of the first activation, and continues at step t + 1 — with the
 * same steps, in the same order, on the same values, so its result is the uninterrupted run's.
 */
import type { WorkerEndpoint } from './endpoint.js';
import { throwIfCancelled, type Engine, type EngineOptions, type EngineOutcome, type StepReport } from './engine.js';
import { checkStepProgram } from './async-engine.js';
import { scalarAggregates } from '../worker/aggregates.js';
import { aggregateCombiner, coordinatorContext as makeContext } from '../worker/aggregates.js';
import { resumeRun, startRun, TrafficLedger } from './coordinator-context.js';
import type { AnyVertexProgram } from '../program/program.js';
import type { GraphFacts } from '../worker/worker-runtime.js';

export type { StepReport } from './engine.js';
/** The BSP engine's options and outcome are every engine's (it has no extras). */
export type SyncOptions = EngineOptions;
export type SyncResult = EngineOutcome;

export const syncEngine: Engine = {
  name: 'sync',
  description: 'bulk-synchronous supersteps (BSP): a barrier between phases, results independent of the worker count',
  checkProgram: (program) => checkStepProgram(program, 'sync'),
  keepsMessages: false,
  run: runSynchronous,
};

export async function runSynchronous(
  workers: readonly WorkerEndpoint[],
  program: AnyVertexProgram,
  facts: GraphFacts,
  options: SyncOptions,
): Promise<SyncResult> {
  const coordinatorContext = makeContext(program, facts);
  const combine = aggregateCombiner(program, coordinatorContext);
  const ledger = new TrafficLedger(workers, options.stepTimeoutMs);

  const { checkpoint, resume } = options;
  const started = resume ? await resumeRun(workers, resume) : { ...(await startRun(workers, combine)), nextStep: 0 };
  let aggregates = started.aggregates;
  coordinatorContext.aggregates = aggregates;
  let active = started.activeVertices;

  const steps: StepReport[] = resume ? [...resume.steps] : [];
  let converged = false;
  let iteration = started.nextStep;
  const deadline = performance.now() + (options.timeoutMs ?? Infinity);
  let timedOut = false;
  while (iteration < options.maxIterations) {
    if (active === 0) {
      converged = true;
      break;
    }
    if (iteration > started.nextStep && performance.now() >= deadline) {
      timedOut = true;
      break;
    }
    throwIfCancelled(options.signal);
    const t = iteration;
    const stepStarted = performance.now();
    const busyBefore = workers.map((w) => w.busyMs);

    const applied = await Promise.all(workers.map((_, w) => ledger.record(t, w, (endpoint) => endpoint.gatherApply(t))));
    // Postcondition: every active master has its new state; its mirrors' copies are on the mesh.
    aggregates = combine(applied.map((a) => a.aggregates));
    coordinatorContext.aggregates = aggregates;
    coordinatorContext.iteration = t;
    const stop = program.converged?.(coordinatorContext) ?? false;
    const stepAggregates = aggregates;
    const activated = await Promise.all(workers.map((_, w) => ledger.record(t, w, (endpoint) => endpoint.scatterActivate(t, stepAggregates))));
    // Postcondition: all replicas agree on vertex state; every worker knows which of its replicas are active next.
    const activeVertices = active;
    active = activated.reduce((sum, a) => sum + a.activeMasters, 0);

    const ms = performance.now() - stepStarted;
    const { messages, bytes, ...traffic } = ledger.report(t);
    const report: StepReport = {
      iteration: t,
      activeVertices,
      ms,
      waitMs: workers.map((w, i) => Math.max(0, ms - (w.busyMs - busyBefore[i]!))),
      messages,
      bytes,
      mirrorUpdates: applied.reduce((sum, a) => sum + a.mirrorUpdates, 0),
      aggregates: scalarAggregates(aggregates),
      traffic,
    };
    steps.push(report);
    options.onStep?.(report);
    await options.afterStep?.(report);
    iteration++;
    if (stop) {
      converged = true;
      break;
    }
    // Postcondition of a checkpoint: every worker's part after step t is written and the checkpoint
    // recorded. A job being interrupted (`wanted`: the abort came during this step) checkpoints
    // here, where it stops, so it resumes from here.
    const due = checkpoint !== undefined && (checkpoint.due(iteration) || checkpoint.wanted());
    if (due && iteration < options.maxIterations && active > 0) await checkpoint.save(t, workers, steps);
  }
  if (!converged && active === 0) converged = true;
  if (program.finish) await Promise.all(workers.map((w) => w.finish(aggregates)));
  return { iterations: iteration, converged, steps, aggregates: scalarAggregates(aggregates), ...(timedOut && { timedOut }) };
}
