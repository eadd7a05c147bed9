/**
 * Starting a worker thread on a module of gasworks itself. From the build, the compiled `.js`
 * module; when gasworks runs from its TypeScript sources (tests, benchmarks), the `.ts` module,
 * loaded after registering tsx in the new thread — Node 20 does not apply `--import` hooks to a
 * worker's entry module.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `sibling` is the module's path relative to `from` (an `import.meta.url`), without extension; `options` as for `new Worker` (`workerData`, …). */
export function startModuleWorker(from: string, sibling: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`${sibling}.js`, from), options);
  const entry = new URL(`${sibling}.ts`, from).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { ...options, eval: true });
}
