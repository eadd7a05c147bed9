/**
 * How close PageRank's answer is to the fixed point under each stopping rule (issue 13): for
 * cnr-2000 and soc-Slashdot0902 (../shared/data, or `--files`), through the library API
 * (`openGraph` / `run`), runs
 *
 *   networkx   `stopRule: 'networkx'`, tolerance 1e-6: Σ|Δ| < N·tolerance, NetworkX's rule
 *   default    the default options
 *   reference  tolerance 1e-12, maxIterations 1000 (under the `l1` rule, Σ|Δ| < tolerance)
 *
 * and prints, per graph and rule, the iterations, the L1 distance Σ_v |r(v) − r_ref(v)| to the
 * reference and the top-100 overlap (how many of the reference's 100 highest-ranked vertices are
 * among the run's 100 highest).
 *
 *   npm run build && node --import tsx bench/pagerank-accuracy.ts [--files a.txt.gz,b.txt.gz] [--top 100]
 *
 * One JSON line per graph and rule.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { VertexLabel } from '../src/storage/index.js';
import { fromDist, round } from './lib.js';

const DATA = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: [join(DATA, 'cnr-2000.txt.gz'), join(DATA, 'soc-Slashdot0902.txt.gz')].join(',') },
    top: { type: 'string', default: '100' },
  },
});
const topK = Number(values.top);

const gasworks = await fromDist<typeof import('../src/index.js')>('index.js');
const RULES: { rule: string; options: Record<string, unknown> }[] = [
  { rule: 'networkx', options: { stopRule: 'networkx', tolerance: 1e-6 } },
  { rule: 'default', options: {} },
];
const REFERENCE = { tolerance: 1e-12, maxIterations: 1000, stopRule: 'l1' };

const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-pr-accuracy-'));
const dataDir = join(work, 'data');
const catalog = gasworks.openCatalog(dataDir);
try {
  for (const file of values.files.split(',').map((f) => resolve(f))) {
    if (!existsSync(file)) throw new Error(`bench/pagerank-accuracy: ${file} not found`);
    const name = basename(file).replace(/\.(txt|tsv|csv)?(\.gz)?$/, '');
    await gasworks.importGraphFile(catalog, { file, name });
    const graph = gasworks.openGraph(name, { dataDir });
    try {
      const runPageRank = async (
        options: Record<string, unknown>,
      ): Promise<{ job: Awaited<ReturnType<typeof gasworks.run>>; ranks: Map<VertexLabel, number> }> => {
        const job = await gasworks.run(graph, 'pagerank', { options, top: 0 });
        return { job, ranks: job.values() as Map<VertexLabel, number> };
      };
      const reference = await runPageRank(REFERENCE);
      const referenceTop = topVertices(reference.ranks, topK);
      console.log(JSON.stringify({ bench: 'pagerank-accuracy', graph: name, rule: 'reference', ...describe(reference.job), vertices: reference.ranks.size }));
      for (const { rule, options } of RULES) {
        const { job, ranks } = await runPageRank(options);
        const runTop = new Set(topVertices(ranks, topK));
        console.log(
          JSON.stringify({
            bench: 'pagerank-accuracy',
            graph: name,
            rule,
            ...describe(job),
            l1ToReference: l1Distance(ranks, reference.ranks),
            [`top${topK}Overlap`]: referenceTop.filter((v) => runTop.has(v)).length,
          }),
        );
      }
    } finally {
      graph.close();
    }
  }
} finally {
  catalog.close();
  rmSync(work, { recursive: true, force: true });
}

/** What a job was asked and did: its rule and tolerance as resolved, its iterations and time. */
function describe(job: Awaited<ReturnType<typeof gasworks.run>>): Record<string, unknown> {
  return {
    stopRule: job.options.stopRule,
    tolerance: job.options.tolerance,
    iterations: job.iterations,
    converged: job.converged,
    computeSeconds: round(job.timings.computeMs / 1000),
  };
}

function l1Distance(ranks: Map<VertexLabel, number>, reference: Map<VertexLabel, number>): number {
  if (ranks.size !== reference.size) throw new Error(`bench/pagerank-accuracy: ${ranks.size} ranks against ${reference.size} in the reference`);
  let distance = 0;
  for (const [vertex, rank] of reference) distance += Math.abs(ranks.get(vertex)! - rank);
  return Number(distance.toPrecision(3));
}

/** The k highest-ranked vertices (ties in the order the results list them). */
function topVertices(ranks: Map<VertexLabel, number>, k: number): VertexLabel[] {
  return [...ranks]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([vertex]) => vertex);
}
