/**
 * A job's result rows as a byte stream in the formats of `gasworks results` (the same columns:
 * `vertex` and `value`, or one named column per component), pulled from the rows' generator
 * only as fast as the client reads: `Readable.from` asks for the next chunk when the socket
 * has drained, so a result of any size is served in constant memory. Rows are batched into
 * chunks of ~64 KB.
 *
 * `arrow` is an Arrow IPC stream (the format `pyarrow.ipc.open_stream`, `apache-arrow`'s
 * `tableFromIPC` and DuckDB read): a schema — `vertex` as Utf8 (labels may be strings), one
 * Float64 column per component — then one record batch per 64 Ki rows, then the end-of-stream
 * marker. Each batch is serialised on its own (apache-arrow writes schema, batch and marker; the
 * batch's message is cut out and the schema sent once), so memory stays one batch whatever the
 * result's size.
 */
import { Readable } from 'node:stream';
import { makeData, makeVector, Table, tableToIPC, Utf8 } from 'apache-arrow';
import type { ResultRow } from '../index.js';

export const RESULT_FORMATS = ['json', 'ndjson', 'csv', 'arrow'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ResultFormat, string>> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
};

/** Rows per Arrow record batch. */
const ARROW_BATCH = 1 << 16;

/** Arrow IPC's end-of-stream marker: a continuation token and a zero length. */
const ARROW_END = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

const CHUNK = 1 << 16;

export function resultStream(rows: Iterable<ResultRow>, components: readonly string[], format: ResultFormat): Readable {
  return Readable.from(format === 'arrow' ? arrowChunks(rows, components) : chunks(rows, components, format), { objectMode: false });
}

/** The Arrow IPC stream of the rows, a record batch at a time (see the header). */
function* arrowChunks(rows: Iterable<ResultRow>, components: readonly string[]): Generator<Uint8Array> {
  // One batch's buffers, filled again for each batch: a batch is serialised (copied) before the next is filled.
  const labels = new Utf8Column();
  const columns = components.map(() => new Float64Array(ARROW_BATCH));
  let schemaSent = false;
  const flush = function* (): Generator<Uint8Array> {
    const table = new Table({
      vertex: labels.vector(),
      ...Object.fromEntries(components.map((name, k) => [name, makeVector(columns[k]!.subarray(0, labels.length))])),
    });
    const stream = tableToIPC(table, 'stream');
    // The stream is [schema message][record batch message][end marker]; the schema message is its
    // 8-byte prefix (continuation token, metadata length) and that many bytes of metadata.
    const schemaEnd = 8 + new DataView(stream.buffer, stream.byteOffset).getInt32(4, true);
    if (!schemaSent) yield stream.subarray(0, schemaEnd);
    schemaSent = true;
    if (labels.length > 0) yield stream.subarray(schemaEnd, stream.length - ARROW_END.length);
    labels.clear();
  };
  for (const row of rows) {
    const at = labels.length;
    labels.push(row.vertex);
    if (Array.isArray(row.value)) for (let k = 0; k < components.length; k++) columns[k]![at] = row.value[k] ?? NaN;
    else columns[0]![at] = row.value;
    if (labels.length === ARROW_BATCH) yield* flush();
  }
  if (labels.length > 0 || !schemaSent) yield* flush();
  yield ARROW_END;
}

/**
 * A batch's labels as Arrow's Utf8 layout — offsets into one byte buffer — encoded as they come
 * (apache-arrow's vectorFromArray over a string array was two thirds of an Arrow stream's time).
 */
class Utf8Column {
  private bytes = new Uint8Array(ARROW_BATCH * 8);
  private readonly offsets = new Int32Array(ARROW_BATCH + 1);
  private readonly encoder = new TextEncoder();
  length = 0;

  push(label: string | number): void {
    const text = typeof label === 'number' ? String(label) : label;
    let end = this.offsets[this.length]!;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (end + text.length * 3 > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, end + text.length * 3));
      grown.set(this.bytes.subarray(0, end));
      this.bytes = grown;
    }
    end += this.encoder.encodeInto(text, this.bytes.subarray(end)).written;
    this.offsets[++this.length] = end;
  }

  /** The labels pushed since `clear`, as a vector over this column's buffers (valid until the next push). */
  vector(): ReturnType<typeof makeVector> {
    const end = this.offsets[this.length]!;
    return makeVector(
      makeData({
        type: new Utf8(),
        length: this.length,
        nullCount: 0,
        valueOffsets: this.offsets.subarray(0, this.length + 1),
        data: this.bytes.subarray(0, end),
      }),
    );
  }

  clear(): void {
    this.length = 0;
  }
}

function* chunks(rows: Iterable<ResultRow>, components: readonly string[], format: ResultFormat): Generator<string> {
  let buffered = '';
  const toJson = jsonRow(components);
  if (format === 'csv') buffered = `${['vertex', ...components].map(csvLabel).join(',')}\n`;
  if (format === 'json') buffered = '[';
  let first = true;
  for (const row of rows) {
    if (format === 'csv') buffered += `${csvLabel(row.vertex)},${Array.isArray(row.value) ? row.value.join(',') : row.value}\n`;
    else if (format === 'ndjson') buffered += `${toJson(row)}\n`;
    else buffered += `${first ? '' : ','}\n${toJson(row)}`;
    first = false;
    if (buffered.length >= CHUNK) {
      yield buffered;
      buffered = '';
    }
  }
  if (format === 'json') buffered += '\n]\n';
  if (buffered) yield buffered;
}

/** A row as one JSON object keyed like the CSV header: `{vertex, value}` or `{vertex, factor_0, …, bias}`. */
function jsonRow(components: readonly string[]): (row: ResultRow) => string {
  const keys = components.map((name) => `,${JSON.stringify(name)}:`);
  return (row) => {
    const values = Array.isArray(row.value) ? row.value : [row.value];
    let text = `{"vertex":${JSON.stringify(row.vertex)}`;
    for (let j = 0; j < keys.length; j++) text += keys[j]! + (Number.isFinite(values[j]!) ? String(values[j]) : 'null');
    return `${text}}`;
  };
}

function csvLabel(label: string | number): string {
  if (typeof label === 'number') return String(label);
  return /[",\n\r]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label;
}

/** Rows `offset` … `offset + limit − 1` of `rows` (all the rest without a limit), pulled lazily. */
export function* page<T>(rows: Iterable<T>, offset: number, limit: number | undefined): Generator<T> {
  let index = 0;
  let emitted = 0;
  for (const row of rows) {
    if (index++ < offset) continue;
    if (limit !== undefined && emitted >= limit) return;
    emitted++;
    yield row;
  }
}
