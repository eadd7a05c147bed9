/**
 * LDA's two token samplers (see algorithms/lda.ts). Both draw a token's topic from the collapsed
 * Gibbs conditional
 *
 *   p(k) ∝ (n_dk¬ + α)(n_wk¬ + β) / (n_k¬ + Wβ)        (¬: without the token itself)
 *
 * with the counts of the step, and return each edge's log-likelihood term
 * log Σ_k θ_dk φ_kw = log(Σ_k (n_dk + α)(n_wk + β)/(n_k + Wβ) / (n_d + Kα)).
 *
 * A sampler serves one worker: it caches the current document (the scatter visits a document's
 * edges one after another) and each word's row on its first edge in a step, by local id.
 */
import { buildAliasTable } from './alias-table.js';
import { mix32 } from '../../partition/hash.js';

export const UNASSIGNED = 0xffff;
const TWO_TO_MINUS_32 = 2.3283064365386963e-10;
/** The exact sampler's block of topics (its unrolled sum). */
const BLOCK = 4;

export interface TopicSampler {
  /**
   * A new step: the topic totals n_k, Wβ, the words' token counts (by local id), and whether to
   * compute the log-likelihood terms.
   */
  startStep(totals: Float64Array, wordBeta: number, inWeight: Float64Array, likelihood: boolean): void;
  /**
   * Resamples the tokens `topic[first … end)` of the edge d → w in place, with `base` the edge's
   * seed; returns the edge's log-likelihood term (0 before any token is assigned, or when the
   * step computes none).
   */
  sampleEdge(counts: Int32Array, d: number, w: number, topic: Uint16Array, first: number, end: number, base: number, iteration: number): number;
}

/** What both samplers keep per step and per document. */
abstract class SamplerBase implements TopicSampler {
  protected readonly inverse: Float64Array;
  protected readonly inverseOwn: Float64Array;
  /** Whether this step computes log-likelihood terms (and any token is assigned). */
  protected likelihood = false;
  protected doc = -1;
  protected docLength = 0;
  /** n_dk + α of the current document. */
  protected readonly docWeights: Float64Array;

  constructor(
    protected readonly K: number,
    protected readonly alpha: number,
    protected readonly beta: number,
  ) {
    this.inverse = new Float64Array(K);
    this.inverseOwn = new Float64Array(K);
    this.docWeights = new Float64Array(K);
  }

  startStep(totals: Float64Array, wordBeta: number, _inWeight: Float64Array, likelihood: boolean): void {
    this.doc = -1;
    let assigned = false;
    for (let k = 0; k < this.K; k++) {
      this.inverse[k] = 1 / (totals[k]! + wordBeta);
      this.inverseOwn[k] = 1 / (totals[k]! - 1 + wordBeta);
      if (totals[k]! > 0) assigned = true;
    }
    this.likelihood = likelihood && assigned;
  }

  abstract sampleEdge(counts: Int32Array, d: number, w: number, topic: Uint16Array, first: number, end: number, base: number, iteration: number): number;

  /** Caches document d's row (n_dk + α and what the sampler derives from it); sets `doc`. */
  protected abstract loadDocument(counts: Int32Array, d: number): void;
}

/**
 * The O(K) sampler: the edge's weights (n_dk + α)(n_wk + β)/(n_k + Wβ) are computed once per
 * edge, from the document's (n_dk + α)/(n_k + Wβ), computed once per document, and the word's
 * int32 counts row (80 bytes at K = 20, the edge's one random read). They are summed in blocks of
 * four, and each token walks the block sums, then the weights of its block, with its old topic's
 * weight replaced by its own weight without itself: ≈ K/8 + 2 dependent steps instead of K/2
 * (one walk over K weights was a fifth of the step at K = 20).
 */
export class ExactSampler extends SamplerBase {
  /** (n_dk + α)/(n_k + Wβ) of the current document. */
  private readonly docScaled: Float64Array;
  private readonly weights: Float64Array;
  /** The weights' sums by blocks of BLOCK topics (the last block may be shorter). */
  private readonly blockSums: Float64Array;

