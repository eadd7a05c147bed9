/**
 * Alternating least squares for matrix factorisation on a ratings graph (users → items, rating
 * on the edge; `import --format ratings`). Predicts r(u, i) ≈ μ + b_u + b_i + x_uᵀ y_i with μ the
 * global mean rating, optional biases b (`biases`), and rank-k factors x, y.
 *
 * Each iteration is two steps: users solve for (x_u, b_u) with the items fixed, then items solve
 * with the users fixed. A vertex gathers, over its ratings, the normal equations of its least
 * squares problem — the packed upper triangle of Σ z zᵀ (z = the neighbour's factor, plus 1 for
 * its own bias), Σ t z (t = r − μ − b_neighbour) and Σ t² — into one vector accumulator, with no
 * allocation per edge; apply adds the regulariser and solves by Cholesky:
 *
 *   explicit (ALS-WR, Zhou, Wilkinson, Schreiber & Pan 2008):  (Σ z zᵀ + λ·n_u·I) w = Σ t z
 *   implicit (Hu, Koren & Volinsky 2008), c = 1 + α·r, p = 1:  (ZᵀZ + Σ (c−1) z zᵀ + λ·I) w = Σ c z
 *
 * with n_u the vertex's number of ratings and ZᵀZ the fixed side's whole Gram matrix (a vector
 * aggregator). The training error of the new factors follows from the same sums,
 * Σ (t − wᵀz)² = Σ t² − 2 wᵀ(Σ t z) + wᵀ(Σ z zᵀ) w, so RMSE costs no extra pass.
 *
 * Under `--engine async` (explicit ratings only) every vertex solves with its neighbours' latest
 * factors, block coordinate descent on the same objective (Gauss–Seidel order instead of
 * alternating halves), and tells its neighbours to update only when its factors moved by more
 * than `tolerance` (the largest change of a factor or the bias): the run ends when no change is
 * left that large. Edge consistency keeps each solve reading factors no neighbour is writing.
 *
 * Options (defaults): rank 10; regParam 0.15 (λ: the best held-out RMSE of 0.05–0.3 on a
 * MovieLens split, see bench/als.ts); maxIterations 10; seed 1 (initial factors, uniform in
 * [0, 1/√k)); biases true (`--no-biases`: held-out RMSE 0.869 against 0.845 there); implicit
 * false; alpha 1; test '' (a ratings file of held-out ratings, whose RMSE is reported after every
 * iteration; users or items the graph lacks are predicted by μ plus the known bias); tolerance
 * 1e-3 (asynchronous runs only). The result
 * column `factor` holds k factors and the bias per vertex; `gasworks recommend` ranks items by it.
 *
 * Example: `gasworks run als --graph ml --rank 20 --test ml-test.csv`.
 */
import { readTestRatings, type TestRatings } from './support/test-ratings.js';
import { compilePackedCholeskySolve } from './support/cholesky.js';
import { unitHash } from './support/unit-hash.js';
import { InvalidArgumentError } from '../errors.js';
import { defineAlgorithm, defineProgram, type StepReport } from '../engine/index.js';

export const ALS_OPTIONS = {
  rank: { default: 10, min: 1, max: 200, integer: true, description: 'factors per user and item (k)', aliases: ['k', 'numFactors', 'factors'] },
  regParam: { default: 0.15, min: 0, description: "λ, scaled by each vertex's number of ratings (ALS-WR)", aliases: ['lambda', 'regularization'] },
  maxIterations: {
    default: 10,
    min: 1,
    integer: true,
    description: 'iterations (each updates users, then items); no convergence test',
    aliases: ['maxIter', 'numIterations'],
  },
  seed: { default: 1, min: 0, integer: true, description: 'seed of the initial factors' },
  biases: { default: true, description: 'learn a bias per user and item (--no-biases: factors only)' },
  implicit: { default: false, description: 'treat ratings as confidence (Hu, Koren & Volinsky) instead of values to fit', aliases: ['implicitPrefs'] },
  alpha: { default: 1, min: 0, description: 'confidence per unit of rating with --implicit (c = 1 + α·r)' },
  test: { default: '', description: 'a ratings file of held-out ratings; its RMSE is reported after every iteration' },
  tolerance: {
    default: 1e-3,
    min: 0,
    description: '--engine async: a vertex tells its neighbours to update when its factors moved by more than this (largest change)',
  },
};

