/**
 * Latent Dirichlet allocation by collapsed Gibbs sampling (Griffiths & Steyvers, PNAS 2004) on a
 * document → word graph whose edge weights are token counts (`import --format uci | lda-c`).
 * Each token's topic lives on its edge (`topic`, one value per unit of weight); documents and
 * words keep their topic counts n_dk, n_wk (`counts`); the global topic totals n_k are a vector
 * aggregator over the documents.
 *
 * One step per iteration, synchronous (AD-LDA, Newman, Asuncion, Smyth & Welling, JMLR 2009,
 * with one token per processor): gather recounts each vertex's topics from its edges, apply
 * stores the counts, and scatter — documents, over their out-edges — resamples every token from
 *
 *   p(z = k) ∝ (n_dk¬ + α)(n_wk¬ + β) / (n_k¬ + W·β)
 *
 * with the counts of the step (¬: without the token's own current topic). Tokens start
 * unassigned and the first scatter draws them from the uniform prior. Two samplers
 * (support/lda-samplers.ts):
 *
 * - `exact`: the O(K) inversion of the conditional, from the document's (n_dk + α)/(n_k + Wβ),
 *   computed once per document, and the word's counts;
 * - `mh`: Metropolis–Hastings whose cost per token does not grow with K (LightLDA, Yuan et al.,
 *   WWW 2015): alternating word proposals from per-word alias tables and document proposals from
 *   the document's tokens;
 * - `auto` (default) picks `mh` from K = MH_FROM_TOPICS topics, where it overtakes `exact`.
 *
 * Draws hash (seed, global document, global word, token, iteration), so results depend only on
 * the seed, not on the partitioning or the worker count.
 *
 * The training log-likelihood per token, (1/N) Σ c_dw · log Σ_k θ_dk φ_kw with posterior means
 * θ_dk = (n_dk + α)/(n_d + Kα) and φ_kw = (n_wk + β)/(n_k + Wβ), is written per edge by the
 * scatter (the exact sampler has Σ_k (n_dk + α) q_w(k) in hand anyway; the MH sampler sums over
 * the shorter of the word's and the document's non-zero topics) and summed by an edge
 * aggregator. The summary reports it per iteration (`logLikelihoodPerToken`; with
 * `likelihoodEvery` N > 1, every N-th and the last, others null: at K = 1000 it costs as much as
 * sampling) with `tokensPerSecond` (the median step).
 *
 * Options (defaults): topics 20 (K), alpha 0 (= 50/K, Griffiths & Steyvers), beta 0.1,
 * maxIterations 100, seed 1, sampler auto (exact | mh | auto), mhSteps 2, likelihoodEvery 1.
 * The result column `counts` holds each vertex's topic counts; `gasworks results` shows them as
 * document–topic mixtures θ_d and topic–word probabilities φ_·w, `gasworks topics <job>` each
 * topic's top words.
 *
 * Example: `gasworks run lda --graph kos --topics 20 --max-iterations 300`.
 */
import { ExactSampler, MetropolisHastingsSampler, UNASSIGNED, type TopicSampler } from './support/lda-samplers.js';
import { InvalidArgumentError } from '../errors.js';
import { defineAlgorithm, defineProgram } from '../engine/index.js';
import { hashPair } from '../partition/hash.js';

export const LDA_SAMPLERS = ['auto', 'exact', 'mh'] as const;
/**
 * From this many topics `auto` samples by Metropolis–Hastings, where its step costs about half the
 * exact one's. Measured on KOS over 60 iterations, ms per step, exact against mh: K = 100, 800
 * against 424; K = 200, 862 against 427. MH still needs more iterations for the same likelihood:
 * at K = 100 after 60 iterations it has −7.145 per token, exact −7.084.
 */
export const MH_FROM_TOPICS = 100;

