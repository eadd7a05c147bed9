import type { AnyVertexProgram } from '../../src/index.js';

/** An asynchronous program whose every update signals its vertex again: a run of it ends only by a limit, a cancel or a shutdown. */
export const FOREVER = {
  name: 'forever',
  vertexColumns: { x: 'f64' },
  gatherEdges: 'none',
  scatterEdges: 'none',
  asynchronous: true,
  apply(state: { x: Float64Array }, v: number, _total: number, ctx: { signal(v: number): void }) {
    state.x[v]! += 1;
    ctx.signal(v);
  },
} as unknown as AnyVertexProgram;
