/**
 * A reference parser for every input format, written from the format descriptions (README's
 * "Input formats" and the loaders' doc comments), not from the loaders' code: plain and slow —
 * whole-file strings, regular expressions, one line at a time — so that a fuzz test can hold the
 * loaders to it. It never calls gasworks.
 *
 * The rules it encodes, beyond each format's own:
 *   - the file is UTF-8 (a byte-order mark at its start is dropped); any line that is not is refused;
 *   - LF, CRLF and a lone CR each end a line (in CSV, outside quotes);
 *   - a label longer than `maxLabelBytes` bytes is refused;
 *   - every refusal names a line (graphology: a JSON path or a line).
 *
 * The result is the edge multiset as `[source, target, weight]` label texts (weight null when the
 * graph is unweighted), the set of vertex labels, and whether the file says it is undirected.
 */

export type ReferenceFormat = 'snap' | 'tsv' | 'csv' | 'mtx' | 'graphology' | 'ratings' | 'uci' | 'lda-c';

export interface ReferenceOptions {
  readonly weighted: boolean;
  readonly maxLabelBytes: number;
  /** For uci and lda-c. */
  readonly vocab?: Buffer;
}

export type ReferenceEdge = readonly [string, string, number | null];

export type ReferenceResult =
  | { readonly ok: true; readonly edges: ReferenceEdge[]; readonly labels: Set<string>; readonly undirected: boolean }
  | { readonly ok: false; readonly line: number | null; readonly reason: string; readonly unsupported?: boolean };

class Refusal extends Error {
  constructor(
    readonly line: number | null,
    reason: string,
    readonly unsupported = false,
  ) {
    super(reason);
  }
}

export function referenceParse(format: ReferenceFormat, bytes: Buffer, options: ReferenceOptions): ReferenceResult {
  try {
    const graph = PARSERS[format](bytes, options);
    return { ok: true, ...graph };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, line: error.line, reason: error.message, unsupported: error.unsupported };
  }
}

interface Graph {
  edges: ReferenceEdge[];
  labels: Set<string>;
  undirected: boolean;
}

const PARSERS: Record<ReferenceFormat, (bytes: Buffer, options: ReferenceOptions) => Graph> = {
  snap: (bytes, options) => edgeList(bytes, options, /[ \t]+/),
  tsv: (bytes, options) => edgeList(bytes, options, '\t'),
  csv,
  mtx,
  graphology,
  ratings,
  uci,
  'lda-c': ldaC,
};

// ---------------------------------------------------------------------------------------------
// Shared rules

/** `ignoreBOM`: keep U+FEFF where it is not the file's first character (it is then text, as any other). */
const STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The file's lines as text, numbered from 1; a line with invalid UTF-8 is refused. */
function textLines(bytes: Buffer): string[] {
  let body = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  const raw = splitLines(body.toString('latin1'));
  return raw.map((latin1, k) => {
    try {
      return STRICT.decode(Buffer.from(latin1, 'latin1'));
    } catch {
      throw new Refusal(k + 1, 'invalid UTF-8');
    }
  });
}

