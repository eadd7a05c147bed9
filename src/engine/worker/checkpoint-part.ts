/**
 * One worker's part of a checkpoint: everything its runtime needs to continue a synchronous run
 * after step t as if it had never stopped — every declared vertex column of every replica, every
 * edge column (LDA's token topics), the masters active in step t + 1 and the aggregates the
 * program sees.
 *
 * **A file of its own, not an LMDB environment.** A part is written under a temporary name,
 * flushed to disk (fsync), then renamed: it is whole or absent, as a single LMDB transaction
 * would make it. LMDB is kept out of the worker's thread on purpose: lmdb-js, when it opens an
 * environment, adds a property to a `Uint32Array` of its own, which makes V8's map of every
 * `Uint32Array` unstable in that thread — its optimised loops over the local graph's index arrays
 * must then check maps, and measured on PageRank (Kronecker 18 and 22, two worker threads) every
 * step after the first checkpoint ran 1.9–2.2× slower for the rest of the run (a micro-benchmark
 * reproduces it with `new Uint32Array(16).address = 1` and no LMDB at all).
 *
 * Layout: the magic `GWCKPT01`, the length of a JSON description (u32, little-endian), the
 * description (step, worker, shape, columns with their byte offsets, scalar aggregates), then each
 * column's bytes at an offset aligned to 8. The SHA-256 of the whole file, computed while it is
 * written, and its size go to the coordinator, which records them in the checkpoint's manifest;
 * a part is checked against both before it is used (`verifyCheckpointPart`) and again as a
 * restore reads it. A part that fails is refused (GAS_ERR_CORRUPT) and the caller falls back to
 * an older checkpoint.
 *
 * Vertex columns are saved for the worker's masters only (rows in local-id order of its masters):
 * a mirror's copy is its master's value, which a restore sends it over the mesh, as an apply would
 * (worker-node.ts) — a part is then the size of the graph's vertices, not of its replicas
 * (Kronecker 22, replication factor 2.72: 100 MB a checkpoint with replicas, 37 MB without).
 * Edge columns are saved whole: each edge lives on one worker.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GasError } from '../../errors.js';
import { allocateColumn, type ColumnSpec, type TypedColumn } from '../../storage/columns.js';
import type { AggregateValues } from '../program/program.js';
import type { Message, WorkerRuntime } from './worker-runtime.js';

/** What a written part reports to the coordinator (its manifest entry). */
export interface CheckpointPartInfo {
  /** Bytes of the values saved. */
  readonly bytes: number;
  /** The file's size, and the SHA-256 of its bytes. */
  readonly fileBytes: number;
  readonly checksum: string;
}

/** What checks a part: its size and checksum, as the manifest records them. */
export type CheckpointPartCheck = Pick<CheckpointPartInfo, 'fileBytes' | 'checksum'>;

/** A column of a part: its name and type, its rows, and where its bytes start in the file. */
interface PartColumn extends ColumnSpec {
  readonly rows: number;
  readonly offset: number;
}

/** The part's description, at the head of the file. */
interface PartMeta {
  readonly format: 1;
  /** The last step the part's state has completed. */
  readonly step: number;
  readonly worker: number;
  readonly vertices: number;
  /** Vertex columns hold this many rows: the worker's masters, in local-id order. */
  readonly masters: number;
  readonly edges: number;
  readonly columns: readonly PartColumn[];
  readonly scalars: Readonly<Record<string, number>>;
}

const MAGIC = Buffer.from('GWCKPT01', 'latin1');
/** Where the masters active in the next step are kept, and vector aggregates. */
const ACTIVE = '@active';
/** Programs with messages: the masters' inboxes (after an activation, mirrors' are empty). */
const INBOX = '@inbox';
const VECTOR_PREFIX = '@aggregate:';
/** The most a description may take (a part with more columns than this allows is not one). */
const MAX_META_BYTES = 1 << 24;

