import { Command, Option } from 'clipanion';
import { DEFAULT_LISTEN, isLoopback, loadClusterSecret, parseAddress, startWorkerServer } from '../../cluster/index.js';
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
      Listens on HOST:PORT (default ${DEFAULT_LISTEN}: this machine only) for coordinators (\`gasworks run … --cluster HOST:PORT,…\`). Each connection is one job: the coordinator ships this worker its partitions and the program, drives supersteps, and collects the results. Under \`--data-dir\` the worker keeps shipped program files and a cache of received shards (the 8 most recently used), so the next job on the same graph and worker count ships nothing. Port 0 picks a free port; the first line on stdout names the address.

      A worker runs the program it is sent, so it serves only coordinators that prove they hold the cluster's shared secret: \`--secret-file F\` (at least 16 bytes, readable by its owner only, e.g. \`head -c 32 /dev/urandom | base64 > F; chmod 600 F\`) or the environment variable GASWORKS_CLUSTER_SECRET, the same on every machine of the cluster (\`gasworks run … --cluster … --secret-file F\`). Without one the worker does not start. The handshake proves the secret without sending it; it does not encrypt the traffic, so keep workers on a private network.
    `,
    examples: [
      ['A worker on this machine only', '$0 worker --secret-file ~/.gasworks-secret'],
      ['A worker on its private-network address', '$0 worker --listen 10.0.0.2:7400 --secret-file /etc/gasworks/secret --data-dir /var/lib/gasworks-worker'],
    ],
  });

  listen = Option.String('--listen', DEFAULT_LISTEN, { description: `HOST:PORT to listen on (default ${DEFAULT_LISTEN})` });
  secretFile = Option.String('--secret-file', { description: "the cluster's shared secret (default: $GASWORKS_CLUSTER_SECRET)" });
  advertise = Option.String('--advertise', {
    description: "HOST[:PORT] other workers dial for a job's mesh links (default: the address the coordinator used; HOST alone: this worker's port)",
  });
  logFormat = Option.String('--log-format', {
    description: 'Logs on stderr: json (JSON lines) or line (one human line each); default: line on a terminal, else json',
  });

  async run(): Promise<number> {
    if (this.logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(this.logFormat)) {
      throw new InvalidArgumentError(`worker: --log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(this.logFormat)}`, {
        option: 'log-format',
      });
    }
    const { host } = parseAddress(this.listen, '--listen');
    const secret = loadClusterSecret(this.secretFile);
    if (!secret) {
      throw new InvalidArgumentError(
        isLoopback(host)
          ? 'worker: a cluster secret is required, even on loopback (another user of this machine could send it code): give --secret-file F or set GASWORKS_CLUSTER_SECRET'
          : `worker: refusing to listen on ${this.listen} without a cluster secret: give --secret-file F or set GASWORKS_CLUSTER_SECRET`,
        { option: 'secret-file' },
      );
    }
    const log = createLogger({ name: 'worker', level: levelFor(this), format: this.logFormat as LogFormat | undefined, stream: this.context.stderr });
    const server = await startWorkerServer(this.listen, resolveDataDir(this.dataDir), { secret, log, advertise: this.advertise });
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
