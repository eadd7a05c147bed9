/**
 * CSV edge lists (`source,target[,weight][,ignored…]`), parsed by csv-parse so quoted labels,
 * embedded commas and escaped quotes follow RFC 4180. A first line of column names (e.g.
 * `source,target,weight`) is detected and skipped; `--header`/`--no-header` force the choice.
 *
 * Records end at LF, CRLF or a lone CR, whichever each line uses (a file is not assumed to keep
 * the ending of its first line). Spaces and tabs around an unquoted field are not part of it;
 * inside quotes everything is. Lines starting with `#` are comments, empty lines are skipped.
 * The file must be UTF-8 and a label at most `maxLabelBytes` long; every problem — csv-parse's
 * included — is a `GAS_ERR_PARSE` naming file:line.
 */
import { CsvError, parse } from 'csv-parse';
import { GasError, ParseError } from '../../errors.js';
import { CR, LF, locateParseError, maxLineBytes, type InputFile } from './input.js';
import { parseDecimalText } from './numbers.js';
import { labelLimit, looksLikeHeader, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';
import { firstInvalidUtf8, INVALID_UTF8, splitSequenceTail } from './utf8.js';

export async function loadCsv(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const dictionary = target.dictionary;
  const edges = target.begin(options.weighted);
  const maxLabel = labelLimit(options);
  const parser = parse({
    bom: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    // csv-parse's own trim also strips Unicode spaces on the right only ("a\u00a0" would merge with "a").
    cast: (value, context) => (context.quoting ? value : trimBlanks(value)),
    max_record_size: maxLineBytes(maxLabel),
    info: true,
  });
  const feed = feedValidated(input, parser, options.onBytes);

  let first = true;
  let lines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      lines = line;
      const text = (): string => record.join(',');
      if (first) {
        first = false;
        const skip = options.header === true || (options.header === 'auto' && record.length >= 2 && looksLikeHeader(record[0]!, record[1]!));
        if (skip) continue;
      }
      if (record.length < 2 || record[1] === '') {
        throw new ParseError(input.path, line, 'expected two columns (source,target), found one', text());
      }
      let weight = 1;
      if (options.weighted) {
        if (record.length < 3 || record[2] === '') {
          throw new ParseError(input.path, line, 'missing weight column (--weighted expects: source,target,weight)', text());
        }
        weight = parseDecimalText(record[2]!);
        if (!Number.isFinite(weight)) {
          throw new ParseError(input.path, line, `weight is not a finite number: ${JSON.stringify(record[2])}`, text());
        }
      }
      if (record[0] === '') throw new ParseError(input.path, line, 'empty source label', text());
      for (const label of [record[0]!, record[1]!]) {
        const bytes = label.length * 3 > maxLabel ? Buffer.byteLength(label) : 0;
        if (bytes > maxLabel)
          throw new ParseError(input.path, line, `label is ${bytes} bytes, longer than the ${maxLabel}-byte limit (--max-label-bytes)`, text());
      }
      edges.push(dictionary.internText(record[0]!), dictionary.internText(record[1]!), weight);
    }
  } catch (error) {
    if (error instanceof GasError) throw locateParseError(error, input.path, lines + 1);
    if (error instanceof CsvError || (error as Error).name === 'CsvError') {
      const csvError = error as CsvError & { lines?: number };
      throw new ParseError(input.path, csvError.lines ?? lines + 1, `invalid CSV (${csvError.code}: ${csvError.message})`);
    }
    throw error;
  } finally {
    parser.destroy();
    await feed;
  }
  return { weighted: options.weighted, lines };
}

function trimBlanks(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/**
 * Writes the file into `parser`, checking each chunk is UTF-8 first (csv-parse would decode bad
 * bytes to U+FFFD and merge labels). A character split between chunks is held back until the next
 * one; physical lines are counted so a bad byte is reported at its line.
 */
async function feedValidated(input: InputFile, parser: ReturnType<typeof parse>, onBytes?: (bytes: number) => void): Promise<void> {
  const lines = new LineCounter();
  try {
    let tail: Buffer | null = null;
    for await (const chunk of input.chunks(onBytes)) {
      const bytes: Buffer = tail ? Buffer.concat([tail, chunk]) : chunk;
      const keep = splitSequenceTail(bytes);
      const body = bytes.subarray(0, bytes.length - keep);
      tail = keep > 0 ? bytes.subarray(bytes.length - keep) : null;
      const invalid = firstInvalidUtf8(body, 0, body.length);
      if (invalid >= 0) {
        lines.count(body, invalid);
        throw new ParseError(input.path, lines.total + 1, INVALID_UTF8);
      }
      lines.count(body, body.length);
      // 'close' too: when the consumer stops on a bad record it destroys the parser, and 'drain' never comes.
      if (!parser.write(body)) {
        await new Promise((resolve) => {
          parser.once('drain', resolve);
          parser.once('close', resolve);
        });
      }
      if (parser.destroyed) return;
    }
    if (tail) throw new ParseError(input.path, lines.total + 1, INVALID_UTF8);
    parser.end();
  } catch (error) {
    parser.destroy(error as Error);
  }
}

/** Counts line terminators (LF, CRLF, lone CR) across chunks, a CRLF split between two chunks once. */
class LineCounter {
  total = 0;
  private afterCr = false;

  count(buffer: Uint8Array, end: number): void {
    for (let i = 0; i < end; i++) {
      const c = buffer[i]!;
      if (c === LF) {
        if (!this.afterCr) this.total++;
        this.afterCr = false;
      } else if (c === CR) {
        this.total++;
        this.afterCr = true;
      } else {
        this.afterCr = false;
      }
    }
  }
}
