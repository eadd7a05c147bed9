/**
 * How an algorithm is packaged: a name, documented `defaults`, validation that names the
 * offending option, an optional `prepare` step that resolves user labels (sources, seeds) to
 * vertex ids, and `create`, which returns the vertex program. The CLI and REST API build their
 * option parsing from `defaults`, so an algorithm is one file and one registry line.
 */
import { InvalidArgumentError } from '../errors.js';
import type { AnyVertexProgram, EdgeDirection } from './program.js';
import type { StepReport } from './sync-engine.js';

export type OptionValue = number | boolean | string | readonly string[];
export type AlgorithmOptions<D> = { readonly [K in keyof D]: D[K] };

/** What `prepare` may ask about the graph a job runs on. */
export interface GraphHandle {
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
  validate?(options: AlgorithmOptions<D>, check: OptionChecker): void;
  /** Turns validated options into what `create` needs (e.g. source labels → ids). */
  prepare?(options: AlgorithmOptions<D>, graph: GraphHandle): P | Promise<P>;
  create(prepared: P): AnyVertexProgram;
  /**
   * The edges its program gathers on (default 'all'), known before any graph is loaded: what
   * `--strategy auto --for NAME` weighs when it estimates what a partitioning costs this program
   * (a vertex whose gather edges sit in one partition needs no partial-sum messages).
   */
  readonly gathers?: EdgeDirection;
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

export function defineAlgorithm<D extends Record<string, OptionValue>, P = AlgorithmOptions<D>>(
  definition: AlgorithmDefinition<D, P>,
): AlgorithmDefinition<D, P> {
  return definition;
}

export function optionChecker(algorithm: string): OptionChecker {
  const fail = (name: string, expectation: string, value: unknown): never => {
    throw new InvalidArgumentError(`${algorithm}: ${name} must be ${expectation}, got ${JSON.stringify(value)}`, { option: name });
  };
  return {
    number(name, value, range) {
      const { min, max, minExclusive, maxExclusive, integer } = range;
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!integer || Number.isInteger(value)) &&
        (min === undefined || (minExclusive ? value > min : value >= min)) &&
        (max === undefined || (maxExclusive ? value < max : value <= max));
      if (!ok) {
        const bounds = [min === undefined ? '' : `${minExclusive ? '>' : '≥'} ${min}`, max === undefined ? '' : `${maxExclusive ? '<' : '≤'} ${max}`]
          .filter(Boolean)
          .join(' and ');
        fail(name, `${integer ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''}`, value);
      }
    },
    oneOf(name, value, allowed) {
      if (!allowed.includes(value)) fail(name, `one of ${allowed.join(', ')}`, value);
    },
    required(name, value) {
      if (value === '' || (Array.isArray(value) && value.length === 0)) {
        throw new InvalidArgumentError(`${algorithm}: --${kebab(name)} is required`, { option: name });
      }
    },
  };
}

/**
 * Merges user options over the defaults and validates them: unknown names and values of the
 * wrong type are rejected naming the option; `maxIterations` is always checked.
 */
export function resolveAlgorithmOptions<D extends Record<string, OptionValue>>(
  definition: AlgorithmDefinition<D, unknown>,
  given: Readonly<Record<string, unknown>>,
): AlgorithmOptions<D> {
  const resolved: Record<string, OptionValue> = { ...definition.defaults };
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!(name in definition.defaults)) {
      throw new InvalidArgumentError(`${definition.name}: unknown option "${name}" (known: ${Object.keys(definition.defaults).join(', ')})`, { option: name });
    }
    resolved[name] = coerce(definition.name, name, definition.defaults[name]!, value);
  }
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

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
