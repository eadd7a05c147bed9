/**
 * "Vertex not found" that teaches the label form. Ratings graphs label users `u:ID` and items
 * `i:ID`, bag-of-words graphs documents `d:N` and words `w:WORD`, so the `1` a user brings from
 * the source file is not a label of the graph; the message says what the labels look like and
 * which label was probably meant:
 *
 *   vertex "1" is not in graph "ml" (its labels look like "u:1" / "i:1": did you mean "u:1"?)
 *
 * One place for `run` (sssp's `--source`, personalized PageRank's `--sources`), `results
 * --vertex` and `recommend --user`.
 */
import { NotFoundError } from '../errors.js';
import type { GraphSource, VertexLabel } from '../storage/index.js';

/** The prefixes the importers give labels (ratings: users, items; bag of words: documents, words). */
export const LABEL_PREFIXES = ['u:', 'i:', 'd:', 'w:'] as const;

/** What the hint needs of a graph: a `GraphReader` has it. */
export type LabelLookup = Pick<GraphSource, 'idOf' | 'labelOf' | 'meta'>;

/** Labels looked at to tell whether the graph's labels carry prefixes (first, last and evenly between). */
const SAMPLED_LABELS = 9;

/**
 * The hint for a label that `graph.idOf` did not find, without parentheses — `its labels look
 * like "u:1" / "i:1": did you mean "u:1"?` — or null when the graph's labels carry no prefix
 * (then the label is simply absent and there is nothing to teach).
 */
export function labelHint(graph: LabelLookup, label: string): string | null {
  const prefix = LABEL_PREFIXES.find((p) => label.startsWith(p));
  const bare = prefix === undefined ? label : label.slice(prefix.length);
  // The labels that exist for the same id under another form: bare, or under any prefix.
  const forms = [bare, ...LABEL_PREFIXES.map((p) => p + bare)].filter((form) => form !== label && graph.idOf(form) >= 0);
  if (forms.length > 0) return `its labels look like ${forms.map((form) => JSON.stringify(form)).join(' / ')}: did you mean ${JSON.stringify(forms[0])}?`;
  const examples = sampleLabels(graph).filter((example) => LABEL_PREFIXES.some((p) => example.startsWith(p)));
  if (examples.length === 0) return null;
  const byPrefix = new Map<string, string>();
  for (const example of examples) byPrefix.set(example.slice(0, 2), byPrefix.get(example.slice(0, 2)) ?? example);
  return `its labels look like ${[...byPrefix.values()].map((example) => JSON.stringify(example)).join(' / ')}`;
}

/**
 * `vertex "1" is not in graph "ml" (…hint…)` as a GAS_ERR_NOT_FOUND error; `context` prefixes the
 * message (`results`, `sssp: source`), `details` are added to the error's (e.g. `{ option }`).
 */
export function vertexNotFound(graph: LabelLookup, graphName: string, label: string, context: string, details: Record<string, unknown> = {}): NotFoundError {
  const hint = labelHint(graph, label);
  return new NotFoundError(`${context}: vertex ${JSON.stringify(label)} is not in graph "${graphName}"${hint === null ? '' : ` (${hint})`}`, {
    ...details,
    vertex: label,
    graph: graphName,
  });
}

function sampleLabels(graph: LabelLookup): string[] {
  const vertices = graph.meta.vertices;
  if (vertices === 0) return [];
  const ids = new Set<number>();
  for (let k = 0; k < SAMPLED_LABELS; k++) ids.add(Math.round((k * (vertices - 1)) / (SAMPLED_LABELS - 1)));
  return [...ids].map((id) => String(graph.labelOf(id) satisfies VertexLabel));
}
