/**
 * The benchmarks run as shipped (issue 13): every `bench/*.ts` script runs on a small input and
 * must exit 0 and print JSON lines carrying the fields its readers quote. The scripts are found by
 * listing the directory, so a new one without small-input arguments here fails the first test.
 *
 * The scripts import the build (`fromDist` in bench/lib.ts): `npm test` builds first. Shared data
 * a script needs and cannot find is a failure naming the file. Two scripts run at a time (most of
 * a run is child processes starting): 27–48 s on two shared cores.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BENCH = resolve('bench');
const DATA = resolve('../shared/data');
/** The smallest edge list in the shared data (4 k vertices, 88 k edges). */
const SMALL_GRAPH = join(DATA, 'facebook_combined.txt.gz');

type Line = Record<string, unknown>;

interface SmallRun {
  /** Arguments for a run of a few seconds. */
  readonly args: readonly string[];
  /** Shared data files the run reads. */
  readonly data: readonly string[];
  /** Per `bench` value: the fields each of its lines must carry (not null). Every value must appear. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** Further checks on all lines. */
  readonly check?: (lines: readonly Line[]) => void;
}

const SCRIPTS: Readonly<Record<string, SmallRun>> = {
  'import.ts': {
    args: ['--runs', '1', '--scale', '10', '--file', SMALL_GRAPH],
    data: [SMALL_GRAPH],
    fields: {
      run: ['run', 'seconds', 'edgesPerSec', 'peakRssMB'],
      generate: ['graph', 'edges', 'bytes', 'seconds'],
      import: ['graph', 'vertices', 'edges', 'medianSeconds', 'edgesPerSec', 'peakRssMB'],
      'graphology-build': ['graph', 'vertices', 'edges', 'medianSeconds', 'edgesPerSec'],
    },
    check: (lines) => expect(graphsOf(lines, 'import')).toEqual(['facebook_combined', 'kron-10']),
  },
  'kill-import.ts': {
    // cnr-2000 itself: an import or a repartition of it takes about 2 s, so two kills of each take about 10 s.
    args: ['--runs', '2'],
    data: [join(DATA, 'cnr-2000.txt.gz')],
    fields: {
      load: ['loadAverage', 'cores'],
      'kill-import': ['runs', 'absent', 'complete', 'half', 'strayDirs', 'finishedBeforeKill', 'importMs', 'killPointsMs'],
      'kill-repartition': ['runs', 'old', 'new', 'half', 'strayDirs', 'finishedBeforeKill', 'repartitionMs', 'killPointsMs'],
    },
    check(lines) {
      // Every run ends in one of the two whole states, and leaves no directory behind.
      const outcomes = (bench: string, whole: readonly string[]): unknown[] =>
        withBench(lines, bench).map((line) => [whole.reduce((sum, field) => sum + (line[field] as number), 0), line.half, line.strayDirs]);
      expect(outcomes('kill-import', ['absent', 'complete'])).toEqual([[2, 0, 0]]);
      expect(outcomes('kill-repartition', ['old', 'new'])).toEqual([[2, 0, 0]]);
      expect(withBench(lines, 'kill-half')).toEqual([]);
    },
  },
  'readers-soak.ts': {
    // Both targets: through the CLI, 10 readers killed, then 2 replace imports with a PageRank each;
    // against one `gasworks serve` on a scale-12 graph, 10 readers of the three kinds, then 2 rounds
    // of replace imports (server and CLI) with 4 held streams killed each: a few seconds each.
    args: ['--against', 'cli,serve', '--readers', '10', '--batch', '10', '--imports', '2', '--file', SMALL_GRAPH, '--scale', '12', '--round-readers', '4'],
    data: [SMALL_GRAPH],
    fields: {
      load: ['loadAverage', 'cores'],
      'readers-killed': ['readers', 'killed', 'seconds', 'readAfterKillOk'],
      'replace-import': ['round', 'ok', 'bytes', 'layouts', 'files'],
      'readers-soak': ['readersKilled', 'imports', 'failures', 'readersFullSeen', 'bytesFirst', 'bytesLast', 'bytesMax', 'growthRatio', 'layoutsLast'],
      'serve-start': ['vertices', 'edges', 'serverPid', 'serverRssMB', 'bytes'],
      'serve-readers-killed': ['readers', 'killed', 'byKind', 'seconds', 'readAfterKillOk', 'serverRssMB', 'deleted'],
      'serve-replace-import': [
        'round',
        'ok',
        'serverImportMs',
        'cliImportMs',
        'roundReadersKilled',
        'heldAcrossReplace',
        'bytes',
        'serverRssMB',
        'deletedHeldBytes',
      ],
      'readers-soak-serve': [
        'readersKilled',
        'roundReadersKilled',
        'imports',
        'cliImports',
        'failures',
        'readersFullSeen',
        'reads',
        'bytesFirst',
        'bytesLast',
        'growthRatio',
        'serverRssBeforeMB',
        'serverRssAfterMB',
        'finalOk',
      ],
    },
    check(lines) {
      expect(withBench(lines, 'readers-killed').map((line) => [line.killed, line.readAfterKillOk])).toEqual([[10, true]]);
      expect(withBench(lines, 'readers-soak').map((line) => [line.failures, line.readersFullSeen])).toEqual([[0, 0]]);
      expect(withBench(lines, 'serve-readers-killed').map((line) => [line.killed, line.readAfterKillOk])).toEqual([[10, true]]);
      expect(withBench(lines, 'readers-soak-serve').map((line) => [line.failures, line.readersFullSeen, line.imports, line.cliImports, line.finalOk])).toEqual([
        [0, 0, 2, 2, true],
      ]);
      expect(withBench(lines, 'readers-soak-failure')).toEqual([]);
    },
  },
  'server.ts': {
    args: [
      '--scale',
      '12',
      '--stream-scale',
      '12',
      '--runs',
      '1',
      '--iterations',
      '3',
      '--stream-iterations',
      '2',
      '--concurrent-streams',
      '2',
      '--connections',
      '10',
    ],
    data: [],
    fields: {
      load: ['loadAverage'],
      import: ['graph', 'seconds'],
      'server-load-warmup': ['computeMs'],
      'server-load': [
        'quietComputeMs',
        'loadedComputeMs',
        'computeRatio',
        'jobRequestsPerSec',
        'jobP99Ms',
        'topRequestsPerSec',
        'topP99Ms',
        'jobErrors',
        'topNon2xx',
      ],
      'server-stream-job': ['computeMs'],
      'server-stream': ['format', 'rows', 'bytes', 'seconds', 'serverRssBeforeMB', 'serverPeakRssMB'],
    },
    check(lines) {
      for (const line of withBench(lines, 'server-load')) expect([line.jobErrors, line.topErrors, line.jobNon2xx, line.topNon2xx]).toEqual([0, 0, 0, 0]);
      // ndjson and csv on one stream each, then ndjson on several at once: every row of the result each time.
      const streams = withBench(lines, 'server-stream');
      expect(streams.map((line) => `${line.format}/${line.streams}`)).toEqual(['ndjson/1', 'csv/1', 'ndjson/2']);
      expect(new Set(streams.map((line) => line.rows)).size).toBe(1);
    },
  },
  'async.ts': {
    args: ['--files', SMALL_GRAPH, '--runs', '1'],
    data: [SMALL_GRAPH],
    fields: { load: ['loadAverage'], async: ['graph', 'algorithm', 'engine', 'vertices', 'updates', 'computeMs', 'updatesPerSecond'] },
    check(lines) {
      const runs = withBench(lines, 'async');
      // Sync and the three schedulers for each algorithm with a sync form; colouring async only.
      expect(runs.map((l) => `${l.algorithm}/${l.engine}/${l.scheduler ?? ''}`)).toEqual(
        ['pagerank', 'connected-components', 'sssp']
          .flatMap((a) => [`${a}/sync/`, `${a}/async/fifo`, `${a}/async/priority`, `${a}/async/sweep`])
          .concat(['fifo', 'priority', 'sweep'].map((s) => `coloring/async/${s}`)),
      );
      for (const line of runs.filter((l) => l.engine === 'async')) {
        expect(line.endReason).toBe('converged');
        if (line.algorithm === 'pagerank') expect(line.l1ToSync as number).toBeLessThan(1e-5);
        else if (line.algorithm === 'coloring') expect(line.conflicts).toBe(0);
        else expect(line.differFromSync).toBe(0);
      }
    },
  },
  'pagerank.ts': {
    args: ['--runs', '1', '--iterations', '3', '--scale', '10', '--file', SMALL_GRAPH],
    data: [SMALL_GRAPH],
    fields: {
      run: ['kind', 'perIterationMs', 'peakRssMB'],
      pagerank: ['graph', 'loadMs', 'perIterationMs', 'edgesPerSec', 'peakRssMB'],
      'c-pull-pagerank': ['graph', 'threads', 'perIterationMs', 'gasworksOverC'],
      'graphology-metrics-pagerank': ['graph', 'perIterationMs', 'edgesPerSec', 'peakRssMB'],
      ratio: ['graph', 'graphologyOverGasworksPerIteration'],
      'import+run pagerank (CLI)': ['graph', 'seconds', 'iterations'],
    },
    check(lines) {
      // Both graphs, each with both peers; the C peer on the one thread gasworks runs on here.
      for (const bench of ['pagerank', 'c-pull-pagerank', 'graphology-metrics-pagerank'])
        expect(graphsOf(lines, bench)).toEqual(['facebook_combined', 'kron-10']);
      for (const line of withBench(lines, 'c-pull-pagerank')) expect(line.threads).toBe(1);
      // Times per iteration come from differences of timed calls: a negative one is a broken method.
      for (const line of lines.filter((l) => l.summary === true)) expect(line.perIterationMs, JSON.stringify(line)).toBeGreaterThan(0);
    },
  },
  'cluster-traffic.ts': {
    args: ['--scale', '10', '--iterations', '3', '--runs', '1'],
    data: [],
    fields: {
      load: ['loadAverage', 'cores'],
      import: ['graph', 'vertices', 'edges', 'partitions', 'replicationFactor'],
      run: ['placement', 'cache', 'msPerStep', 'exchangeBytesPerStep', 'messagesPerStep', 'mirrorUpdatesPerStep'],
      'cluster-traffic': ['placement', 'cache', 'runs', 'msPerStep', 'exchangeBytesPerStep', 'meshBytesPerStep', 'messagesPerStep', 'mirrorUpdatesPerStep'],
    },
    check(lines) {
      const summaries = withBench(lines, 'cluster-traffic');
      expect(summaries.map((line) => `${line.placement}/${line.cache}`)).toEqual(['cluster/cold', 'cluster/warm', 'threads/warm', 'in-process/warm']);
      const [cold, warm, threads, single] = summaries as [Line, Line, Line, Line];
      // The cold run ships the shards, the warm one finds them cached. The cut's bytes travel on the
      // mesh: the coordinator's links carry control only, a fraction of them even on this small graph
      // (relayed through the coordinator, they crossed its links twice: a share of 2).
      expect(cold.shardBytes as number).toBeGreaterThan(10 * (warm.shardBytes as number));
      for (const line of [cold, warm]) {
        expect(line.meshBytesPerStep).toBe(line.exchangeBytesPerStep);
        expect(line.coordinatorPpmOfMesh as number).toBeLessThan(200_000);
      }
      expect(threads.coordinatorBytesPerStep).toBeUndefined();
      // The same partitions exchange the same bytes on threads as on processes; one worker exchanges none.
      expect(threads.exchangeBytesPerStep).toBe(warm.exchangeBytesPerStep);
      expect(warm.exchangeBytesPerStep as number).toBeGreaterThan(0);
      expect(single.exchangeBytesPerStep).toBe(0);
    },
  },
  'pagerank-accuracy.ts': {
    args: ['--files', SMALL_GRAPH],
    data: [SMALL_GRAPH],
    fields: { 'pagerank-accuracy': ['graph', 'rule'] },
    check(lines) {
      const byRule = new Map(withBench(lines, 'pagerank-accuracy').map((line) => [line.rule, line]));
      expect([...byRule.keys()].sort()).toEqual(['default', 'networkx', 'reference']);
      for (const rule of ['default', 'networkx']) {
        const line = byRule.get(rule)!;
        for (const field of ['stopRule', 'tolerance', 'iterations', 'l1ToReference', 'top100Overlap'])
          expect(line[field], `${rule}.${field}`).toBeTypeOf(field === 'stopRule' ? 'string' : 'number');
        expect(line.top100Overlap).toBeGreaterThanOrEqual(0);
        expect(line.top100Overlap).toBeLessThanOrEqual(100);
      }
      expect(byRule.get('reference')!.iterations).toBeGreaterThan(byRule.get('default')!.iterations as number);
    },
  },
  'partition.ts': {
    args: ['--graphs', 'kron', '--scale', '10', '--partitions', '4,16', '--iterations', '2'],
    data: [],
    fields: {
      partition: ['graph', 'partitions', 'strategy', 'replicationFactor', 'edgeBalance', 'vertexBalance', 'millionEdgesPerSecond'],
      'pagerank-by-strategy': ['graph', 'rank', 'strategy', 'replicationFactor', 'perIterationMs', 'exchangedBytesPerStep'],
    },
    check: (lines) => expect(withBench(lines, 'pagerank-by-strategy').map((line) => line.rank)).toEqual(['best', 'worst']),
  },
  'scaling.ts': {
    args: ['--scale', '10', '--ssp-scale', '10', '--iterations', '3', '--runs', '1'],
    data: [],
    fields: {
      import: ['graph', 'vertices', 'edges', 'replicationFactor'],
      run: ['label', 'perIterationMs', 'peakRssMB'],
      pagerank: ['label', 'perIterationMs'],
      speedup: ['perIterationMs', 'speedup'],
      'c-pull-pagerank': ['threads', 'perIterationMs'],
      ssp: ['staleness', 'secondsToConverge', 'iterations'],
    },
    check(lines) {
      // The peer's own report of its threads: a build without OpenMP would say 1 on the 2-thread row.
      expect(withBench(lines, 'c-pull-pagerank').map((line) => line.threads)).toEqual([1, 2]);
      expect(withBench(lines, 'ssp').map((line) => line.staleness)).toEqual([0, 1, 2, 4]);
    },
  },
  'graphology.ts': {
    args: ['--runs', '1', '--small'],
    data: [],
    fields: {
      'graphology-load': ['graph', 'vertices', 'edges', 'loadMs'],
      'graphology-pagerank': ['engine', 'workers', 'iterations', 'totalMs'],
      summary: ['engine', 'workers', 'iterations', 'totalMs'],
      agreement: ['iterations', 'maxAbsDiff', 'ok'],
    },
    check: (lines) => expect(withBench(lines, 'agreement').map((line) => line.ok)).toEqual([true]),
  },
  'transfer.ts': {
    args: ['--rounds', '1'],
    data: [],
    fields: { 'thread-messages': ['method', 'bytes', 'roundTripMs', 'gbPerSecond'] },
  },
  'fault-tolerance.ts': {
    // The overhead section on a small Kronecker graph; the recovery section's real data sets take minutes.
    args: ['--sections', 'overhead', '--scale', '12', '--repeats', '1'],
    data: [],
    fields: {
      'checkpoint-overhead': ['graph', 'computeMs', 'checkpoints', 'bytesPerCheckpoint', 'msPerCheckpoint'],
      'recovery-cost': ['identical', 'recoveryMs', 'stepsRedone'],
    },
    check: (lines) => expect(withBench(lines, 'recovery-cost').map((line) => line.identical)).toEqual([true]),
  },
  'als.ts': {
    args: ['--runs', '1', '--synthetic', '10000'],
    data: [join(DATA, 'ml-latest-small.ratings.csv.gz')],
    fields: {
      als: ['system', 'rank', 'testRmse', 'seconds', 'ratingsPerSecond'],
      'als-throughput': ['ratings', 'secondsPerIteration', 'ratingsPerSecond'],
    },
  },
  'lda.ts': {
    args: ['--corpora', 'kos', '--topics', '5', '--iterations', '5'],
    data: [join(DATA, 'docword.kos.txt.gz'), join(DATA, 'vocab.kos.txt.gz')],
    fields: { lda: ['corpus', 'topics', 'sampler', 'iterations', 'tokens', 'logLikelihoodPerToken', 'tokensPerSecond'] },
  },
};

