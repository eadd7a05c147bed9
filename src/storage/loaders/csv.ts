/**
 * CSV edge lists (`source,target[,weight][,ignored…]`), parsed by csv-parse so quoted labels,
 * embedded commas and escaped quotes follow RFC 4180. A first line of column names (e.g.
 * `source,target,weight`) is detected and skipped; `--header`/`--no-header` force the choice.
 */
import { parse } from 'csv-parse';
import { GasError, ParseError } from '../../errors.js';
import { locateParseError, type InputFile } from './input.js';
import { parseDecimalText } from './numbers.js';
import { looksLikeHeader, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';

export async function loadCsv(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const dictionary = target.dictionary;
  const edges = target.begin(options.weighted);
  const parser = parse({
    bom: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
    info: true,
  });
  const feed = (async () => {
    try {
      for await (const chunk of input.chunks(options.onBytes)) {
        // 'close' too: when the consumer stops on a bad record it destroys the parser, and 'drain' never comes.
        if (!parser.write(chunk)) {
          await new Promise((resolve) => {
            parser.once('drain', resolve);
            parser.once('close', resolve);
          });
        }
        if (parser.destroyed) return;
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  let first = true;
  let lines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      lines = line;
      if (first) {
        first = false;
        const skip = options.header === true || (options.header === 'auto' && record.length >= 2 && looksLikeHeader(record[0]!, record[1]!));
        if (skip) continue;
      }
      if (record.length < 2 || record[1] === '') {
        throw new ParseError(input.path, line, 'expected two columns (source,target), found one', record.join(','));
      }
      let weight = 1;
      if (options.weighted) {
        if (record.length < 3 || record[2] === '') {
          throw new ParseError(input.path, line, 'missing weight column (--weighted expects: source,target,weight)', record.join(','));
        }
        weight = parseDecimalText(record[2]!);
        if (!Number.isFinite(weight)) {
          throw new ParseError(input.path, line, `weight is not a finite number: ${JSON.stringify(record[2])}`, record.join(','));
        }
      }
      if (record[0] === '') throw new ParseError(input.path, line, 'empty source label', record.join(','));
      edges.push(dictionary.internText(record[0]!), dictionary.internText(record[1]!), weight);
    }
  } catch (error) {
    if (error instanceof GasError) {
      throw locateParseError(error, input.path, lines + 1);
    }
    const csvError = error as Error & { code?: string; lines?: number };
    if (csvError.code?.startsWith('CSV_')) {
      throw new ParseError(input.path, csvError.lines ?? lines + 1, `invalid CSV (${csvError.message})`);
    }
    throw error;
  } finally {
    await feed;
  }
  return { weighted: options.weighted, lines };
}
