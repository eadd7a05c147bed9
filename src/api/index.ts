/** The library API: what the CLI, the REST server and user scripts call. */
export * from './graphs.js';
export { exportGraph, EXPORT_FORMATS, type ExportFormat } from './export-graph.js';
export { summarizeDegrees, type DegreeSummary } from './degree-summary.js';
export { runJob, type RunOptions, type JobSummary, type StopReason } from './run.js';
export { jobResults, type ResultQuery, type ResultRow, type JobResults } from './results.js';
export { openGraph, run, type OpenGraph, type JobResult } from './library.js';
export { partitionReport, type PartitionReportOptions, type PartitionReportRow } from './partition-report.js';
export {
  recommend,
  openRecommender,
  Recommender,
  RECOMMEND_DEFAULTS,
  type RecommendQuery,
  type RecommenderOptions,
  type Recommendation,
  type RatingScale,
} from './recommend.js';
export { labelHint, vertexNotFound } from './label-hint.js';
export { topicWords, type Topic } from './topics.js';
export { JobService, type JobServiceOptions, type JobFilter } from './job-service.js';
export { isTerminal, TERMINAL_STATES, progressOf, type JobEvent, type JobEventBody, type JobProgress, type JobState } from './job-events.js';
export { admitJob, type AdmittedJob } from './run.js';
export { estimateJob, memoryLimits, type JobEstimate, type WorkerEstimate, type MemoryBreakdown, type MemoryLimits } from './estimate.js';
