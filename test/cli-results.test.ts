/**
 * Results people can read, through the built CLI: vector results under their components' names
 * (ALS `factor_0 … bias`, LDA `topic_0 …`) in every format, `--top --by NAME`, and `recommend`
 * with its item filter (`--min-ratings`), scores on the training ratings' scale, many users at
 * once (`--users FILE|all`) and clear errors with stable codes.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { makeTempDir, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';

const CLI = resolve('bin/gasworks.js');

afterAll(removeTempDirs);

function gasworks(dataDir: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

function ok(result: { status: number; stdout: string; stderr: string }): string {
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const USERS = 8;
const ITEMS = 5;
/** Rated by user 1 only, with the top rating: the item an unfiltered `recommend` loves. */
const RARE_ITEM = '99';

/**
 * Every user rates items 1…5 on a 1–5 scale, user 1 all of them 5, and user 1 also rates the
 * rare item: with little regularisation the biases push some predictions off the scale.
 */
function ratingsCsv(): string {
  const lines = ['userId,movieId,rating'];
  for (let u = 1; u <= USERS; u++) {
    for (let i = 1; i <= ITEMS; i++) lines.push(`${u},${i},${u === 1 ? 5 : 1 + ((u * 3 + i * 2) % 5)}`);
  }
  lines.push(`1,${RARE_ITEM},5`);
  return `${lines.join('\n')}\n`;
}

interface Item {
  item: string;
  score: number;
  prediction: number;
}

