/**
 * Graphs: list, describe, drop, import (`POST /graphs`, JSON naming a file in the uploads folder
 * or a multipart upload), and the partition report of a stored graph. Each handler is a call of
 * the library API; a `GasError` it raises is answered by the app's error handler.
 *
 * An import is a job of the job service (api/import-job.ts): `POST /graphs` answers 202 with the
 * job, as `POST /jobs` does — follow it at /jobs/:id/events (its progress names the phase), cancel
 * it with DELETE /jobs/:id. With `?wait=true` the request waits for the job and answers 201 with
 * the graph, or the job's error.
 */
import { rmSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { Type } from 'typebox';
import { InvalidArgumentError } from '../../errors.js';
import { dropGraph, graphInfo, listGraphs, partitionReport } from '../../index.js';
import { publicGraph, type ServerContext } from '../context.js';
import { AnyObject, checkForm, errorResponses, GraphName, ImportBody, ImportForm, type ImportBodyType } from '../schemas.js';
import { resolveUpload, saveUpload } from '../uploads.js';

const NameParams = Type.Object({ name: GraphName });

const ImportQuery = Type.Object(
  { wait: Type.Optional(Type.Boolean({ description: 'Wait for the import job to end: 201 with the graph (or its error) instead of 202 with the job' })) },
  { additionalProperties: false },
);

const DropQuery = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'Drop the graph even when finished jobs have results on it (they go with it)' })) },
  { additionalProperties: false },
);

const ReportQuery = Type.Object(
  {
    partitions: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: "Default: the graph's own partition count" })),
    strategies: Type.Optional(Type.String({ maxLength: 512, description: 'Comma-separated strategy names (default: every strategy)' })),
    seed: Type.Optional(Type.Integer({ minimum: 0 })),
    threshold: Type.Optional(Type.Integer({ minimum: 0 })),
    lambda: Type.Optional(Type.Number({ minimum: 0 })),
    streamOrder: Type.Optional(Type.Boolean()),
    for: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** The multipart parts that carry files: the graph, and (uci / lda-c) its vocabulary. */
const FILE_PARTS = new Set(['file', 'vocab']);

