/**
 * Real worker processes for the distributed tests: `gasworks worker` started from the built CLI
 * (optionally inside a network namespace), its address read from its first stdout line.
 *
 * Workers always require the cluster secret, so importing this module gives the test process a
 * fresh random one in `GASWORKS_CLUSTER_SECRET` (unless one is set): the workers it spawns, the
 * `gasworks run --cluster` it spawns and the `runJob` calls it makes all inherit it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { offerHandshake } from '../../src/cluster/handshake.js';
import { runJob, type Catalog, type RunOptions } from '../../src/index.js';
import { makeTempDir, openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './graph-files.js';
import { edgeListText, type TestGraph } from './generators.js';
import { importGraph } from '../../src/ingest/import-graph.js';

export const CLI = fileURLToPath(new URL('../../bin/gasworks.js', import.meta.url));

process.env.GASWORKS_CLUSTER_SECRET ||= randomBytes(32).toString('base64');
/** The secret this test run's workers and coordinators share. */
export const CLUSTER_SECRET: string = process.env.GASWORKS_CLUSTER_SECRET;

export interface WorkerProcess {
  readonly address: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `gasworks worker --listen HOST:0` (inside `netns` if given) and waits for its address;
 * `env` replaces the environment it inherits (e.g. another cluster secret).
 */
export async function startWorkerProcess(
  host = '127.0.0.1',
  netns?: string,
  env?: NodeJS.ProcessEnv,
  extraArgs: readonly string[] = [],
): Promise<WorkerProcess> {
  const args = [CLI, 'worker', '--listen', `${host}:0`, '--data-dir', makeTempDir('gasworks-worker-'), ...extraArgs];
  const child = netns ? spawn('ip', ['netns', 'exec', netns, process.execPath, ...args], { env }) : spawn(process.execPath, args, { env });
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

/** A raw TCP connection to a worker that has passed the handshake with `secret`: the next bytes are the client's HTTP upgrade. */
export async function authenticatedSocket(address: string, secret: string = CLUSTER_SECRET): Promise<Socket> {
  const colon = address.lastIndexOf(':');
  const socket = connect(Number(address.slice(colon + 1)), address.slice(0, colon).replace(/^\[|\]$/g, ''));
  await once(socket, 'connect');
  await offerHandshake(socket, Buffer.from(secret), 'coordinator-worker', address, 5000);
  return socket;
}

/**
 * Runs PageRank on `cluster` with a tolerance nothing reaches, calls `breakIt` when step `atStep`
 * completes (kill a worker, freeze it, cut its link), and returns what the job threw (`extra`:
 * more run options, e.g. `maxRecoveries: 0`, so that a lost worker fails the job).
 */
export async function errorOfBrokenJob(
  catalog: Catalog,
  graph: string,
  cluster: readonly string[],
  atStep: number,
  breakIt: () => void,
  extra: Partial<RunOptions> = {},
): Promise<unknown> {
  return runJob(catalog, {
    ...extra,
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

/**
 * A temporary catalog holding `graphs` (each an undirected edge list cut at random into two
 * partitions: many vertices with replicas on both workers) and `count` worker processes, for the
 * asynchronous engine's tests; `close` stops the workers and removes the catalog.
 */
export async function storedGraphsAndWorkers(
  graphs: readonly { readonly name: string; readonly graph: TestGraph }[],
  count: number,
): Promise<{ temp: TempCatalog; processes: WorkerProcess[]; close(): Promise<void> }> {
  const temp = openTempCatalog();
  for (const { name, graph } of graphs) {
    const file = writeGraphFile(temp.inputDir, `${name}.txt`, edgeListText(graph));
    await importGraph(temp.catalog, { file, name, partitions: 2, strategy: 'random', undirected: true });
  }
  const processes = await Promise.all(Array.from({ length: count }, () => startWorkerProcess()));
  return {
    temp,
    processes,
    close: async () => {
      await Promise.all(processes.map((p) => p.stop()));
      temp.close();
      removeTempDirs();
    },
  };
}
