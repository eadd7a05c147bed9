/**
 * Seeded inputs for the loader fuzz test: a small valid file of each format (varied labels —
 * integers, leading zeros, beyond 2^53, text with spaces, quotes, commas and non-ASCII — comments,
 * headers, blank lines and line endings), and the mutations applied to them.
 */
import type { GraphFormat } from '../../src/storage/loaders/index.js';

export type Random = () => number;

export interface BaseInput {
  readonly text: Buffer;
  /** For uci and lda-c: the vocabulary file. */
  readonly vocab?: Buffer;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const below = (random: Random, n: number): number => Math.floor(random() * n);

const WORDS = ['alice', 'bob', 'carol smith', 'dave', 'ève', '日本', 'x', 'node-7', 'a,b', 'say "hi"', 'user', 'source'];

function label(random: Random, { spaces = false, csv = false } = {}): string {
  const r = random();
  if (r < 0.5) return String(below(random, 40));
  if (r < 0.55) return `00${below(random, 9)}`;
  if (r < 0.6) return String(2 ** 53 + below(random, 5));
  const word = pick(
    random,
    WORDS.filter((w) => (spaces || !w.includes(' ')) && (csv || (!w.includes(',') && !w.includes('"')))),
  );
  return word;
}

const weight = (random: Random): string => pick(random, ['1', '0.5', '2.25', '-3', '1e3', '.5', '7']);

/** Joins lines with one ending for the file, or a different one per line. */
function joinLines(random: Random, lines: readonly string[]): string {
  const style = random();
  const ending = (): string => (style < 0.55 ? '\n' : style < 0.7 ? '\r\n' : style < 0.8 ? '\r' : pick(random, ['\n', '\r\n', '\r']));
  const text = lines.map((line) => line + ending()).join('');
  return random() < 0.1 ? text.replace(/(\r\n|\r|\n)$/, '') : text; // sometimes no final line ending
}

function edgeLines(random: Random, separator: string, spaces: boolean): string[] {
  const lines: string[] = [];
  if (random() < 0.3) lines.push('# a comment');
  if (random() < 0.2) lines.push(['source', 'target', 'weight'].join(separator));
  const n = 3 + below(random, 8);
  for (let k = 0; k < n; k++) {
    lines.push([label(random, { spaces }), label(random, { spaces }), weight(random)].join(separator === ' ' && random() < 0.3 ? '\t' : separator));
    if (random() < 0.1) lines.push(pick(random, ['', '% note', '  ']));
  }
  return lines;
}

function csvField(random: Random): string {
  const text = label(random, { spaces: true, csv: true });
  if (text.includes(',') || text.includes('"') || random() < 0.2) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

function vocabulary(random: Random, size: number): string[] {
  return Array.from({ length: size }, (_, k) => `${pick(random, ['w', 'mot', 'wörd', '語'])}${k}`);
}

export const BASE_INPUTS: Record<GraphFormat, (random: Random) => BaseInput> = {
  snap: (random) => ({ text: Buffer.from(joinLines(random, edgeLines(random, ' ', false))) }),
  tsv: (random) => ({ text: Buffer.from(joinLines(random, edgeLines(random, '\t', true))) }),
  csv: (random) => {
    const lines: string[] = [];
    if (random() < 0.4) lines.push('source,target,weight');
    const n = 3 + below(random, 8);
    for (let k = 0; k < n; k++) lines.push(`${csvField(random)},${csvField(random)},${weight(random)}`);
    if (random() < 0.2) lines.splice(1, 0, '# comment');
    return { text: Buffer.from(joinLines(random, lines)) };
  },
  mtx: (random) => {
    const field = pick(random, ['real', 'integer', 'pattern']);
    const symmetry = pick(random, ['general', 'symmetric']);
    const size = 3 + below(random, 6);
    const entries = Array.from({ length: 2 + below(random, 8) }, () => {
      const value = field === 'pattern' ? '' : ` ${field === 'integer' ? below(random, 9) : weight(random)}`;
      return `${1 + below(random, size)} ${1 + below(random, size)}${value}`;
    });
    const lines = [`%%MatrixMarket matrix coordinate ${field} ${symmetry}`, '% comment', `${size} ${size} ${entries.length}`, ...entries];
    return { text: Buffer.from(joinLines(random, lines)) };
  },
  graphology: (random) => {
    const keys = [...new Set(Array.from({ length: 3 + below(random, 5) }, () => label(random, { spaces: true, csv: true })))];
    const nodes = keys.map((key) => ({ key: /^\d{1,6}$/.test(key) && random() < 0.5 ? Number(key) : key, attributes: {} }));
    const undirected = random() < 0.3;
    const edges = Array.from({ length: 2 + below(random, 6) }, () => ({
      source: pick(random, keys),
      target: pick(random, keys),
      attributes: random() < 0.8 ? { weight: Number(weight(random)) } : {},
      ...(undirected ? { undirected: true } : {}),
    }));
    const document = { options: { type: undirected ? 'undirected' : 'directed', multi: true, allowSelfLoops: true }, attributes: {}, nodes, edges };
    return { text: Buffer.from(JSON.stringify(document, null, random() < 0.5 ? 1 : undefined)) };
  },
  ratings: (random) => {
    const dialect = pick(random, ['csv', 'dat', 'whitespace', 'mtx']);
    const n = 3 + below(random, 7);
    const rating = (): string => pick(random, ['1', '2.5', '4', '5', '3.5']);
    const lines: string[] = [];
    if (dialect === 'mtx') {
      lines.push('%%MatrixMarket matrix coordinate real general', `9 9 ${n}`);
      for (let k = 0; k < n; k++) lines.push(`${1 + below(random, 9)} ${1 + below(random, 9)} ${rating()}`);
    } else {
      const separator = dialect === 'csv' ? ',' : dialect === 'dat' ? '::' : pick(random, [' ', '\t']);
      if (random() < 0.4) lines.push(['userId', 'movieId', 'rating', 'timestamp'].join(separator));
      for (let k = 0; k < n; k++) lines.push([below(random, 20), random() < 0.1 ? 'item-x' : below(random, 30), rating(), 838985046 + k].join(separator));
    }
    return { text: Buffer.from(joinLines(random, lines)) };
  },
  uci: (random) => {
    const words = vocabulary(random, 4 + below(random, 5));
    const docs = 2 + below(random, 4);
    const entries = Array.from({ length: 3 + below(random, 8) }, () => `${1 + below(random, docs)} ${1 + below(random, words.length)} ${1 + below(random, 5)}`);
    const lines = [String(docs), String(words.length), String(entries.length), ...entries];
    return { text: Buffer.from(joinLines(random, lines)), vocab: Buffer.from(joinLines(random, words)) };
  },
  'lda-c': (random) => {
    const words = vocabulary(random, 4 + below(random, 5));
    const lines = Array.from({ length: 2 + below(random, 6) }, () => {
      const pairs = Array.from({ length: below(random, 4) }, () => `${below(random, words.length)}:${1 + below(random, 5)}`);
      return [pairs.length, ...pairs].join(' ');
    });
    return { text: Buffer.from(joinLines(random, lines)), vocab: Buffer.from(joinLines(random, words)) };
  },
};

const INSERTS: readonly Buffer[] = ['\r', '\n', '\r\n', '\0', '"', '""', ',', '\t', ' ', '\v', '#', '%', ':', '::', 'é', '😀', '\u00a0', '\ufeff'].map((text) =>
  Buffer.from(text, 'utf8'),
);
const INVALID_UTF8: readonly Buffer[] = [
  [0xff],
  [0xfe],
  [0xc3],
  [0xc3, 0x28],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
].map((bytes) => Buffer.from(bytes));
const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '99999999999999999999',
  '9007199254740993',
  '1e-400',
  '0x10',
  'NaN',
  'Infinity',
  '-0',
  '00',
  '1.5e3',
  '123456789012345678',
];
const INTERESTING_BYTES = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x23, 0x25, 0x2c, 0x3a, 0x80, 0xc3, 0xff, 0x7b, 0x7d, 0x5b, 0x5d];

