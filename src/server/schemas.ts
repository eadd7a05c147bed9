/**
 * TypeBox schemas shared by the routes: the error body every failure answers with, and the
 * import options as the library spells them (`ImportOptions`, ingest/options.ts) — one schema
 * for the JSON body of `POST /graphs` and for the fields of its multipart form. Bodies and query
 * strings refuse unknown fields (`additionalProperties: false`): a typo is a 400, not ignored.
 */
import { Type, type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { InvalidArgumentError } from '../errors.js';
import { FORMATS } from '../index.js';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'A stable code from ERROR_CODES (GAS_ERR_NOT_FOUND, …)' }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'Error', description: 'Every failure: a stable code and a message naming what was wrong' },
);

/** `{ 400: Error, 404: Error, … }` for a route's `response` schema. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Error')]));
}

/** Any JSON object (records the library owns: graphs, jobs, summaries), documented, not restricted. */
export const AnyObject = Type.Object({}, { additionalProperties: true });

export const GraphName = Type.String({ minLength: 1, maxLength: 128, description: 'A graph name (or id)' });

export const ImportFields = {
  name: Type.String({ minLength: 1, maxLength: 128, description: 'Catalog name of the new graph' }),
  format: Type.Optional(Type.Union(FORMATS.map((format) => Type.Literal(format)))),
  vocab: Type.Optional(Type.String({ maxLength: 1024, description: "uci / lda-c: the vocabulary file, inside the server's uploads/ folder" })),
  undirected: Type.Optional(Type.Boolean()),
  weighted: Type.Optional(Type.Boolean()),
  dedupe: Type.Optional(Type.Boolean()),
  dropSelfLoops: Type.Optional(Type.Boolean()),
  header: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('auto')])),
  maxLabelBytes: Type.Optional(Type.Integer({ minimum: 1 })),
  replace: Type.Optional(Type.Boolean()),
  force: Type.Optional(Type.Boolean({ description: "With replace: delete the old graph's finished jobs' results (refused without it when there are any)" })),
  partitions: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
  strategy: Type.Optional(Type.String({ maxLength: 64 })),
  seed: Type.Optional(Type.Integer({ minimum: 0 })),
  threshold: Type.Optional(Type.Integer({ minimum: 0 })),
  lambda: Type.Optional(Type.Number({ minimum: 0 })),
  for: Type.Optional(Type.String({ maxLength: 64, description: 'With strategy auto: the algorithm the partitioning is for (a registered name)' })),
};

/** The JSON body of `POST /graphs`: `file` names a file inside the server's uploads/ folder. */
export const ImportBody = Type.Object(
  { ...ImportFields, file: Type.String({ minLength: 1, maxLength: 1024, description: "A file inside the server's uploads/ folder (relative)" }) },
  { additionalProperties: false },
);
export type ImportBodyType = Static<typeof ImportBody>;

/** The fields of a multipart import (every value arrives as text and is converted). */
export const ImportForm = Type.Object(ImportFields, { additionalProperties: false });
export type ImportFormType = Static<typeof ImportForm>;

/** Text fields converted to the schema's types and checked; the first problem is a 400 naming the field. */
export function checkForm<S extends TSchema>(schema: S, fields: Record<string, string>): Static<S> {
  const value = Value.Convert(schema, fields);
  if (Value.Check(schema, value)) return value as Static<S>;
  const first = [...Value.Errors(schema, value)].find((error) => error.keyword !== 'boolean') ?? [...Value.Errors(schema, value)][0];
  const where = first?.instancePath ? first.instancePath.slice(1) : '';
  const extra = (first?.params as { additionalProperties?: string[] } | undefined)?.additionalProperties;
  const message = extra ? `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}` : `${where || 'form'} ${first?.message ?? 'is invalid'}`;
  throw new InvalidArgumentError(`import: ${message}`, { option: where || extra?.[0] });
}
