/**
 * No loader drops or merges data silently: every line is imported as written or refused with
 * `GAS_ERR_PARSE` naming `file:line`. One case per way data used to be lost — a lone CR ending a
 * line and the rest of it thrown away, CSV line endings fixed by the first line, invalid UTF-8
 * becoming one "�" vertex, blank vocabulary lines becoming one `w:` vertex, a ratings header
 * guessed from a bad number, csv-parse errors escaping as internal errors, unbounded labels and a
 * weight reported as `null` — each through `importGraph` into a temporary catalog, and the
 * line-ending cases also through the parallel parser with every possible cut.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GasError } from '../src/errors.js';
import { importGraph } from '../src/ingest/import-graph.js';
import type { ImportOptions } from '../src/ingest/options.js';
import { LabelDictionary } from '../src/storage/dictionary.js';
import { EdgeChunks } from '../src/storage/growable.js';
import { loaderFor, openInput, type InputFile } from '../src/storage/loaders/index.js';
import { parseInParallel } from '../src/storage/loaders/parallel-edge-list.js';
import { scanRange } from '../src/storage/loaders/range-scan.js';
import { Graph, openTempCatalog, removeTempDirs, storedEdges, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';

let temp: TempCatalog;
beforeEach(() => {
  temp = openTempCatalog();
});
afterEach(() => temp.close());
afterAll(() => removeTempDirs());

function input(fileName: string, text: string | Buffer): string {
  return writeGraphFile(temp.inputDir, fileName, text);
}

/** Imports `file` as graph `g` and returns its edges under user labels (sorted `s>t[:w]`). */
async function imported(file: string, options: Partial<ImportOptions> = {}): Promise<string[]> {
  await importGraph(temp.catalog, { name: 'g', partitions: 2, ...options, file });
  return storedEdges(temp.catalog, 'g').edges;
}

/** Imports `file`, expecting `GAS_ERR_PARSE` at `at:line` (`at`: the file, or the vocabulary at fault); returns the error. */
async function refused(file: string, line: number, options: Partial<ImportOptions> = {}, at = file): Promise<GasError> {
  const error = await importGraph(temp.catalog, { name: 'bad', partitions: 2, ...options, file }).then(
    () => new Error('import should have been refused'),
    (e: unknown) => e,
  );
  if (!(error instanceof GasError)) throw error;
  expect(error.code, error.message).toBe('GAS_ERR_PARSE');
  expect(error.message).toContain(`${at}:${line}: `);
  expect(error.details).toMatchObject({ file: at, line });
  expect(temp.catalog.listGraphs().map((g) => g.name)).not.toContain('bad');
  return error;
}

const sorted = (items: readonly string[]): string[] => [...items].sort();

describe('line endings: LF, CRLF and a lone CR alike', () => {
  it('SNAP and TSV with old-Mac CR endings keep every edge', async () => {
    expect(await imported(input('mac.txt', '1 2\r3 4\r5 6\r'))).toEqual(['1>2', '3>4', '5>6']);
    temp.catalog.dropGraph('g');
    expect(await imported(input('mac.tsv', 'a b\tc\r# note\rd\te f\r\n\rg\th'))).toEqual(sorted(['a b>c', 'd>e f', 'g>h']));
  });

  it('a line after CR-ended lines is reported at its own line number', async () => {
    const file = input('lines.txt', '1 2\r3 4\r\n5 6\n\r7\r8 9\r');
    await refused(file, 5);
  });

  it('the parallel parser gives the sequential answer wherever the file is cut, a CRLF split between ranges included', async () => {
    const text = '# c\r1 2\r\n3 4\r\r\n5 6\n7 8\r9 10\r\n';
    const file = input('cuts.txt', text);
    const sequential = await parseAll(openInput(file));
    expect(sequential).toEqual({ edges: ['1>2', '3>4', '5>6', '7>8', '9>10'], lines: 7 });
    for (let parts = 2; parts <= text.length; parts++) {
      for (const chunkBytes of [1, 2, 3, 64]) {
        expect(await parseAll(openInput(file), { parts, chunkBytes }), `${parts} ranges, ${chunkBytes}-byte reads`).toEqual(sequential);
      }
    }
    // A bad line after the cut keeps its absolute number in every split.
    const broken = input('cuts-bad.txt', '1 2\r\n3 4\r\n5\r\n6 7\r\n');
    for (let parts = 1; parts <= 12; parts++) {
      const error = await parseAll(openInput(broken), { parts, chunkBytes: 2 }).catch((e: unknown) => e);
      expect((error as GasError).message).toContain(`${broken}:3: `);
    }
  });

  it('a CRLF split between two reads of the sequential reader is one line end', async () => {
    const file = input('split.txt', '1 2\r\n3 4\r\n5 6\r\n');
    for (let size = 1; size <= 6; size++) expect(await parseAll(inChunks(file, size))).toEqual({ edges: ['1>2', '3>4', '5>6'], lines: 3 });
  });

  it('CSV line endings may change from line to line', async () => {
    expect(await imported(input('mixed.csv', 'src,dst\r\n1,2\n3,4\n'))).toEqual(['1>2', '3>4']);
    temp.catalog.dropGraph('g');
    expect(await imported(input('mixed2.csv', 'a,b\r"c\r\nd",e\nf,g\r\n'))).toEqual(sorted(['a>b', 'c\r\nd>e', 'f>g']));
  });
});

