/**
 * An import is one atomic unit: a process killed at any point leaves no graph visible, and the
 * next process to open the catalog removes whatever files the dead import had written.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../src/storage/index.js';
import { importGraph } from '../src/ingest/import-graph.js';
import { runAndKill } from './helpers/workers.js';
import { requireSharedData, sharedDataFile } from './helpers/shared-data.js';

const CNR = sharedDataFile('cnr-2000.txt.gz');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gasworks-kill-'));
  dirs.push(dir);
  return dir;
}

/** Starts `gasworks import` and SIGKILLs it as soon as `ready()` holds; resolves with the exit signal. */
function importAndKill(data: string, ready: () => boolean): Promise<NodeJS.Signals | null> {
  return runAndKill(['import', CNR, '--name', 'cnr', '--data-dir', data], ready);
}

/** True once the child has reserved its graph row (status `importing`) in the catalog. */
function importInProgress(data: string): boolean {
  const file = join(data, 'catalog.sqlite');
  if (!existsSync(file)) return false;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM graphs WHERE status = 'importing'`).get() as { n: number }).n > 0;
    } finally {
      db.close();
    }
  } catch {
    return false; // schema not created yet
  }
}

function graphDirs(data: string): string[] {
  const dir = join(data, 'graphs');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function partitionFilesWritten(data: string): boolean {
  return graphDirs(data).some((id) =>
    readdirSync(join(data, 'graphs', id), { recursive: true, encoding: 'utf8' }).some((file) => basename(file).startsWith('part-')),
  );
}

describe('import atomicity', () => {
  it('a SIGKILL while partitions are being written leaves no graph and no files', async () => {
    requireSharedData(CNR);
    const data = dataDir();
    const signal = await importAndKill(data, () => partitionFilesWritten(data));
    expect(signal).toBe('SIGKILL');
    expect(graphDirs(data).length).toBe(1); // the dead import's half-written directory

    const catalog = Catalog.open(data);
    try {
      expect(catalog.listGraphs()).toEqual([]);
      expect(graphDirs(data)).toEqual([]);
      const result = await importGraph(catalog, { file: CNR, name: 'cnr' });
      expect(result.graph.edges).toBe(3_216_152);
    } finally {
      catalog.close();
    }
  });

  it('a SIGKILL during parsing leaves no graph, and the name is free again', async () => {
    requireSharedData(CNR);
    const data = dataDir();
    await importAndKill(data, () => importInProgress(data) && !partitionFilesWritten(data));
    expect(importInProgress(data)).toBe(true); // the dead process's reservation is still there…
    const catalog = Catalog.open(data);
    try {
      expect(importInProgress(data)).toBe(false); // …until the next open sweeps it
      expect(catalog.listGraphs()).toEqual([]);
      expect(graphDirs(data)).toEqual([]);
      const small = join(data, 'small.txt');
      writeFileSync(small, '1 2\n2 3\n');
      expect((await importGraph(catalog, { file: small, name: 'cnr' })).graph.edges).toBe(2);
    } finally {
      catalog.close();
    }
  });
});
