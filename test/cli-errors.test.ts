/**
 * The CLI's errors, help and housekeeping as a new user meets them (issue 13, item 2): the built
 * `bin/gasworks.js` in a child process. Usage errors say what is wrong in one line with a
 * did-you-mean; internal errors are one line with a code; read-only commands leave no data
 * directory behind; `jobs rm` / `jobs prune`; `--replace` does not drop results silently; likely
 * wrong formats are caught; the worker logs through pino; piped help has no colour codes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labelHint, vertexNotFound } from '../src/api/label-hint.js';
import { suggest } from '../src/util/did-you-mean.js';
import { ERROR_CODES } from '../src/errors.js';
import { Catalog } from '../src/index.js';
import { makeTempDir, removeTempDirs, withReader, writeGraphFile } from './helpers/graph-files.js';
// Gives this process (and so the workers and coordinators it spawns) the cluster's secret.
import './helpers/workers.js';

const CLI = resolve('bin/gasworks.js');

afterAll(removeTempDirs);

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function gasworks(dataDir: string, ...args: string[]): Outcome {
  return spawnCli([...args, '--data-dir', dataDir]);
}

function spawnCli(args: readonly string[], nodeOptions: readonly string[] = []): Outcome {
  const child = spawnSync(process.execPath, [...nodeOptions, CLI, ...args], { encoding: 'utf8', env: { ...process.env, GASWORKS_HOME: undefined } });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

/** One line on stderr, ending in the code, and the code's exit status. */
function expectOneLineError(outcome: Outcome, code: keyof typeof ERROR_CODES, message: string | RegExp): void {
  expect(outcome.status, outcome.stderr).toBe(ERROR_CODES[code].exit);
  expect(outcome.stderr.trimEnd().split('\n'), outcome.stderr).toHaveLength(1);
  expect(outcome.stderr.trimEnd()).toMatch(new RegExp(`^gasworks: .* \\[${code}\\]$`));
  if (typeof message === 'string') expect(outcome.stderr).toContain(message);
  else expect(outcome.stderr).toMatch(message);
}

