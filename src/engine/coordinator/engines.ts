/** The engines by name, as partition strategies are (partition/index.ts): a new engine is one line in `ENGINES`. */
import { InvalidArgumentError } from '../../errors.js';
import type { Engine } from './engine.js';
import { asyncEngine } from './async-engine.js';
import { sspEngine } from './ssp-engine.js';
import { syncEngine } from './sync-engine.js';

const ENGINES: readonly Engine[] = [syncEngine, sspEngine, asyncEngine];

export const ENGINE_NAMES = ENGINES.map((engine) => engine.name);

export function engineByName(name: string): Engine {
  const engine = ENGINES.find((candidate) => candidate.name === name);
  if (!engine) throw new InvalidArgumentError(`run: the engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(name)}`, { option: 'engine' });
  return engine;
}
