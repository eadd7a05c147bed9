/**
 * Text edge lists: SNAP (fields split by runs of spaces or tabs) and TSV (split by single tabs, so
 * an empty field is an error, and labels may contain spaces).
 * One edge per line: `source target [weight] [ignored…]`. Lines starting with `#` or `%` are
 * comments, blank lines are skipped, CRLF and a UTF-8 BOM are accepted. This is the import hot
 * path, so it scans bytes in place and allocates nothing for integer labels.
 */
import { ParseError } from '../../errors.js';
import type { LabelDictionary } from '../dictionary.js';
import { forEachLine, type InputFile } from './input.js';
import { parseDecimal } from './numbers.js';
import { looksLikeHeader, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const PERCENT = 37;

export function edgeListLoader(separator: 'whitespace' | 'tab') {
  return async function loadEdgeList(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
    const dictionary = target.dictionary;
    const edges = target.begin(options.weighted);
    const weighted = options.weighted;
    const tabOnly = separator === 'tab';
    let headerPending = options.header !== false;
    const isSeparator = (c: number): boolean => c === TAB || (!tabOnly && c === SPACE);

    const lines = await forEachLine(
      input,
      (buffer, lineStart, end, lineNumber) => {
        let i = lineStart;
        while (i < end && (buffer[i] === SPACE || buffer[i] === TAB)) i++;
        if (i === end || buffer[i] === HASH || buffer[i] === PERCENT) return;

        const sourceStart = i;
        while (i < end && !isSeparator(buffer[i]!)) i++;
        const sourceEnd = i;
        i = skipSeparator(buffer, i, end, tabOnly);
        const targetStart = i;
        while (i < end && !isSeparator(buffer[i]!)) i++;
        const targetEnd = i;
        if (targetStart === targetEnd) {
          throw new ParseError(input.path, lineNumber, 'expected two columns (source target), found one', buffer.toString('utf8', lineStart, end));
        }

        if (headerPending) {
          headerPending = false;
          const skip =
            options.header === true ||
            looksLikeHeader(buffer.toString('utf8', sourceStart, sourceEnd), buffer.toString('utf8', targetStart, targetEnd));
          if (skip) return;
        }

        let weight = 1;
        if (weighted) {
          i = skipSeparator(buffer, i, end, tabOnly);
          const weightStart = i;
          while (i < end && !isSeparator(buffer[i]!)) i++;
          if (weightStart === i) {
            throw new ParseError(input.path, lineNumber, 'missing weight column (--weighted expects: source target weight)', buffer.toString('utf8', lineStart, end));
          }
          weight = parseDecimal(buffer, weightStart, i);
          if (!Number.isFinite(weight)) {
            throw new ParseError(input.path, lineNumber, `weight is not a finite number: ${JSON.stringify(buffer.toString('utf8', weightStart, i))}`, buffer.toString('utf8', lineStart, end));
          }
        }
        const source = internLabel(dictionary, buffer, sourceStart, sourceEnd);
        const targetCode = internLabel(dictionary, buffer, targetStart, targetEnd);
        edges.push(source, targetCode, weight);
      },
      options.onBytes,
    );
    return { weighted, lines };
  };
}

/** Skips the separator after a field: exactly one tab in TSV (an empty field stays empty), any run of blanks in SNAP. */
function skipSeparator(buffer: Buffer, i: number, end: number, tabOnly: boolean): number {
  if (tabOnly) return i < end ? i + 1 : i;
  while (i < end && (buffer[i] === SPACE || buffer[i] === TAB)) i++;
  return i;
}

/** Interns the label in `buffer[start, end)`: canonical safe integers without allocating, the rest as text. */
export function internLabel(dictionary: LabelDictionary, buffer: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length <= 16 && (length === 1 || buffer[start] !== 48)) {
    let value = 0;
    let i = start;
    for (; i < end; i++) {
      const digit = buffer[i]! - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === end && value <= Number.MAX_SAFE_INTEGER) return dictionary.internNumber(value);
  }
  return dictionary.internString(buffer.toString('utf8', start, end));
}
