/** Shared by the benchmark scripts: medians, rounding, and the built modules. */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Runtime modules from the build (what the CLI runs), typed by their sources. */
export function fromDist<T>(path: string): Promise<T> {
  return import(pathToFileURL(resolve(fileURLToPath(new URL('../dist/', import.meta.url)), path)).href) as Promise<T>;
}
