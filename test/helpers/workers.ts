/**
 * Real worker processes for the distributed tests: `gasworks worker` started from the built CLI
 * (optionally inside a network namespace), its address read from its first stdout line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { runJob, type Catalog } from '../../src/index.js';
import { makeTempDir } from './graph-files.js';

export const CLI = fileURLToPath(new URL('../../bin/gasworks.js', import.meta.url));

export interface WorkerProcess {
  readonly address: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `gasworks worker --listen HOST:0` (inside `netns` if given) and waits for its address. */
export async function startWorkerProcess(host = '127.0.0.1', netns?: string): Promise<WorkerProcess> {
  const args = [CLI, 'worker', '--listen', `${host}:0`, '--data-dir', makeTempDir('gasworks-worker-')];
  const child = netns ? spawn('ip', ['netns', 'exec', netns, process.execPath, ...args]) : spawn(process.execPath, args);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before listening: ${stderr}`)));
  });
  return {
    address,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/**
 * Runs PageRank on `cluster` with a tolerance nothing reaches, calls `breakIt` when step `atStep`
 * completes (kill a worker, freeze it, cut its link), and returns what the job threw.
 */
export async function errorOfBrokenJob(catalog: Catalog, graph: string, cluster: readonly string[], atStep: number, breakIt: () => void): Promise<unknown> {
  return runJob(catalog, {
    graph,
    algorithm: 'pagerank',
    options: { tolerance: 1e-300, maxIterations: 1_000_000 },
    cluster,
    onStep: (step) => {
      if (step.iteration === atStep) breakIt();
    },
  }).catch((e: unknown) => e);
}

/**
 * Runs `gasworks <args>` and SIGKILLs it as soon as `ready()` holds (polled every 2 ms); resolves
 * with the signal that ended it, and rejects if the command finished before it could be killed.
 */
export function runAndKill(args: readonly string[], ready: () => boolean): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  return new Promise((resolvePromise, reject) => {
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        child.kill('SIGKILL');
      }
    }, 2);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearInterval(poll);
      if (code !== null) reject(new Error(`gasworks ${args[0]} finished (exit ${code}) before it could be killed`));
      else resolvePromise(signal);
    });
  });
}
