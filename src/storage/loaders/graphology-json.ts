/**
 * graphology's serialisation format (`graph.export()` / `Graph.from()`):
 * `{ options: { type, multi, allowSelfLoops }, attributes, nodes: [{ key, attributes }],
 *    edges: [{ key, source, target, attributes, undirected }] }`.
 * Every listed node becomes a vertex, isolated ones included; with `--weighted` the edge
 * attribute `weight` is the weight (1 where absent, as graphology-metrics assumes).
 *
 * The file is parsed whole with JSON.parse: graphology itself holds such graphs in memory, so
 * this format is for interchange, not for the largest inputs (use an edge list for those). It must
 * be UTF-8 (a bad byte is refused at its line) and node keys at most `maxLabelBytes` long.
 */
import { GasError, ParseError } from '../../errors.js';
import { LF, type InputFile } from './input.js';
import { labelLimit, type LoadInfo, type LoadTarget, type LoaderOptions } from './types.js';
import { firstInvalidUtf8, INVALID_UTF8 } from './utf8.js';

interface SerializedNode {
  key: unknown;
}
interface SerializedEdge {
  source: unknown;
  target: unknown;
  undirected?: unknown;
  attributes?: Record<string, unknown> | null;
}

export async function loadGraphologyJson(input: InputFile, target: LoadTarget, options: LoaderOptions): Promise<LoadInfo> {
  const pieces: Buffer[] = [];
  for await (const chunk of input.chunks(options.onBytes)) pieces.push(chunk);
  const bytes = Buffer.concat(pieces);
  const invalid = firstInvalidUtf8(bytes, 0, bytes.length);
  if (invalid >= 0) throw new ParseError(input.path, lineAt(bytes, invalid), INVALID_UTF8);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const maxLabel = labelLimit(options);
  const fail = (where: string, problem: string): never => {
    throw new GasError('GAS_ERR_PARSE', `${input.path}: ${where}: ${problem}`, { file: input.path, where });
  };

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : 1;
    throw new GasError('GAS_ERR_PARSE', `${input.path}:${line}: invalid JSON (${(error as Error).message})`, { file: input.path, line });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) fail('document', 'expected a graphology export object');
  const { nodes = [], edges = [], options: graphOptions = {} } = document as { nodes?: unknown; edges?: unknown; options?: { type?: unknown } };
  if (!Array.isArray(nodes)) fail('nodes', 'expected an array');
  if (!Array.isArray(edges)) fail('edges', 'expected an array');

  const type = (graphOptions as { type?: unknown } | null)?.type ?? 'mixed';
  const dictionary = target.dictionary;
  const known = new Map<string, number>();
  (nodes as SerializedNode[]).forEach((node, index) => {
    const key = keyText(node?.key);
    if (key === null) fail(`nodes[${index}]`, 'missing or invalid "key"');
    if (key!.length * 3 > maxLabel && Buffer.byteLength(key!) > maxLabel)
      fail(`nodes[${index}]`, `key longer than the ${maxLabel}-byte limit (--max-label-bytes)`);
    if (known.has(key!)) fail(`nodes[${index}]`, `duplicate node key ${JSON.stringify(key)}`);
    known.set(key!, dictionary.internText(key!));
  });

  const buffer = target.begin(options.weighted);
  let undirectedEdges = 0;
  (edges as SerializedEdge[]).forEach((edge, index) => {
    if (typeof edge !== 'object' || edge === null) fail(`edges[${index}]`, 'expected an object');
    const sourceKey = keyText(edge.source);
    const targetKey = keyText(edge.target);
    const source = sourceKey === null ? undefined : known.get(sourceKey);
    const targetCode = targetKey === null ? undefined : known.get(targetKey);
    if (source === undefined) fail(`edges[${index}]`, `source ${JSON.stringify(edge.source)} is not a listed node`);
    if (targetCode === undefined) fail(`edges[${index}]`, `target ${JSON.stringify(edge.target)} is not a listed node`);
    const undirected = edge.undirected === true || (type === 'undirected' && edge.undirected !== false);
    if (undirected) undirectedEdges++;
    let weight = 1;
    if (options.weighted && edge.attributes && edge.attributes.weight !== undefined) {
      weight = edge.attributes.weight as number;
      if (typeof weight !== 'number' || !Number.isFinite(weight)) {
        // JSON has no Infinity: an infinite weight was a literal too large for a double (1e400); quote it as written.
        const written = typeof weight === 'number' ? overflowingLiteral(text) : JSON.stringify(weight);
        fail(`edges[${index}].attributes.weight`, `not a finite number: ${written}`);
      }
    }
    buffer.push(source!, targetCode!, weight);
  });

  const edgeCount = (edges as unknown[]).length;
  if (undirectedEdges > 0 && undirectedEdges < edgeCount) {
    throw new GasError('GAS_ERR_UNSUPPORTED', `${input.path}: mixed graphs (directed and undirected edges together) are not supported`, { file: input.path });
  }
  const directed = edgeCount > 0 ? undirectedEdges === 0 : type !== 'undirected';
  return { directed, weighted: options.weighted, lines: text.split('\n').length };
}

/** The first number literal in `text` too large for a double, as written (else "Infinity"). */
function overflowingLiteral(text: string): string {
  for (const match of text.matchAll(/-?\d+(?:\.\d+)?[eE][+-]?\d+|-?\d{309,}(?:\.\d+)?/g)) {
    if (!Number.isFinite(Number(match[0]))) return match[0];
  }
  return 'Infinity';
}

/** 1-based line of byte `offset` (LF-terminated lines, as JSON counts them). */
function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let at = bytes.indexOf(LF); at >= 0 && at < offset; at = bytes.indexOf(LF, at + 1)) line++;
  return line;
}

function keyText(key: unknown): string | null {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  return null;
}