  constructor(K: number, alpha: number, beta: number) {
    super(K, alpha, beta);
    this.docScaled = new Float64Array(K);
    this.weights = new Float64Array(K);
    this.blockSums = new Float64Array(Math.ceil(K / BLOCK));
  }

  protected loadDocument(counts: Int32Array, d: number): void {
    this.doc = d;
    const { K, alpha, docWeights, docScaled, inverse } = this;
    let length = 0;
    for (let k = 0, from = d * K; k < K; k++) {
      const c = counts[from + k]!;
      const weight = c + alpha;
      docWeights[k] = weight;
      docScaled[k] = weight * inverse[k]!;
      length += c;
    }
    this.docLength = length;
  }

  sampleEdge(counts: Int32Array, d: number, w: number, topic: Uint16Array, first: number, end: number, base: number, iteration: number): number {
    if (d !== this.doc) this.loadDocument(counts, d);
    const { K, beta, docWeights, docScaled, weights, blockSums, inverseOwn } = this;
    const row = w * K;
    let sum = 0;
    let k = 0;
    let block = 0;
    for (; k + 3 < K; k += 4) {
      const w0 = (weights[k] = docScaled[k]! * (counts[row + k]! + beta));
      const w1 = (weights[k + 1] = docScaled[k + 1]! * (counts[row + k + 1]! + beta));
      const w2 = (weights[k + 2] = docScaled[k + 2]! * (counts[row + k + 2]! + beta));
      const w3 = (weights[k + 3] = docScaled[k + 3]! * (counts[row + k + 3]! + beta));
      const blockSum = w0 + w1 + (w2 + w3);
      blockSums[block++] = blockSum;
      sum += blockSum;
    }
    if (k < K) {
      let tail = 0;
      for (; k < K; k++) tail += weights[k] = docScaled[k]! * (counts[row + k]! + beta);
      blockSums[block] = tail;
      sum += tail;
    }
    for (let i = first; i < end; i++) {
      const old = topic[i]!;
      const u = tokenSeed(base, i - first, iteration) * TWO_TO_MINUS_32;
      if (old === UNASSIGNED) {
        topic[i] = this.walk(u * sum, -1, 0);
      } else {
        const own = (docWeights[old]! - 1) * (counts[row + old]! - 1 + beta) * inverseOwn[old]!;
        topic[i] = this.walk(u * (sum - weights[old]! + own), old, own);
      }
    }
    return this.likelihood ? Math.log(sum / (this.docLength + K * this.alpha)) : 0;
  }

  /**
   * The topic where x falls in the weights laid end to end, `old`'s weight replaced by `own` (the
   * last topic if rounding runs past the end): first over the block sums, then within the block.
   */
  private walk(x: number, old: number, own: number): number {
    const { weights, blockSums, K } = this;
    const blocks = blockSums.length;
    const oldBlock = old < 0 ? -1 : (old / BLOCK) | 0;
    let block = 0;
    for (; block < blocks - 1; block++) {
      const size = block === oldBlock ? blockSums[block]! - weights[old]! + own : blockSums[block]!;
      if (x < size) break;
      x -= size;
    }
    let k = block * BLOCK;
    for (const last = Math.min(K, k + BLOCK) - 1; k < last; k++) {
      x -= k === old ? own : weights[k]!;
      if (x < 0) break;
    }
    return k;
  }
}

