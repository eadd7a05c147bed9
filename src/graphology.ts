/**
 * `gasworks/graphology`: run gasworks algorithms and programs on graphology graphs in memory,
 * writing results back as node attributes; and stored graphs back out as graphology graphs.
 */
export { runOnGraph, toGraphology, type GraphologyRunOptions, type GraphologyRunSummary, type AnyGraphology, type PartitionChoice } from './api/graphology.js';