describe('results and recommend read as users expect', () => {
  const dir = makeTempDir('gasworks-cli-results-');
  const data = join(dir, 'data');
  let als = '';
  let lda = '';
  let pagerank = '';

  beforeAll(() => {
    ok(gasworks(data, 'import', writeGraphFile(dir, 'ratings.csv', ratingsCsv()), '--name', 'ratings', '--format', 'ratings'));
    als = String(
      JSON.parse(ok(gasworks(data, 'run', 'als', '--graph', 'ratings', '--rank', '3', '--max-iterations', '6', '--reg-param', '0.001', '--json'))).jobId,
    );
    pagerank = String(JSON.parse(ok(gasworks(data, 'run', 'pagerank', '--graph', 'ratings', '--json'))).jobId);
    const docword = writeGraphFile(dir, 'docword.txt', '3\n4\n6\n1 1 3\n1 2 1\n2 3 2\n2 4 2\n3 1 1\n3 4 1\n');
    const vocab = writeGraphFile(dir, 'vocab.txt', 'apple\nbanana\ncherry\ndate\n');
    ok(gasworks(data, 'import', docword, '--name', 'words', '--format', 'uci', '--vocab', vocab));
    lda = String(JSON.parse(ok(gasworks(data, 'run', 'lda', '--graph', 'words', '--topics', '2', '--max-iterations', '5', '--json'))).jobId);
  });

  it('vector results carry their components’ names in the CSV header and as JSON keys', () => {
    const csv = ok(gasworks(data, 'results', als))
      .trim()
      .split('\n');
    expect(csv[0]).toBe('vertex,factor_0,factor_1,factor_2,bias');
    const ndjson = ok(gasworks(data, 'results', als, '--format', 'ndjson'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(ndjson).toHaveLength(csv.length - 1);
    expect(Object.keys(ndjson[0])).toEqual(['vertex', 'factor_0', 'factor_1', 'factor_2', 'bias']);
    // The same numbers as the CSV row, under the header's names.
    const [label, ...values] = csv[1]!.split(',');
    expect(ndjson[0]).toEqual({
      vertex: label,
      factor_0: Number(values[0]),
      factor_1: Number(values[1]),
      factor_2: Number(values[2]),
      bias: Number(values[3]),
    });
    const json = JSON.parse(ok(gasworks(data, 'results', als, '--vertex', 'u:1', '--format', 'json')));
    expect(Object.keys(json[0])).toEqual(['vertex', 'factor_0', 'factor_1', 'factor_2', 'bias']);

    expect(ok(gasworks(data, 'results', lda, '--raw')).split('\n')[0]).toBe('vertex,topic_0,topic_1');
    // Scalar results keep `vertex,value` and `{vertex, value}`.
    expect(ok(gasworks(data, 'results', pagerank)).split('\n')[0]).toBe('vertex,value');
    expect(Object.keys(JSON.parse(ok(gasworks(data, 'results', pagerank, '--top', '1', '--format', 'json')))[0])).toEqual(['vertex', 'value']);
  });

  it('--top --by ranks a vector result by one named component', () => {
    const all = ok(gasworks(data, 'results', als, '--format', 'ndjson'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { vertex: string; bias: number });
    const byBias = [...all].sort((a, b) => b.bias - a.bias).slice(0, 3);
    const top = JSON.parse(ok(gasworks(data, 'results', als, '--top', '3', '--by', 'bias', '--format', 'json')));
    expect(top.map((row: { vertex: string }) => row.vertex)).toEqual(byBias.map((row) => row.vertex));
    const lowest = JSON.parse(ok(gasworks(data, 'results', als, '--top', '1', '--by', 'factor_1', '--ascending', '--format', 'json')));
    expect(lowest[0].factor_1).toBe(Math.min(...all.map((row) => (row as unknown as { factor_1: number }).factor_1)));
    const topic = ok(gasworks(data, 'results', lda, '--top', '2', '--by', 'topic_1'))
      .trim()
      .split('\n');
    expect(topic).toHaveLength(3);
    // A scalar result ranks without --by, or by its one component's name.
    expect(ok(gasworks(data, 'results', pagerank, '--top', '2', '--by', 'value'))).toBe(ok(gasworks(data, 'results', pagerank, '--top', '2')));
  });

  it('--top on a vector result without --by refuses, naming the components', () => {
    const refused = gasworks(data, 'results', als, '--top', '3');
    expect(refused.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(refused.stderr.trim()).toBe(
      `gasworks: results: job ${als}'s "factor" has 4 values per vertex; rank by one with --by factor_0 … factor_2, bias [GAS_ERR_INVALID_ARGUMENT]`,
    );
    const mixture = gasworks(data, 'results', lda, '--top', '3');
    expect(mixture.stderr).toContain(`job ${lda}'s "mixture" has 2 values per vertex; rank by one with --by topic_0, topic_1`);
    const unknown = gasworks(data, 'results', als, '--top', '3', '--by', 'topic_0');
    expect(unknown.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(unknown.stderr).toContain('no component "topic_0"; --by takes factor_0 … factor_2, bias');
    const alone = gasworks(data, 'results', als, '--by', 'bias');
    expect(alone.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(alone.stderr).toContain('give --top too');
  });

  it('results --vertex with the id from the ratings file hints at the label', () => {
    const missing = gasworks(data, 'results', als, '--vertex', '2');
    expect(missing.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    expect(missing.stderr).toContain('did you mean "u:2"?');
  });

  it('topics name each topic as results names its column', () => {
    const topics = ok(gasworks(data, 'topics', lda, '--top', '2'));
    expect(topics).toMatch(/^topic_0 +\(\d+ tokens\): \w+ \w+\ntopic_1 +\(\d+ tokens\)/);
    expect(JSON.parse(ok(gasworks(data, 'topics', lda, '--json'))).map((t: { name: string }) => t.name)).toEqual(['topic_0', 'topic_1']);
  });

  it('recommend leaves out items with fewer than --min-ratings ratings (default 5), and says so', () => {
    const filtered = JSON.parse(ok(gasworks(data, 'recommend', als, '--user', '2', '--top', '100', '--json'))) as Item[];
    expect(filtered.map((row) => row.item).sort()).toEqual(['1', '2', '3', '4', '5']);
    const everything = JSON.parse(ok(gasworks(data, 'recommend', als, '--user', '2', '--top', '100', '--min-ratings', '1', '--json'))) as Item[];
    expect(everything.map((row) => row.item)).toContain(RARE_ITEM);
    expect(everything).toHaveLength(ITEMS + 1);
    const human = ok(gasworks(data, 'recommend', als, '--user', '2'));
    expect(human).toContain('5 items with ≥ 5 ratings (1 item with fewer left out; --min-ratings 1 for all)');
    expect(ok(gasworks(data, 'recommend', als, '--user', '2', '--min-ratings', '1'))).toContain('all 6 items (--min-ratings 1)');
    // --exclude-rated on top: user 1 rated every item.
    expect(JSON.parse(ok(gasworks(data, 'recommend', als, '--user', '1', '--exclude-rated', '--min-ratings', '1', '--json')))).toEqual([]);
  });

  it('recommend clamps scores to the training ratings’ scale and keeps the raw prediction', () => {
    const users = ok(gasworks(data, 'recommend', als, '--users', 'all', '--min-ratings', '1', '--top', '100'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { items: Item[] });
    const predictions = users.flatMap(({ items }) => items.map((row) => row.prediction));
    expect(predictions.some((prediction) => prediction < 1 || prediction > 5)).toBe(true);
    for (const { items } of users) {
      for (const { score, prediction } of items) {
        expect(score).toBeGreaterThanOrEqual(1);
        expect(score).toBeLessThanOrEqual(5);
        expect(score).toBe(Math.min(5, Math.max(1, prediction)));
      }
      // Ranked by prediction, so clamping never reorders.
      for (let r = 1; r < items.length; r++) expect(items[r - 1]!.prediction).toBeGreaterThanOrEqual(items[r]!.prediction);
    }
    expect(ok(gasworks(data, 'recommend', als, '--user', '1'))).toContain("scores clamped to the training ratings' scale 1–5");
  });

  it('recommend --users all writes one NDJSON line per user, the same items as one user at a time', () => {
    const all = gasworks(data, 'recommend', als, '--users', 'all', '--format', 'ndjson', '--top', '3', '--exclude-rated', '--min-ratings', '1');
    const lines = ok(all)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { user: string; items: Item[] });
    expect(lines.map((line) => line.user)).toEqual(Array.from({ length: USERS }, (_, u) => String(u + 1)));
    for (const { user, items } of lines) {
      const single = JSON.parse(ok(gasworks(data, 'recommend', als, '--user', user, '--top', '3', '--exclude-rated', '--min-ratings', '1', '--json')));
      expect(items).toEqual(single);
    }
    expect(all.stderr).toContain('8 users, top 3 of all 6 items');

    const file = writeGraphFile(dir, 'users.txt', '3\n\n# a comment\nu:5\n');
    const fromFile = ok(gasworks(data, 'recommend', als, '--users', file, '--top', '3', '--exclude-rated', '--min-ratings', '1'));
    expect(
      fromFile
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([lines[2], lines[4]]);
  });

  it('recommend: bad users, bad files and a non-ALS job are clear errors with stable codes', () => {
    const badLine = writeGraphFile(dir, 'bad-users.txt', '1\n2,5\n');
    const parse = gasworks(data, 'recommend', als, '--users', badLine);
    expect(parse.status).toBe(ERROR_CODES.GAS_ERR_PARSE.exit);
    expect(parse.stderr).toContain(`${badLine}:2: expected one user id per line: "2,5"`);
    expect(parse.stdout).toBe('');

    const unknownLine = writeGraphFile(dir, 'unknown-users.txt', '1\n\n42\n');
    const missing = gasworks(data, 'recommend', als, '--users', unknownLine);
    expect(missing.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    expect(missing.stderr).toContain(`${unknownLine}:3: user "42" has no ratings in graph "ratings"`);

    const unknown = gasworks(data, 'recommend', als, '--user', '42');
    expect(unknown.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    expect(unknown.stderr).toContain('users are labelled u:ID, e.g. "1" or "u:1"');
    const item = gasworks(data, 'recommend', als, '--user', 'i:1');
    expect(item.stderr).toContain('"i:1" is an item of graph "ratings", not a user');

    const notAls = gasworks(data, 'recommend', pagerank, '--user', '1');
    expect(notAls.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(notAls.stderr).toContain(`job ${pagerank} is a pagerank job; recommend needs a finished ALS job`);

    const both = gasworks(data, 'recommend', als);
    expect(both.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(both.stderr).toContain('give one of --user U or --users FILE|all');
    const noFile = gasworks(data, 'recommend', als, '--users', join(dir, 'nope.txt'));
    expect(noFile.status).toBe(ERROR_CODES.GAS_ERR_NOT_FOUND.exit);
    const badMin = gasworks(data, 'recommend', als, '--user', '1', '--min-ratings', '0');
    expect(badMin.status).toBe(ERROR_CODES.GAS_ERR_INVALID_ARGUMENT.exit);
    expect(badMin.stderr).toContain('--min-ratings must be an integer');
  });
});
