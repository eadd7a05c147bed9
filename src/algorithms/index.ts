/** The algorithm registry: one line per algorithm; the CLI and REST API list and run what is here. */
import type { AlgorithmDefinition } from '../engine/index.js';
import pagerank from './pagerank.js';
import triangleCount from './triangle-count.js';
import personalizedPagerank from './personalized-pagerank.js';
import kCore from './k-core.js';
import connectedComponents from './connected-components.js';
import sssp from './sssp.js';
import labelPropagation from './label-propagation.js';
import als from './als.js';
import lda from './lda.js';
import coloring from './coloring.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ALGORITHMS: readonly AlgorithmDefinition<any, any>[] = [
  pagerank,
  triangleCount,
  personalizedPagerank,
  kCore,
  connectedComponents,
  sssp,
  labelPropagation,
  als,
  lda,
  coloring,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function findAlgorithm(name: string): AlgorithmDefinition<any, any> | undefined {
  return ALGORITHMS.find((algorithm) => algorithm.name === name);
}
