/**
 * An authenticated cluster (issue 15, item 3): a worker serves only coordinators that prove the
 * cluster's secret (src/cluster/handshake.ts), refuses to start without one, and survives what a
 * hostile or broken client sends it — garbage, text frames, malformed and oversize frames, half
 * frames then silence, floods of connections, 10,000 random and mutated frames — then still serves
 * a real job correctly. Workers run as real `gasworks worker` processes; their memory, threads and
 * descriptors are read from /proc.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialWorker } from '../src/cluster/dial.js';
import { acceptHandshake, PROOF_BYTES } from '../src/cluster/handshake.js';
import { encode } from '../src/cluster/wire.js';
import { jobResults, runJob } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { edgeListText, erdosRenyi, seededRandom } from './helpers/generators.js';
import { makeTempDir, openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { authenticatedSocket, CLI, CLUSTER_SECRET, startWorkerProcess, type WorkerProcess } from './helpers/workers.js';

let temp: TempCatalog;
let worker: WorkerProcess;
let workerLog = '';

beforeAll(async () => {
  temp = openTempCatalog();
  const graph = erdosRenyi(11, 200, 600);
  await importGraph(temp.catalog, { file: writeGraphFile(temp.inputDir, 'er.txt', edgeListText(graph)), name: 'er', partitions: 2, undirected: true });
  // Short timeouts so that silent clients are dropped within the test.
  worker = await startWorkerProcess('127.0.0.1', undefined, { ...process.env, GASWORKS_HANDSHAKE_TIMEOUT_MS: '300', GASWORKS_IDLE_TIMEOUT_MS: '800' });
  worker.child.stderr!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
}, 30_000);

afterAll(async () => {
  await worker?.stop();
  temp?.close();
  removeTempDirs();
});

/** The worker process's resident memory (bytes), threads and open descriptors. */
function usage(pid: number): { rss: number; threads: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)![1]);
  return { rss: field('VmRSS') * 1024, threads: field('Threads'), fds: readdirSync(`/proc/${pid}/fd`).length };
}

function alive(): void {
  expect(worker.child.exitCode).toBeNull();
  expect(worker.child.signalCode).toBeNull();
}

function rawConnection(): Promise<Socket> {
  const colon = worker.address.lastIndexOf(':');
  const socket = connect(Number(worker.address.slice(colon + 1)), worker.address.slice(0, colon));
  socket.on('error', () => undefined);
  // Flowing, so that the worker's greeting is read and its close seen.
  socket.resume();
  return once(socket, 'connect').then(() => socket);
}

function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : once(socket, 'close').then(() => undefined);
}

/** An authenticated connection upgraded to a WebSocket by hand, for frames `ws` would not send. */
async function upgradedSocket(): Promise<Socket> {
  const socket = await authenticatedSocket(worker.address);
  socket.on('error', () => undefined);
  socket.write(
    `GET / HTTP/1.1\r\nHost: ${worker.address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let head = '';
  for await (const chunk of socket) {
    head += (chunk as Buffer).toString('latin1');
    if (head.includes('\r\n\r\n')) break;
  }
  expect(head).toMatch(/^HTTP\/1.1 101 /);
  return socket;
}

/** A masked (all-zero key) client frame; `length` overrides the length field. */
function clientFrame(firstByte: number, payload: Buffer, length = payload.length): Buffer {
  let header: Buffer;
  if (length < 126) header = Buffer.from([firstByte, 0x80 | length]);
  else if (length < 65536) header = Buffer.from([firstByte, 0x80 | 126, length >> 8, length & 0xff]);
  else {
    header = Buffer.alloc(10);
    header[0] = firstByte;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

/** A `ws` client on an authenticated connection. */
async function authenticatedClient(): Promise<WebSocket> {
  const socket = await authenticatedSocket(worker.address);
  const client = new WebSocket(`ws://${worker.address}`, {
    createConnection: () => socket,
    perMessageDeflate: false,
    generateMask: (mask: Buffer) => mask.fill(0),
  });
  client.on('error', () => undefined);
  await once(client, 'open');
  return client;
}

