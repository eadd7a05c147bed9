/**
 * A job's result rows as a byte stream in the formats of `gasworks results` (the same columns:
 * `vertex` and `value`, or one named column per component), pulled from the rows' generator
 * only as fast as the client reads: `Readable.from` asks for the next chunk when the socket
 * has drained, so a result of any size is served in constant memory. Rows are batched into
 * chunks of ~64 KB.
 */
import { Readable } from 'node:stream';
import type { ResultRow } from '../index.js';

export const RESULT_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ResultFormat, string>> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

const CHUNK = 1 << 16;

export function resultStream(rows: Iterable<ResultRow>, components: readonly string[], format: ResultFormat): Readable {
  return Readable.from(chunks(rows, components, format), { objectMode: false });
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
