/**
 * Latent Dirichlet allocation by collapsed Gibbs sampling (Griffiths & Steyvers, PNAS 2004) on a
 * document → word graph whose edge weights are token counts (`import --format uci | lda-c`).
 * Each token's topic lives on its edge (`topic`, one value per unit of weight); documents and
 * words keep their topic counts n_dk, n_wk (`counts`); the global topic totals n_k are a vector
 * aggregator over the words.
 *
 * One step per iteration, synchronous (AD-LDA, Newman, Asuncion, Smyth & Welling, JMLR 2009,
 * with one token per processor): gather recounts each vertex's topics from its edges, apply
 * stores the counts, and scatter — documents, over their out-edges — resamples every token from
 *
 *   p(z = k) ∝ (n_dk¬ + α)(n_wk¬ + β) / (n_k¬ + W·β)
 *
 * with the counts of the step (¬: without the token's own current topic). Tokens start
 * unassigned and the first scatter draws them from the uniform prior. Two samplers:
 *
 * - `exact`: the O(K) inversion of the conditional above. A document's n_dk + α and a word's
 *   q_w(k) = (n_wk + β)/(n_k + Wβ) are computed once per step (the scatter visits a document's
 *   edges one after another, and caches each word's row on first use), so a token costs K
 *   multiply-adds and a search.
 * - `mh`: Metropolis–Hastings with a cost per token that does not grow with K (LightLDA, Yuan et
 *   al., WWW 2015): `mhSteps` rounds of a word proposal q_w(k), drawn in O(1) from the word's
 *   alias table (built once per step), and a document proposal ∝ n_dk + α, drawn by picking one
 *   of the document's tokens (or, with weight Kα, a uniform topic). Each proposal is accepted
 *   with min(1, p(t) q(s) / (p(s) q(t))). The proposals are built from the same counts as the
 *   target, so they are exact up to the token's own assignment and acceptance stays high.
 * - `auto` (default) picks `mh` from K = MH_FROM_TOPICS topics, where it overtakes `exact`.
 *
 * Draws hash (seed, global document, global word, token, iteration), so results depend only on
 * the seed, not on the partitioning or the worker count.
 *
 * The training log-likelihood per token, (1/N) Σ c_dw · log Σ_k θ_dk φ_kw with posterior means
 * θ_dk = (n_dk + α)/(n_d + Kα) and φ_kw = (n_wk + β)/(n_k + Wβ), is written per edge by the
 * scatter — whose exact sampler has Σ_k (n_dk + α) q_w(k) in hand anyway, and whose MH sampler
 * splits it into α Σ_k q_w(k) (once per word) plus a sum over the document's non-zero topics — and
 * summed by an edge aggregator. The summary reports it per iteration (`logLikelihoodPerToken`)
 * with `tokensPerSecond` (the median step).
 *
 * Options (defaults): topics 20 (K), alpha 0 (= 50/K, Griffiths & Steyvers), beta 0.1,
 * maxIterations 100, seed 1, sampler auto (exact | mh | auto), mhSteps 2. The result column
 * `counts` holds each vertex's topic counts; `gasworks results` shows them as document–topic
 * mixtures θ_d and topic–word probabilities φ_·w, `gasworks topics <job>` each topic's top words.
 *
 * Example: `gasworks run lda --graph kos --topics 20 --max-iterations 300`.
 */
import { buildAliasTable, drawAlias } from './support/alias-table.js';
import { unitHash } from './support/unit-hash.js';
import { InvalidArgumentError } from '../errors.js';
import { defineAlgorithm, defineProgram, type ProgramContext } from '../engine/index.js';
import { hashPair, mix32 } from '../partition/hash.js';

export const LDA_DEFAULTS = { topics: 20, alpha: 0, beta: 0.1, maxIterations: 100, seed: 1, sampler: 'auto' as string, mhSteps: 2 };
export const LDA_SAMPLERS = ['auto', 'exact', 'mh'] as const;
/** From this many topics `auto` samples by Metropolis–Hastings (measured: bench/lda.ts --sampler). */
export const MH_FROM_TOPICS = 100;

const UNASSIGNED = 0xffff;
const TWO_TO_MINUS_32 = 2.3283064365386963e-10;

interface Prepared {
  readonly topics: number;
  readonly alpha: number;
  readonly beta: number;
  readonly seed: number;
  readonly tokens: number;
  readonly sampler: 'exact' | 'mh';
  readonly mhSteps: number;
}

/** Marsaglia's xorshift32 step (never maps a non-zero state to zero). */
function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  return x ^ (x << 5);
}