describe('who may talk to a worker', () => {
  it('a worker without a secret refuses to start, on 0.0.0.0 and on loopback; a short or group-readable secret file is refused', () => {
    const env = { ...process.env, GASWORKS_CLUSTER_SECRET: undefined, GASWORKS_HOME: makeTempDir('gasworks-auth-') };
    for (const listen of ['0.0.0.0:0', '127.0.0.1:0']) {
      const child = spawnSync(process.execPath, [CLI, 'worker', '--listen', listen], { encoding: 'utf8', env, timeout: 20_000 });
      expect(child.status, child.stderr).toBe(64);
      expect(child.stderr).toMatch(/--secret-file.*GAS_ERR_INVALID_ARGUMENT/);
      expect(child.stdout).not.toMatch(/listening/);
    }
    const dir = makeTempDir('gasworks-secret-');
    const short = join(dir, 'short');
    writeFileSync(short, 'tooshort\n', { mode: 0o600 });
    const open = join(dir, 'open');
    writeFileSync(open, 'a secret of more than sixteen bytes\n');
    chmodSync(open, 0o644);
    for (const [file, message] of [
      [short, /has 8 bytes; give at least 16/],
      [open, /readable by others.*chmod 600/],
    ] as const) {
      const child = spawnSync(process.execPath, [CLI, 'worker', '--listen', '127.0.0.1:0', '--secret-file', file], { encoding: 'utf8', env, timeout: 20_000 });
      expect(child.status, child.stderr).toBe(64);
      expect(child.stderr).toMatch(message);
    }
  }, 40_000);

  it('a coordinator without the secret, or with a wrong one, gets GAS_ERR_AUTH naming the worker; the worker decodes nothing and runs nothing', async () => {
    const marker = join(makeTempDir('gasworks-marker-'), 'ran');
    // Runs its side effect only on a worker's job thread, never in the coordinator that plans the job.
    const program = writeGraphFile(
      temp.inputDir,
      'side-effect.ts',
      `import { isMainThread } from 'node:worker_threads';
       import { writeFileSync } from 'node:fs';
       if (!isMainThread) writeFileSync(${JSON.stringify(marker)}, 'ran');
       export default { name: 'side-effect', vertexColumns: { count: 'f64' }, gatherEdges: 'in', scatterEdges: 'none',
         gather: () => 1, zero: 0, sum: (a: number, b: number) => a + b,
         apply(state: any, v: number, total: number) { state.count[v] = total; } };\n`,
    );
    const logBefore = workerLog.length;
    const wrong = runJob(temp.catalog, {
      graph: 'er',
      algorithm: program,
      options: { maxIterations: 1 },
      cluster: [worker.address],
      clusterSecret: Buffer.from('not the secret of this cluster'),
    });
    await expect(wrong).rejects.toMatchObject({
      code: 'GAS_ERR_AUTH',
      message: expect.stringContaining(`worker ${worker.address}: refused this cluster secret`),
    });
    expect(temp.catalog.jobs.list({ limit: 1 })[0]).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_AUTH' });

    const saved = process.env.GASWORKS_CLUSTER_SECRET;
    delete process.env.GASWORKS_CLUSTER_SECRET;
    try {
      const none = runJob(temp.catalog, { graph: 'er', algorithm: program, options: { maxIterations: 1 }, cluster: [worker.address] });
      await expect(none).rejects.toMatchObject({
        code: 'GAS_ERR_AUTH',
        message: expect.stringContaining(`worker ${worker.address}: requires the cluster secret`),
      });
    } finally {
      process.env.GASWORKS_CLUSTER_SECRET = saved;
    }
    expect(temp.catalog.jobs.list({ limit: 1 })[0]).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_AUTH' });
    expect(existsSync(marker)).toBe(false);
    const log = workerLog.slice(logBefore);
    expect(log).toMatch(/refused: not authenticated/);
    expect(log).not.toMatch(/"msg":"(connected|setup)"/);
    alive();

    // With the secret the same program runs, on the worker's thread.
    await runJob(temp.catalog, { graph: 'er', algorithm: program, options: { maxIterations: 1 }, cluster: [worker.address] });
    expect(existsSync(marker)).toBe(true);
  }, 30_000);

  it('gasworks run without the secret exits 77 (GAS_ERR_AUTH) with one line naming the worker', () => {
    const child = spawnSync(process.execPath, [CLI, 'run', 'pagerank', '--graph', 'er', '--cluster', worker.address, '--data-dir', temp.dataDir], {
      encoding: 'utf8',
      env: { ...process.env, GASWORKS_CLUSTER_SECRET: undefined },
      timeout: 20_000,
    });
    expect(child.status, child.stderr).toBe(77);
    const lines = child.stderr.trim().split('\n');
    expect(lines.filter((line) => line.includes('GAS_ERR_AUTH'))).toHaveLength(1);
    expect(child.stderr).toContain(`worker ${worker.address}`);
  }, 30_000);
});

