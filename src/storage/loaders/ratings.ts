/**
 * Ratings files as bipartite graphs: each line `user item rating [timestamp]` is the edge
 * user → item with the rating as its weight. Users and items live in separate namespaces — their
 * vertex labels are `u:<id>` and `i:<id>` — so user 1 and item 1 are two vertices. The dialect
 * is read from the first data line:
 *
 *   - MovieLens CSV (`userId,movieId,rating,timestamp`; spaces and double quotes around a field
 *     are not part of it);
 *   - MovieLens `.dat` (`1::122::5::838985046`);
 *   - whitespace or tab separated (`user item rating [timestamp]`, as MovieLens 100K's u.data);
 *   - Matrix Market coordinate (`%%MatrixMarket matrix coordinate real general`: row = user,
 *     column = item, value = rating; the size line's counts are checked against the body).
 *
 * A first line whose user and item columns are named (`userId,movieId,…`, `user item rating`:
 * see `looksLikeRatingsHeader`) is a header and skipped; any other line is data, so a bad rating
 * on the first line is an error like anywhere else. A rating that is not a finite number, a
 * missing column, an id longer than `maxLabelBytes` or an index outside the declared matrix size
 * is an error naming file:line. Lines end at LF, CRLF or CR; the file must be UTF-8.
 */
