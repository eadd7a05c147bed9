/**
 * The top K rows of finished jobs, kept for the clients that ask again: a succeeded job's result
 * never changes, and ranking it again costs a pass over every vertex (and a sort of them all for
 * K > 64) on each request — 37 ms per `?top=100` on 131 k vertices, which 50 polling clients
 * turned into seconds of queueing. An entry is served only while the job's row still says
 * `succeeded` on a graph that is still there (a drop or `--replace` takes its results away);
 * the least recently used entry goes past `capacity`.
 */
import type { ResultRow } from '../index.js';
import type { JobRecord } from '../storage/index.js';

export interface CachedTop {
  readonly column: string;
  readonly width: number;
  readonly components: readonly string[];
  readonly rows: readonly ResultRow[];
}

/** Tops longer than this are not kept (they are streamed like any result). */
export const CACHED_TOP_LIMIT = 10_000;

export class TopCache {
  private readonly entries = new Map<string, CachedTop>();

  constructor(private readonly capacity = 64) {}

  /** The key of a query on `job`, or null when the query is not one that is cached. */
  static key(job: JobRecord, query: { top?: number; order?: string; by?: string; raw?: boolean; vertex?: string }): string | null {
    if (query.top === undefined || query.top > CACHED_TOP_LIMIT || query.vertex !== undefined) return null;
    if (job.status !== 'succeeded' || job.graphRemoved !== null || job.graphId === null) return null;
    return JSON.stringify([job.id, job.graphId, job.finishedAt, query.top, query.order ?? 'desc', query.by ?? null, query.raw ?? false]);
  }

  get(key: string): CachedTop | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedTop): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
