/**
 * The attack suite: every request an attacker (or a careless client) might send is refused with
 * the right status, and nothing is stored — the catalog's graphs and jobs and the uploads folder
 * are the same after each refusal as before it.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from './helpers/graph-files.js';
import type { JobService } from '../src/index.js';
import { ENDLESS_PAGERANK, LONG_GRAPH, multipartBody, SMALL_GRAPH, startTestServer, writeUpload, type TestServer } from './helpers/server.js';

const TOKEN = 'attack-suite-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let server: TestServer;
/** A graph file outside the data directory: were a traversal to work, importing it would succeed. */
let outsideFile: string;

beforeAll(async () => {
  server = await startTestServer({ token: TOKEN, bodyLimit: 4096, uploadLimit: 2048 });
  writeUpload(server, 'g.txt', SMALL_GRAPH);
  outsideFile = join(server.outside, 'secret.txt');
  writeFileSync(outsideFile, SMALL_GRAPH);
  writeFileSync(join(server.dataDir, 'inside-data.txt'), SMALL_GRAPH);
  mkdirSync(join(server.uploads, 'sub'));
  symlinkSync(outsideFile, join(server.uploads, 'link.txt'));
  symlinkSync(server.outside, join(server.uploads, 'sub', 'dir-link'));
  const created = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'g', file: 'g.txt' } });
  expect(created.statusCode).toBe(201);
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

/** Sends the request, checks its status and error body, and that the catalog and uploads are as they were. */
async function refused(request: InjectOptions, status: number, code?: string): Promise<Record<string, unknown>> {
  const before = server.stored();
  const response = await server.app.inject(request);
  expect(response.statusCode, `${JSON.stringify(request).slice(0, 200)} → ${response.body}`).toBe(status);
  const body = response.json() as { error: { code: string; message: string } };
  expect(body.error.code).toMatch(/^GAS_ERR_/);
  if (code) expect(body.error.code).toBe(code);
  expect(response.body).not.toMatch(/\n\s+at /); // no stack trace
  // Where the data directory lives is not told (unless the request itself named it).
  if (!JSON.stringify(request).includes(server.dataDir)) expect(response.body).not.toContain(server.dataDir);
  expect(server.stored()).toEqual(before);
  return body;
}

describe('attack suite: size limits (413)', () => {
  it('an oversize JSON body', async () => {
    await refused(
      { method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'big', file: 'g.txt', format: 'snap', pad: 'x'.repeat(8192) } },
      413,
      'GAS_ERR_LIMIT',
    );
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'pagerank', options: { x: 'y'.repeat(8192) } } }, 413);
  });

  it('an oversize upload, and the partial file is removed', async () => {
    const { payload, headers } = multipartBody([
      { name: 'name', value: 'big' },
      { name: 'file', filename: 'big.txt', content: '1 2\n'.repeat(2000) },
    ]);
    await refused({ method: 'POST', url: '/graphs?wait=true', headers: { ...headers, ...AUTH }, payload }, 413, 'GAS_ERR_LIMIT');
  });

  it('too many parts or files in a form', async () => {
    const { payload, headers } = multipartBody([
      { name: 'name', value: 'many' },
      { name: 'file', filename: 'a.txt', content: '1 2\n' },
      { name: 'vocab', filename: 'b.txt', content: 'w\n' },
      { name: 'other', filename: 'c.txt', content: '1 2\n' },
    ]);
    const response = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', headers: { ...headers, ...AUTH }, payload });
    expect([400, 413]).toContain(response.statusCode);
    expect(server.stored().graphs).toEqual(['g']);
  });
});

describe('attack suite: malformed and unknown fields (400)', () => {
  it('malformed JSON', async () => {
    await refused(
      { method: 'POST', url: '/graphs?wait=true', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"name": "x", "file": ' },
      400,
    );
    await refused({ method: 'POST', url: '/jobs', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"graph": "g",,}' }, 400);
    await refused({ method: 'POST', url: '/jobs', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '' }, 400);
  });

  it('unknown fields in bodies, forms and query strings', async () => {
    const body = await refused(
      { method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'x', file: 'g.txt', evil: true } },
      400,
      'GAS_ERR_INVALID_ARGUMENT',
    );
    expect((body.error as { message: string }).message).toContain('"evil"');
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'pagerank', inProcess: true } }, 400);
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'pagerank', cluster: ['10.0.0.1:7400'] } }, 400);
    await refused({ method: 'GET', url: '/jobs?graph=g&sql=1', headers: AUTH }, 400);
    await refused({ method: 'DELETE', url: '/graphs/g?force=true&also=1', headers: AUTH }, 400);
    const { payload, headers } = multipartBody([
      { name: 'name', value: 'form' },
      { name: 'evil', value: '1' },
      { name: 'file', filename: 'g.txt', content: SMALL_GRAPH },
    ]);
    await refused({ method: 'POST', url: '/graphs?wait=true', headers: { ...headers, ...AUTH }, payload }, 400);
  });

  it('wrong types and missing fields', async () => {
    await refused({ method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'x', file: 'g.txt', partitions: 'many' } }, 400);
    await refused({ method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'x' } }, 400);
    await refused({ method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: '../x', file: 'g.txt' } }, 400);
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g' } }, 400);
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: [1, 2] }, 400);
    await refused({ method: 'POST', url: '/graphs?wait=true', headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'name=x' }, 415);
  });
});

