/** What every route plugin is given: the open catalog, the uploads folder, and the job service. */
import type { Catalog, GraphRecord, JobService } from '../index.js';

export interface ServerContext {
  readonly catalog: Catalog;
  /** Real path of `<dataDir>/uploads`. */
  readonly uploads: string;
  readonly jobs: JobService;
}

/**
 * `text` with the server's own directories cut out (`<data dir>/uploads/g.txt` → `g.txt`): job
 * records and events carry the paths an import or ALS's test option resolved, and the messages
 * of errors that name a file; clients never learn where the data directory lives.
 */
export function withoutServerPaths(text: string, context: Pick<ServerContext, 'catalog' | 'uploads'>): string {
  let shown = text;
  for (const dir of [context.uploads, context.catalog.dataDir]) if (shown.includes(`${dir}/`)) shown = shown.split(`${dir}/`).join('');
  return shown;
}

/**
 * A graph record as clients see it: `sourceFile` relative to the uploads folder (or its base
 * name), never where the server keeps its data directory.
 */
export function publicGraph<G extends GraphRecord>(graph: G, uploads: string): G {
  const source = graph.sourceFile.startsWith(`${uploads}/`) ? graph.sourceFile.slice(uploads.length + 1) : (graph.sourceFile.split(/[\\/]/).at(-1) ?? '');
  return { ...graph, sourceFile: source.startsWith('.incoming/') ? 'upload' : source };
}
