/**
 * Entry module of a worker thread: one `WorkerHost` answering the coordinator over the parent
 * port. An optional first message `{ scratchDir, partsDir }` (remote workers) says where shipped program
 * files and the job's checkpoint parts go, and that the mesh's frames are relayed by the process's main thread.
 */
import { parentPort } from 'node:worker_threads';
import { WORKER_CALLS, isWorkerCall } from '../engine/runtime.js';
import { isRelayMessage, type RelayMessage } from './mesh-links.js';
import { buffersIn, type Request } from './protocol.js';
import { WorkerHost } from './worker-host.js';

const port = parentPort!;
let host = new WorkerHost({ scratchDir: null });
// Requests are handled one at a time, in arrival order — except those that interrupt (`close`),
// answered at once: the call in progress may be waiting for a peer that will never send.
let queue: Promise<void> = Promise.resolve();
const answer = async (request: Request): Promise<void> => {
  const response = await host.handle(request);
  port.postMessage(response, response.ok ? buffersIn(response.result) : []);
};
port.on('message', (message: Request | RelayMessage | { scratchDir: string; partsDir: string }) => {
  if ('scratchDir' in message) {
    host = new WorkerHost({ scratchDir: message.scratchDir, partsDir: message.partsDir, relay: (relayed, transfer) => port.postMessage(relayed, transfer) });
    return;
  }
  if (isRelayMessage(message)) return host.relayed(message);
  if (isWorkerCall(message.method) && WORKER_CALLS[message.method].interrupts) {
    void answer(message);
    return;
  }
  queue = queue.then(() => answer(message));
});
