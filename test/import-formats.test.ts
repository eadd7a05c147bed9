/**
 * Every input format end to end: a generated file goes through `importGraph`, and the stored
 * graph is read back through `GraphReader` and compared, under user labels, with what the file
 * says. Also the label dictionary (sparse, huge and string labels), self-loop and multi-edge
 * accounting, and export → import round trips.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importGraph } from '../src/ingest/import-graph.js';
import type { ImportOptions } from '../src/ingest/options.js';
import type { GraphRecord } from '../src/index.js';
import {
  Graph,
  exportToString,
  openTempCatalog,
  removeTempDirs,
  storedEdges,
  withReader,
  writeGraphFile,
  type TempCatalog,
  type WriteOptions,
} from './helpers/graph-files.js';

let temp: TempCatalog;
beforeEach(() => {
  temp = openTempCatalog();
});
afterEach(() => temp.close());
afterAll(() => removeTempDirs());

/** Writes `text` as `fileName` in the input directory and imports it as graph `name`. */
async function importText(fileName: string, text: string | Buffer, options: Partial<ImportOptions> = {}, write: WriteOptions = {}): Promise<GraphRecord> {
  const file = writeGraphFile(temp.inputDir, fileName, text, write);
  const { graph } = await importGraph(temp.catalog, { name: 'g', partitions: 3, ...options, file });
  return graph;
}

const sorted = (items: readonly string[]): string[] => [...items].sort();

describe('SNAP edge lists', () => {
  it('skips # and % comments and blank lines, splits on runs of spaces and tabs, accepts CRLF and a BOM', async () => {
    const text = '\uFEFF# Directed graph\r\n% also a comment\r\n\r\n1 2\r\n  2\t\t3\r\n \t \r\n3 \t 1\r\n   # indented comment\r\n4  1'; // no final newline
    const graph = await importText('edges.txt', text);
    expect(graph).toMatchObject({ format: 'snap', directed: true, weighted: false, vertices: 4, edges: 4, selfLoops: 0, multiEdges: 0 });
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.edges).toEqual(sorted(['1>2', '2>3', '3>1', '4>1']));
    expect(stored.labels).toEqual(new Set(['1', '2', '3', '4']));
  });

  it('ignores a third column unless --weighted is given', async () => {
    const text = '1 2 0.5\n2 3 7\n';
    const unweighted = await importText('plain.txt', text);
    expect(unweighted.weighted).toBe(false);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1>2', '2>3']);

    const weighted = await importText('weighted.txt', '1 2 0.5\n2 3 -1.25e2\n3 1 +4\n', { name: 'w', weighted: true });
    expect(weighted.weighted).toBe(true);
    expect(storedEdges(temp.catalog, 'w').edges).toEqual(sorted(['1>2:0.5', '2>3:-125', '3>1:4']));
  });

  it('treats edges as undirected with --undirected, storing each pair smaller id first', async () => {
    const graph = await importText('u.txt', '3 1\n2 3\n1 2\n', { undirected: true });
    expect(graph.directed).toBe(false);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1-2', '1-3', '2-3']);
  });
});

