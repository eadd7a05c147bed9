/**
 * Workers on separate hosts, as far as the network can tell: each worker process runs in its own
 * network namespace, cabled by a veth pair to one bridge (a switch) on which the coordinator's
 * namespace has an address too, so the hosts reach each other and the coordinator as machines on
 * one LAN do. The test makes the namespaces, links and bridge itself and removes them afterwards;
 * where the kernel or the user may not make namespaces it is skipped with the reason printed.
 *
 * PageRank and connected components must match one in-process worker (the workers exchange on
 * their mesh, host to host); a worker killed mid-job, and a worker whose link goes down (no FIN,
 * no RST: only the heartbeats notice), must fail the job within a bounded time with an error
 * naming that worker (with recovery turned off); two hosts that cannot reach each other fail the
 * job naming the pair; a host killed mid-job is recovered from (its partitions move to a
 * surviving host; the run goes on from its checkpoint) with the uninterrupted result.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResults, runJob, type RunOptions } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { edgeListText, importOptions, preferentialAttachment, relabeled } from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { errorOfBrokenJob, startWorkerProcess, type WorkerProcess } from './helpers/workers.js';

interface Host {
  readonly netns: string;
  /** The switch-side end of the veth pair (a port of the bridge). */
  readonly link: string;
  readonly address: string;
}

const tag = `${process.pid % 100_000}`;
const subnet = 100 + (process.pid % 100);
const bridge = `gw${tag}br`;
const hosts: Host[] = [0, 1, 2].map((i) => ({ netns: `gw${tag}n${i}`, link: `gw${tag}h${i}`, address: `10.${subnet}.0.${i + 2}` }));

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function removeHosts(): void {
  try {
    ip('link', 'del', bridge);
  } catch {
    // not made
  }
  for (const host of hosts) {
    try {
      ip('netns', 'del', host.netns);
    } catch {
      // not made
    }
    try {
      ip('link', 'del', host.link);
    } catch {
      // went with its namespace
    }
  }
}

