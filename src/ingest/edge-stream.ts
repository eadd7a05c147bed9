/**
 * A graph file as a stream of dense-id edges in file order, held in memory: what the
 * partitioners see during an import, without storing anything (for `partition-report`).
 * Undirected edges are oriented source ≤ target, as in an import; self-loops are kept.
 */
import { LabelDictionary } from '../storage/dictionary.js';
import { EdgeChunks } from '../storage/growable.js';
import { loaderFor, openInput, type GraphFormat } from '../storage/loaders/index.js';
import type { EdgeStream } from '../partition/index.js';
import { sniffFormat } from './sniff.js';

export async function readEdgeStream(file: string, options: { format?: GraphFormat; undirected?: boolean }): Promise<EdgeStream> {
  const input = openInput(file);
  const format = options.format ?? (await sniffFormat(input));
  const dictionary = new LabelDictionary();
  let parsed: EdgeChunks | null = null;
  const info = await loaderFor(format)(input, { dictionary, begin: (weighted) => (parsed = new EdgeChunks(weighted)) }, { weighted: false, header: 'auto' });
  const edges: EdgeChunks = parsed ?? new EdgeChunks(false);
  const directed = !options.undirected && (info.directed ?? true);
  const final = dictionary.finalize();
  const src = new Uint32Array(edges.length);
  const dst = new Uint32Array(edges.length);
  let at = 0;
  for (let k = 0; k < edges.chunkCount; k++) {
    const chunk = edges.chunk(k);
    final.remap(chunk.src, chunk.length);
    final.remap(chunk.dst, chunk.length);
    for (let i = 0; i < chunk.length; i++, at++) {
      const [s, d] = [chunk.src[i]!, chunk.dst[i]!];
      const swap = !directed && s > d;
      src[at] = swap ? d : s;
      dst[at] = swap ? s : d;
    }
    edges.release(k);
  }
  return { numVertices: final.numVertices, directed, src, dst };
}