export default defineAlgorithm({
  name: 'lda',
  description: 'Topic model by collapsed Gibbs sampling (document → word graph, token counts on edges)',
  defaults: LDA_DEFAULTS,
  gathers: 'all',
  topOrder: 'none',
  validate(options, check) {
    check.number('topics', options.topics, { min: 1, max: UNASSIGNED - 1, integer: true });
    check.number('alpha', options.alpha, { min: 0 });
    check.number('beta', options.beta, { min: 0, minExclusive: true });
    check.number('seed', options.seed, { min: 0, integer: true });
    check.oneOf('sampler', options.sampler, LDA_SAMPLERS);
    check.number('mhSteps', options.mhSteps, { min: 1, integer: true });
  },
  prepare(options, graph): Prepared {
    if (!graph.directed || !graph.weighted || graph.numEdges === 0) {
      throw new InvalidArgumentError('lda: the graph must be a document → word corpus with token counts (import it with --format uci or lda-c)', {
        option: 'graph',
      });
    }
    const alpha = options.alpha > 0 ? options.alpha : 50 / options.topics;
    const sampler = options.sampler === 'auto' ? (options.topics >= MH_FROM_TOPICS ? 'mh' : 'exact') : (options.sampler as 'exact' | 'mh');
    return { topics: options.topics, alpha, beta: options.beta, seed: options.seed, tokens: graph.totalWeight, sampler, mhSteps: options.mhSteps };
  },
  create({ topics: K, alpha, beta, seed, sampler, mhSteps }: Prepared) {
    const mh = sampler === 'mh';
    const alphaSum = K * alpha;
    // Per step: 1/(n_k + Wβ) and 1/(n_k − 1 + Wβ), and whether any token is assigned yet.
    let step = NaN;
    let generation = 0;
    const inverse = new Float64Array(K);
    const inverseOwn = new Float64Array(K);
    let assigned = false;
    // Per document (the scatter visits a document's out-edges one after another): n_dk + α, its
    // length, its non-zero topics, and (mh) its tokens' topics in topic order.
    let doc = -1;
    let docLength = 0;
    const docWeights = new Float64Array(K);
    const nonzeroTopics = new Int32Array(K);
    const nonzeroCounts = new Float64Array(K);
    let nonzero = 0;
    let docTokens = new Uint16Array(0);
    // Per word, built on its first edge in a step: q_w(k) = (n_wk + β)/(n_k + Wβ) at row w·K, its
    // sum, and (mh) its alias table.
    let rowGeneration = new Int32Array(0);
    let wordRows = new Float64Array(0);
    let wordSums = new Float64Array(0);
    let prob = new Float32Array(0);
    let alias = new Uint16Array(0);
    const small = new Int32Array(K);
    const large = new Int32Array(K);
    const scaled = new Float64Array(K);
    const cumulative = new Float64Array(K);

    /** The first topic from `k` whose cumulative weight exceeds x (the last one if rounding leaves none). */
    function searchCumulative(x: number, k: number): number {
      while (k < K - 1 && cumulative[k]! <= x) k++;
      return k;
    }

    /**
     * A draw from the cumulative weights with topic `old`'s weight replaced by `own` (the token's
     * own weight without itself), total `sum` − w_old + own: below old's interval the cumulative
     * weights are unchanged, above it they are shifted by own − w_old.
     */
    function drawExcluding(u: number, old: number, own: number, sum: number): number {
      const before = old === 0 ? 0 : cumulative[old - 1]!;
      const x = u * (sum - (cumulative[old]! - before) + own);
      if (x < before) return searchCumulative(x, 0);
      if (x < before + own || old === K - 1) return old;
      return searchCumulative(x - own + cumulative[old]! - before, old + 1);
    }

    function startStep(ctx: ProgramContext, vertices: number): void {
      step = ctx.iteration;
      generation++;
      doc = -1;
      const totals = ctx.aggregateVector('topics');
      const wBeta = ctx.aggregate('words') * beta;
      assigned = false;
      for (let k = 0; k < K; k++) {
        inverse[k] = 1 / (totals[k]! + wBeta);
        inverseOwn[k] = 1 / (totals[k]! - 1 + wBeta);
        if (totals[k]! > 0) assigned = true;
      }
      if (rowGeneration.length !== vertices) {
        rowGeneration = new Int32Array(vertices);
        wordRows = new Float64Array(vertices * K);
        wordSums = new Float64Array(vertices);
        if (mh) {
          prob = new Float32Array(vertices * K);
          alias = new Uint16Array(vertices * K);
        }
      }
    }

    function loadDocument(counts: Float64Array, d: number): void {
      doc = d;
      const from = d * K;
      let length = 0;
      nonzero = 0;
      for (let k = 0; k < K; k++) {
        const c = counts[from + k]!;
        docWeights[k] = c + alpha;
        length += c;
        if (c > 0) {
          nonzeroTopics[nonzero] = k;
          nonzeroCounts[nonzero++] = c;
        }
      }
      docLength = length;
      if (!mh) return;
      if (docTokens.length < length) docTokens = new Uint16Array(Math.max(length, 2 * docTokens.length));
      let at = 0;
      for (let j = 0; j < nonzero; j++) docTokens.fill(nonzeroTopics[j]!, at, (at += nonzeroCounts[j]!));
    }

    function loadWord(counts: Float64Array, w: number): void {
      rowGeneration[w] = generation;
      const from = w * K;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const q = (counts[from + k]! + beta) * inverse[k]!;
        wordRows[from + k] = q;
        sum += q;
      }
      wordSums[w] = sum;
      if (mh) buildAliasTable(wordRows, from, K, sum, prob, alias, from, small, large, scaled);
    }

    return defineProgram({
      name: 'lda',
      vertexColumns: { counts: ['f64', K] },
      mirrorColumns: ['counts'],
      edgeColumns: { topic: ['u16', 'perWeightUnit'], ll: 'f64' },
      gatherEdges: 'all',
      scatterEdges: 'out',
      alwaysActive: true,
      accumulatorWidth: K,
      result: 'counts',
      initEdge(state, e) {
        state.topic.fill(UNASSIGNED, state.weightOffsets[e]!, state.weightOffsets[e + 1]!);
      },
      gatherInto(state, _self, _neighbor, e, total, offset) {
        const topic = state.topic;
        for (let i = state.weightOffsets[e]!, end = state.weightOffsets[e + 1]!; i < end; i++) {
          const t = topic[i]!;
          if (t !== UNASSIGNED) total[offset + t]! += 1;
        }
      },
      apply(state, v, total) {
        state.counts.set(total, v * K);
      },
      scatter(state, d, w, e, ctx) {
        const counts = state.counts;
        if (ctx.iteration !== step) startStep(ctx, state.outDegree.length);
        if (d !== doc) loadDocument(counts, d);
        if (rowGeneration[w] !== generation) loadWord(counts, w);
        const row = w * K;
        const topic = state.topic;
        const first = state.weightOffsets[e]!;
        const end = state.weightOffsets[e + 1]!;
        const base = hashPair(ctx.globalId(d), ctx.globalId(w), seed);
        if (!mh) {
          // The edge's tokens share one document and one word: their weights differ only at each
          // token's own old topic, so the cumulative weights are computed once per edge and each
          // token's draw steps over its old topic's share.
          let sum = 0;
          for (let k = 0; k < K; k++) {
            sum += docWeights[k]! * wordRows[row + k]!;
            cumulative[k] = sum;
          }
          state.ll[e] = assigned ? state.weight[e]! * Math.log(sum / (docLength + alphaSum)) : 0;
          for (let i = first; i < end; i++) {
            const old = topic[i]!;
            const u = unitHash(base, i - first, ctx.iteration);
            topic[i] =
              old === UNASSIGNED
                ? searchCumulative(u * sum, 0)
                : drawExcluding(u, old, (docWeights[old]! - 1) * (counts[row + old]! - 1 + beta) * inverseOwn[old]!, sum);
          }
          return;
        }
        if (assigned) {
          let inDocument = 0;
          for (let j = 0; j < nonzero; j++) inDocument += nonzeroCounts[j]! * wordRows[row + nonzeroTopics[j]!]!;
          state.ll[e] = state.weight[e]! * Math.log((alpha * wordSums[w]! + inDocument) / (docLength + alphaSum));
        } else {
          state.ll[e] = 0;
        }
        for (let i = first; i < end; i++) {
          const old = topic[i]!;
          let r = mix32((base ^ Math.imul(i - first + 1, 0x9e3779b1) ^ Math.imul(ctx.iteration + 2, 0x85ebca6b)) >>> 0) | 1;
          if (old === UNASSIGNED) {
            r = xorshift32(r);
            topic[i] = ((r >>> 0) * TWO_TO_MINUS_32 * K) | 0;
            continue;
          }
          // The target's weight at the old topic (without the token itself); elsewhere it is
          // docWeights[k] · wordRows[row + k], and p/q reduces to the other factor.
          const pOld = (docWeights[old]! - 1) * (counts[row + old]! - 1 + beta) * inverseOwn[old]!;
          let current = old;
          for (let round = 0; round < mhSteps; round++) {
            // Word proposal: t ~ q_w; accept with (p(t)/q_w(t)) / (p(s)/q_w(s)).
            r = xorshift32(r);
            let t = drawAlias(prob, alias, row, K, (r >>> 0) * TWO_TO_MINUS_32);
            if (t !== current) {
              const gainT = t === old ? pOld / wordRows[row + old]! : docWeights[t]!;
              const gainS = current === old ? pOld / wordRows[row + old]! : docWeights[current]!;
              r = xorshift32(r);
              if ((r >>> 0) * TWO_TO_MINUS_32 * gainS < gainT) current = t;
            }
            // Document proposal: t ~ n_dt + α (one of the document's tokens, or uniform).
            r = xorshift32(r);
            const x = (r >>> 0) * TWO_TO_MINUS_32 * (docLength + alphaSum);
            t = x < docLength ? docTokens[x | 0]! : Math.min(K - 1, ((x - docLength) / alpha) | 0);
            if (t !== current) {
              const gainT = t === old ? pOld / docWeights[old]! : wordRows[row + t]!;
              const gainS = current === old ? pOld / docWeights[old]! : wordRows[row + current]!;
              r = xorshift32(r);
              if ((r >>> 0) * TWO_TO_MINUS_32 * gainS < gainT) current = t;
            }
          }
          topic[i] = current;
        }
      },
      aggregators: {
        // n_k: the words' counts (each token counted once, at its word).
        topics: {
          width: K,
          mapInto(state, v, _ctx, out) {
            if (state.inDegree[v] === 0) return;
            for (let k = 0; k < K; k++) out[k]! += state.counts[v * K + k]!;
          },
        },
        words: { map: (state, v) => (state.inDegree[v]! > 0 ? 1 : 0), sum: (a, b) => a + b, zero: 0 },
        logLikelihood: { over: 'edges', map: (state, e) => state.ll[e]!, sum: (a, b) => a + b, zero: 0 },
      },
    });
  },
  presentResult(counts, K, { outDegree, inDegree, options, summary }) {
    return {
      column: 'mixture',
      values: topicMixtures(counts, K, outDegree, inDegree, Number(summary.alpha) || 50 / K, Number(options.beta ?? LDA_DEFAULTS.beta)),
    };
  },
  summarize(prepared, run) {
    // Step s aggregates the likelihood scatter s − 1 wrote, of the counts of step s − 1: the
    // assignments sampled in scatter s − 2.
    const logLikelihoodPerToken = run.steps.slice(2).map((step) => (step.aggregates.logLikelihood ?? NaN) / prepared.tokens);
    const ms = run.steps.map((step) => step.ms).sort((a, b) => a - b);
    const median = ms.length ? ms[ms.length >> 1]! : 0;
    return {
      alpha: prepared.alpha,
      sampler: prepared.sampler,
      tokens: prepared.tokens,
      logLikelihoodPerToken,
      tokensPerSecond: median > 0 ? (prepared.tokens / median) * 1000 : 0,
    };
  },
});

