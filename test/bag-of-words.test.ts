/**
 * Bag-of-words import (`--format uci` with `--vocab`, and `--format lda-c`): both formats give
 * the same document → word graph with token counts on the edges, documents and words apart, and
 * every inconsistency between header, body and vocabulary is a file:line error storing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraphFile } from '../src/api/index.js';
import type { GasError } from '../src/errors.js';
import { openTempCatalog, removeTempDirs, storedEdges, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';

let temp: TempCatalog;
let vocab: string;
beforeAll(() => {
  temp = openTempCatalog();
  vocab = writeGraphFile(temp.inputDir, 'vocab.txt', 'apple\nbanana\ncherry\n1\n');
});
afterAll(() => {
  temp.close();
  removeTempDirs();
});

// Two documents: d1 = apple×2 cherry×1, d2 = banana×3 "1"×1 (a word that looks like an id).
const UCI = '2\n4\n4\n1 1 2\n1 3 1\n2 2 3\n2 4 1\n';
const LDA_C = '2 0:2 2:1\n2 1:3 3:1\n';
const EXPECTED = ['d:1>w:apple:2', 'd:1>w:cherry:1', 'd:2>w:1:1', 'd:2>w:banana:3'];

describe('bag-of-words import', () => {
  it('uci and lda-c give the same graph: documents → words, counts on the edges', async () => {
    const uci = writeGraphFile(temp.inputDir, 'docword.txt', UCI, { gzip: false });
    const ldac = writeGraphFile(temp.inputDir, 'corpus.dat', LDA_C);
    const a = await importGraphFile(temp.catalog, { file: uci, name: 'uci', format: 'uci', vocab });
    const b = await importGraphFile(temp.catalog, { file: ldac, name: 'ldac', format: 'lda-c', vocab });
    for (const { graph } of [a, b]) {
      expect(graph).toMatchObject({ vertices: 6, edges: 4, directed: true, weighted: true });
      expect(storedEdges(temp.catalog, graph.name).edges).toEqual(EXPECTED);
    }
  });

  it('without a vocabulary, words are named by id', async () => {
    const file = writeGraphFile(temp.inputDir, 'novocab.txt', UCI);
    const { graph } = await importGraphFile(temp.catalog, { file, name: 'novocab', format: 'uci' });
    expect(storedEdges(temp.catalog, graph.name).edges).toEqual(['d:1>w:0:2', 'd:1>w:2:1', 'd:2>w:1:3', 'd:2>w:3:1']);
  });

  it.each([
    ['nnz-short.txt', 'uci', '2\n4\n5\n1 1 2\n1 3 1\n2 2 3\n2 4 1\n', ':7: the header declares NNZ = 5 entries but the file has 4'],
    ['nnz-long.txt', 'uci', '2\n4\n3\n1 1 2\n1 3 1\n2 2 3\n2 4 1\n', ':7: more entries than the NNZ = 3'],
    ['doc-range.txt', 'uci', '2\n4\n1\n3 1 2\n', ':4: docID out of range 1..2'],
    ['word-range.txt', 'uci', '2\n4\n1\n1 5 2\n', ':4: wordID out of range 1..4'],
    ['vocab-size.txt', 'uci', '2\n5\n1\n1 1 2\n', ':2: the header declares W = 5 words but'],
    ['count.txt', 'uci', '2\n4\n1\n1 1 0\n', ':4: count is not a positive integer'],
    ['pairs.dat', 'lda-c', '2 0:2 2:1\n3 1:3 3:1\n', ':2: the line declares 3 word:count pairs but has 2'],
    ['beyond.dat', 'lda-c', '1 7:2\n', ':1: word id 7 is beyond the 4 words of'],
    ['pair.dat', 'lda-c', '1 x:2\n', ':1: word id is not a non-negative integer'],
  ])('%s: a clear file:line error, nothing stored', async (name, format, text, problem) => {
    const file = writeGraphFile(temp.inputDir, name, text);
    const before = temp.catalog.listGraphs().length;
    const error = (await importGraphFile(temp.catalog, { file, name: 'bad', format: format as 'uci', vocab }).catch((e: unknown) => e)) as GasError;
    expect(error.code).toBe('GAS_ERR_PARSE');
    expect(error.message).toContain(`${file}${problem}`);
    expect(temp.catalog.listGraphs().length).toBe(before);
  });

  it('a vocabulary listing a word twice is refused, naming both lines', async () => {
    const twice = writeGraphFile(temp.inputDir, 'twice.txt', 'apple\nbanana\napple\nx\n');
    const file = writeGraphFile(temp.inputDir, 'ok.txt', UCI);
    await expect(importGraphFile(temp.catalog, { file, name: 'twice', format: 'uci', vocab: twice })).rejects.toThrow(
      `${twice}:3: word "apple" is listed twice (first on line 1)`,
    );
  });
});