describe('TSV and CSV', () => {
  it('TSV splits on single tabs only, so labels may contain spaces; a header line is skipped', async () => {
    const graph = await importText('people.tsv', 'source\ttarget\tweight\nalice smith\tbob\t2.5\nbob\tcarol  jones\t1\n', { weighted: true });
    expect(graph).toMatchObject({ format: 'tsv', vertices: 3, edges: 2, weighted: true });
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.edges).toEqual(sorted(['alice smith>bob:2.5', 'bob>carol  jones:1']));
    expect(stored.labels).toEqual(new Set(['alice smith', 'bob', 'carol  jones']));
  });

  it('CSV with a source,target,weight header and quoted labels containing commas and quotes', async () => {
    const text = 'source,target,weight\r\n"Paris, France","Lyon, France",2.5\r\n"Lyon, France",Nice,1\r\n"say ""hi""",Nice,0.25\r\n';
    const graph = await importText('cities.csv', text, { weighted: true });
    expect(graph).toMatchObject({ format: 'csv', vertices: 4, edges: 3, weighted: true });
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.edges).toEqual(sorted(['Paris, France>Lyon, France:2.5', 'Lyon, France>Nice:1', 'say "hi">Nice:0.25']));
    expect(stored.labels).toEqual(new Set(['Paris, France', 'Lyon, France', 'Nice', 'say "hi"']));
  });

  it('CSV without a header, weight column ignored when not weighted, integer labels stay numeric', async () => {
    const graph = await importText('plain.csv', '1,2,9\n2,3,9\n# comment\n\n3,1,9\n');
    expect(graph).toMatchObject({ format: 'csv', vertices: 3, edges: 3, weighted: false });
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(sorted(['1>2', '2>3', '3>1']));
    withReader(temp.catalog, 'g', (reader) => expect(reader.labelOf(0)).toBe(1));
  });
});

describe('Matrix Market', () => {
  const entries: readonly { row: number; column: number; value: string }[] = [
    { row: 2, column: 1, value: '0.5' },
    { row: 3, column: 1, value: '2' },
    { row: 4, column: 3, value: '-1.5' },
    { row: 4, column: 4, value: '3' },
  ];
  const fields = ['real', 'integer', 'pattern'] as const;
  const symmetries = ['general', 'symmetric'] as const;

  for (const field of fields) {
    for (const symmetry of symmetries) {
      it(`${field} ${symmetry}`, async () => {
        const value = (text: string): string => (field === 'integer' ? String(Math.round(Number(text))) : text);
        const lines = entries.map((e) => `${e.row} ${e.column}${field === 'pattern' ? '' : ` ${value(e.value)}`}`);
        const text = `%%MatrixMarket matrix coordinate ${field} ${symmetry}\n% a comment\n%\n5 5 ${entries.length}\n${lines.join('\n')}\n`;
        const graph = await importText('matrix.mtx', text);
        expect(graph).toMatchObject({
          format: 'mtx',
          directed: symmetry === 'general',
          weighted: field !== 'pattern',
          vertices: 4,
          edges: 4,
          selfLoops: 1,
        });
        const arrow = symmetry === 'general' ? '>' : '-';
        const expected = entries.map((e) => {
          // Undirected edges are stored smaller id (here: smaller label) first.
          const [a, b] = symmetry === 'general' ? [e.row, e.column] : [Math.min(e.row, e.column), Math.max(e.row, e.column)];
          return `${a}${arrow}${b}${field === 'pattern' ? '' : `:${Number(value(e.value))}`}`;
        });
        const stored = storedEdges(temp.catalog, 'g');
        expect(stored.edges).toEqual(sorted(expected));
        // 1-based indices are the labels; index 5 has no entry, so it is no vertex.
        expect(stored.labels).toEqual(new Set(['1', '2', '3', '4']));
      });
    }
  }

  it('is detected by its banner whatever the file name', async () => {
    const graph = await importText('matrix.dat', '%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 2\n');
    expect(graph.format).toBe('mtx');
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1>2']);
  });
});

describe('graphology JSON', () => {
  it('loads a real graphology export, isolated node included, with weights under --weighted', async () => {
    const source = new Graph({ type: 'directed', multi: false });
    for (const key of ['alice', 'bob', '7', '007', 'lonely']) source.addNode(key, { color: 'red' });
    source.addEdge('alice', 'bob', { weight: 2.5 });
    source.addEdge('bob', '7', { weight: -1 });
    source.addEdge('7', '007');
    source.addEdge('007', 'alice', { weight: 0.125 });
    const graph = await importText('social.json', JSON.stringify(source.export()), { weighted: true });
    expect(graph).toMatchObject({ format: 'graphology', directed: true, weighted: true, vertices: 5, edges: 4 });
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.edges).toEqual(sorted(['alice>bob:2.5', 'bob>7:-1', '7>007:1', '007>alice:0.125']));
    expect(stored.labels).toEqual(new Set(['alice', 'bob', '7', '007', 'lonely']));
  });

  it('an undirected graphology graph becomes an undirected graph', async () => {
    const source = new Graph({ type: 'undirected' });
    for (const key of ['3', '1', '2']) source.addNode(key);
    source.addEdge('3', '1');
    source.addEdge('2', '3');
    source.addNode('9');
    const graph = await importText('undirected.data', JSON.stringify(source.export()));
    expect(graph).toMatchObject({ format: 'graphology', directed: false, vertices: 4, edges: 2 });
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1-3', '2-3']);
  });
});

