/**
 * How an algorithm is packaged: a name, an option schema (defaults, ranges, descriptions,
 * aliases: option-schema.ts), cross-option validation, an optional `prepare` step that resolves
 * user labels (sources, seeds) to vertex ids, and `create`, which returns the vertex program. The
 * CLI's parsing and help (and the REST API's schemas) are derived from the schema, so an
 * algorithm is one file and one registry line.
 */
import { InvalidArgumentError } from '../../errors.js';
import {
  checkOptionValue,
  defaultsOf,
  kebabCase,
  rangeText,
  resolveOptionName,
  schemaFromDefaults,
  type DefaultsOf,
  type OptionSchema,
  type OptionValue,
} from './option-schema.js';
import type { AnyVertexProgram, EdgeDirection } from './program.js';
import type { StepReport } from '../coordinator/sync-engine.js';

export type { OptionValue } from './option-schema.js';
export type AlgorithmOptions<D> = { readonly [K in keyof D]: D[K] };

/** What `prepare` may ask about the graph a job runs on, and the engine that will run it. */
export interface GraphHandle {
  /** The engine the job runs on (`sync`, `ssp`, `async`): an algorithm may create another program for it. */
  readonly engine: string;
  readonly numVertices: number;
  readonly directed: boolean;
  readonly weighted: boolean;
  readonly numEdges: number;
  /** Σ of edge weights (the edge count on unweighted graphs): e.g. ALS's global mean rating. */
  readonly totalWeight: number;
  /** The id of the vertex with this label, or throws GAS_ERR_NOT_FOUND naming it. */
  idOf(label: string, option: string): number;
  /** The id of the vertex with this label, or −1 (e.g. held-out ratings of users the graph lacks). */
  lookup(label: string): number;
}

/** What `presentResult` knows of a finished job: the graph's degrees, and the job's options and summary. */
export interface StoredJob {
  readonly outDegree: Uint32Array;
  readonly inDegree: Uint32Array;
  readonly options: Readonly<Record<string, unknown>>;
  readonly summary: Readonly<Record<string, unknown>>;
}

/** A coordinator-side evaluation after a step: its figures, and the algorithm iteration it follows. */
export interface Evaluation {
  readonly iteration: number;
  readonly figures: Readonly<Record<string, number>>;
}

/** What `summarize` sees of a finished run. */
export interface RunRecord {
  readonly steps: readonly StepReport[];
  readonly evaluations: readonly Evaluation[];
  readonly computeMs: number;
  readonly workers: number;
  /** The run's final aggregates (scalars): the last step's, or an asynchronous run's over its final state. */
  readonly aggregates: Readonly<Record<string, number>>;
}

export interface OptionChecker {
  number(name: string, value: number, range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean }): void;
  oneOf(name: string, value: string, allowed: readonly string[]): void;
  /** The option must be given (a non-empty string, or a list with at least one entry). */
  required(name: string, value: string | readonly string[]): void;
}

export interface AlgorithmDefinition<D extends Record<string, OptionValue> = Record<string, OptionValue>, P = AlgorithmOptions<D>> {
  readonly name: string;
  readonly description: string;
  readonly defaults: D;
  /** Each option's declaration (range, allowed values, description, aliases); without one, the defaults fix only the types. */
  readonly schema?: OptionSchema;
  /** Checks the schema cannot express (relations between options). */
  validate?(options: AlgorithmOptions<D>, check: OptionChecker): void;
  /** Turns validated options into what `create` needs (e.g. source labels → ids). */
  prepare?(options: AlgorithmOptions<D>, graph: GraphHandle): P | Promise<P>;
  create(prepared: P): AnyVertexProgram;
  /** The engine a job runs on when none is asked for (default `sync`; coloring: `async`). */
  readonly defaultEngine?: string;
  /**
   * The edges its program gathers on (default 'all'), known before any graph is loaded: what
   * `--strategy auto --for NAME` weighs when it estimates what a partitioning costs this program
   * (a vertex whose gather edges sit in one partition needs no partial-sum messages).
   */
  readonly gathers?: EdgeDirection;
  /**
   * The algorithm runs `maxIterations` iterations by design, with no convergence test (ALS,
   * LDA): its summary says how many it ran, not that it failed to converge.
   */
  readonly fixedIterations?: boolean;
  /**
   * Engine steps per algorithm iteration (default 1): ALS updates users, then items, so its
   * `maxIterations` counts pairs of steps. The job's `iterations` counts algorithm iterations.
   */
  readonly stepsPerIteration?: number;
  /**
   * Evaluation on the coordinator after every `every` steps: the result column is collected from
   * the workers (by global id) and passed to `evaluate`, whose figures are recorded per
   * iteration (ALS: held-out RMSE). Costs one transfer of the result column per evaluation.
   */
  readonly evaluation?: {
    readonly every: number;
    evaluate(prepared: P, result: Float64Array, step: StepReport): Record<string, number>;
  };
  /** Extra fields of the job summary, from the run's steps and evaluations (ALS: trainRmse, testRmse). */
  summarize?(prepared: P, run: RunRecord): Record<string, unknown>;
  /**
   * How `results` shows the stored result column, when the column holds sufficient statistics
   * rather than what users ask for (LDA stores topic counts, shows topic mixtures). Gets the
   * column in global-id order, and returns the shown column under its name; `results --raw`
   * skips it.
   */
  presentResult?(stored: Float64Array, width: number, job: StoredJob): { readonly column: string; readonly values: Float64Array };
  /**
   * Names of a vector result's components, in order (ALS: `factor_0 … factor_{k−1}, bias`; LDA:
   * `topic_0 …`), for `results` headers and `--top --by NAME`. Default: `<column>_0 …`.
   */
  resultComponents?(width: number): readonly string[];
  /** How to rank vertices for a top-K summary: by the result descending (default), ascending, or not at all. */
  readonly topOrder?: 'desc' | 'asc' | 'none';
}