/**
 * Metropolis–Hastings with O(1) cost per token and proposal (LightLDA, Yuan et al., WWW 2015):
 * `steps` rounds of
 *
 * - a word proposal q_w(k) ∝ (n_wk + β)/(n_k + Wβ), split as in SparseLDA (Yao, Mimno &
 *   McCallum, KDD 2009) into a prior part β/(n_k + Wβ), one alias table per step shared by all
 *   words, and a sparse part n_wk/(n_k + Wβ) over the word's non-zero topics, an alias table per
 *   word built in O(its non-zeros) on its first edge in a step;
 * - a document proposal q_d(k) ∝ n_dk + α: one of the document's tokens' topics, or with weight
 *   Kα a uniform topic;
 *
 * each accepted with min(1, p(t) q(s) / (p(s) q(t))). The proposals come from the same counts as
 * the target, so they differ from it only by the token's own assignment and by the other factor.
 * Per-word rows are sized by the word's token count (it has at most that many non-zero topics), so
 * memory grows with tokens, not with K × words.
 *
 * The log-likelihood term needs Σ_k (n_dk + α)(n_wk + β)/(n_k + Wβ), which MH never forms: it is
 * summed over the shorter of the word's non-zero topics (plus the document's
 * β Σ_k (n_dk + α)/(n_k + Wβ), computed once per document) and the document's (plus the word's
 * α Σ_k q_w(k)). At K = 1000 that costs as much as the sampling; `likelihoodEvery` thins it.
 */
export class MetropolisHastingsSampler extends SamplerBase {
  // The document's tokens' topics in topic order, its non-zero topics and their counts, and
  // β Σ_k (n_dk + α)/(n_k + Wβ).
  private docTokens = new Uint16Array(0);
  private readonly docTopics: Uint16Array;
  private readonly docCounts: Float64Array;
  private docNonzero = 0;
  private docPrior = 0;
  // The shared prior table over 1/(n_k + Wβ), and its total β Σ_k 1/(n_k + Wβ).
  private readonly priorProb: Float32Array;
  private readonly priorAlias: Uint16Array;
  private priorSum = 0;
  // Which step each word's row was built in.
  private generation = 0;
  private rowGeneration = new Int32Array(0);
  // Per word w, at wordStart[w] …: its non-zero topics, n_wk/(n_k + Wβ), and their alias table.
  private wordStart = new Int32Array(0);
  private wordNonzero = new Int32Array(0);
  private wordSparseSum = new Float64Array(0);
  private wordTopics = new Uint16Array(0);
  private wordValues = new Float64Array(0);
  // The alias table, one 8-byte entry per bucket (one cache line per draw): its probability
  // (float32) at [2j], its own topic | alias topic << 16 at [2j + 1].
  private wordTableProb = new Float32Array(0);
  private wordTableTopics = new Uint32Array(0);
  private readonly scratchProb: Float32Array;
  private readonly scratchAlias: Uint16Array;
  private readonly small: Int32Array;
  private readonly large: Int32Array;
  private readonly scaled: Float64Array;

  constructor(
    K: number,
    alpha: number,
    beta: number,
    private readonly steps: number,
  ) {
    super(K, alpha, beta);
    this.docTopics = new Uint16Array(K);
    this.docCounts = new Float64Array(K);
    this.scratchProb = new Float32Array(K);
    this.scratchAlias = new Uint16Array(K);
    this.priorProb = new Float32Array(K);
    this.priorAlias = new Uint16Array(K);
    this.small = new Int32Array(K);
    this.large = new Int32Array(K);
    this.scaled = new Float64Array(K);
  }

  /** Sizes the per-word rows for this worker's vertices. */
  private allocate(inWeight: Float64Array): void {
    const n = inWeight.length;
    this.rowGeneration = new Int32Array(n);
    this.wordStart = new Int32Array(n + 1);
    for (let v = 0; v < n; v++) this.wordStart[v + 1] = this.wordStart[v]! + Math.min(this.K, inWeight[v]!);
    const capacity = this.wordStart[n]!;
    this.wordNonzero = new Int32Array(n);
    this.wordSparseSum = new Float64Array(n);
    this.wordTopics = new Uint16Array(capacity);
    this.wordValues = new Float64Array(capacity);
    const table = new ArrayBuffer(8 * capacity);
    this.wordTableProb = new Float32Array(table);
    this.wordTableTopics = new Uint32Array(table);
  }

