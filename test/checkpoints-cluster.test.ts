/**
 * Checkpoints and recovery with workers in `gasworks worker` processes (issue 18). A cluster job
 * checkpoints: each worker process writes its part into its own data directory and the
 * coordinator pulls it into the job's checkpoint directory, checking its SHA-256, before the
 * manifest is recorded; `jobs resume` ships each part back to the process that will hold it and
 * ends with the uninterrupted result; a damaged newest part is passed over, and a part whose
 * bytes change on the wire is refused. A worker process SIGKILLed mid-run, or frozen with SIGSTOP
 * (found by its silent heartbeats), is recovered from by itself: its partitions move to a spare or
 * to a surviving process, every worker goes back to the newest checkpoint, and the job ends with
 * the uninterrupted result (PageRank within 1e-9, connected components identical). A frozen
 * process continued afterwards is fenced: its connection is gone and it serves the next job
 * afresh. Real processes, small graphs, no timing assertions.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobService, runJob, type JobSummary, type RunOptions } from '../src/api/index.js';
import { usableCheckpoint } from '../src/api/checkpoints.js';
import { receivePart, sendPart, IncomingPart, PART_CHUNK_BYTES } from '../src/cluster/part-transfer.js';
import { Standby } from '../src/cluster/standby.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { graphDir } from '../src/storage/index.js';
import { edgeListText, erdosRenyi } from './helpers/generators.js';
import { makeTempDir, openTempCatalog, removeTempDirs, storedResult, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { interruptAt } from './helpers/interrupt.js';
import { startWorkerProcess, type WorkerProcess } from './helpers/workers.js';
import { createHash } from 'node:crypto';

let temp: TempCatalog;
let workers: WorkerProcess[] = [];
const PAGERANK: Pick<RunOptions, 'algorithm' | 'options' | 'graph'> = { graph: 'er', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 16 } };
const COMPONENTS: Pick<RunOptions, 'algorithm' | 'options' | 'graph'> = { graph: 'sparse', algorithm: 'connected-components', options: {} };
let expectedRanks: Float64Array;
let expectedComponents: Float64Array;

beforeAll(async () => {
  temp = openTempCatalog();
  const { catalog, inputDir } = temp;
  await importGraph(catalog, { file: writeGraphFile(inputDir, 'er.txt', edgeListText(erdosRenyi(11, 400, 2_000))), name: 'er', partitions: 4 });
  // Many small components: connected components takes several steps to settle.
  await importGraph(catalog, {
    file: writeGraphFile(inputDir, 'sparse.txt', edgeListText(erdosRenyi(7, 600, 420))),
    name: 'sparse',
    partitions: 4,
    undirected: true,
  });
  workers = await Promise.all([0, 1].map(() => startWorkerProcess()));
  // The references: uninterrupted runs on the same two processes, with no checkpoint.
  expectedRanks = storedResult(catalog, (await runJob(catalog, { ...PAGERANK, cluster: addresses(), top: 0 })).jobId);
  expectedComponents = storedResult(catalog, (await runJob(catalog, { ...COMPONENTS, cluster: addresses(), top: 0 })).jobId);
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  temp.close();
  removeTempDirs();
});

function addresses(): string[] {
  return workers.map((w) => w.address);
}

function expectClose(actual: Float64Array, expected: Float64Array, tolerance: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let v = 0; v < expected.length; v++) worst = Math.max(worst, Math.abs(actual[v]! - expected[v]!));
  expect(worst, what).toBeLessThanOrEqual(tolerance);
}

/** Runs `request` and calls `breakIt` once, when step `atStep` has completed. */
function runBreaking(request: RunOptions, atStep: number, breakIt: () => void): Promise<JobSummary> {
  let broken = false;
  return runJob(temp.catalog, {
    top: 0,
    ...request,
    onStep: (step) => {
      if (step.iteration === atStep && !broken) {
        broken = true;
        breakIt();
      }
    },
  });
}

function partFile(id: number, seq: number, worker: number): string {
  const job = temp.catalog.jobs.get(id);
  const manifest = temp.catalog.checkpoints.list(id).find((c) => c.seq === seq)!.manifest as { parts: { file: string }[] };
  return join(graphDir(temp.dataDir, job.graphId!), manifest.parts[worker]!.file);
}

