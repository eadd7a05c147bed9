/**
 * Usage errors users can act on. When clipanion cannot match the command line to a command it
 * says "Command not found" and lists every command's synopsis — for a forgotten `--name`, a
 * mistyped option and a mistyped command alike. `explainUsage` reads the same command line
 * against the registered commands' declarations and says what is wrong, in one line:
 *
 *   unknown command "imprt"; did you mean "import"?
 *   import: unknown option --nmae; did you mean --name?
 *   import: --name is required
 *   import: missing argument <file>
 *
 * The declarations are read from the commands themselves (each option field records what it
 * declares into a builder), so nothing here is kept in step with them by hand.
 */
import { Command } from 'clipanion';
import { InvalidArgumentError } from '../errors.js';
import { suggest } from '../util/did-you-mean.js';

export interface CommandShape {
  readonly path: readonly string[];
  readonly options: readonly { readonly names: readonly string[]; readonly arity: number; readonly required: boolean }[];
  readonly positionals: readonly { readonly name: string; readonly required: boolean }[];
  /** Takes any further arguments (`Option.Proxy` / `Option.Rest`: `run`'s algorithm options). */
  readonly trailing: boolean;
}

type CommandClass = (new () => Command) & { readonly paths?: readonly (readonly string[])[] };

/** Every option accepts these (clipanion's built-in help). */
const HELP_OPTION = { names: ['-h', '--help'], arity: 0, required: false };

/** The shape of each path of each command, read from the option fields' declarations. */
export function commandShapes(commands: readonly CommandClass[]): CommandShape[] {
  return commands.flatMap((commandClass) => {
    const options: { names: string[]; arity: number; required: boolean }[] = [HELP_OPTION];
    const positionals: { name: string; required: boolean }[] = [];
    let trailing = false;
    const recorder = {
      addOption: (o: { names: string[]; arity?: number; required?: boolean }) =>
        options.push({ names: o.names, arity: o.arity ?? 0, required: o.required ?? false }),
      addPositional: (p: { name: string; required?: boolean }) => positionals.push({ name: p.name, required: p.required ?? true }),
      addProxy: () => (trailing = true),
      addRest: () => (trailing = true),
    };
    const instance = new commandClass() as unknown as Record<string, unknown>;
    for (const key of Object.keys(instance)) {
      const field = instance[key] as { [Command.isOption]?: boolean; definition?: (builder: unknown, key: string) => void } | null;
      if (typeof field === 'object' && field !== null && field[Command.isOption]) field.definition!(recorder, key);
    }
    return (commandClass.paths ?? []).map((path) => ({ path, options, positionals, trailing }));
  });
}

/** What is wrong with `argv`, as an InvalidArgumentError, or null when the problem is not one of those above. */
export function explainUsage(argv: readonly string[], shapes: readonly CommandShape[]): InvalidArgumentError | null {
  const matching = shapes.filter((shape) => shape.path.every((word, k) => argv[k] === word)).sort((a, b) => b.path.length - a.path.length);
  const shape = matching[0];
  if (!shape || (shape.path.length === 0 && argv.length > 0 && !argv[0]!.startsWith('-'))) return unknownCommand(argv, shapes);
  return explainArguments(shape, argv.slice(shape.path.length));
}

function unknownCommand(argv: readonly string[], shapes: readonly CommandShape[]): InvalidArgumentError | null {
  if (argv.length === 0) return null;
  const typed = argv[0]!;
  const groups = new Set(shapes.filter((s) => s.path.length > 1).map((s) => s.path[0]!));
  if (groups.has(typed)) {
    // `graph lst`, or `graph` alone: the group is right, the subcommand is not.
    const subcommands = shapes.filter((s) => s.path.length > 1 && s.path[0] === typed).map((s) => s.path[1]!);
    const sub = argv[1];
    const list = subcommands.map((word) => `${typed} ${word}`).join(', ');
    if (sub === undefined || sub.startsWith('-')) return new InvalidArgumentError(`${typed}: name a subcommand: ${list}`, { command: typed });
    const guess = suggest(sub, subcommands);
    return new InvalidArgumentError(
      `unknown command "${typed} ${sub}"; ${guess ? `did you mean "${typed} ${guess}"?` : `"${typed}" has ${list}`}`,
      guess ? { command: `${typed} ${sub}`, suggestion: `${typed} ${guess}` } : { command: `${typed} ${sub}` },
    );
  }
  if (typed.startsWith('-')) return null;
  const names = [...new Set(shapes.map((s) => s.path[0]).filter((word): word is string => word !== undefined))];
  const guess = suggest(typed, names);
  return new InvalidArgumentError(
    `unknown command "${typed}"; ${guess ? `did you mean "${guess}"?` : 'gasworks --help lists the commands'}`,
    guess ? { command: typed, suggestion: guess } : { command: typed },
  );
}

function explainArguments(shape: CommandShape, args: readonly string[]): InvalidArgumentError | null {
  const command = shape.path.join(' ');
  const byName = new Map(shape.options.flatMap((option) => option.names.map((name) => [name, option] as const)));
  const seen = new Set<(typeof shape.options)[number]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // Once its own positionals are in, a command with trailing arguments (`run`) takes the rest as they are.
    if (shape.trailing && positionals.length >= shape.positionals.length) break;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\.?\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const option = byName.get(name) ?? negated(byName, name);
    if (!option) {
      const longNames = shape.options.flatMap((o) => o.names.filter((n) => n.startsWith('--')));
      const guess = suggest(name, longNames);
      return new InvalidArgumentError(
        `${command}: unknown option ${name}; ${guess ? `did you mean ${guess}?` : `gasworks ${command} --help lists its options`}`,
        guess ? { option: name, suggestion: guess } : { option: name },
      );
    }
    seen.add(option);
    if (option.arity === 0 && equals > 0) return new InvalidArgumentError(`${command}: ${name} takes no value`, { option: name });
    if (option.arity > 0 && equals < 0) {
      const value = args[i + 1];
      if (value === undefined || (value.startsWith('-') && !/^-\.?\d/.test(value)))
        return new InvalidArgumentError(`${command}: ${name} needs a value`, { option: name });
      i += option.arity;
    }
  }
  const required = shape.positionals.filter((p) => p.required);
  if (positionals.length < required.length) {
    const name = required[positionals.length]!.name;
    return new InvalidArgumentError(`${command}: missing argument <${name}>`, { argument: name });
  }
  const missing = shape.options.find((option) => option.required && !seen.has(option));
  if (missing) {
    const name = missing.names.find((n) => n.startsWith('--')) ?? missing.names[0]!;
    return new InvalidArgumentError(`${command}: ${name} is required`, { option: name });
  }
  if (!shape.trailing && positionals.length > shape.positionals.length) {
    return new InvalidArgumentError(`${command}: unexpected argument ${JSON.stringify(positionals[shape.positionals.length])}`, {
      argument: positionals[shape.positionals.length],
    });
  }
  return null;
}

/** `--no-header` for the boolean `--header`, as clipanion accepts it. */
function negated<T extends { readonly arity: number }>(byName: ReadonlyMap<string, T>, name: string): T | undefined {
  if (!name.startsWith('--no-')) return undefined;
  const option = byName.get(`--${name.slice(5)}`);
  return option && option.arity === 0 ? option : undefined;
}
