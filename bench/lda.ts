/**
 * LDA on the bag-of-words corpora of ../shared/data: KOS blog entries (UCI docword + vocab,
 * 467 K tokens) and the AP corpus (lda-c, 436 K tokens); for K = 20 and 50 (`--topics`), the
 * training log-likelihood per token after `--iterations` sweeps, (1/N) Σ c_dw log Σ_k θ_dk φ_kw,
 * and tokens per second (median over the sweeps). Published peers on this machine's scale:
 * GibbsLDA++ (one thread) −7.34 at K = 20 after 300 iterations on KOS at 12.6 M tokens/s.
 *
 * With `--gibbslda DIR`, where DIR holds a GibbsLDA++ 0.2 binary `DIR/lda` (http://gibbslda.sourceforge.net,
 * built outside this repository; nothing of it is committed), the same run also measures that peer on the
 * same corpus, K, α = 50/K, β = 0.1 and iteration count: the imported graph is written in its input format,
 * `lda -est` runs in a fresh folder, its sampling loop is timed between its own "Sampling N iterations!" and
 * "Gibbs sampling completed!" lines (its stdout made line-buffered by `stdbuf -oL`; without stdbuf, the
 * whole process is timed and the line says so), and the log-likelihood is computed as above from its final
 * topic assignments. Its tokens per second are the mean over the loop, ours the median over the sweeps.
 *
 *   npm run build && node --import tsx bench/lda.ts [--topics 20,50] [--iterations 300] [--workers 1] [--corpora kos,ap]
 *     [--sampler auto|exact|mh] [--mh-steps 2] [--likelihood-every 1] [--gibbslda /tmp/gibbslda/bin]
 *
 * One JSON line per (corpus, K); with --gibbslda, each is followed by the peer's line
 * ({"peer":"GibbsLDA++", …}) and a line with the ratio of our tokens per second to the peer's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Catalog as StoredCatalog } from '../src/storage/index.js';
import { fromDist, round } from './lib.js';
import { benchGibbsLda, gibbsLdaBinary, writeGibbsLdaCorpus } from './peers/gibbslda.js';

const DATA = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const { values } = parseArgs({
  options: {
    topics: { type: 'string', default: '20,50' },
    iterations: { type: 'string', default: '300' },
    workers: { type: 'string', default: '1' },
    corpora: { type: 'string', default: 'kos,ap' },
    sampler: { type: 'string', default: 'auto' },
    'mh-steps': { type: 'string', default: '2' },
    'likelihood-every': { type: 'string', default: '1' },
    gibbslda: { type: 'string' },
  },
});
const iterations = Number(values.iterations);

const { Catalog, GraphReader, graphStoreDir, WORD_PREFIX } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
const { importGraphFile, runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');

interface Corpus {
  file: string;
  vocab: string;
  format: 'uci' | 'lda-c';
}
const CORPORA: Record<'kos' | 'ap', Corpus> = {
  kos: { file: join(DATA, 'docword.kos.txt.gz'), vocab: join(DATA, 'vocab.kos.txt.gz'), format: 'uci' },
  ap: { file: join(DATA, 'ap.dat.gz'), vocab: join(DATA, 'ap.vocab.txt.gz'), format: 'lda-c' },
};

const gibbsLda = values.gibbslda === undefined ? undefined : gibbsLdaBinary(values.gibbslda);

/** The documents of an imported corpus as (word, token count) entries, from its stored partitions. */
function storedDocuments(catalog: StoredCatalog, name: string): (readonly [string, number])[][] {
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, catalog.getGraph(name)));
  try {
    const { text } = reader.labels();
    const documents = new Map<number, [string, number][]>();
    for (let p = 0; p < reader.meta.numPartitions; p++) {
      const { gids, src, dst, weight } = reader.partition(p);
      for (let i = 0; i < src.length; i++) {
        const doc = gids[src[i]!]!;
        if (!documents.has(doc)) documents.set(doc, []);
        documents.get(doc)!.push([text.get(gids[dst[i]!]!)!.slice(WORD_PREFIX.length), weight![i]!]);
      }
    }
    return [...documents.values()];
  } finally {
    reader.close();
  }
}

const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-lda-'));
const catalog = Catalog.open(join(work, 'data'));
try {
  for (const name of values.corpora.split(',') as (keyof typeof CORPORA)[]) {
    const corpus = CORPORA[name];
    await importGraphFile(catalog, { file: corpus.file, vocab: corpus.vocab, format: corpus.format, name, partitions: 4 });
    const gibbsLdaFile = join(work, `${name}.gibbslda.dat`);
    const gibbsLdaTokens = gibbsLda === undefined ? 0 : writeGibbsLdaCorpus(storedDocuments(catalog, name), gibbsLdaFile);
    for (const topics of values.topics.split(',').map(Number)) {
      const job = await runJob(catalog, {
        graph: name,
        algorithm: 'lda',
        options: {
          topics,
          maxIterations: iterations,
          sampler: values.sampler,
          mhSteps: Number(values['mh-steps']),
          likelihoodEvery: Number(values['likelihood-every']),
        },
        workers: Number(values.workers),
        top: 0,
      });
      const ll = job.logLikelihoodPerToken as (number | null)[];
      console.log(
        JSON.stringify({
          bench: 'lda',
          corpus: name,
          topics,
          sampler: job.sampler,
          iterations: job.iterations,
          workers: job.workers,
          tokens: job.tokens,
          likelihoodEvery: Number(values['likelihood-every']),
          logLikelihoodPerToken: round(ll.at(-1)!),
          logLikelihoodAt: Object.fromEntries(
            [10, 50, 100, 200, 300].filter((i) => i - 3 < ll.length && i >= 3).map((i) => [i, ll[i - 3] === null ? null : round(ll[i - 3]!)]),
          ),
          tokensPerSecond: Math.round(job.tokensPerSecond as number),
          computeSeconds: round(job.timings.computeMs / 1000),
        }),
      );
      if (gibbsLda === undefined) continue;
      if (job.tokens !== gibbsLdaTokens)
        throw new Error(`bench/lda --gibbslda: our ${name} holds ${job.tokens} tokens, the corpus written for GibbsLDA++ ${gibbsLdaTokens}`);
      const peerTokensPerSecond = await benchGibbsLda(gibbsLda, work, name, gibbsLdaFile, gibbsLdaTokens, topics, iterations);
      console.log(JSON.stringify({ bench: 'lda', corpus: name, topics, tokensPerSecondRatio: round((job.tokensPerSecond as number) / peerTokensPerSecond) }));
    }
  }
} finally {
  catalog.close();
  rmSync(work, { recursive: true, force: true });
}
