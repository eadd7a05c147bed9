/**
 * The lease keeper's thread (started by lease-keeper.ts): every third of a lease it pushes the
 * lease of each row this process owns to now + TTL, through a SQLite connection of its own. It
 * runs beside a main thread that may be busy for many seconds (a job computing in-process never
 * yields to timers), and dies with the process, which is the point: then the leases run out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { leaseColumns } from './liveness.js';
import { rowKey, type LeaseMessage, type LeaseWorkerData, type LeasedRow } from './lease-protocol.js';

const { ownerId, ttlMs } = workerData as LeaseWorkerData;

interface Holder {
  readonly file: string;
  readonly rows: Map<string, LeasedRow>;
  db: Database.Database | null;
}

const holders = new Map<number, Holder>();

parentPort!.on('message', (message: LeaseMessage) => {
  switch (message.type) {
    case 'acquire': {
      const holder = holders.get(message.holder) ?? { file: message.file, rows: new Map(), db: null };
      holders.set(message.holder, holder);
      holder.rows.set(rowKey(message.row), message.row);
      break;
    }
    case 'release': {
      const holder = holders.get(message.holder);
      holder?.rows.delete(rowKey(message.row));
      if (holder?.rows.size === 0) forget(message.holder);
      break;
    }
    case 'close':
      forget(message.holder);
      break;
  }
});

setInterval(renewAll, Math.max(1, Math.floor(ttlMs / 3)));

function renewAll(): void {
  for (const holder of holders.values()) {
    try {
      renew(holder);
    } catch {
      // A locked or vanished file: close, and reopen at the next tick.
      holder.db?.close();
      holder.db = null;
    }
  }
}

/** One transaction per catalog; a row that no longer carries this owner id (released, or swept by another process) is left alone. */
function renew(holder: Holder): void {
  // Waiting longer than a tick would only delay the next try.
  holder.db ??= new Database(holder.file, { fileMustExist: true, timeout: Math.floor(ttlMs / 3) });
  const db = holder.db;
  const expiresAt = Date.now() + ttlMs;
  db.transaction(() => {
    for (const row of holder.rows.values()) {
      const columns = leaseColumns(row.slot);
      db.prepare(`UPDATE ${row.table} SET ${columns.leaseExpiresAt} = ? WHERE id = ? AND ${columns.ownerId} = ?`).run(expiresAt, row.key, ownerId);
    }
  }).immediate();
}

function forget(id: number): void {
  holders.get(id)?.db?.close();
  holders.delete(id);
}