import { ParseError } from '../../errors.js';
import { parseInteger, splitWhitespace } from './fields.js';
import { NamespaceInterner } from './namespace-interner.js';
import { forEachLine, maxLineBytes, type InputFile } from './input.js';
import { parseDecimal } from './numbers.js';
import { labelLimit, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';

type Dialect = 'csv' | 'dat' | 'whitespace' | 'mtx';

export const USER_PREFIX = 'u:';
export const ITEM_PREFIX = 'i:';

export async function loadRatings(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const edges = target.begin(true);
  const users = new NamespaceInterner(target.dictionary, USER_PREFIX);
  const items = new NamespaceInterner(target.dictionary, ITEM_PREFIX);
  let dialect: Dialect | null = null;
  let size: { rows: number; columns: number; entries: number } | null = null;
  let entries = 0;
  let lastLine = 0;
  const fields: number[] = [];
  const maxLabel = labelLimit(options);

  await forEachLine(
    input,
    (buffer, start, end, line) => {
      lastLine = line;
      let i = start;
      while (i < end && (buffer[i] === 32 || buffer[i] === 9)) i++;
      if (i === end) return;
      const text = (): string => buffer.toString('utf8', start, end);
      if (dialect === null) {
        if (buffer[i] === 37 /* % */) {
          if (!/^%%MatrixMarket[ \t]+matrix[ \t]+coordinate[ \t]+(real|integer)[ \t]+general[ \t]*$/i.test(text())) {
            throw new ParseError(input.path, line, 'ratings in Matrix Market must be "%%MatrixMarket matrix coordinate real|integer general"', text());
          }
          dialect = 'mtx';
          return;
        }
        dialect = detectDialect(buffer, i, end);
        split(buffer, i, end, dialect, fields);
        if (options.header === true) return;
        if (
          options.header === 'auto' &&
          fields.length >= 4 &&
          looksLikeRatingsHeader(buffer.toString('utf8', fields[0]!, fields[1]!), buffer.toString('utf8', fields[2]!, fields[3]!))
        )
          return;
      } else if (dialect === 'mtx' && buffer[i] === 37) {
        return; // comment
      }
      split(buffer, i, end, dialect, fields);
      if (dialect === 'mtx' && size === null) {
        size = parseSize(input.path, line, buffer, fields, text());
        return;
      }
      if (fields.length < 6) throw new ParseError(input.path, line, 'expected user, item and rating columns', text());
      const rating = parseDecimal(buffer, fields[4]!, fields[5]!);
      if (!Number.isFinite(rating)) {
        // On the first data line this may be a header with column names not recognised as one.
        const hint = entries === 0 && edges.length === 0 && !size ? ' (a header? name its columns userId,movieId,… or pass --header)' : '';
        throw new ParseError(input.path, line, `rating is not a number: ${JSON.stringify(buffer.toString('utf8', fields[4]!, fields[5]!))}${hint}`, text());
      }
      let user: number;
      let item: number;
      if (size) {
        if (++entries > size.entries) throw new ParseError(input.path, line, `more entries than the ${size.entries} declared in the size line`, text());
        const row = parseInteger(buffer, fields[0]!, fields[1]!);
        const column = parseInteger(buffer, fields[2]!, fields[3]!);
        if (row < 1 || row > size.rows) throw new ParseError(input.path, line, `row (user) index out of range 1..${size.rows}`, text());
        if (column < 1 || column > size.columns) throw new ParseError(input.path, line, `column (item) index out of range 1..${size.columns}`, text());
        user = users.number(row);
        item = items.number(column);
      } else {
        if (fields[1]! - fields[0]! > maxLabel || fields[3]! - fields[2]! > maxLabel) {
          throw new ParseError(input.path, line, `id longer than the ${maxLabel}-byte limit (--max-label-bytes)`, text());
        }
        user = users.field(buffer, fields[0]!, fields[1]!);
        item = items.field(buffer, fields[2]!, fields[3]!);
        if (user < 0 || item < 0) throw new ParseError(input.path, line, `empty ${user < 0 ? 'user' : 'item'} id`, text());
      }
      edges.push(user, item, rating);
    },
    options.onBytes,
    maxLineBytes(maxLabel),
  );
  const declared = size as { entries: number } | null;
  if (dialect === 'mtx' && declared === null) throw new ParseError(input.path, lastLine + 1, 'missing size line (users items ratings)');
  if (declared && entries < declared.entries) {
    throw new ParseError(input.path, lastLine, `the size line declares ${declared.entries} ratings but the file has ${entries}`);
  }
  return { directed: true, weighted: true, lines: lastLine };
}

const USER_COLUMNS = new Set(['user', 'userid', 'user_id', 'users']);
const ITEM_COLUMNS = new Set(['item', 'itemid', 'item_id', 'items', 'movie', 'movieid', 'movie_id', 'movies', 'product', 'productid', 'product_id']);

/** Whether a first line is a header: its first two columns are named as a user and an item (any case). */
export function looksLikeRatingsHeader(user: string, item: string): boolean {
  return USER_COLUMNS.has(user.toLowerCase()) && ITEM_COLUMNS.has(item.toLowerCase());
}

function detectDialect(buffer: Buffer, start: number, end: number): Dialect {
  const line = buffer.toString('latin1', start, end);
  if (line.includes('::')) return 'dat';
  if (line.includes(',')) return 'csv';
  return 'whitespace';
}

/** Start/end offsets of the line's fields, flattened into `out`. */
function split(buffer: Buffer, start: number, end: number, dialect: Dialect, out: number[]): void {
  if (dialect === 'whitespace' || dialect === 'mtx') {
    splitWhitespace(buffer, start, end, out);
    return;
  }
  out.length = 0;
  const width = dialect === 'dat' ? 2 : 1;
  let from = start;
  for (let i = start; i <= end; i++) {
    const atSeparator = i < end && (dialect === 'dat' ? buffer[i] === 58 && buffer[i + 1] === 58 : buffer[i] === 44);
    if (i === end || atSeparator) {
      let a = from;
      let b = i;
      while (a < b && (buffer[a] === 32 || buffer[a] === 34)) a++; // spaces and plain quotes
      while (b > a && (buffer[b - 1] === 32 || buffer[b - 1] === 34)) b--;
      out.push(a, b);
      from = i + width;
      i += width - 1;
    }
  }
}

function parseSize(path: string, line: number, buffer: Buffer, fields: number[], text: string): { rows: number; columns: number; entries: number } {
  const numbers: number[] = [];
  for (let k = 0; k + 1 < fields.length; k += 2) numbers.push(parseInteger(buffer, fields[k]!, fields[k + 1]!));
  if (numbers.length !== 3 || numbers.some((n) => n < 0)) throw new ParseError(path, line, 'expected the size line "users items ratings"', text);
  return { rows: numbers[0]!, columns: numbers[1]!, entries: numbers[2]! };
}
