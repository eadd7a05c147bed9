/** File-format loaders: choose one by name or from the file's name and first bytes. */
import { extname } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { loadCsv } from './csv.js';
import { edgeListLoader } from './edge-list.js';
import { loadGraphologyJson } from './graphology-json.js';
import type { InputFile } from './input.js';
import { loadMatrixMarket } from './matrix-market.js';
import { loadRatings } from './ratings.js';
import { loadLdaC, loadUciDocword } from './bag-of-words.js';
import { FORMATS, type GraphFormat, type Loader } from './types.js';

export { openInput, forEachLine, type InputFile } from './input.js';
export { USER_PREFIX, ITEM_PREFIX } from './ratings.js';
export { DOCUMENT_PREFIX, WORD_PREFIX } from './bag-of-words.js';
export { DEFAULT_MAX_LABEL_BYTES, FORMATS, type GraphFormat, type Loader, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';

const LOADERS: Record<GraphFormat, Loader> = {
  snap: edgeListLoader('whitespace'),
  tsv: edgeListLoader('tab'),
  csv: loadCsv,
  mtx: loadMatrixMarket,
  graphology: loadGraphologyJson,
  ratings: loadRatings,
  uci: loadUciDocword,
  'lda-c': loadLdaC,
};

export function loaderFor(format: GraphFormat): Loader {
  return LOADERS[format];
}

export function parseFormat(value: string): GraphFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as GraphFormat;
  throw new InvalidArgumentError(`import: --format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(value)}`, { option: 'format' });
}

/** Guesses the format from the file name (ignoring a trailing .gz); SNAP text is the default. */
export function detectFormat(input: InputFile): GraphFormat {
  const name = input.path.toLowerCase().replace(/\.gz$/, '');
  switch (extname(name)) {
    case '.mtx':
    case '.mm':
      return 'mtx';
    case '.json':
      return 'graphology';
    case '.csv':
      return 'csv';
    case '.tsv':
      return 'tsv';
    default:
      return 'snap';
  }
}
