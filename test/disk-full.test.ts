/**
 * A full disk is an error, not a broken store (issue 14, item 2). On small tmpfs volumes (12, 20
 * and 30 MB) an import, a run and a repartition that do not fit fail with GAS_ERR_NO_SPACE naming
 * the data directory and the sizes; the catalog is left consistent (no half-imported graph, no
 * job stuck `running`, no stray files) and `graph list`, `jobs`, `graph drop` and a new import
 * work afterwards — also on a volume filled to the last byte, and after a process died with its
 * files on the volume. Both ways a write can run out are covered: refused up front (the size
 * already exceeds what `df` reports) and caught when LMDB commits (the estimate is a lower
 * bound; the volume is filled to just above it).
 *
 * Mounting tmpfs needs root (CI runs as root); elsewhere the tests are skipped, saying why. The
 * graphs are generated outside the volumes; commands go through the built CLI (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, GasError } from '../src/errors.js';
import { writeKroneckerEdgeList } from '../src/generate/kronecker.js';
import { Catalog } from '../src/index.js';
import { graphDir } from '../src/storage/data-dir.js';
import { resultFile, writeResults } from '../src/storage/results.js';

const CLI = resolve('bin/gasworks.js');
const MiB = 1 << 20;

/** Why tmpfs volumes cannot be mounted here, or null when they can. */
function mountUnavailable(): string | null {
  if (process.platform !== 'linux') return `tmpfs volumes need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting tmpfs needs root (run the suite as root, as CI does)';
  const probe = mkdtempSync(join(tmpdir(), 'gasworks-mount-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.status !== 0) return `mount -t tmpfs failed: ${(mounted.stderr || mounted.error?.message || '').trim()}`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const unavailable = mountUnavailable();
if (unavailable) console.log(`disk-full tests skipped: ${unavailable}`);

const workDir = mkdtempSync(join(tmpdir(), 'gasworks-disk-full-'));
const mounts: string[] = [];

/** A fresh tmpfs volume of `megabytes` MB under `workDir`, unmounted in afterAll. */
function volume(megabytes: number): string {
  const dir = join(workDir, `volume-${mounts.length}-${megabytes}m`);
  mkdirSync(dir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount ${dir}: ${mounted.stderr}`);
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of mounts.splice(0)) {
    // A file still open (a catalog a failed assertion did not close) makes umount refuse: detach lazily then.
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  }
  rmSync(workDir, { recursive: true, force: true });
});

function available(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** Fills `dir`'s volume with a file until `leave` bytes (rounded down to pages) are available. */
function fillLeaving(dir: string, leave: number, name = 'filler'): string {
  const file = join(dir, name);
  writeFileSync(file, Buffer.alloc(Math.max(0, Math.floor((available(dir) - leave) / 4096) * 4096)));
  return file;
}

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function gasworks(dataDir: string, ...args: string[]): Outcome {
  const child = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, GASWORKS_HOME: undefined },
  });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

function succeeds(outcome: Outcome): Outcome {
  expect(outcome.status, outcome.stderr).toBe(0);
  return outcome;
}

/**
 * GAS_ERR_NO_SPACE as users see it: one line naming the data directory and both sizes, exit 71,
 * after at most a warning that the catalog opened on a full volume.
 */
function expectNoSpace(outcome: Outcome, api: string, dataDir: string): void {
  expect(outcome.status, outcome.stderr).toBe(ERROR_CODES.GAS_ERR_NO_SPACE.exit);
  const lines = outcome.stderr.trimEnd().split('\n');
  for (const line of lines.slice(0, -1)) expect(line).toMatch(/^gasworks: warning: catalog: /);
  expect(lines.length, outcome.stderr).toBeLessThanOrEqual(2);
  expect(lines.at(-1)).toMatch(new RegExp(`^gasworks: ${api}: no space left on the volume of data directory ${dataDir}: .* \\[GAS_ERR_NO_SPACE\\]$`));
  expect(lines.at(-1)).toMatch(/needs (at least [\d.]+ (MiB|KiB|B|bytes), [\d.]+ (MiB|KiB|B|bytes) available|more than the [\d.]+ (MiB|KiB|B) available)/);
}