/** Writes `runtime`'s state after step `step` (its activation for step + 1 done) to `file`, which must not exist. */
export function writeCheckpointPart(file: string, runtime: WorkerRuntime, step: number, aggregates: AggregateValues): CheckpointPartInfo {
  if (existsSync(file)) throw new GasError('GAS_ERR_EXISTS', `checkpoint: ${file} exists already`, { file });
  const { graph, plan, state, stateSpecs } = runtime;
  const specs: { spec: ColumnSpec; column: TypedColumn }[] = [];
  const masters = mastersOf(plan.isMaster, plan.numMasters);
  for (const spec of stateSpecs.vertex) specs.push({ spec, column: masterRows(state[spec.name] as TypedColumn, spec.width, masters) });
  for (const spec of stateSpecs.edge) specs.push({ spec, column: state[spec.name] as TypedColumn });
  specs.push({ spec: { name: ACTIVE, type: 'u8', width: 1 }, column: masterRows(runtime.activeFlags, 1, masters) });
  if (runtime.messageInbox) specs.push({ spec: { name: INBOX, type: 'f64', width: 1 }, column: masterRows(runtime.messageInbox, 1, masters) });
  const scalars: Record<string, number> = {};
  for (const [name, value] of aggregates) {
    if (typeof value === 'number') scalars[name] = value;
    else specs.push({ spec: { name: VECTOR_PREFIX + name, type: 'f64', width: 1 }, column: value });
  }
  // Offsets are fixed once the description's length is: lay out, then measure, until stable.
  let columns: PartColumn[] = [];
  let header = Buffer.alloc(0);
  for (let headerBytes = 0; ;) {
    let at = align8(MAGIC.length + 4 + headerBytes);
    columns = specs.map(({ spec, column }) => {
      const placed: PartColumn = { name: spec.name, type: spec.type, width: spec.width, rows: column.length / spec.width, offset: at };
      at = align8(at + column.byteLength);
      return placed;
    });
    const meta: PartMeta = {
      format: 1,
      step,
      worker: plan.worker,
      vertices: graph.numVertices,
      masters: masters.length,
      edges: graph.numEdges,
      columns,
      scalars,
    };
    header = Buffer.from(JSON.stringify(meta));
    if (header.length === headerBytes) break;
    headerBytes = header.length;
  }

  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const hash = createHash('sha256');
  const fd = openSync(partial, 'w');
  let position = 0;
  let bytes = 0;
  const write = (chunk: Uint8Array): void => {
    hash.update(chunk);
    for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
    position += chunk.length;
  };
  const padTo = (offset: number): void => {
    if (offset > position) write(new Uint8Array(offset - position));
  };
  try {
    try {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(header.length);
      write(MAGIC);
      write(length);
      write(header);
      columns.forEach((column, i) => {
        padTo(column.offset);
        const data = specs[i]!.column;
        write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        bytes += data.byteLength;
      });
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new GasError('GAS_ERR_IO', `checkpoint: cannot write ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
  return { bytes, fileBytes: position, checksum: hash.digest('hex') };
}

/**
 * Checks the part at `file` against its manifest entry without using it: its size, then the
 * SHA-256 of its bytes. Throws GAS_ERR_CORRUPT naming what differs.
 */
export function verifyCheckpointPart(file: string, part: CheckpointPartCheck): void {
  checkSize(file, part.fileBytes);
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  checkHash(file, hash, part.checksum);
}

/**
 * Restores `runtime` from the part at `file` (after `init`, whose state this overwrites),
 * checked against its manifest entry and against the runtime's shape (the same worker of the
 * same layout). Returns the step the part completed, the aggregates it saved, and the activation
 * of the step after it (`outbox`: the flags for mirrors, as `activate` returns them). A part that
 * turns out corrupt while it is read has overwritten some of the state: the caller must not go
 * on with this runtime (the run fails, and a resume starts fresh workers).
 */
export function readCheckpointPart(
  file: string,
  runtime: WorkerRuntime,
  part: CheckpointPartCheck,
): { step: number; aggregates: Map<string, number | Float64Array>; activation: { outbox: Message[]; activeMasters: number } } {
  checkSize(file, part.fileBytes);
  const { graph, plan, state } = runtime;
  const masters = mastersOf(plan.isMaster, plan.numMasters);
  const vertexColumns = new Set(runtime.stateSpecs.vertex.map((spec) => spec.name));
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    let position = 0;
    const read = (into: Uint8Array): void => {
      for (let done = 0; done < into.length;) {
        const got = readSync(fd, into, done, into.length - done, position + done);
        if (got === 0) throw corrupt(file, 'it ends early');
        done += got;
      }
      hash.update(into);
      position += into.length;
    };
    const skipTo = (offset: number): void => {
      if (offset < position) throw corrupt(file, 'its columns overlap');
      if (offset > position) read(new Uint8Array(offset - position));
    };
    const head = new Uint8Array(MAGIC.length + 4);
    read(head);
    if (!Buffer.from(head.subarray(0, MAGIC.length)).equals(MAGIC)) throw corrupt(file, 'it is not a checkpoint part');
    const headerBytes = Buffer.from(head.buffer, head.byteOffset + MAGIC.length, 4).readUInt32LE(0);
    if (headerBytes > MAX_META_BYTES) throw corrupt(file, `its description claims ${headerBytes} bytes`);
    const header = new Uint8Array(headerBytes);
    read(header);
    let meta: PartMeta;
    try {
      meta = JSON.parse(Buffer.from(header).toString('utf8')) as PartMeta;
    } catch {
      throw corrupt(file, 'its description is not JSON');
    }
    if (meta.format !== 1 || !Array.isArray(meta.columns)) throw corrupt(file, 'its description is not a checkpoint part');
    if (meta.worker !== plan.worker || meta.vertices !== graph.numVertices || meta.edges !== graph.numEdges || meta.masters !== masters.length) {
      throw corrupt(
        file,
        `it was written by worker ${meta.worker} over ${meta.vertices} vertices (${meta.masters} masters) and ${meta.edges} edges, not by worker ${plan.worker} over ${graph.numVertices} (${masters.length}) and ${graph.numEdges}`,
      );
    }
    const aggregates = new Map<string, number | Float64Array>(Object.entries(meta.scalars));
    let active: Uint8Array | null = null;
    // Masters' rows are read into a column of their own, then put in place once every byte checked out.
    const placements: { into: TypedColumn; from: TypedColumn; width: number }[] = [];
    for (const column of meta.columns) {
      skipTo(column.offset);
      let target: TypedColumn;
      if (column.name === ACTIVE) {
        target = allocateColumn({ type: 'u8', width: 1 }, masters.length);
        active = new Uint8Array(graph.numVertices);
        placements.push({ into: active, from: target, width: 1 });
      } else if (column.name === INBOX && runtime.messageInbox) {
        target = allocateColumn({ type: 'f64', width: 1 }, masters.length);
        placements.push({ into: runtime.messageInbox, from: target, width: 1 });
      } else if (column.name.startsWith(VECTOR_PREFIX)) {
        target = allocateColumn({ type: 'f64', width: 1 }, column.rows);
        aggregates.set(column.name.slice(VECTOR_PREFIX.length), target as Float64Array);
      } else {
        const existing = state[column.name] as TypedColumn | null | undefined;
        const isVertex = vertexColumns.has(column.name);
        const rows = isVertex ? masters.length : (existing?.length ?? 0) / column.width;
        if (!existing || !ArrayBuffer.isView(existing) || column.rows !== rows || elementType(existing) !== column.type) {
          throw corrupt(file, `column ${column.name} does not fit the program's`);
        }
        target = isVertex ? allocateColumn(column, rows) : existing;
        if (isVertex) placements.push({ into: existing, from: target, width: column.width });
      }
      if (target.length !== column.rows * column.width) throw corrupt(file, `column ${column.name} has ${column.rows} rows`);
      read(new Uint8Array(target.buffer, target.byteOffset, target.byteLength));
    }
    if (position !== part.fileBytes) skipTo(part.fileBytes);
    checkHash(file, hash, part.checksum);
    if (!active) throw corrupt(file, 'its active vertices are missing');
    if (runtime.messageInbox && !meta.columns.some((column) => column.name === INBOX)) throw corrupt(file, "its vertices' inboxes are missing");
    for (const { into, from, width } of placements) placeMasterRows(into, from, width, masters);
    runtime.setAggregates(aggregates);
    return { step: meta.step, aggregates, activation: runtime.restoreActivation(active, meta.step + 1) };
  } finally {
    closeSync(fd);
  }
}

