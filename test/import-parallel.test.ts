/**
 * The parallel edge-list parse (byte ranges on worker threads) must give exactly what the
 * sequential parse gives — same ids, same labels, same edges in the same order — and report
 * parse errors at their absolute line. The threshold is lowered through the environment so
 * small files take the parallel path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GasError } from '../src/errors.js';
import { EdgeChunks, LabelDictionary, openInput } from '../src/storage/index.js';
import { makeTempDir, removeTempDirs, writeGraphFile } from './helpers/graph-files.js';
import { seededRandom } from './helpers/generators.js';

afterAll(removeTempDirs);

async function parse(path: string, parallelBytes: number): Promise<{ labels: string[]; edges: string[]; lines: number }> {
  process.env.GASWORKS_PARALLEL_PARSE_BYTES = String(parallelBytes);
  // A fresh module graph so the threshold is read again.
  const { vi } = await import('vitest');
  vi.resetModules();
  const { loaderFor } = await import('../src/storage/loaders/index.js');
  const dictionary = new LabelDictionary();
  let edges = new EdgeChunks(true);
  const info = await loaderFor('snap')(
    openInput(path),
    { dictionary, begin: (weighted) => (edges = new EdgeChunks(weighted)) },
    { weighted: true, header: 'auto' },
  );
  const final = dictionary.finalize();
  const labels = Array.from({ length: final.numVertices }, (_, id) =>
    Number.isNaN(final.numeric[id]!) ? `s:${final.text.get(id)}` : `n:${final.numeric[id]}`,
  );
  const out: string[] = [];
  for (let k = 0; k < edges.chunkCount; k++) {
    const { src, dst, weight, length } = edges.chunk(k);
    for (let i = 0; i < length; i++) out.push(`${final.idOf(src[i]!)}>${final.idOf(dst[i]!)}:${weight![i]}`);
  }
  return { labels, edges: out, lines: info.lines };
}

describe('parallel edge-list parse', () => {
  const dir = makeTempDir('gasworks-parallel-');
  const random = seededRandom(5);
  const label = (): string => {
    const r = random();
    if (r < 0.6) return String(Math.floor(random() * 5000));
    if (r < 0.8) return `user-${Math.floor(random() * 300)}`;
    if (r < 0.9) return String(2 ** 40 + Math.floor(random() * 100));
    return `9007199254740${993 + Math.floor(random() * 50)}`;
  };
  const lines = ['# header comment'];
  for (let i = 0; i < 20_000; i++) {
    lines.push(`${label()}\t${label()}\t${(random() * 10).toFixed(3)}`);
    if (i % 997 === 0) lines.push('% a comment', '');
  }
  const file = writeGraphFile(dir, 'mixed.txt', `${lines.join('\n')}\n`);
  let sequential: Awaited<ReturnType<typeof parse>>;

  beforeAll(async () => {
    sequential = await parse(file, 1 << 30);
  });

  it('gives the same ids, labels and edges as the sequential parse', async () => {
    const parallel = await parse(file, 1);
    expect(parallel.lines).toBe(sequential.lines);
    expect(parallel.labels).toEqual(sequential.labels);
    expect(parallel.edges).toEqual(sequential.edges);
    expect(parallel.edges.length).toBe(20_000);
  });

  it('reports a malformed line deep in the file at its absolute line number', async () => {
    const broken = [...lines];
    broken[18_500] = 'only-one-column';
    const path = writeGraphFile(dir, 'broken.txt', `${broken.join('\n')}\n`);
    const error = await parse(path, 1).catch((e: unknown) => e);
    // (vi.resetModules gives the loader its own copy of the error classes: compare by code.)
    expect((error as GasError).name).toBe('ParseError');
    expect((error as GasError).code).toBe('GAS_ERR_PARSE');
    expect((error as GasError).message).toContain(`${path}:18501:`);
    expect((error as GasError).message).toContain('only-one-column');
  });
});
