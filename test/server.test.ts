/**
 * The REST server through `inject()`: every route, its success and its failures, on a small
 * graph imported through the API itself; a PageRank job submitted, followed over Server-Sent
 * Events (with Last-Event-ID replay) and read back in every result format and page; ALS
 * recommendations and LDA topics; OpenAPI, Swagger UI and the logs' redaction.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, type ResultRow } from '../src/index.js';
import { page, resultStream } from '../src/server/result-stream.js';
import { removeTempDirs } from './helpers/graph-files.js';
import {
  ENDLESS_PAGERANK,
  LONG_GRAPH,
  multipartBody,
  parseSse,
  SMALL_GRAPH,
  startTestServer,
  waitForJob,
  writeUpload,
  type TestServer,
} from './helpers/server.js';

let server: TestServer;
let pagerankJob: number;

beforeAll(async () => {
  server = await startTestServer();
  writeUpload(server, 'g.txt', SMALL_GRAPH);
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

describe('REST server: health, docs, errors', () => {
  it('GET /health answers ok', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /openapi.json lists every route; GET /docs serves Swagger UI', async () => {
    const spec = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of [
      '/health',
      '/graphs',
      '/graphs/{name}',
      '/graphs/{name}/partition-report',
      '/graphs/{name}/vertices/{label}',
      '/graphs/{name}/topics',
      '/jobs',
      '/jobs/{id}',
      '/jobs/{id}/events',
      '/jobs/{id}/results',
      '/jobs/{id}/recommend',
      '/jobs/{id}/topics',
      '/algorithms',
    ])
      expect(Object.keys(spec.paths)).toContain(path);
    expect(spec.paths['/jobs'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    const docs = await server.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });

  it('an unknown route is a 404 with the error body', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'GAS_ERR_NOT_FOUND', message: 'no route GET /nowhere' } });
  });

  it('sends no CORS headers, even to a preflight', async () => {
    const response = await server.app.inject({
      method: 'OPTIONS',
      url: '/graphs',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const get = await server.app.inject({ method: 'GET', url: '/graphs', headers: { origin: 'https://evil.example' } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('GET /algorithms lists the registry with each option', async () => {
    const algorithms = (await server.app.inject({ method: 'GET', url: '/algorithms' })).json() as { name: string; options: Record<string, unknown> }[];
    const pagerank = algorithms.find((a) => a.name === 'pagerank');
    expect(pagerank?.options).toHaveProperty('damping');
  });
});

describe('REST server: graphs', () => {
  it('POST /graphs (JSON naming a file in uploads/) imports: 201 with Location and the graph', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'g', file: 'g.txt', partitions: 2 } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers.location).toBe('/graphs/g');
    expect(response.json()).toMatchObject({ name: 'g', vertices: 4, edges: 5, partitions: 2, sourceFile: 'g.txt' });
    expect(response.body).not.toContain(server.dataDir);
  });

  it('POST /graphs without wait is an import job: 202 with Location /jobs/ID; its events name the phases; the graph then exists', async () => {
    const upload = writeUpload(server, 'job.txt', LONG_GRAPH);
    const response = await server.app.inject({ method: 'POST', url: '/graphs', payload: { name: 'imported-by-job', file: 'job.txt', partitions: 2 } });
    expect(response.statusCode, response.body).toBe(202);
    const { id } = response.json() as { id: number };
    expect(response.headers.location).toBe(`/jobs/${id}`);
    const job = await waitForJob(server.app, id);
    expect(job).toMatchObject({ status: 'succeeded', algorithm: 'import', graphName: 'imported-by-job', options: { file: 'job.txt' } });
    // The job's record and events name the file as the client did, never where the data directory is.
    for (const url of [`/jobs/${id}`, `/jobs/${id}/events`, '/jobs'])
      expect((await server.app.inject({ method: 'GET', url })).body).not.toContain(server.dataDir);
    const events = parseSse((await server.app.inject({ method: 'GET', url: `/jobs/${id}/events` })).body).map(
      (event) => JSON.parse(event.data) as { type: string; progress?: { phase: string } },
    );
    expect(events.find((event) => event.type === 'progress')?.progress?.phase).toBe('parse');
    expect(events.at(-1)!.type).toBe('succeeded');
    expect((await server.app.inject({ method: 'GET', url: '/graphs/imported-by-job' })).json()).toMatchObject({ vertices: 5000, partitions: 2 });
    // Leave the server as the next tests expect it.
    expect((await server.app.inject({ method: 'DELETE', url: '/graphs/imported-by-job' })).statusCode).toBe(200);
    rmSync(upload);
  });

  it('POST /graphs again with the same name is a 409; replace: true replaces it', async () => {
    const again = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'g', file: 'g.txt' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('GAS_ERR_EXISTS');
    const replaced = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'g', file: 'g.txt', partitions: 2, replace: true } });
    expect(replaced.statusCode).toBe(201);
  });

  it('replace: true over a graph whose jobs have results is a 409 naming them, stores nothing and loses nothing; with force: true it replaces', async () => {
    const imported = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'kept', file: 'g.txt' } });
    expect(imported.statusCode, imported.body).toBe(201);
    const submitted = await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'kept', algorithm: 'pagerank' } });
    const jobId = submitted.json().id as number;
    expect((await waitForJob(server.app, jobId)).status).toBe('succeeded');
    const resultsBefore = (await server.app.inject({ method: 'GET', url: `/jobs/${jobId}/results` })).body;
    const before = server.stored();
    const refused = await server.app.inject({
      method: 'POST',
      url: '/graphs?wait=true',
      payload: { name: 'kept', file: 'g.txt', partitions: 2, replace: true },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'GAS_ERR_EXISTS', message: expect.stringContaining(`job ${jobId}`) });
    expect(server.stored()).toEqual(before);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/kept' })).json()).toMatchObject({ partitions: imported.json().partitions });
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${jobId}/results` })).body).toBe(resultsBefore);
    const forced = await server.app.inject({
      method: 'POST',
      url: '/graphs?wait=true',
      payload: { name: 'kept', file: 'g.txt', partitions: 2, replace: true, force: true },
    });
    expect(forced.statusCode, forced.body).toBe(201);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${jobId}/results` })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'DELETE', url: '/graphs/kept?force=true' })).statusCode).toBe(200);
  });

  it('POST /graphs multipart streams the file and imports it; the upload is not kept', async () => {
    const { payload, headers } = multipartBody([
      { name: 'name', value: 'up' },
      { name: 'undirected', value: 'true' },
      { name: 'partitions', value: '3' },
      { name: 'file', filename: 'edges.txt', content: '1 2\n2 3\n3 1\n' },
    ]);
    const response = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload, headers });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ name: 'up', directed: false, edges: 3, partitions: 3, sourceFile: 'upload' });
    expect(server.stored().uploads).toEqual(['g.txt']);
  });

  it('POST /graphs with a malformed file is a 400 naming the line, without the server path', async () => {
    writeUpload(server, 'bad.mtx', '%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 1\nx y z\n');
    const response = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'bad', file: 'bad.mtx' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('GAS_ERR_PARSE');
    expect(response.json().error.message).toContain('bad.mtx:4');
    expect(response.body).not.toContain(server.dataDir);
    expect(server.stored().graphs).not.toContain('bad');
  });

  it('POST /graphs with a file that is not in uploads/ is a 404', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'x', file: 'missing.txt' } });
    expect(response.statusCode).toBe(404);
  });

  it('GET /graphs lists them; GET /graphs/:name describes one; an unknown one is a 404', async () => {
    const list = (await server.app.inject({ method: 'GET', url: '/graphs' })).json() as { name: string }[];
    expect(list.map((graph) => graph.name)).toEqual(['g', 'up']);
    expect(list[0]).toMatchObject({ name: 'g', sourceFile: 'g.txt' });
    const info = await server.app.inject({ method: 'GET', url: '/graphs/g' });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ name: 'g', degrees: { outDegree: { max: 2 }, inDegree: { max: 3 } } });
    expect(info.json().partitionSizes).toHaveLength(2);
    const missing = await server.app.inject({ method: 'GET', url: '/graphs/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'GAS_ERR_NOT_FOUND', message: 'graph "nope" not found' });
  });

  it('GET /graphs/:name/partition-report measures strategies; bad options are 400', async () => {
    const report = await server.app.inject({ method: 'GET', url: '/graphs/g/partition-report?strategies=random,grid&partitions=2' });
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json().rows.map((row: { strategy: string }) => row.strategy)).toEqual(['random', 'grid']);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/g/partition-report?partitions=0' })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/g/partition-report?strategies=nope' })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/g/partition-report?bogus=1' })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/nope/partition-report' })).statusCode).toBe(404);
  });

  it('GET /graphs/:name/vertices/:label gives degrees and pages of neighbours', async () => {
    const out = (await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/a' })).json();
    expect(out).toMatchObject({ vertex: 'a', degree: { out: 2, in: 1 }, neighbours: { direction: 'out', total: 2 } });
    expect(out.neighbours.items.map((n: { vertex: string }) => n.vertex).sort()).toEqual(['b', 'c']);
    const first = (await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/c?direction=in&limit=2' })).json();
    expect(first.neighbours).toMatchObject({ total: 3, nextCursor: 2 });
    const second = (await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/c?direction=in&limit=2&cursor=2' })).json();
    expect(second.neighbours.nextCursor).toBeNull();
    expect([...first.neighbours.items, ...second.neighbours.items].map((n: { vertex: string }) => n.vertex).sort()).toEqual(['a', 'b', 'd']);
    const undirected = (await server.app.inject({ method: 'GET', url: '/graphs/up/vertices/1' })).json();
    expect(undirected).toMatchObject({ degree: { degree: 2 }, neighbours: { direction: 'all', total: 2 } });
    const missing = await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/zzz' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toContain('vertex "zzz" is not in graph "g"');
    expect((await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/a?direction=up' })).statusCode).toBe(400);
  });
});

describe('REST server: jobs and results', () => {
  it('POST /jobs answers 202 with Location and the id; the job runs to success', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/jobs',
      payload: { graph: 'g', algorithm: 'pagerank', options: { tolerance: 1e-10, maxIterations: 200 } },
    });
    expect(response.statusCode, response.body).toBe(202);
    pagerankJob = response.json().id;
    expect(response.headers.location).toBe(`/jobs/${pagerankJob}`);
    const job = await waitForJob(server.app, pagerankJob);
    expect(job).toMatchObject({ id: pagerankJob, status: 'succeeded', algorithm: 'pagerank', graphName: 'g' });
    expect(job).not.toHaveProperty('programFile');
    expect(job.progress).toMatchObject({ step: expect.any(Number) });
  });

  it('POST /jobs with bad options is a 400 and creates no job', async () => {
    const before = server.stored().jobs;
    const response = await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'g', algorithm: 'pagerank', options: { damping: 7 } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('damping');
    expect(server.stored().jobs).toEqual(before);
  });

  it('GET /jobs lists and filters; bad filters are 400', async () => {
    const all = (await server.app.inject({ method: 'GET', url: '/jobs' })).json() as { id: number }[];
    expect(all.map((job) => job.id)).toContain(pagerankJob);
    const filtered = (await server.app.inject({ method: 'GET', url: '/jobs?graph=g&status=succeeded&limit=1' })).json() as { id: number }[];
    expect(filtered).toHaveLength(1);
    expect((await server.app.inject({ method: 'GET', url: '/jobs?graph=nope' })).json()).toEqual([]);
    expect((await server.app.inject({ method: 'GET', url: '/jobs?status=done' })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/jobs?limit=0' })).statusCode).toBe(400);
  });

  it('GET /jobs/:id of an unknown job is a 404; a non-numeric id is a 400', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/jobs/99999' })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: '/jobs/abc' })).statusCode).toBe(400);
  });

  it('GET /jobs/:id/events streams the events with ids, and replays after Last-Event-ID', async () => {
    const response = await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/events` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(response.body);
    expect(events[0]).toMatchObject({ id: '1', event: 'queued' });
    expect(events.map((event) => event.event)).toContain('progress');
    expect(events.at(-1)!.event).toBe('succeeded');
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: 'succeeded', job: pagerankJob });

    const last = events.length;
    const replay = parseSse(
      (await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/events`, headers: { 'last-event-id': String(last - 2) } })).body,
    );
    expect(replay.map((event) => event.id)).toEqual([String(last - 1), String(last)]);
    const after = parseSse((await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/events?after=${last - 1}` })).body);
    expect(after.map((event) => event.id)).toEqual([String(last)]);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/events`, headers: { 'last-event-id': 'x' } })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/jobs/99999/events' })).statusCode).toBe(404);
  });

  it('GET /jobs/:id/results streams json, ndjson and csv with the CLI columns', async () => {
    const json = await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results` });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toContain('application/json');
    const rows = json.json() as { vertex: string; value: number }[];
    expect(rows.map((row) => row.vertex).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.reduce((sum, row) => sum + row.value, 0)).toBeCloseTo(1, 8);

    const ndjson = await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?format=ndjson&top=2` });
    expect(ndjson.headers['content-type']).toContain('application/x-ndjson');
    const top = ndjson.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(top).toHaveLength(2);
    expect(top[0].vertex).toBe('c');
    expect(top[0].value).toBeGreaterThanOrEqual(top[1].value);

    const csv = await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?format=csv&top=1&order=asc` });
    expect(csv.body.split('\n')[0]).toBe('vertex,value');
    expect(csv.body.trim().split('\n')).toHaveLength(2);
    expect(csv.body.split('\n')[1]).toMatch(/^d,/);

    const one = (await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?vertex=c` })).json();
    expect(one).toEqual([rows.find((row) => row.vertex === 'c')]);
  });

  it('GET /jobs/:id/results?format=arrow is an Arrow IPC stream of the same rows', async () => {
    const json = (await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results` })).json() as { vertex: string; value: number }[];
    const arrow = await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?format=arrow` });
    expect(arrow.statusCode).toBe(200);
    expect(arrow.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(arrow.rawPayload);
    expect(table.schema.fields.map((field) => `${field.name}:${String(field.type)}`)).toEqual(['vertex:Utf8', 'value:Float64']);
    expect(table.toArray().map((row) => row.toJSON())).toEqual(json);
  });

  it('an Arrow stream of many batches and of a vector result reads back whole; an empty one is a schema alone', async () => {
    const read = async (rows: ResultRow[], components: string[]) => {
      const chunks: Buffer[] = [];
      for await (const chunk of resultStream(rows, components, 'arrow')) chunks.push(Buffer.from(chunk as Uint8Array));
      return tableFromIPC(Buffer.concat(chunks));
    };
    const many = Array.from({ length: 150_001 }, (_, i): ResultRow => ({ vertex: i === 5 ? 'é🙂' : i % 3 === 0 ? i : `v${i}`, value: i / 7 }));
    const table = await read(many, ['value']);
    expect(table.numRows).toBe(150_001);
    expect(table.batches.length).toBe(3);
    expect(table.get(149_999)!.toJSON()).toEqual({ vertex: 'v149999', value: 149_999 / 7 });
    expect(table.get(3)!.toJSON()).toEqual({ vertex: '3', value: 3 / 7 });
    expect(table.get(5)!.toJSON()).toEqual({ vertex: 'é🙂', value: 5 / 7 });
    expect(table.get(70_000)!.toJSON()).toEqual({ vertex: 'v70000', value: 70_000 / 7 });
    const vectors = await read([{ vertex: 'u', value: [1, 2, 3] }], ['factor_0', 'factor_1', 'bias']);
    expect(vectors.get(0)!.toJSON()).toEqual({ vertex: 'u', factor_0: 1, factor_1: 2, bias: 3 });
    const empty = await read([], ['value']);
    expect([empty.numRows, empty.schema.fields.length]).toEqual([0, 2]);
  });

  it('GET /jobs/:id/results filters a scalar result by min and max', async () => {
    const all = (await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results` })).json() as { vertex: string; value: number }[];
    const middle = [...all].sort((x, y) => x.value - y.value)[1]!.value;
    const above = (await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?min=${middle}` })).json() as { value: number }[];
    expect(above).toHaveLength(all.filter((row) => row.value >= middle).length);
    const between = (await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?min=${middle}&max=${middle}` })).json();
    expect(between).toHaveLength(1);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?min=x` })).statusCode).toBe(400);
  });

  it('GET /jobs/:id/results pages by cursor, with X-Next-Cursor and Link', async () => {
    const pages: string[] = [];
    let url: string | null = `/jobs/${pagerankJob}/results?format=ndjson&limit=3`;
    while (url) {
      const response: { body: string; headers: Record<string, unknown> } = await server.app.inject({ method: 'GET', url });
      pages.push(...response.body.trim().split('\n'));
      const next = response.headers['x-next-cursor'];
      url = next === undefined ? null : `/jobs/${pagerankJob}/results?format=ndjson&limit=3&cursor=${next}`;
      if (next !== undefined) expect(response.headers.link).toContain(`cursor=${next}`);
    }
    expect(pages.map((line) => JSON.parse(line).vertex).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('GET /jobs/:id/results refuses bad queries and unknown jobs', async () => {
    const cases: [string, number][] = [
      [`/jobs/${pagerankJob}/results?format=xml`, 400],
      [`/jobs/${pagerankJob}/results?top=0`, 400],
      [`/jobs/${pagerankJob}/results?order=asc`, 400],
      [`/jobs/${pagerankJob}/results?by=x`, 400],
      [`/jobs/${pagerankJob}/results?vertex=zzz`, 404],
      [`/jobs/${pagerankJob}/results?extra=1`, 400],
      ['/jobs/99999/results', 404],
    ];
    for (const [url, status] of cases) {
      const response = await server.app.inject({ method: 'GET', url });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
      expect(response.json().error.code).toMatch(/^GAS_ERR_/);
    }
  });

  it('GET /graphs/:name/vertices/:label shows the vertex value in finished jobs', async () => {
    const vertex = (await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/c' })).json();
    expect(vertex.results).toEqual([expect.objectContaining({ job: pagerankJob, algorithm: 'pagerank', components: ['value'], value: expect.any(Number) })]);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/g/vertices/c?jobs=0' })).json().results).toEqual([]);
  });

  it('DELETE /jobs/:id cancels a queued job; a finished one is returned as it is; an unknown one is a 404', async () => {
    const finished = await server.app.inject({ method: 'DELETE', url: `/jobs/${pagerankJob}` });
    expect(finished.statusCode).toBe(200);
    expect(finished.json().status).toBe('succeeded');
    // A long job, then one queued behind it (concurrency 1): the queued one is cancelled at once.
    writeUpload(server, 'long.txt', LONG_GRAPH);
    expect((await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'long', file: 'long.txt', partitions: 2 } })).statusCode).toBe(
      201,
    );
    const long = (
      await server.app.inject({
        method: 'POST',
        url: '/jobs',
        payload: { graph: 'long', algorithm: 'pagerank', options: ENDLESS_PAGERANK },
      })
    ).json().id;
    const queued = (await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'g', algorithm: 'pagerank' } })).json().id;
    const cancelled = await server.app.inject({ method: 'DELETE', url: `/jobs/${queued}` });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: queued, status: 'cancelled' });
    await server.app.inject({ method: 'DELETE', url: `/jobs/${long}` });
    expect(await waitForJob(server.app, long)).toMatchObject({ status: 'cancelled' });
    const results = await server.app.inject({ method: 'GET', url: `/jobs/${long}/results` });
    expect(results.statusCode).toBe(404);
    const events = parseSse((await server.app.inject({ method: 'GET', url: `/jobs/${long}/events` })).body);
    expect(events.at(-1)!.event).toBe('cancelled');
    expect((await server.app.inject({ method: 'DELETE', url: '/jobs/99999' })).statusCode).toBe(404);
  });

  it('GET /jobs/:id/events follows a running job live until it is cancelled', async () => {
    const id = (await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'long', algorithm: 'pagerank', options: ENDLESS_PAGERANK } })).json()
      .id;
    const stream = server.app.inject({ method: 'GET', url: `/jobs/${id}/events` });
    for (let attempt = 0; attempt < 400; attempt++) {
      if ((await server.app.inject({ method: 'GET', url: `/jobs/${id}` })).json().progress !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await server.app.inject({ method: 'DELETE', url: `/jobs/${id}` });
    const events = parseSse((await stream).body);
    expect(events.slice(0, 2).map((event) => event.event)).toEqual(['queued', 'running']);
    expect(events.map((event) => event.event)).toContain('progress');
    expect(events.at(-1)!.event).toBe('cancelled');
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
  });

  it('DELETE /graphs/:name is refused while results exist, unless force=true', async () => {
    // A top K is kept for the clients that ask again (the same rows), and goes with the graph.
    const top = await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?top=2` });
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?top=2` })).body).toBe(top.body);
    const refused = await server.app.inject({ method: 'DELETE', url: '/graphs/g' });
    expect(refused.statusCode).toBe(409);
    expect(server.stored().graphs).toContain('g');
    const dropped = await server.app.inject({ method: 'DELETE', url: '/graphs/g?force=true' });
    expect(dropped.statusCode).toBe(200);
    expect(dropped.json()).toMatchObject({ name: 'g', discardedJobs: expect.arrayContaining([pagerankJob]) });
    expect(server.stored().graphs).not.toContain('g');
    expect((await server.app.inject({ method: 'DELETE', url: '/graphs/g' })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results` })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${pagerankJob}/results?top=2` })).statusCode).toBe(404);
  });
});

describe('REST server: recommend and topics', () => {
  let als: number;
  let lda: number;

  beforeAll(async () => {
    const rows: string[] = [];
    for (let user = 1; user <= 12; user++)
      for (let item = 1; item <= 8; item++) if ((user + item) % 3 !== 0) rows.push(`${user},${item},${1 + ((user * item) % 5)},0`);
    writeUpload(server, 'ratings.csv', `userId,movieId,rating,timestamp\n${rows.join('\n')}\n`);
    expect(
      (
        await server.app.inject({
          method: 'POST',
          url: '/graphs?wait=true',
          payload: { name: 'ratings', file: 'ratings.csv', format: 'ratings', partitions: 2 },
        })
      ).statusCode,
    ).toBe(201);
    const docs: string[] = [];
    for (let d = 1; d <= 6; d++) for (let w = 1; w <= 6; w++) if ((d + w) % 2 === 0) docs.push(`${d} ${w} ${1 + ((d * w) % 3)}`);
    writeUpload(server, 'docword.txt', `6\n6\n${docs.length}\n${docs.join('\n')}\n`);
    expect(
      (await server.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'corpus', file: 'docword.txt', format: 'uci', partitions: 2 } }))
        .statusCode,
    ).toBe(201);
    als = (
      await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'ratings', algorithm: 'als', options: { rank: 3, maxIterations: 3 } } })
    ).json().id;
    lda = (
      await server.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'corpus', algorithm: 'lda', options: { topics: 2, maxIterations: 3 } } })
    ).json().id;
    expect(await waitForJob(server.app, als)).toMatchObject({ status: 'succeeded' });
    expect(await waitForJob(server.app, lda)).toMatchObject({ status: 'succeeded' });
  });

  it('GET /jobs/:id/recommend gives a user top-k items', async () => {
    const response = await server.app.inject({ method: 'GET', url: `/jobs/${als}/recommend?user=1&k=3&minRatings=1` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ job: als, user: '1', minRatings: 1 });
    expect(response.json().items).toHaveLength(3);
    expect(response.json().items[0]).toMatchObject({ item: expect.any(String), score: expect.any(Number), prediction: expect.any(Number) });
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${als}/recommend?user=999` })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${als}/recommend` })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${lda}/recommend?user=1` })).statusCode).toBe(400);
  });

  it('GET /jobs/:id/topics and /graphs/:name/topics give each topic its top words', async () => {
    const byJob = await server.app.inject({ method: 'GET', url: `/jobs/${lda}/topics?top=3` });
    expect(byJob.statusCode, byJob.body).toBe(200);
    expect(byJob.json().topics).toHaveLength(2);
    expect(byJob.json().topics[0]).toMatchObject({ name: 'topic_0', words: expect.any(Array) });
    const byGraph = await server.app.inject({ method: 'GET', url: '/graphs/corpus/topics?top=3' });
    expect(byGraph.json()).toEqual(byJob.json());
    expect((await server.app.inject({ method: 'GET', url: `/jobs/${als}/topics` })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/graphs/ratings/topics' })).statusCode).toBe(404);
  });

  it("GET /jobs/:id/results of an LDA job has the CLI's topic columns", async () => {
    const csv = await server.app.inject({ method: 'GET', url: `/jobs/${lda}/results?format=csv&top=2&by=topic_1` });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.body.split('\n')[0]).toBe('vertex,topic_0,topic_1');
  });
});

describe('REST server: result streams', () => {
  it('pull rows only as the reader takes them: a stalled client leaves the rest unread', async () => {
    let pulled = 0;
    function* rows(): Generator<ResultRow> {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield { vertex: `v${i}`, value: i };
      }
    }
    const stream = resultStream(page(rows(), 10, undefined), ['value'], 'ndjson');
    const received: string[] = [];
    // A client that takes the first chunk and then stops reading, as a slow socket does.
    const stalled = new Writable({
      highWaterMark: 1,
      write(chunk, _encoding, _done) {
        received.push(String(chunk));
      },
    });
    stream.pipe(stalled);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.destroy();
    expect(received[0]!.split('\n')[0]).toBe('{"vertex":"v10","value":10}');
    expect(pulled).toBeLessThan(20_000);
  });
});

describe('REST server: shutdown', () => {
  it('app.close() interrupts a running job; its event stream gets `interrupted` and ends', async () => {
    const closing = await startTestServer();
    writeUpload(closing, 'long.txt', LONG_GRAPH);
    expect(
      (await closing.app.inject({ method: 'POST', url: '/graphs?wait=true', payload: { name: 'long', file: 'long.txt', partitions: 2 } })).statusCode,
    ).toBe(201);
    const id = (await closing.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'long', algorithm: 'pagerank', options: ENDLESS_PAGERANK } })).json()
      .id;
    const queued = (await closing.app.inject({ method: 'POST', url: '/jobs', payload: { graph: 'long', algorithm: 'pagerank' } })).json().id;
    const stream = closing.app.inject({ method: 'GET', url: `/jobs/${id}/events` });
    for (let attempt = 0; attempt < 400; attempt++) {
      if ((await closing.app.inject({ method: 'GET', url: `/jobs/${id}` })).json().status === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await closing.close();
    expect(parseSse((await stream).body).at(-1)!.event).toBe('interrupted');
    const catalog = Catalog.open(closing.dataDir);
    try {
      expect(catalog.jobs.get(id).status).toBe('interrupted');
      expect(catalog.jobs.get(queued).status).toBe('interrupted');
    } finally {
      catalog.close();
    }
  });
});

describe('REST server: logs', () => {
  it('logs each request with its id and never the authorization header', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await startTestServer({ token: 'a-secret-token-of-some-length', logger: { level: 'info', stream } });
    try {
      await logged.app.inject({ method: 'GET', url: '/graphs', headers: { authorization: 'Bearer a-secret-token-of-some-length' } });
      await logged.app.inject({ method: 'GET', url: '/graphs', headers: { authorization: 'Bearer wrong' } });
    } finally {
      await logged.close();
    }
    const text = lines.join('');
    expect(text).not.toContain('a-secret-token-of-some-length');
    expect(text).not.toContain('Bearer wrong');
    expect(text).toContain('[redacted]');
    const records = lines.map((line) => JSON.parse(line));
    expect(records.some((record) => typeof record.reqId === 'string' && record.reqId.length === 36)).toBe(true);
  });
});