/** The local ids of the masters, ascending. */
function mastersOf(isMaster: Uint8Array, count: number): Uint32Array {
  const masters = new Uint32Array(count);
  let at = 0;
  for (let v = 0; v < isMaster.length; v++) if (isMaster[v] === 1) masters[at++] = v;
  return masters;
}

/** The masters' rows of a vertex column (`width` values each), in a column of their own. */
function masterRows(column: TypedColumn, width: number, masters: Uint32Array): TypedColumn {
  const out = new (column.constructor as new (length: number) => TypedColumn)(masters.length * width);
  for (let i = 0; i < masters.length; i++) for (let k = 0; k < width; k++) out[i * width + k] = column[masters[i]! * width + k]!;
  return out;
}

/** The reverse of `masterRows`: the masters' rows back in place. */
function placeMasterRows(column: TypedColumn, rows: TypedColumn, width: number, masters: Uint32Array): void {
  for (let i = 0; i < masters.length; i++) for (let k = 0; k < width; k++) column[masters[i]! * width + k] = rows[i * width + k]!;
}

function checkSize(file: string, expected: number): void {
  if (!existsSync(file)) throw corrupt(file, 'the file is missing');
  const size = statSync(file).size;
  if (size !== expected) throw corrupt(file, `it has ${size} bytes; ${expected} were written`);
}

function checkHash(file: string, hash: Hash, expected: string): void {
  const actual = hash.digest('hex');
  if (actual !== expected) throw corrupt(file, `its bytes changed since they were written (SHA-256 ${actual}, written ${expected})`);
}

const ELEMENT_TYPES: ReadonlyMap<unknown, ColumnSpec['type']> = new Map<unknown, ColumnSpec['type']>([
  [Float64Array, 'f64'],
  [Float32Array, 'f32'],
  [Int32Array, 'i32'],
  [Uint32Array, 'u32'],
  [Uint16Array, 'u16'],
  [Uint8Array, 'u8'],
]);

function elementType(column: TypedColumn): ColumnSpec['type'] | undefined {
  return ELEMENT_TYPES.get(column.constructor);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function corrupt(file: string, why: string): GasError {
  return new GasError('GAS_ERR_CORRUPT', `checkpoint: ${file} cannot be used: ${why}`, { file });
}