  override startStep(totals: Float64Array, wordBeta: number, inWeight: Float64Array, likelihood: boolean): void {
    super.startStep(totals, wordBeta, inWeight, likelihood);
    this.generation++;
    if (this.rowGeneration.length !== inWeight.length) this.allocate(inWeight);
    let sum = 0;
    for (let k = 0; k < this.K; k++) sum += this.inverse[k]!;
    buildAliasTable(this.inverse, 0, this.K, sum, this.priorProb, this.priorAlias, 0, this.small, this.large, this.scaled);
    this.priorSum = this.beta * sum;
  }

  /** One pass over the document's row (K = 1000: 4 KB), then its token list from the non-zeros. */
  protected loadDocument(counts: Int32Array, d: number): void {
    this.doc = d;
    const { K, alpha, docWeights, docTopics, docCounts, inverse } = this;
    let length = 0;
    let prior = 0;
    let nonzero = 0;
    for (let k = 0, from = d * K; k < K; k++) {
      const c = counts[from + k]!;
      const weight = c + alpha;
      docWeights[k] = weight;
      prior += weight * inverse[k]!;
      if (c > 0) {
        length += c;
        docTopics[nonzero] = k;
        docCounts[nonzero++] = c;
      }
    }
    this.docLength = length;
    this.docNonzero = nonzero;
    this.docPrior = this.beta * prior;
    if (this.docTokens.length < length) this.docTokens = new Uint16Array(Math.max(length, 2 * this.docTokens.length));
    const docTokens = this.docTokens;
    for (let j = 0, at = 0; j < nonzero; j++) for (let end = at + docCounts[j]!; at < end; at++) docTokens[at] = docTopics[j]!;
  }

  private loadWord(counts: Int32Array, w: number): void {
    this.rowGeneration[w] = this.generation;
    const { K, inverse, wordTopics, wordValues } = this;
    const start = this.wordStart[w]!;
    let nonzero = 0;
    let sum = 0;
    for (let k = 0, from = w * K; k < K; k++) {
      const c = counts[from + k]!;
      if (c === 0) continue;
      const value = c * inverse[k]!;
      wordTopics[start + nonzero] = k;
      wordValues[start + nonzero++] = value;
      sum += value;
    }
    this.wordNonzero[w] = nonzero;
    this.wordSparseSum[w] = sum;
    if (nonzero === 0) return;
    const { scratchProb, scratchAlias, wordTableProb, wordTableTopics } = this;
    buildAliasTable(wordValues, start, nonzero, sum, scratchProb, scratchAlias, 0, this.small, this.large, this.scaled);
    for (let j = 0; j < nonzero; j++) {
      wordTableProb[2 * (start + j)] = scratchProb[j]!;
      wordTableTopics[2 * (start + j) + 1] = wordTopics[start + j]! | (wordTopics[start + scratchAlias[j]!]! << 16);
    }
  }

