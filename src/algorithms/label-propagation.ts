/**
 * Community detection by label propagation (Raghavan, Albert & Kumara, Phys. Rev. E 76, 036106,
 * 2007), synchronous and deterministic:
 *
 *   ℓ(v) = v                                           (global id)
 *   repeat maxIterations times, or until no ℓ changes (all vertices at once):
 *     M(v)  = { ℓ(u) : u adjacent to v, one entry per edge } ⊎ { ℓ(v) }
 *     ℓ'(v) = the most frequent label in M(v), ties to the smallest label
 *
 * Edge direction is ignored. Deviations from RAK, and why: updates are synchronous and ties go to
 * the smallest label instead of a coin, so a run is reproducible on any partitioning and worker
 * count; and a vertex counts its own label once, which removes synchronous LP's commonest
 * oscillation (two neighbours each adopting the other's label, forever). Like every synchronous
 * LP it can still oscillate on some graphs; `maxIterations` bounds the run.
 *
 * The vote needs every neighbour label, which no monoid summarises, so the program *collects*:
 * the engine gathers each vertex's neighbour labels from all its replicas and apply takes the
 * mode of the sorted multiset. Signal-driven: a vertex runs again only if its label or a
 * neighbour's changed.
 *
 * Options (defaults): maxIterations 20. Aggregate: `communities`, the number of vertices that
 * still hold their own id as label (one per community whose namesake stayed in it: a lower bound
 * on the number of distinct labels; count the distinct values of the result for the exact one).
 *
 * Example: `gasworks run label-propagation --graph karate --max-iterations 50`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

export default defineAlgorithm({
  name: 'label-propagation',
  description: 'Community detection by synchronous label propagation (Raghavan et al. 2007)',
  options: {
    maxIterations: { default: 20, min: 1, integer: true, description: 'stop after this many steps if labels still change', aliases: ['maxIter'] },
  },
  topOrder: 'none',
  create() {
    return defineProgram<{ label: 'u32'; changed: 'u8' }, Record<never, never>, Float64Array>({
      name: 'label-propagation',
      vertexColumns: { label: 'u32', changed: 'u8' },
      gatherEdges: 'all',
      scatterEdges: 'all',
      collect: true,
      result: 'label',
      init(state, v, ctx) {
        state.label[v] = ctx.globalId(v);
      },
      gather: (state, _self, neighbor) => state.label[neighbor]!,
      apply(state, v, labels, ctx) {
        // Mode of labels ⊎ {own}: candidates in ascending order, so a strictly larger count is
        // needed to replace the best — ties stay with the smallest label.
        const own = state.label[v]!;
        let best = own;
        let bestVotes = 0;
        let ownCounted = false;
        for (let i = 0; i < labels.length;) {
          const label = labels[i]!;
          let j = i;
          while (j < labels.length && labels[j] === label) j++;
          if (!ownCounted && own < label) {
            if (1 > bestVotes) [best, bestVotes] = [own, 1];
            ownCounted = true;
          }
          const votes = j - i + (label === own ? 1 : 0);
          if (label === own) ownCounted = true;
          if (votes > bestVotes) [best, bestVotes] = [label, votes];
          i = j;
        }
        if (!ownCounted && 1 > bestVotes) best = own;
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
