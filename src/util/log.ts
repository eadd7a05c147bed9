/**
 * Logs: pino loggers, for the worker process, the CLI's debug output and (later) the REST
 * server. Two formats:
 *
 * - `json`: pino's own JSON lines (time as ISO 8601), for daemons whose logs a machine reads;
 * - `line`: one human line per record, `2025-01-31T12:00:00.000Z INFO  worker: connected
 *   connection=3 peer=10.0.0.1:51234`, for terminals — what pino-pretty prints, without its
 *   dependencies.
 *
 * Both write synchronously to the given stream (stderr by default), so a line logged just before
 * the process exits is not lost.
 */
import { pino, stdTimeFunctions, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = Level | 'silent';
export type LogFormat = 'json' | 'line';

export interface LoggerOptions {
  /** Least severe level written (default `info`). */
  readonly level?: LogLevel;
  /** Written on every record (`worker`, `cli`, `server`). */
  readonly name: string;
  /** Default: `line` when the stream is a terminal, else `json`. */
  readonly format?: LogFormat;
  /** Where records go (default process.stderr). */
  readonly stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? ((stream as NodeJS.WriteStream).isTTY ? 'line' : 'json');
  const destination: DestinationStream = format === 'json' ? { write: (record) => void stream.write(record) } : lineDestination(stream);
  return pino({ name: options.name, level: options.level ?? 'info', timestamp: stdTimeFunctions.isoTime }, destination);
}

/** Verbosity flags → level: `--verbose` shows debug records, `--quiet` only warnings and errors. */
export function levelFor(flags: { readonly verbose?: boolean; readonly quiet?: boolean }): LogLevel {
  return flags.verbose ? 'debug' : flags.quiet ? 'warn' : 'info';
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino's fields that the line format shows in its own places, or not at all (pid and host: one process per terminal). */
const PLACED = new Set(['time', 'level', 'name', 'msg', 'pid', 'hostname', 'err']);

function lineDestination(stream: NodeJS.WritableStream): DestinationStream {
  return {
    write(record: string): void {
      const fields = JSON.parse(record) as Record<string, unknown>;
      const extra = Object.entries(fields)
        .filter(([key]) => !PLACED.has(key))
        .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s|"/.test(value) ? value : JSON.stringify(value)}`);
      const level = (LEVEL_NAMES[fields.level as number] ?? String(fields.level)).padEnd(5);
      let line = `${String(fields.time)} ${level} ${String(fields.name)}: ${String(fields.msg ?? '')}${extra.length ? ` ${extra.join(' ')}` : ''}\n`;
      const err = fields.err as { stack?: string; message?: string } | undefined;
      if (err) line += `${(err.stack ?? err.message ?? '').replace(/^/gm, '    ')}\n`;
      stream.write(line);
    },
  };
}
