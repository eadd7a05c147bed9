/**
 * gasworks — a graph-parallel Gather-Apply-Scatter engine. This module is the public library
 * API; the CLI and REST server are built on it.
 */
export * from './api/index.js';
export { GasError, ERROR_CODES, type ErrorCode } from './errors.js';
export { Catalog, GraphReader, resolveDataDir, FORMATS, type GraphFormat, type GraphRecord, type VertexLabel } from './storage/index.js';
export { STRATEGY_NAMES, strategyByName, type PartitionStrategy, type Partitioner } from './partition/index.js';
export { IMPORT_DEFAULTS, type ImportOptions } from './ingest/options.js';
export {
  defineProgram,
  defineAlgorithm,
  type VertexProgram,
  type AnyVertexProgram,
  type ProgramState,
  type ProgramContext,
  type Aggregator,
  type AlgorithmDefinition,
  type EdgeDirection,
  type NeighborSets,
} from './engine/index.js';
export { ALGORITHMS } from './algorithms/index.js';
export { startWorkerServer, type WorkerServer } from './cluster/index.js';