/** What an algorithm file declares: its options as a schema, from which `defaults` is derived. */
export type AlgorithmSpec<S extends OptionSchema, P> = Omit<AlgorithmDefinition<DefaultsOf<S>, P>, 'defaults' | 'schema'> & { readonly options: S };

/**
 * Packages an algorithm. Declare its options as a schema (`options: { damping: { default: 0.85,
 * min: 0, … } }`); a definition with bare `defaults` (no ranges or descriptions) is accepted as is.
 */
export function defineAlgorithm<S extends OptionSchema, P = AlgorithmOptions<DefaultsOf<S>>>(spec: AlgorithmSpec<S, P>): AlgorithmDefinition<DefaultsOf<S>, P>;
export function defineAlgorithm<D extends Record<string, OptionValue>, P = AlgorithmOptions<D>>(
  definition: AlgorithmDefinition<D, P>,
): AlgorithmDefinition<D, P>;
export function defineAlgorithm(
  spec: AlgorithmSpec<OptionSchema, unknown> | AlgorithmDefinition<Record<string, OptionValue>, unknown>,
): AlgorithmDefinition<Record<string, OptionValue>, unknown> {
  if (!('options' in spec)) return spec;
  const { options, ...rest } = spec;
  return { ...rest, defaults: defaultsOf(options), schema: options } as AlgorithmDefinition<Record<string, OptionValue>, unknown>;
}

/** The definition's schema, or one derived from its defaults. */
export function optionSchemaOf(definition: AlgorithmDefinition<Record<string, OptionValue>, unknown>): OptionSchema {
  return definition.schema ?? schemaFromDefaults(definition.defaults);
}

export function optionChecker(algorithm: string): OptionChecker {
  const fail = (name: string, expectation: string, value: unknown): never => {
    throw new InvalidArgumentError(`${algorithm}: ${name} must be ${expectation}, got ${JSON.stringify(value)}`, { option: name });
  };
  // The same checks as a schema's declarations (option-schema.ts), for what a schema cannot say.
  return {
    number(name, value, range) {
      if (typeof value !== 'number') fail(name, `${range.integer ? 'an integer' : 'a number'}${rangeText(range)}`, value);
      checkOptionValue(algorithm, name, { default: value, description: '', ...range }, value);
    },
    oneOf(name, value, allowed) {
      checkOptionValue(algorithm, name, { default: value, description: '', oneOf: allowed }, value);
    },
    required(name, value) {
      if (value === '' || (Array.isArray(value) && value.length === 0)) {
        throw new InvalidArgumentError(`${algorithm}: --${kebabCase(name)} is required`, { option: name });
      }
    },
  };
}

/**
 * Merges user options over the defaults and validates them: names may be aliases or snake_case
 * (`maxIter`, `max_iter` → `maxIterations`); unknown names (with a did-you-mean), values of the
 * wrong type or out of range are rejected naming the option; `maxIterations` is always checked.
 */
export function resolveAlgorithmOptions<D extends Record<string, OptionValue>>(
  definition: AlgorithmDefinition<D, unknown>,
  given: Readonly<Record<string, unknown>>,
): AlgorithmOptions<D> {
  const schema = optionSchemaOf(definition as AlgorithmDefinition<Record<string, OptionValue>, unknown>);
  const resolved: Record<string, OptionValue> = { ...definition.defaults };
  const seen = new Map<string, string>();
  for (const [givenName, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const { name } = resolveOptionName(definition.name, schema, givenName);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new InvalidArgumentError(`${definition.name}: ${earlier} and ${givenName} are the same option (${name}); give it once`, { option: name });
    }
    seen.set(name, givenName);
    resolved[name] = coerce(definition.name, name, definition.defaults[name]!, value);
  }
  for (const [name, spec] of Object.entries(schema)) checkOptionValue(definition.name, name, spec, resolved[name]!);
  const check = optionChecker(definition.name);
  if ('maxIterations' in resolved) check.number('maxIterations', resolved.maxIterations as number, { min: 1, integer: true });
  definition.validate?.(resolved as AlgorithmOptions<D>, check);
  return resolved as AlgorithmOptions<D>;
}

/** Converts a CLI string (or a JSON value) to the type of the option's default. */
function coerce(algorithm: string, name: string, example: OptionValue, value: unknown): OptionValue {
  const bad = (expected: string): never => {
    throw new InvalidArgumentError(`${algorithm}: ${name} must be ${expected}, got ${JSON.stringify(value)}`, { option: name });
  };
  if (typeof example === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(n) ? n : bad('a number');
  }
  if (typeof example === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1' || value === '') return true;
    if (value === 'false' || value === '0') return false;
    return bad('true or false');
  }
  if (Array.isArray(example)) {
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === 'number') return [String(value)];
    if (typeof value === 'string')
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    return bad('a comma-separated list');
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value : bad('a string');
}
