/**
 * Every vertex's results are read a block (64 Ki vertices) at a time as the rows are taken
 * (api/results.ts), so a server streams a result of any size in constant memory. On a graph of
 * three blocks with text and numeric labels, two PageRank steps' values streamed equal the
 * whole-column path's (a top K of every vertex), in vertex order, and a consumer that stops
 * early closes the files.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobResults, runJob, type ResultRow } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';

let temp: TempCatalog;
let job: number;
const VERTICES = 150_000;

beforeAll(async () => {
  temp = openTempCatalog();
  // Labels alternate between numbers and text, so both label stores are read per block.
  const label = (i: number): string => (i % 2 === 0 ? String(i) : `v${i}`);
  const lines = Array.from({ length: VERTICES }, (_, i) => `${label(i)} ${label((i * 7919 + 13) % VERTICES)}`);
  const file = writeGraphFile(temp.inputDir, 'scrambled.txt', `${lines.join('\n')}\n`);
  await importGraph(temp.catalog, { file, name: 'scrambled', partitions: 2 });
  ({ jobId: job } = await runJob(temp.catalog, { graph: 'scrambled', algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 2 }, inProcess: true }));
}, 120_000);

afterAll(() => {
  temp.close();
  removeTempDirs();
});

it('streamed rows equal the whole-column rows, for every vertex over several blocks', () => {
  const streamed = [...jobResults(temp.catalog, job).rows()];
  expect(streamed).toHaveLength(VERTICES);
  const whole = new Map([...jobResults(temp.catalog, job, { top: VERTICES }).rows()].map((row: ResultRow) => [row.vertex, row.value]));
  expect(whole.size).toBe(VERTICES);
  for (const row of streamed) expect(row.value, String(row.vertex)).toBe(whole.get(row.vertex));
  // Vertex order: numeric labels get the first ids, in order; text labels follow.
  expect(streamed.slice(0, 3).map((row) => row.vertex)).toEqual([0, 2, 4]);
  expect(typeof streamed.at(-1)!.vertex).toBe('string');
});

it('a consumer that stops early can read again (the files were closed)', () => {
  const rows = jobResults(temp.catalog, job).rows();
  let taken = 0;
  for (const _ of rows) if (++taken === 70_000) break;
  expect([...jobResults(temp.catalog, job).rows()]).toHaveLength(VERTICES);
});
