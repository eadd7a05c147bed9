/**
 * A remote worker's cache of shipped shards, under `<data-dir>/shards/`. A stored layout never
 * changes (a re-import gets a new graph id, a repartition a new layout directory, named by a
 * UUID), so a shard is identified by the name of the layout's directory, the worker's place
 * (w of W) and the shard format: a worker that already holds it tells the
 * coordinator so at setup and is sent nothing, saving the shard's bytes on the wire (681 MB for
 * two workers on a scale-22 Kronecker graph). The least recently used shards beyond
 * `MAX_CACHED_SHARDS` are deleted.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { WorkerShard } from '../engine/runtime.js';
import { GasError } from '../errors.js';

/** Bumped whenever `WorkerShard` changes shape. */
const SHARD_FORMAT = 1;
export const MAX_CACHED_SHARDS = Number(process.env.GASWORKS_MAX_CACHED_SHARDS ?? 8);

/** `store`: the name of the graph's layout directory (`layout-<uuid>`, or the graph id for graphs stored before layouts). */
export function shardKey(store: string, worker: number, numWorkers: number): string {
  return `${store}.w${worker}of${numWorkers}.f${SHARD_FORMAT}`;
}

export class ShardCache {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'shards');
  }

  has(key: string): boolean {
    try {
      return statSync(this.file(key)).isFile();
    } catch {
      return false;
    }
  }

  /** The cached shard, or throws `GAS_ERR_CORRUPT` naming the file if it cannot be read. */
  load(key: string): WorkerShard {
    const file = this.file(key);
    try {
      const shard = deserialize(readFileSync(file)) as WorkerShard;
      const now = new Date();
      utimesSync(file, now, now);
      return shard;
    } catch (error) {
      rmSync(file, { force: true });
      throw new GasError('GAS_ERR_CORRUPT', `worker: cached shard ${file} is unreadable (${(error as Error).message}); it was removed, run the job again`, {
        file,
      });
    }
  }

  /** Stores a shard atomically (temporary file, then rename) and trims the cache. */
  store(key: string, shard: WorkerShard): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(key);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, serialize(shard));
    renameSync(temporary, file);
    this.trim();
  }

  private trim(): void {
    const entries = readdirSync(this.dir)
      .filter((name) => name.endsWith('.shard'))
      .map((name) => ({ path: join(this.dir, name), used: statSync(join(this.dir, name)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const stale of entries.slice(Math.max(1, MAX_CACHED_SHARDS))) rmSync(stale.path, { force: true });
  }

  private file(key: string): string {
    if (!/^(layout-)?[0-9a-f-]+\.w\d+of\d+\.f\d+$/i.test(key)) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: bad shard key "${key}"`);
    return join(this.dir, `${key}.shard`);
  }
}
