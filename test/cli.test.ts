/**
 * The CLI as users run it: the built `bin/gasworks.js` in a child process, against a temporary
 * data directory. Checks the JSON contracts other tools rely on, exit statuses from the error
 * table, and that errors are one clear line (no stack trace).
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { makeTempDir, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';
import { startWorkerProcess } from './helpers/workers.js';

const CLI = resolve('bin/gasworks.js');

afterAll(removeTempDirs);

function gasworks(dataDir: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

describe('gasworks CLI', () => {
  const dir = makeTempDir('gasworks-cli-');
  const data = join(dir, 'data');
  const file = writeGraphFile(dir, 'tiny.txt', '# tiny\nalice bob\nbob carol\ncarol alice\ncarol carol\nalice bob\n');

  it('--help lists every command with examples', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const verb of [
      'import',
      'repartition',
      'partition-report',
      'graph list',
      'graph info',
      'graph drop',
      'graph export',
      'generate kron',
      'run',
      'results',
      'recommend',
      'jobs',
    ])
      expect(help.stdout).toContain(`gasworks ${verb}`);
    const importHelp = spawnSync(process.execPath, [CLI, 'import', '--help'], { encoding: 'utf8' });
    expect(importHelp.stdout).toContain('Examples');
  });

  it('import --json, then graph info --json carry the documented fields', () => {
    const imported = gasworks(data, 'import', file, '--name', 'tiny', '--partitions', '3', '--strategy', 'grid', '--json');
    expect(imported.status, imported.stderr).toBe(0);
    const record = JSON.parse(imported.stdout);
    expect(record).toMatchObject({ name: 'tiny', vertices: 3, edges: 5, selfLoops: 1, multiEdges: 1, partitions: 3, strategy: 'grid' });

    const info = gasworks(data, 'graph', 'info', 'tiny', '--json');
    expect(info.status).toBe(0);
    const parsed = JSON.parse(info.stdout);
    for (const key of ['vertices', 'edges', 'partitions', 'strategy', 'replicationFactor', 'edgeBalance']) expect(parsed).toHaveProperty(key);
    expect(parsed.partitionSizes.reduce((sum: number, p: { edges: number }) => sum + p.edges, 0)).toBe(5);
    expect(parsed.degrees.outDegree.max).toBe(2);

    const list = JSON.parse(gasworks(data, 'graph', 'list', '--json').stdout);
    expect(list.map((g: { name: string }) => g.name)).toEqual(['tiny']);
  });

  it('export → import through the CLI gives the same graph', () => {
    const exported = gasworks(data, 'graph', 'export', 'tiny', '--format', 'snap');
    expect(exported.status).toBe(0);
    const again = writeGraphFile(dir, 'again.txt', exported.stdout);
    expect(gasworks(data, 'import', again, '--name', 'again').status).toBe(0);
    const sortedLines = (text: string): string[] =>
      text
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .sort();
    expect(sortedLines(gasworks(data, 'graph', 'export', 'again').stdout)).toEqual(sortedLines(exported.stdout));
  });

  it('a missing graph: one line on stderr with the code, the not-found exit status', () => {
    const result = gasworks(data, 'graph', 'info', 'nope');
    expect(result.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    expect(result.stderr.trim()).toBe('gasworks: graph "nope" not found [GAS_ERR_NOT_FOUND]');
  });

  it('a malformed file names file:line, exits with the parse status, and stores nothing', () => {
    const bad = writeGraphFile(dir, 'bad.txt', '1 2\n3\n');
    const result = gasworks(data, 'import', bad, '--name', 'bad');
    expect(result.status).toBe(ERROR_CODES.GAS_ERR_PARSE.exit);
    expect(result.stderr).toContain(`${bad}:2:`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(gasworks(data, 'graph', 'list', '--json').stdout).map((g: { name: string }) => g.name)).not.toContain('bad');
  });

  it('bad option values name the option', () => {
    const result = gasworks(data, 'import', file, '--name', 'x', '--partitions', 'lots');
    expect(result.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(result.stderr).toContain('--partitions must be an integer');
    const unknown = gasworks(data, 'import', file, '--name', 'x', '--colour', 'red');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toContain('--colour');
  });

  it('run --json carries the documented fields; results reads them back in every format', () => {
    const ran = gasworks(data, 'run', 'pagerank', '--graph', 'tiny', '--tolerance', '1e-12', '--max-iterations', '200', '--json');
    expect(ran.status, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout);
    expect(summary).toMatchObject({ algorithm: 'pagerank', graph: 'tiny', converged: true });
    for (const key of ['jobId', 'iterations', 'timings']) expect(summary).toHaveProperty(key);
    for (const key of ['loadMs', 'computeMs', 'perIterationMs']) expect(summary.timings).toHaveProperty(key);
    expect(summary.timings.perIterationMs).toHaveLength(summary.iterations);

    const csv = gasworks(data, 'results', String(summary.jobId)).stdout.trim().split('\n');
    expect(csv[0]).toBe('vertex,value');
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual(['alice', 'bob', 'carol']);
    const ranks = csv.slice(1).reduce((sum, line) => sum + Number(line.split(',')[1]), 0);
    expect(ranks).toBeCloseTo(1, 12);

    const top = JSON.parse(gasworks(data, 'results', String(summary.jobId), '--top', '1', '--format', 'json').stdout);
    expect(top).toEqual([{ vertex: summary.top[0].vertex, value: summary.top[0].value }]);
    const one = gasworks(data, 'results', String(summary.jobId), '--vertex', 'bob', '--format', 'ndjson').stdout.trim();
    expect(JSON.parse(one).vertex).toBe('bob');

    const jobs = JSON.parse(gasworks(data, 'jobs', '--json').stdout);
    expect(jobs[0]).toMatchObject({ id: summary.jobId, status: 'succeeded', algorithm: 'pagerank' });
  });

  it('run <algorithm> --help lists the options with their defaults', () => {
    const help = gasworks(data, 'run', 'pagerank', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--damping');
    expect(help.stdout).toContain('0.85');
    expect(help.stdout).toContain('--max-iterations');
    // What validation requires is marked so; an optional empty default is "(none)".
    expect(gasworks(data, 'run', 'sssp', '--help').stdout).toMatch(/--source\s+string\s+default \(required\)/);
    expect(gasworks(data, 'run', 'als', '--help').stdout).toMatch(/--test\s+string\s+default \(none\)/);
  });

  it('a bad option: one line and its exit status, no job; a throwing program: one line, its exit status, a failed job row', () => {
    const jobsBefore = JSON.parse(gasworks(data, 'jobs', '--json', '--limit', '1000000').stdout).length;
    const bad = gasworks(data, 'run', 'pagerank', '--graph', 'tiny', '--damping', '2');
    expect(bad.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(bad.stderr.trim()).toMatch(/^gasworks: pagerank: damping must be .* got 2 \[GAS_ERR_INVALID_ARGUMENT\]$/);
    const program = writeGraphFile(dir, 'throws.ts', `export default { name: 'boom', vertexColumns: { x: 'f64' }, apply() { throw new Error('kaboom'); } };\n`);
    const thrown = gasworks(data, 'run', program, '--graph', 'tiny');
    expect(thrown.status).toBe(ERROR_CODES.GAS_ERR_PROGRAM.exit);
    expect(thrown.stderr).toContain('kaboom');
    expect(thrown.stderr).not.toMatch(/\n\s+at /);
    const jobs = JSON.parse(gasworks(data, 'jobs', '--json', '--limit', '1000000').stdout);
    expect(jobs).toHaveLength(jobsBefore + 1);
    expect([jobs[0].status, jobs[0].errorCode]).toEqual(['failed', 'GAS_ERR_PROGRAM']);
    expect(gasworks(data, 'results', '999').status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
  });

  it('run on worker threads, on a worker process, and SSP: the per-job figures; bad engine options name the option', async () => {
    const threads = JSON.parse(gasworks(data, 'run', 'pagerank', '--graph', 'tiny', '--workers', '2', '--staleness', '1', '--json').stdout);
    expect(threads).toMatchObject({ placement: 'threads', workers: 2, staleness: 1, converged: true });
    expect(threads.workerStats).toHaveLength(2);
    expect(threads.maxLead).toBeLessThanOrEqual(1);
    expect(threads.exchange.bytesPerStep).toHaveLength(threads.iterations);
    expect(threads.replicationFactor).toBeGreaterThanOrEqual(1);

    const worker = await startWorkerProcess();
    try {
      const remote = gasworks(data, 'run', 'connected-components', '--graph', 'tiny', '--cluster', worker.address, '--json');
      expect(remote.status, remote.stderr).toBe(0);
      expect(JSON.parse(remote.stdout)).toMatchObject({ placement: 'cluster', workers: 1, converged: true, workerStats: [{ name: worker.address }] });
    } finally {
      await worker.stop();
    }
    const unreachable = gasworks(data, 'run', 'pagerank', '--graph', 'tiny', '--cluster', '127.0.0.1:1');
    expect(unreachable.status).toBe(ERROR_CODES.GAS_ERR_WORKER.exit);
    expect(unreachable.stderr.trim()).toMatch(/^gasworks: worker 127\.0\.0\.1:1: unreachable .*\[GAS_ERR_WORKER\]$/);
    for (const [option, value] of [
      ['--cluster', 'nowhere'],
      ['--staleness', '-1'],
      ['--workers', '0'],
    ]) {
      const bad = gasworks(data, 'run', 'pagerank', '--graph', 'tiny', option!, value!);
      expect(bad.status, `${option} ${value}`).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
      expect(bad.stderr).toContain(option);
    }
  });

  it('repartition keeps the graph and its results; --strategy auto --for says why', () => {
    const job = JSON.parse(gasworks(data, 'run', 'pagerank', '--graph', 'tiny', '--json').stdout).jobId as number;
    const before = gasworks(data, 'results', String(job)).stdout;
    const cut = gasworks(data, 'repartition', 'tiny', '--strategy', 'auto', '--for', 'pagerank', '--partitions', '2', '--json');
    expect(cut.status, cut.stderr).toBe(0);
    const record = JSON.parse(cut.stdout);
    expect(record).toMatchObject({ name: 'tiny', partitions: 2, previous: { partitions: 3, strategy: 'grid' } });
    expect(record.strategyReason).toMatch(/^auto chose \S+ for pagerank \(gathers in-edges\)/);
    expect(gasworks(data, 'results', String(job)).stdout).toBe(before);
    const bad = gasworks(data, 'repartition', 'tiny', '--strategy', 'grid', '--for', 'pagerank');
    expect(bad.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(bad.stderr).toContain('--for pagerank only applies to --strategy auto');
  });

  it('ratings → als --json (trainRmse, testRmse) → recommend', () => {
    const ratings = writeGraphFile(dir, 'ratings.csv', 'userId,movieId,rating\n1,1,5\n1,2,3\n2,1,4\n2,3,2\n3,2,5\n3,3,1\n');
    const test = writeGraphFile(dir, 'test.csv', '1,3,2\n');
    expect(gasworks(data, 'import', ratings, '--name', 'ratings', '--format', 'ratings').status).toBe(0);
    const run = gasworks(data, 'run', 'als', '--graph', 'ratings', '--rank', '2', '--max-iterations', '3', '--test', test, '--no-biases', '--json');
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.options.biases).toBe(false);
    expect(summary.iterations).toBe(3);
    expect(summary.trainRmse).toHaveLength(3);
    expect(summary.testRmse).toHaveLength(3);
    const top = gasworks(data, 'recommend', String(summary.jobId), '--user', '1', '--exclude-rated', '--min-ratings', '1', '--json');
    expect(top.status, top.stderr).toBe(0);
    expect(JSON.parse(top.stdout).map((r: { item: string }) => r.item)).toEqual(['3']);
    const missing = gasworks(data, 'recommend', String(summary.jobId), '--user', '42');
    expect(missing.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
  });

  it('bag of words → lda (thinned likelihood in the human summary) → topics, and results as mixtures or --raw counts', () => {
    const docword = writeGraphFile(dir, 'docword.txt', '3\n4\n6\n1 1 3\n1 2 1\n2 3 2\n2 4 2\n3 1 1\n3 4 1\n');
    const vocab = writeGraphFile(dir, 'vocab.txt', 'apple\nbanana\ncherry\ndate\n');
    expect(gasworks(data, 'import', docword, '--name', 'words', '--format', 'uci', '--vocab', vocab).status).toBe(0);
    const run = gasworks(data, 'run', 'lda', '--graph', 'words', '--topics', '2', '--max-iterations', '9', '--likelihood-every', '3');
    expect(run.status, run.stderr).toBe(0);
    // 7 of the 9 iterations report a likelihood slot; every third back from the last has a value.
    expect(run.stdout).toMatch(/logLikelihoodPerToken -[\d.]+ → -[\d.]+ \(3 of 9 iterations\)/);
    expect(run.stdout).toContain('sampler exact');
    const jobId = /job (\d+): lda/.exec(run.stdout)![1]!;
    const topics = gasworks(data, 'topics', jobId, '--top', '2');
    expect(topics.status, topics.stderr).toBe(0);
    expect(topics.stdout).toMatch(/topic_0\s+\(\d+ tokens\): \w+ \w+/);
    const [row] = JSON.parse(gasworks(data, 'results', jobId, '--vertex', 'd:1', '--format', 'json').stdout);
    const mixture = [row.topic_0, row.topic_1] as number[];
    expect(mixture.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const [raw] = JSON.parse(gasworks(data, 'results', jobId, '--vertex', 'd:1', '--format', 'json', '--raw').stdout);
    const counts = [raw.topic_0, raw.topic_1] as number[];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('graph drop removes the graph', () => {
    expect(gasworks(data, 'graph', 'drop', 'again').status).toBe(0);
    expect(gasworks(data, 'graph', 'info', 'again').status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
  });
});
