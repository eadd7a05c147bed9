/**
 * The job service: the one way jobs run, for the CLI, the REST server and scripts alike.
 *
 * - **submit** checks everything a user can get wrong (graph, algorithm, options, labels, the
 *   program) before any row exists — a typo is an error, not a failed job — then records the
 *   job `queued` and returns its id at once.
 * - A **bounded queue** runs at most `concurrency` jobs at a time; at most `queueLimit` wait
 *   behind them, and a submission past that is refused (GAS_ERR_OVERLOADED, HTTP 503) rather
 *   than holding a plan (an open graph, a loaded program) in memory for each.
 * - **follow** yields a job's events (job-events.ts) from any sequence number on, stored ones
 *   first, then live ones as they come, until the job ends; events are stored in the catalog,
 *   so a job run by another process is followed the same way (by polling the catalog). A long
 *   job's log stays small: past its first 1000 progress events only a thinning share is stored
 *   (`keepProgress`); state changes always are.
 * - **cancel** ends a queued job at once; a running one stops at its next step boundary (the
 *   engine checks between steps; async: at its next poll) and ends `cancelled` with no result
 *   visible — results commit in one transaction with the job's success, or not at all. A job run
 *   by another process is cancelled through its row (`cancel_requested`), which that process's
 *   service polls.
 * - **shutdown** stops taking jobs, ends the queued ones `interrupted`, asks the running ones to
 *   stop at a step boundary and records them `interrupted` (a server's SIGTERM).
 */
import { EventEmitter } from 'node:events';
import { ERROR_CODES, GasError, type ErrorCode } from '../errors.js';
import type { Catalog, JobRecord } from '../storage/index.js';
import { isTerminal, phaseProgress, progressOf, type JobEvent, type JobEventBody, type JobState } from './job-events.js';
import { admitJob, admitResume, type JobSummary, type PreparedJob, type RunOptions } from './run.js';
import { assertFits } from './estimate.js';
import { admitImport } from './import-job.js';
import type { GraphImportOptions } from './graphs.js';
import type { StepReport } from '../engine/index.js';

/**
 * What the queue holds: a job whose input was checked and whose row exists — a run
 * (`AdmittedJob`, run.ts) or an import (import-job.ts) — to execute once, or to release.
 */
export interface QueuedWork {
  readonly jobId: number;
  /** The steps it will run if nothing stops it sooner, when known (percent done and ETA). */
  readonly plannedSteps: number | null;
  execute(hooks: WorkHooks): Promise<{ iterations: number; converged: boolean; stopReason: string; timings: { computeMs: number } }>;
  release(): void;
}

/** How the service hears from a job as it runs, and stops it. */
export interface WorkHooks {
  readonly signal?: AbortSignal;
  /** A run's step (sync, SSP) or progress report (async). */
  readonly onStep?: (step: StepReport) => void;
  /** An import's phase and how far into it (0–1). */
  readonly onPhase?: (phase: string, fraction: number) => void;
  /** Asked at a run's step boundaries: checkpoint before stopping (the job is being interrupted, not cancelled). */
  readonly checkpointWanted?: () => boolean;
}

/** Import progress events, at most this often (ms) within a phase. */
const PHASE_REPORT_MS = 250;

export interface JobServiceOptions {
  /** Jobs running at once (default 1: a job uses every core it is given). */
  readonly concurrency?: number;
  /** Jobs waiting at most (default 100). */
  readonly queueLimit?: number;
  /** How often running jobs' rows are checked for a cancel asked by another process (ms, default 250). */
  readonly pollMs?: number;
  /**
   * Run every job's workers on threads, even a single one (`RunOptions.ownHeap`): a server's event
   * loop must keep answering while a job computes, and workers in its thread would hold it for
   * whole steps. Program objects, which cannot go to a thread, still run in this one.
   */
  readonly ownHeap?: boolean;
}

export interface JobFilter {
  readonly graph?: string;
  readonly status?: JobState;
  readonly limit?: number;
}