/** A listener on loopback that greets each connection with `serve`; resolves with its address. */
async function fakeWorker(serve: (socket: Socket) => void): Promise<{ address: string; server: Server }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    serve(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('what a coordinator trusts', () => {
  it('a listener that cannot prove the secret is refused with GAS_ERR_AUTH: the coordinator sends it nothing', async () => {
    let received = 0;
    const impostor = await fakeWorker((socket) => {
      socket.write(Buffer.concat([Buffer.from('GASW'), Buffer.of(1), randomBytes(32)]));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received === PROOF_BYTES) socket.write(Buffer.concat([Buffer.of(1), randomBytes(32)]));
      });
    });
    try {
      const job = runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', cluster: [impostor.address] });
      await expect(job).rejects.toMatchObject({
        code: 'GAS_ERR_AUTH',
        message: expect.stringContaining(`worker ${impostor.address}: could not prove the cluster secret`),
      });
      expect(received).toBe(PROOF_BYTES);
      expect(temp.catalog.jobs.list({ limit: 1 })[0]).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_AUTH' });
    } finally {
      impostor.server.close();
    }
  });

  it.each(['garbage', 'text', 'not a response'])(
    'a worker that replies with %s fails the job with GAS_ERR_WORKER naming it; the job row says failed',
    async (reply) => {
      const http = createHttpServer();
      const wss = new WebSocketServer({ noServer: true });
      http.on('upgrade', (request, socket, head) =>
        wss.handleUpgrade(request, socket as Socket, head, (ws) =>
          ws.on('message', () => {
            if (reply === 'garbage') ws.send(randomBytes(64));
            else if (reply === 'text') ws.send('hello');
            else ws.send(encode({ id: 'x', ok: 'maybe' }));
          }),
        ),
      );
      const liar = await fakeWorker((socket) =>
        acceptHandshake(
          socket,
          Buffer.from(CLUSTER_SECRET),
          'coordinator-worker',
          2000,
          () => http.emit('connection', socket),
          () => undefined,
        ),
      );
      try {
        const job = runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', cluster: [liar.address] });
        await expect(job).rejects.toMatchObject({
          code: 'GAS_ERR_WORKER',
          message: expect.stringContaining(`worker ${liar.address}: sent a frame that is not a response`),
        });
        expect(temp.catalog.jobs.list({ limit: 1 })[0]).toMatchObject({ status: 'failed', errorCode: 'GAS_ERR_WORKER' });
      } finally {
        for (const client of wss.clients) client.terminate();
        liar.server.close();
      }
    },
  );
});

