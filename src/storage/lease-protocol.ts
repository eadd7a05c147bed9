/**
 * What the main thread tells the lease keeper's thread (lease-keeper.ts → lease-worker.ts): which
 * rows, in which catalog file, this process owns now. Messages only go that way; the thread
 * answers nothing — a renewal that fails is tried again at the next tick, and a lease that runs
 * out anyway is what other processes read as this process being gone.
 */
import type { OwnerSlot } from './liveness.js';

/** A row whose lease this process renews: a job (`jobs`, by id) or a graph's import or repartition (`graphs`, by id, in `slot`). */
export interface LeasedRow {
  readonly table: 'jobs' | 'graphs';
  readonly slot: OwnerSlot;
  readonly key: string | number;
}

/** Given to the thread when it starts. */
export interface LeaseWorkerData {
  /** This process's owner id: a renewal updates only rows that still carry it. */
  readonly ownerId: string;
  readonly ttlMs: number;
}

/**
 * `holder` numbers one open catalog of this process (a Catalog instance); the thread keeps a
 * connection to `file` while that holder has rows.
 */
export type LeaseMessage =
  | { readonly type: 'acquire'; readonly holder: number; readonly file: string; readonly row: LeasedRow }
  | { readonly type: 'release'; readonly holder: number; readonly row: LeasedRow }
  | { readonly type: 'close'; readonly holder: number };

/** One key per row, for the sets both sides keep. */
export function rowKey(row: LeasedRow): string {
  return `${row.table}/${row.slot}/${row.key}`;
}
