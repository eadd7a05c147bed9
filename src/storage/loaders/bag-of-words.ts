/**
 * Bag-of-words corpora as bipartite document → word graphs, the token count on the edge (its
 * weight): the input of LDA. Documents are labelled `d:<n>` and words by their vocabulary entry,
 * `w:<word>` (or `w:<id>` without a vocabulary), so the two never collide.
 *
 *   - `uci`: the UCI Bag of Words `docword` format — three header lines D, W, NNZ, then
 *     `docID wordID count` lines with 1-based ids; the vocabulary file's line i is word i.
 *   - `lda-c`: Blei's lda-c format — one document per line, `N w:c w:c …` with 0-based word ids
 *     (the vocabulary's line i + 1 is word i), N the number of pairs; document n is line n.
 *
 * Header counts that disagree with the body, ids out of range, counts that are not positive
 * integers and a vocabulary shorter than the ids used are errors naming file:line. Ids and counts
 * are decimal integers of at most 15 digits. In lda-c, where a document is its line number, a
 * blank line before the last document is an error (blank lines are skipped in UCI files).
 *
 * A vocabulary has one word per line, trimmed of spaces and tabs; a blank line among the words
 * (blank lines at its end are ignored), a word listed twice and a word longer than
 * `maxLabelBytes` are errors naming the line: each would make two word ids one vertex, or a
 * vertex nobody can name.
 */
