/**
 * ALS and ratings: the vertex program agrees with a plain sequential ALS (explicit with biases,
 * and implicit) on any partitioning and worker count; it recovers a planted low-rank matrix;
 * held-out RMSE handles cold-start users; `recommend` ranks by the model; every ratings dialect
 * reads the same, keeps users and items apart, and bad lines fail naming file:line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraphFile, jobResults, recommend, runJob } from '../src/api/index.js';
import type { GasError } from '../src/errors.js';
import { openTempCatalog, removeTempDirs, storedEdges, withReader, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';
import { seededRandom } from './helpers/generators.js';
import { alsOracle, type OracleRatings } from './helpers/als-oracle.js';
import { compilePackedCholeskySolve } from '../src/algorithms/support/cholesky.js';
import { openRecommender } from '../src/api/recommend.js';

const USERS = 80;
const ITEMS = 50;
const TRUE_RANK = 3;
const NOISE = 0.1;

let temp: TempCatalog;
let trainFile: string;
let testFile: string;
let planted: [number, number, number][];

/** Ratings 3 + b_u + b_i + x_uᵀy_i + noise, each (user, item) present with probability 0.4. */
function plantedRatings(seed: number): [number, number, number][] {
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const vector = (): number[] => Array.from({ length: TRUE_RANK }, () => gaussian() / Math.sqrt(TRUE_RANK));
  const users = Array.from({ length: USERS }, () => ({ x: vector(), b: 0.3 * gaussian() }));
  const items = Array.from({ length: ITEMS }, () => ({ y: vector(), b: 0.3 * gaussian() }));
  const ratings: [number, number, number][] = [];
  users.forEach((user, u) =>
    items.forEach((item, i) => {
      if (random() < 0.4) {
        const dot = user.x.reduce((sum, x, j) => sum + x * item.y[j]!, 0);
        ratings.push([u + 1, i + 1, 3 + user.b + item.b + dot + NOISE * gaussian()]);
      }
    }),
  );
  return ratings;
}

const csv = (rows: readonly [number | string, number | string, number | string][]): string =>
  `userId,movieId,rating,timestamp\n${rows.map(([u, i, r]) => `${u},${i},${r},964982703`).join('\n')}\n`;

beforeAll(async () => {
  temp = openTempCatalog();
  planted = plantedRatings(5);
  const random = seededRandom(9);
  const train = planted.filter(() => random() >= 0.1);
  const test = planted.filter((row) => !train.includes(row));
  trainFile = writeGraphFile(temp.inputDir, 'train.csv', csv(train));
  // Plus one rating by a user the training graph lacks (cold start).
  testFile = writeGraphFile(temp.inputDir, 'test.csv', csv([...test, [USERS + 7, 1, 4]]));
  await importGraphFile(temp.catalog, { file: trainFile, name: 'ratings', format: 'ratings', partitions: 4 });
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

/** The stored ratings in global ids, for the oracle. */
function storedRatings(name: string): OracleRatings {
  return withReader(temp.catalog, name, (reader) => {
    const user: number[] = [];
    const item: number[] = [];
    const rating: number[] = [];
    for (let p = 0; p < reader.meta.numPartitions; p++) {
      const { gids, src, dst, weight } = reader.partition(p);
      for (let e = 0; e < src.length; e++) {
        user.push(gids[src[e]!]!);
        item.push(gids[dst[e]!]!);
        rating.push(weight![e]!);
      }
    }
    return { numVertices: reader.meta.vertices, user, item, rating };
  });
}

function factorsOf(jobId: number): Float64Array {
  const rows = [...jobResults(temp.catalog, jobId).rows()];
  const width = (rows[0]!.value as number[]).length;
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, v) => out.set(row.value as number[], v * width));
  return out;
}

function expectClose(actual: Float64Array, expected: Float64Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tolerance);
}

