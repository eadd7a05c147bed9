import { Command, Option } from 'clipanion';
import { startWorkerServer } from '../../cluster/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { resolveDataDir } from '../../storage/index.js';
import { createLogger, levelFor, type LogFormat } from '../../util/log.js';
import { GasCommand } from '../base.js';

const LOG_FORMATS: readonly LogFormat[] = ['json', 'line'];

export class WorkerCommand extends GasCommand {
  static override paths = [['worker']];

  static override usage = Command.Usage({
    description: 'Serve jobs to coordinators as a remote worker',
    details: `
      Listens on HOST:PORT for coordinators (\`gasworks run … --cluster HOST:PORT,…\`). Each connection is one job: the coordinator ships this worker its partitions and the program, drives supersteps, and collects the results. Under \`--data-dir\` the worker keeps shipped program files and a cache of received shards (the 8 most recently used), so the next job on the same graph and worker count ships nothing. Port 0 picks a free port; the first line on stdout names the address.

      A worker does not yet authenticate coordinators and runs the program it is sent: listen on loopback or on an address of a private network only your machines reach, never on a public interface.
    `,
    examples: [
      ['A worker on this machine only', '$0 worker --listen 127.0.0.1:7400'],
      ['A worker on its private-network address', '$0 worker --listen 10.0.0.2:7400 --data-dir /var/lib/gasworks-worker'],
    ],
  });

  listen = Option.String('--listen', { required: true, description: 'HOST:PORT to listen on' });
  logFormat = Option.String('--log-format', {
    description: 'Logs on stderr: json (JSON lines) or line (one human line each); default: line on a terminal, else json',
  });

  async run(): Promise<number> {
    if (this.logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(this.logFormat)) {
      throw new InvalidArgumentError(`worker: --log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(this.logFormat)}`, {
        option: 'log-format',
      });
    }
    const log = createLogger({ name: 'worker', level: levelFor(this), format: this.logFormat as LogFormat | undefined, stream: this.context.stderr });
    const server = await startWorkerServer(this.listen, resolveDataDir(this.dataDir), log);
    log.info({ address: server.address, dataDir: resolveDataDir(this.dataDir) }, 'listening');
    this.context.stdout.write(`gasworks worker listening on ${server.address}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log.info('stopping');
    await server.close();
    return 0;
  }
}