import { ParseError } from '../../errors.js';
import { forEachFieldLine, parseInteger } from './fields.js';
import { NamespaceInterner } from './namespace-interner.js';
import { forEachLine, maxLineBytes, openInput, type InputFile } from './input.js';
import { labelLimit, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';

export const DOCUMENT_PREFIX = 'd:';
export const WORD_PREFIX = 'w:';

/**
 * The words of a vocabulary file, one per line (trimmed of spaces and tabs), or null when none is
 * given. A word listed twice would merge two word ids into one vertex, and every blank line would
 * be the same vertex `w:`: both are errors naming the lines.
 */
async function readVocabulary(path: string | undefined, maxLabelBytes: number): Promise<string[] | null> {
  if (path === undefined) return null;
  const words: string[] = [];
  const lineOf = new Map<string, number>();
  let blankLine = 0;
  const input = openInput(path);
  await forEachLine(
    input,
    (buffer, start, end, line) => {
      while (start < end && (buffer[start] === 32 || buffer[start] === 9)) start++;
      while (end > start && (buffer[end - 1] === 32 || buffer[end - 1] === 9)) end--;
      if (start === end) {
        if (blankLine === 0) blankLine = line;
        return;
      }
      if (blankLine !== 0) throw new ParseError(input.path, blankLine, `blank line in the vocabulary: word id ${words.length + 1} has no word`);
      if (end - start > maxLabelBytes)
        throw new ParseError(input.path, line, `word is longer than the ${maxLabelBytes}-byte limit (--max-label-bytes)`, buffer.toString('utf8', start, end));
      const word = buffer.toString('utf8', start, end);
      const first = lineOf.get(word);
      if (first !== undefined) throw new ParseError(input.path, line, `word ${JSON.stringify(word)} is listed twice (first on line ${first})`);
      lineOf.set(word, line);
      words.push(word);
    },
    undefined,
    maxLineBytes(maxLabelBytes),
  );
  return words;
}

/**
 * Word codes by word id (0-based): the vocabulary's word, or the id without a vocabulary. An id
 * beyond the vocabulary is an error naming file:line.
 */
function wordCodes(
  target: LoadTarget,
  vocabulary: string[] | null,
  vocabularyPath: string | undefined,
): (id: number, file: string, line: number, text: () => string) => number {
  const words = new NamespaceInterner(target.dictionary, WORD_PREFIX, vocabulary ? (id) => vocabulary[id]! : String);
  return (id, file, line, text) => {
    if (vocabulary && id >= vocabulary.length) {
      throw new ParseError(file, line, `word id ${id} is beyond the ${vocabulary.length} words of ${vocabularyPath}`, text());
    }
    return words.number(id);
  };
}

export async function loadUciDocword(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const vocabulary = await readVocabulary(options.vocab, labelLimit(options));
  const edges = target.begin(true);
  const header: number[] = [];
  const documents = new NamespaceInterner(target.dictionary, DOCUMENT_PREFIX);
  let entries = 0;
  let word: ReturnType<typeof wordCodes> | null = null;
  const lastLine = await forEachFieldLine(
    input,
    (buffer, fields, line, text) => {
      if (header.length < 3) {
        const value = fields.length === 2 ? parseInteger(buffer, fields[0]!, fields[1]!) : -1;
        if (value < 0) throw new ParseError(input.path, line, `expected header line ${header.length + 1} of 3 (D, W, NNZ): one non-negative integer`, text());
        header.push(value);
        if (header.length === 3 && vocabulary && vocabulary.length !== header[1]) {
          throw new ParseError(input.path, 2, `the header declares W = ${header[1]} words but ${options.vocab} has ${vocabulary.length}`);
        }
        if (header.length === 3) word = wordCodes(target, vocabulary, options.vocab);
        return;
      }
      const [numDocs, numWords, nnz] = header as [number, number, number];
      if (++entries > nnz) throw new ParseError(input.path, line, `more entries than the NNZ = ${nnz} the header declares`, text());
      if (fields.length !== 6) throw new ParseError(input.path, line, 'expected "docID wordID count"', text());
      const doc = parseInteger(buffer, fields[0]!, fields[1]!);
      const id = parseInteger(buffer, fields[2]!, fields[3]!);
      const count = parseInteger(buffer, fields[4]!, fields[5]!);
      if (doc < 1 || doc > numDocs) throw new ParseError(input.path, line, `docID out of range 1..${numDocs}`, text());
      if (id < 1 || id > numWords) throw new ParseError(input.path, line, `wordID out of range 1..${numWords}`, text());
      if (count < 1) throw new ParseError(input.path, line, 'count is not a positive integer', text());
      edges.push(documents.number(doc), word!(id - 1, input.path, line, text), count);
    },
    options.onBytes,
  );
  if (header.length < 3) throw new ParseError(input.path, lastLine + 1, 'missing header lines (D, W, NNZ)');
  if (entries < header[2]!) throw new ParseError(input.path, lastLine, `the header declares NNZ = ${header[2]} entries but the file has ${entries}`);
  return { directed: true, weighted: true, lines: lastLine };
}

export async function loadLdaC(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const vocabulary = await readVocabulary(options.vocab, labelLimit(options));
  const word = wordCodes(target, vocabulary, options.vocab);
  const edges = target.begin(true);
  let documents = 0;
  const lastLine = await forEachFieldLine(
    input,
    (buffer, fields, line, text) => {
      if (line !== documents + 1)
        throw new ParseError(input.path, documents + 1, 'blank line: every line is a document ("N w:c w:c …"; an empty document is "0")');
      const pairs = parseInteger(buffer, fields[0]!, fields[1]!);
      if (pairs < 0) throw new ParseError(input.path, line, 'expected the number of word:count pairs first', text());
      if (fields.length / 2 - 1 !== pairs) {
        throw new ParseError(input.path, line, `the line declares ${pairs} word:count pairs but has ${fields.length / 2 - 1}`, text());
      }
      const doc = target.dictionary.internString(DOCUMENT_PREFIX + ++documents);
      for (let f = 2; f < fields.length; f += 2) {
        const colon = buffer.indexOf(58, fields[f]!);
        if (colon < 0 || colon >= fields[f + 1]!) throw new ParseError(input.path, line, 'expected word:count pairs', text());
        const id = parseInteger(buffer, fields[f]!, colon);
        const count = parseInteger(buffer, colon + 1, fields[f + 1]!);
        if (id < 0) throw new ParseError(input.path, line, `word id is not a non-negative integer: ${buffer.toString('utf8', fields[f]!, colon)}`, text());
        if (count < 1) throw new ParseError(input.path, line, 'count is not a positive integer', text());
        edges.push(doc, word(id, input.path, line, text), count);
      }
    },
    options.onBytes,
  );
  return { directed: true, weighted: true, lines: lastLine };
}