describe('attack suite: path traversal (400/403), nothing imported', () => {
  const attempts: [string, string, number][] = [
    ['../', '../inside-data.txt', 400],
    ['../ twice', '../../outside/secret.txt', 400],
    ['sub/../..', 'sub/../../inside-data.txt', 400],
    ['URL-encoded', '%2e%2e%2finside-data.txt', 400],
    ['URL-encoded slash only', '..%2finside-data.txt', 400],
    ['double-encoded', '%252e%252e%252finside-data.txt', 400],
    ['absolute', '', 400],
    ['backslash', '..\\inside-data.txt', 400],
    ['NUL byte', 'g.txt\u0000.png', 400],
    ['dot', '.', 400],
    ['empty segment', 'sub//g.txt', 400],
    ['symlink to a file outside', 'link.txt', 403],
    ['symlink to a folder outside', 'sub/dir-link/secret.txt', 403],
  ];
  for (const [form, name, status] of attempts) {
    it(`${form}: ${JSON.stringify(name || '<absolute>')} → ${status}`, async () => {
      await refused({ method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'stolen', file: name || outsideFile } }, status);
    });
  }

  it('the same forms in vocab and in an ALS test file option', async () => {
    await refused(
      { method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'stolen', file: 'g.txt', format: 'uci', vocab: '../inside-data.txt' } },
      400,
    );
    await refused(
      { method: 'POST', url: '/graphs?wait=true', headers: AUTH, payload: { name: 'stolen', file: 'g.txt', format: 'uci', vocab: 'link.txt' } },
      403,
    );
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'als', options: { test: outsideFile } } }, 400);
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'als', options: { test: 'link.txt' } } }, 403);
  });

  it('traversal in URL paths reaches no file', async () => {
    for (const url of [
      '/graphs/..%2F..%2Foutside%2Fsecret.txt',
      '/graphs/%2e%2e%2fsecret/partition-report',
      '/graphs/package.json/partition-report',
      '/graphs/..%252f..%252fetc%252fpasswd',
    ]) {
      const response = await server.app.inject({ method: 'GET', url, headers: AUTH });
      expect([400, 404], `${url}: ${response.body}`).toContain(response.statusCode);
    }
    expect(server.stored().graphs).toEqual(['g']);
  });

  it("an uploaded file's name is not used as a path", async () => {
    const { payload, headers } = multipartBody([
      { name: 'name', value: 'named' },
      { name: 'file', filename: '../../../outside/overwritten.txt', content: SMALL_GRAPH },
    ]);
    const response = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', headers: { ...headers, ...AUTH }, payload });
    expect(response.statusCode).toBe(201);
    expect(server.stored().uploads.filter((file) => file !== 'g.txt' && file !== 'link.txt' && !file.startsWith('sub/'))).toEqual([]);
    const drop = await server.app.inject({ method: 'DELETE', url: '/graphs/named', headers: AUTH });
    expect(drop.statusCode).toBe(200);
  });
});