describe('checkpoints of worker processes', () => {
  it('are written into the coordinator’s checkpoint directory and verify; jobs resume ends with the uninterrupted result', async () => {
    const id = await interruptAt(temp.catalog, { ...PAGERANK, cluster: addresses(), checkpointEvery: 3 }, 7);
    expect(temp.catalog.jobs.get(id).status).toBe('interrupted');
    const checkpoints = temp.catalog.checkpoints.list(id);
    expect(checkpoints.length).toBeGreaterThanOrEqual(1);
    const { from } = usableCheckpoint(temp.catalog, { id, graphId: temp.catalog.jobs.get(id).graphId! });
    expect(from.manifest.parts).toHaveLength(2);
    expect(from.manifest.run.cluster).toEqual(addresses());
    for (const file of from.files) expect(existsSync(file)).toBe(true);

    const service = new JobService(temp.catalog);
    try {
      const resumed = await service.resume(id);
      expect(resumed.checkpoint).toBe(checkpoints[0]!.seq);
      const record = await service.wait(id);
      expect(record.status).toBe('succeeded');
      expect((record.summary as unknown as JobSummary).placement).toBe('cluster');
    } finally {
      await service.shutdown();
    }
    expectClose(storedResult(temp.catalog, id), expectedRanks, 1e-9, 'PageRank resumed on processes');
  }, 60_000);

  it('a damaged newest part is passed over for the one before, and the resume still ends right', async () => {
    const id = await interruptAt(temp.catalog, { ...PAGERANK, cluster: addresses(), checkpointEvery: 2 }, 9);
    const [newest, previous] = temp.catalog.checkpoints.list(id);
    expect(previous).toBeDefined();
    const file = partFile(id, newest!.seq, 1);
    const bytes = readFileSync(file);
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, Buffer.from(bytes.subarray(bytes.length >> 1, (bytes.length >> 1) + 16).map((b) => b ^ 0xff)), 0, 16, bytes.length >> 1);
    } finally {
      closeSync(fd);
    }
    const service = new JobService(temp.catalog);
    try {
      const resumed = await service.resume(id);
      expect(resumed.checkpoint).toBe(previous!.seq);
      expect(resumed.skipped[0]).toMatch(/its bytes changed since they were written/);
      expect((await service.wait(id)).status).toBe('succeeded');
    } finally {
      await service.shutdown();
    }
    expectClose(storedResult(temp.catalog, id), expectedRanks, 1e-9, 'PageRank resumed from the older checkpoint');
  }, 60_000);

  it('a part whose bytes change on the way is refused and leaves no file; one that arrives whole is kept', async () => {
    const dir = makeTempDir('gasworks-parts-');
    const source = join(dir, 'source.part');
    const data = Buffer.alloc(PART_CHUNK_BYTES + 1000, 7);
    writeFileSync(source, data);
    const check = { fileBytes: data.length, checksum: createHash('sha256').update(data).digest('hex') };
    const chunks: Uint8Array[] = [];
    await sendPart(source, check, async (_offset, bytes) => void chunks.push(bytes));
    expect(chunks.map((c) => c.length)).toEqual([PART_CHUNK_BYTES, 1000]);
    const fetchFrom = (flip: boolean) => async (offset: number) => {
      const chunk = Uint8Array.from(data.subarray(offset, offset + PART_CHUNK_BYTES));
      if (flip) chunk[0] ^= 1;
      return chunk;
    };
    const damaged = join(dir, 'damaged.part');
    await expect(receivePart(damaged, check, fetchFrom(true), 'worker a:1')).rejects.toMatchObject({
      code: 'GAS_ERR_CORRUPT',
      message: expect.stringMatching(/part of worker a:1 .* was refused: its SHA-256 on arrival/),
    });
    expect(existsSync(damaged) || existsSync(`${damaged}.partial`)).toBe(false);
    const oversize = async (): Promise<Uint8Array> => new Uint8Array(PART_CHUNK_BYTES + 1);
    await expect(receivePart(damaged, check, oversize, 'worker a:1')).rejects.toMatchObject({ code: 'GAS_ERR_CORRUPT' });
    const whole = join(dir, 'whole.part');
    await receivePart(whole, check, fetchFrom(false), 'worker a:1');
    expect(readFileSync(whole).equals(data)).toBe(true);
    // A worker takes a pushed part only in order and within its declared size.
    const incoming = new IncomingPart(join(dir, 'incoming.part'));
    expect(() => incoming.take(5, new Uint8Array(3), 10)).toThrow(/out of order/);
    incoming.take(0, new Uint8Array(6), 10);
    expect(() => incoming.take(6, new Uint8Array(6), 10)).toThrow(/out of order/);
    expect(() => incoming.complete()).toThrow(/before its checkpoint part arrived/);
    incoming.take(6, new Uint8Array(4), 10);
    expect(incoming.complete()).toBe(join(dir, 'incoming.part'));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a worker process lost mid-run', () => {
  it('SIGKILL, no spare: its partitions move to the survivor, the run goes on from the newest checkpoint, PageRank within 1e-9', async () => {
    const victim = await startWorkerProcess();
    const cluster = [workers[0]!.address, victim.address];
    try {
      const summary = await runBreaking({ ...PAGERANK, cluster, checkpointEvery: 3 }, 7, () => victim.child.kill('SIGKILL'));
      expect(summary.recoveries).toHaveLength(1);
      expect(summary.recoveries[0]).toMatchObject({ worker: victim.address, lostAfterStep: 7, resumedAfterStep: 5, movedTo: [workers[0]!.address] });
      expect(summary.recoveries[0]!.ms).toBeGreaterThan(0);
      expect(summary.checkpoints!.taken).toBeGreaterThanOrEqual(2);
      expectClose(storedResult(temp.catalog, summary.jobId), expectedRanks, 1e-9, 'PageRank after a SIGKILL');
    } finally {
      await victim.stop();
    }
  }, 60_000);

  it('SIGKILL with a spare: the spare takes the partitions; connected components identical (without a checkpoint: from the start)', async () => {
    const victim = await startWorkerProcess();
    const spare = await startWorkerProcess();
    try {
      const summary = await runBreaking({ ...COMPONENTS, cluster: [victim.address, workers[1]!.address], spares: [spare.address] }, 1, () =>
        victim.child.kill('SIGKILL'),
      );
      expect(summary.recoveries).toMatchObject([{ worker: victim.address, lostAfterStep: 1, resumedAfterStep: null, movedTo: [spare.address] }]);
      expect(summary.workerStats.map((w) => w.name)).toEqual([spare.address, workers[1]!.address]);
      expect(storedResult(temp.catalog, summary.jobId)).toEqual(expectedComponents);
    } finally {
      await Promise.all([victim.stop(), spare.stop()]);
    }
  }, 60_000);

  it('SIGSTOP: found by its silent heartbeats and recovered from; continued with SIGCONT it is fenced and serves the next job afresh', async () => {
    const victim = await startWorkerProcess();
    let log = '';
    victim.child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS = '1500';
    try {
      const summary = await runBreaking({ ...PAGERANK, cluster: [victim.address, workers[1]!.address], checkpointEvery: 4 }, 6, () =>
        victim.child.kill('SIGSTOP'),
      );
      expect(summary.recoveries).toMatchObject([{ worker: victim.address, lostAfterStep: 6, resumedAfterStep: 3, movedTo: [workers[1]!.address] }]);
      expect(summary.recoveries[0]!.error).toMatch(/heartbeat/);
      expectClose(storedResult(temp.catalog, summary.jobId), expectedRanks, 1e-9, 'PageRank after a SIGSTOP');

      const closedBefore = (log.match(/"msg":"closed"/g) ?? []).length;
      victim.child.kill('SIGCONT');
      // Continued, it finds its job's connection closed by the coordinator: the job is over for it.
      for (let waited = 0; (log.match(/"msg":"closed"/g) ?? []).length === closedBefore && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((log.match(/"msg":"closed"/g) ?? []).length).toBeGreaterThan(closedBefore);
      const next = await runJob(temp.catalog, { ...COMPONENTS, cluster: [victim.address, workers[1]!.address], top: 0 });
      expect(next.recoveries).toEqual([]);
      expect(storedResult(temp.catalog, next.jobId)).toEqual(expectedComponents);
    } finally {
      delete process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS;
      victim.child.kill('SIGCONT');
      await victim.stop();
    }
  }, 60_000);

  it('--max-recoveries 0 fails the job naming the lost process', async () => {
    const victim = await startWorkerProcess();
    try {
      const error = await runBreaking({ ...PAGERANK, cluster: [workers[0]!.address, victim.address], maxRecoveries: 0 }, 2, () =>
        victim.child.kill('SIGKILL'),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'GAS_ERR_WORKER', message: expect.stringContaining(victim.address) });
    } finally {
      await victim.stop();
    }
  }, 30_000);

  it('a lost process is retired: partitions go to spares first, then to the least loaded survivor; none left is a clear error', () => {
    const standby = new Standby({ kind: 'cluster', addresses: ['a:1', 'b:2', 'c:3'], spares: ['s:9'] });
    const first = standby.replace({ kind: 'cluster', addresses: ['a:1', 'b:2', 'c:3'] }, [1]);
    expect(first.placement.addresses).toEqual(['a:1', 's:9', 'c:3']);
    const second = standby.replace(first.placement, [0]);
    expect(second).toEqual({ placement: { kind: 'cluster', addresses: ['s:9', 's:9', 'c:3'], spares: [] }, movedTo: ['s:9'] });
    expect(() => standby.replace(second.placement, [0, 1, 2])).toThrow(/every worker process of the job was lost/);
    expect(standby.retiredAddresses).toEqual(['b:2', 'a:1', 's:9', 'c:3']);
  });
});
