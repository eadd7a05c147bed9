/**
 * `gasworks run` as a new user meets it: a summary that calls a result converged only when it
 * is (every step's residual shown), help generated from each algorithm's option schema, the
 * names users bring from Neo4j GDS, NetworkX and Spark, did-you-mean for typos, and options
 * checked before a job exists. The built CLI in a child process, on a temporary data directory.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { edgeListText, preferentialAttachment } from './helpers/generators.js';
import { makeTempDir, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';

const CLI = resolve('bin/gasworks.js');

afterAll(removeTempDirs);

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

describe('gasworks run', () => {
  const dir = makeTempDir('gasworks-cli-run-');
  const data = join(dir, 'data');
  const gasworks = (...args: string[]): Ran => {
    const child = spawnSync(process.execPath, [CLI, ...args, '--data-dir', data], { encoding: 'utf8' });
    return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
  };
  const json = (...args: string[]): Record<string, unknown> & { residuals: number[]; iterations: number; jobId: number } => {
    const ran = gasworks(...args, '--json');
    expect(ran.status, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout);
  };
  const jobCount = (): number => JSON.parse(gasworks('jobs', '--json', '--limit', '1000000').stdout).length;
  const ranks = (job: number): Map<string, number> => {
    const rows = JSON.parse(gasworks('results', String(job), '--format', 'json').stdout) as { vertex: string | number; value: number }[];
    return new Map(rows.map((row) => [String(row.vertex), row.value]));
  };

  beforeAll(() => {
    // 3,000 vertices: NetworkX's N·tolerance rule is 3,000 times looser than the L1 rule here.
    const file = writeGraphFile(dir, 'pa.txt', edgeListText(preferentialAttachment(7, 3000, 3)));
    const imported = gasworks('import', file, '--name', 'pa', '--partitions', '3');
    expect(imported.status, imported.stderr).toBe(0);
  });

  it('default PageRank stops on an L1 change below tolerance, close to the fixed point, and lists every residual', () => {
    const reference = json('run', 'pagerank', '--graph', 'pa', '--tolerance', '1e-13', '--max-iterations', '1000');
    const run = json('run', 'pagerank', '--graph', 'pa');
    expect(run).toMatchObject({ stopReason: 'converged', converged: true, stopRule: 'l1', tolerance: 1e-6 });
    expect(run.residuals).toHaveLength(run.iterations);
    expect(run.residuals.at(-1)).toBeLessThan(1e-6);
    expect(Math.min(...run.residuals.slice(0, -1))).toBeGreaterThanOrEqual(1e-6);
    const exact = ranks(reference.jobId);
    let distance = 0;
    for (const [vertex, rank] of ranks(run.jobId)) distance += Math.abs(rank - exact.get(vertex)!);
    expect(distance).toBeLessThan(1e-4);

    // NetworkX's rule by name: it stops sooner and further away, and the summary says whose rule held.
    const networkx = json('run', 'pagerank', '--graph', 'pa', '--stop-rule', 'networkx');
    expect(networkx.iterations).toBeLessThan(run.iterations);
    expect(networkx.residuals.at(-1)).toBeLessThan(3000 * 1e-6);
    const human = gasworks('run', 'pagerank', '--graph', 'pa', '--stop-rule', 'networkx');
    expect(human.stdout).toContain("met NetworkX's stop rule");
    expect(human.stdout).not.toMatch(/— converged/);
  });

  it('the human summary shows every step residual and says converged only when the test held', () => {
    const converged = gasworks('run', 'pagerank', '--graph', 'pa', '--tolerance', '1e-4');
    expect(converged.stdout).toMatch(/— converged after \d+ iterations/);
    const residualLines = /residual Σ\|Δ\| per step \(stop rule l1: < 1\.00e-4\):\n((?:\s{4}.*\n)+)/.exec(converged.stdout);
    expect(residualLines).not.toBeNull();
    const shown = residualLines![1]!.trim().split(/\s+/);
    expect(shown.length).toBe(Number(/after (\d+) iterations/.exec(converged.stdout)![1]));

    const cut = gasworks('run', 'pagerank', '--graph', 'pa', '--max-iterations', '2');
    expect(cut.stdout).toContain('NOT converged: stopped at the iteration limit after 2 iterations');
    expect(json('run', 'pagerank', '--graph', 'pa', '--max-iterations', '2')).toMatchObject({ stopReason: 'max-iterations', converged: false });
  });

  it('--tolerance 0 runs exactly --max-iterations steps, as a fixed count', () => {
    const fixed = json('run', 'pagerank', '--graph', 'pa', '--tolerance', '0', '--max-iterations', '7');
    expect(fixed).toMatchObject({ iterations: 7, stopReason: 'fixed-iterations', converged: false });
    expect(fixed.residuals).toHaveLength(7);
    const human = gasworks('run', 'personalized-pagerank', '--graph', 'pa', '--sources', '1', '--tolerance', '0', '--max-iterations', '5');
    expect(human.stdout).toContain('5 iterations (a fixed count: no convergence test)');
  });

  it('ALS and LDA say how many iterations they ran and their quality figures, not "not converged"', () => {
    const ratings = writeGraphFile(dir, 'ratings.csv', 'userId,movieId,rating\n1,1,5\n1,2,3\n2,1,4\n2,3,2\n3,2,5\n3,3,1\n');
    expect(gasworks('import', ratings, '--name', 'ratings', '--format', 'ratings').status).toBe(0);
    const als = gasworks('run', 'als', '--graph', 'ratings', '--rank', '2', '--max-iterations', '3');
    expect(als.status, als.stderr).toBe(0);
    expect(als.stdout).toContain('— 3 iterations (a fixed count: no convergence test)');
    expect(als.stdout).not.toMatch(/not converged/i);
    expect(als.stdout).toMatch(/trainRmse [\d.]+ → [\d.]+ \(3 iterations\)/);
    const docword = writeGraphFile(dir, 'docword.txt', '3\n4\n6\n1 1 3\n1 2 1\n2 3 2\n2 4 2\n3 1 1\n3 4 1\n');
    expect(gasworks('import', docword, '--name', 'words', '--format', 'uci').status).toBe(0);
    const lda = gasworks('run', 'lda', '--graph', 'words', '--topics', '2', '--max-iterations', '4');
    expect(lda.stdout).toContain('— 4 iterations (a fixed count: no convergence test)');
    expect(lda.stdout).toMatch(/logLikelihoodPerToken -[\d.]+ → -[\d.]+/);
    // The jobs list marks them as a fixed count, not as cut short.
    const jobs = gasworks('jobs', '--graph', 'words').stdout;
    expect(jobs).toMatch(/ 4=\s/);
    expect(jobs).toContain('= after ITER: a fixed number of iterations by design');
    expect(jobs).not.toContain('* after ITER');
  });

  it('run <algorithm> --help: every option with its type, range, allowed values, default and meaning; run --help lists the algorithms', () => {
    const help = gasworks('run', 'pagerank', '--help').stdout;
    expect(help).toMatch(/--damping\s+number ≥ 0 and < 1\s+default 0\.85\n\s+probability of following a link .*\(also --damping-factor, --alpha\)/);
    expect(help).toMatch(/--stop-rule\s+l1\|networkx\s+default l1\n/);
    expect(help).toMatch(/--max-iterations\s+integer ≥ 1\s+default 100/);
    expect(help).toMatch(/--variant\s+normalized\|graphlab/);
    expect(help).toMatch(/--workers N\s+worker threads/);
    expect(gasworks('run', 'lda', '--help').stdout).toMatch(/--sampler\s+auto\|exact\|mh\s+default auto/);
    const all = gasworks('run', '--help');
    expect(all.status).toBe(0);
    for (const name of ['pagerank', 'personalized-pagerank', 'connected-components', 'sssp', 'label-propagation', 'triangle-count', 'k-core', 'als', 'lda'])
      expect(all.stdout).toContain(name);
    expect(all.stdout).toContain('Matrix factorisation by alternating least squares');
    expect(all.stdout).not.toContain('#0');
    expect(all.stdout).not.toContain('\u001b[');
  });

  it("accepts Neo4j GDS, NetworkX and Spark names for options, saying gasworks' name", () => {
    const gds = gasworks('run', 'pagerank', '--graph', 'pa', '--dampingFactor', '0.9', '--maxIter', '4', '--tol', '0', '--json');
    expect(gds.status, gds.stderr).toBe(0);
    expect(JSON.parse(gds.stdout)).toMatchObject({ iterations: 4, options: { damping: 0.9, maxIterations: 4, tolerance: 0 } });
    expect(gds.stderr).toContain('note: --dampingFactor is --damping in gasworks');
    expect(gds.stderr).toContain('note: --maxIter is --max-iterations in gasworks');
    expect(json('run', 'pagerank', '--graph', 'pa', '--alpha', '0.5', '--max_iter', '3').options).toMatchObject({ damping: 0.5, maxIterations: 3 });
    const spark = json('run', 'als', '--graph', 'ratings', '--k', '3', '--regParam', '0.1', '--implicitPrefs', '--maxIter', '2');
    expect(spark.options).toMatchObject({ rank: 3, regParam: 0.1, implicit: true, maxIterations: 2 });
    expect(json('run', 'lda', '--graph', 'words', '--k', '3', '--maxIter', '3').options).toMatchObject({ topics: 3, maxIterations: 3 });
  });

  it('a mistyped option gets a did-you-mean in kebab-case, and no job row: options are checked first', () => {
    const before = jobCount();
    const typo = gasworks('run', 'pagerank', '--graph', 'pa', '--dampng', '0.9');
    expect(typo.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(typo.stderr).toContain('unknown option --dampng (did you mean --damping?)');
    const camel = gasworks('run', 'pagerank', '--graph', 'pa', '--maxIterashuns', '3');
    expect(camel.stderr).toContain('(did you mean --max-iterations?)');
    const engine = gasworks('run', 'pagerank', '--graph', 'pa', '--wrokers', '2');
    expect(engine.stderr).toContain('unknown option --wrokers (did you mean --workers?)');
    const range = gasworks('run', 'pagerank', '--graph', 'pa', '--damping', '1.5');
    expect(range.stderr).toContain('damping must be a number ≥ 0 and < 1, got 1.5');
    const missing = gasworks('run', 'pagerank', '--graph', 'nope');
    expect(missing.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    const required = gasworks('run', 'sssp', '--graph', 'pa');
    expect(required.stderr).toContain('sssp: --source is required');
    const label = gasworks('run', 'sssp', '--graph', 'pa', '--source', 'v99999');
    expect(label.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    expect(label.stderr).toContain('sssp: source: vertex "v99999" is not in graph "pa"');
    expect(jobCount()).toBe(before);
  });
});
