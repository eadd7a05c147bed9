/**
 * Requests and responses on the wire: Node's structured-clone serialisation (`v8.serialize`),
 * which writes typed arrays as raw bytes — measured 1.3 GB/s each way for a 120 MB message here,
 * about twice msgpackr's rate — inside WebSocket binary frames (`ws`), which do the framing,
 * the ping/pong heartbeats and the close handshake.
 */
import { deserialize, serialize } from 'node:v8';

/**
 * Largest frame either side accepts: a shard of tens of millions of edges is sent in one. Only
 * peers that have passed the handshake (handshake.ts) get to send frames at all, so the bound
 * guards against a broken peer, not a hostile one; a worker also drops a connection silent for
 * `GASWORKS_IDLE_TIMEOUT_MS`, which frees a frame left half sent.
 */
export const MAX_FRAME_BYTES = 2 ** 31 - 1;

export function encode(value: unknown): Buffer {
  return serialize(value);
}

export function decode(data: Buffer | ArrayBuffer | Buffer[]): unknown {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return deserialize(buffer);
}