/** Makes the namespaces and links; returns why it cannot, or null. */
function makeHosts(): string | null {
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `10.${subnet}.0.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    hosts.forEach((host, i) => {
      const inner = `gw${tag}i${i}`;
      ip('netns', 'add', host.netns);
      ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', inner);
      ip('link', 'set', inner, 'netns', host.netns);
      ip('link', 'set', host.link, 'master', bridge);
      ip('link', 'set', host.link, 'up');
      ip('netns', 'exec', host.netns, 'ip', 'addr', 'add', `${host.address}/24`, 'dev', inner);
      ip('netns', 'exec', host.netns, 'ip', 'link', 'set', inner, 'up');
      ip('netns', 'exec', host.netns, 'ip', 'link', 'set', 'lo', 'up');
    });
    return null;
  } catch (error) {
    removeHosts();
    return `cannot make network namespaces here: ${((error as { stderr?: Buffer }).stderr ?? String(error)).toString().trim()}`;
  }
}

const skipReason = makeHosts();
if (skipReason) console.log(`netns.test.ts skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('workers in separate network namespaces', () => {
  let temp: TempCatalog;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    temp = openTempCatalog();
    const graph = relabeled(preferentialAttachment(11, 800, 3), 12);
    const file = writeGraphFile(temp.inputDir, 'pa.txt', edgeListText(graph));
    await importGraph(temp.catalog, { file, name: 'pa', ...importOptions(graph, true), partitions: 3 });
    workers = await Promise.all(hosts.map((host) => startWorkerProcess(host.address, host.netns)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    removeHosts();
    temp?.close();
    removeTempDirs();
  });

  async function values(options: RunOptions): Promise<Float64Array> {
    const summary = await runJob(temp.catalog, { top: 0, ...options });
    const result = new Float64Array(summary.iterations >= 0 ? temp.catalog.getGraph('pa').vertices : 0);
    for (const { vertex, value } of jobResults(temp.catalog, summary.jobId).rows()) result[vertex as number] = value as number;
    return result;
  }

  it.each([
    { algorithm: 'pagerank', options: { tolerance: 1e-12 }, relative: 1e-12 },
    { algorithm: 'connected-components', options: {}, relative: 0 },
  ])('$algorithm across three hosts equals one in-process worker', async ({ algorithm, options, relative }) => {
    const expected = await values({ graph: 'pa', algorithm, options, workers: 1 });
    const got = await values({ graph: 'pa', algorithm, options, cluster: workers.map((w) => w.address) });
    expect(workers.map((w) => w.address.split(':')[0])).toEqual(hosts.map((h) => h.address));
    for (let v = 0; v < expected.length; v++) {
      if (Math.abs(got[v]! - expected[v]!) > relative * Math.abs(expected[v]!))
        expect.fail(`${algorithm}: vertex ${v}: got ${got[v]}, expected ${expected[v]}`);
    }
  });

  it('a worker whose link goes down fails the job within the heartbeat timeout, naming it', async () => {
    process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS = '2000';
    const victim = 2;
    try {
      const started = Date.now();
      let cutAt = 0;
      const error = await errorOfBrokenJob(
        temp.catalog,
        'pa',
        workers.map((w) => w.address),
        3,
        () => {
          cutAt = Date.now();
          ip('link', 'set', hosts[victim]!.link, 'down');
        },
        { maxRecoveries: 0 },
      );
      expect(error).toMatchObject({ code: 'GAS_ERR_WORKER', message: expect.stringContaining(workers[victim]!.address) });
      expect(cutAt).toBeGreaterThan(started);
      const [job] = temp.catalog.jobs.list({ limit: 1 });
      expect(job).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_WORKER' });
    } finally {
      delete process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS;
      ip('link', 'set', hosts[victim]!.link, 'up');
    }
  });

  it('two hosts that cannot reach each other fail the job naming the pair, and the mesh forms again once they can', async () => {
    // Host 2 dials the hosts before it in the job's list; a route that refuses host 1's address
    // stands for a firewall between the two (the coordinator still reaches both).
    const [, from, to] = [0, 2, 1];
    ip('netns', 'exec', hosts[from]!.netns, 'ip', 'route', 'add', 'prohibit', `${hosts[to]!.address}/32`);
    try {
      const error = await runJob(temp.catalog, { graph: 'pa', algorithm: 'pagerank', cluster: workers.map((w) => w.address) }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'GAS_ERR_WORKER',
        message: expect.stringContaining(`worker ${workers[from]!.address} cannot reach its peer worker ${workers[to]!.address}`),
      });
      const [job] = temp.catalog.jobs.list({ limit: 1 });
      expect(job).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_WORKER' });
    } finally {
      ip('netns', 'exec', hosts[from]!.netns, 'ip', 'route', 'del', 'prohibit', `${hosts[to]!.address}/32`);
    }
    const after = await values({ graph: 'pa', algorithm: 'connected-components', cluster: workers.map((w) => w.address) });
    expect(after.length).toBeGreaterThan(0);
  });

  it('a worker killed mid-job fails the job naming it', async () => {
    const victim = 1;
    const error = await errorOfBrokenJob(
      temp.catalog,
      'pa',
      workers.map((w) => w.address),
      3,
      () => workers[victim]!.child.kill('SIGKILL'),
      { maxRecoveries: 0 },
    );
    expect(error).toMatchObject({ code: 'GAS_ERR_WORKER', message: expect.stringContaining(workers[victim]!.address) });
  });

  it('a host killed mid-job is recovered from: its partitions move to a surviving host, the run goes on from its checkpoint and ends right', async () => {
    // Hosts 0 and 2 (host 1 was killed above); host 2 is killed after step 5, the checkpoint after step 3 is the newest.
    const request: RunOptions = { graph: 'pa', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 12 }, top: 0 };
    const expected = await values({ ...request, workers: 1 });
    const cluster = [workers[0]!.address, workers[2]!.address];
    let killed = false;
    const summary = await runJob(temp.catalog, {
      ...request,
      cluster,
      checkpointEvery: 2,
      onStep: (step) => {
        if (step.iteration === 5 && !killed) {
          killed = true;
          workers[2]!.child.kill('SIGKILL');
        }
      },
    });
    expect(summary.recoveries).toMatchObject([{ worker: workers[2]!.address, lostAfterStep: 5, resumedAfterStep: 3, movedTo: [workers[0]!.address] }]);
    const got = new Float64Array(expected.length);
    for (const { vertex, value } of jobResults(temp.catalog, summary.jobId).rows()) got[vertex as number] = value as number;
    for (let v = 0; v < expected.length; v++) if (Math.abs(got[v]! - expected[v]!) > 1e-9) expect.fail(`vertex ${v}: got ${got[v]}, expected ${expected[v]}`);
  });
});