/** A job running in this service. */
interface Active {
  readonly admitted: QueuedWork;
  readonly abort: AbortController;
  /** Why it is being stopped: a cancel, or the service shutting down; null while it runs on. */
  stopping: 'cancelled' | 'interrupted' | null;
  /** What interrupted it (`shutdown`'s reason), recorded on its row. */
  interruptedBy: string;
  /** Settles when the job has ended and its row says how. */
  done: Promise<void>;
}

export class JobService {
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly pollMs: number;
  private readonly ownHeap: boolean;
  private readonly queue: QueuedWork[] = [];
  private readonly running = new Map<number, Active>();
  private readonly emitter = new EventEmitter();
  private closing = false;
  /** The ends of jobs that ended here (record), until a follower has read them from the row. */
  private readonly endings = new Map<number, JobEventBody>();
  /** Progress events each running job has reported so far (`keepProgress`). */
  private readonly progressReported = new Map<number, number>();
  private readonly poller: NodeJS.Timeout;

  constructor(
    readonly catalog: Catalog,
    options: JobServiceOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.queueLimit = Math.max(0, options.queueLimit ?? 100);
    this.pollMs = options.pollMs ?? 250;
    this.ownHeap = options.ownHeap ?? false;
    this.emitter.setMaxListeners(0);
    this.poller = setInterval(() => this.pollCancels(), this.pollMs);
    this.poller.unref();
  }

  /**
   * Checks the request and queues the job; resolves with its id once its row exists. A job whose
   * memory estimate does not fit this machine (estimate.ts) is refused (GAS_ERR_LIMIT) with no
   * row, unless `force`.
   */
  async submit(request: RunOptions, options: { readonly force?: boolean } = {}): Promise<{ id: number }> {
    this.checkAdmission();
    const check = options.force ? undefined : (prepared: PreparedJob): void => assertFits(this.catalog, prepared);
    const admitted = await admitJob(this.catalog, this.ownHeap ? { ...request, ownHeap: true } : request, 'queued', check);
    this.enqueue(admitted);
    return { id: admitted.jobId };
  }

  /**
   * Queues interrupted or failed job `id` again, to go on from its newest usable checkpoint
   * (run.ts `admitResume`); resolves with what it resumes from once its row says `queued`.
   */
  async resume(id: number | string): Promise<{ id: number; step: number; checkpoint: number; skipped: readonly string[] }> {
    this.checkAdmission();
    const admitted = await admitResume(this.catalog, id, 'queued');
    // How it ended last time is history now.
    this.endings.delete(admitted.jobId);
    this.enqueue(admitted);
    const { manifest } = admitted.resumedFrom;
    return { id: admitted.jobId, step: manifest.step, checkpoint: manifest.seq, skipped: admitted.skipped };
  }

  /**
   * Checks an import's options and queues it as a job (`algorithm: 'import'`); resolves with its
   * id once its row exists. Its progress events name the phase (`progress.phase`) and how far
   * into it; a cancel stops it at the next report and nothing is stored.
   */
  submitImport(options: GraphImportOptions): { id: number } {
    this.checkAdmission();
    const admitted = admitImport(this.catalog, options, 'queued');
    this.enqueue(admitted);
    return { id: admitted.jobId };
  }

  /** Refuses a job while shutting down or when the queue is full (GAS_ERR_OVERLOADED: retry later). */
  private checkAdmission(): void {
    if (this.closing) throw new GasError('GAS_ERR_OVERLOADED', 'jobs: the service is shutting down; submit the job again when it is back', {});
    if (this.queue.length >= this.queueLimit && this.running.size >= this.concurrency) {
      throw new GasError('GAS_ERR_OVERLOADED', `jobs: ${this.queue.length} jobs are already waiting (the queue's limit); submit again when some have run`, {
        queued: this.queue.length,
      });
    }
  }

  private enqueue(admitted: QueuedWork): void {
    this.record(admitted.jobId, { type: 'queued' });
    this.queue.push(admitted);
    this.startNext();
  }

  /** Submits and waits for the job to end; resolves with its record whatever the end (see `status`). */
  async run(request: RunOptions): Promise<JobRecord> {
    const { id } = await this.submit(request);
    return this.wait(id);
  }

  get(id: number | string): JobRecord {
    return this.catalog.jobs.get(id);
  }

  list(filter: JobFilter = {}): JobRecord[] {
    return this.catalog.jobs.list(filter);
  }

