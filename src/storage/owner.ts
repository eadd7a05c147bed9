/**
 * This process as the owner of catalog rows (running and queued jobs, imports, repartitions): a
 * random id, the host, the kernel's boot id, the pid and the process's start time. A pid alone
 * names a process only on one host, in one PID namespace, until it is reused: a container's
 * process 1 killed on one host is "alive" as another container's process 1. The other fields
 * tell such a pid apart (liveness.ts) where they can; beyond that the row's lease decides.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface OwnerIdentity {
  /** Random, new for each process: what the lease keeper matches rows on. */
  readonly id: string;
  readonly host: string;
  /**
   * The kernel's boot id and this process's PID namespace (Linux), null where unreadable: two
   * processes with the same host and pid space see the same processes under the same pids.
   */
  readonly pidSpace: string | null;
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks after boot), null where unreadable. */
  readonly startTime: string | null;
}

let current: OwnerIdentity | null = null;

/** This process's identity, made once. */
export function currentOwner(): OwnerIdentity {
  current ??= { id: randomUUID(), host: hostname(), pidSpace: ownPidSpace(), pid: process.pid, startTime: ownStartTime() };
  return current;
}

/** How long a lease of this process lasts unless renewed: `GASWORKS_LEASE_TTL_MS`, default 30 s. */
export function leaseTtlMs(): number {
  const configured = Number(process.env.GASWORKS_LEASE_TTL_MS ?? DEFAULT_LEASE_TTL_MS);
  return Number.isFinite(configured) && configured >= MIN_LEASE_TTL_MS ? configured : DEFAULT_LEASE_TTL_MS;
}

const DEFAULT_LEASE_TTL_MS = 30_000;
/** Below this a renewal (every third of the lease) would hardly have time to land. */
const MIN_LEASE_TTL_MS = 300;

/**
 * `<boot id> <pid namespace>`: the boot id changes with each boot, and a container has a PID
 * namespace of its own (its process 1 is not the host's), so the pair says where a pid means
 * the same process. Null without a readable boot id (not Linux).
 */
function ownPidSpace(): string | null {
  let bootId: string;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
  let namespace = '';
  try {
    namespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Kernels without namespaces: the boot id alone.
  }
  return bootId === '' ? null : `${bootId} ${namespace}`.trimEnd();
}

/** What `/proc/<pid>/stat` says of a process: its state (field 3: `Z` a zombie, `X` dead) and start time (field 22, clock ticks after boot). */
export interface ProcessStat {
  readonly pid: number;
  readonly state: string;
  readonly startTime: string;
}

/** Process `pid`'s stat, or null where unreadable (not Linux, no such process, /proc hidden). */
export function processStat(pid: number): ProcessStat | null {
  return parseStat(`/proc/${pid}/stat`);
}

/**
 * This process's start time, if the /proc it sees is of its own PID namespace: a /proc mounted
 * from another namespace gives other processes' start times under the same pid numbers, which
 * would make live owners look dead.
 */
function ownStartTime(): string | null {
  const stat = parseStat('/proc/self/stat');
  return stat !== null && stat.pid === process.pid ? stat.startTime : null;
}

/** A `/proc/…/stat` file; the command name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`. */
function parseStat(file: string): ProcessStat | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  // After the command: field 3 (state) is at index 0, so field 22 is at index 19.
  const fields = text.slice(close + 2).split(' ');
  const [state, startTime] = [fields[0], fields[19]];
  const pid = Number.parseInt(text, 10);
  return close < 0 || state === undefined || startTime === undefined || !Number.isInteger(pid) ? null : { pid, state, startTime };
}
