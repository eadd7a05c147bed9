/**
 * The contract between file-format loaders and the importer. A loader streams its file, interns
 * every vertex label in the dictionary and appends edges (as provisional label codes) to the
 * edge buffer it asks for; it never sees partitions or storage.
 */
import type { LabelDictionary } from '../dictionary.js';
import type { EdgeChunks } from '../growable.js';
import type { InputFile } from './input.js';

export const FORMATS = ['snap', 'tsv', 'csv', 'mtx', 'graphology', 'ratings', 'uci', 'lda-c'] as const;
export type GraphFormat = (typeof FORMATS)[number];

export interface LoaderOptions {
  /** Read a weight column (edge lists) or attribute (graphology). */
  readonly weighted: boolean;
  /** For csv/tsv: `true` skips the first data line, `false` never does, `'auto'` detects a header by its column names. */
  readonly header: boolean | 'auto';
  /** For `uci` and `lda-c`: the vocabulary file (one word per line) naming the word ids. */
  readonly vocab?: string;
  /** The longest label accepted, in bytes (default `DEFAULT_MAX_LABEL_BYTES`); a longer one is a parse error at its line. */
  readonly maxLabelBytes?: number;
  /** Reports progress in compressed bytes read. */
  readonly onBytes?: (bytesRead: number) => void;
}

/**
 * 64 KiB: far beyond any real vertex name, far below a runaway line (a file with no line breaks
 * read as one label would cost gigabytes and be useless as a vertex).
 */
export const DEFAULT_MAX_LABEL_BYTES = 64 << 10;

export function labelLimit(options: Pick<LoaderOptions, 'maxLabelBytes'>): number {
  return options.maxLabelBytes ?? DEFAULT_MAX_LABEL_BYTES;
}

export interface LoadTarget {
  readonly dictionary: LabelDictionary;
  /** Creates the edge buffer; call once, when the loader knows whether edges carry weights. */
  begin(weighted: boolean): EdgeChunks;
}

export interface LoadInfo {
  /** What the file itself says about direction (Matrix Market `symmetric`, graphology `type`), if anything. */
  readonly directed?: boolean;
  readonly weighted: boolean;
  readonly lines: number;
}

export type Loader = (input: InputFile, target: LoadTarget, options: LoaderOptions) => Promise<LoadInfo>;

/** Column names that mark the first line of a csv/tsv file as a header. */
const HEADER_NAMES = new Set([
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

export function looksLikeHeader(first: string, second: string): boolean {
  return HEADER_NAMES.has(first.trim().toLowerCase()) && HEADER_NAMES.has(second.trim().toLowerCase());
}
