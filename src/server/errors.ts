/**
 * One error handler for the whole app: every failure answers `{ error: { code, message } }`
 * with the HTTP status of its code in `ERROR_CODES` (errors.ts) — the one table that maps codes
 * to statuses — and never a stack trace. Fastify's own refusals (schema validation, malformed
 * JSON, a body or an upload over its limit, the rate limit) are given the code of the table
 * that says what they are; anything else is a bug, answered 500 GAS_ERR_INTERNAL and logged.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { ERROR_CODES, GasError } from '../errors.js';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };
}

/** The status a code maps to in the table; an unknown code (from a newer library) is a 500. */
export function statusOfCode(code: string): number {
  return (ERROR_CODES as Record<string, { http: number } | undefined>)[code]?.http ?? 500;
}

/**
 * Fastify's and its plugins' refusals, by the status they carry, as the table's codes. 406 and
 * 415 have no code of their own in the table: an unacceptable or unknown content type is an
 * invalid argument, but it keeps its own status.
 */
const CODE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'GAS_ERR_INVALID_ARGUMENT',
  401: 'GAS_ERR_AUTH',
  404: 'GAS_ERR_NOT_FOUND',
  406: 'GAS_ERR_INVALID_ARGUMENT',
  413: 'GAS_ERR_LIMIT',
  415: 'GAS_ERR_INVALID_ARGUMENT',
  429: 'GAS_ERR_RATE_LIMITED',
  503: 'GAS_ERR_OVERLOADED',
};

/** Fastify's codes for a body that is not the JSON it claims to be. */
const MALFORMED_BODY = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH']);

export function describeError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof GasError) {
    const details = Object.keys(error.details).length > 0 ? { details: publicDetails(error.details) } : {};
    return { status: statusOfCode(error.code), body: { error: { code: error.code, message: error.message, ...details } } };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return { status: 400, body: { error: { code: 'GAS_ERR_INVALID_ARGUMENT', message: validationMessage(fastifyError) } } };
  }
  if (fastifyError.code && MALFORMED_BODY.has(fastifyError.code)) {
    return { status: 400, body: { error: { code: 'GAS_ERR_PARSE', message: `request body: ${fastifyError.message}` } } };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: CODE_OF_STATUS[status] ?? 'GAS_ERR_INVALID_ARGUMENT', message: fastifyError.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'GAS_ERR_INTERNAL', message: 'internal error (the server log has its details)' } } };
}

/** Fastify's schema message, naming the unknown field where that is the fault (ajv says only "additional properties"). */
function validationMessage(error: Partial<FastifyError>): string {
  const first = error.validation?.[0];
  const unknown = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  const where = `${error.validationContext ?? 'request'}${first?.instancePath ? first.instancePath.replace(/\//g, '.') : ''}`;
  if (first?.keyword === 'additionalProperties' && unknown !== undefined) return `${where} has an unknown field ${JSON.stringify(unknown)}`;
  return error.message ?? 'invalid request';
}

/**
 * Details are machine-readable facts (option, job, graph); file paths on the server are not
 * the client's business, so `file` keeps only its base name.
 */
function publicDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value instanceof Error) continue;
    shown[key] = key === 'file' && typeof value === 'string' ? value.split(/[\\/]/).at(-1) : value;
  }
  return shown;
}

/**
 * `hidden`: directories on the server (the data directory) whose paths are cut out of messages:
 * a parse error names `uploads/g.txt:3`, not where the data directory lives.
 */
export function registerErrorHandling(app: FastifyInstance, hidden: readonly string[] = []): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = describeError(error);
    let message = body.error.message;
    for (const dir of hidden) message = message.split(`${dir}/`).join('');
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, status }, body.error.message);
    return reply
      .status(status)
      .type('application/json')
      .send({ error: { ...body.error, message } });
  });
}

/**
 * 404 for unknown routes. `preHandler`: the rate limiter's, so that probing for routes is
 * throttled like any request (the limiter's own hooks reach only declared routes).
 */
export function registerNotFound(app: FastifyInstance, preHandler?: preHandlerHookHandler): void {
  app.setNotFoundHandler(preHandler ? { preHandler } : {}, (request: FastifyRequest, reply: FastifyReply) =>
    reply.status(404).send({ error: { code: 'GAS_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
