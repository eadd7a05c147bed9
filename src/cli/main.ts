/** The `gasworks` command line: one clipanion Command per verb, registered here. */
import { Builtins, Cli } from 'clipanion';
import { createRequire } from 'node:module';
import { GenerateKronCommand } from './commands/generate-kron.js';
import { GraphDropCommand } from './commands/graph-drop.js';
import { GraphExportCommand } from './commands/graph-export.js';
import { GraphInfoCommand } from './commands/graph-info.js';
import { GraphListCommand } from './commands/graph-list.js';
import { ImportCommand } from './commands/import.js';
import { JobsCommand } from './commands/jobs.js';
import { ResultsCommand } from './commands/results.js';
import { RunCommand } from './commands/run.js';
import { WorkerCommand } from './commands/worker.js';
import { PartitionReportCommand } from './commands/partition-report.js';
import { RepartitionCommand } from './commands/repartition.js';
import { RecommendCommand } from './commands/recommend.js';
import { TopicsCommand } from './commands/topics.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const cli = new Cli({ binaryLabel: 'gasworks', binaryName: 'gasworks', binaryVersion: version });
for (const command of [
  ImportCommand,
  GraphListCommand,
  GraphInfoCommand,
  GraphDropCommand,
  GraphExportCommand,
  RunCommand,
  WorkerCommand,
  PartitionReportCommand,
  RepartitionCommand,
  ResultsCommand,
  RecommendCommand,
  TopicsCommand,
  JobsCommand,
  GenerateKronCommand,
]) {
  cli.register(command);
}
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);

// A closed pipe (`gasworks graph export g | head`) ends the output, not the program with an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

void cli.runExit(process.argv.slice(2));
