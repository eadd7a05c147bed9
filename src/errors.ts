/**
 * One error type for the whole project. Every user-facing failure is a `GasError` with a stable
 * `code`; the CLI maps codes to exit statuses and the REST layer to HTTP statuses from the single
 * table below, so neither ever matches on message text.
 */

/** Stable error codes with the CLI exit status and HTTP status each maps to. */
export const ERROR_CODES = {
  /** The input file is malformed: a bad line, a bad header, a truncated stream. */
  GAS_ERR_PARSE: { exit: 65, http: 400 },
  /** An option or argument is invalid (name it in the message). */
  GAS_ERR_INVALID_ARGUMENT: { exit: 64, http: 400 },
  /** A graph, job or file that was named does not exist. */
  GAS_ERR_NOT_FOUND: { exit: 66, http: 404 },
  /** A graph with that name already exists. */
  GAS_ERR_EXISTS: { exit: 73, http: 409 },
  /** Another process holds the resource (for example an import of the same name in progress). */
  GAS_ERR_BUSY: { exit: 75, http: 409 },
  /** The input uses a feature that gasworks does not support (named in the message). */
  GAS_ERR_UNSUPPORTED: { exit: 69, http: 422 },
  /** A size limit was exceeded (named in the message). */
  GAS_ERR_LIMIT: { exit: 69, http: 413 },
  /** Stored data is unreadable or inconsistent. */
  GAS_ERR_CORRUPT: { exit: 74, http: 500 },
  /** A vertex program failed to load or threw while running (named, with the phase and step). */
  GAS_ERR_PROGRAM: { exit: 70, http: 422 },
  /**
   * A job cannot go on: its row or its graph changed under it (ended by another process, removed,
   * repartitioned). A job whose process stopped is recorded `interrupted`, not with this code.
   */
  GAS_ERR_ABORTED: { exit: 75, http: 500 },
  /** Reading or writing a file failed. */
  GAS_ERR_IO: { exit: 74, http: 500 },
  /**
   * The volume of the data directory is full (the message names the directory, the bytes needed
   * and the bytes available). Exit 71, sysexits' EX_OSERR: the operating system refused a resource
   * — like "cannot fork" — which is neither the user's input nor a gasworks bug; it keeps a full
   * disk apart from EX_CANTCREAT 73 (GAS_ERR_EXISTS), EX_IOERR 74 (a failing read or write: retrying
   * will not help) and EX_TEMPFAIL 75 (busy: retrying later will), since here the user must first
   * free space. HTTP 507 Insufficient Storage (RFC 4918).
   */
  GAS_ERR_NO_SPACE: { exit: 71, http: 507 },
  /** A worker (thread or remote process) is unreachable, stopped answering, or died mid-job (named in the message). */
  GAS_ERR_WORKER: { exit: 69, http: 502 },
  /**
   * A cluster link could not prove the shared secret: a coordinator without the secret, or with a
   * different one, or a worker that answered the challenge wrongly (named in the message). Exit 77,
   * sysexits' EX_NOPERM; HTTP 401.
   */
  GAS_ERR_AUTH: { exit: 77, http: 401 },
  /**
   * The job service's queue is full, or the service is shutting down: retrying later will help
   * (EX_TEMPFAIL 75; HTTP 503 Service Unavailable).
   */
  GAS_ERR_OVERLOADED: { exit: 75, http: 503 },
  /**
   * A job was cancelled (or interrupted by a shutdown) before it finished: it stopped at a step
   * boundary and left no result. Exit 130, as a shell reports a command stopped by Ctrl-C; HTTP 409.
   */
  GAS_ERR_CANCELLED: { exit: 130, http: 409 },
  /**
   * A client sent more requests than the server's rate limit allows (REST only; the CLI never
   * raises it): retry later (EX_TEMPFAIL 75; HTTP 429 Too Many Requests).
   */
  GAS_ERR_RATE_LIMITED: { exit: 75, http: 429 },
  /**
   * The request names something it may not reach: a file outside the server's uploads folder,
   * through a symbolic link (EX_NOPERM 77; HTTP 403 Forbidden).
   */
  GAS_ERR_FORBIDDEN: { exit: 77, http: 403 },
  /** A bug: anything that escaped as something other than a GasError (the CLI shows its stack with --verbose). */
  GAS_ERR_INTERNAL: { exit: 70, http: 500 },
} as const satisfies Record<string, { exit: number; http: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class GasError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (file, line, option, id) for JSON output. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** A malformed input file; the message names `file:line` and quotes the offending text. */
export class ParseError extends GasError {
  constructor(file: string, line: number, problem: string, text?: string) {
    const quoted = text === undefined ? '' : `: ${JSON.stringify(clip(text))}`;
    super('GAS_ERR_PARSE', `${file}:${line}: ${problem}${quoted}`, { file, line, problem, text });
  }
}

export class InvalidArgumentError extends GasError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('GAS_ERR_INVALID_ARGUMENT', message, details);
  }
}

export class NotFoundError extends GasError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('GAS_ERR_NOT_FOUND', message, details);
  }
}

/** The volume of the data directory had less room than a write needed; nothing half-written was kept. */
export class NoSpaceError extends GasError {
  /** About how many bytes the write needed (at least the bytes of its values). */
  readonly neededBytes: number;

  constructor(
    message: string,
    details: { readonly dataDir: string; readonly neededBytes: number; readonly availableBytes: number; readonly file?: string },
    options?: { cause?: unknown },
  ) {
    super('GAS_ERR_NO_SPACE', message, details, options);
    this.neededBytes = details.neededBytes;
  }
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
