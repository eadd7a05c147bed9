/**
 * When a run checkpoints (`--checkpoint-every`): every K steps, every so many seconds, or `auto` —
 * at the interval Young's formula gives for the measured cost of a checkpoint C and the mean time
 * between failures M (`--mtbf`): T = √(2·C·M), the interval that minimises the time lost to
 * checkpoints plus the work redone after a failure (J. W. Young, "A first order approximation to
 * the optimum checkpoint interval", CACM 17(9), 1974). Under `auto` the first checkpoint is taken
 * after the first step, to measure C; the interval is recomputed after each.
 */
import { GasError } from '../errors.js';

export type CheckpointSchedule =
  | { readonly kind: 'steps'; readonly steps: number }
  | { readonly kind: 'seconds'; readonly seconds: number }
  | { readonly kind: 'auto'; readonly mtbfSeconds: number };

/** The mean time between failures `auto` assumes unless told (`--mtbf`): one day. */
export const DEFAULT_MTBF_SECONDS = 86_400;

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** `--checkpoint-every` as given — steps (a positive integer), a duration (`30s`, `5m`, `1h`) or `auto` — with `--mtbf`; null when not given. */
export function parseCheckpointSchedule(every: number | string | undefined, mtbfSeconds?: number): CheckpointSchedule | null {
  if (mtbfSeconds !== undefined && !(mtbfSeconds > 0 && Number.isFinite(mtbfSeconds))) {
    throw invalid(`--mtbf must be a positive number of seconds, got ${mtbfSeconds}`, 'mtbf');
  }
  if (every === undefined) {
    if (mtbfSeconds !== undefined) throw invalid('--mtbf goes with --checkpoint-every auto', 'mtbf');
    return null;
  }
  const text = String(every).trim();
  if (text === 'auto') return { kind: 'auto', mtbfSeconds: mtbfSeconds ?? DEFAULT_MTBF_SECONDS };
  if (mtbfSeconds !== undefined) throw invalid('--mtbf goes with --checkpoint-every auto', 'mtbf');
  const duration = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text);
  if (duration) {
    const seconds = Number(duration[1]) * UNITS[duration[2]!]!;
    if (!(seconds > 0)) throw invalid(`--checkpoint-every must be a positive duration, got ${text}`, 'checkpoint-every');
    return { kind: 'seconds', seconds };
  }
  const steps = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(steps) || steps < 1) {
    throw invalid(
      `--checkpoint-every must be a number of steps (a positive integer), a duration (30s, 5m, 1h) or auto, got ${JSON.stringify(every)}`,
      'checkpoint-every',
    );
  }
  return { kind: 'steps', steps };
}

/** How a schedule reads in a summary. */
export function describeSchedule(schedule: CheckpointSchedule | null): string {
  if (!schedule) return 'only when interrupted';
  if (schedule.kind === 'steps') return `every ${schedule.steps} step${schedule.steps === 1 ? '' : 's'}`;
  if (schedule.kind === 'seconds') return `every ${schedule.seconds} s`;
  return `auto (Young's interval at an MTBF of ${schedule.mtbfSeconds} s)`;
}

/**
 * Decides, at each step boundary, whether a checkpoint is due under `schedule` (null: never —
 * an interrupted job still checkpoints, which the caller asks separately).
 */
export class CheckpointClock {
  private lastAt: number;
  /** `auto`: the interval now (ms), from the last checkpoint's cost; null before the first. */
  private intervalMs: number | null = null;

  constructor(
    private readonly schedule: CheckpointSchedule | null,
    now: number = performance.now(),
  ) {
    this.lastAt = now;
  }

  /** After `stepsDone` steps in all (counting those before a resume), at time `now`. */
  due(stepsDone: number, now: number = performance.now()): boolean {
    const schedule = this.schedule;
    if (!schedule) return false;
    if (schedule.kind === 'steps') return stepsDone % schedule.steps === 0;
    if (schedule.kind === 'seconds') return now - this.lastAt >= schedule.seconds * 1000;
    return this.intervalMs === null || now - this.lastAt >= this.intervalMs;
  }

  /** A checkpoint that took `costMs` ended at `now`. */
  taken(costMs: number, now: number = performance.now()): void {
    this.lastAt = now;
    if (this.schedule?.kind === 'auto') this.intervalMs = Math.sqrt(2 * costMs * this.schedule.mtbfSeconds * 1000);
  }

  /** `auto`: the interval Young's formula gives now (ms), or null before the first checkpoint or under another schedule. */
  get autoIntervalMs(): number | null {
    return this.intervalMs;
  }
}

function invalid(message: string, option: string): GasError {
  return new GasError('GAS_ERR_INVALID_ARGUMENT', `run: ${message}`, { option });
}
