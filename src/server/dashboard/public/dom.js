/**
 * Building the page's elements from data: `h()` makes an element with properties and children,
 * and text always goes in as text (never as markup), so a label or message from the API cannot
 * inject anything. Plus the formatting of numbers and durations the panels share.
 */

/** `h('td', { className: 'num' }, 'text', child, …)`; `attrs` keys starting with `aria-`/`data-` are attributes, the rest properties. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('aria-') || key.startsWith('data-') || key === 'role' || key === 'scope' || key === 'for') element.setAttribute(key, String(value));
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else element[key] = value;
  }
  element.append(
    ...children
      .flat()
      .filter((child) => child !== null && child !== undefined && child !== false)
      .map((child) => (child instanceof Node ? child : String(child))),
  );
  return element;
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  element.append(
    ...children
      .flat()
      .filter((child) => child !== null && child !== undefined)
      .map((child) => (child instanceof Node ? child : String(child))),
  );
}

const INTEGER = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** Integers with thousands separators; other numbers to 4 significant digits (exponent when tiny or huge). */
export function formatNumber(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value === null || value === undefined ? '—' : String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return INTEGER.format(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** 850 ms, 3.2 s, 2 min 5 s. */
export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - 60 * minutes)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A status as a coloured badge (the colour comes from the class; the word is the text). */
export function statusBadge(status) {
  return h('span', { className: `status status-${status}` }, status);
}

export const ACTIVE_STATES = ['queued', 'running'];
export const TERMINAL_STATES = ['succeeded', 'failed', 'cancelled', 'interrupted'];
