/**
 * The LMDB graph store. A graph is a directory with one LMDB environment for graph-wide tables
 * (`graph.mdb`: label dictionary, degrees, routing) and one per partition (`part-NNNN.mdb`:
 * that partition's vertex table and edge table). Each table is a set of typed columns stored in
 * blocks of `BLOCK_SIZE` rows under the key `[table, column, block]`, plus a JSON `meta` entry.
 *
 * Partition edge tables are sorted by (local source, local target), and local vertex ids follow
 * global id order, so the engine can build CSR arrays with one linear pass.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { GasError, NoSpaceError } from '../errors.js';
import { formatBytes } from '../util/format-bytes.js';
import { LMDB_ENV_BYTES, availableBytes, isOutOfSpace } from './disk-space.js';
import { BLOCK_SIZE, allocateColumn, blockCount, columnBytes, viewColumnBytes, type ColumnSpec, type TypedColumn } from './columns.js';

export const STORE_FORMAT_VERSION = 1;

/** Graph-wide facts stored in `graph.mdb`. */
export interface GraphMeta {
  readonly formatVersion: number;
  readonly vertices: number;
  readonly edges: number;
  readonly directed: boolean;
  readonly weighted: boolean;
  readonly numPartitions: number;
  /** Ids below this are integer labels in increasing order. */
  readonly numDirect: number;
  /** Number of vertices whose label is a string. */
  readonly textLabels: number;
}

/** One partition's facts, stored in its `part-NNNN.mdb`. */
export interface PartitionMeta {
  readonly formatVersion: number;
  readonly partition: number;
  readonly numPartitions: number;
  /** Local vertices (masters and mirrors). */
  readonly vertices: number;
  readonly masters: number;
  readonly edges: number;
  readonly vertexColumns: readonly ColumnSpec[];
  readonly edgeColumns: readonly ColumnSpec[];
}

/** Graph-level columns (indexed by global vertex id). */
export const GRAPH_COLUMNS = {
  label: { name: 'label', type: 'f64', width: 1 },
  outDegree: { name: 'outDegree', type: 'u32', width: 1 },
  inDegree: { name: 'inDegree', type: 'u32', width: 1 },
  /** Total weight of each vertex's out-edges and in-edges (weighted graphs only). */
  outWeight: { name: 'outWeight', type: 'f64', width: 1 },
  inWeight: { name: 'inWeight', type: 'f64', width: 1 },
  master: { name: 'master', type: 'u16', width: 1 },
  replicaOffsets: { name: 'replicaOffsets', type: 'u32', width: 1 },
  replicaPartitions: { name: 'replicaPartitions', type: 'u16', width: 1 },
} as const satisfies Record<string, ColumnSpec>;

/** Vertex-table columns present in every partition: the global id and the master partition. */
export const VERTEX_COLUMNS = {
  gid: { name: 'gid', type: 'u32', width: 1 },
  master: { name: 'master', type: 'u16', width: 1 },
} as const satisfies Record<string, ColumnSpec>;

/** Edge-table columns: local source and target ids, and the weight when the graph has one. */
export const EDGE_COLUMNS = {
  src: { name: 'src', type: 'u32', width: 1 },
  dst: { name: 'dst', type: 'u32', width: 1 },
  weight: { name: 'weight', type: 'f64', width: 1 },
} as const satisfies Record<string, ColumnSpec>;

export type Table = 'graph' | 'vertex' | 'edge';

export function partitionFile(dir: string, partition: number): string {
  return join(dir, `part-${String(partition).padStart(4, '0')}.mdb`);
}

export function graphFile(dir: string): string {
  return join(dir, 'graph.mdb');
}

/** An open LMDB environment holding column blocks. */
export class ColumnEnv {
  readonly path: string;
  private readonly db: RootDatabase<Buffer, (string | number)[]>;
  /** Bytes put by the current `transaction`: what a failed commit was trying to write. */
  private pendingBytes = 0;

  private constructor(path: string, db: RootDatabase<Buffer, (string | number)[]>) {
    this.path = path;
    this.db = db;
  }

  static open(path: string, options: { create: boolean; readOnly?: boolean }): ColumnEnv {
    try {
      if (options.create) mkdirSync(join(path, '..'), { recursive: true });
      const db = open<Buffer, (string | number)[]>({
        path,
        encoding: 'binary',
        noSubdir: true,
        compression: false,
        readOnly: options.readOnly ?? false,
      });
      return new ColumnEnv(path, db);
    } catch (error) {
      if (options.create && isOutOfSpace(error, path, LMDB_ENV_BYTES)) throw storeNoSpace(path, LMDB_ENV_BYTES, error);
      throw new GasError('GAS_ERR_CORRUPT', `graph store: cannot open ${path}: ${(error as Error).message}`, { file: path });
    }
  }

