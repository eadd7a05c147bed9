/**
 * Bad input never leaves anything behind. Every case checks the error (a `GasError` with a
 * stable code, a message naming `file:line` — or the JSON path for graphology — and quoting the
 * offending text), then that the catalog has no row of that name (ready or half-imported) and
 * `<dataDir>/graphs/` holds no new directory.
 */
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GasError, type ErrorCode } from '../src/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import type { ImportOptions } from '../src/ingest/options.js';
import { catalogPath } from '../src/storage/data-dir.js';
import { openTempCatalog, removeTempDirs, snapText, storedEdges, writeGraphFile, type TempCatalog, type WriteOptions } from './helpers/graph-files.js';

let temp: TempCatalog;
beforeEach(() => {
  temp = openTempCatalog();
});
afterEach(() => temp.close());
afterAll(() => removeTempDirs());

/** Rejects if `promise` has not settled within `ms`: a hung import must fail the test, not time it out. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`import did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Catalog rows called `name`, whatever their status. Read with a second connection because
 * `Catalog` only lists ready graphs, and a row left `importing` would block the name.
 */
function rowsNamed(name: string): number {
  const db = new Database(catalogPath(temp.dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM graphs WHERE name = ?').get(name) as { n: number }).n;
  } finally {
    db.close();
  }
}

interface Expected {
  readonly code: ErrorCode;
  /** Where the message must point: `file:line` or `file: json.path`. */
  readonly where?: string;
  /** Offending text the message must quote. */
  readonly quotes?: string;
  /** Other words the message must contain. */
  readonly mentions?: readonly string[];
}

/** Imports and expects failure as described; then checks nothing of the import remains. */
async function expectImportFails(options: Partial<ImportOptions> & { file: string }, expected: Expected): Promise<GasError> {
  const name = options.name ?? 'bad';
  const rowsBefore = rowsNamed(name);
  const dirsBefore = temp.graphDirs().sort();
  let caught: unknown = null;
  try {
    await settleWithin(importGraph(temp.catalog, { name, ...options }), 3_000);
  } catch (error) {
    caught = error;
  }
  // Anything but a GasError (a hang, a TypeError) is reported as itself.
  if (!(caught instanceof GasError)) throw caught ?? new Error('import should have failed but succeeded');
  const error = caught;
  expect(error.code, error.message).toBe(expected.code);
  if (expected.where !== undefined) expect(error.message).toContain(`${expected.where}: `);
  if (expected.quotes !== undefined) expect(error.message).toContain(JSON.stringify(expected.quotes));
  for (const word of expected.mentions ?? []) expect(error.message).toContain(word);

  expect(rowsNamed(name)).toBe(rowsBefore);
  expect(temp.catalog.listGraphs().filter((graph) => graph.name === name)).toHaveLength(rowsBefore);
  expect(temp.graphDirs().sort()).toEqual(dirsBefore);
  return error;
}

function input(fileName: string, text: string | Buffer, write: WriteOptions = {}): string {
  return writeGraphFile(temp.inputDir, fileName, text, write);
}

describe('malformed edge lists', () => {
  it('a line with one column (snap, tsv, csv)', async () => {
    const snap = input('one.txt', '1 2\n# fine\n3\n4 5\n');
    const error = await expectImportFails({ file: snap }, { code: 'GAS_ERR_PARSE', where: `${snap}:3`, quotes: '3' });
    expect(error.details).toMatchObject({ file: snap, line: 3 });

    const tsv = input('one.tsv', 'a\tb\nc d\n');
    await expectImportFails({ file: tsv }, { code: 'GAS_ERR_PARSE', where: `${tsv}:2`, quotes: 'c d' });

    const csv = input('one.csv', 'source,target\na,b\nc\n');
    await expectImportFails({ file: csv }, { code: 'GAS_ERR_PARSE', where: `${csv}:3`, quotes: 'c' });
  });

  it('a missing weight column with --weighted', async () => {
    const snap = input('w.txt', '1 2 0.5\n2 3\n');
    await expectImportFails({ file: snap, weighted: true }, { code: 'GAS_ERR_PARSE', where: `${snap}:2`, quotes: '2 3', mentions: ['weight'] });

    const csv = input('w.csv', 'a,b,1\nb,c\n');
    await expectImportFails({ file: csv, weighted: true }, { code: 'GAS_ERR_PARSE', where: `${csv}:2`, quotes: 'b,c', mentions: ['weight'] });
  });

  for (const weight of ['abc', '0x10', 'Infinity', '-Infinity', 'NaN', '1e400', '1.2.3', '']) {
    it(`a non-numeric weight ${JSON.stringify(weight)}`, async () => {
      // An empty weight is a missing column for SNAP; every other spelling is a bad number.
      const snap = input('w.txt', `1 2 0.5\n\n2 3 ${weight}\n`);
      await expectImportFails(
        { file: snap, weighted: true },
        { code: 'GAS_ERR_PARSE', where: `${snap}:3`, quotes: weight === '' ? '2 3 ' : weight, mentions: ['weight'] },
      );
      const csv = input('w.csv', `source,target,weight\na,b,1\nb,c,${weight}\n`);
      await expectImportFails({ file: csv, weighted: true }, { code: 'GAS_ERR_PARSE', where: `${csv}:3`, mentions: ['weight'] });
    });
  }

  it('an unterminated CSV quote', async () => {
    const csv = input('quote.csv', 'a,b\n"c,d\n');
    await expectImportFails({ file: csv }, { code: 'GAS_ERR_PARSE', where: `${csv}:2`, mentions: ['CSV'] });
  });

  it('a CSV error in a file larger than the parser buffer still settles', async () => {
    // The feeder waits for 'drain' once csv-parse's 16 KiB write buffer is full; the error
    // must not leave it (and the import) waiting forever.
    const rows = Array.from({ length: 5_000 }, (_, k) => `${k},${k + 1}`).join('\n');
    const csv = input('big.csv', `a,b\nc\n${rows}\n`);
    await expectImportFails({ file: csv }, { code: 'GAS_ERR_PARSE', where: `${csv}:2`, quotes: 'c' });
  });
});

describe('Matrix Market', () => {
  const banner = '%%MatrixMarket matrix coordinate real general';

  it('fewer entries than the size line declares', async () => {
    const file = input('few.mtx', `${banner}\n3 3 3\n1 2 1\n2 3 1\n`);
    await expectImportFails({ file }, { code: 'GAS_ERR_PARSE', where: `${file}:4`, mentions: ['declares 3 entries', 'has 2'] });
  });

  it('more entries than the size line declares', async () => {
    const file = input('more.mtx', `${banner}\n3 3 1\n1 2 1\n2 3 7.5\n`);
    await expectImportFails({ file }, { code: 'GAS_ERR_PARSE', where: `${file}:4`, quotes: '2 3 7.5' });
  });

  it('a bad banner', async () => {
    const short = '%%MatrixMarket matrix coordinate real';
    const file = input('banner.mtx', `${short}\n3 3 1\n1 2 1\n`);
    await expectImportFails({ file }, { code: 'GAS_ERR_PARSE', where: `${file}:1`, quotes: short });
    const vector = '%%MatrixMarket vector coordinate real general';
    const other = input('vector.mtx', `${vector}\n3 3 1\n1 2 1\n`);
    await expectImportFails({ file: other }, { code: 'GAS_ERR_PARSE', where: `${other}:1`, quotes: vector });
  });

  it('a missing or malformed size line', async () => {
    const missing = input('nosize.mtx', `${banner}\n% only comments\n`);
    await expectImportFails({ file: missing }, { code: 'GAS_ERR_PARSE', where: `${missing}:3`, mentions: ['size line'] });
    const malformed = input('size.mtx', `${banner}\n3 3\n1 2 1\n`);
    await expectImportFails({ file: malformed }, { code: 'GAS_ERR_PARSE', where: `${malformed}:2`, quotes: '3 3' });
  });

  it('a non-square matrix is unsupported', async () => {
    const file = input('rect.mtx', `${banner}\n3 4 1\n1 2 1\n`);
    await expectImportFails({ file }, { code: 'GAS_ERR_UNSUPPORTED', where: `${file}:2`, mentions: ['3×4', 'square'] });
  });

  it('an index out of range (too large, zero, not an integer)', async () => {
    for (const entry of ['4 1 1.0', '0 1 1.0', '1 x 1.0', '1 -2 1.0']) {
      const file = input('range.mtx', `${banner}\n3 3 2\n1 2 1\n${entry}\n`);
      await expectImportFails({ file }, { code: 'GAS_ERR_PARSE', where: `${file}:4`, quotes: entry, mentions: ['index'] });
    }
  });

  it('a bad value (not a number; not an integer in an integer matrix)', async () => {
    const real = input('value.mtx', `${banner}\n3 3 1\n1 2 abc\n`);
    await expectImportFails({ file: real }, { code: 'GAS_ERR_PARSE', where: `${real}:3`, quotes: '1 2 abc' });
    const integer = input('int.mtx', '%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 2 1.5\n');
    await expectImportFails({ file: integer }, { code: 'GAS_ERR_PARSE', where: `${integer}:3`, quotes: '1 2 1.5' });
  });

  it('complex, hermitian, skew-symmetric and dense (array) files are unsupported', async () => {
    const cases: [string, string][] = [
      ['%%MatrixMarket matrix coordinate complex general', 'complex'],
      ['%%MatrixMarket matrix coordinate real hermitian', 'hermitian'],
      ['%%MatrixMarket matrix coordinate real skew-symmetric', 'skew-symmetric'],
      ['%%MatrixMarket matrix array real general', 'array'],
    ];
    for (const [header, word] of cases) {
      const file = input('unsupported.mtx', `${header}\n2 2 1\n1 2 1 0\n`);
      await expectImportFails({ file }, { code: 'GAS_ERR_UNSUPPORTED', where: `${file}:1`, mentions: [word] });
    }
  });

  it('--weighted on a pattern matrix names the option', async () => {
    const file = input('pattern.mtx', '%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 2\n');
    const error = await expectImportFails({ file, weighted: true }, { code: 'GAS_ERR_INVALID_ARGUMENT', mentions: ['--weighted', 'pattern'] });
    expect(error.details).toMatchObject({ option: 'weighted' });
  });
});

describe('graphology JSON', () => {
  it('invalid JSON names file:line', async () => {
    const file = input('broken.json', '{"nodes": [{"key": "a"}],\n"edges": [\n{"source": "a", "target": "a",}]}\n');
    await expectImportFails({ file }, { code: 'GAS_ERR_PARSE', where: `${file}:3`, mentions: ['invalid JSON'] });
  });

  it('structural problems name the JSON path', async () => {
    const cases: [unknown, string, string][] = [
      [[1, 2], 'document', 'graphology export object'],
      [{ nodes: 'a' }, 'nodes', 'array'],
      [{ nodes: [{ key: 'a' }, { attributes: {} }] }, 'nodes[1]', 'key'],
      [{ nodes: [{ key: 'a' }, { key: 'a' }] }, 'nodes[1]', 'duplicate'],
      [
        {
          nodes: [{ key: 'a' }],
          edges: [
            { source: 'a', target: 'a' },
            { source: 'zed', target: 'a' },
          ],
        },
        'edges[1]',
        '"zed"',
      ],
      [{ nodes: [{ key: 'a' }], edges: [{ source: 'a', target: 'a', attributes: { weight: 'heavy' } }] }, 'edges[0].attributes.weight', '"heavy"'],
    ];
    for (const [document, path, word] of cases) {
      const file = input('graph.json', JSON.stringify(document));
      await expectImportFails({ file, weighted: true }, { code: 'GAS_ERR_PARSE', where: `${file}: ${path}`, mentions: [word] });
    }
  });

  it('mixed directed and undirected edges are unsupported', async () => {
    const document = {
      nodes: [{ key: 'a' }, { key: 'b' }],
      edges: [
        { source: 'a', target: 'b', undirected: true },
        { source: 'b', target: 'a' },
      ],
    };
    const file = input('mixed.json', JSON.stringify(document));
    await expectImportFails({ file }, { code: 'GAS_ERR_UNSUPPORTED', mentions: [file, 'mixed'] });
  });
});

describe('unreadable input', () => {
  it('a gzip stream cut in half (name without .gz, and csv)', async () => {
    const edges = Array.from({ length: 4_000 }, (_, k) => [k, (k * 7919) % 4_000] as [number, number]);
    const snap = input('edges.txt', snapText(edges), { gzip: true, truncate: 0.5 });
    const error = await expectImportFails({ file: snap }, { code: 'GAS_ERR_PARSE', mentions: ['gzip'] });
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(snap)}:\\d+: `));

    const csv = input('edges.csv', edges.map(([s, t]) => `${s},${t}`).join('\n'), { gzip: true, truncate: 0.5 });
    const csvError = await expectImportFails({ file: csv }, { code: 'GAS_ERR_PARSE', mentions: ['gzip'] });
    expect(csvError.message).toMatch(new RegExp(`^${escapeRegExp(csv)}:\\d+: `));
  });

  it('an empty file, and a file of only comments and blank lines', async () => {
    // There is no offending line to name; the message names the file and says why.
    for (const [name, text] of [
      ['empty.txt', ''],
      ['comments.txt', '# one\n% two\n\n   \n# three'],
      ['empty.csv', ''],
      ['header.csv', 'source,target\n'],
    ]) {
      const file = input(name!, text!);
      const error = await expectImportFails({ file }, { code: 'GAS_ERR_PARSE', mentions: ['empty file'] });
      expect(error.message.startsWith(`${file}:`)).toBe(true);
      expect(error.details).toMatchObject({ file });
    }
    const mtx = input('empty.mtx', '');
    await expectImportFails({ file: mtx }, { code: 'GAS_ERR_PARSE', where: `${mtx}:1`, mentions: ['banner'] });
  });

  it('a missing file', async () => {
    const file = `${temp.inputDir}/no-such-file.txt`;
    const error = await expectImportFails({ file }, { code: 'GAS_ERR_NOT_FOUND', mentions: [file] });
    expect(error.details).toMatchObject({ file });
  });

  it('a directory instead of a file', async () => {
    await expectImportFails({ file: temp.inputDir }, { code: 'GAS_ERR_INVALID_ARGUMENT', mentions: [temp.inputDir, 'directory'] });
  });
});

describe('invalid options name the option', () => {
  const cases: [string, Partial<ImportOptions>, string, string][] = [
    ['partitions 0', { partitions: 0 }, 'partitions', '0'],
    ['partitions 5000', { partitions: 5000 }, 'partitions', '5000'],
    ['partitions 2.5', { partitions: 2.5 }, 'partitions', '2.5'],
    ['unknown strategy', { strategy: 'metis' }, 'strategy', '"metis"'],
    ['empty name', { name: '' }, 'name', '""'],
    ['name with a space', { name: 'my graph' }, 'name', '"my graph"'],
    ['name with a slash', { name: '../escape' }, 'name', '"../escape"'],
    ['name starting with a dash', { name: '-g' }, 'name', '"-g"'],
    ['name too long', { name: 'x'.repeat(129) }, 'name', 'x'.repeat(129)],
    ['negative seed', { seed: -1 }, 'seed', '-1'],
    ['unknown format', { format: 'xml' as ImportOptions['format'] }, 'format', '"xml"'],
  ];
  for (const [title, options, option, value] of cases) {
    it(title, async () => {
      const file = input('ok.txt', '1 2\n');
      const error = await expectImportFails({ file, ...options }, { code: 'GAS_ERR_INVALID_ARGUMENT', mentions: [`--${option}`, value] });
      expect(error.details).toMatchObject({ option });
    });
  }
});

describe('names that already exist', () => {
  const firstText = '1 2\n2 3\n';

  it('GAS_ERR_EXISTS leaves the existing graph untouched and readable', async () => {
    const { graph } = await importGraph(temp.catalog, { name: 'g', file: input('first.txt', firstText) });
    const second = input('second.txt', '7 8\n');
    await expectImportFails({ name: 'g', file: second }, { code: 'GAS_ERR_EXISTS', mentions: ['"g"', '--replace'] });
    expect(temp.catalog.getGraph('g')).toEqual(graph);
    expect(temp.graphDirs()).toEqual([graph.id]);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1>2', '2>3']);
  });

  it('replace: true swaps the graph and removes the old one', async () => {
    const { graph: old } = await importGraph(temp.catalog, { name: 'g', file: input('first.txt', firstText) });
    const { graph } = await importGraph(temp.catalog, { name: 'g', file: input('second.txt', '7 8\n'), replace: true });
    expect(graph.id).not.toBe(old.id);
    expect(temp.catalog.getGraph('g').id).toBe(graph.id);
    expect(temp.catalog.listGraphs().map((g) => g.name)).toEqual(['g']);
    expect(temp.graphDirs()).toEqual([graph.id]);
    expect(rowsNamed('g')).toBe(1);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['7>8']);
  });

  it('a failed replace leaves the old graph in place', async () => {
    const { graph } = await importGraph(temp.catalog, { name: 'g', file: input('first.txt', firstText) });
    const broken = input('broken.txt', '7 8\n9\n');
    await expectImportFails({ name: 'g', file: broken, replace: true }, { code: 'GAS_ERR_PARSE', where: `${broken}:2` });
    expect(temp.catalog.getGraph('g')).toEqual(graph);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1>2', '2>3']);
  });

  it('replace: true with no existing graph is a plain import', async () => {
    const { graph } = await importGraph(temp.catalog, { name: 'fresh', file: input('first.txt', firstText), replace: true });
    expect(temp.catalog.getGraph('fresh').id).toBe(graph.id);
  });

  it('a failed import does not disturb other graphs', async () => {
    const { graph } = await importGraph(temp.catalog, { name: 'kept', file: input('first.txt', firstText) });
    await expectImportFails({ name: 'other', file: input('bad.txt', '1\n') }, { code: 'GAS_ERR_PARSE' });
    expect(temp.catalog.listGraphs()).toEqual([graph]);
    expect(temp.graphDirs()).toEqual([graph.id]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