describe('gzip input', () => {
  const text = '# gz\n1 2\n2 3\n3 1\n';

  it('is detected by its magic bytes when the name has no .gz', async () => {
    await importText('edges.txt', text, {}, { gzip: true });
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(sorted(['1>2', '2>3', '3>1']));
  });

  it('keeps the format of the name under .gz (csv.gz) and of the content (mtx)', async () => {
    const csv = await importText('edges.csv.gz', 'source,target\n"a,1",b\n', { name: 'csv' }, { gzip: true });
    expect(csv.format).toBe('csv');
    expect(storedEdges(temp.catalog, 'csv').edges).toEqual(['a,1>b']);
    const mtx = await importText('m.bin', '%%MatrixMarket matrix coordinate integer general\n2 2 1\n2 1 5\n', { name: 'mtx' }, { gzip: true });
    expect(mtx.format).toBe('mtx');
    expect(storedEdges(temp.catalog, 'mtx').edges).toEqual(['2>1:5']);
  });

  it('a .gz name on plain text is read as plain text', async () => {
    await importText('edges.txt.gz', text);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(sorted(['1>2', '2>3', '3>1']));
  });
});

describe('labels', () => {
  it('sparse integer labels get dense ids in label order and no vertices for the gaps', async () => {
    const graph = await importText('sparse.txt', '10 1000000\n1000000 5\n5 10\n');
    expect(graph.vertices).toBe(3);
    withReader(temp.catalog, 'g', (reader) => {
      expect([0, 1, 2].map((id) => reader.labelOf(id))).toEqual([5, 10, 1000000]);
      expect(reader.idOf('5')).toBe(0);
      expect(reader.idOf('10')).toBe(1);
      expect(reader.idOf('1000000')).toBe(2);
      expect(reader.idOf('6')).toBe(-1);
      expect(reader.idOf('999999')).toBe(-1);
    });
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(sorted(['10>1000000', '1000000>5', '5>10']));
  });

  it('string labels are kept as text', async () => {
    await importText('names.txt', 'alice bob\nbob carol\ncarol alice\n');
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.labels).toEqual(new Set(['alice', 'bob', 'carol']));
    withReader(temp.catalog, 'g', (reader) => {
      expect(reader.labelOf(reader.idOf('carol'))).toBe('carol');
      expect(reader.idOf('dave')).toBe(-1);
    });
  });

  it('integers beyond 2^53 are kept exactly as text, next to the largest safe integer', async () => {
    const huge = ['18446744073709551615', '9007199254740993', '9007199254740992'];
    await importText('huge.txt', `${huge[0]} ${huge[1]}\n${huge[1]} 9007199254740991\n${huge[2]} 1\n`);
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.labels).toEqual(new Set([...huge, '9007199254740991', '1']));
    expect(stored.edges).toEqual(sorted([`${huge[0]}>${huge[1]}`, `${huge[1]}>9007199254740991`, `${huge[2]}>1`]));
    withReader(temp.catalog, 'g', (reader) => {
      for (const label of huge) expect(reader.labelOf(reader.idOf(label))).toBe(label);
      expect(reader.labelOf(reader.idOf('9007199254740991'))).toBe(9007199254740991);
    });
  });

  it('007 stays distinct from 7 (and 00 from 0)', async () => {
    const graph = await importText('zeros.txt', '007 7\n7 0\n0 00\n');
    expect(graph.vertices).toBe(4);
    const stored = storedEdges(temp.catalog, 'g');
    expect(stored.labels).toEqual(new Set(['007', '7', '0', '00']));
    expect(stored.edges).toEqual(sorted(['007>7', '7>0', '0>00']));
    withReader(temp.catalog, 'g', (reader) => {
      expect(reader.idOf('007')).not.toBe(reader.idOf('7'));
      expect(reader.labelOf(reader.idOf('007'))).toBe('007');
      expect(reader.labelOf(reader.idOf('7'))).toBe(7);
    });
  });

  it('the dictionary round trips: every id maps to its label and back', async () => {
    const labels = ['3', '1000000', '0', 'x', '007', '18446744073709551615', '9007199254740991', '200000000', 'ü-ñ', '12'];
    const edges = labels.map((label, k) => `${label}\t${labels[(k * 3 + 1) % labels.length]}`).join('\n');
    const graph = await importText('mixed.tsv', `${edges}\n`);
    expect(graph.vertices).toBe(labels.length);
    withReader(temp.catalog, 'g', (reader) => {
      const seen = new Set<string>();
      for (let id = 0; id < graph.vertices; id++) {
        const label = String(reader.labelOf(id));
        seen.add(label);
        expect(reader.idOf(label)).toBe(id);
      }
      expect(seen).toEqual(new Set(labels));
      // Integer labels below the direct limit come first, in increasing order.
      expect(Array.from({ length: reader.meta.numDirect }, (_, id) => reader.labelOf(id))).toEqual([0, 3, 12, 1000000]);
    });
  });
});

