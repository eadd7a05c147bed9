/**
 * Triangle count: for every vertex, the number of triangles it belongs to, on the simple
 * undirected view of the graph (direction, multi-edges and self-loops ignored), as NetworkX's
 * `triangles(G)`:
 *
 *   for each vertex v:  t(v) = ½ · Σ_{u ∈ N(v)} |N(v) ∩ N(u)|
 *
 * The engine builds every vertex's whole-graph neighbour set first (`needsNeighborSets`); one
 * gather over all edges then intersects the sets at both ends of each edge. An edge repeated m
 * times contributes 1/m of the intersection each time, so each distinct neighbour counts once.
 * Reference: PowerGraph's `undirected_triangle_count` toolkit (Gonzalez et al., OSDI 2012), the
 * edge-iterator formulation of Schank & Wagner (2005).
 *
 * Options: none besides maxIterations (one step suffices). The `triangles` aggregator reports
 * the number of triangles in the graph.
 *
 * Example: `gasworks run triangle-count --graph enron`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

export default defineAlgorithm({
  name: 'triangle-count',
  description: 'triangles through every vertex (undirected simple view)',
  options: {},
  create: () =>
    defineProgram({
      name: 'triangle-count',
      vertexColumns: { triangles: 'f64' },
      gatherEdges: 'all',
      scatterEdges: 'none',
      needsNeighborSets: true,
      gather(state, self, neighbor) {
        if (neighbor === self) return 0;
        return state.neighbors.common(self, neighbor) / state.neighbors.multiplicity(self, neighbor);
      },
      zero: 0,
      sum: (a, b) => a + b,
      apply(state, v, total) {
        // Rounding removes the ≤1e-12 error of adding 1/m-sized shares of an integer m times.
        state.triangles[v] = Math.round(total / 2);
      },
      aggregators: {
        triangles: { map: (state, v) => state.triangles[v]!, sum: (a, b) => a + b, zero: 0, finalize: (total) => total / 3 },
      },
    }),
});