/** The JSON error of a failed command (`--json`). */
function jsonError(outcome: Outcome): { code: string; message: string; details: Record<string, number | string> } {
  return (JSON.parse(outcome.stderr.trim()) as { error: { code: string; message: string; details: Record<string, number | string> } }).error;
}

/** Graph directories under the data directory, and every file below them. */
function storedFiles(dataDir: string): string[] {
  const graphs = join(dataDir, 'graphs');
  return existsSync(graphs) ? readdirSync(graphs, { recursive: true, encoding: 'utf8' }) : [];
}

function catalogRows(dataDir: string, sql: string): unknown[] {
  const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/** A pid that no process has any more (a child that has exited). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

const files = { small: join(workDir, 'small.txt'), medium: join(workDir, 'medium.txt'), large: join(workDir, 'large.txt'), huge: join(workDir, 'huge.txt') };

describe.skipIf(unavailable !== null)('a full disk', () => {
  beforeAll(async () => {
    // Stored sizes (4 partitions): small ≈ 0.4 MB, medium ≈ 5.5 MB, large ≈ 13 MB, huge ≈ 16 MB.
    await writeKroneckerEdgeList({ scale: 12, edgeFactor: 8, seed: 1 }, files.small);
    await writeKroneckerEdgeList({ scale: 15, edgeFactor: 16, seed: 2 }, files.medium);
    await writeKroneckerEdgeList({ scale: 16, edgeFactor: 20, seed: 3 }, files.large);
    await writeKroneckerEdgeList({ scale: 16, edgeFactor: 24, seed: 4 }, files.huge);
  }, 20_000);

  it('import on a 12 MB volume: GAS_ERR_NO_SPACE naming the data directory, nothing left behind, every later command works (CLI)', () => {
    const data = join(volume(12), 'data');
    expectNoSpace(gasworks(data, 'import', files.large, '--name', 'large'), 'import', data);
    const error = jsonError(gasworks(data, 'import', files.large, '--name', 'large', '--json'));
    expect(error.code).toBe('GAS_ERR_NO_SPACE');
    expect(error.details).toMatchObject({ dataDir: data });
    expect(Number(error.details.neededBytes)).toBeGreaterThan(Number(error.details.availableBytes));
    expect(storedFiles(data)).toEqual([]);
    expect(catalogRows(data, `SELECT id FROM graphs`)).toEqual([]);

    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).not.toContain('large');
    succeeds(gasworks(data, 'jobs'));
    succeeds(gasworks(data, 'import', files.small, '--name', 'small'));
    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).toContain('small');
    succeeds(gasworks(data, 'graph', 'drop', 'small'));
    expect(storedFiles(data)).toEqual([]);
  }, 30_000);

  it('import that runs out while LMDB commits (20 MB volume filled to just above the estimate): the same error; after deleting something it imports', () => {
    const dir = volume(20);
    const data = join(dir, 'data');
    succeeds(gasworks(data, 'graph', 'list')); // a read-only command: creates nothing
    const first = fillLeaving(dir, 8 * MiB);
    const needed = Number(jsonError(gasworks(data, 'import', files.large, '--name', 'large', '--json')).details.neededBytes);
    rmSync(first);
    // Room for the estimate (a lower bound) and the catalog's log, not for LMDB's own pages.
    const filler = fillLeaving(dir, needed + 160 * 1024);
    const outcome = gasworks(data, 'import', files.large, '--name', 'large');
    expectNoSpace(outcome, 'import', data);
    expect(outcome.stderr).toContain('needs more than the');
    expect(storedFiles(data)).toEqual([]);
    expect(catalogRows(data, `SELECT id FROM graphs`)).toEqual([]);

    rmSync(filler);
    succeeds(gasworks(data, 'import', files.large, '--name', 'large'));
    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).toContain('large');
  }, 30_000);

  it('run whose result column does not fit (20 MB volume): the job fails with GAS_ERR_NO_SPACE and leaves no result file; after deleting something it runs', () => {
    const dir = volume(20);
    const data = join(dir, 'data');
    succeeds(gasworks(data, 'import', files.medium, '--name', 'medium'));
    const graphId = (JSON.parse(succeeds(gasworks(data, 'graph', 'info', 'medium', '--json')).stdout) as { id: string }).id;
    const vertices = (JSON.parse(succeeds(gasworks(data, 'graph', 'info', 'medium', '--json')).stdout) as { vertices: number }).vertices;
    // The graph fits; its result column (8 bytes per vertex) does not.
    const filler = fillLeaving(dir, (vertices * 8) / 2);
    const outcome = gasworks(data, 'run', 'pagerank', '--graph', 'medium');
    expectNoSpace(outcome, 'results', data);
    expect(outcome.stderr).toMatch(/the result column of job 1 \(/);

    const jobs = JSON.parse(succeeds(gasworks(data, 'jobs', '--json')).stdout) as { id: number; status: string; errorCode: string }[];
    expect(jobs).toMatchObject([{ id: 1, status: 'failed', errorCode: 'GAS_ERR_NO_SPACE' }]);
    expect(existsSync(resultFile(join(data, 'graphs', graphId), 1))).toBe(false);
    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).toContain('medium');

    rmSync(filler);
    succeeds(gasworks(data, 'run', 'pagerank', '--graph', 'medium'));
    succeeds(gasworks(data, 'results', '2', '--top', '3'));
    succeeds(gasworks(data, 'graph', 'drop', 'medium', '--force'));
    succeeds(gasworks(data, 'import', files.small, '--name', 'small'));
  }, 30_000);

  it('a result write that runs out while LMDB commits removes its partial file and reports GAS_ERR_NO_SPACE', () => {
    const dir = volume(12);
    const graphDirectory = join(dir, 'data', 'graphs', 'g');
    mkdirSync(join(graphDirectory, 'jobs'), { recursive: true });
    const values = new Float64Array(250_000).fill(0.5); // 2 MB: one column, eight values of 64 Ki rows
    // Room for the values and LMDB's lock file and meta pages, not for its other pages.
    const filler = fillLeaving(dir, values.byteLength + 24 * 1024);
    const before = available(dir);
    let error: unknown;
    try {
      writeResults(graphDirectory, { job: 7, column: 'rank', width: 1, vertices: values.length }, values);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GasError);
    expect((error as GasError).code).toBe('GAS_ERR_NO_SPACE');
    expect((error as GasError).message).toContain(`data directory ${join(dir, 'data')}:`);
    expect(readdirSync(join(graphDirectory, 'jobs'))).toEqual([]);
    expect(available(dir)).toBe(before);
    rmSync(filler);
    writeResults(graphDirectory, { job: 7, column: 'rank', width: 1, vertices: values.length }, values);
    expect(readdirSync(join(graphDirectory, 'jobs')).sort()).toEqual(['job-7.mdb', 'job-7.mdb-lock']);
  });

  it('repartition whose new layout does not fit beside the old one (30 MB volume): GAS_ERR_NO_SPACE, the graph keeps its layout; drop and a new import work', () => {
    const data = join(volume(30), 'data');
    succeeds(gasworks(data, 'import', files.huge, '--name', 'huge'));
    const before = JSON.parse(succeeds(gasworks(data, 'graph', 'info', 'huge', '--json')).stdout) as { id: string; layout: string; partitions: number };
    // 16 partitions replicate more vertices: ≈ 17.4 MB beside the 15.3 MB of the current layout.
    expectNoSpace(gasworks(data, 'repartition', 'huge', '--partitions', '16'), 'repartition', data);

    const after = JSON.parse(succeeds(gasworks(data, 'graph', 'info', 'huge', '--json')).stdout) as { layout: string; partitions: number };
    expect(after).toMatchObject({ layout: before.layout, partitions: before.partitions });
    expect(readdirSync(graphDir(data, before.id))).toEqual([before.layout]);
    expect(catalogRows(data, `SELECT pending_layout FROM graphs`)).toEqual([{ pending_layout: null }]);
    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).toContain('huge');
    succeeds(gasworks(data, 'jobs'));
    succeeds(gasworks(data, 'graph', 'drop', 'huge'));
    succeeds(gasworks(data, 'import', files.large, '--name', 'large'));
    succeeds(gasworks(data, 'repartition', 'large', '--partitions', '2'));
  }, 40_000);

  it('a volume filled to the last byte: graph list and jobs work, an import and a run say GAS_ERR_NO_SPACE, and graph drop works once something is deleted', () => {
    const dir = volume(12);
    const data = join(dir, 'data');
    succeeds(gasworks(data, 'import', files.small, '--name', 'small'));
    const filler = fillLeaving(dir, 0);
    expect(available(dir)).toBe(0);
    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).toContain('small');
    succeeds(gasworks(data, 'jobs'));
    expectNoSpace(gasworks(data, 'import', files.small, '--name', 'again'), 'import', data);
    // Not a program error: the job's row could not be written, so there is no job.
    expectNoSpace(gasworks(data, 'run', 'pagerank', '--graph', 'small'), 'run', data);
    expect(JSON.parse(succeeds(gasworks(data, 'jobs', '--json')).stdout)).toEqual([]);
    rmSync(filler);
    succeeds(gasworks(data, 'graph', 'drop', 'small'));
    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).not.toContain('small');
  }, 30_000);

  it('files of dead processes filling the volume (an import, a run) are swept by the next command, which works', () => {
    const dir = volume(12);
    const data = join(dir, 'data');
    succeeds(gasworks(data, 'import', files.small, '--name', 'small'));
    const catalog = Catalog.open(data);
    const graph = catalog.getGraph('small');
    // A run that died after writing part of its result column.
    const job = catalog.jobs.create({
      graphId: graph.id,
      graphName: 'small',
      graphLayout: graph.layout,
      algorithm: 'pagerank',
      programFile: null,
      options: {},
      workers: 1,
    });
    writeResults(graphDir(data, graph.id), { job, column: 'rank', width: 1, vertices: graph.vertices }, new Float64Array(graph.vertices));
    // An import that died while writing its tables, which took the rest of the volume.
    const importId = '00000000-dead-4000-8000-000000000000';
    catalog.beginImport(
      {
        id: importId,
        name: 'dead',
        sourceFile: files.large,
        format: 'snap',
        directed: true,
        weighted: false,
        partitions: 4,
        strategy: 'random',
        seed: 1,
        strategyOptions: {},
        layout: 'layout-dead',
      },
      false,
    );
    catalog.close();
    const db = new Database(join(data, 'catalog.sqlite'));
    db.prepare(`UPDATE graphs SET owner_pid = ? WHERE id = ?`).run(deadPid(), importId);
    db.prepare(`UPDATE jobs SET owner_pid = ? WHERE id = ?`).run(deadPid(), job);
    db.close();
    mkdirSync(join(graphDir(data, importId), 'layout-dead'), { recursive: true });
    fillLeaving(join(graphDir(data, importId), 'layout-dead'), 0, 'part-0000.mdb');
    expect(available(dir)).toBe(0);

    expect(succeeds(gasworks(data, 'graph', 'list')).stdout).toContain('small');
    expect(existsSync(graphDir(data, importId))).toBe(false);
    expect(existsSync(resultFile(graphDir(data, graph.id), job))).toBe(false);
    expect(catalogRows(data, `SELECT id FROM graphs`)).toEqual([{ id: graph.id }]);
    const jobs = JSON.parse(succeeds(gasworks(data, 'jobs', '--json')).stdout) as { id: number; status: string; errorCode: string }[];
    expect(jobs).toMatchObject([{ id: job, status: 'interrupted', errorCode: null }]);
    succeeds(gasworks(data, 'import', files.medium, '--name', 'medium'));
    succeeds(gasworks(data, 'graph', 'drop', 'small'));
  }, 30_000);
});
