/**
 * A worker in another process, possibly on another machine, reached over TCP (a WebSocket).
 * The coordinator pings it every `heartbeatMs`; a worker that answers no ping for
 * `heartbeatTimeoutMs`, or whose connection closes, fails the channel with `GAS_ERR_WORKER`
 * naming its address. Backpressure comes from the protocol: each worker has at most one request
 * in flight, so a slow link or a slow worker holds the coordinator back instead of piling frames
 * up in memory.
 */
import WebSocket from 'ws';
import { GasError } from '../errors.js';
import { Channel } from './channel.js';
import type { Request, Response } from './protocol.js';
import { MAX_FRAME_BYTES, decode, encode } from './wire.js';

export interface TcpOptions {
  readonly connectTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
}

/** Defaults, overridable by `GASWORKS_CONNECT_TIMEOUT_MS` and `GASWORKS_HEARTBEAT_TIMEOUT_MS` (read at each connect). */
export function tcpDefaults(): TcpOptions {
  const heartbeatTimeoutMs = Number(process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS ?? 10_000);
  return {
    connectTimeoutMs: Number(process.env.GASWORKS_CONNECT_TIMEOUT_MS ?? 5000),
    heartbeatMs: Math.min(1000, heartbeatTimeoutMs / 3),
    heartbeatTimeoutMs,
  };
}

export class TcpChannel extends Channel {
  /** Bytes sent and received on this connection (WebSocket payloads). */
  bytesSent = 0;
  bytesReceived = 0;
  private closing = false;
  private lastPong = Date.now();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    address: string,
    private readonly socket: WebSocket,
    options: TcpOptions,
  ) {
    super(address);
    socket.on('message', (data: Buffer) => {
      this.bytesReceived += data.length;
      this.receive(decode(data) as Response);
    });
    socket.on('pong', () => {
      this.lastPong = Date.now();
    });
    socket.on('close', (code, reason) => {
      clearInterval(this.timer);
      if (!this.closing) this.fail(`connection closed (code ${code}${reason.length ? `, ${reason.toString()}` : ''})`);
    });
    socket.on('error', (error) => this.fail(`connection error: ${error.message}`));
    let lastTick = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      // This thread was itself blocked (reading or serialising a shard): pongs may be waiting unread,
      // so the silence says nothing about the worker. Give it a fresh window instead of failing it.
      if (now - lastTick > 2 * options.heartbeatMs) this.lastPong = now;
      lastTick = now;
      if (now - this.lastPong > options.heartbeatTimeoutMs) {
        this.fail(`no heartbeat for ${options.heartbeatTimeoutMs} ms`);
        socket.terminate();
        clearInterval(this.timer);
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, options.heartbeatMs);
    this.timer.unref();
  }

  static connect(address: string, options: TcpOptions = tcpDefaults()): Promise<TcpChannel> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${address}`, {
        maxPayload: MAX_FRAME_BYTES,
        perMessageDeflate: false,
        handshakeTimeout: options.connectTimeoutMs,
        // An all-zero masking key, which both ends of `ws` recognise and skip: masking guards browsers'
        // proxies against cache poisoning, and costs an XOR pass over every byte sent (no proxy sits
        // between a coordinator and its workers).
        generateMask: (mask: Buffer) => mask.fill(0),
      });
      const unreachable = (problem: string): void => {
        socket.terminate();
        reject(new GasError('GAS_ERR_WORKER', `worker ${address}: unreachable (${problem})`, { worker: address }));
      };
      const timeout = setTimeout(() => unreachable(`no answer within ${options.connectTimeoutMs} ms`), options.connectTimeoutMs);
      socket.once('open', () => {
        clearTimeout(timeout);
        socket.removeAllListeners('error');
        resolve(new TcpChannel(address, socket, options));
      });
      socket.once('error', (error) => {
        clearTimeout(timeout);
        unreachable(error.message);
      });
    });
  }

  protected send(request: Request): void {
    const frame = encode(request);
    this.bytesSent += frame.length;
    this.socket.send(frame, { binary: true }, (error) => {
      if (error) this.fail(`send failed: ${error.message}`);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    if (this.socket.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        this.socket.once('close', () => resolve());
        this.socket.close(1000, 'job done');
        setTimeout(() => {
          this.socket.terminate();
          resolve();
        }, 2000).unref();
      });
    }
  }
}