describe('self-loops and multi-edges', () => {
  const text = '1 1\n1 2\n1 2\n2 2\n2 1\n1 2\n';

  it('are counted in the graph record and kept by default', async () => {
    const graph = await importText('multi.txt', text);
    expect(graph).toMatchObject({ edges: 6, selfLoops: 2, multiEdges: 2, removedSelfLoops: 0, removedMultiEdges: 0 });
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(sorted(['1>1', '1>2', '1>2', '2>2', '2>1', '1>2']));
  });

  it('dropSelfLoops and dedupe remove them', async () => {
    const noLoops = await importText('multi.txt', text, { name: 'noloops', dropSelfLoops: true });
    expect(noLoops).toMatchObject({ edges: 4, selfLoops: 2, removedSelfLoops: 2, multiEdges: 2, removedMultiEdges: 0 });
    expect(storedEdges(temp.catalog, 'noloops').edges).toEqual(sorted(['1>2', '1>2', '1>2', '2>1']));

    const deduped = await importText('multi.txt', text, { name: 'deduped', dedupe: true });
    expect(deduped).toMatchObject({ edges: 4, multiEdges: 2, removedMultiEdges: 2, selfLoops: 2, removedSelfLoops: 0 });
    expect(storedEdges(temp.catalog, 'deduped').edges).toEqual(sorted(['1>1', '1>2', '2>2', '2>1']));

    const both = await importText('multi.txt', text, { name: 'both', dedupe: true, dropSelfLoops: true });
    expect(both).toMatchObject({ edges: 2, vertices: 2 });
    expect(storedEdges(temp.catalog, 'both').edges).toEqual(sorted(['1>2', '2>1']));
  });

  it('a vertex whose only edges are dropped self-loops stays a vertex', async () => {
    const graph = await importText('loop.txt', '1 2\n3 3\n', { dropSelfLoops: true });
    expect(graph).toMatchObject({ vertices: 3, edges: 1 });
    expect(storedEdges(temp.catalog, 'g').labels).toEqual(new Set(['1', '2', '3']));
  });

  it('dedupe keeps the first weight in file order, across partitions', async () => {
    // Pairs repeat with increasing weights; the first occurrence of each pair has the least weight.
    const lines: string[] = [];
    const first = new Map<string, number>();
    for (let k = 0; k < 3000; k++) {
      const pair = `${(k * 7) % 37}>${(k * 11) % 53}`;
      if (!first.has(pair)) first.set(pair, k);
      lines.push(`${(k * 7) % 37} ${(k * 11) % 53} ${k}`);
    }
    const graph = await importText('weights.txt', `${lines.join('\n')}\n`, { weighted: true, dedupe: true, partitions: 4 });
    expect(graph.edges).toBe(first.size);
    expect(graph.multiEdges).toBe(3000 - first.size);
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(sorted([...first].map(([pair, k]) => `${pair}:${k}`)));
  });

  it('undirected graphs count "1 2" and "2 1" as a multi-edge', async () => {
    const graph = await importText('u.txt', '2 1 3\n1 2 4\n1 3 5\n', { undirected: true, weighted: true });
    expect(graph).toMatchObject({ edges: 3, multiEdges: 1 });
    expect(storedEdges(temp.catalog, 'g').edges).toEqual(['1-2:3', '1-2:4', '1-3:5']);

    const deduped = await importText('u.txt', '2 1 3\n1 2 4\n1 3 5\n', { name: 'd', undirected: true, weighted: true, dedupe: true });
    expect(deduped).toMatchObject({ edges: 2, multiEdges: 1, removedMultiEdges: 1 });
    expect(storedEdges(temp.catalog, 'd').edges).toEqual(['1-2:3', '1-3:5']);
  });
});

