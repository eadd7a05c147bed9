// Each vertex's share of attention: the sum over its in-neighbours u of 1/outDegree(u)
// (one step of PageRank without damping). Run: gasworks run ./examples/in-weight.ts --graph G
import type { VertexProgram } from 'gasworks';

const program: VertexProgram<{ attention: 'f64' }> = {
  name: 'in-weight',
  vertexColumns: { attention: 'f64' },
  gatherEdges: 'in', // gather(state, self, neighbor, edge) runs once per in-edge…
  scatterEdges: 'none',
  gather: (state, _self, neighbor) => 1 / state.outDegree[neighbor]!,
  zero: 0, // …and the results are combined with this monoid
  sum: (a, b) => a + b,
  apply(state, v, total) {
    state.attention[v] = total; // the only place vertex state changes
  },
  aggregators: {
    total: { map: (state, v) => state.attention[v]!, sum: (a, b) => a + b, zero: 0 },
  },
  converged: () => true, // one step is the whole computation
};
export default program;
