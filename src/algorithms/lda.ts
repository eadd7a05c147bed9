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
 * unassigned and the first scatter draws them from the uniform prior. Draws hash (seed, global
 * document, global word, token, iteration), so results depend only on the seed, not on the
 * partitioning or the worker count. The sampler is O(K) per token.
 *
 * The training log-likelihood per token, (1/N) Σ c_dw · log Σ_k θ_dk φ_kw with posterior means
 * θ_dk = (n_dk + α)/(n_d + Kα) and φ_kw = (n_wk + β)/(n_k + Wβ), is summed by the documents'
 * gather over their edges and reported per iteration (`logLikelihoodPerToken`), with
 * `tokensPerSecond`.
 *
 * Options (defaults): topics 20 (K), alpha 0 (= 50/K, Griffiths & Steyvers), beta 0.1,
 * maxIterations 100, seed 1. The result column `counts` holds each vertex's topic counts;
 * `gasworks topics <job>` lists each topic's top words.
 *
 * Example: `gasworks run lda --graph kos --topics 20 --max-iterations 300`.
 */
import { unitHash } from './support/unit-hash.js';
import { InvalidArgumentError } from '../errors.js';
import { defineAlgorithm, defineProgram } from '../engine/index.js';
import { hashPair } from '../partition/hash.js';

export const LDA_DEFAULTS = { topics: 20, alpha: 0, beta: 0.1, maxIterations: 100, seed: 1 };

const UNASSIGNED = 0xffff;

interface Prepared {
  readonly topics: number;
  readonly alpha: number;
  readonly beta: number;
  readonly seed: number;
  readonly tokens: number;
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
  },
  prepare(options, graph): Prepared {
    if (!graph.directed || !graph.weighted || graph.numEdges === 0) {
      throw new InvalidArgumentError('lda: the graph must be a document → word corpus with token counts (import it with --format uci or lda-c)', {
        option: 'graph',
      });
    }
    const alpha = options.alpha > 0 ? options.alpha : 50 / options.topics;
    return { topics: options.topics, alpha, beta: options.beta, seed: options.seed, tokens: graph.totalWeight };
  },
  create({ topics: K, alpha, beta, seed }: Prepared) {
    const weights = new Float64Array(K);
    // 1/(n_k + Wβ) and 1/(n_k − 1 + Wβ), recomputed when a new step's totals arrive.
    const inverse = new Float64Array(K);
    const inverseOwn = new Float64Array(K);
    let inverseOf: Float64Array | null = null;
    // Whether the last scatter saw any assigned token: the next gather's log-likelihood uses its
    // 1/(n_k + Wβ) with the counts of the same step (both one step old by then).
    let assigned = false;
    return defineProgram({
      name: 'lda',
      vertexColumns: { counts: ['f64', K], ll: 'f64' },
      mirrorColumns: ['counts'],
      edgeColumns: { topic: ['u16', 'perWeightUnit'] },
      gatherEdges: 'all',
      scatterEdges: 'out',
      alwaysActive: true,
      accumulatorWidth: K + 1,
      result: 'counts',
      initEdge(state, e) {
        state.topic.fill(UNASSIGNED, state.weightOffsets[e]!, state.weightOffsets[e + 1]!);
      },
      gatherInto(state, self, neighbor, e, total, offset) {
        for (let i = state.weightOffsets[e]!; i < state.weightOffsets[e + 1]!; i++) {
          const t = state.topic[i]!;
          if (t !== UNASSIGNED) total[offset + t]! += 1;
        }
        // Documents (sources) add their edges' share of the log-likelihood.
        if (!assigned || state.outDegree[self] === 0) return;
        // Σ_k θ_dk φ_kw = Σ_k (n_dk + α)(n_wk + β)/(n_k + Wβ) / (n_d + Kα), with the 1/(n_k + Wβ)
        // the last scatter computed from the same step's totals.
        const counts = state.counts;
        const d = self * K;
        const w = neighbor * K;
        let p = 0;
        for (let k = 0; k < K; k++) p += (counts[d + k]! + alpha) * (counts[w + k]! + beta) * inverse[k]!;
        total[offset + K]! += state.weight[e]! * Math.log(p / (state.outWeight[self]! + K * alpha));
      },
      apply(state, v, total) {
        state.counts.set(total.subarray(0, K), v * K);
        state.ll[v] = total[K]!;
      },
      scatter(state, doc, word, e, ctx) {
        const totals = ctx.aggregateVector('topics');
        if (totals !== inverseOf) {
          const wBeta = ctx.aggregate('words') * beta;
          for (let k = 0; k < K; k++) {
            inverse[k] = 1 / (totals[k]! + wBeta);
            inverseOwn[k] = 1 / (totals[k]! - 1 + wBeta);
          }
          inverseOf = totals;
          assigned = totals.some((n) => n > 0);
        }
        const counts = state.counts;
        const topic = state.topic;
        const d = doc * K;
        const w = word * K;
        const base = hashPair(ctx.globalId(doc), ctx.globalId(word), seed);
        const first = state.weightOffsets[e]!;
        // The edge's tokens share one word and one document: their weights differ only at each
        // token's own old topic, so they are computed once per edge and corrected per token.
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const q = (counts[d + k]! + alpha) * (counts[w + k]! + beta) * inverse[k]!;
          weights[k] = q;
          sum += q;
        }
        for (let i = first; i < state.weightOffsets[e + 1]!; i++) {
          const old = topic[i]!;
          const own = old === UNASSIGNED ? 0 : (counts[d + old]! - 1 + alpha) * (counts[w + old]! - 1 + beta) * inverseOwn[old]!;
          const total = old === UNASSIGNED ? sum : sum - weights[old]! + own;
          let u = unitHash(base, i - first, ctx.iteration) * total;
          let k = 0;
          for (; k < K - 1; k++) {
            u -= k === old ? own : weights[k]!;
            if (u < 0) break;
          }
          topic[i] = k;
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
        logLikelihood: { map: (state, v) => (state.outDegree[v]! > 0 ? state.ll[v]! : 0), sum: (a, b) => a + b, zero: 0 },
      },
    });
  },
  summarize(prepared, run) {
    // Step s gathers the likelihood of the assignments sampled in step s − 2's scatter (counted in s − 1).
    const logLikelihoodPerToken = run.steps.slice(2).map((step) => (step.aggregates.logLikelihood ?? NaN) / prepared.tokens);
    const ms = run.steps.map((step) => step.ms).sort((a, b) => a - b);
    const median = ms.length ? ms[ms.length >> 1]! : 0;
    return { alpha: prepared.alpha, tokens: prepared.tokens, logLikelihoodPerToken, tokensPerSecond: median > 0 ? (prepared.tokens / median) * 1000 : 0 };
  },
});
