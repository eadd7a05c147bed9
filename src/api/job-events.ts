/**
 * What a job tells those who follow it: one event per state change and one per step (a
 * superstep under sync and SSP; a progress report, every 250 ms, under async). Events carry a
 * sequence number per job, from 1, so a follower that reconnects asks for those after the last
 * one it saw (REST: Server-Sent Events' `Last-Event-ID`) and misses nothing; they are stored in
 * the catalog, so another process (`gasworks jobs watch`) follows a job it did not start.
 */
import type { StepReport } from '../engine/index.js';

/** Where a job is in its life. `queued` → `running` → one of the four ends. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export function isTerminal(state: string): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/**
 * A step's progress, as ArangoDB's Pregel status and Neo4j GDS's `listProgress` report it: the
 * step, what ran, the aggregates (PageRank's `change` is its residual), per-worker time, bytes
 * between workers, and percent done with an estimate of the time left where the job knows how
 * far it has to go (a fixed iteration count, or the iteration limit when that is what it will
 * run); null where it cannot know (a run that stops when it converges).
 */
export interface JobProgress {
  readonly step: number;
  /** Vertices that ran this step (async: updates since the last report). */
  readonly activeVertices: number;
  readonly stepMs: number;
  /** Since the job started running (load included). */
  readonly elapsedMs: number;
  readonly aggregates: Readonly<Record<string, number>>;
  /** Per worker: the part of the step it waited for others. */
  readonly waitMs: readonly number[];
  readonly bytes: number;
  readonly messages: number;
  /** 0–100, or null when the job cannot know how far it is. */
  readonly percent: number | null;
  readonly etaMs: number | null;
  /** Imports: the phase (`parse`, `partition`, `build`, …); `step` counts phases, `percent` is into this one. */
  readonly phase?: string;
}

export type JobEventBody =
  | { readonly type: 'queued' }
  | { readonly type: 'running' }
  | { readonly type: 'progress'; readonly progress: JobProgress }
  | { readonly type: 'succeeded'; readonly iterations: number; readonly converged: boolean; readonly stopReason: string; readonly computeMs: number }
  | { readonly type: 'failed'; readonly code: string; readonly message: string }
  | { readonly type: 'cancelled' }
  | { readonly type: 'interrupted'; readonly reason: string };

export type JobEvent = JobEventBody & {
  /** 1, 2, … per job. */
  readonly seq: number;
  readonly job: number;
  /** ISO time. */
  readonly at: string;
};

/**
 * A step report as progress. `startedAt`: when the job started running (its load included);
 * `computingSince`: when its first step began — the time left is the steps left at the mean
 * step time so far, not counting the load (counting it, a job 1 s from its end was told 3 min at
 * its first step). `plannedSteps`: the steps the job will run if nothing stops it sooner — known
 * for fixed-iteration programs (ALS, LDA, PageRank at tolerance 0), else null.
 */
export function progressOf(step: StepReport, startedAt: number, computingSince: number, plannedSteps: number | null): JobProgress {
  const now = performance.now();
  const elapsedMs = now - startedAt;
  const done = step.iteration + 1;
  const percent = plannedSteps !== null && plannedSteps > 0 ? Math.min(100, (100 * done) / plannedSteps) : null;
  return {
    step: step.iteration,
    activeVertices: step.activeVertices,
    stepMs: step.ms,
    elapsedMs,
    aggregates: step.aggregates,
    waitMs: step.waitMs,
    bytes: step.bytes,
    messages: step.messages,
    percent,
    etaMs: percent !== null && plannedSteps !== null ? ((now - computingSince) / done) * Math.max(0, plannedSteps - done) : null,
  };
}

/** An import's progress: phase `index` (from 0) named `phase`, `fraction` (0–1) of the way through it. */
export function phaseProgress(phase: string, index: number, fraction: number, elapsedMs: number): JobProgress {
  return {
    step: index,
    phase,
    activeVertices: 0,
    stepMs: 0,
    elapsedMs,
    aggregates: {},
    waitMs: [],
    bytes: 0,
    messages: 0,
    percent: Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10,
    etaMs: null,
  };
}
