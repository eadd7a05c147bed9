/** Worker-thread side of the parallel edge-list parse: one byte range in, its edges and labels out. */
import { parentPort } from 'node:worker_threads';
import type { RangeRequest } from './parallel-edge-list.js';
import { scanRange } from './range-scan.js';

parentPort!.once('message', async (request: RangeRequest) => {
  const result = await scanRange(request);
  const transfer = result.ok ? result.chunks.flatMap((c) => [c.src.buffer, c.dst.buffer, ...(c.weight ? [c.weight.buffer] : [])]) : [];
  parentPort!.postMessage(result, transfer as ArrayBuffer[]);
});
