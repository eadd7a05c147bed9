/**
 * Keeps the leases of the catalog rows this process owns (liveness.ts) from running out while it
 * lives. Renewing from the main thread would fail exactly when it matters: a job computing
 * in-process holds the main thread for many seconds, and its lease would run out under it. So
 * one small worker thread per process (lease-worker.ts), with its own connection to each
 * catalog, renews them; the main thread tells it which rows it acquires and releases. The
 * thread is unref'd — it never keeps the process alive — and dies with it, so the leases of a
 * killed process run out within one TTL (`GASWORKS_LEASE_TTL_MS`, default 30 s).
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../threads.js';
import { currentOwner, leaseTtlMs } from './owner.js';
import { rowKey, type LeaseMessage, type LeaseWorkerData, type LeasedRow } from './lease-protocol.js';

export type { LeasedRow };

/** The rows of every holder of this process, so that a thread restarted after an error is told them all again. */
const held = new Map<number, { readonly file: string; readonly rows: Map<string, LeasedRow> }>();
let nextHolder = 1;
let keeper: Worker | null = null;

/**
 * The leases of one open catalog (`file`; an in-memory catalog, which no other process sees,
 * keeps none). The caller writes a row's owner and first lease (liveness.ts's
 * `claimAssignments`) in the statement that acquires it, then calls `acquire`.
 */
export class LeaseHolder {
  private readonly id = nextHolder++;

  constructor(private readonly file: string) {}

  acquire(row: LeasedRow): void {
    if (this.file === ':memory:') return;
    const entry = held.get(this.id) ?? { file: this.file, rows: new Map<string, LeasedRow>() };
    held.set(this.id, entry);
    entry.rows.set(rowKey(row), row);
    send({ type: 'acquire', holder: this.id, file: this.file, row });
  }

  release(row: LeasedRow): void {
    const entry = held.get(this.id);
    if (!entry?.rows.delete(rowKey(row))) return;
    if (entry.rows.size === 0) held.delete(this.id);
    send({ type: 'release', holder: this.id, row });
  }

  /** The catalog closes: its rows are no longer renewed (nothing of this process can finish them now). */
  close(): void {
    if (!held.delete(this.id)) return;
    send({ type: 'close', holder: this.id });
  }
}

function send(message: LeaseMessage): void {
  if (keeper === null && message.type === 'acquire') keeper = startKeeper();
  keeper?.postMessage(message);
}

function startKeeper(): Worker {
  const data: LeaseWorkerData = { ownerId: currentOwner().id, ttlMs: leaseTtlMs() };
  const worker = startModuleWorker(import.meta.url, './lease-worker', { workerData: data });
  worker.unref();
  worker.on('error', (error) => {
    // Renewal stops, so other processes will take this one's rows for abandoned: say so, and start again with the next row.
    process.stderr.write(`gasworks: warning: catalog: the lease keeper stopped (${error.message}); leases renew again from the next job or import\n`);
    if (keeper === worker) keeper = null;
  });
  worker.on('exit', () => {
    if (keeper === worker) keeper = null;
  });
  // After an error, the rows held before it (the newest is sent again by the caller: a row acquired twice is held once).
  for (const [holder, entry] of held) {
    for (const row of entry.rows.values()) worker.postMessage({ type: 'acquire', holder, file: entry.file, row } satisfies LeaseMessage);
  }
  return worker;
}
