/**
 * Opening an input file: gzip is detected by its magic bytes (1f 8b), not by the extension, and
 * the text is streamed in large chunks so memory never holds the whole file.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { GasError, NotFoundError } from '../../errors.js';

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

/**
 * Feeds `onBlock(buffer, limit)` the text of `chunks` in runs of whole lines: `buffer[0, limit)`
 * ends just past a line feed (a partial last line is carried into the next chunk, and the file's
 * last line is given a line feed). When `fileStart`, a UTF-8 byte-order mark is removed.
 */
export async function forEachLineBlock(chunks: AsyncIterable<Buffer>, fileStart: boolean, onBlock: (buffer: Buffer, limit: number) => void): Promise<void> {
  let carry: Buffer | null = null;
  let first = fileStart;
  for await (const piece of chunks) {
    let buffer: Buffer = carry ? Buffer.concat([carry, piece]) : piece;
    if (first) {
      first = false;
      if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
    }
    const complete = buffer.lastIndexOf(10) + 1;
    if (complete > 0) onBlock(buffer, complete);
    carry = complete < buffer.length ? buffer.subarray(complete) : null;
  }
  if (carry) {
    const last = Buffer.concat([carry, Buffer.from([10])]);
    onBlock(last, last.length);
  }
}

/**
 * A parse error raised where the line was not known (a broken gzip stream, a CSV parser error)
 * becomes one naming `path:line`; any other error is returned as it is.
 */
export function locateParseError(error: unknown, path: string, line: number): unknown {
  if (!(error instanceof GasError) || error.code !== 'GAS_ERR_PARSE' || 'line' in error.details) return error;
  return new GasError('GAS_ERR_PARSE', `${path}:${line}: ${error.message.replace(`${path}: `, '')}`, { ...error.details, line });
}

/**
 * Calls `onLine(buffer, start, end, lineNumber)` for every line of `input`, with `end`
 * excluding the line feed and any carriage return, and a UTF-8 byte-order mark removed from the
 * first line. Line numbers are 1-based. Errors thrown while reading are re-thrown naming the
 * last line reached.
 */
export async function forEachLine(
  input: InputFile,
  onLine: (buffer: Buffer, start: number, end: number, lineNumber: number) => void,
  onCompressedBytes?: (bytesRead: number) => void,
): Promise<number> {
  let lineNumber = 0;
  try {
    await forEachLineBlock(input.chunks(onCompressedBytes), true, (buffer, limit) => {
      for (let start = 0; start < limit;) {
        const newline = buffer.indexOf(10, start);
        let end = newline;
        if (end > start && buffer[end - 1] === 13) end--;
        onLine(buffer, start, end, ++lineNumber);
        start = newline + 1;
      }
    });
  } catch (error) {
    throw locateParseError(error, input.path, lineNumber + 1);
  }
  return lineNumber;
}
