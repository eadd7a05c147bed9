/**
 * Whether the owner of a catalog row is gone. A row that a process owns (a running or queued
 * job, an import, a repartition) records who owns it (owner.ts) and a lease, a time it is held
 * until, that the owner's lease keeper (lease-keeper.ts) pushes forward every third of its
 * length. The owner is gone when
 * - its lease ran out: it stopped renewing (killed, crashed, its host down or cut off) — the
 *   only sign that reaches another host or container; or, sooner,
 * - it is on this host, in this PID namespace (same host name and pid space), and no process has
 *   its pid now, or only a zombie, or the process that has it started at another time (the pid
 *   was reused).
 * Rows written before leases carry only a pid, checked as before (`isAlive`). This process's own
 * rows are never gone to it: it would interrupt its own work. Hosts sharing a data directory
 * need clocks that agree to well within a lease (30 s by default).
 */
import { isAlive } from '../util/process-alive.js';
import { currentOwner, leaseTtlMs, processStat } from './owner.js';

/** Where a row keeps its owner: jobs and imports in `owner_*`, a graph's repartition in `pending_*`. */
export type OwnerSlot = 'owner' | 'pending';

/** Each slot's columns, by the name `OwnerRow` gives them. */
const COLUMNS = {
  owner: {
    pid: 'owner_pid',
    ownerId: 'owner_id',
    host: 'owner_host',
    pidSpace: 'owner_pid_space',
    startTime: 'owner_start_time',
    leaseExpiresAt: 'lease_expires_at',
  },
  pending: {
    pid: 'pending_pid',
    ownerId: 'pending_owner_id',
    host: 'pending_host',
    pidSpace: 'pending_pid_space',
    startTime: 'pending_start_time',
    leaseExpiresAt: 'pending_lease_expires_at',
  },
} as const satisfies Record<OwnerSlot, Record<keyof OwnerRow, string>>;

/** A row's owner as stored (all null when nobody owns it; only `pid` in a row from before leases). */
export interface OwnerRow {
  pid: number | null;
  ownerId: string | null;
  host: string | null;
  pidSpace: string | null;
  startTime: string | null;
  /** Milliseconds since the epoch. */
  leaseExpiresAt: number | null;
}

/** A SELECT list reading `slot` as an OwnerRow's fields (`owner_pid AS pid, …`). */
export function ownerColumns(slot: OwnerSlot): string {
  return Object.entries(COLUMNS[slot])
    .map(([field, column]) => `${column} AS ${field}`)
    .join(', ');
}

/** The column holding `slot`'s lease, and its owner id (what a renewal updates and matches). */
export function leaseColumns(slot: OwnerSlot): { readonly leaseExpiresAt: string; readonly ownerId: string } {
  return COLUMNS[slot];
}

/**
 * An UPDATE's SET list making this process the owner of `slot` with a fresh lease, with named
 * parameters that `claimParameters()` binds.
 */
export function claimAssignments(slot: OwnerSlot): string {
  return Object.entries(COLUMNS[slot])
    .map(([field, column]) => `${column} = @claim_${field}`)
    .join(', ');
}

export function claimParameters(): Record<`claim_${keyof OwnerRow}`, string | number | null> {
  const me = currentOwner();
  return {
    claim_pid: me.pid,
    claim_ownerId: me.id,
    claim_host: me.host,
    claim_pidSpace: me.pidSpace,
    claim_startTime: me.startTime,
    claim_leaseExpiresAt: Date.now() + leaseTtlMs(),
  };
}

/** An UPDATE's SET list clearing `slot`: nobody owns the row now. */
export function releaseAssignments(slot: OwnerSlot): string {
  return Object.values(COLUMNS[slot])
    .map((column) => `${column} = NULL`)
    .join(', ');
}

/** How messages name an owner: `pid 12 on host h` (`pid 12` for a row from before leases). */
export function ownerName(row: OwnerRow): string {
  return row.host === null ? `pid ${row.pid ?? '?'}` : `pid ${row.pid ?? '?'} on host ${row.host}`;
}

/**
 * Null while the owner of `row` may be alive; once it is gone, why, as a clause to follow "its
 * process": `its process (pid 12 on host h) stopped renewing its lease, which ran out at …`.
 */
export function ownerGone(row: OwnerRow, now: number = Date.now()): string | null {
  const named = `its process (${ownerName(row)})`;
  if (row.ownerId === null) return row.pid !== null && isAlive(row.pid) ? null : `${named} stopped`;
  const me = currentOwner();
  if (row.ownerId === me.id && row.pid === me.pid) return null;
  if (row.leaseExpiresAt === null) return `${named} holds no lease`;
  if (now > row.leaseExpiresAt) return `${named} stopped renewing its lease, which ran out at ${new Date(row.leaseExpiresAt).toISOString()}`;
  if (row.pid === null || !seesSamePids(row)) return null;
  if (!isAlive(row.pid)) return `${named} stopped (no process has that pid now)`;
  const stat = processStat(row.pid);
  // A zombie answers signal 0 until its parent reaps it, which in a container without an init may be never.
  if (stat !== null && (stat.state === 'Z' || stat.state === 'X')) return `${named} stopped (it exited; its parent has not reaped it)`;
  if (stat !== null && row.startTime !== null && stat.startTime !== row.startTime) return `${named} stopped (its pid now belongs to another process)`;
  return null;
}

/** Whether a pid in `row` names a process this process can see: same host and, where both know it, same pid space. */
function seesSamePids(row: OwnerRow): boolean {
  const me = currentOwner();
  return row.host === me.host && (row.pidSpace === null || me.pidSpace === null || row.pidSpace === me.pidSpace);
}