describe('what a worker survives', () => {
  it('garbage and a half handshake then silence: closed before any thread starts', async () => {
    const before = usage(worker.child.pid!);
    const garbage = await rawConnection();
    garbage.write(Buffer.alloc(500, 0x41));
    await closed(garbage);
    const silent = await rawConnection();
    silent.write(Buffer.alloc(10));
    await closed(silent); // after GASWORKS_HANDSHAKE_TIMEOUT_MS
    const httpFirst = await rawConnection();
    httpFirst.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n`);
    await closed(httpFirst);
    expect(usage(worker.child.pid!).threads).toBe(before.threads);
    alive();
  });

  it('after authentication: a text frame, a malformed frame, an oversize length, an undecodable frame and a half frame then silence each close their connection only', async () => {
    const cases: [string, Buffer][] = [
      ['text frame', clientFrame(0x81, Buffer.from('hello'))],
      ['reserved opcode', clientFrame(0x83, Buffer.from('x'))],
      ['reserved bits', clientFrame(0xf2, Buffer.from('x'))],
      ['unmasked frame', Buffer.from([0x82, 0x01, 0x00])],
      ['oversize length', clientFrame(0x82, Buffer.alloc(0), 2 ** 52)],
      ['undecodable frame', clientFrame(0x82, Buffer.from('definitely not v8'))],
      ['not a request', clientFrame(0x82, encode({ hello: 'world' }))],
      // 4 MB announced, 1000 bytes sent, then silence: dropped after GASWORKS_IDLE_TIMEOUT_MS.
      ['half frame', clientFrame(0x82, Buffer.alloc(1000), 4 * 2 ** 20).subarray(0, 1014)],
    ];
    for (const [name, frame] of cases) {
      const socket = await upgradedSocket();
      socket.write(frame);
      socket.resume();
      await expect(Promise.race([closed(socket).then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5000))]), name).resolves.toBe(
        'closed',
      );
    }
    alive();
  }, 30_000);

  it('a flood of 200 unauthenticated connections starts no thread, costs little memory and leaks no descriptor', async () => {
    const before = usage(worker.child.pid!);
    const sockets = await Promise.all(Array.from({ length: 200 }, () => rawConnection()));
    await new Promise((r) => setTimeout(r, 100));
    const during = usage(worker.child.pid!);
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => setTimeout(r, 500));
    const after = usage(worker.child.pid!);
    console.log(`flood of 200: before ${JSON.stringify(before)}, during ${JSON.stringify(during)}, after ${JSON.stringify(after)}`);
    expect(during.threads).toBe(before.threads);
    expect(during.fds).toBeGreaterThanOrEqual(before.fds + 150);
    expect(during.rss - before.rss).toBeLessThan(64 * 2 ** 20);
    expect(after.fds).toBeLessThanOrEqual(before.fds + 2);
    alive();
  }, 20_000);

  it('a proof opens only its own kind of link: a coordinator cannot open a mesh link, a mesh peer cannot open a job channel, nor join a job it cannot name', async () => {
    const secret = Buffer.from(CLUSTER_SECRET);
    const token = 'ab'.repeat(16);
    const dial = (context: 'coordinator-worker' | 'worker-mesh', path: string) => dialWorker(worker.address, secret, context, { connectTimeoutMs: 3000, path });
    await expect(dial('coordinator-worker', `/mesh/${token}/1`)).rejects.toMatchObject({ code: 'GAS_ERR_WORKER' });
    await expect(dial('worker-mesh', '/')).rejects.toMatchObject({ code: 'GAS_ERR_WORKER' });
    await expect(dial('worker-mesh', '/mesh/not-a-token/1')).rejects.toMatchObject({ code: 'GAS_ERR_WORKER' });
    // Authenticated as a peer, but of no job this worker serves: upgraded, then closed (policy violation).
    const link = await dial('worker-mesh', `/mesh/${token}/1`);
    link.on('error', () => undefined);
    const [code, reason] = (await once(link, 'close')) as [number, Buffer];
    expect(code).toBe(1008);
    expect(reason.toString()).toContain('no such job');
    alive();
  });

  it('10,000 random and mutated frames, without and after authentication: no crash, no hang, bounded memory; then a real job is right', async () => {
    const random = seededRandom(1509);
    const int = (n: number): number => Math.floor(random() * n);
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
    const mutate = (valid: Buffer): Buffer => {
      const out = Buffer.from(valid);
      const kind = int(3);
      if (kind === 0) for (let k = 1 + int(4); k > 0; k--) out[int(out.length)] = int(256);
      else if (kind === 1) return out.subarray(0, int(out.length));
      else return Buffer.concat([out, bytes(1 + int(64))]);
      return out;
    };
    const before = usage(worker.child.pid!);

    // 5,000 without authentication: random bytes, and mutated real proofs, each on its own connection (32 at a time).
    const unauthenticated = Array.from({ length: 5000 }, () => (random() < 0.5 ? bytes(1 + int(200)) : mutate(bytes(64))));
    for (let start = 0; start < unauthenticated.length; start += 32) {
      await Promise.all(
        unauthenticated.slice(start, start + 32).map(async (frame) => {
          const socket = await rawConnection();
          socket.end(frame);
          socket.resume();
          await closed(socket);
        }),
      );
    }
    alive();

    // 5,000 after authentication: random payloads, mutated requests and text frames; each frame is
    // followed by a ping, so it is processed before the next (a closed connection is replaced).
    const valid = [
      encode({ id: 1, method: 'hasShard', args: ['er/0-of-2'] }),
      encode({ id: 2, method: 'collect', args: [] }),
      encode({ id: 3, method: 'gather', args: [new Float64Array(16), new Uint32Array(8)] }),
    ];
    let client = await authenticatedClient();
    let reconnects = 0;
    for (let k = 0; k < 5000; k++) {
      const choice = random();
      const frame = choice < 0.45 ? bytes(1 + int(300)) : choice < 0.95 ? mutate(valid[int(valid.length)]!) : bytes(1 + int(50)).toString('latin1');
      if (client.readyState !== WebSocket.OPEN) {
        client = await authenticatedClient();
        reconnects++;
      }
      client.send(frame, { binary: typeof frame !== 'string' });
      client.ping();
      await Promise.race([once(client, 'pong'), once(client, 'close')]);
    }
    client.terminate();
    // Refused connections are let go within a second (a close handshake given its chance).
    let after = usage(worker.child.pid!);
    for (let wait = 0; wait < 30 && after.fds > before.fds + 16; wait++) {
      await new Promise((r) => setTimeout(r, 100));
      after = usage(worker.child.pid!);
    }
    console.log(
      `10,000 frames (${reconnects} reconnects): RSS ${Math.round(before.rss / 2 ** 20)} → ${Math.round(after.rss / 2 ** 20)} MB, threads ${before.threads} → ${after.threads}, fds ${before.fds} → ${after.fds}`,
    );
    alive();
    expect(after.rss - before.rss).toBeLessThan(200 * 2 ** 20);
    // Some descriptors belong to job threads still shutting down; 10,000 connections leave no trace.
    expect(after.fds).toBeLessThanOrEqual(before.fds + 16);

    // The worker still serves a real job, with the same answer as in-process.
    const options = { tolerance: 1e-12, maxIterations: 100 };
    const local = await runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', options, workers: 1, top: 0 });
    const remote = await runJob(temp.catalog, { graph: 'er', algorithm: 'pagerank', options, cluster: [worker.address], top: 0 });
    expect(remote.placement).toBe('cluster');
    const values = (jobId: number): number[] => [...jobResults(temp.catalog, jobId).rows()].map((row) => row.value as number);
    const expected = values(local.jobId);
    const got = values(remote.jobId);
    expect(got).toHaveLength(expected.length);
    for (let v = 0; v < expected.length; v++) expect(Math.abs(got[v]! - expected[v]!)).toBeLessThanOrEqual(1e-12 * Math.abs(expected[v]!));
  }, 60_000);
});