describe('ALS against a sequential oracle', () => {
  const explicit = { rank: 3, regParam: 0.05, maxIterations: 6, seed: 4, biases: true };
  it.each([
    [1, true],
    [3, true],
    [2, false],
  ])('explicit with biases: %i worker(s) (in-process: %s) give the oracle factors', async (workers, inProcess) => {
    const job = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options: explicit, workers, inProcess });
    const oracle = alsOracle(storedRatings('ratings'), { ...explicit, iterations: explicit.maxIterations });
    expect(job.iterations).toBe(explicit.maxIterations);
    expect(job.globalMean).toBeCloseTo(oracle.mean, 12);
    expectClose(factorsOf(job.jobId), oracle.factors, 1e-8);
  });

  it('implicit (confidence 1 + α·r, a global Gram matrix per side) gives the oracle factors', async () => {
    const options = { rank: 3, regParam: 0.5, maxIterations: 4, seed: 2, biases: false, implicit: true, alpha: 2 };
    const job = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options, workers: 3, inProcess: true });
    const oracle = alsOracle(storedRatings('ratings'), { ...options, iterations: options.maxIterations });
    expectClose(factorsOf(job.jobId), oracle.factors, 1e-8);
  });

  it('implicit on 2 worker threads (the Gram vector aggregator crosses threads) gives the in-process factors', async () => {
    const options = { rank: 3, regParam: 0.5, maxIterations: 3, seed: 2, biases: false, implicit: true, alpha: 2 };
    const threads = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options, workers: 2 });
    const local = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options, inProcess: true });
    expect(threads.placement).toBe('threads');
    expectClose(factorsOf(threads.jobId), factorsOf(local.jobId), 1e-9);
  });

  it('is a pure function of the seed', async () => {
    const run = async (seed: number): Promise<Float64Array> =>
      factorsOf((await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options: { seed, maxIterations: 2 }, inProcess: true })).jobId);
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });
});

/** Training RMSE of the factors (k + 1 per vertex: factors, bias) over the stored ratings. */
function trainRmseOf(factors: Float64Array, ratings: OracleRatings, mean: number, k: number): number {
  let sse = 0;
  ratings.user.forEach((u, r) => {
    const i = ratings.item[r]!;
    let prediction = mean + factors[u * (k + 1) + k]! + factors[i * (k + 1) + k]!;
    for (let j = 0; j < k; j++) prediction += factors[u * (k + 1) + j]! * factors[i * (k + 1) + j]!;
    sse += (ratings.rating[r]! - prediction) ** 2;
  });
  return Math.sqrt(sse / ratings.user.length);
}

describe('ALS on the asynchronous engine (explicit ratings)', () => {
  const options = { rank: 3, regParam: 0.02, maxIterations: 15, tolerance: 1e-4, test: '' };
  it.each([
    ['1 worker', { inProcess: true }],
    ['2 threads, edge consistency', { workers: 2, consistency: 'edge' }],
  ])('%s: solves until no factor moves, and fits the planted matrix as well as 15 synchronous iterations', async (_name, placement) => {
    const ratings = storedRatings('ratings');
    const sync = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options: { ...options, test: testFile }, inProcess: true });
    const job = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', engine: 'async', options: { ...options, test: testFile }, ...placement });
    expect(job).toMatchObject({ engine: 'async', converged: true, stopReason: 'converged' });
    const syncRmse = trainRmseOf(factorsOf(sync.jobId), ratings, sync.globalMean as number, 3);
    const asyncRmse = trainRmseOf(factorsOf(job.jobId), ratings, job.globalMean as number, 3);
    expect(asyncRmse).toBeLessThan(2 * NOISE);
    expect(asyncRmse).toBeLessThan(syncRmse * 1.05);
    // The summary's figures: the users' error at their last solve, and the held-out RMSE of the final factors.
    expect((job.trainRmse as number[])[0]!).toBeCloseTo(asyncRmse, 2);
    expect((job.testRmse as number[])[0]!).toBeLessThan(0.3);
  });

  it("refuses --implicit, which needs a whole side's Gram matrix between half-steps", async () => {
    await expect(
      runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', engine: 'async', options: { implicit: true }, inProcess: true }),
    ).rejects.toMatchObject({ code: 'GAS_ERR_INVALID_ARGUMENT', message: expect.stringContaining('--engine sync'), details: { option: 'implicit' } });
  });
});

