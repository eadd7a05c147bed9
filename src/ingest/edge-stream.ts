/**
 * A graph file as a stream of dense-id edges in file order, held in memory: what the
 * partitioners see during an import, without storing anything (for `partition-report`).
 * Undirected edges are oriented source ≤ target, as in an import; self-loops are kept.
 */
import { LabelDictionary } from '../storage/dictionary.js';
import { EdgeChunks } from '../storage/growable.js';
import { loaderFor, openInput, type GraphFormat } from '../storage/loaders/index.js';
import type { EdgeStream } from '../partition/index.js';
import { remapAll } from './distribute.js';
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
  remapAll(edges, final);
  return orientedStream(edges, final.numVertices, directed, edges.length, true);
}

/**
 * Already remapped chunks as flat arrays, oriented as an import stores them (undirected:
 * source ≤ target): every edge, or — when there are more than `limit` — every k-th edge
 * (k = ⌈edges / limit⌉), an even sample of the whole stream rather than its head, which in a
 * stored graph is one old partition and in a SNAP file the lowest source ids. Serves
 * `partition-report` (every edge) and `--strategy auto` (a sample). With `release`, each chunk is
 * dropped once copied, so the edges are held about once, not twice.
 */
export function orientedStream(edges: EdgeChunks, numVertices: number, directed: boolean, limit: number, release = false): EdgeStream {
  const stride = Math.max(1, Math.ceil(edges.length / Math.max(1, limit)));
  const size = Math.ceil(edges.length / stride);
  const src = new Uint32Array(size);
  const dst = new Uint32Array(size);
  // `next`: position in the whole stream of the next edge to take.
  for (let k = 0, base = 0, next = 0, at = 0; at < size; k++) {
    const chunk = edges.chunk(k);
    for (; next < base + chunk.length && at < size; next += stride, at++) {
      const s = chunk.src[next - base]!;
      const d = chunk.dst[next - base]!;
      const swap = !directed && s > d;
      src[at] = swap ? d : s;
      dst[at] = swap ? s : d;
    }
    base += chunk.length;
    if (release) edges.release(k);
  }
  return { numVertices, directed, src, dst };
}
