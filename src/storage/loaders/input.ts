/**
 * Opening an input file: gzip is detected by its magic bytes (1f 8b), not by the extension, and
 * the text is streamed in large chunks so memory never holds the whole file.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { GasError, NotFoundError, ParseError } from '../../errors.js';
import { firstInvalidUtf8, INVALID_UTF8 } from './utf8.js';

const CHUNK_BYTES = 4 << 20;

export interface InputFile {
  /** Path as the user gave it (used in error messages). */
  readonly path: string;
  readonly gzip: boolean;
  /** Size on disk in bytes (compressed size for gzip). */
  readonly bytes: number;
  /** The decompressed text in chunks; errors are `GasError`s naming the file. */
  chunks(onCompressedBytes?: (bytesRead: number) => void): AsyncIterable<Buffer>;
}

export function openInput(path: string): InputFile {
  let bytes: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `import: ${path} is a directory, not a file`);
    bytes = stat.size;
  } catch (error) {
    if (error instanceof GasError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`import: no such file ${path}`, { file: path });
    throw new GasError('GAS_ERR_IO', `import: cannot read ${path}: ${(error as Error).message}`, { file: path });
  }
  const gzip = hasGzipMagic(path);
  return {
    path,
    gzip,
    bytes,
    chunks: (onCompressedBytes) => readChunks(path, gzip, onCompressedBytes),
  };
}

function hasGzipMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

async function* readChunks(path: string, gzip: boolean, onCompressedBytes?: (bytesRead: number) => void): AsyncIterable<Buffer> {
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (onCompressedBytes) file.on('data', () => onCompressedBytes(file.bytesRead));
  const stream = gzip ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  if (gzip) file.on('error', (error) => stream.destroy(error));
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof GasError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new GasError('GAS_ERR_PARSE', `${path}: corrupt or truncated gzip stream (${(error as Error).message})`, { file: path });
    }
    throw new GasError('GAS_ERR_IO', `${path}: read failed: ${(error as Error).message}`, { file: path });
  } finally {
    file.destroy();
  }
}

/** Line terminators: LF, CRLF and a lone CR (old Mac files) all end a line. */
export const LF = 10;
export const CR = 13;

/**
 * No line may be longer than this (or than 4 × the label bound, if larger): the reader refuses a
 * longer one as soon as it has buffered that much, so a file that is one 200 MB line costs a few
 * megabytes and a clear error rather than gigabytes and a label nobody can use.
 */
export const MAX_LINE_BYTES = 16 << 20;

/** The longest line the reader accepts when labels may be `maxLabelBytes` long. */
export function maxLineBytes(maxLabelBytes: number): number {
  return Math.max(MAX_LINE_BYTES, 4 * maxLabelBytes);
}

/**
 * Feeds `onBlock(buffer, limit)` the text of `chunks` in runs of whole lines: `buffer[0, limit)`
 * ends just past a line terminator (a partial last line is carried into the next chunk, and the
 * file's last line is given a line feed). A CR at the very end of a chunk is carried too, since
 * the next chunk may begin with its LF: a CRLF split between chunks is still one line end. When
 * `fileStart`, a UTF-8 byte-order mark is removed. A line longer than `maxLine` bytes is a
 * `GAS_ERR_PARSE` without a line number (the caller knows it: see `locateParseError`).
 */
export async function forEachLineBlock(
  chunks: AsyncIterable<Buffer>,
  fileStart: boolean,
  onBlock: (buffer: Buffer, limit: number) => void,
  maxLine = MAX_LINE_BYTES,
): Promise<void> {
  let carry: Buffer | null = null;
  let first = fileStart;
  for await (const piece of chunks) {
    let buffer: Buffer = carry ? Buffer.concat([carry, piece]) : piece;
    if (first) {
      if (buffer.length < 3 && isBomPrefix(buffer)) {
        carry = buffer; // too short to tell a byte-order mark yet
        continue;
      }
      first = false;
      if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
    }
    const complete = blockEnd(buffer);
    if (complete > 0) onBlock(buffer, complete);
    carry = complete < buffer.length ? buffer.subarray(complete) : null;
    if (carry && carry.length > maxLine) {
      throw new GasError('GAS_ERR_PARSE', `line is longer than ${maxLine} bytes (is this a text file of lines?)`, {
        problem: `line is longer than ${maxLine} bytes`,
      });
    }
  }
  if (carry) {
    const last = Buffer.concat([carry, Buffer.from([LF])]);
    onBlock(last, last.length);
  }
}