describe('export → import round trip', () => {
  const weightedText = 'a b 0.1\nb c 1e-7\nc a 123456789.125\n5 a -3\n18446744073709551615 007 2\n007 5 0.5\na b 0.1\n';

  for (const undirected of [false, true]) {
    it(`snap, ${undirected ? 'undirected' : 'directed'}: same labels, same edge multiset, same weights`, async () => {
      await importText('original.txt', weightedText, { weighted: true, undirected });
      const original = storedEdges(temp.catalog, 'g', { byLabel: true });
      const exported = await exportToString(temp.catalog, 'g', 'snap');
      await importText('exported.txt', exported, { name: 'again', weighted: true, undirected, partitions: 2 });
      const again = storedEdges(temp.catalog, 'again', { byLabel: true });
      expect(again.labels).toEqual(original.labels);
      expect(again.edges).toEqual(original.edges);
    });
  }

  for (const undirected of [false, true]) {
    it(`graphology, ${undirected ? 'undirected' : 'directed'}: isolated vertices and labels with spaces survive; Graph.from loads it`, async () => {
      const source = new Graph({ type: undirected ? 'undirected' : 'directed', multi: true });
      for (const key of ['lonely one', 'New York', 'Boston', '42', '007']) source.addNode(key);
      source.addEdge('New York', 'Boston', { weight: 0.75 });
      source.addEdge('New York', 'Boston', { weight: 2 });
      source.addEdge('Boston', '42');
      source.addEdge('42', '42', { weight: 9 });
      source.addEdge('007', 'New York', { weight: -0.5 });
      await importText('original.json', JSON.stringify(source.export()), { weighted: true });
      const original = storedEdges(temp.catalog, 'g', { byLabel: true });
      expect(original.labels).toEqual(new Set(['lonely one', 'New York', 'Boston', '42', '007']));

      const exported = await exportToString(temp.catalog, 'g', 'graphology');
      const loaded = Graph.from(JSON.parse(exported) as Parameters<typeof Graph.from>[0]);
      expect(loaded.order).toBe(5);
      expect(loaded.size).toBe(5);
      expect(loaded.type).toBe(undirected ? 'undirected' : 'directed');
      expect(loaded.hasNode('lonely one')).toBe(true);

      await importText('exported.json', exported, { name: 'again', weighted: true });
      const again = storedEdges(temp.catalog, 'again', { byLabel: true });
      expect(again.labels).toEqual(original.labels);
      expect(again.edges).toEqual(original.edges);
    });
  }
});