describe('labels are exact UTF-8 text, never merged', () => {
  for (const [format, name, line, text] of [
    ['snap', 'bad.txt', 2, 'ok 1\n\xff 1\n\xfe 1\n\xc3 1\n'],
    ['tsv', 'bad.tsv', 1, '\xff\t1\n'],
    ['csv', 'bad.csv', 3, 'a,b\nc,d\n"\xfe",1\n'],
    ['ratings', 'bad.dat', 2, '1::2::5\n\xc3::2::4\n'],
    ['mtx', 'bad.mtx', 3, '%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 2 \xff\n'],
    ['graphology', 'bad.json', 2, '{"nodes":[{"key":"a"},\n{"key":"\xff"}],"edges":[]}'],
  ] as const) {
    it(`invalid UTF-8 in ${format} is refused at its line`, async () => {
      const error = await refused(input(name, Buffer.from(text, 'latin1')), line, { format });
      expect(error.message).toContain('UTF-8');
    });
  }

  it('TSV keeps spaces in labels in every column, leading ones included; a leading tab is an empty source', async () => {
    expect(await imported(input('spaces.tsv', ' a\tb\na\t b\n'))).toEqual(sorted([' a>b', 'a> b']));
    await refused(input('tab.tsv', 'a\tb\n\tc\td\n'), 2);
  });

  it('distinct non-ASCII labels stay distinct', async () => {
    expect(await imported(input('utf8.txt', 'é ü\nü 日本\n'))).toEqual(sorted(['é>ü', 'ü>日本']));
  });

  it('a vocabulary with blank lines is refused at the blank line; trailing blank lines are allowed', async () => {
    const docs = input('docs.dat', '2 0:1 2:1\n1 1:3\n');
    const holes = input('holes.txt', 'apple\n\nbanana\n');
    const error = await refused(docs, 2, { format: 'lda-c', vocab: holes }, holes);
    expect(error.message).toContain('blank line');
    expect(await imported(docs, { format: 'lda-c', vocab: input('trailing.txt', 'apple\r\nbanana\r\ncherry\r\n\r\n\n') })).toEqual(
      sorted(['d:1>w:apple:1', 'd:1>w:cherry:1', 'd:2>w:banana:3']),
    );
  });

  it('a vocabulary listing a word twice is refused naming both lines', async () => {
    const twice = input('twice.txt', 'apple\nbanana\n apple\n');
    const error = await refused(input('docword.txt', '1\n3\n1\n1 1 1\n'), 3, { format: 'uci', vocab: twice }, twice);
    expect(error.message).toContain('first on line 1');
  });

  it('a blank line between lda-c documents is refused (document n is line n)', async () => {
    await refused(input('gap.dat', '1 0:1\n\n1 1:1\n'), 2, { format: 'lda-c' });
  });
});

describe('ratings headers are recognised by their column names', () => {
  it('a first line with a bad rating is an error, as on any other line', async () => {
    await refused(input('r1.csv', '1,2,x\n3,4,5\n'), 1, { format: 'ratings' });
    await refused(input('r2.csv', '3,4,5\n1,2,x\n'), 2, { format: 'ratings' });
  });

  it('a header naming user and item columns is skipped, in any dialect', async () => {
    expect(await imported(input('h.csv', 'userId,movieId,rating,timestamp\n1,2,4.5,99\n'), { format: 'ratings' })).toEqual(['u:1>i:2:4.5']);
    temp.catalog.dropGraph('g');
    expect(await imported(input('h.tsv', 'user_id\titem_id\trating\r2\t3\t1\r'), { format: 'ratings' })).toEqual(['u:2>i:3:1']);
  });
});

describe('CSV errors are parse errors', () => {
  it('a stray quote is GAS_ERR_PARSE at its line, not an internal error', async () => {
    await refused(input('quote.csv', 'a,b\nx "y",c\n'), 2);
    await refused(input('closing.csv', 'a,b\n"x"y,c\n'), 2);
  });

  it('spaces and tabs around unquoted fields are trimmed, other whitespace is kept', async () => {
    expect(await imported(input('trim.csv', ' a ,\tb\t\na\u00a0,b\n'))).toEqual(sorted(['a>b', 'a\u00a0>b']));
  });
});

