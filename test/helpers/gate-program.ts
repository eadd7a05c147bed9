/**
 * A vertex program for tests that need a job to be running at a known moment, however slow the
 * machine: `gasworks run test/helpers/gate-program.ts --graph G` with `GASWORKS_TEST_GATE=DIR`.
 *
 * Each step counts every vertex's in-neighbours (any work would do). `converged`, which the
 * coordinator calls after every step, creates `DIR/started` the first time — the job row is
 * `running` and the engine is mid-run — and then blocks until `DIR/release` exists, after which
 * the job ends. The wait polls a file in short blocking waits: the coordinator has nothing else
 * to do meanwhile, and worker threads or processes just wait for its next message.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VertexProgram } from '../../src/index.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

function gateDir(): string {
  const dir = process.env.GASWORKS_TEST_GATE;
  if (!dir) throw new Error('gate-program: set GASWORKS_TEST_GATE to a directory');
  return dir;
}

const program: VertexProgram<{ inNeighbours: 'f64' }> = {
  name: 'gate',
  vertexColumns: { inNeighbours: 'f64' },
  gatherEdges: 'in',
  scatterEdges: 'none',
  alwaysActive: true,
  gather: () => 1,
  zero: 0,
  sum: (a, b) => a + b,
  apply(state, v, total) {
    state.inNeighbours[v] = total;
  },
  converged() {
    const dir = gateDir();
    if (!existsSync(join(dir, 'started'))) writeFileSync(join(dir, 'started'), String(process.pid));
    while (!existsSync(join(dir, 'release'))) Atomics.wait(pause, 0, 0, 20);
    return true;
  },
};
export default program;
