/**
 * The cluster's shared secret: the bytes every link of a cluster proves it knows (handshake.ts).
 * It comes from `--secret-file F` or, failing that, the environment variable
 * `GASWORKS_CLUSTER_SECRET`. A secret file is held to ssh's rule for private keys: readable by its
 * owner only, since anyone who can read it can run code on every worker.
 */
import { readFileSync, statSync } from 'node:fs';
import { GasError } from '../errors.js';

export const SECRET_ENV = 'GASWORKS_CLUSTER_SECRET';

/** Shorter secrets are refused: 16 bytes is 128 bits when random (`head -c 32 /dev/urandom | base64`). */
export const MIN_SECRET_BYTES = 16;

/**
 * The secret from `file` if given, else from `GASWORKS_CLUSTER_SECRET`, else null. Trailing
 * whitespace is not part of it, so a file written by `echo` or `openssl rand -hex 32 >` works.
 * `option` names the option in messages (`--secret-file`, or `secretFile` for the API).
 */
export function loadClusterSecret(file: string | undefined, option = '--secret-file'): Buffer | null {
  if (file !== undefined) return secretFromFile(file, option);
  const fromEnv = process.env[SECRET_ENV];
  if (fromEnv === undefined || fromEnv === '') return null;
  return checked(Buffer.from(fromEnv.trimEnd(), 'utf8'), `${SECRET_ENV}`, option);
}

function secretFromFile(file: string, option: string): Buffer {
  let bytes: Buffer;
  try {
    // Group or world access on POSIX is refused like ssh refuses such a key: the secret is a licence to run code on every worker.
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new GasError('GAS_ERR_INVALID_ARGUMENT', `${option}: ${file} is readable by others than its owner; run chmod 600 ${file}`, { option, file });
    }
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof GasError) throw error;
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `${option}: cannot read ${file}: ${(error as Error).message}`, { option, file });
  }
  return checked(trimEndBytes(bytes), file, option);
}

function checked(secret: Buffer, source: string, option: string): Buffer {
  if (secret.length < MIN_SECRET_BYTES) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `${option}: the cluster secret in ${source} has ${secret.length} bytes; give at least ${MIN_SECRET_BYTES}`, {
      option,
    });
  }
  return secret;
}

function trimEndBytes(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
  return bytes.subarray(0, end);
}
