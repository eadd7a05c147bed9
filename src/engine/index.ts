/**
 * The engine's public surface: the vertex-program API, algorithm packaging, and the engines. The
 * folder shows its three sides: `program/` is what users write against (vertex programs,
 * algorithm definitions and their options, program files); `worker/` is what runs on a worker
 * (local graph, compiled loops, state, message codecs, the mesh, the node that answers the
 * coordinator); `coordinator/` drives workers (engines by name, endpoints, in-process loading).
 * `runtime.ts` is the one surface src/cluster uses.
 */
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
} from './program/program.js';
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
} from './program/algorithm.js';
export {
  resolveOptionName,
  typeText,
  defaultText,
  kebabCase,
  type OptionSpec,
  type OptionSchema,
  type DefaultsOf,
  type ResolvedName,
} from './program/option-schema.js';
export { engineByName, ENGINE_NAMES } from './coordinator/engines.js';
export { throwIfCancelled } from './coordinator/engine.js';
export type {
  Engine,
  EngineOptions,
  EngineOutcome,
  StepReport,
  StepTraffic,
  AsyncOutcome,
  AsyncSettings,
  AsyncWorkerFigures,
  CheckpointPolicy,
  ResumePoint,
} from './coordinator/engine.js';
export { SCHEDULER_NAMES, type SchedulerName } from './worker/schedulers.js';
export { CONSISTENCY_MODELS, isConsistency, type Consistency } from './worker/async-locks.js';
export { asyncEngine, asyncRefusal } from './coordinator/async-engine.js';
export { runSynchronous, syncEngine, type SyncOptions, type SyncResult } from './coordinator/sync-engine.js';
export { runStaleSynchronous, sspEngine, checkSspProgram, type SspOptions, type SspResult } from './coordinator/ssp-engine.js';
export { loadInProcessWorkers, resolveWorkerCount, type LoadedWorkers } from './coordinator/load.js';
export type { WorkerEndpoint } from './coordinator/endpoint.js';
export type { WorkerCalls, WorkerCall } from './worker/worker-calls.js';
export type { NeighborSets } from './worker/neighbor-sets.js';
export { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';
