/**
 * A worker in another process, possibly on another machine, reached over TCP (a WebSocket).
 * The coordinator pings it every `heartbeatMs`; a worker that answers no ping for
 * `heartbeatTimeoutMs`, or whose connection closes, fails the channel with `GAS_ERR_WORKER`
 * naming its address. Backpressure comes from the protocol: each worker has at most one request
 * in flight, so a slow link or a slow worker holds the coordinator back instead of piling frames
 * up in memory. Before the WebSocket opens, the coordinator and the worker prove to each other
 * that they hold the cluster's secret (handshake.ts) on the bare TCP connection.
 */
import WebSocket from 'ws';
import { ERROR_CODES } from '../errors.js';
import { Channel } from './channel.js';
import { dialWorker } from './dial.js';
import type { Request, Response } from './protocol.js';
import { decode, encode } from './wire.js';

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
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.bytesReceived += data.length;
      let response: Response | null = null;
      try {
        response = isBinary ? asResponse(decode(data)) : null;
      } catch {
        response = null;
      }
      if (response) this.receive(response);
      else {
        // Whatever sent this is not a healthy worker: fail the job naming it rather than guess.
        this.fail(`sent a frame that is not a response (${data.length} bytes${isBinary ? '' : ', text'})`);
        clearInterval(this.timer);
        socket.terminate();
      }
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

  /** `secret`: the cluster's shared secret (null: the worker's refusal is reported as `GAS_ERR_AUTH`). */
  static async connect(address: string, secret: Buffer | null, options: TcpOptions = tcpDefaults()): Promise<TcpChannel> {
    const socket = await dialWorker(address, secret, 'coordinator-worker', { connectTimeoutMs: options.connectTimeoutMs });
    return new TcpChannel(address, socket, options);
  }

  override get wireBytes(): number {
    return this.bytesSent + this.bytesReceived;
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

/** A response as the protocol shapes it, or null. */
function asResponse(value: unknown): Response | null {
  if (value === null || typeof value !== 'object') return null;
  const { id, ok } = value as { id?: unknown; ok?: unknown };
  if (!Number.isSafeInteger(id) || typeof ok !== 'boolean') return null;
  if (ok) return value as Response;
  const error = (value as { error?: { code?: unknown; message?: unknown } }).error;
  return error && typeof error.code === 'string' && error.code in ERROR_CODES && typeof error.message === 'string' ? (value as Response) : null;
}