describe('ALS quality and reporting', () => {
  it('recovers the planted rank-3 matrix: training RMSE near the noise, held-out RMSE far below the spread', async () => {
    const job = await runJob(temp.catalog, {
      graph: 'ratings',
      algorithm: 'als',
      options: { rank: 3, regParam: 0.02, maxIterations: 15, test: testFile },
      inProcess: true,
    });
    const train = job.trainRmse as number[];
    const test = job.testRmse as number[];
    expect(train).toHaveLength(15);
    expect(test).toHaveLength(15);
    expect(train[14]!).toBeLessThan(train[0]!);
    expect(train[14]!).toBeLessThan(2 * NOISE);
    // The ratings' own spread is ≈ 0.8: a broken solve or a wrong update order lands far above.
    expect(test[14]!).toBeLessThan(0.3);
    expect(job.coldStartTestRatings).toBe(1);
  });

  it('held-out ratings reach worker threads intact (the spec is copied per worker, not transferred)', async () => {
    const options = { maxIterations: 2, test: testFile };
    const threads = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options, workers: 2 });
    const local = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options, inProcess: true });
    expect(threads.placement).toBe('threads');
    (threads.testRmse as number[]).forEach((rmse, i) => expect(rmse).toBeCloseTo((local.testRmse as number[])[i]!, 10));
  });

  it('held-out RMSE predicts cold-start users by the global mean plus the item bias', async () => {
    const coldFile = writeGraphFile(temp.inputDir, 'cold.csv', csv([[USERS + 7, 1, 4]]));
    const job = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options: { maxIterations: 2, test: coldFile }, inProcess: true });
    const [item] = [...jobResults(temp.catalog, job.jobId, { vertex: 'i:1' }).rows()];
    const bias = (item!.value as number[])[10]!;
    expect((job.testRmse as number[])[1]).toBeCloseTo(Math.abs(4 - ((job.globalMean as number) + bias)), 10);
  });

  it('recommend ranks items by predicted rating and can leave out what the user rated', async () => {
    const job = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options: { maxIterations: 3 }, inProcess: true });
    const all = recommend(temp.catalog, job.jobId, { user: '1', top: ITEMS, minRatings: 1 });
    const fresh = recommend(temp.catalog, job.jobId, { user: '1', top: ITEMS, excludeRated: true, minRatings: 1 });
    const rated = new Set(
      storedEdges(temp.catalog, 'ratings')
        .edges.filter((e) => e.startsWith('u:1>'))
        .map((e) => e.slice(4).split(':')[1]),
    );
    expect(rated.size).toBeGreaterThan(0);
    expect(all.length).toBe(new Set(planted.filter((r) => r[0] !== USERS + 7).map((r) => r[1])).size);
    expect(fresh.map((r) => r.item).sort()).toEqual(
      all
        .map((r) => r.item)
        .filter((i) => !rated.has(i))
        .sort(),
    );
    for (let r = 1; r < all.length; r++) expect(all[r - 1]!.score).toBeGreaterThanOrEqual(all[r]!.score);
    // The score is the model's prediction from the stored factors.
    const [user] = [...jobResults(temp.catalog, job.jobId, { vertex: 'u:1' }).rows()];
    const [item] = [...jobResults(temp.catalog, job.jobId, { vertex: `i:${all[0]!.item}` }).rows()];
    const x = user!.value as number[];
    const y = item!.value as number[];
    const prediction = (job.globalMean as number) + x[10]! + y[10]! + x.slice(0, 10).reduce((s, v, j) => s + v * y[j]!, 0);
    expect(all[0]!.prediction).toBeCloseTo(prediction, 10);
    expect(() => recommend(temp.catalog, job.jobId, { user: '9999' })).toThrow(/no ratings/);
  });

  it('refuses a graph that holds no ratings', async () => {
    const plain = writeGraphFile(temp.inputDir, 'plain.txt', '1 2\n2 3\n');
    await importGraphFile(temp.catalog, { file: plain, name: 'plain' });
    await expect(runJob(temp.catalog, { graph: 'plain', algorithm: 'als', inProcess: true })).rejects.toMatchObject({
      code: 'GAS_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('--format ratings'),
    });
  });
});

describe('packed Cholesky solve', () => {
  it.each([1, 5, 33, 40])('order %i (unrolled up to 33, loops beyond): M·x = b for a random SPD M; a non-PD M is refused', (d) => {
    const random = seededRandom(d);
    const b = Array.from({ length: d }, () => Array.from({ length: d }, () => random() - 0.5));
    // M = BᵀB + I, packed upper triangle, then the right-hand side.
    const full = (i: number, j: number): number => b.reduce((sum, row) => sum + row[i]! * row[j]!, 0) + (i === j ? 1 : 0);
    const packed = (d * (d + 1)) / 2;
    const t = new Float64Array(packed + d);
    for (let i = 0, at = 0; i < d; i++) for (let j = i; j < d; j++) t[at++] = full(i, j);
    const rhs = Array.from({ length: d }, () => random());
    t.set(rhs, packed);
    const x = new Float64Array(d);
    const solve = compilePackedCholeskySolve(d);
    expect(solve(t, null, 0, x)).toBe(true);
    for (let i = 0; i < d; i++) expect(Array.from(x).reduce((sum, xj, j) => sum + full(i, j) * xj, 0)).toBeCloseTo(rhs[i]!, 9);
    // The ridge and the extra matrix are added to M.
    const extra = new Float64Array(packed).fill(0);
    for (let i = 0, at = 0; i < d; i++) for (let j = i; j < d; j++, at++) if (i === j) extra[at] = 2;
    expect(solve(t, extra, 3, x)).toBe(true);
    for (let i = 0; i < d; i++) expect(Array.from(x).reduce((sum, xj, j) => sum + (full(i, j) + (i === j ? 5 : 0)) * xj, 0)).toBeCloseTo(rhs[i]!, 9);
    expect(solve(t, null, -1e9, x)).toBe(false);
  });
});

