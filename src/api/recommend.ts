/**
 * `recommend`: a user's top-K items from a finished ALS job — the items with the highest
 * predicted rating μ + b_u + b_i + x_uᵀ y_i under the job's stored factors (k factors and the bias
 * per vertex), optionally leaving out the items the user has rated already.
 */
import { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { topIds } from './top-vertices.js';
import { GraphReader, graphDir, graphStoreDir, ITEM_PREFIX, readResults, USER_PREFIX, type Catalog } from '../storage/index.js';

export interface RecommendQuery {
  /** The user's id as in the ratings file (`1`), or its vertex label (`u:1`). */
  readonly user: string;
  readonly top?: number;
  /** Leave out items the user rated in the training graph. */
  readonly excludeRated?: boolean;
}

export interface Recommendation {
  /** The item's id as in the ratings file. */
  readonly item: string;
  readonly score: number;
}

export function recommend(catalog: Catalog, jobId: string | number, query: RecommendQuery): Recommendation[] {
  const job = catalog.jobs.get(jobId);
  if (job.algorithm !== 'als' || job.status !== 'succeeded') {
    throw new InvalidArgumentError(`recommend: job ${job.id} is not a finished ALS job (${job.algorithm}, ${job.status})`, { job: job.id });
  }
  const top = query.top ?? 10;
  if (!Number.isInteger(top) || top < 1) throw new InvalidArgumentError(`recommend: --top must be a positive integer, got ${top}`, { option: 'top' });
  const graph = catalog.getGraph(job.graphId ?? '');
  const { meta, values } = readResults(graphDir(catalog.dataDir, graph.id), job.id);
  const mean = Number(job.summary?.globalMean ?? 0);
  const width = meta.width;
  const k = width - 1;
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  try {
    const label = query.user.startsWith(USER_PREFIX) ? query.user : USER_PREFIX + query.user;
    const user = reader.idOf(label);
    const { outDegree, inDegree } = reader.degrees();
    if (user < 0 || outDegree[user] === 0)
      throw new NotFoundError(`recommend: user ${JSON.stringify(query.user)} has no ratings in graph "${graph.name}"`, { user: query.user });
    const rated = query.excludeRated ? ratedItems(reader, user) : new Set<number>();
    // Every item's predicted rating; users and rated items left out as NaN.
    const scores = new Float64Array(meta.vertices).fill(NaN);
    for (let i = 0; i < meta.vertices; i++) {
      if (inDegree[i] === 0 || rated.has(i)) continue;
      let score = mean + values[user * width + k]! + values[i * width + k]!;
      for (let j = 0; j < k; j++) score += values[user * width + j]! * values[i * width + j]!;
      scores[i] = score;
    }
    return topIds(scores, top, 'desc').map((item) => ({ item: String(reader.labelOf(item)).slice(ITEM_PREFIX.length), score: scores[item]! }));
  } finally {
    reader.close();
  }
}

/** Items `user` rated: its out-edges, found by binary search in each partition (edges sorted by source). */
function ratedItems(reader: GraphReader, user: number): Set<number> {
  const items = new Set<number>();
  for (let p = 0; p < reader.meta.numPartitions; p++) {
    const { gids, src, dst } = reader.partition(p);
    const local = lowerBound(gids, user);
    if (gids[local] !== user) continue;
    for (let e = lowerBound(src, local); e < src.length && src[e] === local; e++) items.add(gids[dst[e]!]!);
  }
  if (items.size === 0) throw new GasError('GAS_ERR_CORRUPT', `recommend: user ${user} has ratings by its degree but none in the stored partitions`);
  return items;
}

function lowerBound(sorted: Uint32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
