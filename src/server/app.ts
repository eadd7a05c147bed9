/**
 * The REST server: `buildApp(options)` returns a fastify instance (not listening; `serve`
 * listens, tests use `inject()`). One plugin per resource (routes/), TypeBox schemas on every
 * route with unknown fields refused, OpenAPI at `/openapi.json` and Swagger UI at `/docs`, pino
 * logs with request ids and the `authorization` header redacted, a bearer token on every route
 * but `GET /health`, body and upload size limits (413), a rate limit (429), no CORS, and one
 * error handler (errors.ts).
 *
 * The app owns a job service on the catalog (unless one is given) and shuts it down when it
 * closes: `app.close()` stops taking requests (new ones get 503), ends queued jobs and asks
 * running ones to stop at a step boundary (both recorded `interrupted`), ends event streams, and
 * closes the catalog if the app opened it.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { LoggerOptions } from 'pino';
import { GasError } from '../errors.js';
import { JobService, openCatalog, type Catalog } from '../index.js';
import { registerBearerAuth } from './auth.js';
import { withoutServerPaths, type ServerContext } from './context.js';
import { registerErrorHandling, registerNotFound } from './errors.js';
import { graphRoutes } from './routes/graphs.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { resultRoutes } from './routes/results.js';
import { vertexRoutes } from './routes/vertices.js';
import { ErrorSchema } from './schemas.js';
import { uploadsDir } from './uploads.js';

export interface AppOptions {
  /** The data directory (opened, and created when missing); or give an open `catalog`. */
  readonly dataDir?: string;
  readonly catalog?: Catalog;
  /** Bearer token required on every route but GET /health; none: no authentication (loopback only — `serve` refuses otherwise). */
  readonly token?: string;
  /** false (default), true (info to stdout), or pino options (level, stream destination via `stream`, …). */
  readonly logger?: boolean | (LoggerOptions & { readonly stream?: NodeJS.WritableStream });
  /** Requests per client (IP) per window; false: no limit. Default 6000 per minute. */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number | string } | false;
  /** Largest JSON body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Largest uploaded file in bytes (default 1 GiB). */
  readonly uploadLimit?: number;
  /** Cross-origin requests are never allowed (no CORS headers); the option exists to say so. */
  readonly cors?: false;
  /** Jobs running at once, and waiting at most, in the app's job service. */
  readonly concurrency?: number;
  readonly queueLimit?: number;
  /** A job service to use instead of the app's own (the caller shuts it down). */
  readonly jobs?: JobService;
}

export const APP_DEFAULTS = {
  bodyLimit: 1 << 20,
  uploadLimit: 1 << 30,
  rateLimit: { max: 6000, timeWindow: 60_000 },
} as const;

/** Pino's redaction: credentials never reach a log line. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]'];

export function buildApp(options: AppOptions): FastifyInstance {
  if (!options.catalog && !options.dataDir) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'server: give a dataDir or an open catalog', {});
  const ownCatalog = !options.catalog;
  const catalog = options.catalog ?? openCatalog(options.dataDir!);
  const uploads = uploadsDir(catalog.dataDir);

  const app = Fastify({
    logger: loggerOptions(options.logger ?? false),
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit ?? APP_DEFAULTS.bodyLimit,
    // Fastify's default drops unknown fields silently; a typo must be a 400 instead.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const jobs = options.jobs ?? new JobService(catalog, { concurrency: options.concurrency, queueLimit: options.queueLimit });
  const context: ServerContext = { catalog, uploads, jobs };

  // Bodies are JSON or multipart forms; fastify's text/plain parser would hand a route a string its schema never saw (415 instead).
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app, [uploads, catalog.dataDir]);
  app.addSchema(ErrorSchema);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    // JSON answers (job records above all) with the server's paths cut out; streams pass as they are.
    return typeof payload === 'string' ? withoutServerPaths(payload, context) : payload;
  });

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'gasworks', description: 'Graphs, jobs and results of the gasworks graph-parallel engine', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: options.token === undefined ? [] : [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  const limit = options.rateLimit ?? APP_DEFAULTS.rateLimit;
  if (limit === false) registerNotFound(app);
  else {
    app.register(rateLimit, { global: true, max: limit.max, timeWindow: limit.timeWindow });
    app.after(() => registerNotFound(app, app.rateLimit()));
  }
  app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: options.uploadLimit ?? APP_DEFAULTS.uploadLimit, files: 2, fields: 32, fieldSize: 4096, parts: 40, headerPairs: 100 },
  });

  app.register(async (scope) => {
    if (!options.jobs) scope.addHook('preClose', () => jobs.shutdown());
    if (options.token !== undefined) registerBearerAuth(scope, options.token);
    scope.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    await scope.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    await scope.register(healthRoutes);
    await scope.register(graphRoutes(context));
    await scope.register(vertexRoutes(context));
    await scope.register(jobRoutes(context));
    await scope.register(resultRoutes(context));
  });

  if (ownCatalog) app.addHook('onClose', async () => catalog.close());
  return app;
}

function loggerOptions(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  const given = logger === true ? {} : logger;
  return {
    level: 'info',
    ...given,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (request: { method: string; url: string; headers: Record<string, unknown>; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
        remoteAddress: request.ip ?? request.socket?.remoteAddress,
      }),
    },
  } as FastifyServerOptions['logger'];
}
