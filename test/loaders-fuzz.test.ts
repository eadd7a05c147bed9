/**
 * Fuzzing every loader against an independent reference parser (`helpers/reference-parser.ts`).
 * Seeded valid files of each format are mutated — byte flips, inserted CR/LF/CRLF, NUL, invalid
 * UTF-8, quotes, duplicated and removed lines, huge numbers, long tokens, BOMs, whitespace — and
 * each input must either load exactly the reference's edges (labels and weights, as a multiset)
 * and vertices, or be refused with `GAS_ERR_PARSE` naming a line (graphology: a JSON path) where
 * the reference refuses too. Nothing else is allowed: a crash (anything but a GasError, or another
 * code) or a silent difference fails the test. `GAS_ERR_UNSUPPORTED` is accepted only where the
 * reference also finds an unsupported feature at that line (a non-square Matrix Market size line).
 *
 * Loaders are called directly with the file fed in tiny chunks (1–9 bytes, so chunk ends fall
 * inside CRLFs, UTF-8 sequences and the BOM); SNAP and TSV inputs also go through the parallel
 * parser with 2–7 ranges scanned in-process with tiny reads, which must give the sequential
 * answer exactly (ids, labels, edge order, or the same error line). A share of the cases of every
 * format goes through `importGraph` into a temporary catalog, some edge lists on real worker
 * threads. Counts of each outcome are printed per format, one JSON line each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GasError } from '../src/errors.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { LabelDictionary } from '../src/storage/dictionary.js';
import { EdgeChunks } from '../src/storage/growable.js';
import { loaderFor, openInput, type GraphFormat, type InputFile, type LoaderOptions } from '../src/storage/loaders/index.js';
import { parseInParallel } from '../src/storage/loaders/parallel-edge-list.js';
import { scanRange } from '../src/storage/loaders/range-scan.js';
import { makeTempDir, openTempCatalog, removeTempDirs, withReader } from './helpers/graph-files.js';
import { seededRandom } from './helpers/generators.js';
import { referenceParse, type ReferenceResult } from './helpers/reference-parser.js';
import { BASE_INPUTS, mutate, mutateVocabulary, type Random } from './helpers/fuzz-inputs.js';

afterAll(removeTempDirs);

const FORMATS: readonly GraphFormat[] = ['snap', 'tsv', 'csv', 'mtx', 'graphology', 'ratings', 'uci', 'lda-c'];
/** Loader calls per format (all of them fuzzed); every `IMPORT_EVERY`-th also goes through `importGraph`. */
const CASES_PER_FORMAT = 300;
const IMPORT_EVERY = 6;
/** Of the edge-list cases imported, every `WORKER_EVERY`-th uses real worker threads. */
const WORKER_EVERY = 5;
/** Small, so long tokens cross it often and cheaply. */
const MAX_LABEL_BYTES = 48;

type Outcome = 'imported' | 'refused' | 'unsupported' | 'overRefused' | 'silentDifference' | 'crash' | 'parallelMismatch';

interface Loaded {
  readonly ok: true;
  /** Labels by dense id. */
  readonly labels: string[];
  /** `[source, target, weight]` label texts, in file order. */
  readonly edges: [string, string, number | null][];
  readonly undirected: boolean;
}
interface Refused {
  readonly ok: false;
  readonly error: unknown;
}