function withBench(lines: readonly Line[], bench: string): Line[] {
  return lines.filter((line) => line.bench === bench);
}

/** The graphs of a bench's summary lines (or of all its lines when it has none), in order. */
function graphsOf(lines: readonly Line[], bench: string): unknown[] {
  const own = withBench(lines, bench);
  const summaries = own.filter((line) => line.summary === true);
  return (summaries.length > 0 ? summaries : own).map((line) => line.graph);
}

/** At most `slots` scripts at once; the rest wait their turn. */
function limiter(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  const waiting: (() => void)[] = [];
  let free = slots;
  return async (task) => {
    if (free === 0) await new Promise<void>((wake) => waiting.push(wake));
    else free--;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
const inTurn = limiter(2);

function runScript(script: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolveRun({ status, stdout, stderr }));
  });
}

describe.concurrent('bench scripts on small inputs', () => {
  const scripts = readdirSync(BENCH)
    .filter((file) => file.endsWith('.ts') && file !== 'lib.ts')
    .sort();

  it('every script has small-input arguments here', () => {
    expect(
      scripts.filter((script) => !(script in SCRIPTS)),
      'bench scripts with no entry in SCRIPTS of test/bench.test.ts',
    ).toEqual([]);
    expect(existsSync(resolve('dist/index.js')), 'dist/ is missing: run `npm run build` (npm test does)').toBe(true);
  });

  for (const script of scripts.filter((name) => name in SCRIPTS)) {
    const run = SCRIPTS[script]!;
    it(`bench/${script} ${run.args.join(' ')}`, async () => {
      for (const file of run.data) expect(existsSync(file), `bench/${script} needs the shared data file ${file}, which is missing`).toBe(true);
      const { status, stdout, stderr } = await inTurn(() => runScript(script, run.args));
      expect(status, `bench/${script} exited ${status}:\n${stderr.slice(-4000)}`).toBe(0);
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          let parsed: unknown;
          expect(() => (parsed = JSON.parse(line)), `not a JSON line: ${line}`).not.toThrow();
          expect(parsed, `not a JSON object: ${line}`).toBeTypeOf('object');
          return parsed as Line;
        });
      for (const line of lines) {
        expect(line.bench, `a line without "bench": ${JSON.stringify(line)}`).toBeTypeOf('string');
        const expected = run.fields[line.bench as string];
        if (expected === undefined || 'skipped' in line) continue;
        for (const field of expected) expect(line[field] ?? null, `${field} in ${JSON.stringify(line)}`).not.toBeNull();
      }
      for (const bench of Object.keys(run.fields)) expect(withBench(lines, bench).length, `no "${bench}" line`).toBeGreaterThan(0);
      // A skipped case on the small input means a peer or a data set went missing.
      const skipped = lines.filter((line) => 'skipped' in line);
      expect(skipped, 'skipped cases').toEqual([]);
      run.check?.(lines);
    }, 120_000);
  }
});
