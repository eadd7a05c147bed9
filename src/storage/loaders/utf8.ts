/**
 * UTF-8 validation for the loaders. Labels are kept as the exact text of the file, so bytes that
 * are not UTF-8 cannot be kept: decoding would turn every invalid sequence into U+FFFD and merge
 * distinct labels (`\xff` and `\xfe` would be one vertex). Such input is refused instead, at the
 * line of the first bad byte. Validation is native (`buffer.isUtf8`, SIMD) and runs once per block
 * of whole lines; only a block that fails is walked in JavaScript to find the offending byte.
 */
import { isUtf8 } from 'node:buffer';

/** Offset of the first byte in `buffer[start, end)` that does not begin or continue a valid UTF-8 sequence, or −1. */
export function firstInvalidUtf8(buffer: Uint8Array, start: number, end: number): number {
  if (isUtf8(buffer.subarray(start, end))) return -1;
  let i = start;
  while (i < end) {
    const lead = buffer[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(buffer, i, end);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/**
 * How many bytes at the end of `buffer` are the start of a multi-byte sequence the next chunk may
 * complete (0–3): a chunk boundary may split a character, and only the bytes before it are checked.
 */
export function splitSequenceTail(buffer: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, buffer.length); back++) {
    const byte = buffer[buffer.length - back]!;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return back < expectedLength(byte) ? back : 0;
  }
  return 0;
}

/** Bytes a lead byte announces (0 for a byte that cannot lead). */
function expectedLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Length of the valid sequence at `i` (RFC 3629: no overlongs, surrogates or code points above U+10FFFF), or 0. */
function sequenceLength(buffer: Uint8Array, i: number, end: number): number {
  const lead = buffer[i]!;
  const length = expectedLength(lead);
  if (length === 0 || i + length > end) return 0;
  const second = buffer[i + 1]!;
  // The second byte's range is narrower after E0, ED, F0 and F4 (overlongs, surrogates, > U+10FFFF).
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) {
    const next = buffer[i + k]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

export const INVALID_UTF8 = 'not valid UTF-8 (labels are kept as exact text; convert the file, e.g. iconv -f latin1 -t utf-8)';