/** Splits at LF, CRLF or CR; a final terminator does not start another line. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A finite decimal number as written, or null. */
function decimal(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** A non-negative decimal integer of at most `digits` digits (leading zeros allowed), or null. */
function integer(text: string, digits = 15): number | null {
  return /^\d+$/.test(text) && text.length <= digits ? Number(text) : null;
}

function checkLabel(label: string, line: number, options: ReferenceOptions): void {
  if (Buffer.byteLength(label) > options.maxLabelBytes) throw new Refusal(line, 'label too long');
}

/** The known column names of an edge-list header line. */
const EDGE_HEADER = new Set([
  'source',
  'target',
  'src',
  'dst',
  'from',
  'to',
  'u',
  'v',
  'node1',
  'node2',
  'node_1',
  'node_2',
  'id1',
  'id2',
  'source_id',
  'target_id',
  'user',
  'item',
  'userid',
  'movieid',
  'itemid',
  'user_id',
  'item_id',
]);

function isEdgeHeader(fields: readonly string[]): boolean {
  return fields.length >= 2 && EDGE_HEADER.has(fields[0]!.trim().toLowerCase()) && EDGE_HEADER.has(fields[1]!.trim().toLowerCase());
}

function graphOf(edges: ReferenceEdge[], undirected = false, labels = new Set<string>()): Graph {
  for (const [s, t] of edges) labels.add(s).add(t);
  return { edges, labels, undirected };
}

// ---------------------------------------------------------------------------------------------
// SNAP and TSV: `source target [weight] [ignored…]`; # and % comments (after any blanks); blank
// lines skipped; SNAP splits on runs of spaces/tabs (blanks around fields are separators), TSV on
// single tabs (spaces are part of labels, in every column; a leading tab is an empty source).

function edgeList(bytes: Buffer, options: ReferenceOptions, separator: RegExp | string): Graph {
  const edges: ReferenceEdge[] = [];
  let headerPending = true;
  textLines(bytes).forEach((raw, k) => {
    const line = k + 1;
    const text = raw.replace(/^[ \t]+/, '');
    if (text === '' || text.startsWith('#') || text.startsWith('%')) return;
    const fields = (separator === '\t' ? raw : text).split(separator);
    if (headerPending) {
      headerPending = false;
      if (isEdgeHeader(fields)) return;
    }
    const [source = '', target = '', weightText] = fields;
    if (source === '') throw new Refusal(line, 'empty source');
    if (target === '') throw new Refusal(line, 'one column');
    let weight: number | null = null;
    if (options.weighted) {
      if (weightText === undefined || weightText === '') throw new Refusal(line, 'missing weight');
      weight = decimal(weightText);
      if (weight === null) throw new Refusal(line, 'bad weight');
    }
    checkLabel(source, line, options);
    checkLabel(target, line, options);
    edges.push([source, target, weight]);
  });
  return graphOf(edges);
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180): quoted fields may hold commas, quotes ("") and line breaks; a quote anywhere
// else is an error; spaces/tabs around an unquoted field are dropped; a record starting with #
// is a comment; empty lines are skipped; first record may be a header of known names.

function csv(bytes: Buffer, options: ReferenceOptions): Graph {
  textLines(bytes); // refuses invalid UTF-8 by line
  const text = (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes).toString('utf8');
  const isBreak = (at: number): boolean => text[at] === '\n' || text[at] === '\r';
  /** Past the line break at `at` (CRLF is one). */
  const pastBreak = (at: number): number => (text[at] === '\r' && text[at + 1] === '\n' ? at + 2 : at + 1);
  const edges: ReferenceEdge[] = [];
  let line = 1;
  let at = 0;
  let first = true;
  while (at < text.length) {
    if (isBreak(at)) {
      at = pastBreak(at);
      line++;
      continue;
    }
    if (text[at] === '#') {
      while (at < text.length && !isBreak(at)) at++;
      continue;
    }
    const record: string[] = [];
    for (;;) {
      let field: string;
      if (text[at] === '"') {
        field = '';
        at++;
        for (;;) {
          const quote = text.indexOf('"', at);
          if (quote < 0) throw new Refusal(line, 'quote not closed');
          const piece = text.slice(at, quote);
          line += (piece.match(/\r\n|\r|\n/g) ?? []).length;
          field += piece;
          at = quote + 1;
          if (text[at] !== '"') break;
          field += '"';
          at++;
        }
        if (at < text.length && text[at] !== ',' && !isBreak(at)) throw new Refusal(line, 'text after a closing quote');
      } else {
        let end = at;
        while (end < text.length && text[end] !== ',' && !isBreak(end)) end++;
        field = text.slice(at, end);
        if (field.includes('"')) throw new Refusal(line, 'quote in an unquoted field');
        field = field.replace(/^[ \t]+|[ \t]+$/g, '');
        at = end;
      }
      record.push(field);
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (at < text.length) at = pastBreak(at);
      break;
    }
    const recordLine = line;
    line++;
    if (first) {
      first = false;
      if (isEdgeHeader(record)) continue;
    }
    if (record.length < 2 || record[1] === '') throw new Refusal(recordLine, 'one column');
    let weight: number | null = null;
    if (options.weighted) {
      if (record.length < 3 || record[2] === '') throw new Refusal(recordLine, 'missing weight');
      weight = decimal(record[2]!.trim());
      if (weight === null) throw new Refusal(recordLine, 'bad weight');
    }
    if (record[0] === '') throw new Refusal(recordLine, 'empty source');
    checkLabel(record[0]!, recordLine, options);
    checkLabel(record[1]!, recordLine, options);
    edges.push([record[0]!, record[1]!, weight]);
  }
  return graphOf(edges);
}

// ---------------------------------------------------------------------------------------------
// Matrix Market coordinate: banner on line 1, % comments and blank lines, a size line
// "rows columns entries" (square only), then exactly `entries` lines "i j [value]".

const MM_BANNER = /^%%MatrixMarket[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]*$/i;

function mtx(bytes: Buffer): Graph {
  const lines = textLines(bytes);
  if (lines.length === 0) throw new Refusal(1, 'empty');
  const banner = MM_BANNER.exec(lines[0]!);
  if (!banner || /[^\x21-\x7e]/.test(banner.slice(1).join(''))) throw new Refusal(1, 'bad banner');
  const [object, format, field, symmetry] = banner.slice(1).map((word) => word.toLowerCase());
  if (object !== 'matrix') throw new Refusal(1, 'not a matrix');
  if (format === 'array') throw new Refusal(1, 'dense', true);
  if (format !== 'coordinate') throw new Refusal(1, 'unknown format');
  if (field === 'complex') throw new Refusal(1, 'complex', true);
  if (field !== 'real' && field !== 'integer' && field !== 'pattern') throw new Refusal(1, 'unknown field');
  if (symmetry === 'hermitian' || symmetry === 'skew-symmetric') throw new Refusal(1, symmetry, true);
  if (symmetry !== 'general' && symmetry !== 'symmetric') throw new Refusal(1, 'unknown symmetry');
  let size: { n: number; entries: number } | null = null;
  let seen = 0;
  const edges: ReferenceEdge[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = k + 1;
    const text = lines[k]!.replace(/^[ \t]+/, '');
    if (text === '' || text.startsWith('%')) continue;
    const fields = text.split(/[ \t]+/).filter((f) => f !== '');
    if (!size) {
      const numbers = fields.map((f) => integer(f, 16));
      if (numbers.length !== 3 || numbers.some((n) => n === null || n > Number.MAX_SAFE_INTEGER)) throw new Refusal(line, 'bad size line');
      const [rows, columns, entries] = numbers as number[];
      if (rows !== columns) throw new Refusal(line, 'not square', true);
      size = { n: rows!, entries: entries! };
      continue;
    }
    if (++seen > size.entries) throw new Refusal(line, 'too many entries');
    const needed = field === 'pattern' ? 2 : 3;
    if (fields.length < needed) throw new Refusal(line, 'too few columns');
    const [row, column] = [integer(fields[0]!, 16), integer(fields[1]!, 16)];
    if (row === null || column === null || row < 1 || column < 1 || row > size.n || column > size.n) throw new Refusal(line, 'index out of range');
    let weight: number | null = null;
    if (field !== 'pattern') {
      weight = decimal(fields[2]!);
      if (weight === null || (field === 'integer' && !Number.isInteger(weight))) throw new Refusal(line, 'bad value');
    }
    edges.push([String(row), String(column), weight]);
  }
  if (!size) throw new Refusal(lines.length + 1, 'no size line');
  if (seen < size.entries) throw new Refusal(lines.length, 'too few entries');
  return graphOf(edges, symmetry === 'symmetric');
}

// ---------------------------------------------------------------------------------------------
// graphology export: { options: { type }, nodes: [{ key }], edges: [{ source, target, undirected, attributes: { weight } }] }

function graphology(bytes: Buffer, options: ReferenceOptions): Graph {
  const text = textLines(bytes).join('\n');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Refusal(null, 'invalid JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Refusal(null, 'not an object');
  const { nodes = [], edges = [], options: graphOptions = {} } = document as Record<string, unknown>;
  if (!Array.isArray(nodes) || !Array.isArray(edges)) throw new Refusal(null, 'not arrays');
  const keyOf = (key: unknown): string | null => (typeof key === 'string' ? key : typeof key === 'number' && Number.isFinite(key) ? String(key) : null);
  const labels = new Set<string>();
  for (const node of nodes as { key?: unknown }[]) {
    const key = keyOf(node?.key);
    if (key === null || labels.has(key)) throw new Refusal(null, 'bad or duplicate key');
    if (Buffer.byteLength(key) > options.maxLabelBytes) throw new Refusal(null, 'key too long');
    labels.add(key);
  }
  const type = (graphOptions as { type?: unknown } | null)?.type ?? 'mixed';
  const result: ReferenceEdge[] = [];
  let undirectedEdges = 0;
  for (const edge of edges as { source?: unknown; target?: unknown; undirected?: unknown; attributes?: { weight?: unknown } | null }[]) {
    if (typeof edge !== 'object' || edge === null) throw new Refusal(null, 'edge not an object');
    const [source, target] = [keyOf(edge.source), keyOf(edge.target)];
    if (source === null || target === null || !labels.has(source) || !labels.has(target)) throw new Refusal(null, 'unknown endpoint');
    if (edge.undirected === true || (type === 'undirected' && edge.undirected !== false)) undirectedEdges++;
    let weight: number | null = options.weighted ? 1 : null;
    const attribute = edge.attributes ? edge.attributes.weight : undefined;
    if (options.weighted && attribute !== undefined) {
      if (typeof attribute !== 'number' || !Number.isFinite(attribute)) throw new Refusal(null, 'bad weight');
      weight = attribute;
    }
    result.push([source, target, weight]);
  }
  if (undirectedEdges > 0 && undirectedEdges < result.length) throw new Refusal(null, 'mixed', true);
  const undirected = result.length > 0 ? undirectedEdges > 0 : type === 'undirected';
  return { edges: result, labels, undirected };
}

// ---------------------------------------------------------------------------------------------
// Ratings: `user item rating [timestamp]` → u:USER → i:ITEM; dialect from the first non-blank
// line (Matrix Market banner, `::`, `,`, else whitespace); a first line naming user and item
// columns is a header.

const RATINGS_MM = /^%%MatrixMarket[ \t]+matrix[ \t]+coordinate[ \t]+(real|integer)[ \t]+general[ \t]*$/i;
const USER_NAMES = new Set(['user', 'userid', 'user_id', 'users']);
const ITEM_NAMES = new Set(['item', 'itemid', 'item_id', 'items', 'movie', 'movieid', 'movie_id', 'movies', 'product', 'productid', 'product_id']);

function ratings(bytes: Buffer, options: ReferenceOptions): Graph {
  const lines = textLines(bytes);
  let dialect: 'mtx' | 'dat' | 'csv' | 'whitespace' | null = null;
  let size: { rows: number; columns: number; entries: number } | null = null;
  let seen = 0;
  const edges: ReferenceEdge[] = [];
  const split = (text: string): string[] => {
    if (dialect === 'mtx' || dialect === 'whitespace') return text.split(/[ \t]+/).filter((f) => f !== '');
    return text.split(dialect === 'dat' ? '::' : ',').map((f) => f.replace(/^[ "]+|[ "]+$/g, ''));
  };
  lines.forEach((raw, k) => {
    const line = k + 1;
    const text = raw.replace(/^[ \t]+/, '');
    if (text.replace(/[ \t]+$/, '') === '') return;
    if (dialect === null) {
      if (text.startsWith('%')) {
        if (!RATINGS_MM.test(raw)) throw new Refusal(line, 'bad ratings banner');
        dialect = 'mtx';
        return;
      }
      dialect = text.includes('::') ? 'dat' : text.includes(',') ? 'csv' : 'whitespace';
      const fields = split(text);
      if (fields.length >= 2 && USER_NAMES.has(fields[0]!.toLowerCase()) && ITEM_NAMES.has(fields[1]!.toLowerCase())) return;
    } else if (dialect === 'mtx' && text.startsWith('%')) {
      return;
    }
    const fields = split(text);
    if (dialect === 'mtx' && size === null) {
      const numbers = fields.map((f) => integer(f));
      if (numbers.length !== 3 || numbers.some((n) => n === null)) throw new Refusal(line, 'bad size line');
      size = { rows: numbers[0]!, columns: numbers[1]!, entries: numbers[2]! };
      return;
    }
    if (fields.length < 3) throw new Refusal(line, 'too few columns');
    const rating = decimal(fields[2]!);
    if (rating === null) throw new Refusal(line, 'bad rating');
    if (size) {
      if (++seen > size.entries) throw new Refusal(line, 'too many');
      const [row, column] = [integer(fields[0]!), integer(fields[1]!)];
      if (row === null || row < 1 || row > size.rows || column === null || column < 1 || column > size.columns) throw new Refusal(line, 'out of range');
      edges.push([`u:${row}`, `i:${column}`, rating]);
    } else {
      const [user, item] = fields as [string, string];
      if (user === '' || item === '') throw new Refusal(line, 'empty id');
      if (Buffer.byteLength(user) > options.maxLabelBytes || Buffer.byteLength(item) > options.maxLabelBytes) throw new Refusal(line, 'id too long');
      edges.push([`u:${user}`, `i:${item}`, rating]);
    }
  });
  if (dialect === 'mtx' && size === null) throw new Refusal(lines.length + 1, 'no size line');
  const declared = size as { entries: number } | null;
  if (declared && seen < declared.entries) throw new Refusal(lines.length, 'too few ratings');
  return graphOf(edges);
}

// ---------------------------------------------------------------------------------------------
// Bag of words. Vocabulary: one word per line, trimmed of spaces/tabs; blank lines only at the end.

function vocabulary(bytes: Buffer | undefined, options: ReferenceOptions): string[] | null {
  if (bytes === undefined) return null;
  const words: string[] = [];
  const lines = textLines(bytes).map((line) => line.replace(/^[ \t]+|[ \t]+$/g, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((word, k) => {
    if (word === '') throw new Refusal(k + 1, 'blank vocabulary line');
    if (Buffer.byteLength(word) > options.maxLabelBytes) throw new Refusal(k + 1, 'word too long');
    if (words.includes(word)) throw new Refusal(k + 1, 'word twice');
    words.push(word);
  });
  return words;
}

/** Whitespace-separated fields of the non-blank lines, with their line numbers. */
function fieldLines(bytes: Buffer): { line: number; fields: string[] }[] {
  return textLines(bytes)
    .map((text, k) => ({ line: k + 1, fields: text.split(/[ \t]+/).filter((f) => f !== '') }))
    .filter(({ fields }) => fields.length > 0);
}

/** UCI docword: D, W, NNZ on three lines, then exactly NNZ lines `doc word count` (1-based ids). */
function uci(bytes: Buffer, options: ReferenceOptions): Graph {
  const words = vocabulary(options.vocab, options);
  const lines = fieldLines(bytes);
  const total = textLines(bytes).length;
  const header: number[] = [];
  const edges: ReferenceEdge[] = [];
  let entries = 0;
  for (const { line, fields } of lines) {
    if (header.length < 3) {
      const value = fields.length === 1 ? integer(fields[0]!) : null;
      if (value === null) throw new Refusal(line, 'bad header line');
      header.push(value);
      if (header.length === 3 && words && words.length !== header[1]) throw new Refusal(2, 'W differs from the vocabulary');
      continue;
    }
    const [documents, vocabularySize, nnz] = header as [number, number, number];
    if (++entries > nnz) throw new Refusal(line, 'too many entries');
    if (fields.length !== 3) throw new Refusal(line, 'not three columns');
    const [doc, word, count] = fields.map((f) => integer(f)) as (number | null)[];
    if (doc === null || doc < 1 || doc > documents) throw new Refusal(line, 'doc out of range');
    if (word === null || word < 1 || word > vocabularySize) throw new Refusal(line, 'word out of range');
    if (count === null || count < 1) throw new Refusal(line, 'bad count');
    if (words && word > words.length) throw new Refusal(line, 'beyond vocabulary');
    edges.push([`d:${doc}`, `w:${words ? words[word - 1] : word - 1}`, count]);
  }
  if (header.length < 3) throw new Refusal(total + 1, 'missing header');
  if (entries < header[2]!) throw new Refusal(total, 'too few entries');
  return graphOf(edges);
}

/** lda-c: line n is document n, `N id:count …` with N pairs and 0-based word ids; blank lines only at the end. */
function ldaC(bytes: Buffer, options: ReferenceOptions): Graph {
  const words = vocabulary(options.vocab, options);
  const edges: ReferenceEdge[] = [];
  const labels = new Set<string>();
  let documents = 0;
  for (const { line, fields } of fieldLines(bytes)) {
    if (line !== documents + 1) throw new Refusal(documents + 1, 'blank line before a document');
    const pairs = integer(fields[0]!);
    if (pairs === null || fields.length - 1 !== pairs) throw new Refusal(line, 'bad pair count');
    const doc = `d:${++documents}`;
    labels.add(doc);
    for (const pair of fields.slice(1)) {
      const match = /^(\d*):(.*)$/.exec(pair);
      if (!match) throw new Refusal(line, 'not id:count');
      const [id, count] = [integer(match[1]!), integer(match[2]!)];
      if (id === null) throw new Refusal(line, 'bad word id');
      if (count === null || count < 1) throw new Refusal(line, 'bad count');
      if (words && id >= words.length) throw new Refusal(line, 'beyond vocabulary');
      edges.push([doc, `w:${words ? words[id] : id}`, count]);
    }
  }
  return graphOf(edges, false, labels);
}
