/**
 * Entry module of a worker thread: one `WorkerHost` answering the coordinator over the parent
 * port. An optional first message `{ scratchDir }` (remote workers) says where shipped program
 * files go.
 */
import { parentPort } from 'node:worker_threads';
import { buffersIn, type Request } from './protocol.js';
import { WorkerHost } from './worker-host.js';

const port = parentPort!;
let host = new WorkerHost(null);
// Requests are handled one at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: Request | { scratchDir: string }) => {
  if ('scratchDir' in message) {
    host = new WorkerHost(message.scratchDir);
    return;
  }
  queue = queue.then(async () => {
    const response = await host.handle(message);
    port.postMessage(response, response.ok ? buffersIn(response.result) : []);
  });
});
