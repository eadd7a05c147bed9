/**
 * Held-out ratings for evaluation (ALS's `--test FILE`): any ratings file `import --format
 * ratings` reads, mapped to the graph's vertex ids. Users or items the graph lacks (cold start)
 * get id −1, and are predicted from what is known (the global mean and the other side's bias).
 */
import type { GraphHandle } from '../../engine/index.js';
import { EdgeChunks, LabelDictionary, loaderFor, openInput } from '../../storage/index.js';

export interface TestRatings {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float64Array;
  /** Ratings whose user or item is not in the graph. */
  readonly coldStart: number;
}

export async function readTestRatings(file: string, graph: GraphHandle): Promise<TestRatings> {
  const dictionary = new LabelDictionary();
  let edges = new EdgeChunks(true);
  await loaderFor('ratings')(openInput(file), { dictionary, begin: () => (edges = new EdgeChunks(true)) }, { weighted: true, header: 'auto' });
  const final = dictionary.finalize();
  // Label codes → the graph's ids (−1 where the graph has no such vertex).
  const graphId = new Int32Array(final.numVertices);
  for (let id = 0; id < final.numVertices; id++) graphId[id] = graph.lookup(final.text.get(id) ?? String(final.numeric[id]));
  const user = new Int32Array(edges.length);
  const item = new Int32Array(edges.length);
  const rating = new Float64Array(edges.length);
  let at = 0;
  let coldStart = 0;
  for (let k = 0; k < edges.chunkCount; k++) {
    const { src, dst, weight, length } = edges.chunk(k);
    final.remap(src, length);
    final.remap(dst, length);
    for (let i = 0; i < length; i++, at++) {
      user[at] = graphId[src[i]!]!;
      item[at] = graphId[dst[i]!]!;
      rating[at] = weight![i]!;
      if (user[at]! < 0 || item[at]! < 0) coldStart++;
    }
  }
  return { user, item, rating, coldStart };
}
