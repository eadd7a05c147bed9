/**
 * Mutual challenge–response on a fresh TCP connection, before anything else crosses it: each end
 * proves it knows the cluster's shared secret without sending it, and the listening end spends
 * no thread and at most a few dozen bytes on a client until it has proved itself. Only then does
 * the connection become a WebSocket (tcp-worker.ts, tcp-channel.ts). Any link can use it — the
 * coordinator → worker link today, worker ↔ worker links of a mesh — each with its own `context`,
 * so a proof made for one kind of link is worthless on another.
 *
 * The exchange (fixed sizes, so a read is bounded before it starts):
 *
 *     listener → dialer   HELLO   "GASW" ‖ version (1 byte) ‖ nonceL (32 random bytes)
 *     dialer → listener   PROOF   nonceD (32 random bytes) ‖ HMAC-SHA256(secret, "dialer" ‖ context ‖ nonceL ‖ nonceD)
 *     listener → dialer   VERDICT 0x01 ‖ HMAC-SHA256(secret, "listener" ‖ context ‖ nonceL ‖ nonceD)   (accepted)
 *                                 0x00, then close                                                       (refused)
 *
 * Fresh nonces from both ends make every proof single-use (no replay), and the role labels keep a
 * listener's answer from being reflected back as a dialer's proof (Bellare, Canetti, Krawczyk 1996
 * for HMAC; the shape is ISO/IEC 9798-4's three-pass mutual authentication). MACs are compared with
 * `timingSafeEqual`. Neither end may send anything beyond its message before it has the other's:
 * extra bytes are a protocol violation and end the connection.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { GasError } from '../errors.js';

const MAGIC = Buffer.from('GASW');
const VERSION = 1;
const NONCE_BYTES = 32;
const MAC_BYTES = 32;
export const HELLO_BYTES = MAGIC.length + 1 + NONCE_BYTES;
export const PROOF_BYTES = NONCE_BYTES + MAC_BYTES;
const VERDICT_BYTES = 1 + MAC_BYTES;
const ACCEPTED = 0x01;
const REFUSED = 0x00;

/** The kind of link, bound into every MAC. */
export type LinkContext = 'coordinator-worker' | 'worker-mesh';

function mac(secret: Buffer, role: 'dialer' | 'listener', context: LinkContext, nonceL: Buffer, nonceD: Buffer): Buffer {
  return createHmac('sha256', secret).update(`gasworks/${VERSION} ${role}\0${context}\0`).update(nonceL).update(nonceD).digest();
}

/**
 * Reads exactly `bytes` bytes and calls `done` synchronously in the same turn as the last chunk
 * arrives, with the socket's `data` listener gone: the caller can hand the socket on (to an HTTP
 * server, to `ws`) before any later byte could be emitted to nobody. More bytes than asked, an
 * early end or `timeoutMs` of silence call `done` with an error instead.
 */
