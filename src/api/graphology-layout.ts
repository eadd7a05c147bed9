/**
 * A graphology `Graph` as a partitioned graph in memory: node keys → dense ids through the same
 * label dictionary an import uses (so a graph gets the ids — and, for a given strategy, seed and
 * partition count, the partitions — that importing its `graph.export()` JSON would give), its
 * edges streamed into the import's edge chunks, then cut by the import's own layout
 * (`MemoryGraph.build`, ingest/layout.ts). Nothing is written anywhere.
 *
 * - directed / undirected graphs as they are; a `mixed` graph is taken as directed when all its
 *   edges are directed and as undirected when all are undirected, and refused when it holds
 *   both (convert it first, e.g. graphology-operators' `toDirected`);
 * - multi-edges and self-loops are kept (as `import` keeps them); isolated nodes are vertices;
 * - with a weight attribute, every edge must carry it as a finite number.
 */
import type { AbstractGraph, Attributes } from 'graphology-types';
import { GasError, InvalidArgumentError } from '../errors.js';
import { IMPORT_DEFAULTS, checkPartitionOptions } from '../ingest/options.js';
import { MemoryGraph } from '../ingest/memory-graph.js';
import { EdgeChunks, LabelDictionary } from '../storage/index.js';

/** Any graphology graph, whatever its attribute types. */
export type AnyGraphology = AbstractGraph<Attributes, Attributes, Attributes>;

export interface PartitionChoice {
  /** Vertex-cut partitions (default: 4, or the worker count if larger). */
  readonly partitions?: number;
  /** A partition strategy name (`random`, `hdrf`, `dbh`, …) or `auto` (default `random`, as `import`). */
  readonly strategy?: string;
  readonly seed?: number;
}

export interface GraphologyLayout {
  readonly graph: MemoryGraph;
  /** Node key of each vertex id. */
  readonly keys: readonly string[];
  /** Vertex id of each node, in the graph's node order when it was laid out. */
  readonly idsInNodeOrder: Uint32Array;
}

/** Refuses anything that is not a graphology graph (duck-typed, as graphology-utils' `isGraph`). */
export function checkGraphology(value: unknown, verb: string): asserts value is AnyGraphology {
  const graph = value as Partial<AnyGraphology> | null;
  const ok =
    typeof graph === 'object' &&
    graph !== null &&
    typeof graph.forEachEdge === 'function' &&
    typeof graph.updateEachNodeAttributes === 'function' &&
    typeof graph.multi === 'boolean' &&
    typeof graph.order === 'number';
  if (!ok) {
    const got = value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
    throw new InvalidArgumentError(`${verb}: expected a graphology Graph, got ${got}`, { option: 'graph' });
  }
}

/** Lays `graph` out in memory; `weightAttribute` names the edge attribute holding weights (null: unweighted). */
export async function layOutGraphology(
  graph: AnyGraphology,
  weightAttribute: string | null,
  choice: PartitionChoice & { readonly workers?: number },
  verb: string,
): Promise<GraphologyLayout> {
  const partition = {
    partitions: choice.partitions ?? Math.max(IMPORT_DEFAULTS.partitions, choice.workers ?? 1),
    strategy: choice.strategy ?? IMPORT_DEFAULTS.strategy,
    seed: choice.seed ?? IMPORT_DEFAULTS.seed,
    threshold: IMPORT_DEFAULTS.threshold,
    lambda: IMPORT_DEFAULTS.lambda,
  };
  checkPartitionOptions(verb, partition);
  if (graph.order === 0) throw new InvalidArgumentError(`${verb}: the graph has no nodes`, { option: 'graph' });
  if (graph.directedSize > 0 && graph.undirectedSize > 0) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `${verb}: mixed graphs (${graph.directedSize} directed and ${graph.undirectedSize} undirected edges) are not supported; convert the graph first (graphology-operators' toDirected or toUndirected)`,
      { option: 'graph' },
    );
  }
  const directed = graph.undirectedSize > 0 ? false : graph.directedSize > 0 || graph.type !== 'undirected';

  // Node keys → provisional codes, in node order (integer keys become numeric labels, as on import).
  const dictionary = new LabelDictionary();
  const codes = new Uint32Array(graph.order);
  const codeOf = new Map<string, number>();
  let n = 0;
  graph.forEachNode((key) => {
    const code = dictionary.internText(key);
    codes[n++] = code;
    codeOf.set(key, code);
  });

  const edges = new EdgeChunks(weightAttribute !== null);
  graph.forEachEdge((edge, attributes, source, target) => {
    let weight = 1;
    if (weightAttribute !== null) {
      weight = attributes[weightAttribute] as number;
      if (typeof weight !== 'number' || !Number.isFinite(weight)) {
        throw new InvalidArgumentError(
          `${verb}: edge ${JSON.stringify(edge)} (${source} → ${target}) has no finite numeric "${weightAttribute}" attribute (got ${JSON.stringify(attributes[weightAttribute])})`,
          { option: 'weighted', edge, attribute: weightAttribute },
        );
      }
    }
    edges.push(codeOf.get(source)!, codeOf.get(target)!, weight);
  });

  const labels = dictionary.finalize();
  const keys = new Array<string>(labels.numVertices);
  const idsInNodeOrder = new Uint32Array(codes.length);
  n = 0;
  graph.forEachNode((key) => {
    const id = labels.idOf(codes[n]!);
    idsInNodeOrder[n++] = id;
    keys[id] = key;
  });
  const memory = await MemoryGraph.build({ edges, labels, remap: labels, directed }, { ...partition, dedupe: false, dropSelfLoops: false });
  return { graph: memory, keys, idsInNodeOrder };
}
