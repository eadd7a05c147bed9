/**
 * Where graph files come from: the server's `uploads/` folder inside its data directory, and
 * nowhere else. A JSON import names a file there; a multipart import streams its file there
 * under a name the server makes up. A name that tries to leave the folder — `../`, an absolute
 * path, a backslash, a percent-encoded or double-encoded dot or slash, a NUL byte — is refused
 * before the file system is asked (400); one that leaves it anyway through a symbolic link is
 * refused after `realpath` (403).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';

export const UPLOADS_FOLDER = 'uploads';

/** A segment of a name under uploads/: letters, digits, `.`, `_`, `-`; not `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/** The uploads folder of `dataDir`, created when missing; its real path. */
export function uploadsDir(dataDir: string): string {
  const dir = join(dataDir, UPLOADS_FOLDER);
  mkdirSync(dir, { recursive: true });
  return realpathSync(dir);
}

/**
 * The real path of the file `name` (relative, `/`-separated) inside `uploads`, or an error:
 * 400 for a name that is not a plain relative path, 404 for a file that is not there, 403 for
 * one whose real path lies outside the folder (a symbolic link pointing out).
 */
export function resolveUpload(uploads: string, name: string, option = 'file'): string {
  const segments = name.split('/');
  if (name.length === 0 || name.length > 1024 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new InvalidArgumentError(
      `import: ${option} must name a file inside the server's ${UPLOADS_FOLDER}/ folder (letters, digits, '.', '_', '-' and '/' between folders; no '..', no absolute path), got ${JSON.stringify(name)}`,
      { option },
    );
  }
  let real: string;
  try {
    real = realpathSync(join(uploads, ...segments));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`import: ${option} ${JSON.stringify(name)} is not in the server's ${UPLOADS_FOLDER}/ folder`, { option });
    }
    throw new GasError('GAS_ERR_IO', `import: cannot read ${option} ${JSON.stringify(name)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { option });
  }
  if (!real.startsWith(uploads + sep)) {
    throw new GasError('GAS_ERR_FORBIDDEN', `import: ${option} ${JSON.stringify(name)} leads outside the server's ${UPLOADS_FOLDER}/ folder`);
  }
  if (!statSync(real).isFile()) throw new InvalidArgumentError(`import: ${option} ${JSON.stringify(name)} is not a file`, { option });
  return real;
}

/**
 * The extension of an uploaded file's name, kept so the loader can tell the format from it
 * (`.mtx`, `.txt.gz`); nothing else of the client's name is used.
 */
export function safeExtension(filename: string | undefined): string {
  const match = /((?:\.[A-Za-z0-9]{1,12})?\.[A-Za-z0-9]{1,12})$/.exec(filename ?? '');
  return match ? match[1]!.toLowerCase() : '';
}

/**
 * Streams an uploaded file into `uploads/.incoming/<random><ext>` and returns its path. Over the
 * size limit, multipart raises RequestFileTooLargeError (413) while piping; the partial file is
 * removed before the error goes on.
 */
export async function saveUpload(uploads: string, stream: Readable & { truncated?: boolean }, filename: string | undefined): Promise<string> {
  const incoming = join(uploads, '.incoming');
  mkdirSync(incoming, { recursive: true });
  const path = join(incoming, `${randomUUID()}${safeExtension(filename)}`);
  try {
    await pipeline(stream, createWriteStream(path, { flags: 'wx' }));
    if (stream.truncated) throw new GasError('GAS_ERR_LIMIT', 'import: the uploaded file is larger than the server accepts', {});
    return path;
  } catch (error) {
    rmSync(path, { force: true });
    throw error;
  }
}