  sampleEdge(counts: Int32Array, d: number, w: number, topic: Uint16Array, first: number, end: number, base: number, iteration: number): number {
    if (d !== this.doc) this.loadDocument(counts, d);
    if (this.rowGeneration[w] !== this.generation) this.loadWord(counts, w);
    // Read after the loads: loadDocument may have grown docTokens.
    const {
      K,
      alpha,
      beta,
      docWeights,
      inverse,
      inverseOwn,
      docTokens,
      wordTopics,
      wordValues,
      wordTableProb,
      wordTableTopics,
      priorProb,
      priorAlias,
      priorSum,
    } = this;
    const row = w * K;
    const start = this.wordStart[w]!;
    const nonzero = this.wordNonzero[w]!;
    const sparseSum = this.wordSparseSum[w]!;
    const wordSum = sparseSum + priorSum;
    const docLength = this.docLength;
    const docSum = docLength + K * alpha;

    for (let i = first; i < end; i++) {
      const old = topic[i]!;
      let r = tokenSeed(base, i - first, iteration) | 1;
      if (old === UNASSIGNED) {
        r = xorshift32(r);
        topic[i] = ((r >>> 0) * TWO_TO_MINUS_32 * K) | 0;
        continue;
      }
      // The target at the old topic, without the token; elsewhere it is (n_dk + α) q_w(k), and
      // p/q reduces to the other proposal's factor.
      const pOld = (docWeights[old]! - 1) * (counts[row + old]! - 1 + beta) * inverseOwn[old]!;
      const wordGainOld = pOld / ((counts[row + old]! + beta) * inverse[old]!);
      const docGainOld = pOld / docWeights[old]!;
      // The chain's state, with its p/q under each proposal (q_w(s) is read from the word's row
      // only when a document proposal needs it: one random read per accepted move, not per round).
      let current = old;
      let wordGain = wordGainOld;
      let docGain = docGainOld;
      for (let round = 0; round < this.steps; round++) {
        // Word proposal, accepted with (p(t)/q_w(t)) / (p(s)/q_w(s)).
        r = xorshift32(r);
        const x = (r >>> 0) * TWO_TO_MINUS_32 * wordSum;
        let t: number;
        // Alias draws (drawAlias, inlined): bucket, then its own outcome or its alias.
        if (x < sparseSum) {
          const z = (x / sparseSum) * nonzero;
          const entry = 2 * (start + (z | 0));
          const topics = wordTableTopics[entry + 1]!;
          t = z - (z | 0) < wordTableProb[entry]! ? topics & 0xffff : topics >>> 16;
        } else {
          const z = ((x - sparseSum) / priorSum) * K;
          const bucket = z | 0;
          t = z - bucket < priorProb[bucket]! ? bucket : priorAlias[bucket]!;
        }
        if (t !== current) {
          const gain = t === old ? wordGainOld : docWeights[t]!;
          r = xorshift32(r);
          if ((r >>> 0) * TWO_TO_MINUS_32 * wordGain < gain) {
            current = t;
            wordGain = gain;
            docGain = t === old ? docGainOld : NaN;
          }
        }
        // Document proposal, accepted with (p(t)/q_d(t)) / (p(s)/q_d(s)).
        r = xorshift32(r);
        const y = (r >>> 0) * TWO_TO_MINUS_32 * docSum;
        t = y < docLength ? docTokens[y | 0]! : Math.min(K - 1, ((y - docLength) / alpha) | 0);
        if (t !== current) {
          const gain = t === old ? docGainOld : (counts[row + t]! + beta) * inverse[t]!;
          if (docGain !== docGain) docGain = (counts[row + current]! + beta) * inverse[current]!;
          r = xorshift32(r);
          if ((r >>> 0) * TWO_TO_MINUS_32 * docGain < gain) {
            current = t;
            docGain = gain;
            wordGain = t === old ? wordGainOld : docWeights[t]!;
          }
        }
      }
      topic[i] = current;
    }
    if (!this.likelihood) return 0;
    // Σ_k (n_dk + α) q_w(k), over the shorter of the word's and the document's non-zero topics.
    let total: number;
    if (nonzero <= this.docNonzero) {
      total = this.docPrior;
      for (let j = start, stop = start + nonzero; j < stop; j++) total += docWeights[wordTopics[j]!]! * wordValues[j]!;
    } else {
      total = alpha * wordSum;
      const { docTopics, docCounts } = this;
      for (let j = 0; j < this.docNonzero; j++) {
        const k = docTopics[j]!;
        total += docCounts[j]! * (counts[row + k]! + beta) * inverse[k]!;
      }
    }
    return Math.log(total / docSum);
  }
}

/** 32 random bits for a token: (edge seed, token, iteration) through MurmurHash3's finaliser. */
function tokenSeed(base: number, token: number, iteration: number): number {
  return mix32((base ^ Math.imul(token + 1, 0x9e3779b1) ^ Math.imul(iteration + 2, 0x85ebca6b)) >>> 0);
}

/** Marsaglia's xorshift32 step (never maps a non-zero state to zero). */
function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  return x ^ (x << 5);
}
