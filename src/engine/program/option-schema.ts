/**
 * An algorithm's options, declared once: each option's default (which fixes its type), range or
 * allowed values, whether it is required, a one-line description, and the names users bring
 * from Neo4j GDS, NetworkX and Spark (`dampingFactor`, `maxIter`, `tol`, …). Validation, the
 * CLI's `run <algorithm> --help` and (later) REST schemas are all derived from this declaration.
 */
import { InvalidArgumentError } from '../../errors.js';
import { suggest } from '../../util/did-you-mean.js';

export type OptionValue = number | boolean | string | readonly string[];

export interface OptionSpec<T extends OptionValue = OptionValue> {
  readonly default: T;
  /** One line: what the option does (units, what 0 or empty means). */
  readonly description: string;
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
  /** Allowed values of a string option. */
  readonly oneOf?: readonly string[];
  /** The option must be given (a non-empty string, or a list with at least one entry). */
  readonly required?: boolean;
  /** Other systems' names for this option, accepted as synonyms (camelCase). */
  readonly aliases?: readonly string[];
}

export type OptionSchema = Readonly<Record<string, OptionSpec>>;

type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : readonly string[];

/** The resolved options of a schema: one value per option, of its default's type. */
export type DefaultsOf<S extends OptionSchema> = { readonly [K in keyof S]: Widen<S[K]['default']> };

export function defaultsOf<S extends OptionSchema>(schema: S): DefaultsOf<S> {
  return Object.fromEntries(Object.entries(schema).map(([name, spec]) => [name, spec.default])) as DefaultsOf<S>;
}

/** A schema for a definition that only has defaults (programs written before schemas): no ranges, no descriptions. */
export function schemaFromDefaults(defaults: Readonly<Record<string, OptionValue>>): OptionSchema {
  return Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, { default: value, description: '' }]));
}

/** The option a user's name stands for: the name itself, an alias, or the same name in snake_case or kebab-case. */
export interface ResolvedName {
  readonly name: string;
  /** The name as given, when it was an alias (for "dampingFactor is damping in gasworks"). */
  readonly alias: string | null;
}

export function resolveOptionName(algorithm: string, schema: OptionSchema, given: string): ResolvedName {
  const camel = given.replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  if (camel in schema) return { name: camel, alias: null };
  for (const [name, spec] of Object.entries(schema)) {
    if (name.toLowerCase() === camel.toLowerCase()) return { name, alias: given };
    if (spec.aliases?.some((alias) => alias.toLowerCase() === camel.toLowerCase())) return { name, alias: given };
  }
  const names = Object.keys(schema);
  const suggestion = suggest(camel, [...names, ...names.flatMap((name) => schema[name]!.aliases ?? [])]);
  const canonical = suggestion === null ? null : (names.find((name) => name === suggestion || schema[name]!.aliases?.includes(suggestion)) ?? null);
  const hint = canonical ? ` (did you mean --${kebabCase(canonical)}?)` : '';
  const known = names.length ? `; ${algorithm}'s options: ${names.map((name) => `--${kebabCase(name)}`).join(', ')}` : `; ${algorithm} takes no options`;
  throw new InvalidArgumentError(`${algorithm}: unknown option --${kebabCase(camel)}${hint}${known}`, {
    option: given,
    ...(canonical ? { suggestion: canonical } : {}),
  });
}

/** Checks a value against its declaration's range, allowed values and requiredness; throws naming the option. */
export function checkOptionValue(algorithm: string, name: string, spec: OptionSpec, value: OptionValue): void {
  if (spec.required && (value === '' || (Array.isArray(value) && value.length === 0))) {
    throw new InvalidArgumentError(`${algorithm}: --${kebabCase(name)} is required (${spec.description})`, { option: name });
  }
  if (typeof value === 'number') {
    const { min, max, minExclusive, maxExclusive, integer } = spec;
    const ok =
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      (min === undefined || (minExclusive ? value > min : value >= min)) &&
      (max === undefined || (maxExclusive ? value < max : value <= max));
    if (!ok) fail(algorithm, name, `${integer ? 'an integer' : 'a number'}${rangeText(spec)}`, value);
  }
  if (typeof value === 'string' && spec.oneOf && !spec.oneOf.includes(value)) fail(algorithm, name, `one of ${spec.oneOf.join(', ')}`, value);
}

function fail(algorithm: string, name: string, expectation: string, value: unknown): never {
  throw new InvalidArgumentError(`${algorithm}: ${name} must be ${expectation}, got ${JSON.stringify(value)}`, { option: name });
}

/** ` ≥ 0 and < 1`, or '' without bounds. */
export function rangeText(spec: Pick<OptionSpec, 'min' | 'max' | 'minExclusive' | 'maxExclusive'>): string {
  const bounds = [
    spec.min === undefined ? '' : `${spec.minExclusive ? '>' : '≥'} ${spec.min}`,
    spec.max === undefined ? '' : `${spec.maxExclusive ? '<' : '≤'} ${spec.max}`,
  ].filter(Boolean);
  return bounds.length ? ` ${bounds.join(' and ')}` : '';
}

/** The option's type as help shows it: `integer ≥ 1`, `number > 0 and < 1`, `auto|exact|mh`, `boolean`, `list`, `string`. */
export function typeText(spec: OptionSpec): string {
  const value = spec.default;
  if (typeof value === 'number') return `${spec.integer ? 'integer' : 'number'}${rangeText(spec)}`;
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'comma-separated list';
  return spec.oneOf ? spec.oneOf.join('|') : 'string';
}

/** The default as help shows it. */
export function defaultText(spec: OptionSpec): string {
  if (spec.required) return '(required)';
  const value = spec.default;
  if (Array.isArray(value)) return value.length ? value.join(',') : '(none)';
  if (value === '') return '(none)';
  if (typeof value === 'number' && value >= 2 ** 31 - 1) return 'unlimited';
  return String(value);
}

export function kebabCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
