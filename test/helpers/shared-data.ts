/**
 * The real data sets some tests read: `../shared/data` beside the repository (see
 * `../shared/data/PROVENANCE.md` for where each file comes from). A test that needs one and
 * cannot find it fails, naming the file, rather than being skipped: a skip would pass silently
 * on a machine without the data and the check would never run there.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/data`, beside the repository root (not relative to the working directory). */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** The path of `name` in `../shared/data`; it is not checked here (see `requireSharedData`). */
export function sharedDataFile(name: string): string {
  return `${SHARED_DATA}${name}`;
}

/** Throws an Error naming every one of `files` that is missing; call it at the start of a test that reads them. */
export function requireSharedData(...files: string[]): void {
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length === 0) return;
  throw new Error(
    `missing shared test data: ${missing.join(', ')}. The data sets live in ../shared/data, which must sit beside ` +
      `the repository (see ../shared/data/PROVENANCE.md for where each file comes from).`,
  );
}
