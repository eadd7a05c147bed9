/**
 * When PageRank-style iterations stop. The residual of a step is the L1 change of the ranks on
 * the scale where they sum to 1, Σ_v |r'(v) − r(v)| / S (S = 1, or N for PowerGraph's
 * unnormalised ranks, which sum to about N). Two rules:
 *
 *   l1        residual < tolerance                 (default)
 *   networkx  residual < N · tolerance             (NetworkX's `pagerank` rule)
 *
 * NetworkX's rule scales the bound with N, so on large graphs it stops far from the fixed point:
 * on cnr-2000 (N = 325 k) at tolerance 1e-6 it stops after 3 iterations, 0.2 (L1) from the
 * converged ranks. Under `l1` the distance to the fixed point is at most about
 * residual · d/(1 − d) (the iteration contracts by d), so the default 1e-6 leaves ranks within
 * ≈ 6e-6 of it whatever N. `tolerance 0` turns the test off: exactly `maxIterations` steps.
 */
import type { RunRecord } from '../../engine/index.js';

export const RANK_STOP_RULES = ['l1', 'networkx'] as const;
export type RankStopRule = (typeof RANK_STOP_RULES)[number];

/** The options every rank algorithm shares, declared once. */
export const RANK_STOP_OPTIONS = {
  tolerance: {
    default: 1e-6,
    min: 0,
    description: 'stop when the residual (Σ|Δ rank| of a step) is below this (× N with --stop-rule networkx); 0 runs exactly --max-iterations steps',
    aliases: ['tol'],
  },
  stopRule: {
    default: 'l1',
    oneOf: RANK_STOP_RULES,
    description: "l1: residual < tolerance; networkx: residual < N·tolerance (NetworkX's rule, loose on large graphs)",
  },
  maxIterations: { default: 100, min: 1, integer: true, description: 'stop after this many iterations, converged or not', aliases: ['maxIter', 'max_iter'] },
};

/**
 * The bound a step's residual must get under, or null when the test is off (tolerance 0).
 * `scale` is S above: NetworkX's rule bounds the unscaled Σ|Δ| by N·tolerance.
 */
export function residualBound(rule: string, tolerance: number, numVertices: number, scale = 1): number | null {
  if (tolerance === 0) return null;
  return rule === 'networkx' ? (numVertices * tolerance) / scale : tolerance;
}

/** The summary's view of the run: every step's residual, and the rule it was held to. */
export function summarizeResiduals(run: RunRecord, rule: string, tolerance: number): Record<string, unknown> {
  return { residuals: run.steps.map((step) => step.aggregates.change ?? null), stopRule: rule, tolerance };
}
