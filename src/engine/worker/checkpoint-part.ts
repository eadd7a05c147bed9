/**
 * One worker's part of a checkpoint: everything its runtime needs to continue a synchronous run
 * after step t as if it had never stopped — every declared vertex column of every replica, every
 * edge column (LDA's token topics), the masters active in step t + 1 and the aggregates the
 * program sees — written to a single-file LMDB environment in **one transaction**, so a part is
 * whole or absent, never half written.
 *
 * Two checksums go to the coordinator, which records them in the checkpoint's manifest: the
 * SHA-256 of the file's bytes, checked before a resume opens the file (`verifyCheckpointPart`:
 * LMDB's pages carry no checksum of their own, and a truncated file must not be mapped), and the
 * SHA-256 over the part's description and every value, in a fixed order, checked again as a
 * restore reads them. A part that fails either is refused (GAS_ERR_CORRUPT) and the caller falls
 * back to an older checkpoint.
 *
 * Replicas are saved, not masters alone: a restore is then local to each worker (no exchange to
 * rebuild the mirrors' copies), at the price of the replication factor in bytes.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { GasError } from '../../errors.js';
import { ColumnEnv, type Table } from '../../storage/graph-store.js';
import { columnBytes, type ColumnSpec, type TypedColumn } from '../../storage/columns.js';
import type { AggregateValues } from '../program/program.js';
import type { Message, WorkerRuntime } from './worker-runtime.js';

/** What a written part reports to the coordinator (its manifest entry). */
export interface CheckpointPartInfo {
  /** Bytes of the values saved, and their checksum (checked again by a restore). */
  readonly bytes: number;
  readonly checksum: string;
  /** The file's size and the SHA-256 of its bytes: checked before the file is opened (`verifyCheckpointPart`). */
  readonly fileBytes: number;
  readonly fileChecksum: string;
}

/** A column of a part: where it is stored and how many rows it has. */
interface PartColumn extends ColumnSpec {
  readonly table: Table;
  readonly rows: number;
}

/** The part's description, stored as its meta entry (with the checksum). */
interface PartMeta {
  readonly format: 1;
  /** The last step the part's state has completed. */
  readonly step: number;
  readonly worker: number;
  readonly vertices: number;
  readonly edges: number;
  readonly columns: readonly PartColumn[];
  readonly scalars: Readonly<Record<string, number>>;
}

/** Where the masters active in the next step are kept, and vector aggregates. */
const ACTIVE = '@active';
const VECTOR_PREFIX = '@aggregate:';

/** Writes `runtime`'s state after step `step` (its activation for step + 1 done) to `file`, which must not exist. */
export function writeCheckpointPart(file: string, runtime: WorkerRuntime, step: number, aggregates: AggregateValues): CheckpointPartInfo {
  if (existsSync(file)) throw new GasError('GAS_ERR_EXISTS', `checkpoint: ${file} exists already`, { file });
  const { graph, plan, state, stateSpecs } = runtime;
  const values: TypedColumn[] = [];
  const columns: PartColumn[] = [];
  const add = (table: Table, spec: ColumnSpec, column: TypedColumn): void => {
    columns.push({ table, name: spec.name, type: spec.type, width: spec.width, rows: column.length / spec.width });
    values.push(column);
  };
  for (const spec of stateSpecs.vertex) add('vertex', spec, state[spec.name] as TypedColumn);
  for (const spec of stateSpecs.edge) add('edge', spec, state[spec.name] as TypedColumn);
  add('vertex', { name: ACTIVE, type: 'u8', width: 1 }, runtime.activeFlags);
  const scalars: Record<string, number> = {};
  for (const [name, value] of aggregates) {
    if (typeof value === 'number') scalars[name] = value;
    else add('graph', { name: VECTOR_PREFIX + name, type: 'f64', width: 1 }, value);
  }
  const meta: PartMeta = { format: 1, step, worker: plan.worker, vertices: graph.numVertices, edges: graph.numEdges, columns, scalars };
  const hash = createHash('sha256').update(JSON.stringify(meta));
  let bytes = 0;
  let checksum = '';
  let written = false;
  const env = ColumnEnv.open(file, { create: true });
  try {
    env.transaction(() => {
      columns.forEach((column, i) => {
        hashColumn(hash, values[i]!);
        bytes += values[i]!.byteLength;
        env.putColumn(column.table, column, values[i]!);
      });
      checksum = hash.digest('hex');
      env.putMeta({ ...meta, checksum });
    });
    written = true;
  } finally {
    env.close();
    // A part whose transaction failed is an empty environment: it goes, with LMDB's lock file.
    if (!written) removeCheckpointPart(file);
  }
  const { size, sha256 } = hashFile(file);
  return { bytes, checksum, fileBytes: size, fileChecksum: sha256 };
}

