/**
 * Jobs, through the library's job service: submit (202 with `Location`), list, get, cancel, and
 * follow as Server-Sent Events — one event per job event, `id:` its sequence number, so a client
 * that reconnects with `Last-Event-ID` is sent what it missed and nothing twice; the stream ends
 * after the job's last event.
 *
 * A job runs a *registered* algorithm only: the library also runs program files, which would let
 * a client run code of its choosing on the server. Options that name a file (ALS's `test`) must
 * name one inside the uploads folder, as imports do.
 */
import { once } from 'node:events';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { ALGORITHMS, estimateJob, isTerminal } from '../../index.js';
import type { JobRecord } from '../../storage/index.js';
import { withoutServerPaths, type ServerContext } from '../context.js';
import { AnyObject, errorResponses, GraphName } from '../schemas.js';
import { resolveUpload } from '../uploads.js';

const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;

/** Algorithm options that name a file on the server, by algorithm: resolved inside uploads/. */
const FILE_OPTIONS: Readonly<Record<string, readonly string[]>> = { als: ['test'] };

/** A comment line every so often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** When the app closes, how long event streams may take to send their job's last event before they are cut. */
const CLOSE_GRACE_MS = 1000;

export const JobId = Type.Integer({ minimum: 1, description: 'A job id' });
export const JobParams = Type.Object({ id: JobId });

/** What a job runs and how: the body of `POST /jobs/estimate`, and of `POST /jobs` with `force`. */
const JobFields = {
  graph: GraphName,
  algorithm: Type.String({ minLength: 1, maxLength: 64, description: 'A registered algorithm name (GET /algorithms)' }),
  options: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.Number(), Type.String({ maxLength: 4096 }), Type.Boolean(), Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 10000 })]),
      {
        description: "The algorithm's options as the library spells them (damping, maxIterations, …)",
      },
    ),
  ),
  engine: Type.Optional(Type.Union([Type.Literal('sync'), Type.Literal('ssp'), Type.Literal('async')])),
  workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
  staleness: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  scheduler: Type.Optional(Type.String({ maxLength: 32 })),
  consistency: Type.Optional(Type.String({ maxLength: 32 })),
  minPriority: Type.Optional(Type.Number()),
  maxUpdates: Type.Optional(Type.Integer({ minimum: 1 })),
  timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  checkpointEvery: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^(\\d+|\\d+(\\.\\d+)?[smh]|auto)$', maxLength: 32 })], {
      description:
        "sync: checkpoint every K steps, every so long ('30s', '5m', '1h') or 'auto' (Young's interval), so POST /jobs/:id/resume can go on from the newest",
    }),
  ),
  mtbfSeconds: Type.Optional(
    Type.Number({ exclusiveMinimum: 0, description: "With checkpointEvery 'auto': the mean time between failures (s, default 86400)" }),
  ),
  stepTimeoutSeconds: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      description: 'The step watchdog: a worker silent this long during a step is stuck (default: the longer of 60 s and 4 × the longest step)',
    }),
  ),
  maxRecoveries: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1000, description: 'Worker threads: recover from at most this many lost workers (default 3)' }),
  ),
};
const SubmitBody = Type.Object(
  {
    ...JobFields,
    force: Type.Optional(Type.Boolean({ description: 'Run even when the memory estimate (POST /jobs/estimate) says the job does not fit' })),
  },
  { additionalProperties: false },
);
const EstimateBody = Type.Object(JobFields, { additionalProperties: false });
type JobBodyType = {
  graph: string;
  algorithm: string;
  options?: Record<string, number | string | boolean | string[]>;
  engine?: string;
  workers?: number;
  staleness?: number;
  scheduler?: string;
  consistency?: string;
  minPriority?: number;
  maxUpdates?: number;
  timeoutSeconds?: number;
  checkpointEvery?: number | string;
  mtbfSeconds?: number;
  maxRecoveries?: number;
  stepTimeoutSeconds?: number;
};
type SubmitBodyType = JobBodyType & { force?: boolean };

