/**
 * Exporting a stored graph under its users' labels: SNAP text (`source<TAB>target[<TAB>weight]`)
 * or graphology's JSON serialisation (loadable with `Graph.from`). Importing the export with the
 * same direction flag gives back the same graph: same labels, same edge multiset, same weights.
 * SNAP text cannot carry isolated vertices; graphology JSON keeps them.
 */
import type { Writable } from 'node:stream';
import { GasError, InvalidArgumentError } from '../errors.js';
import type { Catalog, GraphReader, GraphRecord, VertexLabel } from '../storage/index.js';
import { openGraphReader } from './graphs.js';

export const EXPORT_FORMATS = ['snap', 'graphology'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const LINES_PER_WRITE = 1 << 14;

export async function exportGraph(catalog: Catalog, name: string, format: ExportFormat, out: Writable): Promise<{ vertices: number; edges: number }> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidArgumentError(`graph export: --format must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`, { option: 'format' });
  }
  const { graph, reader } = openGraphReader(catalog, name);
  try {
    if (format === 'snap') await writeSnap(graph, reader, out);
    else await writeGraphology(graph, reader, out);
    return { vertices: graph.vertices, edges: graph.edges };
  } finally {
    reader.close();
  }
}

async function writeSnap(graph: GraphRecord, reader: GraphReader, out: Writable): Promise<void> {
  const label = snapLabels(reader);
  await write(
    out,
    `# gasworks export of graph "${graph.name}": ${graph.directed ? 'directed' : 'undirected'}${graph.weighted ? ', weighted' : ''}\n` +
      `# vertices: ${graph.vertices} edges: ${graph.edges}\n`,
  );
  for (let p = 0; p < reader.meta.numPartitions; p++) {
    const { gids, src, dst, weight } = reader.partition(p);
    let piece = '';
    for (let i = 0; i < src.length; i++) {
      piece += `${label(gids[src[i]!]!)}\t${label(gids[dst[i]!]!)}${weight ? `\t${weight[i]}` : ''}\n`;
      if ((i + 1) % LINES_PER_WRITE === 0) {
        await write(out, piece);
        piece = '';
      }
    }
    if (piece) await write(out, piece);
  }
}

/** Label formatter for SNAP text, refusing labels that SNAP text cannot represent. */
function snapLabels(reader: GraphReader): (id: number) => string {
  const { numeric, text } = reader.labels();
  for (const value of text.values()) {
    if (/[\s#%]/.test(value) || value === '') {
      throw new GasError(
        'GAS_ERR_UNSUPPORTED',
        `graph export: label ${JSON.stringify(value)} cannot be written as SNAP text (whitespace or comment character); use --format graphology`,
      );
    }
  }
  return (id) => {
    const value = numeric[id]!;
    return Number.isNaN(value) ? text.get(id)! : String(value);
  };
}

async function writeGraphology(graph: GraphRecord, reader: GraphReader, out: Writable): Promise<void> {
  const label = (id: number): string => String(reader.labelOf(id) as VertexLabel);
  const multi = graph.multiEdges - graph.removedMultiEdges > 0;
  const options = { type: graph.directed ? 'directed' : 'undirected', multi, allowSelfLoops: true };
  await write(out, `{"attributes":${JSON.stringify({ name: graph.name })},"options":${JSON.stringify(options)},"nodes":[`);
  let piece = '';
  for (let id = 0; id < graph.vertices; id++) {
    piece += `${id === 0 ? '' : ','}{"key":${JSON.stringify(label(id))}}`;
    if ((id + 1) % LINES_PER_WRITE === 0) {
      await write(out, piece);
      piece = '';
    }
  }
  await write(out, `${piece}],"edges":[`);
  const undirected = graph.directed ? '' : ',"undirected":true';
  let first = true;
  for (let p = 0; p < reader.meta.numPartitions; p++) {
    const { gids, src, dst, weight } = reader.partition(p);
    piece = '';
    for (let i = 0; i < src.length; i++) {
      const attributes = weight ? `,"attributes":{"weight":${weight[i]}}` : '';
      piece += `${first ? '' : ','}{"source":${JSON.stringify(label(gids[src[i]!]!))},"target":${JSON.stringify(label(gids[dst[i]!]!))}${attributes}${undirected}}`;
      first = false;
      if ((i + 1) % LINES_PER_WRITE === 0) {
        await write(out, piece);
        piece = '';
      }
    }
    if (piece) await write(out, piece);
  }
  await write(out, ']}\n');
}

function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new GasError('GAS_ERR_IO', `graph export: write failed: ${error.message}`));
    out.once('error', onError);
    const done = (): void => {
      out.off('error', onError);
      resolve();
    };
    if (out.write(text)) done();
    else out.once('drain', done);
  });
}
