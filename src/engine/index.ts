/** The engine's public surface: the vertex-program API, algorithm packaging, and the engines. */
export {
  defineProgram,
  type AnyVertexProgram,
  type VertexProgram,
  type ProgramState,
  type ProgramContext,
  type Aggregator,
  type ScalarAggregator,
  type VectorAggregator,
  type AggregateValues,
  type EdgeDirection,
  type ColumnDeclaration,
  type ColumnDeclarations,
} from './program.js';
export {
  defineAlgorithm,
  resolveAlgorithmOptions,
  optionChecker,
  type AlgorithmDefinition,
  type AlgorithmOptions,
  type GraphHandle,
  type Evaluation,
  type RunRecord,
  type StoredJob,
  type OptionChecker,
  type OptionValue,
  type AlgorithmSpec,
  optionSchemaOf,
} from './algorithm.js';
export {
  resolveOptionName,
  typeText,
  defaultText,
  kebabCase,
  type OptionSpec,
  type OptionSchema,
  type DefaultsOf,
  type ResolvedName,
} from './option-schema.js';
export { engineByName, ENGINE_NAMES } from './engines.js';
export type { Engine, EngineOptions, EngineOutcome, StepReport, StepTraffic } from './engine.js';
export { runSynchronous, syncEngine, type SyncOptions, type SyncResult } from './sync-engine.js';
export { runStaleSynchronous, sspEngine, checkSspProgram, type SspOptions, type SspResult } from './ssp-engine.js';
export { loadInProcessWorkers, resolveWorkerCount, type LoadedWorkers } from './load.js';
export type { WorkerEndpoint } from './endpoint.js';
export type { WorkerCalls, WorkerCall } from './worker-calls.js';
export type { NeighborSets } from './neighbor-sets.js';
export { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';
