/**
 * Opening an authenticated WebSocket to a worker's port, for every kind of link: TCP connect,
 * the handshake (handshake.ts) on the bare socket, then the WebSocket over that same socket. The
 * coordinator dials workers this way (tcp-channel.ts), and workers dial their mesh peers
 * (tcp-worker.ts), each link with its own handshake context.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import WebSocket from 'ws';
import { GasError } from '../errors.js';
import { offerHandshake, type LinkContext } from './handshake.js';
import { parseAddress } from './address.js';
import { MAX_FRAME_BYTES } from './wire.js';

export interface DialOptions {
  readonly connectTimeoutMs: number;
  /** The WebSocket's path: which service of the worker's port (`/` the job channel, `/mesh/…` a mesh link). */
  readonly path?: string;
  /** The option that named the address, for a malformed one. */
  readonly option?: string;
}

/**
 * The authenticated WebSocket, or a rejection: `GAS_ERR_AUTH` (secrets differ, or none here) or
 * `GAS_ERR_WORKER` (unreachable, silent, not a gasworks worker), naming `address`.
 */
export async function dialWorker(address: string, secret: Buffer | null, context: LinkContext, options: DialOptions): Promise<WebSocket> {
  const { host, port } = parseAddress(address, options.option ?? '--cluster');
  const deadline = Date.now() + options.connectTimeoutMs;
  const tcp = await settle(connectTcp({ host, port, noDelay: true }), 'connect', (socket) => socket.destroy(), address, options.connectTimeoutMs);
  tcp.on('error', () => tcp.destroy());
  await offerHandshake(tcp, secret, context, address, Math.max(1, deadline - Date.now()));
  const socket = new WebSocket(`ws://${address}${options.path ?? ''}`, {
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handshakeTimeout: options.connectTimeoutMs,
    // The authenticated connection itself, not a new one.
    createConnection: () => tcp,
    // An all-zero masking key, which both ends of `ws` recognise and skip: masking guards browsers'
    // proxies against cache poisoning, and costs an XOR pass over every byte sent (no proxy sits
    // between a coordinator and its workers, or between workers).
    generateMask: (mask: Buffer) => mask.fill(0),
  });
  return settle(socket, 'open', (ws) => ws.terminate(), address, Math.max(1, deadline - Date.now()));
}

/**
 * `target` once it emits `ready`; on an error first, or silence for `timeoutMs`, it is let go
 * (`drop`) and the promise rejects with `GAS_ERR_WORKER` naming the worker as unreachable.
 */
function settle<T extends Socket | WebSocket>(target: T, ready: 'connect' | 'open', drop: (target: T) => void, address: string, timeoutMs: number): Promise<T> {
  const events = target as unknown as { once(event: string, listener: (...args: never[]) => void): void; removeAllListeners(event: string): void };
  return new Promise((resolve, reject) => {
    const unreachable = (problem: string): void => {
      drop(target);
      reject(new GasError('GAS_ERR_WORKER', `worker ${address}: unreachable (${problem})`, { worker: address, lost: true }));
    };
    const timeout = setTimeout(() => unreachable(`no answer within ${timeoutMs} ms`), timeoutMs);
    events.once(ready, () => {
      clearTimeout(timeout);
      events.removeAllListeners('error');
      resolve(target);
    });
    events.once('error', (error: Error) => {
      clearTimeout(timeout);
      unreachable(error.message);
    });
  });
}