  /** The job's stored events after sequence number `after`. */
  events(id: number | string, after = 0): JobEvent[] {
    return this.storedEvents(this.get(id).id, after);
  }

  /**
   * Cancels a job: a queued one ends `cancelled` now; a running one (here or in another process)
   * is asked to stop at its next step boundary. Returns the job's record as it is then; a job
   * that already ended is returned as it is (cancelling it again is not an error).
   */
  cancel(id: number | string): JobRecord {
    const job = this.get(id);
    if (isTerminal(job.status)) return job;
    const queuedAt = this.queue.findIndex((admitted) => admitted.jobId === job.id);
    if (queuedAt >= 0) {
      const [admitted] = this.queue.splice(queuedAt, 1);
      admitted!.release();
      this.catalog.jobs.end(job.id, 'cancelled');
      this.record(job.id, { type: 'cancelled' });
      return this.get(job.id);
    }
    const active = this.running.get(job.id);
    if (active) this.stop(active, 'cancelled');
    else this.catalog.jobs.requestCancel(job.id);
    return this.get(job.id);
  }

  /** Resolves with the job's record once it has ended. */
  async wait(id: number | string): Promise<JobRecord> {
    const jobId = this.get(id).id;
    // follow returns after the job's end (an end it went on from, by `resume`, is not one).
    for await (const _ of this.follow(jobId));
    return this.get(jobId);
  }

  /**
   * The job's events after `after`, then live ones, until the job ends (the end's event is the
   * last yielded) or `signal` aborts. Another process's job is followed by polling the catalog.
   * A resumed job's log holds the end it was resumed from (`interrupted`, `failed`) and goes on:
   * the generator returns only after the last end, so read it to its end rather than stopping at
   * the first terminal event.
   */
  async *follow(id: number | string, after = 0, signal?: AbortSignal): AsyncGenerator<JobEvent> {
    const jobId = this.get(id).id;
    let seen = after;
    for (;;) {
      const events = this.storedEvents(jobId, seen);
      for (const [k, event] of events.entries()) {
        seen = event.seq;
        yield event;
        // An end is the end unless the job went on (`jobs resume`): later events, or a live row.
        if (isTerminal(event.type) && k === events.length - 1 && isTerminal(this.get(jobId).status)) return;
      }
      if (signal?.aborted) return;
      const job = this.get(jobId);
      const ended = this.ending(job);
      if (ended) {
        // Ended without a stored event (a job from before events, one whose process died, one whose end could not be stored): say how.
        yield { ...ended, seq: seen + 1, job: jobId, at: job.finishedAt ?? new Date().toISOString() };
        return;
      }
      await this.nextEvent(jobId, signal);
    }
  }

  /**
   * The summary of a job that succeeded, or its end as the GasError a caller throws: its error
   * for a failed job, GAS_ERR_CANCELLED for a cancelled or interrupted one, GAS_ERR_BUSY for one
   * that has not ended.
   */
  outcome(id: number | string): JobSummary {
    const job = this.get(id);
    const ended = this.ending(job);
    if (job.status === 'succeeded') return job.summary as unknown as JobSummary;
    if (ended?.type === 'failed') return throwGasError(ended.code, ended.message, { job: job.id });
    if (ended?.type === 'cancelled' || ended?.type === 'interrupted') {
      const why = ended.type === 'cancelled' ? 'was cancelled' : `was interrupted (${ended.reason})`;
      return throwGasError('GAS_ERR_CANCELLED', `run: job ${job.id} ${why}; it stopped at a step boundary and left no result`, { job: job.id });
    }
    return throwGasError('GAS_ERR_BUSY', `run: job ${job.id} is ${job.status}`, { job: job.id });
  }

  /** Stops polling; for a service with nothing running (a CLI command that only cancels or follows). */
  close(): void {
    clearInterval(this.poller);
  }

