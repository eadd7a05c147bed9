/**
 * `grid`: 2D vertex-cut. Partitions are laid out in `columns = ⌈√P⌉` columns of `rows =
 * ⌈P/columns⌉` cells, the last column holding whatever is left. An edge goes to the column chosen
 * by its source and, within that column, to the row chosen by its target. A vertex therefore
 * appears (as a source) only in its own column and (as a target) in at most one cell of each
 * column: replication ≤ rows + columns ≤ 2⌈√P⌉ for any P, not only perfect squares.
 *
 * Reference: Jain, Sundaram & Prabhakaran's 2D "grid" constrained partitioning (GraphBuilder,
 * GRADES 2013); GraphX's EdgePartition2D uses the same non-square layout.
 */
import { hashVertex } from './hash.js';
import type { PartitionStrategy } from './types.js';

export function gridShape(numPartitions: number): { columns: number; rows: number; lastColumnRows: number } {
  const columns = Math.ceil(Math.sqrt(numPartitions));
  const rows = Math.ceil(numPartitions / columns);
  return { columns, rows, lastColumnRows: numPartitions - rows * (columns - 1) };
}

export const gridStrategy: PartitionStrategy = {
  name: 'grid',
  description: '2D grid: column by source, row by target (replication ≤ 2⌈√P⌉)',
  colocatesDuplicates: true,
  replicationBound: (numPartitions) => 2 * Math.ceil(Math.sqrt(numPartitions)),
  create({ numPartitions, seed }) {
    const { columns, rows, lastColumnRows } = gridShape(numPartitions);
    return {
      assign(source, target) {
        // The column holding cell hash(source) mod P: columns are chosen in proportion to their
        // height, so the shorter last column gets its share of edges, not a full column's
        // (uniform columns measured edge balance 1.3–2.8 at P = 8 and 32).
        const column = Math.floor((hashVertex(source, seed) % numPartitions) / rows);
        const height = column === columns - 1 ? lastColumnRows : rows;
        const row = hashVertex(target, seed ^ 0x5bd1e995) % height;
        return column * rows + row;
      },
    };
  },
};