  /**
   * Runs `body` in one write transaction: all of its writes commit together or not at all. A
   * volume too full for them is GAS_ERR_NO_SPACE (naming this file; callers that know the data
   * directory say it in their own terms), any other failed write GAS_ERR_IO.
   */
  transaction(body: () => void): void {
    this.pendingBytes = 0;
    try {
      this.db.transactionSync(body);
    } catch (error) {
      if (error instanceof GasError) throw error;
      if (isOutOfSpace(error, this.path, this.pendingBytes)) throw storeNoSpace(this.path, this.pendingBytes, error);
      throw new GasError('GAS_ERR_IO', `graph store: cannot write ${this.path}: ${(error as Error).message}`, { file: this.path }, { cause: error });
    }
  }

  putMeta(meta: object): void {
    this.putBytes(['meta'], Buffer.from(JSON.stringify(meta)));
  }

  getMeta<T>(): T {
    const bytes = this.db.getBinary(['meta']);
    if (!bytes) throw new GasError('GAS_ERR_CORRUPT', `graph store: ${this.path} has no meta entry`, { file: this.path });
    return JSON.parse(bytes.toString('utf8')) as T;
  }

  /** Writes `values` (rows × width elements) as blocks of `BLOCK_SIZE` rows. Call inside `transaction`. */
  putColumn(table: Table, spec: ColumnSpec, values: TypedColumn): void {
    const rowsPerBlock = BLOCK_SIZE * spec.width;
    const blocks = blockCount(values.length / spec.width);
    for (let b = 0; b < blocks; b++) {
      const start = b * rowsPerBlock;
      this.putBytes([table, spec.name, b], columnBytes(values, start, Math.min(values.length, start + rowsPerBlock)));
    }
  }

  /** Reads a column of `rows` rows written by `putColumn`. */
  getColumn(table: Table, spec: ColumnSpec, rows: number): TypedColumn {
    const out = allocateColumn(spec, rows);
    const rowsPerBlock = BLOCK_SIZE * spec.width;
    for (let b = 0; b < blockCount(rows); b++) out.set(this.blockView(table, spec, rows, b) as never, b * rowsPerBlock);
    return out;
  }

  /** Block `b` of a column of `rows` rows (rows b·BLOCK_SIZE onwards), as a copy: for readers that stream a column without holding it. */
  getColumnBlock(table: Table, spec: ColumnSpec, rows: number, b: number): TypedColumn {
    return this.blockView(table, spec, rows, b).slice();
  }

  /** Block `b` viewed in LMDB's reused read buffer: valid until the next read. */
  private blockView(table: Table, spec: ColumnSpec, rows: number, b: number): TypedColumn {
    // getBinaryFast returns a view into a reused buffer whose `length` (not `byteLength`) is the value size.
    const fast = this.db.getBinaryFast([table, spec.name, b]);
    const bytes = fast ? fast.subarray(0, fast.length) : undefined;
    const expected = Math.min(rows - b * BLOCK_SIZE, BLOCK_SIZE) * spec.width;
    const view = bytes ? viewColumnBytes(spec.type, bytes) : undefined;
    if (!view || view.length !== expected) {
      throw new GasError('GAS_ERR_CORRUPT', `graph store: ${this.path}: column ${table}.${spec.name} block ${b} is missing or truncated`, {
        file: this.path,
      });
    }
    return view;
  }

  putJson(key: (string | number)[], value: unknown): void {
    this.putBytes(key, Buffer.from(JSON.stringify(value)));
  }

  private putBytes(key: (string | number)[], bytes: Buffer): void {
    this.pendingBytes += bytes.byteLength;
    this.db.putSync(key, bytes);
  }

  getJson<T>(key: (string | number)[]): T | undefined {
    const bytes = this.db.getBinary(key);
    return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : undefined;
  }

  close(): void {
    void this.db.close();
  }
}

/**
 * A full volume under an environment, named by its file: `writeLayout` and `writeResults`, which
 * know the data directory and the whole write, turn it into the error users see.
 */
function storeNoSpace(path: string, neededBytes: number, cause: unknown): NoSpaceError {
  const measured = availableBytes(path);
  const available = Number.isFinite(measured) ? measured : 0;
  return new NoSpaceError(
    `graph store: no space left to write ${path}: needs at least ${formatBytes(neededBytes)}, ${formatBytes(available)} available`,
    { dataDir: join(path, '..'), neededBytes, availableBytes: available, file: path },
    { cause },
  );
}
