/**
 * Users' own vertex programs: a TypeScript (or JavaScript) file whose default export is a vertex
 * program, or an algorithm definition. It is compiled on the fly by tsx, so there is no build
 * step for the user.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { AlgorithmDefinition, AnyVertexProgram } from '../index.js';
import { GasError, NotFoundError } from '../../errors.js';

export function looksLikeProgramFile(spec: string): boolean {
  return /\.(m|c)?(t|j)sx?$/.test(spec) || spec.startsWith('.') || spec.includes('/');
}

/** Loads the file and returns its default export as an algorithm definition. */
export async function loadProgramFile(spec: string): Promise<AlgorithmDefinition> {
  const path = resolve(spec);
  if (!existsSync(path)) throw new NotFoundError(`run: no such program file ${spec}`, { file: spec });
  let module: { default?: unknown };
  try {
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } catch (error) {
    throw new GasError('GAS_ERR_PROGRAM', `program ${spec}: failed to load: ${(error as Error).message}`, { file: spec });
  }
  const exported = (module.default as { default?: unknown } | undefined)?.default ?? module.default;
  const definition = asAlgorithm(exported);
  if (!definition)
    throw new GasError('GAS_ERR_PROGRAM', `program ${spec}: the default export must be a vertex program (with name, vertexColumns and apply)`, { file: spec });
  return definition;
}

/** An algorithm definition as is, a bare vertex program wrapped as one, anything else null. */
export function asAlgorithm(value: unknown): AlgorithmDefinition | null {
  if (isAlgorithm(value)) return value;
  if (isProgram(value)) return wrapProgram(value);
  return null;
}

function isAlgorithm(value: unknown): value is AlgorithmDefinition {
  return typeof value === 'object' && value !== null && typeof (value as AlgorithmDefinition).create === 'function' && 'defaults' in value;
}

function isProgram(value: unknown): value is AnyVertexProgram {
  const program = value as AnyVertexProgram;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof program.name === 'string' &&
    typeof program.apply === 'function' &&
    typeof program.vertexColumns === 'object'
  );
}

/** A bare program becomes an algorithm whose only option is maxIterations. */
function wrapProgram(program: AnyVertexProgram): AlgorithmDefinition {
  return {
    name: program.name,
    description: `user program ${program.name}`,
    defaults: { maxIterations: 100 },
    // A program right only asynchronously runs there unless told otherwise, as colouring does.
    ...(program.asynchronous === 'only' && { defaultEngine: 'async' }),
    create: () => program,
  };
}
