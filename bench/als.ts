/**
 * ALS on MovieLens ml-latest-small: a seeded random 90/10 split, then held-out RMSE and time for
 * ranks 10 and 20 (median of `--runs` runs), against LIBMF (SGD) on the same split when
 * `--libmf DIR` points at a build of https://github.com/cjlin1/libmf (built outside this
 * repository; nothing of it is committed). Then throughput on a synthetic ratings set with
 * power-law item popularity (`--synthetic N` ratings, default 20 M; 0 to skip): ratings per
 * second per iteration.
 *
 *   npm run build && node --import tsx bench/als.ts [--runs 3] [--libmf /tmp/libmf] [--synthetic 20000000] [--workers 1]
 *
 * One JSON line per configuration.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { fromDist, median, round, seededRandom, writeSyntheticRatings } from './lib.js';

const DATA = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    libmf: { type: 'string' },
    synthetic: { type: 'string', default: '20000000' },
    workers: { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
  },
});
const runs = Number(values.runs);
const workers = Number(values.workers);

const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
const { importGraphFile, runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');

const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-als-'));
const catalog = Catalog.open(join(work, 'data'));
try {
  // The split: 10% of the ratings, chosen by a seeded shuffle, held out.
  const lines = gunzipSync(readFileSync(join(DATA, 'ml-latest-small.ratings.csv.gz')))
    .toString('utf8')
    .trim()
    .split('\n');
  const [header, ...body] = lines;
  const rng = seededRandom(Number(values.seed));
  for (let i = body.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [body[i], body[j]] = [body[j]!, body[i]!];
  }
  const held = Math.floor(body.length / 10);
  const test = body.slice(0, held);
  const train = body.slice(held);
  const trainFile = join(work, 'train.csv');
  const testFile = join(work, 'test.csv');
  writeFileSync(trainFile, `${header}\n${train.join('\n')}\n`);
  writeFileSync(testFile, `${header}\n${test.join('\n')}\n`);
  const imported = await importGraphFile(catalog, { file: trainFile, name: 'ml', format: 'ratings', partitions: Math.max(4, workers) });

  for (const rank of [10, 20]) {
    const measured: { rmse: number; computeMs: number; loadMs: number; ratingsPerSecond: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const job = await runJob(catalog, { graph: 'ml', algorithm: 'als', options: { rank, test: testFile }, workers, top: 0 });
      const rmse = (job.testRmse as number[]).at(-1)!;
      measured.push({ rmse, computeMs: job.timings.computeMs, loadMs: job.timings.loadMs, ratingsPerSecond: job.ratingsPerSecond as number });
    }
    console.log(
      JSON.stringify({
        bench: 'als',
        data: 'ml-latest-small 90/10',
        system: 'gasworks',
        rank,
        workers,
        trainRatings: train.length,
        testRatings: test.length,
        testRmse: round(median(measured.map((m) => m.rmse))),
        seconds: round(median(measured.map((m) => m.computeMs + m.loadMs)) / 1000),
        computeSeconds: round(median(measured.map((m) => m.computeMs)) / 1000),
        importSeconds: round(imported.timings.totalMs / 1000),
        ratingsPerSecond: Math.round(median(measured.map((m) => m.ratingsPerSecond))),
      }),
    );
  }

  if (values.libmf) {
    // LIBMF reads "user item rating" lines; same split.
    const toLibmf = (rows: string[], file: string): void => writeFileSync(file, `${rows.map((row) => row.split(',').slice(0, 3).join(' ')).join('\n')}\n`);
    toLibmf(train, join(work, 'train.libmf'));
    toLibmf(test, join(work, 'test.libmf'));
    for (const rank of [10, 20]) {
      const rmses: number[] = [];
      const seconds: number[] = [];
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        execFileSync(join(values.libmf, 'mf-train'), ['-k', String(rank), '-s', '1', join(work, 'train.libmf'), join(work, 'model.libmf')], { stdio: 'pipe' });
        seconds.push((performance.now() - started) / 1000);
        const out = execFileSync(join(values.libmf, 'mf-predict'), [join(work, 'test.libmf'), join(work, 'model.libmf'), join(work, 'out.libmf')]).toString();
        rmses.push(Number(/RMSE = ([\d.]+)/.exec(out)?.[1]));
      }
      console.log(
        JSON.stringify({
          bench: 'als',
          data: 'ml-latest-small 90/10',
          system: 'libmf (SGD, 1 thread, defaults)',
          rank,
          testRmse: round(median(rmses)),
          seconds: round(median(seconds)),
        }),
      );
    }
  }

  const synthetic = Number(values.synthetic);
  if (synthetic > 0) {
    const file = join(work, 'synthetic.tsv');
    const { users, items } = await writeSyntheticRatings(file, synthetic);
    const started = performance.now();
    await importGraphFile(catalog, { file, name: 'synthetic', format: 'ratings', partitions: 4 });
    const importSeconds = (performance.now() - started) / 1000;
    const job = await runJob(catalog, { graph: 'synthetic', algorithm: 'als', options: { rank: 10, maxIterations: 3 }, workers, top: 0 });
    console.log(
      JSON.stringify({
        bench: 'als-throughput',
        ratings: synthetic,
        users,
        items,
        rank: 10,
        workers: job.workers,
        importSeconds: round(importSeconds),
        loadSeconds: round(job.timings.loadMs / 1000),
        secondsPerIteration: round(job.timings.computeMs / 1000 / job.iterations),
        ratingsPerSecond: Math.round(job.ratingsPerSecond as number),
      }),
    );
  }
} finally {
  catalog.close();
  rmSync(work, { recursive: true, force: true });
}