describe('gasworks CLI errors', () => {
  const dir = makeTempDir('gasworks-cli-errors-');
  const data = join(dir, 'data');
  // Not a cycle: PageRank needs more than one step on it, so a one-step run stops unconverged.
  const file = writeGraphFile(dir, 'tiny.txt', 'alice bob\nbob carol\ncarol alice\nalice carol\ndave alice\n');

  it('a forgotten required option or argument says which', () => {
    expectOneLineError(gasworks(data, 'import', file), 'GAS_ERR_INVALID_ARGUMENT', 'import: --name is required');
    expectOneLineError(gasworks(data, 'import', '--name', 'g'), 'GAS_ERR_INVALID_ARGUMENT', 'import: missing argument <file>');
    expectOneLineError(gasworks(data, 'import', file, '--name'), 'GAS_ERR_INVALID_ARGUMENT', 'import: --name needs a value');
    expectOneLineError(gasworks(data, 'generate', 'kron', '--scale', '4'), 'GAS_ERR_INVALID_ARGUMENT', 'generate kron: --output is required');
    expectOneLineError(gasworks(data, 'graph', 'info', 'g', 'h'), 'GAS_ERR_INVALID_ARGUMENT', 'graph info: unexpected argument "h"');
  });

  it('a mistyped command or option gets a did-you-mean, options in kebab-case', () => {
    expectOneLineError(gasworks(data, 'imprt', file), 'GAS_ERR_INVALID_ARGUMENT', 'unknown command "imprt"; did you mean "import"?');
    expectOneLineError(gasworks(data, 'job'), 'GAS_ERR_INVALID_ARGUMENT', 'did you mean "jobs"?');
    expectOneLineError(gasworks(data, 'graph', 'lst'), 'GAS_ERR_INVALID_ARGUMENT', 'did you mean "graph list"?');
    expectOneLineError(gasworks(data, 'import', file, '--nmae', 'g'), 'GAS_ERR_INVALID_ARGUMENT', 'import: unknown option --nmae; did you mean --name?');
    expectOneLineError(gasworks(data, 'import', file, '--name', 'g', '--dropSelfLoops'), 'GAS_ERR_INVALID_ARGUMENT', 'did you mean --drop-self-loops?');
    const json = gasworks(data, 'import', file, '--nmae', 'g', '--json');
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'GAS_ERR_INVALID_ARGUMENT', details: { option: '--nmae', suggestion: '--name' } });
  });

  it('suggest: typos, swapped letters, other cases and unique prefixes; nothing for unrelated or ambiguous names', () => {
    expect(suggest('imprt', ['import', 'run', 'jobs'])).toBe('import');
    expect(suggest('--nmae', ['--name', '--format'])).toBe('--name');
    expect(suggest('maxIterations', ['max-iterations', 'tolerance'])).toBe('max-iterations');
    expect(suggest('tol', ['max-iterations', 'tolerance'])).toBe('tolerance');
    expect(suggest('frobnicate', ['import', 'run'])).toBeNull();
    expect(suggest('ab', ['ac', 'ad'])).toBeNull();
  });

  it('read-only commands on a missing data directory: empty lists or not-found, and no directory created', () => {
    const missing = join(dir, 'never-created');
    expect(gasworks(missing, 'graph', 'list')).toMatchObject({ status: 0, stdout: expect.stringContaining('no graphs') });
    expect(JSON.parse(gasworks(missing, 'jobs', '--json').stdout)).toEqual([]);
    for (const args of [
      ['graph', 'info', 'g'],
      ['graph', 'export', 'g'],
      ['graph', 'drop', 'g'],
      ['results', '1'],
      ['topics', '1'],
      ['recommend', '1', '--user', '1'],
      ['jobs', 'rm', '1'],
      ['repartition', 'g'],
    ]) {
      expect(gasworks(missing, ...args).status, args.join(' ')).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    }
    expect(gasworks(missing, 'partition-report', file, '--partitions', '2', '--strategies', 'random').status).toBe(0);
    expect(existsSync(missing)).toBe(false);
  });

  it('an internal error is one line with GAS_ERR_INTERNAL and exit 70; --verbose adds the stack', () => {
    // A bug stands in for one: a preloaded module makes the catalog throw a TypeError.
    const inject = writeGraphFile(
      dir,
      'inject-bug.mjs',
      `import { Catalog } from ${JSON.stringify(pathToFileURL(resolve('dist/storage/catalog.js')).href)};\n` +
        `Catalog.prototype.listGraphs = function () { throw new TypeError('an injected bug'); };\n`,
    );
    mkdirSync(data, { recursive: true });
    const plain = spawnCli(['graph', 'list', '--data-dir', data], ['--import', pathToFileURL(inject).href]);
    expectOneLineError(plain, 'GAS_ERR_INTERNAL', 'internal error: an injected bug (re-run with --verbose for the stack)');
    expect(ERROR_CODES.GAS_ERR_INTERNAL.exit).toBe(70);
    const verbose = spawnCli(['graph', 'list', '--data-dir', data, '--verbose'], ['--import', pathToFileURL(inject).href]);
    expect(verbose.status).toBe(70);
    expect(verbose.stderr).toMatch(/\n\s+at .*listGraphs/);
  });

  it('a full disk that reaches the CLI as a bare SQLite or file-system error is GAS_ERR_NO_SPACE, not an internal error', () => {
    for (const code of ['SQLITE_FULL', 'ENOSPC']) {
      const inject = writeGraphFile(
        dir,
        `inject-${code}.mjs`,
        `import { Catalog } from ${JSON.stringify(pathToFileURL(resolve('dist/storage/catalog.js')).href)};\n` +
          `Catalog.prototype.listGraphs = function () { throw Object.assign(new Error('database or disk is full'), { code: '${code}' }); };\n`,
      );
      mkdirSync(data, { recursive: true });
      const full = spawnCli(['graph', 'list', '--data-dir', data], ['--import', pathToFileURL(inject).href]);
      expectOneLineError(full, 'GAS_ERR_NO_SPACE', "no space left on the data directory's volume (database or disk is full)");
    }
  });

  it('--verbose shows debug lines, --quiet hides informational ones; both at once are refused', () => {
    const verbose = gasworks(data, 'graph', 'list', '--verbose');
    expect(verbose.status).toBe(0);
    expect(verbose.stderr).toMatch(/^\S+Z DEBUG gasworks: opening the catalog dataDir=\S+ create=false$/m);
    expect(gasworks(data, 'graph', 'list').stderr).toBe('');
    expectOneLineError(gasworks(data, 'graph', 'list', '--quiet', '--verbose=false'), 'GAS_ERR_INVALID_ARGUMENT', 'takes no value');
    const both = gasworks(data, 'graph', 'list', '--verbose', '--quiet');
    expect(both.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    // --verbose shows the stack of any error, after its one line.
    expect(both.stderr).toMatch(/^gasworks: --verbose and --quiet contradict each other; give one \[GAS_ERR_INVALID_ARGUMENT\]\n.*Error/);
  });

  it('help has no colour codes when piped and names every value (no #0)', () => {
    for (const args of [['--help'], ['import', '--help'], ['jobs', 'rm', '--help'], ['generate', 'kron', '--help']]) {
      const help = spawnCli(args);
      expect(help.status).toBe(0);
      expect(help.stdout).not.toContain('\x1b[');
      expect(help.stdout).not.toMatch(/#\d/);
    }
    expect(spawnCli(['import', '--help']).stdout).toMatch(/--data-dir DIR\s+Data directory/);
  });

  it('jobs: options that differ from the defaults, a legend for *, rm and prune --failed', () => {
    expect(gasworks(data, 'import', file, '--name', 'tiny').status).toBe(0);
    const stopped = JSON.parse(gasworks(data, 'run', 'pagerank', '--graph', 'tiny', '--max-iterations', '1', '--damping', '0.9', '--json').stdout);
    const program = writeGraphFile(dir, 'throws.ts', `export default { name: 'boom', vertexColumns: { x: 'f64' }, apply() { throw new Error('kaboom'); } };\n`);
    expect(gasworks(data, 'run', program, '--graph', 'tiny').status).toBe(ERROR_CODES.GAS_ERR_PROGRAM.exit);

    const listing = gasworks(data, 'jobs');
    expect(listing.stdout).toMatch(new RegExp(`^${stopped.jobId}\\s+pagerank\\s+tiny\\s+succeeded\\s+1\\*.*damping=0\\.9 maxIterations=1\\s*$`, 'm'));
    expect(listing.stdout).toMatch(/^OPTIONS|\bOPTIONS\b/m);
    expect(listing.stdout).toContain('* after ITER: stopped at the iteration limit (--max-iterations; async: --max-updates or --timeout) without converging');

    const graphId = JSON.parse(gasworks(data, 'graph', 'info', 'tiny', '--json').stdout).id as string;
    const resultFile = join(data, 'graphs', graphId, 'jobs', `job-${stopped.jobId}.mdb`);
    expect(existsSync(resultFile)).toBe(true);
    const removed = gasworks(data, 'jobs', 'rm', String(stopped.jobId));
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`removed job ${stopped.jobId}`);
    expect(existsSync(resultFile)).toBe(false);
    expect(gasworks(data, 'results', String(stopped.jobId)).status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);

    // A running job (this process owns it, so it stays running) is refused.
    const catalog = Catalog.open(data);
    const running = catalog.jobs.create({ graphId, graphName: 'tiny', algorithm: 'pagerank', programFile: null, options: {}, workers: 1 });
    catalog.close();
    expectOneLineError(gasworks(data, 'jobs', 'rm', String(running)), 'GAS_ERR_BUSY', `job ${running} is running`);

    expectOneLineError(gasworks(data, 'jobs', 'prune'), 'GAS_ERR_INVALID_ARGUMENT', '--failed');
    const pruned = gasworks(data, 'jobs', 'prune', '--failed');
    expect(pruned.stdout).toMatch(/^removed 1 failed job \(\d+\)$/m);
    expect(gasworks(data, 'jobs', 'prune', '--failed').stdout).toContain('no failed jobs');
    const left = JSON.parse(gasworks(data, 'jobs', '--json').stdout).map((j: { id: number }) => j.id);
    expect(left).toEqual([running]);
  });

  it('import --replace of a graph with results asks for --force, says what it deleted, and keeps the jobs listed', () => {
    expect(gasworks(data, 'import', file, '--name', 'fresh').status).toBe(0);
    expect(gasworks(data, 'import', file, '--name', 'fresh', '--replace').status).toBe(0); // no jobs: no --force needed
    const job = JSON.parse(gasworks(data, 'run', 'pagerank', '--graph', 'fresh', '--json').stdout).jobId as number;
    const refused = gasworks(data, 'import', file, '--name', 'fresh', '--replace');
    expectOneLineError(
      refused,
      'GAS_ERR_EXISTS',
      `import: graph "fresh" has a finished job with results (job ${job}); --replace deletes its result (the job stays listed, as on a replaced graph); add --force`,
    );
    expect(JSON.parse(gasworks(data, 'jobs', '--graph', 'fresh', '--json').stdout)).toHaveLength(1);
    const forced = gasworks(data, 'import', file, '--name', 'fresh', '--replace', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(
      `import: replaced graph "fresh" and deleted the results of its job ${job}; it stays in gasworks jobs, marked "graph replaced"`,
    );
    expect(JSON.parse(gasworks(data, 'jobs', '--graph', 'fresh', '--json').stdout)).toMatchObject([{ id: job, status: 'succeeded', graphRemoved: 'replaced' }]);
    expect(gasworks(data, 'run', 'pagerank', '--graph', 'fresh').status).toBe(0);
    expect(gasworks(data, 'import', file, '--name', 'fresh', '--replace', '--force', '--quiet').stderr).toBe('');
    expectOneLineError(gasworks(data, 'import', file, '--name', 'other', '--force'), 'GAS_ERR_INVALID_ARGUMENT', '--force goes with --replace');
  });

  it('ratings and bag-of-words files imported as edge lists are refused, naming the right --format', () => {
    const ratings = writeGraphFile(dir, 'ratings.csv', 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0,964981247\n2,1,3.5,964982224\n');
    expectOneLineError(gasworks(data, 'import', ratings, '--name', 'ml'), 'GAS_ERR_INVALID_ARGUMENT', /import it with --format ratings .*u:1 and i:1/);
    expect(gasworks(data, 'import', ratings, '--name', 'ml', '--format', 'ratings').status).toBe(0);
    const dat = writeGraphFile(dir, 'ratings.dat', '1::1193::5::978300760\n1::661::3::978302109\n');
    expectOneLineError(gasworks(data, 'import', dat, '--name', 'ml1m'), 'GAS_ERR_INVALID_ARGUMENT', '--format ratings');
    const docword = writeGraphFile(dir, 'docword.txt', '3\n4\n6\n1 1 3\n1 2 1\n2 3 2\n2 4 2\n3 1 1\n3 4 1\n');
    expectOneLineError(gasworks(data, 'import', docword, '--name', 'kos'), 'GAS_ERR_INVALID_ARGUMENT', 'import it with --format uci --vocab VOCAB_FILE');
    const ldac = writeGraphFile(dir, 'corpus.txt', '2 0:1 3:2\n1 2:5\n');
    expectOneLineError(gasworks(data, 'import', ldac, '--name', 'ldac'), 'GAS_ERR_INVALID_ARGUMENT', '--format lda-c');
    expect(existsSync(join(data, 'graphs'))).toBe(true);
    expect(JSON.parse(gasworks(data, 'graph', 'list', '--json').stdout).map((g: { name: string }) => g.name)).not.toContain('kos');
  });

  it('a label not in the graph gets a hint when the labels carry a prefix', () => {
    const ratings = writeGraphFile(dir, 'hint-ratings.csv', 'userId,movieId,rating\n1,1,4.0\n1,3,4.0\n2,1,3.5\n');
    expect(gasworks(data, 'import', ratings, '--name', 'ml-hint', '--format', 'ratings').status).toBe(0);
    expect(gasworks(data, 'import', file, '--name', 'plain-hint').status).toBe(0);
    const catalog = Catalog.open(data);
    try {
      withReader(catalog, 'ml-hint', (reader) => {
        expect(labelHint(reader, '1')).toBe('its labels look like "u:1" / "i:1": did you mean "u:1"?');
        expect(labelHint(reader, '3')).toBe('its labels look like "i:3": did you mean "i:3"?');
        expect(labelHint(reader, 'u:3')).toBe('its labels look like "i:3": did you mean "i:3"?');
        expect(labelHint(reader, '999')).toMatch(/^its labels look like "[ui]:\d+"( \/ "[ui]:\d+")?$/);
        const error = vertexNotFound(reader, 'ml-hint', '1', 'results', { option: 'vertex' });
        expect(error.code).toBe('GAS_ERR_NOT_FOUND');
        expect(error.message).toBe('results: vertex "1" is not in graph "ml-hint" (its labels look like "u:1" / "i:1": did you mean "u:1"?)');
      });
      withReader(catalog, 'plain-hint', (reader) => {
        expect(labelHint(reader, 'dave')).toBeNull();
        expect(vertexNotFound(reader, 'tiny', 'dave', 'sssp: source').message).toBe('sssp: source: vertex "dave" is not in graph "tiny"');
      });
    } finally {
      catalog.close();
    }
  });

  it('gasworks worker logs JSON lines through pino: time, connection and peer on each line, and the job id from its setup on', async () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--listen', '127.0.0.1:0', '--data-dir', makeTempDir('gasworks-worker-'), '--log-format', 'json']);
    let stdout = '';
    let stderr = '';
    let jobId = 0;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const address = await new Promise<string>((resolveAddress, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (\S+)/.exec(stdout);
          if (match) resolveAddress(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
      });
      expect(gasworks(data, 'import', file, '--name', 'for-worker').status).toBe(0);
      const run = gasworks(data, 'run', 'connected-components', '--graph', 'for-worker', '--cluster', address, '--json');
      expect(run.status, run.stderr).toBe(0);
      jobId = JSON.parse(run.stdout).jobId;
      // The close is logged once the worker sees the coordinator hang up.
      for (let waited = 0; !stderr.includes('"msg":"closed"') && waited < 10_000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const records = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ name: 'worker', msg: 'listening' });
    const connection = records.filter((record) => record.connection === 1);
    expect(connection.map((record) => record.msg)).toEqual(expect.arrayContaining(['connected', 'setup', 'ready', 'results collected', 'closed']));
    for (const record of connection) {
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(record.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    expect(connection.find((record) => record.msg === 'setup')).toMatchObject({ program: 'connected-components', shard: 'shipped' });
    for (const msg of ['ready', 'results collected', 'closed']) expect(connection.find((record) => record.msg === msg)).toMatchObject({ job: jobId });
  });
});
