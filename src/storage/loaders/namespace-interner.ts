/**
 * Label codes of one vertex namespace (`u:` users, `i:` items, `d:` documents, `w:` words):
 * integer ids are cached by value, so each label string is built and interned once per distinct
 * id rather than once per line.
 */
import type { LabelDictionary } from '../dictionary.js';
import { parseInteger } from './fields.js';

export class NamespaceInterner {
  private readonly byNumber = new Map<number, number>();

  /** `name`: the label after the prefix for an integer id (default: the id itself, e.g. a vocabulary's word). */
  constructor(
    private readonly dictionary: LabelDictionary,
    private readonly prefix: string,
    private readonly name: (id: number) => string = String,
  ) {}

  number(id: number): number {
    let code = this.byNumber.get(id);
    if (code === undefined) {
      code = this.dictionary.internString(this.prefix + this.name(id));
      this.byNumber.set(id, code);
    }
    return code;
  }

  /** The code of the id in `buffer[start, end)`, or −1 if empty. */
  field(buffer: Buffer, start: number, end: number): number {
    if (start === end) return -1;
    const id = parseInteger(buffer, start, end);
    // Integers with leading zeros ("007") keep their spelling.
    if (id >= 0 && (buffer[start] !== 48 || end - start === 1)) return this.number(id);
    return this.dictionary.internString(this.prefix + buffer.toString('utf8', start, end));
  }
}
