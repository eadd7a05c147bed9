/**
 * Progress on stderr, only when stderr is a terminal (never in pipes, logs or CI), drawn by
 * cli-progress: one bar per import phase.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { Writable } from 'node:stream';

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
