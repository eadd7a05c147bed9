/**
 * `gasworks serve` as users run it: the built CLI in a child process on a free port of
 * 127.0.0.1, reached with fetch; refused on a non-loopback address without a token; and on
 * SIGTERM mid-job, the job recorded `interrupted` and the process exiting 0. (Run `npm run
 * build` first: the CLI runs from dist/.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../src/index.js';
import { makeTempDir, removeTempDirs } from './helpers/graph-files.js';
import { ENDLESS_PAGERANK, LONG_GRAPH } from './helpers/server.js';

const CLI = resolve('bin/gasworks.js');
const TOKEN = 'cli-test-token-0123456789abcdef';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeTempDirs();
});

/** Starts `gasworks serve` and resolves with its URL once it prints it. */
function serve(dataDir: string, ...args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const env = { ...process.env };
  delete env.GASWORKS_TOKEN;
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((done, fail) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += String(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) done({ child, url: match[1]!, stderr: () => stderr });
    });
    child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((done) => child.once('exit', (code) => done(code)));
}

describe('gasworks serve', () => {
  it('listens on 127.0.0.1, answers fetch with and without the token, and exits 0 on SIGTERM', async () => {
    const dataDir = join(makeTempDir('gasworks-serve-'), 'data');
    const { child, url } = await serve(dataDir, '--token', TOKEN);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${url}/graphs`)).status).toBe(401);
    const graphs = await fetch(`${url}/graphs`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(graphs.status).toBe(200);
    expect(await graphs.json()).toEqual([]);
    const dashboard = await fetch(`${url}/`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-type')).toContain('text/html');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('refuses a non-loopback address without a token, with a clear error', () => {
    const env = { ...process.env };
    delete env.GASWORKS_TOKEN;
    const dataDir = join(makeTempDir('gasworks-serve-'), 'data');
    const result = spawnSync(process.execPath, [CLI, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], {
      encoding: 'utf8',
      env,
      timeout: 20_000,
    });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0 without a token');
    expect(result.stderr).toContain('GAS_ERR_INVALID_ARGUMENT');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('on SIGTERM mid-job records the job interrupted (no running row is left) and exits 0', async () => {
    const dataDir = join(makeTempDir('gasworks-serve-'), 'data');
    mkdirSync(join(dataDir, 'uploads'), { recursive: true });
    writeFileSync(join(dataDir, 'uploads', 'long.txt'), LONG_GRAPH);
    const { child, url } = await serve(dataDir, '--quiet');
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/graphs?wait=true', { name: 'long', file: 'long.txt', partitions: 2 })).status).toBe(201);
    const submitted = await post('/jobs', { graph: 'long', algorithm: 'pagerank', options: ENDLESS_PAGERANK });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: number };
    for (let attempt = 0; attempt < 200; attempt++) {
      const job = (await (await fetch(`${url}/jobs/${id}`)).json()) as { status: string; progress: unknown };
      if (job.status === 'running' && job.progress !== null) break;
      await new Promise((done) => setTimeout(done, 25));
    }
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const catalog = Catalog.open(dataDir);
    try {
      const job = catalog.jobs.get(id);
      expect(job.status).toBe('interrupted');
      expect(catalog.jobs.list({ status: 'running' })).toEqual([]);
    } finally {
      catalog.close();
    }
  });
});
