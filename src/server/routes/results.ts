/**
 * What finished jobs computed: result rows (streamed, paged by a row offset), an ALS job's
 * recommendations, an LDA job's topics — each through the library call the CLI's `results`,
 * `recommend` and `topics` use, presented the same way.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { jobResults, openRecommender, RECOMMEND_DEFAULTS, topicWords, type Catalog, type JobResults, type ResultRow } from '../../index.js';
import { TopCache } from '../result-cache.js';
import type { ServerContext } from '../context.js';
import { CONTENT_TYPES, page, RESULT_FORMATS, resultStream, type ResultFormat } from '../result-stream.js';
import { AnyObject, errorResponses, GraphName } from '../schemas.js';
import { JobParams } from './jobs.js';

const ResultsQuery = Type.Object(
  {
    top: Type.Optional(Type.Integer({ minimum: 1, description: 'Only the K vertices with the largest (order=asc: smallest) values' })),
    order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { description: 'With top: desc (default) or asc' })),
    by: Type.Optional(Type.String({ maxLength: 128, description: 'With top on a vector result: the component to rank by (topic_3, bias)' })),
    vertex: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'Only this vertex (by label)' })),
    raw: Type.Optional(Type.Boolean({ description: 'The stored column as the job wrote it (LDA: counts instead of mixtures)' })),
    min: Type.Optional(Type.Number({ description: 'Only rows whose value is at least this (a scalar result)' })),
    max: Type.Optional(Type.Number({ description: 'Only rows whose value is at most this (a scalar result)' })),
    cursor: Type.Optional(Type.Integer({ minimum: 0, description: 'Row offset of the page (from the X-Next-Cursor header)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Rows per page (default: all the rest)' })),
    format: Type.Optional(
      Type.Union(
        RESULT_FORMATS.map((format) => Type.Literal(format)),
        { description: 'json (default) | ndjson | csv' },
      ),
    ),
  },
  { additionalProperties: false },
);

interface ResultsQueryType {
  top?: number;
  order?: 'asc' | 'desc';
  by?: string;
  vertex?: string;
  raw?: boolean;
  min?: number;
  max?: number;
  cursor?: number;
  limit?: number;
  format?: ResultFormat;
}

const RecommendQuery = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 1024, description: 'The user id as in the ratings file (or its label u:ID)' }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: `How many items (default ${RECOMMEND_DEFAULTS.top})` })),
    minRatings: Type.Optional(Type.Integer({ minimum: 1, description: `Only items with at least N ratings (default ${RECOMMEND_DEFAULTS.minRatings})` })),
    excludeRated: Type.Optional(Type.Boolean({ description: 'Leave out items the user rated' })),
  },
  { additionalProperties: false },
);

const TopicsQuery = Type.Object(
  { top: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Words per topic (default 10)' })) },
  { additionalProperties: false },
);

export function resultRoutes(context: ServerContext): FastifyPluginAsync {
  const { catalog } = context;
  const tops = new TopCache();
  return async (app) => {
    app.get<{ Params: { id: number }; Querystring: ResultsQueryType }>(
      '/jobs/:id/results',
      {
        schema: {
          tags: ['results'],
          summary: "A finished job's results under the graph's labels, streamed",
          description:
            'Columns as `gasworks results` gives them: `vertex` and `value`, or one named column per component of a vector result. With `limit`, the `X-Next-Cursor` header (and a `Link: rel="next"`) gives the next page.',
          params: JobParams,
          querystring: ResultsQuery,
          produces: Object.values(CONTENT_TYPES),
          response: { 200: { description: 'The rows (json, ndjson or csv)' }, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const query = request.query;
        if (query.order !== undefined && query.top === undefined) {
          throw new InvalidArgumentError(`results: order=${query.order} ranks the top K vertices; give top too`, { option: 'order' });
        }
        const results = rankedResults(catalog, tops, request.params.id, query);
        if ((query.min !== undefined || query.max !== undefined) && results.width !== 1) {
          throw new InvalidArgumentError(
            `results: min and max filter a scalar result; job ${request.params.id}'s "${results.column}" has ${results.width} values per vertex`,
            {
              option: query.min !== undefined ? 'min' : 'max',
            },
          );
        }
        const rows = (): Iterable<ResultRow> => withinRange(results.rows(), query.min ?? -Infinity, query.max ?? Infinity);
        const format = query.format ?? 'json';
        const cursor = query.cursor ?? 0;
        if (query.limit !== undefined) {
          // A second pass over the rows, to the first row of the next page only: whether there is one.
          const next = cursor + query.limit;
          if (!page(rows(), next, 1).next().done) {
            const url = new URL(request.url, 'http://localhost');
            url.searchParams.set('cursor', String(next));
            reply.header('x-next-cursor', String(next)).header('link', `<${url.pathname}${url.search}>; rel="next"`);
          }
        }
        reply.header('x-result-column', results.column).header('x-result-components', results.components.join(',')).type(CONTENT_TYPES[format]);
        return reply.send(resultStream(page(rows(), cursor, query.limit), results.components, format));
      },
    );

    app.get<{ Params: { id: number }; Querystring: { user: string; k?: number; minRatings?: number; excludeRated?: boolean } }>(
      '/jobs/:id/recommend',
      {
        schema: {
          tags: ['results'],
          summary: "A user's top items under a finished ALS job",
          params: JobParams,
          querystring: RecommendQuery,
          response: { 200: AnyObject, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const { user, k, minRatings, excludeRated } = request.query;
        const recommender = openRecommender(catalog, request.params.id, { minRatings, excludeRated });
        try {
          const id = recommender.user(user);
          recommender.load([id]);
          return {
            job: recommender.job.id,
            user: recommender.userName(id),
            scale: recommender.scale,
            candidates: recommender.candidates,
            leftOut: recommender.leftOut,
            minRatings: recommender.minRatings,
            excludeRated: recommender.excludeRated,
            items: recommender.top(id, k ?? RECOMMEND_DEFAULTS.top),
          };
        } finally {
          recommender.close();
        }
      },
    );

    app.get<{ Params: { id: number }; Querystring: { top?: number } }>(
      '/jobs/:id/topics',
      {
        schema: {
          tags: ['results'],
          summary: "Each topic's top words under a finished LDA job",
          params: JobParams,
          querystring: TopicsQuery,
          response: { 200: AnyObject, ...errorResponses(400, 404) },
        },
      },
      async (request) => ({ job: request.params.id, topics: topicWords(catalog, request.params.id, request.query.top ?? 10) }),
    );

    app.get<{ Params: { name: string }; Querystring: { top?: number } }>(
      '/graphs/:name/topics',
      {
        schema: {
          tags: ['results'],
          summary: "Each topic's top words under the graph's latest finished LDA job",
          params: Type.Object({ name: GraphName }),
          querystring: TopicsQuery,
          response: { 200: AnyObject, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const graph = catalog.getGraph(request.params.name);
        const job = catalog.jobs
          .list({ graph: graph.name, status: 'succeeded', limit: 1000 })
          .find((candidate) => candidate.algorithm === 'lda' && candidate.graphId === graph.id && candidate.graphRemoved === null);
        if (!job) throw new NotFoundError(`topics: graph "${graph.name}" has no finished LDA job`, { graph: graph.name });
        return { job: job.id, topics: topicWords(catalog, job.id, request.query.top ?? 10) };
      },
    );
  };
}

/**
 * The job's results for the query: a finished job's top K from the cache when it is there (its
 * row checked first: still succeeded, on a graph still there), else from the library.
 */
function rankedResults(catalog: Catalog, tops: TopCache, id: number, query: ResultsQueryType): Pick<JobResults, 'column' | 'width' | 'components' | 'rows'> {
  const key = TopCache.key(catalog.jobs.get(id), query);
  const cached = key === null ? undefined : tops.get(key);
  if (cached) return { ...cached, rows: () => cached.rows };
  const results = jobResults(catalog, id, { top: query.top, ascending: query.order === 'asc', by: query.by, vertex: query.vertex, raw: query.raw });
  if (key === null) return results;
  const entry = { column: results.column, width: results.width, components: results.components, rows: [...results.rows()] };
  tops.set(key, entry);
  return { ...entry, rows: () => entry.rows };
}

/** The rows whose (scalar) value lies in [min, max]; all of them when the range is unbounded. */
function* withinRange(rows: Iterable<ResultRow>, min: number, max: number): Generator<ResultRow> {
  const all = min === -Infinity && max === Infinity;
  for (const row of rows) if (all || ((row.value as number) >= min && (row.value as number) <= max)) yield row;
}
