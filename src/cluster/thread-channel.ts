/**
 * Workers on threads of this process: requests and responses travel as structured clones over
 * the worker's message port. Under BSP the exchange messages are views of SharedArrayBuffer
 * slots the sending worker reuses (engine/worker/message-slots.ts), shared by reference; any other
 * typed array's buffer goes in the transfer list, so nothing is copied between threads.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../threads.js';
import { Channel, type Transfer } from './channel.js';
import { buffersIn, type Request, type Response } from './protocol.js';

export class ThreadChannel extends Channel {
  private readonly worker: Worker;
  private closing = false;

  constructor(index: number) {
    super(`thread ${index}`);
    this.worker = startModuleWorker(import.meta.url, './thread-entry');
    this.worker.on('message', (response: Response) => this.receive(response));
    this.worker.on('error', (error) => this.fail(`crashed: ${error.message}`));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(`exited with code ${code}`);
    });
  }

  protected send(request: Request, transfer: Transfer): void {
    this.worker.postMessage(request, transfer === true ? buffersIn(request.args) : transfer === false ? [] : [...transfer]);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
