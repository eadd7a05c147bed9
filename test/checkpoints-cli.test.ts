/**
 * Fault tolerance from the command line, in separate processes (issue 18): `gasworks run` sent
 * SIGTERM checkpoints at the next step boundary, records its job `interrupted` and exits 130; a
 * coordinator killed with SIGKILL leaves its job `interrupted` at the next open of the catalog
 * (its lease, not a zombie `running` row); in both cases `gasworks jobs resume` finishes the job
 * with exactly the result of a run never interrupted. A worker thread lost mid-run
 * (`--crash-worker`) is recovered from, and the summary says so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../src/api/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { Catalog } from '../src/storage/index.js';
import { edgeListText, erdosRenyi } from './helpers/generators.js';
import { openTempCatalog, removeTempDirs, storedResult, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { CLI } from './helpers/workers.js';

let temp: TempCatalog;

/** PageRank long enough to be stopped mid-run, short enough to finish when resumed. */
const ITERATIONS = 3000;
const PAGERANK = ['run', 'pagerank', '--graph', 'er', '--tolerance', '0', '--max-iterations', String(ITERATIONS), '--workers', '2'];
let expected: Float64Array;

beforeAll(async () => {
  temp = openTempCatalog();
  await importGraph(temp.catalog, { file: writeGraphFile(temp.inputDir, 'er.txt', edgeListText(erdosRenyi(13, 300, 1_500))), name: 'er', partitions: 2 });
  const reference = await runJob(temp.catalog, {
    graph: 'er',
    algorithm: 'pagerank',
    options: { tolerance: 0, maxIterations: ITERATIONS },
    workers: 2,
    top: 0,
  });
  expected = resultOf(reference.jobId);
}, 120_000);

afterAll(() => {
  temp.close();
  removeTempDirs();
});

function resultOf(id: number): Float64Array {
  return storedResult(temp.catalog, id);
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args, '--data-dir', temp.dataDir], {
    encoding: 'utf8',
    env: { ...process.env, GASWORKS_HOME: undefined },
    timeout: 120_000,
    maxBuffer: 1 << 28,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The newest job's id and status, read by a catalog of this process (another process runs it). */
function newestJob(): { id: number; status: string; errorMessage: string | null } {
  const catalog = Catalog.open(temp.dataDir);
  try {
    const [job] = catalog.jobs.list({ limit: 1 });
    return job!;
  } finally {
    catalog.close();
  }
}

/** Starts `gasworks` with `args` and resolves once `ready` holds (polled every 50 ms); the child is returned running. */
async function startUntil(args: string[], ready: () => boolean): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, [CLI, ...args, '--data-dir', temp.dataDir], {
    env: { ...process.env, GASWORKS_HOME: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  for (;;) {
    const done = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 50))]);
    if (done) throw new Error(`gasworks ${args.join(' ')} exited before it was ready: ${stderr}`);
    if (ready()) return child;
  }
}

/** The job's stored progress events so far. */
function stepsReported(id: number): number {
  const catalog = Catalog.open(temp.dataDir);
  try {
    return catalog.jobs.events(id, 0).filter((event) => event.type === 'progress').length;
  } finally {
    catalog.close();
  }
}

describe('a job stopped from outside resumes to the uninterrupted result', () => {
  it('SIGTERM: checkpoint at the next step boundary, `interrupted`, exit 130; jobs resume finishes it', async () => {
    const before = newestJob().id;
    const child = await startUntil([...PAGERANK, '--json'], () => {
      const job = newestJob();
      return job.id > before && job.status === 'running' && stepsReported(job.id) >= 5;
    });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(130);
    const job = newestJob();
    expect(job.status).toBe('interrupted');
    expect(job.errorMessage).toMatch(new RegExp(`^interrupted by SIGTERM; \`gasworks jobs resume ${job.id}\` goes on from its checkpoint after step \\d+$`));

    const resumed = cli('jobs', 'resume', String(job.id), '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`job ${job.id}: resuming from checkpoint \\d+ \\(after step \\d+\\)`));
    expect(JSON.parse(resumed.stdout)).toMatchObject({ jobId: job.id, iterations: ITERATIONS, resumedFrom: { step: expect.any(Number) } });
    expect(newestJob().status).toBe('succeeded');
    expect(resultOf(job.id)).toEqual(expected);
  }, 120_000);

  it('SIGKILL of the coordinator: `interrupted` at the next open, never a zombie `running`; jobs resume finishes it', async () => {
    const before = newestJob().id;
    const child = await startUntil([...PAGERANK, '--checkpoint-every', '20', '--json'], () => {
      const job = newestJob();
      if (job.id <= before) return false;
      const catalog = Catalog.open(temp.dataDir);
      try {
        return catalog.checkpoints.list(job.id).length > 0;
      } finally {
        catalog.close();
      }
    });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const job = newestJob();
    expect(job.status).toBe('interrupted');
    expect(job.errorMessage).toMatch(/its process \(pid \d+ on host .*\) stopped/);

    const resumed = cli('jobs', 'resume', String(job.id));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resumed from checkpoint \d+ \(after step \d+\)/);
    expect(resultOf(job.id)).toEqual(expected);
  }, 120_000);

  it('resuming a job that cannot be resumed is refused, naming why', () => {
    const succeeded = newestJob();
    expect(succeeded.status).toBe('succeeded');
    const refused = cli('jobs', 'resume', String(succeeded.id));
    expect(refused.status).toBe(64);
    expect(refused.stderr).toMatch(new RegExp(`job ${succeeded.id} is succeeded; only an interrupted or failed job can be resumed`));
    expect(cli('jobs', 'resume', '99999').status).toBe(66);
  });
});

describe('a worker thread lost mid-run', () => {
  it('is recovered from, and the summary says which, where and from what', () => {
    const run = cli(
      'run',
      'pagerank',
      '--graph',
      'er',
      '--tolerance',
      '0',
      '--max-iterations',
      '40',
      '--workers',
      '2',
      '--checkpoint-every',
      '4',
      '--crash-worker',
      '1:10',
      '--top',
      '0',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /recovered: thread 1 lost after step 9 \(worker thread 1: exited with code 70\); went on from the checkpoint after step 7, workers restarted in \d+ ms/,
    );
    expect(run.stdout).toMatch(/checkpoints every 4 steps: \d+ \(after step 3, 7, .*\)/);
  }, 120_000);
});