const ListQuery = Type.Object(
  {
    graph: Type.Optional(GraphName),
    status: Type.Optional(Type.Union(JOB_STATES.map((state) => Type.Literal(state)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100' })),
  },
  { additionalProperties: false },
);

const EventsQuery = Type.Object(
  { after: Type.Optional(Type.Integer({ minimum: 0, description: 'Events after this sequence number (as the Last-Event-ID header)' })) },
  { additionalProperties: false },
);

export function jobRoutes(context: ServerContext): FastifyPluginAsync {
  const { jobs } = context;
  /** Open event streams, ended when the app closes (a job run by another process may outlive it). */
  const streams = new Map<AbortController, Promise<void>>();
  return async (app) => {
    app.addHook('preClose', async () => {
      // The job service has shut down by now (its hook runs first): streams get their jobs' `interrupted`, then end.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.allSettled(streams.values()), grace]);
      for (const stream of streams.keys()) stream.abort();
    });

    app.get(
      '/algorithms',
      { schema: { tags: ['jobs'], summary: 'The registered algorithms a job can run', response: { 200: Type.Array(AnyObject) } } },
      async () => ALGORITHMS.map((algorithm) => ({ name: algorithm.name, description: algorithm.description, options: describeOptions(algorithm) })),
    );

    app.post<{ Body: SubmitBodyType }>(
      '/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Submit a job: 202 with its id at once',
          body: SubmitBody,
          response: { 202: Type.Object({ id: JobId }), ...errorResponses(400, 404, 409, 413, 422, 503) },
        },
      },
      async (request, reply) => {
        const { force, ...body } = request.body;
        // ownHeap: even one worker runs on a thread of its own; in this thread it would hold the event loop and every request would wait.
        const { id } = await jobs.submit({ ...body, options: serverOptions(context, body), ownHeap: true }, { force });
        return reply.status(202).header('location', `/jobs/${id}`).send({ id });
      },
    );

    app.post<{ Body: JobBodyType }>(
      '/jobs/estimate',
      {
        schema: {
          tags: ['jobs'],
          summary: "A job's memory and time, estimated without running it",
          description:
            'Memory per worker by component (local graph, state, exchange buffers, …), the peak worker, the coordinator and the total, in bytes; time per step from past jobs of the algorithm (or a default rate) times the steps; whether it fits this machine. POST /jobs refuses (413) a job that does not fit unless `force`.',
          body: EstimateBody,
          response: { 200: AnyObject, ...errorResponses(400, 404, 409, 422) },
        },
      },
      async (request) => estimateJob(context.catalog, { ...request.body, options: serverOptions(context, request.body), ownHeap: true }),
    );

    app.get<{ Querystring: { graph?: string; status?: (typeof JOB_STATES)[number]; limit?: number } }>(
      '/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Jobs, newest first',
          description:
            "Each with `progress`: a queued or running job's latest progress (as GET /jobs/:id), null for an ended one (its summary says how it ended).",
          querystring: ListQuery,
          response: { 200: Type.Array(AnyObject), ...errorResponses(400) },
        },
      },
      async (request) =>
        jobs.list(request.query).map((job) => ({ ...publicJob(job), progress: isTerminal(job.status) ? null : lastProgress(jobs.events(job.id)) })),
    );

    app.get<{ Params: { id: number } }>(
      '/jobs/:id',
      {
        schema: {
          tags: ['jobs'],
          summary: 'A job: status, progress (step, percent, ETA), timings, summary',
          params: JobParams,
          response: { 200: AnyObject, ...errorResponses(404) },
        },
      },
      async (request) => {
        const job = jobs.get(request.params.id);
        return { ...publicJob(job), progress: lastProgress(jobs.events(job.id)) };
      },
    );

    app.delete<{ Params: { id: number } }>(
      '/jobs/:id',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Cancel a job (a running one stops at its next step boundary)',
          description: 'Answers the job as it is then: a queued job is `cancelled` at once; a running one until its next step boundary is still `running`.',
          params: JobParams,
          response: { 200: AnyObject, ...errorResponses(404) },
        },
      },
      async (request) => publicJob(jobs.cancel(request.params.id)),
    );

    app.post<{ Params: { id: number } }>(
      '/jobs/:id/resume',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Resume an interrupted or failed job from its newest checkpoint: 202',
          description:
            'Goes on under the same id with the algorithm, options, engine and workers it started with, from its newest checkpoint whose every part verifies (`skipped` names newer ones that did not). 400 for a job that is not interrupted or failed; 404 when it has no usable checkpoint or its graph is gone.',
          params: JobParams,
          response: {
            202: Type.Object({ id: JobId, checkpoint: Type.Integer(), step: Type.Integer(), skipped: Type.Array(Type.String()) }),
            ...errorResponses(400, 404, 409, 503),
          },
        },
      },
      async (request, reply) => {
        const resumed = await jobs.resume(request.params.id);
        return reply
          .status(202)
          .header('location', `/jobs/${resumed.id}`)
          .send({ ...resumed, skipped: resumed.skipped.map((line) => withoutServerPaths(line, context)) });
      },
    );

    app.get<{ Params: { id: number }; Querystring: { after?: number } }>(
      '/jobs/:id/events',
      {
        schema: {
          tags: ['jobs'],
          summary: "A job's events as Server-Sent Events, until it ends",
          description: 'Each event has `id: <seq>` and `event: <type>`; reconnect with `Last-Event-ID` (or ?after=) to get only the events after it.',
          params: JobParams,
          querystring: EventsQuery,
          produces: ['text/event-stream'],
          response: { 200: { description: 'text/event-stream', type: 'string' }, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const job = jobs.get(request.params.id); // 404 before the stream starts
        const after = lastEventId(request) ?? request.query.after ?? 0;
        const abort = new AbortController();
        const streaming = streamEvents(request, reply, job.id, after, abort.signal, context);
        streams.set(abort, streaming);
        try {
          await streaming;
        } finally {
          streams.delete(abort);
        }
      },
    );
  };
}

