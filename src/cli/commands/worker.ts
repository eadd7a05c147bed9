import { Command, Option } from 'clipanion';
import { startWorkerServer } from '../../cluster/index.js';
import { resolveDataDir } from '../../storage/index.js';
import { GasCommand } from '../base.js';

export class WorkerCommand extends GasCommand {
  static override paths = [['worker']];

  static override usage = Command.Usage({
    description: 'Serve jobs to coordinators as a remote worker',
    details: `
      Listens on HOST:PORT for coordinators (\`gasworks run … --cluster HOST:PORT,…\`). Each connection is one job: the coordinator ships this worker its partitions and the program, drives supersteps, and collects the results. Under \`--data-dir\` the worker keeps shipped program files and a cache of received shards (the 8 most recently used), so the next job on the same graph and worker count ships nothing. Port 0 picks a free port; the first line on stdout names the address.
    `,
    examples: [['A worker on all interfaces, port 7400', '$0 worker --listen 0.0.0.0:7400 --data-dir /var/lib/gasworks-worker']],
  });

  listen = Option.String('--listen', { required: true, description: 'HOST:PORT to listen on' });

  async run(): Promise<number> {
    const server = await startWorkerServer(this.listen, resolveDataDir(this.dataDir), (line) => this.context.stderr.write(`gasworks worker: ${line}\n`));
    this.context.stdout.write(`gasworks worker listening on ${server.address}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  }
}