interface Prepared {
  readonly rank: number;
  readonly regParam: number;
  readonly seed: number;
  readonly biases: boolean;
  readonly implicit: boolean;
  readonly alpha: number;
  readonly mean: number;
  readonly numRatings: number;
  readonly test: TestRatings | null;
  readonly tolerance: number;
  /** Running on the asynchronous engine: every vertex solves when signalled, no alternating halves. */
  readonly dynamic: boolean;
}

export default defineAlgorithm({
  name: 'als',
  description: 'Matrix factorisation by alternating least squares (ALS-WR; --implicit for Hu-Koren-Volinsky)',
  options: ALS_OPTIONS,
  gathers: 'all',
  stepsPerIteration: 2,
  fixedIterations: true,
  topOrder: 'none',
  resultComponents: (width) => [...Array.from({ length: width - 1 }, (_, j) => `factor_${j}`), 'bias'],
  async prepare(options, graph): Promise<Prepared> {
    if (!graph.directed || !graph.weighted || graph.numEdges === 0) {
      throw new InvalidArgumentError('als: the graph must hold ratings (user → item edges with the rating as weight: import it with --format ratings)', {
        option: 'graph',
      });
    }
    const dynamic = graph.engine === 'async';
    if (dynamic && options.implicit) {
      throw new InvalidArgumentError(
        "als: --implicit solves with the other side's whole Gram matrix, an aggregate over a finished half-step that an asynchronous run never has; run it with --engine sync",
        { option: 'implicit' },
      );
    }
    const mean = options.implicit ? 0 : graph.totalWeight / graph.numEdges;
    const test = options.test === '' ? null : await readTestRatings(options.test, graph);
    return { ...options, mean, numRatings: graph.numEdges, test, dynamic };
  },
  create({ rank: k, regParam, seed, biases, implicit, alpha, mean, tolerance, dynamic }: Prepared) {
    const d = k + (biases ? 1 : 0); // unknowns per vertex
    const width = k + 1; // stored per vertex: factors, bias
    const packed = (d * (d + 1)) / 2;
    const scale = 1 / Math.sqrt(k);
    // Scratch of this program instance (one per worker): no allocation per edge or vertex.
    const addNormalEquations = compileNormalEquations(k, biases);
    const solve = compilePackedCholeskySolve(d);
    const w = new Float64Array(d);
    const isUser = (state: { outDegree: Uint32Array }, v: number): boolean => state.outDegree[v]! > 0;
    /** Users update in even steps, items in odd ones; iteration −1 (init) precedes a user step. */
    const updatesUsers = (iteration: number): boolean => (iteration & 1) === 0;

    return defineProgram({
      name: 'als',
      // `moved`: asynchronously, whether the last solve changed the factors by more than the tolerance.
      vertexColumns: { factor: ['f64', width], sqerr: 'f64', moved: 'u8' },
      mirrorColumns: dynamic ? ['factor', 'moved'] : ['factor'],
      ...(dynamic && { asynchronous: true }),
      gatherEdges: 'all',
      scatterEdges: 'all',
      initiallyActive: 'signaled',
      accumulatorWidth: packed + d + 1,
      result: 'factor',
      init(state, v, ctx) {
        const id = ctx.globalId(v);
        for (let j = 0; j < k; j++) state.factor[v * width + j] = unitHash(seed, id, j) * scale;
        state.factor[v * width + k] = 0;
        state.sqerr[v] = 0;
        if (isUser(state, v)) ctx.signal(v);
      },
      gatherInto(state, _self, neighbor, edge, total, offset) {
        const base = neighbor * width;
        const rating = state.weight[edge]!;
        if (implicit) {
          // (c − 1) z zᵀ and c·p·z with c = 1 + α·r, p = 1.
          addNormalEquations(state.factor, base, total, offset, alpha * rating, 1 + alpha * rating, 0);
        } else {
          const target = rating - mean - (biases ? state.factor[base + k]! : 0);
          addNormalEquations(state.factor, base, total, offset, 1, target, target * target);
        }
      },
      apply(state, v, total, ctx) {
        const ratings = state.outDegree[v]! + state.inDegree[v]!;
        if (ratings === 0) return;
        // M = Σ z zᵀ (+ the fixed side's Gram matrix, implicit) + λ·(n or 1)·I, solved from the packed sums.
        const ridge = implicit ? regParam : regParam * ratings;
        state.moved[v] = 0;
        if (!solve(total, implicit ? ctx.aggregateVector('gram') : null, ridge, w)) return; // not positive definite (λ = 0, too few ratings): keep the old factors
        let change = 0;
        for (let j = 0; j < k; j++) {
          change = Math.max(change, Math.abs(w[j]! - state.factor[v * width + j]!));
          state.factor[v * width + j] = w[j]!;
        }
        const bias = biases ? w[k]! : 0;
        change = Math.max(change, Math.abs(bias - state.factor[v * width + k]!));
        state.factor[v * width + k] = bias;
        state.moved[v] = change > tolerance ? 1 : 0;
        if (!implicit) {
          // Σ (t − wᵀz)² from the sums: Σt² − 2 wᵀ(Σ t z) + wᵀ(Σ z zᵀ) w.
          let quadratic = 0;
          let at = 0;
          for (let a = 0; a < d; a++) {
            quadratic += total[at++]! * w[a]! * w[a]!;
            for (let b = a + 1; b < d; b++) quadratic += 2 * total[at++]! * w[a]! * w[b]!;
          }
          let linear = 0;
          for (let a = 0; a < d; a++) linear += w[a]! * total[packed + a]!;
          state.sqerr[v] = Math.max(0, total[packed + d]! - 2 * linear + quadratic);
        }
      },
      scatter(state, self, neighbor, _edge, ctx) {
        if (!dynamic || state.moved[self] === 1) ctx.signal(neighbor);
      },
      aggregators: {
        // Squared training error of the side updated in this step (with the other side as it
        // was); asynchronously, of the users at their last solve.
        sse: {
          map: (state, v, ctx) =>
            state.outDegree[v]! + state.inDegree[v]! > 0 && isUser(state, v) === (dynamic || updatesUsers(ctx.iteration)) ? state.sqerr[v]! : 0,
          sum: (a, b) => a + b,
          zero: 0,
        },
        // Implicit: the Gram matrix Σ z zᵀ (packed) of the side fixed in the next step —
        // items before a user step, users before an item step.
        ...(implicit
          ? {
              gram: {
                width: packed,
                mapInto: (
                  state: { factor: Float64Array; outDegree: Uint32Array; inDegree: Uint32Array },
                  v: number,
                  ctx: { iteration: number },
                  out: Float64Array,
                ) => {
                  if (state.outDegree[v]! + state.inDegree[v]! === 0 || isUser(state, v) === updatesUsers(ctx.iteration + 1)) return;
                  let at = 0;
                  for (let a = 0; a < d; a++) {
                    const za = a < k ? state.factor[v * width + a]! : 1;
                    for (let b = a; b < d; b++) out[at++]! += za * (b < k ? state.factor[v * width + b]! : 1);
                  }
                },
              },
            }
          : {}),
      },
    });
  },
  evaluation: {
    every: 2,
    evaluate(prepared, factors): Record<string, number> {
      return prepared.test ? { testRmse: testRmse(prepared, factors) } : {};
    },
  },
  summarize(prepared, run) {
    if (prepared.dynamic) {
      // The users' errors at their last solve: each rating once, against the item factors of that moment.
      return {
        globalMean: prepared.mean,
        trainRmse: [Math.sqrt((run.aggregates.sse ?? NaN) / prepared.numRatings)],
        testRmse: prepared.test ? run.evaluations.map((evaluation) => evaluation.figures.testRmse!) : [],
        testRatings: prepared.test?.rating.length ?? 0,
        coldStartTestRatings: prepared.test?.coldStart ?? 0,
      };
    }
    const iterationMs: number[] = [];
    const trainRmse: number[] = [];
    for (let s = 1; s < run.steps.length; s += 2) {
      iterationMs.push(run.steps[s - 1]!.ms + run.steps[s]!.ms);
      if (!prepared.implicit) trainRmse.push(Math.sqrt(sseOf(run.steps[s]!) / prepared.numRatings));
    }
    const meanMs = iterationMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, iterationMs.length);
    return {
      globalMean: prepared.mean,
      trainRmse,
      testRmse: prepared.test ? run.evaluations.map((evaluation) => evaluation.figures.testRmse!) : [],
      ratingsPerSecond: meanMs > 0 ? (prepared.numRatings / meanMs) * 1000 : 0,
      testRatings: prepared.test?.rating.length ?? 0,
      coldStartTestRatings: prepared.test?.coldStart ?? 0,
    };
  },
});

