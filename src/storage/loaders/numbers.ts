/** Number parsing for the loaders' hot paths, with a strict fallback for unusual spellings. */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal number from `buffer[start, end)`, or returns NaN if the text is not one.
 * Plain decimals with at most 15 significant digits take Clinger's fast path (an exact integer
 * divided by an exact power of ten is correctly rounded); everything else goes through
 * `Number()` after a strict syntax check, so hex, `Infinity` and empty text are rejected.
 */
export function parseDecimal(buffer: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = buffer[i];
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let seenPoint = false;
  for (; i < end; i++) {
    const c = buffer[i]!;
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (seenPoint) fraction++;
    } else if (c === 46 && !seenPoint) {
      seenPoint = true;
    } else {
      break;
    }
  }
  if (i === end && digits > 0 && digits <= 15) {
    const value = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!;
    return negative ? -value : value;
  }
  const text = buffer.toString('latin1', start, end);
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** Strict decimal parse of a string (same rules as `parseDecimal`). */
export function parseDecimalText(text: string): number {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
}
