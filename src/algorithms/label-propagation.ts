/**
 * Community detection by label propagation (Raghavan, Albert & Kumara, Phys. Rev. E 76, 036106,
 * 2007), in a deterministic synchronous form whose vote fits a fixed-width additive accumulator:
 *
 *   ℓ(v) = v                                          (global id)
 *   repeat maxIterations times, or until no ℓ changes (all vertices at once):
 *     M(v)   = { ℓ(u) : u adjacent to v, one entry per edge } ⊎ { ℓ(v) }
 *     B_b(v) = { x ∈ M(v) : x mod S = b }               for buckets b = 0 … S−1
 *     votes  = { (x, |B_b|) : B_b non-empty and holding one distinct label x }
 *     ℓ'(v)  = the label with the most votes, ties to the smallest label; ℓ(v) if no votes
 *
 * Edge direction is ignored. Deviations from RAK, and why: (1) updates are synchronous and ties
 * go to the smallest label instead of a coin, so a run is reproducible; (2) a vertex counts its
 * own label once, which removes synchronous LP's commonest oscillation (two neighbours a–b
 * each adopting the other's label, forever); (3) the mode is taken over S hash buckets, the
 * approximation: labels that share a bucket with a different label abstain. The vote is exact —
 * RAK's mode — whenever the distinct labels around v fall in distinct buckets (e.g. at most S
 * labels that differ mod S), as around most vertices once communities have formed.
 *
 * Why buckets: the engine combines vector partials by element-wise addition, so a map or a
 * top-S sketch of (label, count) pairs cannot be merged across replicas. Each bucket instead
 * accumulates four sums over its labels' 16-bit halves — n, Σhi, Σlo, Σ(hi² + lo²) — exact
 * integers in a double for degrees below 2²⁰. A bucket holds one distinct label x exactly when
 * n divides Σhi and Σlo and Σ(hi² + lo²) = n·(h̄² + l̄²) with h̄ = Σhi/n, l̄ = Σlo/n (then
 * Σ(hi − h̄)² + Σ(lo − l̄)² = 0), and x = h̄·2¹⁶ + l̄. The vote is a function of the multiset
 * M(v) alone, so every partitioning and worker count gives identical labels. The price: a hub
 * whose neighbours still carry many distinct labels finds few pure buckets and may keep its
 * label where RAK would move it; raise `buckets` for graphs with large hubs.
 *
 * Signal-driven: a vertex runs again only if its label or a neighbour's changed. Like every
 * synchronous LP it can oscillate on some graphs; `maxIterations` bounds the run.
 *
 * Options (defaults): maxIterations 20, buckets 16 (S; the accumulator holds 4·S doubles a vertex).
 * Aggregate: `communities`, the number of vertices that still hold their own id as label — one
 * per community whose namesake vertex stayed in it (a lower bound on the distinct labels; count
 * the distinct values of the result for the exact number).
 *
 * Example: `gasworks run label-propagation --graph karate --max-iterations 50`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

export const LABEL_PROPAGATION_DEFAULTS = { maxIterations: 20, buckets: 16 };

/** Per-bucket record: n, Σhi, Σlo, Σ(hi² + lo²) over the 16-bit halves of the bucket's labels. */
const COUNT = 0;
const HI = 1;
const LO = 2;
const SQUARES = 3;
const RECORD = 4;
const HALF = 0x10000;

export default defineAlgorithm({
  name: 'label-propagation',
  description: 'Community detection by synchronous label propagation (Raghavan et al. 2007)',
  defaults: LABEL_PROPAGATION_DEFAULTS,
  topOrder: 'none',
  validate(options, check) {
    check.number('buckets', options.buckets, { min: 1, max: 64, integer: true });
  },
  create({ buckets }) {
    return defineProgram<{ label: 'u32'; changed: 'u8' }, Record<never, never>, Float64Array>({
      name: 'label-propagation',
      vertexColumns: { label: 'u32', changed: 'u8' },
      gatherEdges: 'all',
      scatterEdges: 'all',
      accumulatorWidth: RECORD * buckets,
      result: 'label',
      init(state, v, ctx) {
        state.label[v] = ctx.globalId(v);
      },
      gatherInto(state, _self, neighbor, _edge, total, offset) {
        const label = state.label[neighbor]!;
        const at = offset + RECORD * (label % buckets);
        const hi = label >>> 16;
        const lo = label & 0xffff;
        total[at + COUNT]! += 1;
        total[at + HI]! += hi;
        total[at + LO]! += lo;
        total[at + SQUARES]! += hi * hi + lo * lo;
      },
      apply(state, v, total, ctx) {
        const own = state.label[v]!;
        const ownHi = own >>> 16;
        const ownLo = own & 0xffff;
        let best = own;
        let bestVotes = 0;
        for (let b = 0; b < buckets; b++) {
          const at = RECORD * b;
          // The vertex's own label joins its bucket as one more entry.
          const mine = b === own % buckets ? 1 : 0;
          const n = total[at + COUNT]! + mine;
          const hiSum = total[at + HI]! + mine * ownHi;
          const loSum = total[at + LO]! + mine * ownLo;
          if (n === 0 || hiSum % n !== 0 || loSum % n !== 0) continue;
          const hi = hiSum / n;
          const lo = loSum / n;
          if (total[at + SQUARES]! + mine * (ownHi * ownHi + ownLo * ownLo) !== n * (hi * hi + lo * lo)) continue;
          const label = hi * HALF + lo;
          if (n > bestVotes || (n === bestVotes && label < best)) {
            best = label;
            bestVotes = n;
          }
        }
        state.changed[v] = best === own ? 0 : 1;
        if (best !== own) {
          state.label[v] = best;
          ctx.signal(v);
        }
      },
      scatter(state, self, neighbor, _edge, ctx) {
        if (state.changed[self] === 1) ctx.signal(neighbor);
      },
      aggregators: {
        communities: { map: (state, v, ctx) => (state.label[v] === ctx.globalId(v) ? 1 : 0), sum: (a, b) => a + b, zero: 0 },
      },
    });
  },
});
