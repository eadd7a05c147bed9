/**
 * What every gasworks command shares: `--data-dir`, `--json`, one place that turns a `GasError`
 * into a message on stderr and its exit status (codes from `ERROR_CODES`), and helpers for
 * numeric options that name the option when the value is wrong.
 */
import { Command, Option } from 'clipanion';
import { GasError, InvalidArgumentError } from '../errors.js';
import { Catalog, resolveDataDir } from '../storage/index.js';

export abstract class GasCommand extends Command {
  dataDir = Option.String('--data-dir', {
    description: 'Data directory holding the catalog and graph stores (default: $GASWORKS_HOME, else ./.gasworks)',
  });

  json = Option.Boolean('--json', false, { description: 'Print one JSON document on stdout instead of text' });

  /** The command's work; return an exit status or nothing for 0. */
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (error) {
      if (error instanceof GasError) {
        if (this.json) this.context.stderr.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
        else this.context.stderr.write(`gasworks: ${error.message} [${error.code}]\n`);
        return error.exitCode;
      }
      throw error;
    }
  }

  /** Opens the catalog for the duration of `body`. */
  protected async withCatalog<T>(body: (catalog: Catalog) => Promise<T> | T): Promise<T> {
    const catalog = Catalog.open(resolveDataDir(this.dataDir));
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
