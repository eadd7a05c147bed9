/**
 * LDA: recovers planted topics on a synthetic corpus (matched cosine > 0.9), keeps its counts
 * consistent (documents' rows sum to their lengths, words' rows to their token counts, and both
 * sides agree per topic), improves its log-likelihood, and gives the same answer on any worker
 * count for a seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraphFile, jobResults, runJob, topicWords } from '../src/api/index.js';
import { openTempCatalog, removeTempDirs, seededRandom, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';

const TOPICS = 3;
const WORDS_PER_TOPIC = 8;
const DOCS = 120;
const TOKENS_PER_DOC = 60;

let temp: TempCatalog;
/** Planted φ: topic t puts its mass on words t·8 … t·8+7 (uniformly). */
const planted = Array.from({ length: TOPICS }, (_, t) =>
  Array.from({ length: TOPICS * WORDS_PER_TOPIC }, (_, w) => (Math.floor(w / WORDS_PER_TOPIC) === t ? 1 / WORDS_PER_TOPIC : 0)),
);

beforeAll(async () => {
  temp = openTempCatalog();
  const random = seededRandom(21);
  const lines: string[] = [];
  for (let d = 1; d <= DOCS; d++) {
    // Each document mixes two topics.
    const a = Math.floor(random() * TOPICS);
    const b = (a + 1 + Math.floor(random() * (TOPICS - 1))) % TOPICS;
    const counts = new Map<number, number>();
    for (let n = 0; n < TOKENS_PER_DOC; n++) {
      const topic = random() < 0.7 ? a : b;
      const word = topic * WORDS_PER_TOPIC + Math.floor(random() * WORDS_PER_TOPIC) + 1;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    for (const [word, count] of [...counts].sort((x, y) => x[0] - y[0])) lines.push(`${d} ${word} ${count}`);
  }
  const docword = `${DOCS}\n${TOPICS * WORDS_PER_TOPIC}\n${lines.length}\n${lines.join('\n')}\n`;
  await importGraphFile(temp.catalog, { file: writeGraphFile(temp.inputDir, 'docword.txt', docword), name: 'corpus', format: 'uci', partitions: 4 });
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

/** Topic counts per vertex label, from a job's results. */
function countsOf(jobId: number): Map<string, number[]> {
  return new Map([...jobResults(temp.catalog, jobId).rows()].map((row) => [String(row.vertex), row.value as number[]]));
}

const cosine = (a: number[], b: number[]): number => {
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
};

describe('lda', () => {
  it('recovers the planted topics (each matched with cosine > 0.9), and its log-likelihood improves', async () => {
    const job = await runJob(temp.catalog, {
      graph: 'corpus',
      algorithm: 'lda',
      options: { topics: TOPICS, maxIterations: 60, alpha: 0.5, beta: 0.1 },
      inProcess: true,
    });
    const counts = countsOf(job.jobId);
    // Recovered φ_k over word ids 1…24, from the words' counts.
    const phi = Array.from({ length: TOPICS }, (_, k) => Array.from({ length: TOPICS * WORDS_PER_TOPIC }, (_, w) => counts.get(`w:${w}`)?.[k] ?? 0));
    for (const truth of planted) expect(Math.max(...phi.map((row) => cosine(row, truth)))).toBeGreaterThan(0.9);
    const ll = job.logLikelihoodPerToken as number[];
    expect(ll.length).toBe(58);
    expect(ll.at(-1)!).toBeGreaterThan(ll[0]! + 0.1);
    expect(job.tokens).toBe(DOCS * TOKENS_PER_DOC);
    // `topics`: each topic's top words are one planted block (no vocabulary: words are named by id from 0).
    for (const { words, tokens } of topicWords(temp.catalog, job.jobId, WORDS_PER_TOPIC)) {
      expect(words).toHaveLength(WORDS_PER_TOPIC);
      expect(new Set(words.map(({ word }) => Math.floor(Number(word) / WORDS_PER_TOPIC))).size).toBe(1);
      expect(tokens).toBeGreaterThan(0);
    }
    expect(() => topicWords(temp.catalog, job.jobId, 0)).toThrow(/--top/);
  });

  it('counts stay consistent: rows sum to lengths, and documents and words agree per topic', async () => {
    const job = await runJob(temp.catalog, { graph: 'corpus', algorithm: 'lda', options: { topics: 4, maxIterations: 7 }, workers: 3, inProcess: true });
    const counts = countsOf(job.jobId);
    const byDocs = new Array<number>(4).fill(0);
    const byWords = new Array<number>(4).fill(0);
    for (const [label, row] of counts) {
      const sum = row.reduce((a, b) => a + b, 0);
      if (label.startsWith('d:')) {
        expect(sum).toBe(TOKENS_PER_DOC);
        row.forEach((n, k) => (byDocs[k]! += n));
      } else {
        row.forEach((n, k) => (byWords[k]! += n));
      }
    }
    expect(byWords).toEqual(byDocs);
    expect(byDocs.reduce((a, b) => a + b, 0)).toBe(DOCS * TOKENS_PER_DOC);
  });

  it('depends only on the seed: 1 worker, 3 in-process workers and 2 threads agree exactly', async () => {
    const options = { topics: 5, maxIterations: 6, seed: 9 };
    const one = countsOf((await runJob(temp.catalog, { graph: 'corpus', algorithm: 'lda', options, inProcess: true })).jobId);
    const three = countsOf((await runJob(temp.catalog, { graph: 'corpus', algorithm: 'lda', options, workers: 3, inProcess: true })).jobId);
    const threads = countsOf((await runJob(temp.catalog, { graph: 'corpus', algorithm: 'lda', options, workers: 2 })).jobId);
    expect([...three]).toEqual([...one]);
    expect([...threads]).toEqual([...one]);
    const other = countsOf((await runJob(temp.catalog, { graph: 'corpus', algorithm: 'lda', options: { ...options, seed: 10 }, inProcess: true })).jobId);
    expect([...other]).not.toEqual([...one]);
  });

  it('refuses a graph that is not a corpus', async () => {
    await importGraphFile(temp.catalog, { file: writeGraphFile(temp.inputDir, 'plain.txt', '1 2\n'), name: 'plain' });
    await expect(runJob(temp.catalog, { graph: 'plain', algorithm: 'lda', inProcess: true })).rejects.toMatchObject({ code: 'GAS_ERR_INVALID_ARGUMENT' });
  });
});
