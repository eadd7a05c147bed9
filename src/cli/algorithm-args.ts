/**
 * `gasworks run` takes options that depend on the algorithm (`--damping`, `--source`, …), so it
 * receives its trailing arguments raw and splits them here: `--name value`, `--name=value`, a
 * bare `--flag` (true) or `--no-flag` (false). Names stay as given: the algorithm's option schema
 * resolves them (`--max-iterations`, `--maxIter` → `maxIterations`; engine/program/option-schema.ts).
 */
import { InvalidArgumentError } from '../errors.js';

export function parseTrailingOptions(args: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      throw new InvalidArgumentError(`run: unexpected argument ${JSON.stringify(arg)} (options are --name value)`, { argument: arg });
    }
    const equals = arg.indexOf('=');
    let name: string;
    let value: string;
    if (equals > 0) {
      name = arg.slice(2, equals);
      value = arg.slice(equals + 1);
    } else {
      name = arg.slice(2);
      const next = args[i + 1];
      if (next !== undefined && (!next.startsWith('-') || /^-\d|^-\.\d/.test(next))) {
        value = next;
        i++;
      } else {
        value = 'true';
      }
    }
    if (equals < 0 && value === 'true' && name.startsWith('no-')) {
      name = name.slice(3);
      value = 'false';
    }
    if (options.has(name)) throw new InvalidArgumentError(`run: option --${name} given twice`, { option: name });
    options.set(name, value);
  }
  return options;
}
