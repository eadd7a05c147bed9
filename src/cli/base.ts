/**
 * What every gasworks command shares: `--data-dir`, `--json`, `--verbose` / `--quiet`, one place
 * that turns an error into one line on stderr and its exit status (codes from `ERROR_CODES`;
 * anything that is not a `GasError` is a bug, GAS_ERR_INTERNAL, its stack shown with
 * `--verbose`), the catalog opened for the command's duration, and helpers for numeric options
 * that name the option when the value is wrong.
 */
import { Command, Option } from 'clipanion';
import { GasError, InvalidArgumentError } from '../errors.js';
import { Catalog, resolveDataDir } from '../storage/index.js';
import { createLogger, levelFor, type Logger } from '../util/log.js';
import { progressReporter } from './progress.js';

export abstract class GasCommand extends Command {
  dataDir = Option.String('--data-dir', {
    description: 'Data directory holding the catalog and graph stores (default: $GASWORKS_HOME, else ./.gasworks)',
  });

  json = Option.Boolean('--json', false, { description: 'Print one JSON document on stdout instead of text' });

  verbose = Option.Boolean('--verbose', false, { description: 'Show debug logs on stderr, and the stack of an internal error' });

  quiet = Option.Boolean('--quiet', false, { description: 'No progress bars or informational lines on stderr (errors and warnings still show)' });

  private logger: Logger | null = null;

  /** The command's work; return an exit status or nothing for 0. */
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      if (this.verbose && this.quiet) throw new InvalidArgumentError('--verbose and --quiet contradict each other; give one', { option: 'quiet' });
      return (await this.run()) ?? 0;
    } catch (error) {
      return reportError(error, { json: this.json, verbose: this.verbose, stderr: this.context.stderr });
    }
  }

  /**
   * Debug and informational records on stderr, one human line each: debug shows with `--verbose`,
   * info unless `--quiet`, warnings always.
   */
  protected get log(): Logger {
    this.logger ??= createLogger({ name: 'gasworks', level: levelFor(this), format: 'line', stream: this.context.stderr });
    return this.logger;
  }

  /** An informational line on stderr (not part of the command's output), left out under `--quiet`. */
  inform(line: string): void {
    if (!this.quiet) this.context.stderr.write(`${line}\n`);
  }

  /** Progress bars on stderr: only on a terminal, never under `--quiet`. */
  protected progress(): ((phase: string, fraction: number) => void) | undefined {
    return this.quiet ? undefined : progressReporter(this.context.stderr);
  }

  /**
   * Opens the catalog for the duration of `body`. Only `{ create: true }` (import) creates a
   * missing data directory; every other command finds a missing one empty — lists are empty and
   * named graphs and jobs are not found — and leaves no directory behind.
   */
  protected async withCatalog<T>(body: (catalog: Catalog) => Promise<T> | T, options: { readonly create?: boolean } = {}): Promise<T> {
    const dataDir = resolveDataDir(this.dataDir);
    this.log.debug({ dataDir, create: options.create ?? false }, 'opening the catalog');
    const catalog = Catalog.open(dataDir, { create: options.create ?? false });
    try {
      return await body(catalog);
    } finally {
      catalog.close();
    }
  }

  /** Prints rows under a header, columns padded to their widest cell. */
  protected printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const row of [header, ...rows])
      this.context.stdout.write(
        `${row
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd()}\n`,
      );
  }

  protected printJson(value: unknown): void {
    this.context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}

/** Parses an integer option, or throws naming the option; `undefined` passes through. */
export function integerOption(value: string | undefined, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(`${option} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, { option });
  }
  return parsed;
}

/** A finite number ≥ `min` (e.g. `--lambda 0.5`), or undefined when the option was not given. */
export function numberOption(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed < min) {
    throw new InvalidArgumentError(`${option} must be a number ≥ ${min}, got ${JSON.stringify(value)}`, { option });
  }
  return parsed;
}

/** Thousands separators for human output. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A full disk that reached the CLI without a GasError around it (SQLite's SQLITE_FULL, an ENOSPC). */
function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

/**
 * Prints an error as one line on stderr (a JSON document under `--json`) and returns its exit
 * status. A `GasError` prints as `gasworks: <message> [<code>]`; a bare full-disk error as
 * GAS_ERR_NO_SPACE; anything else is a bug, printed as GAS_ERR_INTERNAL with a pointer to
 * `--verbose`, which adds the stack.
 */
export function reportError(error: unknown, options: { readonly json: boolean; readonly verbose: boolean; readonly stderr: NodeJS.WritableStream }): number {
  const gas =
    error instanceof GasError
      ? error
      : isDiskFull(error)
        ? new GasError(
            'GAS_ERR_NO_SPACE',
            `no space left on the data directory's volume (${(error as Error).message}); free space there and run the command again`,
            {},
            { cause: error },
          )
        : new GasError(
            'GAS_ERR_INTERNAL',
            `internal error: ${error instanceof Error ? error.message : String(error)}${options.verbose ? '' : ' (re-run with --verbose for the stack)'}`,
            {},
            { cause: error },
          );
  if (options.json) options.stderr.write(`${JSON.stringify({ error: gas.toJSON() })}\n`);
  else options.stderr.write(`gasworks: ${gas.message} [${gas.code}]\n`);
  if (options.verbose) {
    const stack = error instanceof Error ? error.stack : undefined;
    if (stack) options.stderr.write(`${stack}\n`);
  }
  return gas.exitCode;
}
