/**
 * Reading a job's stored results under the users' labels: all vertices, the top K by value (by
 * one named component of a vector result), or one vertex. Each row's values carry names, the
 * `components` of the result, declared once by the algorithm (`resultComponents`: ALS
 * `factor_0 … factor_{k−1}, bias`, LDA `topic_0 …`) and defaulting to `<column>_0 …` for other
 * vector results (user programs) and to `value` for a scalar result. Every output format of
 * `gasworks results` uses these names: the CSV header, the keys of JSON rows, `--top --by NAME`.
 */
import { findAlgorithm } from '../algorithms/index.js';
import { GasError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { vertexNotFound } from './label-hint.js';
import { topIds } from './top-vertices.js';
import {
  BLOCK_SIZE,
  GraphReader,
  graphDir,
  graphStoreDir,
  readResultMeta,
  readResults,
  resultBlocks,
  type Catalog,
  type GraphRecord,
  type JobRecord,
  type VertexLabel,
} from '../storage/index.js';

export interface ResultQuery {
  /** Only the K largest values (smallest with `ascending`). */
  readonly top?: number;
  readonly ascending?: boolean;
  /** With `top` on a vector result: the component to rank by (one of `components`). */
  readonly by?: string;
  /** Only this vertex (its label as the user knows it). */
  readonly vertex?: string;
  /** The stored column as the job wrote it, even where the algorithm presents it otherwise (LDA's counts). */
  readonly raw?: boolean;
}

export interface ResultRow {
  readonly vertex: VertexLabel;
  /** A number for a scalar result; for a vector result its values in the order of `components`. */
  readonly value: number | number[];
}

export interface JobResults {
  readonly job: JobRecord;
  readonly column: string;
  readonly width: number;
  /** The name of each value in a row (`width` names): `['value']` for a scalar result. */
  readonly components: readonly string[];
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
  if (job.graphRemoved !== null) {
    // The result file went with the old graph's directory, as did the labels it is read through.
    throw new NotFoundError(
      `job ${job.id}: its graph "${job.graphName}" was ${job.graphRemoved === 'replaced' ? 'replaced (import --replace)' : 'dropped'} after the job ran, ` +
        `and its results with it; the job's summary (top vertices, figures) is still in gasworks jobs --json`,
      { job: job.id, graphRemoved: job.graphRemoved },
    );
  }
  let graph;
  try {
    graph = catalog.getGraph(job.graphId);
  } catch {
    throw new NotFoundError(`job ${job.id}: its graph "${job.graphName}" was dropped or replaced, and its results with it`, { job: job.id });
  }
  if (query.top !== undefined && (!Number.isInteger(query.top) || query.top < 1)) {
    throw new InvalidArgumentError(`results: --top must be a positive integer, got ${query.top}`, { option: 'top' });
  }
  if (query.by !== undefined && query.top === undefined) {
    throw new InvalidArgumentError(`results: --by ${query.by} ranks the --top K vertices; give --top too`, { option: 'by' });
  }
  const algorithm = findAlgorithm(job.algorithm);
  // Every vertex, as stored: read a block at a time while the rows are taken, in constant memory
  // whatever the graph's size (the server streams results this way). The other queries need a
  // whole column (a top K ranks every vertex; LDA's presentation needs its topics' totals).
  if (query.vertex === undefined && query.top === undefined && (query.raw || !algorithm?.presentResult)) {
    return streamedResults(catalog, job, graph, algorithm);
  }
  const { meta, values: stored } = readResults(graphDir(catalog.dataDir, graph.id), job.id);
  const width = meta.width;
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  try {
    const present = query.raw ? undefined : algorithm?.presentResult;
    const shown = present
      ? present(stored, width, { ...reader.degrees(), options: job.options, summary: job.summary ?? {} })
      : { column: meta.column, values: stored };
    const values = shown.values;
    const components = componentNames(algorithm?.resultComponents?.(width), shown.column, width);
    const valueOf = (id: number): number | number[] => (width === 1 ? values[id]! : Array.from(values.subarray(id * width, id * width + width)));
    let ids: Iterable<number>;
    if (query.vertex !== undefined) {
      const id = reader.idOf(query.vertex);
      if (id < 0) throw vertexNotFound(reader, graph.name, query.vertex, 'results', { option: 'vertex' });
      ids = [id];
    } else if (query.top !== undefined) {
      const component = rankedComponent(job, shown.column, components, query.by);
      ids = topIds(componentColumn(values, width, component, meta.vertices), query.top, query.ascending ? 'asc' : 'desc');
    } else {
      ids = { [Symbol.iterator]: () => range(meta.vertices) };
    }
    const labels = reader.labels();
    const labelOf = (id: number): VertexLabel => (Number.isNaN(labels.numeric[id]!) ? labels.text.get(id)! : labels.numeric[id]!);
    return {
      job,
      column: shown.column,
      width,
      components,
      *rows() {
        for (const id of ids) yield { vertex: labelOf(id), value: valueOf(id) };
      },
    };
  } finally {
    reader.close();
  }
}

/** Every vertex's stored values under its label, read block by block as the rows are taken. */
function streamedResults(catalog: Catalog, job: JobRecord, graph: GraphRecord, algorithm: ReturnType<typeof findAlgorithm>): JobResults {
  const directory = graphDir(catalog.dataDir, graph.id);
  const meta = readResultMeta(directory, job.id);
  const { width } = meta;
  const store = graphStoreDir(catalog.dataDir, graph);
  return {
    job,
    column: meta.column,
    width,
    components: componentNames(algorithm?.resultComponents?.(width), meta.column, width),
    *rows() {
      const reader = GraphReader.open(store);
      try {
        for (const { start, values } of resultBlocks(directory, job.id)) {
          const labelOf = reader.labelBlock(start / BLOCK_SIZE);
          const count = values.length / width;
          for (let i = 0; i < count; i++) {
            yield { vertex: labelOf(start + i), value: width === 1 ? values[i]! : Array.from(values.subarray(i * width, i * width + width)) };
          }
        }
      } finally {
        reader.close();
      }
    },
  };
}

/** The algorithm's names when it declares `width` of them; else `value` (scalar) or `<column>_0 …`. */
function componentNames(declared: readonly string[] | undefined, column: string, width: number): readonly string[] {
  if (declared && declared.length === width) return declared;
  return width === 1 ? ['value'] : Array.from({ length: width }, (_, j) => `${column}_${j}`);
}

/** The index of the component `--top` ranks by: the only one of a scalar, else the one `--by` names. */
function rankedComponent(job: JobRecord, column: string, components: readonly string[], by: string | undefined): number {
  if (by === undefined) {
    if (components.length === 1) return 0;
    throw new InvalidArgumentError(
      `results: job ${job.id}'s "${column}" has ${components.length} values per vertex; rank by one with --by ${describeNames(components)}`,
      { option: 'by', components },
    );
  }
  const index = components.indexOf(by);
  if (index < 0) {
    throw new InvalidArgumentError(`results: job ${job.id}'s "${column}" has no component ${JSON.stringify(by)}; --by takes ${describeNames(components)}`, {
      option: 'by',
      components,
    });
  }
  return index;
}

/** One component of every vertex, strided out of the result column (NaN stays NaN: topIds skips it). */
function componentColumn(values: Float64Array, width: number, component: number, vertices: number): Float64Array {
  if (width === 1) return values;
  const column = new Float64Array(vertices);
  for (let v = 0; v < vertices; v++) column[v] = values[v * width + component]!;
  return column;
}

/**
 * Names for a message, runs of one numbered prefix shortened to their ends:
 * `factor_0 … factor_9, bias`, `topic_0 … topic_19`.
 */
export function describeNames(names: readonly string[]): string {
  const parts: string[] = [];
  for (let start = 0; start < names.length;) {
    const prefix = numberedPrefix(names[start]!);
    let end = start + 1;
    while (prefix !== null && end < names.length && numberedPrefix(names[end]!) === prefix) end++;
    parts.push(end - start > 2 ? `${names[start]} … ${names[end - 1]}` : names.slice(start, end).join(', '));
    start = end;
  }
  return parts.join(', ');
}

function numberedPrefix(name: string): string | null {
  const match = /^(.*_)\d+$/.exec(name);
  return match ? match[1]! : null;
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