function sseOf(step: StepReport): number {
  return step.aggregates.sse ?? NaN;
}

/** RMSE of the held-out ratings under the factors (k + 1 values per vertex: factors, bias). */
export function testRmse(prepared: Pick<Prepared, 'rank' | 'mean' | 'test'>, factors: Float64Array): number {
  const { rank: k, mean, test } = prepared;
  if (!test || test.rating.length === 0) return NaN;
  const width = k + 1;
  let sse = 0;
  for (let r = 0; r < test.rating.length; r++) {
    const u = test.user[r]!;
    const i = test.item[r]!;
    let prediction = mean;
    if (u >= 0) prediction += factors[u * width + k]!;
    if (i >= 0) prediction += factors[i * width + k]!;
    if (u >= 0 && i >= 0) for (let j = 0; j < k; j++) prediction += factors[u * width + j]! * factors[i * width + j]!;
    const error = test.rating[r]! - prediction;
    sse += error * error;
  }
  return Math.sqrt(sse / test.rating.length);
}

/**
 * The per-rating update of the normal equations, generated for this rank: with z the
 * neighbour's factors (`f[base …]`, plus a constant 1 for the bias when `biases`), adds
 * weight·z zᵀ (packed upper triangle), target·z and `squared` into `t[o …]`. Written out
 * term by term with z in locals: measured 136 against 450 ns per rating at rank 10 for the same
 * two nested loops over a scratch vector (2-core VM, isolated loop).
 */
type NormalEquationsUpdate = (f: Float64Array, base: number, t: Float64Array, o: number, weight: number, target: number, squared: number) => void;

function compileNormalEquations(k: number, biases: boolean): NormalEquationsUpdate {
  const d = k + (biases ? 1 : 0);
  const packed = (d * (d + 1)) / 2;
  const lines: string[] = [];
  for (let j = 0; j < k; j++) lines.push(`const z${j} = f[base + ${j}];`);
  for (let a = 0; a < d; a++) lines.push(`const w${a} = ${a < k ? `z${a} * weight` : 'weight'};`);
  let at = 0;
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) lines.push(`t[o + ${at++}] += ${b < k ? `w${a} * z${b}` : `w${a}`};`);
  for (let a = 0; a < d; a++) lines.push(`t[o + ${packed + a}] += ${a < k ? `target * z${a}` : 'target'};`);
  lines.push(`t[o + ${packed + d}] += squared;`);
  return new Function('f', 'base', 't', 'o', 'weight', 'target', 'squared', lines.join('\n')) as NormalEquationsUpdate;
}