describe('bounded labels and lines', () => {
  it('a label longer than --max-label-bytes is refused at its line', async () => {
    const file = input('long.txt', `1 2\n3 ${'x'.repeat(11)}\n`);
    const error = await refused(file, 2, { maxLabelBytes: 10 });
    expect(error.message).toContain('10-byte limit');
    expect(await imported(file, { maxLabelBytes: 11 })).toEqual(sorted(['1>2', `3>${'x'.repeat(11)}`]));
    for (const [format, name, text] of [
      ['csv', 'long.csv', `1,2\n3,"${'é'.repeat(6)}"\n`],
      ['ratings', 'long.dat', `1::2::3\n1::${'y'.repeat(11)}::3\n`],
      ['lda-c', 'long.lda', '1 0:1\n1 1:1\n'],
    ] as const) {
      const vocab = format === 'lda-c' ? input('long-vocab.txt', `ok\n${'z'.repeat(11)}\n`) : undefined;
      const file = input(name, text);
      await refused(file, 2, { format, vocab, maxLabelBytes: 10 }, vocab ?? file);
    }
  });

  it('the default bound is 64 KiB', async () => {
    await refused(input('64k.txt', `1 2\n${'a'.repeat(65_537)} 3\n`), 2);
  });

  it('--max-label-bytes must be a positive integer', async () => {
    const error = await importGraph(temp.catalog, { name: 'g', file: input('ok.txt', '1 2\n'), maxLabelBytes: 0 }).catch((e: unknown) => e);
    expect((error as GasError).code).toBe('GAS_ERR_INVALID_ARGUMENT');
    expect((error as GasError).message).toContain('--max-label-bytes');
  });

  it('a runaway line is refused after a bounded read, not read whole', async () => {
    for (const format of ['snap', 'ratings', 'csv'] as const) {
      let read = 0;
      const endless: InputFile = {
        path: 'endless.txt',
        gzip: true, // (a stream, not a file the parallel parser could cut)
        bytes: 0,
        // 64 MiB of one line (a reader that does not stop at the bound reads it all, then fails the size check below).
        async *chunks() {
          for (let k = 0; k < 64; k++) {
            read += 1 << 20;
            yield Buffer.alloc(1 << 20, 0x61);
          }
        },
      };
      const error = await loaderFor(format)(endless, target(), { weighted: false, header: 'auto' }).catch((e: unknown) => e);
      expect((error as GasError).code, format).toBe('GAS_ERR_PARSE');
      expect((error as GasError).message).toContain('endless.txt:1: ');
      expect(read).toBeLessThan(40 << 20);
    }
  });

  it('a weight too large for a double is reported as written', async () => {
    const graph = new Graph({ multi: true });
    graph.addNode('a');
    graph.addNode('b');
    graph.addEdge('a', 'b', { weight: 1 });
    const text = JSON.stringify(graph.export()).replace('"weight":1', '"weight":1e400');
    const error = await importGraph(temp.catalog, { name: 'g', file: input('w.json', text), weighted: true }).catch((e: unknown) => e);
    expect((error as GasError).code).toBe('GAS_ERR_PARSE');
    expect((error as GasError).message).toContain('not a finite number: 1e400');
    await refused(input('w.txt', '1 2 1e400\n'), 1, { weighted: true }).then((e) => expect(e.message).toContain('"1e400"'));
  });
});

function target(): { dictionary: LabelDictionary; begin: (weighted: boolean) => EdgeChunks } {
  return { dictionary: new LabelDictionary(), begin: (weighted) => new EdgeChunks(weighted) };
}

/** The input read `size` bytes at a time. */
function inChunks(path: string, size: number): InputFile {
  const file = openInput(path);
  return {
    ...file,
    async *chunks() {
      for await (const chunk of file.chunks()) for (let at = 0; at < chunk.length; at += size) yield chunk.subarray(at, at + size);
    },
  };
}

/** A SNAP parse, sequential or in `parts` ranges (in-process, `chunkBytes` reads), as `s>t` edges in order. */
async function parseAll(file: InputFile, parallel?: { parts: number; chunkBytes: number }): Promise<{ edges: string[]; lines: number }> {
  const dictionary = new LabelDictionary();
  let edges = new EdgeChunks(false);
  const into = { dictionary, begin: (weighted: boolean) => (edges = new EdgeChunks(weighted)) };
  const options = { weighted: false, header: 'auto' } as const;
  const info = parallel
    ? await parseInParallel(file, into, options, false, { parts: parallel.parts, run: (request) => scanRange(request, parallel.chunkBytes) })
    : await loaderFor('snap')(file, into, options);
  const final = dictionary.finalize();
  const label = (code: number): number => final.numeric[final.idOf(code)]!;
  const out: string[] = [];
  for (let k = 0; k < edges.chunkCount; k++) {
    const { src, dst, length } = edges.chunk(k);
    for (let i = 0; i < length; i++) out.push(`${label(src[i]!)}>${label(dst[i]!)}`);
  }
  return { edges: out, lines: info.lines };
}
