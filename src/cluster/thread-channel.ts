/**
 * Workers on threads of this process: requests and responses travel as structured clones over
 * the worker's message port, with every typed array's buffer in the transfer list, so messages
 * move between threads without being copied.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../threads.js';
import { Channel } from './channel.js';
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

  protected send(request: Request, transfer: boolean): void {
    this.worker.postMessage(request, transfer ? buffersIn(request.args) : []);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