describe('attack suite: authentication (401)', () => {
  const routes: [string, string][] = [
    ['GET', '/graphs'],
    ['GET', '/graphs/g'],
    ['POST', '/graphs'],
    ['DELETE', '/graphs/g'],
    ['GET', '/graphs/g/partition-report'],
    ['GET', '/graphs/g/vertices/a'],
    ['GET', '/jobs'],
    ['POST', '/jobs'],
    ['GET', '/jobs/1'],
    ['DELETE', '/jobs/1'],
    ['GET', '/jobs/1/events'],
    ['GET', '/jobs/1/results'],
    ['GET', '/openapi.json'],
    ['GET', '/docs'],
    ['GET', '/algorithms'],
  ];
  for (const [method, url] of routes) {
    it(`${method} ${url} without a token, with a wrong one, with a malformed header`, async () => {
      const payload = method === 'POST' ? (url === '/jobs' ? { graph: 'g', algorithm: 'pagerank' } : { name: 'x', file: 'g.txt' }) : undefined;
      await refused({ method: method as 'GET', url, payload }, 401, 'GAS_ERR_AUTH');
      await refused({ method: method as 'GET', url, payload, headers: { authorization: 'Bearer wrong-token' } }, 401);
      await refused({ method: method as 'GET', url, payload, headers: { authorization: `Bearer ${TOKEN}x` } }, 401);
      await refused({ method: method as 'GET', url, payload, headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } }, 401);
      await refused({ method: method as 'GET', url, payload, headers: { authorization: TOKEN } }, 401);
    });
  }

  it('GET /health needs no token; the right token opens the rest', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const response = await server.app.inject({ method: 'GET', url: '/graphs', headers: { authorization: `bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['www-authenticate']).toBeUndefined();
    const denied = await server.app.inject({ method: 'GET', url: '/graphs' });
    expect(denied.headers['www-authenticate']).toContain('Bearer');
  });
});

describe('attack suite: unknown algorithm or graph (404), code from a client never runs', () => {
  it('an unknown algorithm', async () => {
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'no-such-algorithm' } }, 404, 'GAS_ERR_NOT_FOUND');
  });

  it('a program file instead of an algorithm name', async () => {
    const program = join(server.uploads, 'evil.ts');
    writeFileSync(program, "import { writeFileSync } from 'node:fs'; writeFileSync('/tmp/gasworks-pwned', 'x'); export default {};\n");
    for (const algorithm of ['./evil.ts', program, '../../examples/in-weight.ts', 'examples/in-weight.ts', 'file:///etc/passwd']) {
      await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm } }, algorithm.length > 64 ? 400 : 404);
    }
    expect(existsSync('/tmp/gasworks-pwned')).toBe(false);
  });

  it('an unknown graph', async () => {
    await refused({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'nope', algorithm: 'pagerank' } }, 404, 'GAS_ERR_NOT_FOUND');
    await refused({ method: 'GET', url: '/graphs/nope', headers: AUTH }, 404);
    await refused({ method: 'DELETE', url: '/graphs/nope', headers: AUTH }, 404);
    await refused({ method: 'GET', url: '/graphs/nope/vertices/a', headers: AUTH }, 404);
  });
});

describe('attack suite: flood (429)', () => {
  it('requests past the rate limit are refused until the window passes, wrong tokens included', async () => {
    const limited = await startTestServer({ token: TOKEN, rateLimit: { max: 5, timeWindow: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await limited.app.inject({ method: 'GET', url: '/graphs', headers: AUTH })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      const flood = await limited.app.inject({ method: 'GET', url: '/graphs', headers: { authorization: 'Bearer guess' } });
      expect(flood.statusCode).toBe(429);
      expect(flood.json().error.code).toBe('GAS_ERR_RATE_LIMITED');
      expect(flood.headers['retry-after']).toBeDefined();
      const before = limited.stored();
      const post = await limited.app.inject({ method: 'POST', url: '/jobs', headers: AUTH, payload: { graph: 'g', algorithm: 'pagerank' } });
      expect(post.statusCode).toBe(429);
      expect((await limited.app.inject({ method: 'GET', url: '/no-such-route' })).statusCode).toBe(429);
      expect(limited.stored()).toEqual(before);
    } finally {
      await limited.close();
    }
  });
});

describe('attack suite: overload (503) and internal errors (500, no stack)', () => {
  it('a job past the queue limit is refused with 503 and not recorded', async () => {
    const busy = await startTestServer({ concurrency: 1, queueLimit: 0 });
    try {
      writeUpload(busy, 'long.txt', LONG_GRAPH);
      expect((await busy.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'long', file: 'long.txt', partitions: 2 } })).statusCode).toBe(
        201,
      );
      const running = await busy.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'long', algorithm: 'pagerank', options: ENDLESS_PAGERANK } });
      expect(running.statusCode).toBe(202);
      const before = busy.stored();
      const refusedJob = await busy.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'long', algorithm: 'pagerank' } });
      expect(refusedJob.statusCode).toBe(503);
      expect(refusedJob.json().error.code).toBe('GAS_ERR_OVERLOADED');
      expect(busy.stored()).toEqual(before);
    } finally {
      await busy.close();
    }
  });

  it('an error that is not a GasError is a 500 GAS_ERR_INTERNAL without its message or stack', async () => {
    const broken = {
      list: () => {
        throw new Error('secret internals at /srv/gasworks/catalog.db');
      },
      shutdown: async () => {},
    } as unknown as JobService;
    const failing = await startTestServer({ jobs: broken });
    try {
      const response = await failing.app.inject({ method: 'GET', url: '/jobs' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'GAS_ERR_INTERNAL', message: 'internal error (the server log has its details)' } });
      expect(response.body).not.toContain('secret internals');
    } finally {
      await failing.close();
    }
  });
});