/** `Last-Event-ID`, a sequence number, or a 400. */
function lastEventId(request: FastifyRequest): number | null {
  const header = request.headers['last-event-id'];
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header[0]! : header;
  if (!/^\d{1,15}$/.test(text.trim())) throw new InvalidArgumentError(`events: Last-Event-ID must be an event's sequence number, got ${JSON.stringify(text)}`);
  return Number(text.trim());
}

async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  jobId: number,
  after: number,
  closing: AbortSignal,
  context: ServerContext,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  closing.addEventListener('abort', onClose, { once: true });
  raw.on('close', onClose);
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    raw.write('retry: 2000\n\n');
    for await (const event of context.jobs.follow(jobId, after, abort.signal)) {
      if (!raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${withoutServerPaths(JSON.stringify(event), context)}\n\n`)) {
        await once(raw, 'drain', { signal: abort.signal });
      }
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') request.log.error({ err: error }, 'event stream failed');
  } finally {
    clearInterval(heartbeat);
    raw.off('close', onClose);
    closing.removeEventListener('abort', onClose);
    raw.end();
  }
}

/**
 * The algorithm's options as a server takes them: a registered algorithm only (a program file
 * would run a client's code), and options that name a file resolved inside uploads/.
 */
function serverOptions(context: ServerContext, body: JobBodyType): Record<string, number | string | boolean | string[]> {
  if (!ALGORITHMS.some((algorithm) => algorithm.name === body.algorithm)) {
    throw new NotFoundError(`jobs: unknown algorithm ${JSON.stringify(body.algorithm)} (known: ${ALGORITHMS.map((a) => a.name).join(', ')})`, {
      algorithm: body.algorithm,
    });
  }
  const options = { ...body.options };
  for (const option of FILE_OPTIONS[body.algorithm] ?? []) {
    const value = options[option];
    if (typeof value === 'string' && value !== '') options[option] = resolveUpload(context.uploads, value, option);
  }
  return options;
}

/** A job record for clients: the program file (always null over REST) and server paths left out. */
function publicJob(job: JobRecord): Record<string, unknown> {
  const { programFile: _programFile, ...shown } = job;
  void _programFile;
  return shown;
}

/** The last progress event's figures (step, percent, ETA, …), or null before the first step. */
function lastProgress(events: readonly { type: string; progress?: unknown }[]): unknown {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === 'progress') return events[i]!.progress;
  return null;
}

/** An algorithm's options as its schema declares them (else its defaults), for clients building a form. */
function describeOptions(algorithm: (typeof ALGORITHMS)[number]): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(algorithm.defaults as Record<string, unknown>)) {
    const { aliases: _aliases, ...spec } = (algorithm.schema?.[name] ?? { default: value }) as Record<string, unknown>;
    void _aliases;
    shown[name] = spec;
  }
  return shown;
}
