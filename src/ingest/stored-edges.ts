/**
 * A stored graph's edges read back as global-id chunks (weights included), partition after
 * partition: the input of `repartition`, and of `partition-report` on a graph in the catalog.
 * The stored tables keep self-loops and repeated edges unless the import removed them, so the
 * edge set is exactly what the graph holds; the original file order is not kept.
 */
import type { GraphReader } from '../storage/graph-reader.js';
import { EdgeChunks } from '../storage/growable.js';

export function readStoredEdges(reader: GraphReader): EdgeChunks {
  const edges = new EdgeChunks(reader.meta.weighted);
  for (let p = 0; p < reader.meta.numPartitions; p++) {
    const { gids, src, dst, weight } = reader.partition(p);
    for (let i = 0; i < src.length; i++) edges.push(gids[src[i]!]!, gids[dst[i]!]!, weight ? weight[i]! : 1);
  }
  return edges;
}
