/**
 * Telling a full disk from other write failures, and saying so in one way everywhere.
 *
 * Neither store reports a full volume by one code. LMDB reports ENOSPC when `write` fails
 * outright, but a *short* write — what a nearly full volume gives — as EIO ("Input/output error":
 * `mdb_page_flush` has no better code for it); SQLite reports SQLITE_FULL for its database and
 * WAL files, but SQLITE_IOERR_SHMSIZE when it cannot allocate the WAL index (`-shm`). So an I/O
 * error counts as lack of space when the volume has less room left than the write needed, which
 * `statfs` tells; with room left it stays an I/O error.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { NoSpaceError } from '../errors.js';
import { formatBytes } from '../util/format-bytes.js';

/**
 * Bytes LMDB needs besides the values of one environment: its lock file (8,272 bytes on Linux)
 * and the two meta pages. A lower bound: the B-tree's own pages come on top.
 */
export const LMDB_ENV_BYTES = 8272 + 2 * 4096;

/** Bytes the unprivileged user may still write on the volume holding `path` (df's "Available"). */
export function availableBytes(path: string): number {
  // statfs needs an existing path: a data directory or layout not created yet lives on its parent's volume.
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const stats = statfsSync(dir);
      return Number(stats.bavail) * Number(stats.bsize);
    } catch (error) {
      if (dirname(dir) === dir || (error as NodeJS.ErrnoException).code !== 'ENOENT') return Number.POSITIVE_INFINITY;
    }
  }
}

/** True when `error`, raised writing about `neededBytes` under `path`, means the volume is full (see above). */
export function isOutOfSpace(error: unknown, path: string, neededBytes: number): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 28 || /no space left on device|database or disk is full/i.test(message)) return true;
  const ioError =
    code === 'EIO' || code === 5 || (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) || /input\/output error|disk I\/O error/i.test(message);
  return ioError && availableBytes(path) < Math.max(neededBytes, 1);
}

/** What ran out of space, for `noSpaceError`. */
export interface SpaceNeed {
  /** The command or API, as the message's prefix (`import`, `repartition`, `results`, `catalog`). */
  readonly api: string;
  readonly dataDir: string;
  /** What was being written, as the subject of "needs at least …" (`graph "web"`). */
  readonly what: string;
  readonly neededBytes: number;
  /** The file being written, when one was. */
  readonly file?: string;
}

/**
 * The error users get for a full disk. It measures the space available when it is built, so build
 * it after removing what the failed write left behind: the figure is then what a retry would have.
 */
export function noSpaceError(need: SpaceNeed, cause?: unknown): NoSpaceError {
  const measured = availableBytes(need.dataDir);
  const available = Number.isFinite(measured) ? measured : 0;
  const [needed, left] = [formatBytes(need.neededBytes), formatBytes(available)];
  const sameText = needed === left;
  // `neededBytes` is a lower bound; when the write failed with more room than that, say so.
  const size =
    need.neededBytes > available
      ? `needs at least ${sameText ? `${need.neededBytes} bytes` : needed}, ${sameText ? `${available} bytes` : left} available`
      : `needs more than the ${left} available (its values alone take ${sameText ? `${need.neededBytes} bytes` : needed})`;
  return new NoSpaceError(
    `${need.api}: no space left on the volume of data directory ${need.dataDir}: ${need.what} ${size}; ` +
      `free space there, or use a data directory on a larger volume (--data-dir, $GASWORKS_HOME)`,
    { dataDir: need.dataDir, neededBytes: need.neededBytes, availableBytes: available, ...(need.file === undefined ? {} : { file: need.file }) },
    { cause },
  );
}

/** Refuses a write of `neededBytes` under `path` before it starts, when the volume cannot hold it. */
export function checkSpace(path: string, need: SpaceNeed): void {
  if (availableBytes(path) < need.neededBytes) throw noSpaceError(need);
}

/**
 * Bytes a small catalog transaction appends to SQLite's write-ahead log: two 4 KiB pages with
 * their frame headers. What a catalog write on a full volume is reported to need.
 */
export const CATALOG_WRITE_BYTES = 2 * (4096 + 24);

/** `error` as GAS_ERR_NO_SPACE when it means the volume is full (a catalog or store write), else `error` itself. */
export function asNoSpace(error: unknown, need: SpaceNeed): unknown {
  return error instanceof NoSpaceError || !isOutOfSpace(error, need.dataDir, need.neededBytes) ? error : noSpaceError(need, error);
}
