/**
 * Progress on stderr, only when stderr is a terminal (never in pipes, logs or CI), drawn by
 * cli-progress: one bar per import phase.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { Writable } from 'node:stream';
import type { JobProgress } from '../api/index.js';

export function progressReporter(stderr: Writable): ((phase: string, fraction: number) => void) | undefined {
  if (!(stderr as NodeJS.WriteStream).isTTY) return undefined;
  let bar: SingleBar | null = null;
  let current = '';
  return (phase, fraction) => {
    if (phase !== current) {
      bar?.stop();
      current = phase;
      bar = new SingleBar(
        { format: `${phase.padEnd(9)} [{bar}] {percentage}%`, stream: stderr as NodeJS.WriteStream, clearOnComplete: true },
        Presets.shades_classic,
      );
      bar.start(100, 0);
    }
    bar!.update(Math.round(Math.min(1, fraction) * 100));
    if (fraction >= 1) {
      bar!.stop();
      bar = null;
      current = '';
    }
  };
}

/**
 * A running job's progress on stderr, only on a terminal: a bar with percent and time left where
 * the job knows its step count (JobProgress.percent), else the step and its figures. Called with
 * null when the job has ended, to clear the line.
 */
export function jobProgressReporter(stderr: Writable): ((progress: JobProgress | null) => void) | undefined {
  if (!(stderr as NodeJS.WriteStream).isTTY) return undefined;
  let bar: SingleBar | null = null;
  return (progress) => {
    if (progress === null) {
      bar?.stop();
      bar = null;
      return;
    }
    const figures = Object.entries(progress.aggregates)
      .slice(0, 2)
      .map(([name, value]) => `${name} ${Number(value).toPrecision(3)}`)
      .join(' · ');
    const payload = { step: progress.step + 1, figures };
    if (!bar) {
      const known = progress.percent !== null;
      bar = new SingleBar(
        {
          format: known ? 'step {step} [{bar}] {percentage}% · eta {eta_formatted} · {figures}' : 'step {step} · {figures}',
          stream: stderr as NodeJS.WriteStream,
          clearOnComplete: true,
          etaBuffer: 20,
        },
        Presets.shades_classic,
      );
      bar.start(100, 0, payload);
    }
    bar.update(Math.round(progress.percent ?? 0), payload);
  };
}
