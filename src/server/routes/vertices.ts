/**
 * `GET /graphs/:name/vertices/:label`: one vertex — its degree, a page of its neighbours, and
 * its value in each finished job's result on the graph. Neighbours are read from the partitions
 * that hold the vertex (its master and mirrors, from the routing table): out-neighbours by a
 * binary search of the partition's edges (sorted by source), in-neighbours by a scan of its
 * targets. They are ordered by internal id, so `cursor` (an offset) pages through them stably.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { jobResults, openGraphReader, vertexNotFound, type GraphReader, type VertexLabel } from '../../index.js';
import type { ServerContext } from '../context.js';
import { AnyObject, errorResponses, GraphName } from '../schemas.js';

/** Jobs whose value of the vertex is shown by default: the most recent finished ones (each reads its whole result column). */
const RESULT_JOBS = 5;

const Params = Type.Object({ name: GraphName, label: Type.String({ minLength: 1, maxLength: 65536 }) });

const Query = Type.Object(
  {
    direction: Type.Optional(
      Type.Union([Type.Literal('out'), Type.Literal('in'), Type.Literal('all')], { description: 'Default: out (directed), all (undirected)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Neighbours per page (default 100)' })),
    cursor: Type.Optional(Type.Integer({ minimum: 0, description: 'Offset of the page (from nextCursor)' })),
    jobs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 50, description: `The vertex's value in this many of the latest finished jobs (default ${RESULT_JOBS})` }),
    ),
  },
  { additionalProperties: false },
);

type Direction = 'out' | 'in' | 'all';

interface Neighbour {
  readonly id: number;
  readonly weight: number | null;
}

export function vertexRoutes(context: ServerContext): FastifyPluginAsync {
  const { catalog } = context;
  return async (app) => {
    app.get<{ Params: { name: string; label: string }; Querystring: { direction?: Direction; limit?: number; cursor?: number; jobs?: number } }>(
      '/graphs/:name/vertices/:label',
      {
        schema: {
          tags: ['graphs'],
          summary: 'A vertex: degree, a page of neighbours, its value in finished jobs',
          params: Params,
          querystring: Query,
          response: { 200: AnyObject, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const { name, label } = request.params;
        const { graph, reader } = openGraphReader(catalog, name);
        try {
          const id = reader.idOf(label);
          if (id < 0) throw vertexNotFound(reader, graph.name, label, 'vertices');
          const direction = request.query.direction ?? (graph.directed ? 'out' : 'all');
          const limit = request.query.limit ?? 100;
          const cursor = request.query.cursor ?? 0;
          const { outDegree, inDegree } = reader.degrees();
          const all = neighboursOf(reader, id, direction);
          const page = all.slice(cursor, cursor + limit);
          const vertex: VertexLabel = reader.labelOf(id);
          return {
            graph: graph.name,
            vertex,
            degree: graph.directed ? { out: outDegree[id]!, in: inDegree[id]! } : { degree: outDegree[id]! + inDegree[id]! },
            neighbours: {
              direction,
              total: all.length,
              cursor,
              nextCursor: cursor + limit < all.length ? cursor + limit : null,
              items: page.map((n) => (n.weight === null ? { vertex: reader.labelOf(n.id) } : { vertex: reader.labelOf(n.id), weight: n.weight })),
            },
            results: valuesInJobs(context, graph.id, graph.name, label, request.query.jobs ?? RESULT_JOBS),
          };
        } finally {
          reader.close();
        }
      },
    );
  };
}

/** The vertex's neighbours (one entry per edge) in the partitions that hold it, by internal id. */
function neighboursOf(reader: GraphReader, id: number, direction: Direction): Neighbour[] {
  const { master, replicaOffsets, replicaPartitions } = reader.routing();
  const partitions = new Set<number>([master[id]!]);
  for (let r = replicaOffsets[id]!; r < replicaOffsets[id + 1]!; r++) partitions.add(replicaPartitions[r]!);
  const found: Neighbour[] = [];
  for (const p of partitions) {
    const { gids, src, dst, weight } = reader.partition(p);
    const local = lowerBound(gids, id);
    if (local >= gids.length || gids[local] !== id) continue;
    if (direction !== 'in') {
      for (let e = lowerBound(src, local); e < src.length && src[e] === local; e++) found.push({ id: gids[dst[e]!]!, weight: weight ? weight[e]! : null });
    }
    if (direction !== 'out') {
      for (let e = 0; e < dst.length; e++) if (dst[e] === local) found.push({ id: gids[src[e]!]!, weight: weight ? weight[e]! : null });
    }
  }
  return found.sort((a, b) => a.id - b.id);
}

/** The first index whose value is ≥ `value` in an ascending array. */
function lowerBound(values: Uint32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The vertex's value in each recent finished job on this graph (as `results --vertex` shows it). */
function valuesInJobs(context: ServerContext, graphId: string, graphName: string, label: string, count: number): unknown[] {
  if (count === 0) return [];
  const jobs = context.catalog.jobs.list({ graph: graphName, status: 'succeeded', limit: count });
  const values: unknown[] = [];
  for (const job of jobs) {
    if (job.graphId !== graphId || job.graphRemoved !== null) continue;
    try {
      const results = jobResults(context.catalog, job.id, { vertex: label });
      for (const row of results.rows()) {
        values.push({ job: job.id, algorithm: job.algorithm, column: results.column, components: results.components, value: row.value });
      }
    } catch {
      // A job whose results cannot be read (its column gone with a repartition's old layout) has no value to show.
    }
  }
  return values;
}
