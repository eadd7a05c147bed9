/**
 * "Did you mean …?" for mistyped commands, options and names of any kind: a leaf in util/, so
 * the CLI, the engine's option validation and the REST layer can share one rule. Names are
 * compared without case, leading dashes or word separators, so `--dropSelfLoops`,
 * `--drop_self_loops` and `--drop-self-lops` all find `--drop-self-loops`; the candidate comes
 * back as given (kebab-case for options).
 *
 * A candidate is suggested when it is the only closest one within a typo's reach (optimal string
 * alignment distance — Levenshtein plus swapped neighbours, so `nmae` is one edit from `name` —
 * of at most a third of the longer name, 1 to 3 edits), or when the input is a prefix of exactly
 * one candidate and at least 3 characters long (`--max` → `--max-iterations`, `tol` → `tolerance`).
 */

/** The candidate the user most plausibly meant by `input`, or null when none is close enough or two are equally close. */
export function suggest(input: string, candidates: readonly string[]): string | null {
  const typed = normalize(input);
  if (typed === '') return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  let tied = false;
  for (const candidate of candidates) {
    const name = normalize(candidate);
    const distance = typoDistance(typed, name);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(typed.length, name.length) / 3)));
    if (distance > limit || distance > bestDistance) continue;
    if (distance === bestDistance && name !== normalize(best!)) tied = true;
    else if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tied = false;
    }
  }
  if (best !== null && !tied) return best;
  if (best !== null) return null;
  const extending = typed.length >= 3 ? candidates.filter((candidate) => normalize(candidate).startsWith(typed)) : [];
  return extending.length === 1 ? extending[0]! : null;
}

function normalize(name: string): string {
  return name
    .replace(/^-+/, '')
    .replace(/[-_\s]/g, '')
    .toLowerCase();
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function typoDistance(a: string, b: string): number {
  // Three rolling rows: a swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, before[j - 2]! + 1);
      current[j] = distance;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
