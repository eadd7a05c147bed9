/**
 * Matrix Market coordinate files as adjacency matrices: entry (i, j[, value]) is the edge
 * i → j with weight `value`; indices are 1-based and become the vertex labels. `symmetric`
 * files store one triangle and describe an undirected graph; `real`/`integer` values become edge
 * weights, `pattern` files are unweighted. The header's declared entry count is checked. Words are
 * separated by spaces or tabs; lines end at LF, CRLF or CR. A banner naming a Matrix Market
 * feature gasworks does not read (`array`, `complex`, `hermitian`, `skew-symmetric`) or a
 * matrix that is not square is `GAS_ERR_UNSUPPORTED`; anything else malformed is a parse error.
 *
 * Reference: Boisvert, Pozo & Remington, "The Matrix Market Exchange Formats: Initial Design"
 * (NIST IR 5935, 1996).
 */
import { GasError, ParseError } from '../../errors.js';
import { splitWhitespace } from './fields.js';
import { forEachLine, type InputFile } from './input.js';
import { parseDecimal } from './numbers.js';
import type { EdgeChunks } from '../growable.js';
import type { LoadInfo, LoadTarget, LoaderOptions } from './types.js';

const BANNER = /^%%MatrixMarket[ \t]+([^ \t]+)[ \t]+([^ \t]+)[ \t]+([^ \t]+)[ \t]+([^ \t]+)[ \t]*$/i;

interface Header {
  field: 'real' | 'integer' | 'pattern';
  symmetric: boolean;
  rows: number;
  columns: number;
  entries: number;
}

export async function loadMatrixMarket(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const dictionary = target.dictionary;
  let banner: Pick<Header, 'field' | 'symmetric'> | null = null;
  let header: Header | null = null;
  let edges: EdgeChunks | null = null;
  let seen = 0;
  let lastLine = 0;
  const fields: number[] = [];

  await forEachLine(
    input,
    (buffer, start, end, lineNumber) => {
      lastLine = lineNumber;
      if (lineNumber === 1) {
        banner = parseBanner(input.path, buffer.toString('utf8', start, end));
        return;
      }
      let i = start;
      while (i < end && (buffer[i] === 32 || buffer[i] === 9)) i++;
      if (i === end || buffer[i] === 37) return;
      splitWhitespace(buffer, i, end, fields);
      const text = (): string => buffer.toString('utf8', start, end);
      if (!header) {
        header = parseSizeLine(input.path, lineNumber, fields, buffer, text(), banner!);
        if (options.weighted && header.field === 'pattern') {
          throw new GasError('GAS_ERR_INVALID_ARGUMENT', `import: --weighted given, but ${input.path} is a pattern matrix with no values`, {
            option: 'weighted',
          });
        }
        edges = target.begin(header.field !== 'pattern');
        return;
      }
      if (++seen > header.entries) {
        throw new ParseError(input.path, lineNumber, `more entries than the ${header.entries} declared in the size line`, text());
      }
      const needed = header.field === 'pattern' ? 4 : 6;
      if (fields.length < needed) {
        throw new ParseError(input.path, lineNumber, `expected ${needed / 2} columns (row column${needed === 6 ? ' value' : ''})`, text());
      }
      const row = parseIndex(buffer, fields[0]!, fields[1]!, header.rows);
      const column = parseIndex(buffer, fields[2]!, fields[3]!, header.columns);
      if (row < 0 || column < 0) {
        throw new ParseError(input.path, lineNumber, `index out of range 1..${row < 0 ? header.rows : header.columns} or not an integer`, text());
      }
      let weight = 1;
      if (header.field !== 'pattern') {
        weight = parseDecimal(buffer, fields[4]!, fields[5]!);
        if (!Number.isFinite(weight) || (header.field === 'integer' && !Number.isInteger(weight))) {
          throw new ParseError(input.path, lineNumber, `value is not a${header.field === 'integer' ? 'n integer' : ' finite number'}`, text());
        }
      }
      edges!.push(dictionary.internNumber(row), dictionary.internNumber(column), weight);
    },
    options.onBytes,
  );

  const final = header as Header | null;
  if (!banner) throw new ParseError(input.path, 1, 'empty file: expected a %%MatrixMarket banner');
  if (!final) throw new ParseError(input.path, lastLine + 1, 'missing size line (rows columns entries)');
  if (seen < final.entries) {
    throw new ParseError(input.path, lastLine, `the size line declares ${final.entries} entries but the file has ${seen}`);
  }
  return { directed: !final.symmetric, weighted: final.field !== 'pattern', lines: lastLine };
}