/** Applies one to three random mutations to `text`. */
export function mutate(random: Random, text: Buffer, maxLabelBytes: number): Buffer {
  let bytes = text;
  const count = 1 + below(random, 3);
  for (let k = 0; k < count; k++) bytes = mutateOnce(random, bytes, maxLabelBytes);
  return bytes;
}

function insertAt(bytes: Buffer, at: number, piece: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, at), piece, bytes.subarray(at)]);
}

function splitLines(bytes: Buffer): string[] {
  return bytes.toString('latin1').split(/(?<=\r\n|\r(?!\n)|\n)/);
}

function mutateOnce(random: Random, bytes: Buffer, maxLabelBytes: number): Buffer {
  const at = below(random, bytes.length + 1);
  switch (below(random, 11)) {
    case 0: {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[Math.min(at, copy.length - 1)] = random() < 0.5 ? below(random, 256) : pick(random, INTERESTING_BYTES);
      return copy;
    }
    case 1:
    case 2:
      return insertAt(bytes, at, pick(random, INSERTS));
    case 3:
      return insertAt(bytes, at, pick(random, INVALID_UTF8));
    case 4: {
      // Every line ending (or a random half of them) becomes one style.
      const ending = pick(random, ['\r', '\r\n', '\n']);
      const all = random() < 0.5;
      return Buffer.from(
        bytes.toString('latin1').replace(/\r\n|\r|\n/g, (match) => (all || random() < 0.5 ? ending : match)),
        'latin1',
      );
    }
    case 5: {
      const lines = splitLines(bytes);
      if (lines.length === 0) return bytes;
      const k = below(random, lines.length);
      if (random() < 0.5) lines.splice(k, 0, lines[k]!);
      else lines.splice(k, 1);
      return Buffer.from(lines.join(''), 'latin1');
    }
    case 6: {
      // A number token becomes a huge or odd one.
      const text = bytes.toString('latin1');
      const numbers = [...text.matchAll(/\d+(\.\d+)?/g)];
      if (numbers.length === 0) return bytes;
      const match = pick(random, numbers);
      return Buffer.from(text.slice(0, match.index) + pick(random, HUGE_NUMBERS) + text.slice(match.index! + match[0].length), 'latin1');
    }
    case 7: {
      // A long token around the label bound, in ASCII or in 2-byte characters.
      const length = maxLabelBytes - 4 + below(random, 12);
      const token = random() < 0.5 ? 'L'.repeat(length) : 'é'.repeat(Math.ceil(length / 2));
      return insertAt(bytes, at, Buffer.from(token));
    }
    case 8:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case 9:
      return bytes.subarray(0, at);
    default:
      return insertAt(bytes, at, Buffer.from(pick(random, [' ', '\t', '  \t', '\r\n\r\n', '\n\n'])));
  }
}

/** A vocabulary with one defect or oddity: a blank line, a repeated word, a padded word, bad UTF-8, a CR. */
export function mutateVocabulary(random: Random, vocab: Buffer): Buffer {
  const lines = splitLines(vocab);
  const k = below(random, lines.length);
  switch (below(random, 5)) {
    case 0:
      lines.splice(k, 0, '\n');
      break;
    case 1:
      lines.splice(k, 0, lines[below(random, lines.length)]!);
      break;
    case 2:
      lines[k] = ` \t${lines[k]}`;
      break;
    case 3:
      return insertAt(vocab, below(random, vocab.length + 1), pick(random, INVALID_UTF8));
    default:
      return Buffer.from(vocab.toString('latin1').replace(/\n/g, '\r'), 'latin1');
  }
  return Buffer.from(lines.join(''), 'latin1');
}