async function load(
  format: GraphFormat,
  input: InputFile,
  options: LoaderOptions,
  parallel?: { parts: number; chunkBytes: number },
): Promise<Loaded | Refused> {
  const dictionary = new LabelDictionary();
  let edges = new EdgeChunks(false);
  const target = { dictionary, begin: (weighted: boolean) => (edges = new EdgeChunks(weighted)) };
  try {
    const info = parallel
      ? await parseInParallel(input, target, options, format === 'tsv', { parts: parallel.parts, run: (request) => scanRange(request, parallel.chunkBytes) })
      : await loaderFor(format)(input, target, options);
    const final = dictionary.finalize();
    const labels = Array.from({ length: final.numVertices }, (_, id) => (Number.isNaN(final.numeric[id]!) ? final.text.get(id)! : String(final.numeric[id])));
    const out: [string, string, number | null][] = [];
    for (let k = 0; k < edges.chunkCount; k++) {
      const { src, dst, weight, length } = edges.chunk(k);
      for (let i = 0; i < length; i++) out.push([labels[final.idOf(src[i]!)]!, labels[final.idOf(dst[i]!)]!, weight ? weight[i]! : null]);
    }
    return { ok: true, labels, edges: out, undirected: info.directed === false };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The input as a stream of `size`-byte chunks. */
function chunked(path: string, bytes: Buffer, size: number): InputFile {
  return {
    path,
    gzip: false,
    bytes: bytes.length,
    async *chunks() {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    },
  };
}

const edgeKey = ([s, t, w]: readonly [string, string, number | null], undirected: boolean): string =>
  JSON.stringify(undirected && t < s ? [t, s, w] : [s, t, w]);

/** Compares a load (or import) with the reference; returns the outcome and, for failures, why. */
function judge(
  format: GraphFormat,
  reference: ReferenceResult,
  actual: Loaded | Refused,
  viaImport: boolean,
): { outcome: Outcome; why?: string; sameLine?: boolean } {
  if (!actual.ok) {
    const error = actual.error;
    if (!(error instanceof GasError)) return { outcome: 'crash', why: String((error as Error)?.stack ?? error) };
    const line = error.details.line;
    const located = typeof line === 'number' && line >= 1;
    if (error.code === 'GAS_ERR_UNSUPPORTED' && !reference.ok && reference.unsupported && line === reference.line) return { outcome: 'unsupported' };
    if (error.code !== 'GAS_ERR_PARSE') return { outcome: 'crash', why: `${error.code}: ${error.message}` };
    const emptyGraph = viaImport && reference.ok && reference.labels.size === 0;
    if (!located && !(format === 'graphology' && typeof error.details.where === 'string') && !emptyGraph) {
      return { outcome: 'crash', why: `refused without a line: ${error.message}` };
    }
    if (reference.ok && !emptyGraph) return { outcome: 'overRefused', why: `the reference accepts it; loader: ${error.message}` };
    return { outcome: 'refused', sameLine: !reference.ok && reference.line === line };
  }
  if (!reference.ok)
    return { outcome: 'silentDifference', why: `loaded ${actual.edges.length} edges; the reference refuses line ${reference.line}: ${reference.reason}` };
  if (viaImport && reference.labels.size === 0) return { outcome: 'silentDifference', why: 'imported a graph with no vertices' };
  const undirected = reference.undirected;
  const expected = reference.edges.map((e) => edgeKey(e, undirected)).sort();
  const got = actual.edges.map((e) => edgeKey(e, undirected)).sort();
  if (JSON.stringify(expected) !== JSON.stringify(got)) {
    const missing = expected.filter((e) => !got.includes(e)).slice(0, 3);
    const extra = got.filter((e) => !expected.includes(e)).slice(0, 3);
    return { outcome: 'silentDifference', why: `edges differ: missing ${missing.join(' ')}; extra ${extra.join(' ')}` };
  }
  const labels = [...actual.labels].sort();
  if (JSON.stringify(labels) !== JSON.stringify([...reference.labels].sort())) return { outcome: 'silentDifference', why: 'vertex labels differ' };
  if (actual.undirected !== undirected) return { outcome: 'silentDifference', why: `undirected: ${actual.undirected}, reference ${undirected}` };
  return { outcome: 'imported' };
}

/** The same answer from the sequential and the parallel parse: ids, labels, edge order, or the same error at the same line. */
function sameParse(sequential: Loaded | Refused, parallel: Loaded | Refused): string | null {
  if (sequential.ok && parallel.ok) {
    if (JSON.stringify(sequential.labels) !== JSON.stringify(parallel.labels)) return 'labels (by id) differ';
    if (JSON.stringify(sequential.edges) !== JSON.stringify(parallel.edges)) return 'edges differ';
    return null;
  }
  if (!sequential.ok && !parallel.ok) {
    const [a, b] = [sequential.error as GasError, parallel.error as GasError];
    if (a?.code !== b?.code || a?.details?.line !== b?.details?.line || a?.details?.problem !== b?.details?.problem) {
      return `errors differ: ${String(a?.message)} | ${String(b?.message)}`;
    }
    return null;
  }
  return `one refused, one loaded: ${sequential.ok ? '' : String((sequential.error as Error).message)}${parallel.ok ? '' : String((parallel.error as Error).message)}`;
}

/** Reads an imported graph back under user labels. */
function storedGraph(temp: ReturnType<typeof openTempCatalog>, name: string): Loaded {
  return withReader(temp.catalog, name, (reader) => {
    const labels = Array.from({ length: reader.meta.vertices }, (_, id) => String(reader.labelOf(id)));
    const edges: [string, string, number | null][] = [];
    for (let p = 0; p < reader.meta.numPartitions; p++) {
      const { gids, src, dst, weight } = reader.partition(p);
      for (let i = 0; i < src.length; i++) edges.push([labels[gids[src[i]!]!]!, labels[gids[dst[i]!]!]!, weight ? weight[i]! : null]);
    }
    return { ok: true, labels, edges, undirected: !reader.meta.directed };
  });
}

describe('loaders under fuzzing', () => {
  const dir = makeTempDir('gasworks-fuzz-');
  const temp = openTempCatalog();
  afterAll(() => temp.close());

  for (const [index, format] of FORMATS.entries()) {
    it(`${format}: ${CASES_PER_FORMAT} mutated files load as the reference parser reads them, or are refused at a line`, { timeout: 60_000 }, async () => {
      const random: Random = seededRandom(1000 + index);
      const counts: Record<Outcome, number> = { imported: 0, refused: 0, unsupported: 0, overRefused: 0, silentDifference: 0, crash: 0, parallelMismatch: 0 };
      let viaImport = 0;
      /** Refusals at the very line the reference refuses (informative: the first problem found may differ). */
      let refusedAtReferenceLine = 0;
      let viaWorkers = 0;
      const failures: string[] = [];
      const edgeList = format === 'snap' || format === 'tsv';
      for (let n = 0; n < CASES_PER_FORMAT; n++) {
        const base = BASE_INPUTS[format](random);
        const bytes = mutate(random, base.text, MAX_LABEL_BYTES);
        const vocab = base.vocab && (random() < 0.25 ? mutateVocabulary(random, base.vocab) : base.vocab);
        const path = join(dir, `${format}-${n}.${format === 'graphology' ? 'json' : 'txt'}`);
        writeFileSync(path, bytes);
        let vocabPath: string | undefined;
        if (vocab) writeFileSync((vocabPath = join(dir, `${format}-${n}.vocab`)), vocab);
        const weighted = format === 'graphology' || (edgeList || format === 'csv' ? random() < 0.5 : false);
        const options: LoaderOptions = { weighted, header: 'auto', vocab: vocabPath, maxLabelBytes: MAX_LABEL_BYTES };
        const reference = referenceParse(format, bytes, { weighted, maxLabelBytes: MAX_LABEL_BYTES, vocab });
        const record = (outcome: Outcome, why?: string): void => {
          counts[outcome]++;
          if (why !== undefined && failures.length < 5) failures.push(`case ${n} (${outcome}): ${why}\n  input: ${JSON.stringify(bytes.toString('latin1'))}`);
        };

        const sequential = await load(format, chunked(path, bytes, 1 + Math.floor(random() * 9)), options);
        const verdict = judge(format, reference, sequential, false);
        if (verdict.sameLine) refusedAtReferenceLine++;
        record(verdict.outcome, verdict.outcome === 'imported' || verdict.outcome === 'refused' || verdict.outcome === 'unsupported' ? undefined : verdict.why);

        if (edgeList) {
          const parallel = await load(format, openInput(path), options, { parts: 2 + Math.floor(random() * 6), chunkBytes: 1 + Math.floor(random() * 8) });
          const mismatch = sameParse(sequential, parallel);
          if (mismatch) record('parallelMismatch', mismatch);
        }

        if (n % IMPORT_EVERY === 0) {
          viaImport++;
          const workers = edgeList && viaImport % WORKER_EVERY === 0;
          if (workers) viaWorkers++;
          const name = `${format}-${n}`;
          if (workers) process.env.GASWORKS_PARALLEL_PARSE_BYTES = '1';
          let imported: Loaded | Refused;
          try {
            await importGraph(temp.catalog, { file: path, name, format, weighted, vocab: vocabPath, maxLabelBytes: MAX_LABEL_BYTES, partitions: 2 });
            imported = storedGraph(temp, name);
          } catch (error) {
            imported = { ok: false, error };
          } finally {
            delete process.env.GASWORKS_PARALLEL_PARSE_BYTES;
          }
          const importVerdict = judge(format, reference, imported, true);
          // The import must agree with the direct load, outcome for outcome.
          if (
            importVerdict.outcome !== verdict.outcome &&
            !(verdict.outcome === 'imported' && importVerdict.outcome === 'refused' && reference.ok && reference.labels.size === 0)
          ) {
            record(
              importVerdict.outcome === 'imported' || importVerdict.outcome === 'refused' ? 'silentDifference' : importVerdict.outcome,
              `via importGraph: ${importVerdict.outcome} (${importVerdict.why ?? ''}), loaded directly: ${verdict.outcome}`,
            );
          }
        }
      }
      console.log(JSON.stringify({ fuzz: format, cases: CASES_PER_FORMAT, viaImport, viaWorkers, ...counts, refusedAtReferenceLine }));
      expect(failures, failures.join('\n')).toEqual([]);
      expect(counts.imported).toBeGreaterThan(0);
      expect(counts.refused).toBeGreaterThan(0);
    });
  }
});
