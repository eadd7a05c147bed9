/**
 * Reading a job's stored results under the users' labels: all vertices, the top K by value, or
 * one vertex; as `vertex,value` rows (vector results: `value_0 … value_{k−1}`).
 */
import { findAlgorithm } from '../algorithms/index.js';
import { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { GraphReader, graphDir, graphStoreDir, readResults, type Catalog, type JobRecord, type VertexLabel } from '../storage/index.js';

export interface ResultQuery {
  /** Only the K largest values (smallest with `ascending`). */
  readonly top?: number;
  readonly ascending?: boolean;
  /** Only this vertex (its label as the user knows it). */
  readonly vertex?: string;
  /** The stored column as the job wrote it, even where the algorithm presents it otherwise (LDA's counts). */
  readonly raw?: boolean;
}

export interface ResultRow {
  readonly vertex: VertexLabel;
  readonly value: number | number[];
}

export interface JobResults {
  readonly job: JobRecord;
  readonly column: string;
  readonly width: number;
  rows(): Iterable<ResultRow>;
}

export function jobResults(catalog: Catalog, jobId: string | number, query: ResultQuery = {}): JobResults {
  const job = catalog.jobs.get(jobId);
  if (job.status !== 'succeeded') {
    throw new GasError(
      'GAS_ERR_NOT_FOUND',
      `job ${job.id} has no results: it ${job.status === 'running' ? 'is still running' : `failed (${job.errorCode}: ${job.errorMessage})`}`,
      { job: job.id },
    );
  }
  if (!job.graphId) throw new NotFoundError(`job ${job.id} has no graph`);
  let graph;
  try {
    graph = catalog.getGraph(job.graphId);
  } catch {
    throw new NotFoundError(`job ${job.id}: its graph "${job.graphName}" was dropped or replaced, and its results with it`, { job: job.id });
  }
  if (query.top !== undefined && (!Number.isInteger(query.top) || query.top < 1)) {
    throw new InvalidArgumentError(`results: --top must be a positive integer, got ${query.top}`, { option: 'top' });
  }
  const { meta, values: stored } = readResults(graphDir(catalog.dataDir, graph.id), job.id);
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  const width = meta.width;
  const present = query.raw ? undefined : findAlgorithm(job.algorithm)?.presentResult;
  const shown = present
    ? present(stored, width, { ...reader.degrees(), options: job.options, summary: job.summary ?? {} })
    : { column: meta.column, values: stored };
  const values = shown.values;
  const valueOf = (id: number): number | number[] => (width === 1 ? values[id]! : Array.from(values.subarray(id * width, id * width + width)));
  let ids: Iterable<number>;
  if (query.vertex !== undefined) {
    const id = reader.idOf(query.vertex);
    if (id < 0) {
      reader.close();
      throw new NotFoundError(`results: vertex ${JSON.stringify(query.vertex)} is not in graph "${graph.name}"`, { vertex: query.vertex });
    }
    ids = [id];
  } else if (query.top !== undefined) {
    if (width !== 1) {
      reader.close();
      throw new InvalidArgumentError(`results: --top needs a scalar result; job ${job.id}'s "${shown.column}" has ${width} values per vertex`, {
        option: 'top',
      });
    }
    const sign = query.ascending ? 1 : -1;
    ids = Array.from({ length: meta.vertices }, (_, i) => i)
      .filter((i) => !Number.isNaN(values[i]!))
      .sort((a, b) => sign * (values[a]! - values[b]!) || a - b)
      .slice(0, query.top);
  } else {
    ids = { [Symbol.iterator]: () => range(meta.vertices) };
  }
  const labels = reader.labels();
  reader.close();
  const labelOf = (id: number): VertexLabel => (Number.isNaN(labels.numeric[id]!) ? labels.text.get(id)! : labels.numeric[id]!);
  return {
    job,
    column: shown.column,
    width,
    *rows() {
      for (const id of ids) yield { vertex: labelOf(id), value: valueOf(id) };
    },
  };
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
