/** Worker-thread side of the parallel edge-list parse: one byte range in, its edges and labels out. */
import { parentPort } from 'node:worker_threads';
import { GasError } from '../../errors.js';
import { LabelDictionary } from '../dictionary.js';
import { EdgeChunks } from '../growable.js';
import { EdgeListScanner, scanStream } from './edge-list.js';
import { readRange, type RangeRequest, type RangeResult } from './parallel-edge-list.js';

parentPort!.once('message', async (request: RangeRequest) => {
  const dictionary = new LabelDictionary();
  const edges = new EdgeChunks(request.weighted);
  const header = request.first ? request.header : false;
  const scanner = new EdgeListScanner(request.path, dictionary, edges, request.tabOnly, { weighted: request.weighted, header });
  let result: RangeResult;
  try {
    const lines = await scanStream(scanner, readRange(request.path, request.start, request.end), request.path, request.first);
    result = { ok: true, chunks: edges.chunks(), dictionary: dictionary.snapshot(), lines };
  } catch (error) {
    if (!(error instanceof GasError)) throw error;
    const line = typeof error.details.line === 'number' ? error.details.line : scanner.lineNumber;
    const text = typeof error.details.text === 'string' ? error.details.text : undefined;
    const problem = typeof error.details.problem === 'string' ? error.details.problem : error.message;
    result = { ok: false, line, problem, text, code: error.code, message: error.message };
  }
  const transfer = result.ok ? result.chunks.flatMap((c) => [c.src.buffer, c.dst.buffer, ...(c.weight ? [c.weight.buffer] : [])]) : [];
  parentPort!.postMessage(result, transfer as ArrayBuffer[]);
});