function isBomPrefix(buffer: Buffer): boolean {
  return buffer.every((byte, k) => byte === [0xef, 0xbb, 0xbf][k]);
}

/** Just past the last line terminator of `buffer`, not counting a CR in its last byte; 0 if none. */
function blockEnd(buffer: Buffer): number {
  let limit = buffer.length;
  if (limit > 0 && buffer[limit - 1] === CR) limit--;
  if (limit === 0) return 0;
  const lf = buffer.lastIndexOf(LF, limit - 1);
  const cr = buffer.subarray(lf + 1, limit).lastIndexOf(CR);
  return cr >= 0 ? lf + 2 + cr : lf + 1;
}

/**
 * A parse error raised where the line was not known (a broken gzip stream, a CSV parser error,
 * an overlong line) becomes one naming `path:line`; any other error is returned as it is.
 */
export function locateParseError(error: unknown, path: string, line: number): unknown {
  if (!(error instanceof GasError) || error.code !== 'GAS_ERR_PARSE' || 'line' in error.details) return error;
  return new GasError('GAS_ERR_PARSE', `${path}:${line}: ${error.message.replace(`${path}: `, '')}`, { file: path, ...error.details, line });
}

/**
 * Calls `onLine(buffer, start, end, lineNumber)` for every line of `input`, with `end`
 * excluding the line terminator (LF, CRLF or CR), and a UTF-8 byte-order mark removed from the
 * first line. Line numbers are 1-based. A line that is not valid UTF-8 or longer than the line
 * bound is a `ParseError` at that line; errors thrown while reading are re-thrown naming the
 * last line reached.
 */
export async function forEachLine(
  input: InputFile,
  onLine: (buffer: Buffer, start: number, end: number, lineNumber: number) => void,
  onCompressedBytes?: (bytesRead: number) => void,
  maxLine = MAX_LINE_BYTES,
): Promise<number> {
  let lineNumber = 0;
  try {
    await forEachLineBlock(
      input.chunks(onCompressedBytes),
      true,
      (buffer, limit) => {
        const invalid = firstInvalidUtf8(buffer, 0, limit);
        // Next LF and CR at or after `start` (−1: none left in the block), found once each, not once per line.
        let lf = -2;
        let cr = -2;
        for (let start = 0; start < limit;) {
          if (lf !== -1 && lf < start) lf = indexBefore(buffer, LF, start, limit);
          if (cr !== -1 && cr < start) cr = indexBefore(buffer, CR, start, limit);
          let end: number;
          let next: number;
          if (cr >= 0 && (lf < 0 || cr < lf)) {
            end = cr;
            next = buffer[cr + 1] === LF ? cr + 2 : cr + 1;
          } else {
            end = lf;
            next = lf + 1;
          }
          lineNumber++;
          if (invalid >= start && invalid < end) throw new ParseError(input.path, lineNumber, INVALID_UTF8, buffer.toString('utf8', start, end));
          onLine(buffer, start, end, lineNumber);
          start = next;
        }
      },
      maxLine,
    );
  } catch (error) {
    throw locateParseError(error, input.path, lineNumber + 1);
  }
  return lineNumber;
}

function indexBefore(buffer: Buffer, byte: number, from: number, limit: number): number {
  const at = buffer.indexOf(byte, from);
  return at >= limit ? -1 : at;
}
