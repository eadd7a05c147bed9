/**
 * One byte range of a parallel edge-list parse, scanned into its own dictionary and edge chunks:
 * the body of `edge-list-worker.ts`, kept importable so tests can run many small ranges in-process
 * through exactly the code a worker runs.
 */
import { GasError } from '../../errors.js';
import { LabelDictionary } from '../dictionary.js';
import { EdgeChunks } from '../growable.js';
import { EdgeListScanner, scanStream } from './edge-list.js';
import { readRange, type RangeRequest, type RangeResult } from './parallel-edge-list.js';

export async function scanRange(request: RangeRequest, chunkBytes?: number): Promise<RangeResult> {
  const dictionary = new LabelDictionary();
  const edges = new EdgeChunks(request.weighted);
  const header = request.first ? request.header : false;
  const scanner = new EdgeListScanner(request.path, dictionary, edges, request.tabOnly, {
    weighted: request.weighted,
    header,
    maxLabelBytes: request.maxLabelBytes,
  });
  try {
    const lines = await scanStream(scanner, readRange(request.path, request.start, request.end, chunkBytes), request.path, request.first);
    return { ok: true, chunks: edges.chunks(), dictionary: dictionary.snapshot(), lines };
  } catch (error) {
    if (!(error instanceof GasError)) throw error;
    const line = typeof error.details.line === 'number' ? error.details.line : scanner.lineNumber;
    const text = typeof error.details.text === 'string' ? error.details.text : undefined;
    const problem = typeof error.details.problem === 'string' ? error.details.problem : error.message;
    return { ok: false, line, problem, text, code: error.code, message: error.message };
  }
}
