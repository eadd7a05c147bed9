/** `--for NAME`: a registered algorithm as the target of `--strategy auto` and `partition-report`. */
import { ALGORITHMS, findAlgorithm } from '../algorithms/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { ProgramTarget } from '../partition/index.js';

/** A registered algorithm's gather direction, for `--strategy auto --for NAME`. */
export function programTarget(name: string | undefined): ProgramTarget | undefined {
  if (name === undefined) return undefined;
  const algorithm = findAlgorithm(name);
  if (!algorithm) {
    throw new InvalidArgumentError(`--for must be one of ${ALGORITHMS.map((a) => a.name).join(', ')}, got ${JSON.stringify(name)}`, { option: 'for' });
  }
  const gathers = algorithm.gathers ?? 'all';
  return { name, gathers: gathers === 'none' ? 'all' : gathers };
}
