/**
 * Typed columns: the one representation of vertex and edge state in gasworks, on disk and in
 * memory. A column is a typed array of `length × width` elements; on disk it is cut into blocks
 * of `BLOCK_SIZE` rows so that one LMDB value holds 64K rows (DESIGN principle 2) and row `i`
 * lives in block `i >> BLOCK_SHIFT`.
 */

export const BLOCK_SHIFT = 16;
export const BLOCK_SIZE = 1 << BLOCK_SHIFT;

export type ColumnType = 'f64' | 'f32' | 'i32' | 'u32' | 'u16' | 'u8';

export type TypedColumn = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** A column's declaration: name, element type and elements per row (1 for scalars, k for `f64×k`). */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly width: number;
}

const CONSTRUCTORS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
} as const;

export function isColumnType(type: string): type is ColumnType {
  return Object.prototype.hasOwnProperty.call(CONSTRUCTORS, type);
}

export function bytesPerElement(type: ColumnType): number {
  return CONSTRUCTORS[type].BYTES_PER_ELEMENT;
}

/** Allocates a zeroed column for `rows` rows of `spec`. */
export function allocateColumn(spec: Pick<ColumnSpec, 'type' | 'width'>, rows: number): TypedColumn {
  return new CONSTRUCTORS[spec.type](rows * spec.width);
}

/** A view of `bytes` as the typed array of `type` (copies only when the bytes are misaligned). */
export function viewColumnBytes(type: ColumnType, bytes: Uint8Array): TypedColumn {
  const Ctor = CONSTRUCTORS[type];
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) {
    return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  }
  const copy = new Uint8Array(bytes);
  return new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT);
}

/** The raw bytes of a typed array range, without copying. */
export function columnBytes(column: TypedColumn, start = 0, end = column.length): Buffer {
  const size = column.BYTES_PER_ELEMENT;
  return Buffer.from(column.buffer, column.byteOffset + start * size, (end - start) * size);
}

/** Number of blocks needed for `rows` rows. */
export function blockCount(rows: number): number {
  return Math.ceil(rows / BLOCK_SIZE);
}