export function graphRoutes(context: ServerContext): FastifyPluginAsync {
  const { catalog, uploads } = context;
  return async (app) => {
    app.get('/graphs', { schema: { tags: ['graphs'], summary: 'Stored graphs', response: { 200: Type.Array(AnyObject) } } }, async () =>
      listGraphs(catalog).map((graph) => publicGraph(graph, uploads)),
    );

    app.get<{ Params: { name: string } }>(
      '/graphs/:name',
      {
        schema: {
          tags: ['graphs'],
          summary: 'A graph: counts, degrees, replication factor, balance, partition sizes',
          params: NameParams,
          response: { 200: AnyObject, ...errorResponses(404) },
        },
      },
      async (request) => publicGraph(graphInfo(catalog, request.params.name), uploads),
    );

    app.delete<{ Params: { name: string }; Querystring: { force?: boolean } }>(
      '/graphs/:name',
      {
        schema: {
          tags: ['graphs'],
          summary: 'Drop a graph and its tables',
          description: 'Refused (409) while a job runs on it, and without force=true when finished jobs have results on it.',
          params: NameParams,
          querystring: DropQuery,
          response: { 200: AnyObject, ...errorResponses(404, 409) },
        },
      },
      async (request) => publicGraph(dropGraph(catalog, request.params.name, { force: request.query.force ?? false }), uploads),
    );

    app.get<{ Params: { name: string }; Querystring: Record<string, unknown> }>(
      '/graphs/:name/partition-report',
      {
        schema: {
          tags: ['graphs'],
          summary: 'What each partitioning strategy would cost on this graph (nothing is stored)',
          params: NameParams,
          querystring: ReportQuery,
          response: { 200: AnyObject, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const query = request.query as {
          partitions?: number;
          strategies?: string;
          seed?: number;
          threshold?: number;
          lambda?: number;
          streamOrder?: boolean;
          for?: string;
        };
        const graph = catalog.getGraph(request.params.name);
        // The graph's id, not the name the client typed: partitionReport reads a *file* of that name when one exists.
        const report = await partitionReport(catalog, {
          source: graph.id,
          partitions: query.partitions ?? graph.partitions,
          strategies: query.strategies?.split(',').map((name) => name.trim()),
          seed: query.seed,
          threshold: query.threshold,
          lambda: query.lambda,
          streamOrder: query.streamOrder,
          for: query.for,
        });
        return { graph: graph.name, ...report };
      },
    );

    app.post<{ Querystring: { wait?: boolean } }>(
      '/graphs',
      {
        schema: {
          querystring: ImportQuery,
          tags: ['graphs'],
          summary: 'Import a graph',
          description:
            "JSON: `file` names a file inside the server's uploads/ folder. multipart/form-data: a `file` part (and a `vocab` part for uci / lda-c) with the import options as fields. The import runs as a job: 202 with `Location: /jobs/ID` and `{ id }`; with `?wait=true`, 201 with the graph once it is stored.",
          body: {
            content: {
              'application/json': { schema: ImportBody },
              // No `type`: the multipart parser leaves the body empty (the handler reads the parts), and an empty body must pass.
              'multipart/form-data': {
                schema: { description: 'A `file` part (and `vocab` for uci / lda-c) and the import options, as in the JSON body, as fields' },
              },
            },
          },
          response: { 201: AnyObject, 202: AnyObject, ...errorResponses(400, 403, 404, 409, 413, 422, 503) },
        },
      },
      async (request, reply) => {
        const submitted = request.isMultipart() ? await importUpload(context, request) : importNamed(context, request.body as ImportBodyType);
        if (request.query.wait !== true) {
          void submitted.ended.catch(() => undefined);
          return reply.status(202).header('location', `/jobs/${submitted.id}`).send({ id: submitted.id });
        }
        await submitted.ended;
        const summary = context.jobs.outcome(submitted.id) as unknown as ImportSummary;
        return created(reply, summary, uploads, context);
      },
    );
  };
}

/** An import job: its id, and a promise settled when it has ended (its uploaded files removed then). */
interface SubmittedImport {
  readonly id: number;
  readonly ended: Promise<unknown>;
}

/** What an import job's summary holds (api/import-job.ts). */
interface ImportSummary {
  readonly graphId: string;
  readonly strategyReason: string | null;
  readonly partitionSizes: unknown;
  readonly timings: unknown;
}

function importNamed(context: ServerContext, body: ImportBodyType): SubmittedImport {
  const file = resolveUpload(context.uploads, body.file, 'file');
  const vocab = body.vocab === undefined ? undefined : resolveUpload(context.uploads, body.vocab, 'vocab');
  const { id } = context.jobs.submitImport({ ...body, file, vocab });
  return { id, ended: context.jobs.wait(id) };
}

/**
 * Streams the parts of a multipart import: files to uploads/.incoming (each under a name the
 * server makes up, within the upload limit), fields collected as text, then checked as the JSON
 * body is. The uploaded files are removed once the import ends, whatever the end.
 */
async function importUpload(context: ServerContext, request: FastifyRequest): Promise<SubmittedImport> {
  const saved = new Map<string, string>();
  const fields: Record<string, string> = {};
  const removeSaved = (): void => {
    for (const path of saved.values()) rmSync(path, { force: true });
  };
  try {
    for await (const part of request.parts() as AsyncIterableIterator<Multipart>) {
      if (part.type === 'file') {
        if (!FILE_PARTS.has(part.fieldname) || saved.has(part.fieldname)) {
          part.file.resume();
          throw new InvalidArgumentError(`import: unexpected file part ${JSON.stringify(part.fieldname)} (send one \`file\`, and \`vocab\` for uci / lda-c)`, {
            option: part.fieldname,
          });
        }
        saved.set(part.fieldname, await saveUpload(context.uploads, part.file, part.filename));
      } else {
        if (FILE_PARTS.has(part.fieldname) || Object.hasOwn(fields, part.fieldname)) {
          throw new InvalidArgumentError(`import: field ${JSON.stringify(part.fieldname)} given twice or as text`, { option: part.fieldname });
        }
        fields[part.fieldname] = String(part.value);
      }
    }
    const file = saved.get('file');
    if (file === undefined) throw new InvalidArgumentError('import: the form has no `file` part', { option: 'file' });
    const options = checkForm(ImportForm, fields);
    const { id } = context.jobs.submitImport({ ...options, file, vocab: saved.get('vocab') });
    return { id, ended: context.jobs.wait(id).finally(removeSaved) };
  } catch (error) {
    removeSaved();
    throw error;
  }
}

function created(reply: FastifyReply, summary: ImportSummary, uploads: string, context: ServerContext): FastifyReply {
  const graph = publicGraph(context.catalog.getGraph(summary.graphId), uploads);
  return reply
    .status(201)
    .header('location', `/graphs/${encodeURIComponent(graph.name)}`)
    .send({ ...graph, strategyReason: summary.strategyReason, partitionSizes: summary.partitionSizes, timings: summary.timings });
}
