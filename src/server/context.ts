/** What every route plugin is given: the open catalog, the uploads folder, and the job service. */
import type { Catalog, GraphRecord, JobService } from '../index.js';

export interface ServerContext {
  readonly catalog: Catalog;
  /** Real path of `<dataDir>/uploads`. */
  readonly uploads: string;
  readonly jobs: JobService;
}

/**
 * A graph record as clients see it: `sourceFile` relative to the uploads folder (or its base
 * name), never where the server keeps its data directory.
 */
export function publicGraph<G extends GraphRecord>(graph: G, uploads: string): G {
  const source = graph.sourceFile.startsWith(`${uploads}/`) ? graph.sourceFile.slice(uploads.length + 1) : (graph.sourceFile.split(/[\\/]/).at(-1) ?? '');
  return { ...graph, sourceFile: source.startsWith('.incoming/') ? 'upload' : source };
}