function readExactly(socket: Socket, bytes: number, timeoutMs: number, done: (error: string | null, data: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (error: string | null): void => {
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.removeListener('close', onEnd);
    done(error, Buffer.concat(chunks, Math.min(received, bytes)));
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    received += chunk.length;
    if (received > bytes) finish(`sent ${received} bytes where ${bytes} were due`);
    else if (received === bytes) finish(null);
  };
  const onEnd = (): void => finish(`closed after ${received} of ${bytes} bytes`);
  const timer = setTimeout(() => finish(`sent ${received} of ${bytes} bytes in ${timeoutMs} ms`), timeoutMs);
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', onEnd);
}

/**
 * The listening end. Calls `accepted(context)` once the dialer has proved the secret for one of
 * `contexts` (the kinds of link this port serves; the one proved is the kind of this link) and
 * the verdict is on its way — synchronously, so the socket can be handed on in the same turn — or
 * `refused(why)` after closing the socket. The socket must have an `error` listener already.
 */
export function acceptHandshake(
  socket: Socket,
  secret: Buffer,
  contexts: LinkContext | readonly LinkContext[],
  timeoutMs: number,
  accepted: (context: LinkContext) => void,
  refused: (problem: string) => void,
): void {
  const nonceL = randomBytes(NONCE_BYTES);
  socket.write(Buffer.concat([MAGIC, Buffer.of(VERSION), nonceL]));
  readExactly(socket, PROOF_BYTES, timeoutMs, (error, proof) => {
    if (error) {
      socket.destroy();
      refused(error);
      return;
    }
    const nonceD = proof.subarray(0, NONCE_BYTES);
    const claimed = proof.subarray(NONCE_BYTES);
    // Every context is checked (no early exit), so timing does not tell which one was tried.
    let context: LinkContext | null = null;
    for (const candidate of typeof contexts === 'string' ? [contexts] : contexts) {
      if (timingSafeEqual(claimed, mac(secret, 'dialer', candidate, nonceL, nonceD))) context ??= candidate;
    }
    if (!context) {
      socket.end(Buffer.of(REFUSED));
      // end() waits for the peer's FIN; a client that never sends one must not keep the descriptor.
      setTimeout(() => socket.destroy(), 1000).unref();
      refused('wrong cluster secret');
      return;
    }
    socket.write(Buffer.concat([Buffer.of(ACCEPTED), mac(secret, 'listener', context, nonceL, nonceD)]));
    accepted(context);
  });
}

/**
 * The dialing end, on a connected socket. Resolves once the listener has accepted this end's
 * proof and proved the secret itself; rejects with `GAS_ERR_AUTH` (no secret here, wrong secret
 * either side) or `GAS_ERR_WORKER` (not a gasworks listener, silence), naming `peer`, after
 * destroying the socket. With `secret` null the dialer only learns that the listener wants one.
 */
export function offerHandshake(socket: Socket, secret: Buffer | null, context: LinkContext, peer: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (code: 'GAS_ERR_AUTH' | 'GAS_ERR_WORKER', problem: string): void => {
      socket.destroy();
      reject(new GasError(code, `worker ${peer}: ${problem}`, { worker: peer }));
    };
    readExactly(socket, HELLO_BYTES, timeoutMs, (error, hello) => {
      if (error || !hello.subarray(0, MAGIC.length).equals(MAGIC)) {
        fail('GAS_ERR_WORKER', `not a gasworks worker, or not this version (handshake: ${error ?? 'unexpected greeting'})`);
        return;
      }
      if (hello[MAGIC.length] !== VERSION) {
        fail('GAS_ERR_WORKER', `speaks handshake version ${hello[MAGIC.length]}, this coordinator ${VERSION}`);
        return;
      }
      if (!secret) {
        fail('GAS_ERR_AUTH', 'requires the cluster secret; give --secret-file F or set GASWORKS_CLUSTER_SECRET');
        return;
      }
      const nonceL = hello.subarray(MAGIC.length + 1);
      const nonceD = randomBytes(NONCE_BYTES);
      socket.write(Buffer.concat([nonceD, mac(secret, 'dialer', context, nonceL, nonceD)]));
      readExactly(socket, VERDICT_BYTES, timeoutMs, (verdictError, verdict) => {
        if (verdict.length >= 1 && verdict[0] === REFUSED) fail('GAS_ERR_AUTH', 'refused this cluster secret (the worker was started with another one)');
        else if (verdictError || verdict[0] !== ACCEPTED) fail('GAS_ERR_WORKER', `handshake failed: ${verdictError ?? 'unexpected verdict'}`);
        else if (!timingSafeEqual(verdict.subarray(1), mac(secret, 'listener', context, nonceL, nonceD))) {
          fail('GAS_ERR_AUTH', 'could not prove the cluster secret: it is not the worker this coordinator was configured for');
        } else resolve();
      });
    });
  });
}
