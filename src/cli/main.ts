/**
 * The `gasworks` command line: one clipanion Command per verb, registered here. Command lines
 * clipanion cannot match are explained in one line by `usage-errors.ts` (exit 64, as every
 * invalid argument); anything that escapes a command is reported as GAS_ERR_INTERNAL.
 */
import { Builtins, Cli, type Command } from 'clipanion';
import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../errors.js';
import { reportError } from './base.js';
import { GenerateKronCommand } from './commands/generate-kron.js';
import { GraphDropCommand } from './commands/graph-drop.js';
import { GraphExportCommand } from './commands/graph-export.js';
import { GraphInfoCommand } from './commands/graph-info.js';
import { GraphListCommand } from './commands/graph-list.js';
import { ImportCommand } from './commands/import.js';
import { JobsCommand } from './commands/jobs.js';
import { JobsCancelCommand } from './commands/jobs-cancel.js';
import { JobsResumeCommand } from './commands/jobs-resume.js';
import { JobsPruneCommand } from './commands/jobs-prune.js';
import { JobsWatchCommand } from './commands/jobs-watch.js';
import { JobsRmCommand } from './commands/jobs-rm.js';
import { ResultsCommand } from './commands/results.js';
import { RunCommand } from './commands/run.js';
import { EstimateCommand } from './commands/estimate.js';
import { ServeCommand } from './commands/serve.js';
import { WorkerCommand } from './commands/worker.js';
import { PartitionReportCommand } from './commands/partition-report.js';
import { RepartitionCommand } from './commands/repartition.js';
import { RecommendCommand } from './commands/recommend.js';
import { TopicsCommand } from './commands/topics.js';
import { commandShapes, explainUsage } from './usage-errors.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const COMMANDS = [
  ImportCommand,
  GraphListCommand,
  GraphInfoCommand,
  GraphDropCommand,
  GraphExportCommand,
  RunCommand,
  EstimateCommand,
  WorkerCommand,
  PartitionReportCommand,
  RepartitionCommand,
  ResultsCommand,
  RecommendCommand,
  TopicsCommand,
  JobsCommand,
  JobsRmCommand,
  JobsPruneCommand,
  JobsCancelCommand,
  JobsResumeCommand,
  JobsWatchCommand,
  GenerateKronCommand,
  ServeCommand,
];

/** What an option's value is called in help (`--data-dir DIR`); others are named after the option (`--name NAME`). */
const VALUE_NAMES: Readonly<Record<string, string>> = {
  'data-dir': 'DIR',
  output: 'FILE',
  vocab: 'FILE',
  listen: 'HOST:PORT',
  top: 'K',
  partitions: 'P',
  limit: 'N',
  seed: 'N',
  threshold: 'N',
  scale: 'S',
  'edge-factor': 'F',
  lambda: 'L',
  for: 'ALGORITHM',
  vertex: 'LABEL',
  strategies: 'LIST',
};

/**
 * clipanion names every option's value `#0` in help (`--data-dir #0`); this gasworks CLI names
 * them. Rewritten where clipanion builds each usage, before it pads the options' column.
 */
class GasCli extends Cli {
  protected override getUsageByIndex(...args: Parameters<Cli['getUsageByIndex']>): ReturnType<Cli['getUsageByIndex']> {
    const { usage, options } = super.getUsageByIndex(...args);
    return { usage: nameValues(usage), options: options.map((option) => ({ ...option, definition: nameValues(option.definition) })) };
  }
}

function nameValues(text: string): string {
  return text.replace(/(-[\w-]+(?:,-[\w-]+)*)((?: #\d+)+)/g, (_, names: string, values: string) => {
    const long = names.split(',').at(-1)!.replace(/^-+/, '');
    const value = VALUE_NAMES[long] ?? long.toUpperCase();
    return `${names}${values.replace(/ #\d+/g, ` ${value}`)}`;
  });
}

const cli = new GasCli({
  binaryLabel: 'gasworks',
  binaryName: 'gasworks',
  binaryVersion: version,
  // clipanion's default asks the terminal type, not whether stdout is one: help piped to a file had colour codes.
  enableColors: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
});
for (const command of COMMANDS) cli.register(command);
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);

const argv = process.argv.slice(2);
// Before a command has parsed its options, the flags that shape error output are read off the command line.
const errorOutput = { json: argv.includes('--json'), verbose: argv.includes('--verbose'), stderr: process.stderr };

// A closed pipe (`gasworks graph export g | head`) ends the output, not the program with an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});
// Errors outside a command's `execute` (a stream's error event, a forgotten promise) are bugs too: one line, exit 70.
process.on('uncaughtException', (error) => process.exit(reportError(error, errorOutput)));
process.on('unhandledRejection', (reason) => process.exit(reportError(reason, errorOutput)));

let command: Command;
try {
  command = cli.process(argv);
} catch (error) {
  if (!isClipanionError(error)) throw error;
  // clipanion's own message, first line, when the command line's fault is none that usage-errors explains.
  const explained = explainUsage(argv, commandShapes(COMMANDS)) ?? new InvalidArgumentError(error.message.split('\n')[0]!.replace(/\.$/, ''));
  process.exit(reportError(explained, errorOutput));
}
process.exitCode = await cli.run(command);

function isClipanionError(error: unknown): error is Error {
  return error instanceof Error && 'clipanion' in error;
}