function parseBanner(path: string, line: string): Pick<Header, 'field' | 'symmetric'> {
  const match = BANNER.exec(line);
  if (!match) throw new ParseError(path, 1, 'expected a "%%MatrixMarket matrix coordinate <field> <symmetry>" banner', line);
  const [object, format, field, symmetry] = match.slice(1).map((word) => word!.toLowerCase());
  if (object !== 'matrix') throw new ParseError(path, 1, `unsupported Matrix Market object "${object}" (only matrix)`, line);
  if (format !== 'coordinate' && format !== 'array') throw new ParseError(path, 1, `unknown Matrix Market format "${format}" (coordinate)`, line);
  if (field !== 'real' && field !== 'integer' && field !== 'pattern' && field !== 'complex') {
    throw new ParseError(path, 1, `unknown Matrix Market field "${field}" (real, integer or pattern)`, line);
  }
  if (symmetry !== 'general' && symmetry !== 'symmetric' && symmetry !== 'skew-symmetric' && symmetry !== 'hermitian') {
    throw new ParseError(path, 1, `unknown Matrix Market symmetry "${symmetry}" (general or symmetric)`, line);
  }
  if (format !== 'coordinate') {
    throw new GasError('GAS_ERR_UNSUPPORTED', `${path}:1: Matrix Market "${format}" (dense) format is not a graph; use coordinate`, { file: path, line: 1 });
  }
  if (field !== 'real' && field !== 'integer' && field !== 'pattern') {
    throw new GasError('GAS_ERR_UNSUPPORTED', `${path}:1: Matrix Market field "${field}" is not supported (real, integer or pattern)`, { file: path, line: 1 });
  }
  if (symmetry !== 'general' && symmetry !== 'symmetric') {
    throw new GasError('GAS_ERR_UNSUPPORTED', `${path}:1: Matrix Market symmetry "${symmetry}" is not supported (general or symmetric)`, {
      file: path,
      line: 1,
    });
  }
  return { field, symmetric: symmetry === 'symmetric' };
}

function parseSizeLine(path: string, lineNumber: number, fields: number[], buffer: Buffer, text: string, banner: Pick<Header, 'field' | 'symmetric'>): Header {
  const numbers: number[] = [];
  for (let k = 0; k + 1 < fields.length; k += 2) numbers.push(parseIndex(buffer, fields[k]!, fields[k + 1]!, Number.MAX_SAFE_INTEGER, 0));
  if (numbers.length !== 3 || numbers.some((n) => n < 0)) {
    throw new ParseError(path, lineNumber, 'expected the size line "rows columns entries" (three non-negative integers)', text);
  }
  const [rows, columns, entries] = numbers as [number, number, number];
  if (rows !== columns) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `${path}:${lineNumber}: a ${rows}×${columns} matrix is not square; import reads Matrix Market files as adjacency matrices`,
      { file: path, line: lineNumber },
    );
  }
  return { ...banner, rows, columns, entries };
}

/** A decimal integer in [min, max], or −1. */
function parseIndex(buffer: Buffer, start: number, end: number, max: number, min = 1): number {
  if (end - start > 16) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = buffer[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value >= min && value <= max ? value : -1;
}