/**
 * Checks the part at `file` against its manifest entry without opening it as a database: its
 * size, then the SHA-256 of its bytes. A truncated LMDB file must never be mapped — reading a
 * page past its end kills the process (SIGBUS) — and a flipped byte anywhere, in a value or in
 * LMDB's own pages, is caught. Throws GAS_ERR_CORRUPT naming what differs.
 */
export function verifyCheckpointPart(file: string, part: Pick<CheckpointPartInfo, 'fileBytes' | 'fileChecksum'>): void {
  if (!existsSync(file)) throw corrupt(file, 'the file is missing');
  const size = statSync(file).size;
  if (size !== part.fileBytes) throw corrupt(file, `it has ${size} bytes; ${part.fileBytes} were written`);
  const { sha256 } = hashFile(file);
  if (sha256 !== part.fileChecksum) throw corrupt(file, `its bytes changed since they were written (SHA-256 ${sha256}, written ${part.fileChecksum})`);
}

/** A file's size and the SHA-256 of its bytes, read in 1 MiB pieces. */
function hashFile(file: string): { size: number; sha256: string } {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  let size = 0;
  try {
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; size += read) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Restores `runtime` from the part at `file` (after `init`, whose state this overwrites),
 * verified against `checksum` and against the runtime's shape (the same worker of the same
 * layout). Returns the step the part completed, the aggregates it saved, and the activation of
 * the step after it (`outbox`: the flags for mirrors, as `activate` returns them).
 */
export function readCheckpointPart(
  file: string,
  runtime: WorkerRuntime,
  checksum: string,
): { step: number; aggregates: Map<string, number | Float64Array>; activation: { outbox: Message[]; activeMasters: number } } {
  const { meta, columns } = readPart(file, checksum);
  const { graph, plan, state } = runtime;
  if (meta.worker !== plan.worker || meta.vertices !== graph.numVertices || meta.edges !== graph.numEdges) {
    throw corrupt(
      file,
      `it was written by worker ${meta.worker} over ${meta.vertices} vertices and ${meta.edges} edges, not by worker ${plan.worker} over ${graph.numVertices} and ${graph.numEdges}`,
    );
  }
  const aggregates = new Map<string, number | Float64Array>(Object.entries(meta.scalars));
  let active: Uint8Array | null = null;
  meta.columns.forEach((column, i) => {
    const values = columns[i]!;
    if (column.name === ACTIVE) active = values as Uint8Array;
    else if (column.name.startsWith(VECTOR_PREFIX)) aggregates.set(column.name.slice(VECTOR_PREFIX.length), values as Float64Array);
    else {
      const target = state[column.name] as TypedColumn | null | undefined;
      if (!target || !ArrayBuffer.isView(target) || target.length !== values.length || target.constructor !== values.constructor) {
        throw corrupt(file, `column ${column.name} does not fit the program's`);
      }
      target.set(values as never);
    }
  });
  if (!active || (active as Uint8Array).length !== graph.numVertices) throw corrupt(file, 'its active vertices are missing');
  runtime.setAggregates(aggregates);
  return { step: meta.step, aggregates, activation: runtime.restoreActivation(active, meta.step + 1) };
}

/** Deletes a part and the lock file LMDB keeps beside a single-file environment. */
export function removeCheckpointPart(file: string): void {
  for (const path of [file, `${file}-lock`]) rmSync(path, { force: true });
}

function readPart(file: string, checksum: string): { meta: PartMeta; columns: TypedColumn[] } {
  if (!existsSync(file)) throw corrupt(file, 'the file is missing');
  let env: ColumnEnv;
  try {
    env = ColumnEnv.open(file, { create: false, readOnly: true });
  } catch (error) {
    throw corrupt(file, (error as Error).message);
  }
  try {
    let stored: PartMeta & { checksum: string };
    try {
      stored = env.getMeta<PartMeta & { checksum: string }>();
    } catch (error) {
      throw corrupt(file, `its description cannot be read (${(error as Error).message})`);
    }
    const { checksum: written, ...meta } = stored;
    if (meta.format !== 1 || !Array.isArray(meta.columns)) throw corrupt(file, 'its description is not a checkpoint part');
    const hash = createHash('sha256').update(JSON.stringify(meta));
    const columns = meta.columns.map((column) => {
      let values: TypedColumn;
      try {
        values = env.getColumn(column.table, column, column.rows);
      } catch (error) {
        throw corrupt(file, `column ${column.name} cannot be read (${(error as Error).message})`);
      }
      hashColumn(hash, values);
      return values;
    });
    const actual = hash.digest('hex');
    if (actual !== checksum || written !== checksum) throw corrupt(file, `its checksum is ${actual}; the manifest says ${checksum}`);
    return { meta, columns };
  } finally {
    env.close();
  }
}

function hashColumn(hash: Hash, values: TypedColumn): void {
  hash.update(columnBytes(values, 0, values.length));
}

function corrupt(file: string, why: string): GasError {
  return new GasError('GAS_ERR_CORRUPT', `checkpoint: ${file} cannot be used: ${why}`, { file });
}
