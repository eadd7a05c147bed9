/**
 * Import throughput: parse + partition (P=4) + LMDB commit, end to end through `importGraph`,
 * for the LAW cnr-2000 web graph (3.2 M edges; `--file` for another directed edge list) and a generated Graph500 Kronecker graph
 * (default scale 22: 67 M edges, imported as undirected). Each run is a fresh child process so
 * that peak RSS is that of one import. Peer in the same run: graphology building cnr-2000 in
 * memory from already-parsed edges.
 *
 *   node --import tsx bench/import.ts [--runs 3] [--scale 22] [--file F] [--skip-kron] [--skip-peer]
 *
 * Prints one JSON line per run and one `summary` line per case (medians).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, median, round } from './lib.js';

const HERE = fileURLToPath(import.meta.url);
const CNR = resolve(fileURLToPath(new URL('../../shared/data/cnr-2000.txt.gz', import.meta.url)));

interface ChildResult {
  readonly ms: number;
  readonly edges: number;
  readonly inputEdges: number;
  readonly vertices: number;
  readonly peakRssMB: number;
  readonly phases?: Record<string, number>;
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    runs: { type: 'string', default: '3' },
    scale: { type: 'string', default: '22' },
    file: { type: 'string' },
    'skip-kron': { type: 'boolean', default: false },
    'skip-peer': { type: 'boolean', default: false },
  },
});

if (values.child) {
  const job = JSON.parse(values.child) as { kind: 'import' | 'graphology'; file: string; undirected?: boolean };
  process.stdout.write(`${JSON.stringify(job.kind === 'import' ? await childImport(job.file, job.undirected ?? false) : await childGraphology(job.file))}\n`);
  process.exit(0);
}

const runs = Number(values.runs);
const file = values.file === undefined ? CNR : resolve(values.file);
const fileGraph = values.file === undefined ? 'cnr-2000' : basename(file).replace(/\.(txt|tsv|csv)?(\.gz)?$/, '');
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-'));
try {
  if (existsSync(file)) {
    report('import', fileGraph, repeat(runs, { kind: 'import', file }));
    if (!values['skip-peer']) report('graphology-build', fileGraph, repeat(Math.min(runs, 3), { kind: 'graphology', file }));
  } else {
    console.log(JSON.stringify({ bench: 'import', graph: fileGraph, skipped: `${file} not found` }));
  }
  if (!values['skip-kron']) {
    const scale = Number(values.scale);
    const file = join(work, `kron-${scale}.txt`);
    const { writeKroneckerEdgeList } = await fromDist<typeof import('../src/generate/kronecker.js')>('generate/kronecker.js');
    const started = performance.now();
    const written = await writeKroneckerEdgeList({ scale, edgeFactor: 16, seed: 1 }, file);
    console.log(
      JSON.stringify({
        bench: 'generate',
        graph: `kron-${scale}`,
        edges: written.edges,
        bytes: written.bytes,
        seconds: round((performance.now() - started) / 1000),
      }),
    );
    report('import', `kron-${scale}`, repeat(runs, { kind: 'import', file, undirected: true }));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function repeat(count: number, job: object): ChildResult[] {
  const results: ChildResult[] = [];
  for (let run = 0; run < count; run++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--child', JSON.stringify(job)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`bench child failed (${child.status}): ${JSON.stringify(job)}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult;
    console.log(
      JSON.stringify({ bench: 'run', job, run, ...result, seconds: round(result.ms / 1000), edgesPerSec: Math.round(result.inputEdges / (result.ms / 1000)) }),
    );
    results.push(result);
  }
  return results;
}

function report(bench: string, graph: string, results: ChildResult[]): void {
  const seconds = median(results.map((r) => r.ms / 1000));
  const first = results[0]!;
  console.log(
    JSON.stringify({
      bench,
      graph,
      summary: true,
      runs: results.length,
      vertices: first.vertices,
      inputEdges: first.inputEdges,
      edges: first.edges,
      medianSeconds: round(seconds),
      edgesPerSec: Math.round(first.inputEdges / seconds),
      peakRssMB: Math.round(Math.max(...results.map((r) => r.peakRssMB))),
    }),
  );
}

async function childImport(file: string, undirected: boolean): Promise<ChildResult> {
  const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
  const { importGraph } = await fromDist<typeof import('../src/ingest/import-graph.js')>('ingest/import-graph.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'gasworks-bench-data-'));
  try {
    const catalog = Catalog.open(dataDir);
    const started = performance.now();
    const result = await importGraph(catalog, { file, name: 'bench', partitions: 4, undirected });
    const ms = performance.now() - started;
    catalog.close();
    const g = result.graph;
    return {
      ms,
      edges: g.edges,
      inputEdges: g.edges + g.removedMultiEdges + g.removedSelfLoops,
      vertices: g.vertices,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      phases: {
        parseMs: Math.round(result.timings.parseMs),
        partitionMs: Math.round(result.timings.partitionMs),
        buildAndWriteMs: Math.round(result.timings.buildMs),
      },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The peer: parse the edge list (fast path, no validation) and build a graphology DirectedGraph. */
async function childGraphology(file: string): Promise<ChildResult> {
  const { createGunzip } = await import('node:zlib');
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const { DirectedGraph } = await import('graphology');
  const parseStart = performance.now();
  const src: string[] = [];
  const dst: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) {
    if (line.startsWith('#') || line === '') continue;
    const [source, target] = line.split(/\s+/, 2) as [string, string];
    src.push(source);
    dst.push(target);
  }
  const buildStart = performance.now();
  const graph = new DirectedGraph({ multi: false, allowSelfLoops: true });
  for (let i = 0; i < src.length; i++) {
    if (!graph.hasNode(src[i]!)) graph.addNode(src[i]!);
    if (!graph.hasNode(dst[i]!)) graph.addNode(dst[i]!);
    graph.addEdge(src[i]!, dst[i]!);
  }
  const ms = performance.now() - buildStart;
  return {
    ms,
    edges: graph.size,
    inputEdges: src.length,
    vertices: graph.order,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    phases: { parseMs: Math.round(buildStart - parseStart), buildMs: Math.round(ms) },
  };
}
