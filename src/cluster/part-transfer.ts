/**
 * Checkpoint parts of remote workers, moved over the coordinator's connection.
 *
 * **Why the bytes travel, and which way.** A `gasworks worker` process may run on another machine:
 * it cannot write into the coordinator's data directory, and the coordinator's catalog must hold
 * every part it records (a worker process can die, with its disk, and the checkpoint must outlive
 * it — that is what it is for). So a remote worker writes its part in the same format as a thread
 * does (engine/worker/checkpoint-part.ts), into its own `--data-dir`, and the coordinator pulls the
 * file in chunks of at most `PART_CHUNK_BYTES` (`partChunk`), writes it under the job's checkpoint
 * directory (flushed, then renamed into place) and checks its size and SHA-256 against what the
 * worker reported; the checkpoint's manifest is recorded only once every part has arrived and
 * checked out (execute-job.ts `saveCheckpoint`). A restore goes the other way: the coordinator
 * pushes the part (`partUpload`, same chunks) to whichever worker process will hold that worker's
 * partitions now — possibly a spare or a survivor, not the one that wrote it — which writes it
 * into its own data directory and restores from it, checking size and checksum as it reads.
 *
 * Chunks keep every frame small whatever a part's size (a frame is decoded whole), and a side
 * never takes more bytes than the part's size as the other declared it.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { GasError } from '../errors.js';
import type { CheckpointPartCheck } from '../engine/runtime.js';

/** The most bytes of a part one request or response carries. */
export const PART_CHUNK_BYTES = 4 << 20;

/**
 * Pulls a part of `check.fileBytes` bytes chunk by chunk (`fetchChunk(offset)`) into `file`
 * (written as `file.partial`, flushed, renamed). Throws GAS_ERR_CORRUPT, leaving no file, when
 * what arrived is not what the worker wrote (size or SHA-256), GAS_ERR_IO when it cannot be written.
 */
export async function receivePart(file: string, check: CheckpointPartCheck, fetchChunk: (offset: number) => Promise<Uint8Array>, from: string): Promise<void> {
  const partial = `${file}.partial`;
  const hash = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw new GasError('GAS_ERR_IO', `checkpoint: cannot write ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
  let received = 0;
  try {
    try {
      while (received < check.fileBytes) {
        const chunk = await fetchChunk(received);
        if (!(chunk instanceof Uint8Array) || chunk.length === 0 || chunk.length > PART_CHUNK_BYTES || received + chunk.length > check.fileBytes) {
          throw damaged(file, from, `a chunk at byte ${received} of ${check.fileBytes} is not one (${chunk?.length ?? 'no'} bytes)`);
        }
        hash.update(chunk);
        writeAll(fd, chunk, received, file);
        received += chunk.length;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const checksum = hash.digest('hex');
    if (checksum !== check.checksum) throw damaged(file, from, `its SHA-256 on arrival is ${checksum}, the worker wrote ${check.checksum}`);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    if (error instanceof GasError) throw error;
    throw new GasError('GAS_ERR_IO', `checkpoint: cannot write ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/** Pushes the part at `file` chunk by chunk (`upload(offset, bytes, total)`); its size must be `check.fileBytes`. */
export async function sendPart(
  file: string,
  check: CheckpointPartCheck,
  upload: (offset: number, bytes: Uint8Array, total: number) => Promise<void>,
): Promise<void> {
  const size = statSync(file).size;
  if (size !== check.fileBytes) {
    throw new GasError('GAS_ERR_CORRUPT', `checkpoint: ${file} cannot be used: it has ${size} bytes; ${check.fileBytes} were written`, { file });
  }
  const fd = openSync(file, 'r');
  try {
    for (let offset = 0; offset < size;) {
      const chunk = new Uint8Array(Math.min(PART_CHUNK_BYTES, size - offset));
      readAll(fd, chunk, offset);
      await upload(offset, chunk, size);
      offset += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}

/** Bytes `offset…` of `file` (at most `PART_CHUNK_BYTES`, and not past `size`). */
export function readPartChunk(file: string, size: number, offset: unknown): Uint8Array {
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) >= size) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: no byte ${String(offset)} in a checkpoint part of ${size} bytes`);
  }
  const chunk = new Uint8Array(Math.min(PART_CHUNK_BYTES, size - (offset as number)));
  const fd = openSync(file, 'r');
  try {
    readAll(fd, chunk, offset as number);
  } finally {
    closeSync(fd);
  }
  return chunk;
}

/**
 * A part arriving at a worker (`partUpload`), chunk after chunk in order, into `file`. Anything
 * out of order, oversized or past the declared total is refused before it is written.
 */
export class IncomingPart {
  private received = 0;
  private total = -1;

  constructor(readonly file: string) {}

  /** Takes the chunk at `offset` of a part of `total` bytes (`offset` 0 starts it again). */
  take(offset: unknown, bytes: unknown, total: unknown): void {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > PART_CHUNK_BYTES) {
      throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: a checkpoint chunk must be 1..${PART_CHUNK_BYTES} bytes`);
    }
    if (!Number.isSafeInteger(total) || (total as number) <= 0) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: a checkpoint part needs its size');
    if (offset === 0) {
      rmSync(this.file, { force: true });
      this.received = 0;
      this.total = total as number;
    }
    if (offset !== this.received || total !== this.total || this.received + bytes.length > this.total) {
      throw new GasError(
        'GAS_ERR_INVALID_ARGUMENT',
        `worker: checkpoint chunk at ${String(offset)} of ${String(total)} out of order (have ${this.received} of ${this.total})`,
      );
    }
    const fd = openSync(this.file, offset === 0 ? 'w' : 'r+');
    try {
      writeAll(fd, bytes, this.received, this.file);
    } finally {
      closeSync(fd);
    }
    this.received += bytes.length;
  }

  /** The file, once every byte of the part arrived. */
  complete(): string {
    if (this.total <= 0 || this.received !== this.total) {
      throw new GasError(
        'GAS_ERR_INVALID_ARGUMENT',
        `worker: restore before its checkpoint part arrived (${this.received} of ${Math.max(this.total, 0)} bytes)`,
      );
    }
    return this.file;
  }
}

function writeAll(fd: number, chunk: Uint8Array, position: number, file: string): void {
  try {
    for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'GAS_ERR_NO_SPACE' : 'GAS_ERR_IO';
    throw new GasError(code, `checkpoint: cannot write ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
}

function readAll(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.length;) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw new GasError('GAS_ERR_CORRUPT', 'checkpoint: a part ended early while it was read');
    done += got;
  }
}

function damaged(file: string, from: string, why: string): GasError {
  return new GasError('GAS_ERR_CORRUPT', `checkpoint: the part of ${from} for ${file} was refused: ${why}`, { file, worker: from });
}
