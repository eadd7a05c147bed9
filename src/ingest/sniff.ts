/**
 * Format detection when `--format` is not given: the file's first bytes decide where they are
 * unambiguous (a `%%MatrixMarket` banner, a JSON object), otherwise its name (ignoring `.gz`).
 */
import { detectFormat, type GraphFormat, type InputFile } from '../storage/loaders/index.js';

export async function sniffFormat(input: InputFile): Promise<GraphFormat> {
  let head = '';
  for await (const chunk of input.chunks()) {
    head = chunk
      .subarray(0, 256)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    break;
  }
  if (/^%%MatrixMarket/i.test(head)) return 'mtx';
  if (head.startsWith('{')) return 'graphology';
  return detectFormat(input);
}
