/** Storage: the LMDB graph store, the SQLite catalog, the label dictionary and the file loaders. */
export { Catalog, SCHEMA_VERSION, type GraphRecord, type PartitionSize, type GraphStats, type NewGraph } from './catalog.js';
export { resolveDataDir, graphDir, graphStoreDir, newLayoutName, catalogPath } from './data-dir.js';
export { GraphReader, type GraphSource, type StoredPartition, type StoredRouting } from './graph-reader.js';
export { type GraphMeta, type PartitionMeta, GRAPH_COLUMNS, VERTEX_COLUMNS, EDGE_COLUMNS, partitionFile, graphFile } from './graph-store.js';
export { LabelDictionary, canonicalInteger, type VertexLabel, type FinalDictionary } from './dictionary.js';
export { EdgeChunks } from './growable.js';
export * from './columns.js';
export { FORMATS, type GraphFormat, openInput, detectFormat, loaderFor, USER_PREFIX, ITEM_PREFIX, DOCUMENT_PREFIX, WORD_PREFIX } from './loaders/index.js';
export { JobTable, type JobRecord, type JobStatus, type NewJob, type JobOutcome, type GraphFate, type StoredJobEvent } from './jobs.js';
export { writeResults, readResults, readResultMeta, resultBlocks, resultFile, type ResultMeta } from './results.js';
export { CheckpointTable, KEPT_CHECKPOINTS, checkpointDir, jobCheckpointsDir, type CheckpointRecord } from './checkpoints.js';
