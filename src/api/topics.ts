/**
 * `topics`: each topic's top words under a finished LDA job — the words with the most tokens
 * assigned to the topic (the order of φ_kw = (n_wk + β)/(n_k + Wβ) within topic k), with
 * their share of the topic's tokens. Topics carry the names `results` gives them (`topic_3`,
 * from LDA's `resultComponents`), so `results JOB --top 10 --by topic_3` follows on.
 */
import { findAlgorithm } from '../algorithms/index.js';
import { InvalidArgumentError } from '../errors.js';
import { topIds } from './top-vertices.js';
import { GraphReader, graphDir, graphStoreDir, readResults, WORD_PREFIX, type Catalog } from '../storage/index.js';

export interface Topic {
  readonly topic: number;
  /** The topic's component name in `results` (`topic_3`). */
  readonly name: string;
  /** Tokens assigned to the topic. */
  readonly tokens: number;
  readonly words: readonly { readonly word: string; readonly share: number }[];
}

export function topicWords(catalog: Catalog, jobId: string | number, top = 10): Topic[] {
  const job = catalog.jobs.get(jobId);
  if (job.algorithm !== 'lda' || job.status !== 'succeeded') {
    throw new InvalidArgumentError(`topics: job ${job.id} is not a finished LDA job (${job.algorithm}, ${job.status})`, { job: job.id });
  }
  if (!Number.isInteger(top) || top < 1) throw new InvalidArgumentError(`topics: --top must be a positive integer, got ${top}`, { option: 'top' });
  const graph = catalog.getGraph(job.graphId ?? '');
  const { meta, values } = readResults(graphDir(catalog.dataDir, graph.id), job.id);
  const K = meta.width;
  const names = findAlgorithm('lda')?.resultComponents?.(K) ?? [];
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  try {
    const { inDegree } = reader.degrees();
    // Topic k's count at each word; documents and words without a token of k left out as NaN.
    const counts = new Float64Array(meta.vertices);
    return Array.from({ length: K }, (_, k) => {
      let tokens = 0;
      for (let v = 0; v < meta.vertices; v++) {
        const count = inDegree[v]! > 0 ? values[v * K + k]! : 0;
        tokens += count;
        counts[v] = count > 0 ? count : NaN;
      }
      const best = topIds(counts, top, 'desc');
      return {
        topic: k,
        name: names[k] ?? `topic_${k}`,
        tokens,
        words: best.map((v) => ({ word: String(reader.labelOf(v)).replace(WORD_PREFIX, ''), share: values[v * K + k]! / Math.max(1, tokens) })),
      };
    });
  } finally {
    reader.close();
  }
}
