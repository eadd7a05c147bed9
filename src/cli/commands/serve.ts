import { Command, Option } from 'clipanion';
import { isLoopback } from '../../cluster/index.js';
import { GasError, InvalidArgumentError } from '../../errors.js';
import { buildApp, APP_DEFAULTS, dashboardPlugin, UPLOADS_FOLDER } from '../../server/index.js';
import { resolveDataDir } from '../../storage/index.js';
import { GasCommand, integerOption } from '../base.js';

/** Shorter tokens are accepted with a warning: they can be guessed. */
const SHORT_TOKEN = 16;

export class ServeCommand extends GasCommand {
  static override paths = [['serve']];

  static override usage = Command.Usage({
    description: 'Serve the REST API: graphs, jobs, results',
    details: `
      Listens on HOST:PORT (default 127.0.0.1:7070: this machine only); port 0 picks a free port, and the first line on stdout names the URL. The web dashboard is at / (it asks for the token), OpenAPI at /openapi.json and Swagger UI at /docs.

      Every route but GET /health needs \`Authorization: Bearer T\` when a token is given (--token T or the environment variable GASWORKS_TOKEN). Without a token the server listens on loopback only: it refuses any other address, where anyone who can reach it could read graphs and run jobs.

      Imports read files inside the data directory's ${UPLOADS_FOLDER}/ folder (POST /graphs with JSON naming one) or uploaded (multipart). On SIGTERM or SIGINT the server stops taking requests, ends queued jobs and stops running ones at a step boundary (both recorded \`interrupted\`), and exits 0.
    `,
    examples: [
      ['On this machine only, no token', '$0 serve'],
      ['On every interface, with a token', 'GASWORKS_TOKEN=$(head -c 24 /dev/urandom | base64) $0 serve --host 0.0.0.0 --port 8080'],
    ],
  });

  host = Option.String('--host', '127.0.0.1', { description: 'Address to listen on (default 127.0.0.1)' });
  port = Option.String('--port', '7070', { description: 'Port (default 7070; 0: a free one)' });
  token = Option.String('--token', { description: 'Bearer token every route but /health requires (default: $GASWORKS_TOKEN)' });
  concurrency = Option.String('--concurrency', { description: 'Jobs running at once (default 1)' });
  queueLimit = Option.String('--queue-limit', { description: 'Jobs waiting at most; more are refused with 503 (default 100)' });
  uploadLimit = Option.String('--upload-limit', { description: `Largest uploaded file in bytes (default ${APP_DEFAULTS.uploadLimit})` });
  rateLimit = Option.String('--rate-limit', {
    description: `Requests per client per minute (default ${APP_DEFAULTS.rateLimit.max}; 0: no limit)`,
  });

  async run(): Promise<number> {
    const port = integerOption(this.port, '--port', 0, 65535)!;
    const token = this.token ?? (process.env.GASWORKS_TOKEN || undefined);
    if (token === undefined && !isLoopback(this.host)) {
      throw new InvalidArgumentError(
        `serve: refusing to listen on ${this.host} without a token: anyone who can reach it could read graphs and run jobs; give --token T or set GASWORKS_TOKEN (or listen on 127.0.0.1)`,
        { option: 'token' },
      );
    }
    if (token !== undefined && token.length < SHORT_TOKEN)
      this.context.stderr.write(`gasworks: warning: the token is shorter than ${SHORT_TOKEN} characters\n`);
    const rate = integerOption(this.rateLimit, '--rate-limit', 0, 1_000_000_000);
    const app = buildApp({
      dataDir: resolveDataDir(this.dataDir),
      token,
      logger: { level: this.verbose ? 'debug' : this.quiet ? 'warn' : 'info', stream: this.context.stderr },
      concurrency: integerOption(this.concurrency, '--concurrency', 1, 1024),
      queueLimit: integerOption(this.queueLimit, '--queue-limit', 0, 1_000_000),
      uploadLimit: integerOption(this.uploadLimit, '--upload-limit', 1, Number.MAX_SAFE_INTEGER),
      rateLimit: rate === 0 ? false : rate === undefined ? undefined : { max: rate, timeWindow: 60_000 },
    });
    // The dashboard's files hold no data and a browser sends no token when it navigates: outside the token's scope.
    await app.register(dashboardPlugin);
    let address: string;
    try {
      address = await app.listen({ host: this.host, port });
    } catch (error) {
      await app.close();
      throw cannotListen(error as NodeJS.ErrnoException, this.host, port);
    }
    this.context.stdout.write(`gasworks serve listening on ${address}\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    app.log.info({ signal }, 'shutting down: running jobs stop at a step boundary (a second signal exits at once)');
    const now = (): never => process.exit(130);
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    // close(): new requests get 503, the job service shuts down (preClose), then the socket and the catalog close.
    await app.close();
    return 0;
  }
}

/** A listen that failed, as the error table says it: a port in use is busy (retry later), anything else an I/O failure. */
function cannotListen(error: NodeJS.ErrnoException, host: string, port: number): GasError {
  if (error.code === 'EADDRINUSE')
    return new GasError('GAS_ERR_BUSY', `serve: ${host}:${port} is in use by another process; pick another --port`, { option: 'port' });
  return new GasError('GAS_ERR_IO', `serve: cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { option: 'host' });
}
