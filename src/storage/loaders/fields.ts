/** Splitting text lines into fields and reading plain integers, for the line-oriented loaders. */
import { forEachLine, type InputFile } from './input.js';

/**
 * Calls `onFields` for every non-blank line of `input` with its whitespace-separated fields (as
 * flattened start/end offsets into `buffer`) and a function giving the line's text for error
 * messages. Returns the number of lines read.
 */
export function forEachFieldLine(
  input: InputFile,
  onFields: (buffer: Buffer, fields: readonly number[], line: number, text: () => string) => void,
  onBytes?: (bytesRead: number) => void,
): Promise<number> {
  const fields: number[] = [];
  return forEachLine(
    input,
    (buffer, start, end, line) => {
      splitWhitespace(buffer, start, end, fields);
      if (fields.length > 0) onFields(buffer, fields, line, () => buffer.toString('utf8', start, end));
    },
    onBytes,
  );
}

/** Start/end offsets of the whitespace-separated (space or tab) fields of `buffer[start, end)`, flattened into `out`. */
export function splitWhitespace(buffer: Buffer, start: number, end: number, out: number[]): void {
  out.length = 0;
  let i = start;
  while (i < end) {
    while (i < end && (buffer[i] === 32 || buffer[i] === 9)) i++;
    if (i === end) break;
    const from = i;
    while (i < end && buffer[i] !== 32 && buffer[i] !== 9) i++;
    out.push(from, i);
  }
}

/** The non-negative decimal integer in `buffer[start, end)`, or −1 if it is not one. */
export function parseInteger(buffer: Buffer, start: number, end: number): number {
  if (end === start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = buffer[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