export const LDA_OPTIONS = {
  topics: { default: 20, min: 1, max: UNASSIGNED - 1, integer: true, description: 'number of topics K', aliases: ['k', 'numTopics'] },
  alpha: { default: 0, min: 0, description: 'document–topic prior α (0: 50/K)', aliases: ['docConcentration'] },
  beta: { default: 0.1, min: 0, minExclusive: true, description: 'topic–word prior β', aliases: ['topicConcentration', 'eta'] },
  maxIterations: { default: 100, min: 1, integer: true, description: 'Gibbs sweeps; no convergence test (watch the log-likelihood)', aliases: ['maxIter'] },
  seed: { default: 1, min: 0, integer: true, description: 'seed of the sampler' },
  sampler: {
    default: 'auto',
    oneOf: LDA_SAMPLERS,
    description: `exact: collapsed Gibbs, O(K) per token; mh: Metropolis–Hastings, O(1) per token; auto: mh from ${MH_FROM_TOPICS} topics`,
  },
  mhSteps: { default: 2, min: 1, integer: true, description: 'Metropolis–Hastings rounds per token (word then document proposal)' },
  likelihoodEvery: { default: 1, min: 1, integer: true, description: 'report the log-likelihood every N-th sweep (it costs about a sweep at large K)' },
};

interface Prepared {
  readonly topics: number;
  readonly alpha: number;
  readonly beta: number;
  readonly seed: number;
  readonly tokens: number;
  readonly sampler: 'exact' | 'mh';
  readonly mhSteps: number;
  readonly maxIterations: number;
  readonly likelihoodEvery: number;
}

export default defineAlgorithm({
  name: 'lda',
  description: 'Topic model by collapsed Gibbs sampling (document → word graph, token counts on edges)',
  options: LDA_OPTIONS,
  gathers: 'all',
  topOrder: 'none',
  fixedIterations: true,
  resultComponents: (width) => Array.from({ length: width }, (_, k) => `topic_${k}`),
  prepare(options, graph): Prepared {
    if (!graph.directed || !graph.weighted || graph.numEdges === 0) {
      throw new InvalidArgumentError('lda: the graph must be a document → word corpus with token counts (import it with --format uci or lda-c)', {
        option: 'graph',
      });
    }
    const alpha = options.alpha > 0 ? options.alpha : 50 / options.topics;
    const sampler = options.sampler === 'auto' ? (options.topics >= MH_FROM_TOPICS ? 'mh' : 'exact') : (options.sampler as 'exact' | 'mh');
    const { topics, beta, seed, mhSteps, maxIterations, likelihoodEvery } = options;
    return { topics, alpha, beta, seed, tokens: graph.totalWeight, sampler, mhSteps, maxIterations, likelihoodEvery };
  },
  create({ topics: K, alpha, beta, seed, sampler, mhSteps, maxIterations, likelihoodEvery }: Prepared) {
    const sampling: TopicSampler = sampler === 'mh' ? new MetropolisHastingsSampler(K, alpha, beta, mhSteps) : new ExactSampler(K, alpha, beta);
    let step = NaN;
    return defineProgram({
      name: 'lda',
      vertexColumns: { counts: ['i32', K] },
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
        if (ctx.iteration !== step) {
          step = ctx.iteration;
          // The likelihood of every likelihoodEvery-th step, counted back from the last reported one.
          const likelihood = (maxIterations - 2 - step) % likelihoodEvery === 0;
          sampling.startStep(ctx.aggregateVector('topics'), ctx.aggregate('words') * beta, state.inWeight, likelihood);
        }
        const base = hashPair(ctx.globalId(d), ctx.globalId(w), seed);
        const first = state.weightOffsets[e]!;
        const end = state.weightOffsets[e + 1]!;
        state.ll[e] = state.weight[e]! * sampling.sampleEdge(state.counts, d, w, state.topic, first, end, base, ctx.iteration);
      },
      aggregators: {
        // n_k: the documents' counts (each token counted once, at its document; corpora have
        // fewer documents than words, or not many more).
        topics: {
          width: K,
          mapInto(state, v, _ctx, out) {
            if (state.outDegree[v] === 0) return;
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
      values: topicMixtures(counts, K, outDegree, inDegree, Number(summary.alpha) || 50 / K, Number(options.beta ?? LDA_OPTIONS.beta.default)),
    };
  },
  summarize(prepared, run) {
    // Step s aggregates the likelihood scatter s − 1 wrote, of the counts of step s − 1: the
    // assignments sampled in scatter s − 2.
    // Steps whose scatter skipped it (likelihoodEvery > 1) report null.
    const { maxIterations, likelihoodEvery, tokens } = prepared;
    const logLikelihoodPerToken = run.steps
      .slice(2)
      .map((step, j) => ((maxIterations - 3 - j) % likelihoodEvery === 0 ? (step.aggregates.logLikelihood ?? NaN) / tokens : null));
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
