/**
 * How a worker outside the coordinator's thread gets the vertex program: functions cannot travel
 * between threads or machines, so the coordinator sends what the program is made from — a
 * registered algorithm's name, or a program file (its path for threads on this machine, its
 * source text for remote workers) — plus the options already validated and prepared (labels
 * resolved to ids), and every worker calls the same `create` on them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findAlgorithm } from '../algorithms/index.js';
import { loadProgramFile, type AnyVertexProgram } from '../engine/runtime.js';
import { GasError } from '../errors.js';

export type ProgramSpec =
  | { readonly kind: 'algorithm'; readonly name: string; readonly options: Record<string, unknown> }
  | { readonly kind: 'file'; readonly path: string; readonly source: string | null; readonly options: Record<string, unknown> };

/** A program file's spec carrying its source, for workers that cannot read the coordinator's disk. */
export function withSource(spec: ProgramSpec): ProgramSpec {
  return spec.kind === 'file' && spec.source === null ? { ...spec, source: readFileSync(resolve(spec.path), 'utf8') } : spec;
}

/**
 * Builds the program a spec describes. A shipped source is written under `scratchDir` (named by
 * its hash, so reruns reuse it) and loaded from there.
 */
export async function createProgram(spec: ProgramSpec, scratchDir: string | null): Promise<AnyVertexProgram> {
  if (spec.kind === 'algorithm') {
    const definition = findAlgorithm(spec.name);
    if (!definition) throw new GasError('GAS_ERR_NOT_FOUND', `worker: unknown algorithm "${spec.name}"`, { algorithm: spec.name });
    return definition.create(spec.options as never) as AnyVertexProgram;
  }
  let path = spec.path;
  if (spec.source !== null) {
    if (!scratchDir) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: a shipped program needs a data directory');
    const dir = join(scratchDir, 'programs');
    mkdirSync(dir, { recursive: true });
    const extension = /\.[cm]?[jt]sx?$/.exec(spec.path)?.[0] ?? '.ts';
    path = join(dir, `${createHash('sha256').update(spec.source).digest('hex').slice(0, 16)}${extension}`);
    writeFileSync(path, spec.source);
  }
  const definition = await loadProgramFile(path);
  return definition.create(spec.options as never) as AnyVertexProgram;
}
