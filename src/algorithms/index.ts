/** The algorithm registry: one line per algorithm; the CLI and REST API list and run what is here. */
import type { AlgorithmDefinition } from '../engine/index.js';
import pagerank from './pagerank.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ALGORITHMS: readonly AlgorithmDefinition<any, any>[] = [pagerank];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function findAlgorithm(name: string): AlgorithmDefinition<any, any> | undefined {
  return ALGORITHMS.find((algorithm) => algorithm.name === name);
}