/**
 * The posterior means behind the stored counts, one row of K per vertex: a document's topic
 * mixture θ_dk = (n_dk + α)/(n_d + Kα), and a word's probability under each topic
 * φ_kw = (n_wk + β)/(n_k + Wβ). Rows of vertices that are neither (no edges) are NaN.
 */
export function topicMixtures(counts: Float64Array, K: number, outDegree: Uint32Array, inDegree: Uint32Array, alpha: number, beta: number): Float64Array {
  const vertices = outDegree.length;
  const totals = new Float64Array(K);
  let words = 0;
  for (let v = 0; v < vertices; v++) {
    if (inDegree[v] === 0) continue;
    words++;
    for (let k = 0; k < K; k++) totals[k]! += counts[v * K + k]!;
  }
  const mixtures = new Float64Array(counts.length).fill(NaN);
  for (let v = 0; v < vertices; v++) {
    const row = v * K;
    if (outDegree[v]! > 0) {
      let length = 0;
      for (let k = 0; k < K; k++) length += counts[row + k]!;
      for (let k = 0; k < K; k++) mixtures[row + k] = (counts[row + k]! + alpha) / (length + K * alpha);
    } else if (inDegree[v]! > 0) {
      for (let k = 0; k < K; k++) mixtures[row + k] = (counts[row + k]! + beta) / (totals[k]! + words * beta);
    }
  }
  return mixtures;
}