describe('ratings import', () => {
  const rows: [number, number, number][] = [
    [1, 1, 5],
    [1, 2, 3.5],
    [2, 1, 4],
    [3, 7, 1],
  ];
  const dialects: Record<string, string> = {
    'ratings.csv': csv(rows),
    'ratings.dat': rows.map(([u, i, r]) => `${u}::${i}::${r}::964982703`).join('\n'),
    'u.data': rows.map(([u, i, r]) => `${u}\t${i}\t${r}\t881250949`).join('\n'),
    'ratings.tsv': rows.map(([u, i, r]) => `${u} ${i} ${r}`).join('\n'),
    'ratings.mtx': `%%MatrixMarket matrix coordinate real general\n% users × items\n3 7 4\n${rows.map((row) => row.join(' ')).join('\n')}\n`,
  };

  it('reads every dialect as the same bipartite graph, user 1 and item 1 apart', async () => {
    const seen: string[] = [];
    for (const [name, text] of Object.entries(dialects)) {
      const file = writeGraphFile(temp.inputDir, name, text);
      const { graph } = await importGraphFile(temp.catalog, { file, name: `d-${name.replace(/\W/g, '')}`, format: 'ratings' });
      expect(graph).toMatchObject({ vertices: 6, edges: 4, directed: true, weighted: true });
      seen.push(JSON.stringify(storedEdges(temp.catalog, graph.name).edges));
    }
    expect(new Set(seen).size).toBe(1);
    expect(JSON.parse(seen[0]!)).toEqual(['u:1>i:1:5', 'u:1>i:2:3.5', 'u:2>i:1:4', 'u:3>i:7:1']);
  });

  it.each([
    [
      'rating.csv',
      csv([
        [1, 1, 5],
        [2, 3, 'abc'],
      ]),
      ':3: rating is not a number',
    ],
    ['short.csv', 'userId,movieId,rating\n1,2\n', ':2: expected user, item and rating columns'],
    ['count.mtx', '%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 5\n2 2 4\n', ':4: the size line declares 3 ratings but the file has 2'],
    ['range.mtx', '%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 5\n3 2 4\n', ':4: row (user) index out of range 1..2'],
    ['pattern.mtx', '%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n', ':1: ratings in Matrix Market must be'],
  ])('%s: a clear file:line error, and nothing stored', async (name, text, problem) => {
    const file = writeGraphFile(temp.inputDir, name, text);
    const before = temp.catalog.listGraphs().length;
    const error = (await importGraphFile(temp.catalog, { file, name: 'bad', format: 'ratings' }).catch((e: unknown) => e)) as GasError;
    expect(error.code).toBe('GAS_ERR_PARSE');
    expect(error.message).toContain(`${file}${problem}`);
    expect(temp.catalog.listGraphs().length).toBe(before);
  });
});

describe('recommend for many users', () => {
  it('filters items by their number of ratings, clamps to the ratings’ range, and serves every user as one-user calls do', async () => {
    const job = await runJob(temp.catalog, { graph: 'ratings', algorithm: 'als', options: { maxIterations: 3 }, inProcess: true });
    const { user, item, rating } = storedRatings('ratings');
    const count = new Map<number, number>();
    for (const i of item) count.set(i, (count.get(i) ?? 0) + 1);
    const counts = [...count.values()].sort((a, b) => a - b);
    const minRatings = counts[counts.length >> 1]!; // the median: about half the items left out
    const recommender = openRecommender(temp.catalog, job.jobId, { minRatings, excludeRated: true });
    try {
      const users = recommender.allUsers();
      expect(users.length).toBe(new Set(user).size);
      recommender.load(users);
      expect(recommender.candidates).toBe(counts.filter((c) => c >= minRatings).length);
      expect(recommender.leftOut).toBe(counts.filter((c) => c < minRatings).length);
      expect(recommender.scale).toEqual({ min: Math.min(...rating), max: Math.max(...rating) });
      const labels = withReader(temp.catalog, 'ratings', (reader) => Array.from({ length: reader.meta.vertices }, (_, id) => String(reader.labelOf(id))));
      const label = (id: number): string => labels[id]!;
      const allowed = new Set([...count].filter(([, c]) => c >= minRatings).map(([i]) => label(i).slice(2)));
      for (const u of users) {
        const name = recommender.userName(u);
        const rows = recommender.top(u, 5);
        expect(rows).toEqual(recommend(temp.catalog, job.jobId, { user: name, top: 5, minRatings, excludeRated: true }));
        const rated = new Set(item.filter((_, e) => user[e] === u).map((i) => label(i).slice(2)));
        for (const row of rows) {
          expect(allowed.has(row.item) && !rated.has(row.item)).toBe(true);
          expect(row.score).toBe(Math.min(recommender.scale!.max, Math.max(recommender.scale!.min, row.prediction)));
        }
      }
    } finally {
      recommender.close();
    }
  });
});
