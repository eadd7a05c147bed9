/**
 * The synchronous (BSP) engine: PowerGraph's synchronous engine over a vertex cut
 * (Gonzalez et al., OSDI 2012, §4.3). Each superstep runs four phases on every worker, with a
 * barrier and one message exchange between phases:
 *
 *   gather   active replicas gather over local edges; mirrors send partials to masters
 *   apply    masters combine partials, apply, and send new values to their mirrors
 *   scatter  mirrors install the values; active replicas scatter and raise signals
 *   activate signals reach masters; masters tell mirrors who is active next
 *
 * A run ends when no vertex is active, after `maxIterations` steps, or when the program's
 * `converged` says so.
 */
import type { WorkerEndpoint } from './endpoint.js';
import type { Engine, EngineOptions, EngineOutcome, StepReport } from './engine.js';
import { scalarAggregates } from './aggregates.js';
import { aggregateCombiner, coordinatorContext as makeContext, startRun, transpose } from './coordinator-context.js';
import { recordCount } from './codec.js';
import type { AnyVertexProgram } from './program.js';
import { columnSpecs } from './state.js';
import type { GraphFacts, Message } from './worker-runtime.js';

export type { StepReport } from './engine.js';
/** The BSP engine's options and outcome are every engine's (it has no extras). */
export type SyncOptions = EngineOptions;
export type SyncResult = EngineOutcome;

export const syncEngine: Engine = {
  name: 'sync',
  description: 'bulk-synchronous supersteps (BSP): a barrier between phases, results independent of the worker count',
  checkProgram: () => undefined,
  run: runSynchronous,
};

export async function runSynchronous(
  workers: readonly WorkerEndpoint[],
  program: AnyVertexProgram,
  facts: GraphFacts,
  options: SyncOptions,
): Promise<SyncResult> {
  const coordinatorContext = makeContext(program, facts);
  const valueWidth = mirrorRecordWidth(program);
  const combine = aggregateCombiner(program, coordinatorContext);
  const traffic = { messages: 0, bytes: 0 };
  /** Inboxes from outboxes, counting the traffic of the step. */
  const route = (outboxes: readonly (readonly Message[])[]): Message[][] => {
    for (const outbox of outboxes) {
      for (const message of outbox) {
        if (!message) continue;
        traffic.messages++;
        traffic.bytes += message.byteLength;
      }
    }
    return transpose(outboxes);
  };

  const started = await startRun(workers, program, combine);
  let aggregates = started.aggregates;
  coordinatorContext.aggregates = aggregates;
  let activated = started.activated;
  let flags = route(activated.map((a) => a.outbox));
  let active = activated.reduce((sum, a) => sum + a.activeMasters, 0);

  const steps: StepReport[] = [];
  let converged = false;
  let iteration = 0;
  while (iteration < options.maxIterations) {
    if (active === 0) {
      converged = true;
      break;
    }
    const started = performance.now();
    const busyBefore = workers.map((w) => w.busyMs);
    traffic.messages = 0;
    traffic.bytes = 0;

    const partials = route(await Promise.all(workers.map((w, i) => w.gather(flags[i]!, iteration))));
    // Postcondition: every active master holds its own partial; mirrors' partials are in flight to it.
    const applied = await Promise.all(workers.map((w, i) => w.apply(partials[i]!)));
    aggregates = combine(applied.map((a) => a.aggregates));
    coordinatorContext.aggregates = aggregates;
    const values = route(applied.map((a) => a.outbox));
    let mirrorUpdates = 0;
    for (const outbox of applied) for (const message of outbox.outbox) if (message) mirrorUpdates += recordCount(message as Float64Array, valueWidth);
    // Postcondition: every active master has its new state; its mirrors' copies are in flight.
    const signals = route(await Promise.all(workers.map((w, i) => w.scatter(values[i]!, aggregates))));
    // Postcondition: all replicas agree on vertex state; signals for the next step are in flight.
    coordinatorContext.iteration = iteration;
    const stop = program.converged?.(coordinatorContext) ?? false;
    activated = await Promise.all(workers.map((w, i) => w.activate(signals[i]!, iteration + 1)));
    flags = route(activated.map((a) => a.outbox));
    const activeVertices = active;
    active = activated.reduce((sum, a) => sum + a.activeMasters, 0);
    // Postcondition: every worker knows which of its replicas are active in the next step.

    const ms = performance.now() - started;
    const report: StepReport = {
      iteration,
      activeVertices,
      ms,
      waitMs: workers.map((w, i) => Math.max(0, ms - (w.busyMs - busyBefore[i]!))),
      messages: traffic.messages,
      bytes: traffic.bytes,
      mirrorUpdates,
      aggregates: scalarAggregates(aggregates),
    };
    steps.push(report);
    options.onStep?.(report);
    await options.afterStep?.(report);
    iteration++;
    if (stop) {
      converged = true;
      break;
    }
  }
  if (!converged && active === 0) converged = true;
  return { iterations: iteration, converged, steps, aggregates: scalarAggregates(aggregates) };
}

/** Fields per value record sent to mirrors: the widths of the program's mirrored vertex columns. */
export function mirrorRecordWidth(program: AnyVertexProgram): number {
  const mirrored = program.mirrorColumns;
  return columnSpecs(program.vertexColumns)
    .filter((spec) => !mirrored || mirrored.includes(spec.name))
    .reduce((sum, spec) => sum + spec.width, 0);
}
