/**
 * Packing per-vertex records into exchange messages, compiled per program: one straight-line
 * body per record for the program's own columns, so the copy loops stay monomorphic (a generic
 * loop over a list of columns of mixed types measured 2.8× (pack) and 6.7× (unpack) slower on cnr-2000 with two workers,
 * and dominated the step).
 *
 * Message layout (Float64Array): `[mode, records…]`. Mode 1 (dense) has one record per vertex
 * of the shared list, in list order, without positions — the steady state of always-active
 * programs. Mode 0 (sparse) has `[position, fields…]` records for the active vertices only.
 */
import type { TypedColumn } from '../../storage/columns.js';

export interface Field {
  readonly width: number;
}

export interface RecordCodec {
  /**
   * Records of `list`'s vertices with `active[v] === 1` (all of them when `active` is null), or
   * null if none; in storage from `allocate` (see message-slots.ts) or a new array.
   */
  pack(
    list: Uint32Array,
    active: Uint8Array | null,
    columns: readonly TypedColumn[],
    allocate?: ((length: number) => Float64Array) | null,
  ): Float64Array | null;
  /** Writes each record's fields into the columns of vertex `list[position]`. */
  assign(list: Uint32Array, message: Float64Array, columns: readonly TypedColumn[]): void;
  /** Combines each record's fields into the columns with `sum` (scalars) or element-wise addition (vectors). */
  combine(list: Uint32Array, message: Float64Array, columns: readonly TypedColumn[], sum: (a: number, b: number) => number): void;
}

export function compileCodec(fields: readonly Field[]): RecordCodec {
  const width = fields.reduce((total, field) => total + field.width, 0);
  const columns = fields.map((_, c) => `c${c}`).join(', ');
  const write = fields
    .map((field, c) =>
      field.width === 1 ? `out[at++] = c${c}[v];` : `for (let k = 0, base = v * ${field.width}; k < ${field.width}; k++) out[at++] = c${c}[base + k];`,
    )
    .join('\n');
  const assign = fields
    .map((field, c) =>
      field.width === 1 ? `c${c}[v] = m[at++];` : `for (let k = 0, base = v * ${field.width}; k < ${field.width}; k++) c${c}[base + k] = m[at++];`,
    )
    .join('\n');
  const combine = fields
    .map((field, c) =>
      field.width === 1
        ? `c${c}[v] = sum(c${c}[v], m[at++]);`
        : `for (let k = 0, base = v * ${field.width}; k < ${field.width}; k++) c${c}[base + k] += m[at++];`,
    )
    .join('\n');
  const reader = (body: string): string => `
    const [${columns}] = cols;
    if (m[0] === 1) {
      for (let i = 0, at = 1; i < list.length; i++) { const v = list[i]; ${body} }
    } else {
      for (let at = 1; at < m.length;) { const v = list[m[at++]]; ${body} }
    }`;
  const source = `
    return {
      pack(list, active, cols, allocate) {
        const [${columns}] = cols;
        let count = list.length;
        if (active !== null) { count = 0; for (let i = 0; i < list.length; i++) count += active[list[i]]; }
        if (count === 0) return null;
        const dense = count === list.length;
        const size = 1 + count * (${width} + (dense ? 0 : 1));
        const out = allocate ? allocate(size) : new Float64Array(size);
        out[0] = dense ? 1 : 0;
        let at = 1;
        for (let i = 0; i < list.length; i++) {
          const v = list[i];
          if (!dense) { if (active[v] === 0) continue; out[at++] = i; }
          ${write}
        }
        return out;
      },
      assign(list, m, cols) { ${reader(assign)} },
      combine(list, m, cols, sum) { ${reader(combine)} },
    };`;
  return new Function(source)() as RecordCodec;
}

/** Records in a message packed by a codec whose records have `width` fields (dense or sparse layout). */
export function recordCount(message: Float64Array, width: number): number {
  return message.length === 0 ? 0 : Math.round((message.length - 1) / (message[0] === 1 ? width : width + 1));
}
