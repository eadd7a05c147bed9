/**
 * `recommend`: users' top-K items from a finished ALS job — the items with the highest
 * predicted rating μ + b_u + b_i + x_uᵀ y_i under the job's stored factors (k factors and the bias
 * per vertex), among the items with at least `minRatings` ratings in the training graph,
 * optionally leaving out the items the user has rated already.
 *
 * A prediction may leave the scale of the ratings it was trained on (5.5 on a 0.5–5 scale): the
 * `score` is the prediction clamped to the training ratings' [min, max], found from the edge
 * weights, and items rank by the unclamped `prediction`, so clamping never reorders them.
 * Implicit-feedback jobs predict preferences, not ratings: their scores are not clamped.
 *
 * A `Recommender` serves many users from one read of the job: the candidate items' factors are
 * packed into one typed array and each user's scores fill one reused buffer, so all 610 users of
 * MovieLens' ml-latest-small take a fraction of a second.
 */
import { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { topIds } from './top-vertices.js';
import { GraphReader, graphDir, graphStoreDir, ITEM_PREFIX, readResults, USER_PREFIX, type Catalog, type JobRecord } from '../storage/index.js';

export const RECOMMEND_DEFAULTS = { top: 10, minRatings: 5, excludeRated: false };

export interface RecommenderOptions {
  /** Only items with at least this many ratings in the training graph (default 5; 1 = every item). */
  readonly minRatings?: number;
  /** Leave out items the user rated in the training graph. */
  readonly excludeRated?: boolean;
}

export interface RecommendQuery extends RecommenderOptions {
  /** The user's id as in the ratings file (`1`), or its vertex label (`u:1`). */
  readonly user: string;
  readonly top?: number;
}

export interface Recommendation {
  /** The item's id as in the ratings file. */
  readonly item: string;
  /** The prediction clamped to the rating scale (the prediction itself for implicit feedback). */
  readonly score: number;
  /** The model's prediction μ + b_u + b_i + x_uᵀ y_i. */
  readonly prediction: number;
}

/** The lowest and highest rating in the training graph. */
export interface RatingScale {
  readonly min: number;
  readonly max: number;
}

/** One user's recommendations. */
export function recommend(catalog: Catalog, jobId: string | number, query: RecommendQuery): Recommendation[] {
  const recommender = openRecommender(catalog, jobId, query);
  try {
    const user = recommender.user(query.user);
    recommender.load([user]);
    return recommender.top(user, query.top ?? RECOMMEND_DEFAULTS.top);
  } finally {
    recommender.close();
  }
}

export function openRecommender(catalog: Catalog, jobId: string | number, options: RecommenderOptions = {}): Recommender {
  const job = catalog.jobs.get(jobId);
  if (job.algorithm !== 'als') {
    throw new InvalidArgumentError(`recommend: job ${job.id} is a ${job.algorithm} job; recommend needs a finished ALS job (\`gasworks jobs\` lists them)`, {
      job: job.id,
    });
  }
  if (job.status !== 'succeeded') {
    throw new NotFoundError(`recommend: ALS job ${job.id} has no factors: it ${job.status === 'running' ? 'is still running' : `failed (${job.errorCode})`}`, {
      job: job.id,
    });
  }
  const minRatings = options.minRatings ?? RECOMMEND_DEFAULTS.minRatings;
  if (!Number.isSafeInteger(minRatings) || minRatings < 1) {
    throw new InvalidArgumentError(`recommend: --min-ratings must be a positive integer, got ${minRatings}`, { option: 'minRatings' });
  }
  let graph;
  try {
    graph = catalog.getGraph(job.graphId ?? '');
  } catch {
    throw new NotFoundError(`recommend: job ${job.id}'s graph "${job.graphName}" was dropped or replaced, and its factors with it`, { job: job.id });
  }
  const { meta, values } = readResults(graphDir(catalog.dataDir, graph.id), job.id);
  return new Recommender(
    job,
    graph.name,
    GraphReader.open(graphStoreDir(catalog.dataDir, graph)),
    values,
    meta.width,
    minRatings,
    options.excludeRated ?? false,
  );
}

export class Recommender {
  readonly job: JobRecord;
  readonly minRatings: number;
  readonly excludeRated: boolean;
  /** Items with at least `minRatings` ratings: the candidates. */
  readonly candidates: number;
  /** Items with fewer ratings, left out. */
  readonly leftOut: number;
  private readonly graphName: string;
  private readonly reader: GraphReader;
  private readonly factors: Float64Array;
  private readonly width: number;
  private readonly mean: number;
  private readonly implicit: boolean;
  private readonly outDegree: Uint32Array;
  /** Global id of each candidate item, ascending. */
  private readonly candidateIds: Uint32Array;
  /** Candidate index of each vertex, −1 for users and left-out items. */
  private readonly candidateOf: Int32Array;
  /** The candidates' factors, `width` per candidate, contiguous: the inner loop's only reads. */
  private readonly candidateFactors: Float64Array;
  /** Reused per user: each candidate's prediction (NaN: rated and excluded). */
  private readonly predictions: Float64Array;
  private ratingScale: RatingScale | null = null;
  /** Rated items (global ids) of the loaded users (`excludeRated`): `rated[ratedStart[u] …]`, outDegree[u] of them. */
  private ratedStart = new Int32Array(0);
  private rated = new Uint32Array(0);
  private loaded = false;

  constructor(job: JobRecord, graphName: string, reader: GraphReader, factors: Float64Array, width: number, minRatings: number, excludeRated: boolean) {
    this.job = job;
    this.graphName = graphName;
    this.reader = reader;
    this.factors = factors;
    this.width = width;
    this.minRatings = minRatings;
    this.excludeRated = excludeRated;
    this.mean = Number(job.summary?.globalMean ?? 0);
    this.implicit = job.options.implicit === true;
    const { outDegree, inDegree } = reader.degrees();
    this.outDegree = outDegree;
    const vertices = reader.meta.vertices;
    let items = 0;
    let candidates = 0;
    for (let v = 0; v < vertices; v++) {
      if (inDegree[v]! > 0) items++;
      if (inDegree[v]! >= minRatings) candidates++;
    }
    this.candidates = candidates;
    this.leftOut = items - candidates;
    this.candidateIds = new Uint32Array(candidates);
    this.candidateOf = new Int32Array(vertices).fill(-1);
    this.candidateFactors = new Float64Array(candidates * width);
    for (let v = 0, c = 0; v < vertices; v++) {
      if (inDegree[v]! < minRatings) continue;
      this.candidateIds[c] = v;
      this.candidateOf[v] = c;
      this.candidateFactors.set(factors.subarray(v * width, v * width + width), c * width);
      c++;
    }
    this.predictions = new Float64Array(candidates);
  }

  close(): void {
    this.reader.close();
  }

  /** The training ratings' [min, max] (after `load`), or null for implicit feedback, whose scores are not ratings. */
  get scale(): RatingScale | null {
    this.requireLoaded();
    return this.ratingScale;
  }

  /** The vertex id of a user given as in the ratings file (`1`) or by label (`u:1`), or −1. */
  findUser(user: string): number {
    const id = this.reader.idOf(user.startsWith(USER_PREFIX) ? user : USER_PREFIX + user);
    return id >= 0 && this.outDegree[id]! > 0 ? id : -1;
  }

  /** As `findUser`, or throws GAS_ERR_NOT_FOUND saying how users are named. */
  user(user: string): number {
    const id = this.findUser(user);
    if (id >= 0) return id;
    throw new NotFoundError(`recommend: ${this.describeMissingUser(user)}`, { user });
  }

  /** Why `user` is not a user of the graph, for messages: an item, or not there at all (with the label form). */
  describeMissingUser(user: string): string {
    if (user.startsWith(ITEM_PREFIX) && this.reader.idOf(user) >= 0) return `${JSON.stringify(user)} is an item of graph "${this.graphName}", not a user`;
    const first = this.firstUser();
    const example =
      first < 0
        ? ''
        : `; users are labelled ${USER_PREFIX}ID, e.g. ${JSON.stringify(String(this.reader.labelOf(first)).slice(USER_PREFIX.length))} or ${JSON.stringify(String(this.reader.labelOf(first)))}`;
    return `user ${JSON.stringify(user)} has no ratings in graph "${this.graphName}"${example}`;
  }

  /** Every user of the graph (vertices with ratings), in vertex-id order. */
  allUsers(): Uint32Array {
    const users: number[] = [];
    for (let v = 0; v < this.outDegree.length; v++) if (this.outDegree[v]! > 0) users.push(v);
    return Uint32Array.from(users);
  }

  /** The user's id as in the ratings file. */
  userName(user: number): string {
    return String(this.reader.labelOf(user)).slice(USER_PREFIX.length);
  }

  /**
   * One pass over the stored partitions before `top`: the rating scale (min and max edge
   * weight) and, with `excludeRated`, the rated items of `users` (the users `top` will be asked about).
   */
  load(users: ArrayLike<number>): void {
    const vertices = this.outDegree.length;
    // CSR of the wanted users' rated items: user u's run starts at ratedStart[u] (−1: not wanted).
    const ratedStart = new Int32Array(this.excludeRated ? vertices : 0).fill(-1);
    let total = 0;
    for (let i = 0; this.excludeRated && i < users.length; i++) {
      const user = users[i]!;
      if (ratedStart[user]! >= 0) continue;
      ratedStart[user] = total;
      total += this.outDegree[user]!;
    }
    const rated = new Uint32Array(total);
    const filled = new Uint32Array(total > 0 ? vertices : 0);
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < this.reader.meta.numPartitions; p++) {
      const { gids, src, dst, weight } = this.reader.partition(p);
      if (weight && !this.implicit) {
        for (let e = 0; e < weight.length; e++) {
          const w = weight[e]!;
          if (w < min) min = w;
          if (w > max) max = w;
        }
      }
      if (total === 0) continue;
      for (let e = 0; e < src.length; e++) {
        const user = gids[src[e]!]!;
        const start = ratedStart[user]!;
        if (start < 0) continue;
        rated[start + filled[user]!] = gids[dst[e]!]!;
        filled[user]!++;
      }
    }
    for (let i = 0; total > 0 && i < users.length; i++) {
      const user = users[i]!;
      if (filled[user] !== this.outDegree[user]) {
        throw new GasError(
          'GAS_ERR_CORRUPT',
          `recommend: user ${this.userName(user)} has ${this.outDegree[user]} ratings by its degree but ${filled[user]} in the stored partitions`,
        );
      }
    }
    this.ratedStart = ratedStart;
    this.rated = rated;
    this.ratingScale = this.implicit || min > max ? null : { min, max };
    this.loaded = true;
  }

  /** The user's `k` best items by prediction, best first. */
  top(user: number, k: number): Recommendation[] {
    this.requireLoaded();
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`recommend: --top must be a positive integer, got ${k}`, { option: 'top' });
    const { width, candidateFactors, predictions, factors } = this;
    const rank = width - 1;
    const userBase = user * width;
    const userTerm = this.mean + factors[userBase + rank]!;
    for (let c = 0, base = 0; c < predictions.length; c++, base += width) {
      let prediction = userTerm + candidateFactors[base + rank]!;
      for (let j = 0; j < rank; j++) prediction += factors[userBase + j]! * candidateFactors[base + j]!;
      predictions[c] = prediction;
    }
    if (this.excludeRated) {
      const start = this.ratedStart[user] ?? -1;
      if (start < 0) throw new InvalidArgumentError(`recommend: user ${this.userName(user)} was not among the users given to load()`);
      for (let r = start, end = start + this.outDegree[user]!; r < end; r++) {
        const c = this.candidateOf[this.rated[r]!]!;
        if (c >= 0) predictions[c] = NaN;
      }
    }
    const scale = this.ratingScale;
    return topIds(predictions, k, 'desc').map((c) => {
      const prediction = predictions[c]!;
      return {
        item: String(this.reader.labelOf(this.candidateIds[c]!)).slice(ITEM_PREFIX.length),
        score: scale ? Math.min(scale.max, Math.max(scale.min, prediction)) : prediction,
        prediction,
      };
    });
  }

  private requireLoaded(): void {
    if (!this.loaded) throw new InvalidArgumentError('recommend: Recommender.load(users) must run before scale and top');
  }

  private firstUser(): number {
    for (let v = 0; v < this.outDegree.length; v++) if (this.outDegree[v]! > 0) return v;
    return -1;
  }
}