  /** Stops taking jobs; queued jobs end `interrupted`, running ones stop at a step boundary and end `interrupted`. */
  async shutdown(reason = 'the service shut down'): Promise<void> {
    this.closing = true;
    clearInterval(this.poller);
    for (const admitted of this.queue.splice(0)) {
      admitted.release();
      this.catalog.jobs.end(admitted.jobId, 'interrupted', reason);
      this.record(admitted.jobId, { type: 'interrupted', reason });
    }
    const active = [...this.running.values()];
    for (const job of active) this.stop(job, 'interrupted', reason);
    await Promise.all(active.map((job) => job.done));
  }

  private storedEvents(id: number, after: number): JobEvent[] {
    // Stored by `record` only, from JobEventBody: the catalog keeps them as JSON.
    return this.catalog.jobs.events(id, after) as unknown as JobEvent[];
  }

  /**
   * Waits until job `id` records an event here, a poll interval passes (another process may have
   * recorded one), or `signal` aborts. The timer is a ref'd one: a command that only follows a job
   * (`jobs watch`) must stay alive while it waits.
   */
  private nextEvent(id: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.emitter.off('event', onEvent);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const onEvent = (job: number): void => {
        if (job === id) done();
      };
      const timer = setTimeout(done, this.pollMs);
      this.emitter.on('event', onEvent);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Stores an event and wakes this process's followers. The job's row, not its log, says how a
   * job ended: an event that cannot be stored (a full disk) is dropped rather than failing the
   * job, and a follower that finds the row ended without its event is told from the row.
   */
  private record(id: number, body: JobEventBody): void {
    if (body.type === 'progress' && !this.keepProgress(id)) return;
    if (isTerminal(body.type)) {
      this.progressReported.delete(id);
      this.endings.set(id, body);
      // Kept for followers until they read the row; a bound for the ones nobody follows.
      if (this.endings.size > MAX_ENDINGS) this.endings.delete(this.endings.keys().next().value!);
    }
    try {
      this.catalog.jobs.appendEvent(id, body, body.type === 'progress');
    } catch {
      // Dropped: see above.
    }
    this.emitter.emit('event', id);
  }

  /**
   * Whether a job's next progress event goes into its log: the first `PROGRESS_KEPT` all do, then
   * one in ⌈n / PROGRESS_KEPT⌉ — so a job of n steps (or an async job's n reports) stores about
   * PROGRESS_KEPT × (1 + ln(n / PROGRESS_KEPT)) of them, spread over the whole run, not n.
   */
  private keepProgress(id: number): boolean {
    const seen = (this.progressReported.get(id) ?? 0) + 1;
    this.progressReported.set(id, seen);
    return seen <= PROGRESS_KEPT || seen % Math.ceil(seen / PROGRESS_KEPT) === 0;
  }

  /**
   * How job `id` ended, from its row — or, when the row still says it runs but it ended here (its
   * end could not be written: a full disk), from what this service saw.
   */
  private ending(job: JobRecord): JobEventBody | null {
    const seen = this.endings.get(job.id);
    if (isTerminal(job.status)) {
      this.endings.delete(job.id);
      return endingOf(job);
    }
    return seen ?? null;
  }

  private startNext(): void {
    while (!this.closing && this.running.size < this.concurrency && this.queue.length > 0) {
      const admitted = this.queue.shift()!;
      const active: Active = { admitted, abort: new AbortController(), stopping: null, interruptedBy: '', done: Promise.resolve() };
      this.running.set(admitted.jobId, active);
      active.done = this.execute(active).finally(() => {
        this.running.delete(admitted.jobId);
        this.startNext();
      });
    }
  }

  private async execute(active: Active): Promise<void> {
    const { admitted, abort } = active;
    const id = admitted.jobId;
    try {
      this.catalog.jobs.start(id);
    } catch (error) {
      admitted.release();
      const failure = error instanceof GasError ? error : new GasError('GAS_ERR_INTERNAL', String(error));
      if (failure.code === 'GAS_ERR_CANCELLED') {
        this.catalog.jobs.end(id, 'cancelled');
        this.record(id, { type: 'cancelled' });
      } else {
        this.catalog.jobs.fail(id, failure.code, failure.message);
        this.record(id, { type: 'failed', code: failure.code, message: failure.message });
      }
      return;
    }
    this.record(id, { type: 'running' });
    const startedAt = performance.now();
    let checkedAt = startedAt;
    // Workers in this thread never yield to timers between steps: the hooks poll for cancels too.
    const pollNow = (now: number): void => {
      if (now - checkedAt < this.pollMs) return;
      checkedAt = now;
      this.pollCancels();
    };
    let computingSince: number | null = null;
    let phaseAt = { phase: '', at: 0, index: -1 };
    try {
      const summary = await admitted.execute({
        signal: abort.signal,
        checkpointWanted: () => active.stopping === 'interrupted',
        onPhase: (phase, fraction) => {
          const now = performance.now();
          if (phase === phaseAt.phase && fraction < 1 && now - phaseAt.at < PHASE_REPORT_MS) return;
          phaseAt = { phase, at: now, index: phase === phaseAt.phase ? phaseAt.index : phaseAt.index + 1 };
          this.record(id, { type: 'progress', progress: phaseProgress(phase, phaseAt.index, fraction, now - startedAt) });
          pollNow(now);
        },
        onStep: (step) => {
          computingSince ??= performance.now() - step.ms;
          this.record(id, { type: 'progress', progress: progressOf(step, startedAt, computingSince, admitted.plannedSteps) });
          pollNow(performance.now());
        },
      });
      this.record(id, {
        type: 'succeeded',
        iterations: summary.iterations,
        converged: summary.converged,
        stopReason: summary.stopReason,
        computeMs: summary.timings.computeMs,
      });
    } catch (error) {
      const stopping = active.stopping;
      if (stopping && error instanceof GasError && error.code === 'GAS_ERR_CANCELLED') {
        const reason = stopping === 'interrupted' ? this.resumeHint(id, active.interruptedBy) : undefined;
        if (stopping === 'cancelled') this.catalog.checkpoints.removeAll(id, this.catalog.jobs.get(id).graphId);
        this.catalog.jobs.end(id, stopping, reason);
        this.record(id, stopping === 'cancelled' ? { type: 'cancelled' } : { type: 'interrupted', reason: reason! });
      } else {
        const failure = error instanceof GasError ? error : new GasError('GAS_ERR_INTERNAL', String(error));
        this.record(id, { type: 'failed', code: failure.code, message: failure.message });
      }
    }
  }

  /** An interrupted job's reason, and how to go on when it left a checkpoint. */
  private resumeHint(id: number, reason: string): string {
    const newest = this.catalog.checkpoints.list(id)[0];
    return newest ? `${reason}; \`gasworks jobs resume ${id}\` goes on from its checkpoint after step ${newest.step}` : reason;
  }

  private stop(active: Active, why: 'cancelled' | 'interrupted', reason = ''): void {
    if (active.stopping === null) {
      active.stopping = why;
      active.interruptedBy = reason;
    }
    active.abort.abort();
  }

  /** Jobs of this service whose row asks for a cancel (another process's `cancel`) are cancelled here. */
  private pollCancels(): void {
    const ids = [...this.running.keys(), ...this.queue.map((admitted) => admitted.jobId)];
    for (const id of this.catalog.jobs.cancelRequested(ids)) this.cancel(id);
  }
}

function throwGasError(code: string, message: string, details: Record<string, unknown>): never {
  throw new GasError((code in ERROR_CODES ? code : 'GAS_ERR_INTERNAL') as ErrorCode, message, details);
}

/** Progress events stored in full per job before they are thinned (`keepProgress`). */
const PROGRESS_KEPT = 1000;

/** The most job ends `endings` keeps. */
const MAX_ENDINGS = 1000;

/** How a job ended, as its row says (`job.status` is terminal). */
function endingOf(job: JobRecord): JobEventBody {
  switch (job.status) {
    case 'succeeded':
      return {
        type: 'succeeded',
        iterations: job.iterations ?? 0,
        converged: job.converged ?? false,
        stopReason: String(job.summary?.stopReason ?? ''),
        computeMs: job.computeMs ?? 0,
      };
    case 'failed':
      return { type: 'failed', code: job.errorCode ?? 'GAS_ERR_ABORTED', message: job.errorMessage ?? '' };
    case 'cancelled':
      return { type: 'cancelled' };
    default:
      return { type: 'interrupted', reason: job.errorMessage ?? 'its process stopped' };
  }
}
