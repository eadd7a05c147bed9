/**
 * The catalog: a SQLite database of graphs (and, later, jobs and checkpoints). Its schema is
 * versioned with `PRAGMA user_version` and moved forward by the numbered migrations below, each
 * in one transaction.
 *
 * A graph row is created with status `importing` before any file is written and switched to
 * `ready` in one statement after every file is committed, so a graph is visible only whole.
 * Rows left `importing` by a process that is gone (its lease ran out, or its pid is dead on this
 * host: liveness.ts), graph directories with no row and the result files of jobs that did not
 * succeed are swept away whenever the catalog is opened; a sweep that cannot finish (a full
 * volume) warns and leaves the rest for the next open.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GasError, NotFoundError } from '../errors.js';
import { LAYOUT_PREFIX, catalogPath, ensureDataDir, graphDir, graphsDir } from './data-dir.js';
import { CATALOG_WRITE_BYTES, asNoSpace, isOutOfSpace, noSpaceError } from './disk-space.js';
import { sweepResultFiles } from './results.js';
import { JobTable, type JobRecord } from './jobs.js';
import { CheckpointTable } from './checkpoints.js';
import { LeaseHolder } from './lease-keeper.js';
import { claimAssignments, claimParameters, ownerColumns, ownerGone, ownerName, releaseAssignments, type OwnerRow } from './liveness.js';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE graphs (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('importing', 'ready')),
     owner_pid INTEGER,
     source_file TEXT NOT NULL,
     format TEXT NOT NULL,
     directed INTEGER NOT NULL,
     weighted INTEGER NOT NULL,
     vertices INTEGER,
     edges INTEGER,
     self_loops INTEGER,
     multi_edges INTEGER,
     removed_self_loops INTEGER,
     removed_multi_edges INTEGER,
     partitions INTEGER NOT NULL,
     strategy TEXT NOT NULL,
     seed INTEGER NOT NULL,
     replication_factor REAL,
     edge_balance REAL,
     vertex_balance REAL,
     import_ms INTEGER,
     created_at TEXT NOT NULL,
     UNIQUE (name, status)
   );
   CREATE TABLE graph_partitions (
     graph_id TEXT NOT NULL REFERENCES graphs(id) ON DELETE CASCADE,
     partition INTEGER NOT NULL,
     vertices INTEGER NOT NULL,
     masters INTEGER NOT NULL,
     edges INTEGER NOT NULL,
     PRIMARY KEY (graph_id, partition)
   );`,
  `CREATE TABLE jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     graph_id TEXT REFERENCES graphs(id) ON DELETE CASCADE,
     graph_name TEXT NOT NULL,
     algorithm TEXT NOT NULL,
     program_file TEXT,
     options TEXT NOT NULL,
     workers INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
     owner_pid INTEGER,
     iterations INTEGER,
     converged INTEGER,
     load_ms REAL,
     compute_ms REAL,
     summary TEXT,
     error_code TEXT,
     error_message TEXT,
     created_at TEXT NOT NULL,
     finished_at TEXT
   );
   CREATE INDEX jobs_by_graph ON jobs (graph_id);`,
  // Layouts (repartitioning keeps a graph's id, jobs and results): the tables live in
  // graphs/<id>/<layout>; a repartition in progress owns pending_layout until it commits.
  `ALTER TABLE graphs ADD COLUMN layout TEXT NOT NULL DEFAULT '';
   ALTER TABLE graphs ADD COLUMN strategy_options TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE graphs ADD COLUMN strategy_reason TEXT;
   ALTER TABLE graphs ADD COLUMN pending_layout TEXT;
   ALTER TABLE graphs ADD COLUMN pending_pid INTEGER;`,
  // Job history outlives its graph (jobs.ts): no more ON DELETE CASCADE from graphs, so the
  // table is rebuilt; graph_layout is the layout a job ran on, graph_removed what became of its
  // graph. AUTOINCREMENT's counter is carried over: job ids are never reused.
  `CREATE TABLE jobs_v4 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     graph_id TEXT,
     graph_name TEXT NOT NULL,
     graph_layout TEXT,
     graph_removed TEXT CHECK (graph_removed IN ('replaced', 'dropped')),
     algorithm TEXT NOT NULL,
     program_file TEXT,
     options TEXT NOT NULL,
     workers INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
     owner_pid INTEGER,
     iterations INTEGER,
     converged INTEGER,
     load_ms REAL,
     compute_ms REAL,
     summary TEXT,
     error_code TEXT,
     error_message TEXT,
     created_at TEXT NOT NULL,
     finished_at TEXT
   );
   INSERT INTO jobs_v4 (id, graph_id, graph_name, graph_layout, algorithm, program_file, options, workers, status, owner_pid, iterations,
                        converged, load_ms, compute_ms, summary, error_code, error_message, created_at, finished_at)
     SELECT id, graph_id, graph_name, (SELECT layout FROM graphs WHERE graphs.id = jobs.graph_id), algorithm, program_file, options, workers,
            status, owner_pid, iterations, converged, load_ms, compute_ms, summary, error_code, error_message, created_at, finished_at
     FROM jobs;
   DELETE FROM sqlite_sequence WHERE name = 'jobs_v4';
   INSERT INTO sqlite_sequence (name, seq) SELECT 'jobs_v4', seq FROM sqlite_sequence WHERE name = 'jobs';
   DROP TABLE jobs;
   ALTER TABLE jobs_v4 RENAME TO jobs;
   CREATE INDEX jobs_by_graph ON jobs (graph_id);`,
  // The job service (api/job-service.ts): jobs wait `queued`, and end `cancelled` or
  // `interrupted` as well; a cancel asked by another process is a flag the running one polls;
  // each job's events (job-events.ts) are kept for followers in other processes and for replay.
  `CREATE TABLE jobs_v6 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     graph_id TEXT,
     graph_name TEXT NOT NULL,
     graph_layout TEXT,
     graph_removed TEXT CHECK (graph_removed IN ('replaced', 'dropped')),
     algorithm TEXT NOT NULL,
     program_file TEXT,
     options TEXT NOT NULL,
     workers INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
     owner_pid INTEGER,
     cancel_requested INTEGER NOT NULL DEFAULT 0,
     iterations INTEGER,
     converged INTEGER,
     load_ms REAL,
     compute_ms REAL,
     summary TEXT,
     error_code TEXT,
     error_message TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT
   );
   INSERT INTO jobs_v6 (id, graph_id, graph_name, graph_layout, graph_removed, algorithm, program_file, options, workers, status, owner_pid,
                        iterations, converged, load_ms, compute_ms, summary, error_code, error_message, created_at, started_at, finished_at)
     SELECT id, graph_id, graph_name, graph_layout, graph_removed, algorithm, program_file, options, workers, status, owner_pid,
            iterations, converged, load_ms, compute_ms, summary, error_code, error_message, created_at, created_at, finished_at
     FROM jobs;
   DELETE FROM sqlite_sequence WHERE name = 'jobs_v6';
   INSERT INTO sqlite_sequence (name, seq) SELECT 'jobs_v6', seq FROM sqlite_sequence WHERE name = 'jobs';
   DROP TABLE jobs;
   ALTER TABLE jobs_v6 RENAME TO jobs;
   CREATE INDEX jobs_by_graph ON jobs (graph_id);
   CREATE INDEX jobs_by_status ON jobs (status);
   CREATE TABLE job_events (
     job_id INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     event TEXT NOT NULL,
     PRIMARY KEY (job_id, seq)
   ) WITHOUT ROWID;`,
  // Checkpoints of running jobs (checkpoints.ts): a job's checkpoint gets its row (the manifest:
  // what each worker wrote and its checksum) only once every worker has written its part.
  `CREATE TABLE checkpoints (
     job_id INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     step INTEGER NOT NULL,
     manifest TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (job_id, seq)
   ) WITHOUT ROWID;`,
  // Owners by lease, not by pid alone (liveness.ts): a row a process owns (a live job, an
  // import, a repartition in pending_*) names it by a random id, its host, pid space and start
  // time, and holds a lease (ms since the epoch) that the owner's lease keeper renews.
  `ALTER TABLE jobs ADD COLUMN owner_id TEXT;
   ALTER TABLE jobs ADD COLUMN owner_host TEXT;
   ALTER TABLE jobs ADD COLUMN owner_pid_space TEXT;
   ALTER TABLE jobs ADD COLUMN owner_start_time TEXT;
   ALTER TABLE jobs ADD COLUMN lease_expires_at INTEGER;
   ALTER TABLE graphs ADD COLUMN owner_id TEXT;
   ALTER TABLE graphs ADD COLUMN owner_host TEXT;
   ALTER TABLE graphs ADD COLUMN owner_pid_space TEXT;
   ALTER TABLE graphs ADD COLUMN owner_start_time TEXT;
   ALTER TABLE graphs ADD COLUMN lease_expires_at INTEGER;
   ALTER TABLE graphs ADD COLUMN pending_owner_id TEXT;
   ALTER TABLE graphs ADD COLUMN pending_host TEXT;
   ALTER TABLE graphs ADD COLUMN pending_pid_space TEXT;
   ALTER TABLE graphs ADD COLUMN pending_start_time TEXT;
   ALTER TABLE graphs ADD COLUMN pending_lease_expires_at INTEGER;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface PartitionSize {
  readonly partition: number;
  readonly vertices: number;
  readonly masters: number;
  readonly edges: number;
}

export interface GraphRecord {
  readonly id: string;
  readonly name: string;
  readonly sourceFile: string;
  readonly format: string;
  readonly directed: boolean;
  readonly weighted: boolean;
  readonly vertices: number;
  readonly edges: number;
  readonly selfLoops: number;
  readonly multiEdges: number;
  readonly removedSelfLoops: number;
  readonly removedMultiEdges: number;
  readonly partitions: number;
  readonly strategy: string;
  readonly seed: number;
  /** The strategy's parameters as used (`threshold` for hybrid, `lambda` for HDRF). */
  readonly strategyOptions: StrategyOptions;
  /** Why `--strategy auto` chose `strategy` (null when the strategy was named). */
  readonly strategyReason: string | null;
  /** Sub-directory of the graph directory holding its tables ('' for graphs imported before layouts). */
  readonly layout: string;
  readonly replicationFactor: number;
  readonly edgeBalance: number;
  readonly vertexBalance: number;
  readonly importMs: number;
  readonly createdAt: string;
}

export interface StrategyOptions {
  readonly threshold?: number;
  readonly lambda?: number;
}

export type NewGraph = Pick<
  GraphRecord,
  'id' | 'name' | 'sourceFile' | 'format' | 'directed' | 'weighted' | 'partitions' | 'strategy' | 'seed' | 'strategyOptions' | 'layout'
>;

/** What a repartition changes: the partitioning and the figures that follow from it. */
export type Repartitioned = Pick<
  GraphRecord,
  'partitions' | 'strategy' | 'seed' | 'strategyOptions' | 'strategyReason' | 'multiEdges' | 'replicationFactor' | 'edgeBalance' | 'vertexBalance'
>;

export type GraphStats = Pick<
  GraphRecord,
  | 'strategy'
  | 'vertices'
  | 'edges'
  | 'selfLoops'
  | 'multiEdges'
  | 'removedSelfLoops'
  | 'removedMultiEdges'
  | 'replicationFactor'
  | 'edgeBalance'
  | 'vertexBalance'
  | 'importMs'
  | 'directed'
  | 'weighted'
  | 'strategyReason'
>;

interface GraphRow {
  id: string;
  name: string;
  source_file: string;
  format: string;
  directed: number;
  weighted: number;
  vertices: number;
  edges: number;
  self_loops: number;
  multi_edges: number;
  removed_self_loops: number;
  removed_multi_edges: number;
  partitions: number;
  strategy: string;
  seed: number;
  strategy_options: string;
  strategy_reason: string | null;
  layout: string;
  pending_layout: string | null;
  pending_pid: number | null;
  replication_factor: number;
  edge_balance: number;
  vertex_balance: number;
  import_ms: number;
  created_at: string;
}

export interface CatalogOpenOptions {
  /** Create a missing data directory and catalog (default true); see `Catalog.open`. */
  readonly create?: boolean;
  /**
   * Told what the open could not do and left for later (a clean-up step that failed, a full
   * volume): one line each. Default: `gasworks: warning: …` on stderr.
   */
  readonly onWarning?: (message: string) => void;
}

export class Catalog {
  readonly dataDir: string;
  /** The jobs table (runs of vertex programs). */
  readonly jobs: JobTable;
  readonly checkpoints: CheckpointTable;
  private readonly db: Database.Database;
  /** The leases of the rows this catalog's process owns here (its jobs', imports' and repartitions'). */
  private readonly leases: LeaseHolder;

  private constructor(dataDir: string, db: Database.Database, file: string) {
    this.dataDir = dataDir;
    this.db = db;
    this.leases = new LeaseHolder(file);
    this.jobs = new JobTable(db, dataDir, this.leases);
    this.checkpoints = new CheckpointTable(db, dataDir);
  }

  /**
   * Opens the catalog of `dataDir`, migrates it, and sweeps dead imports. With `create` (the
   * default) a missing data directory and catalog are created; without it — for commands that
   * only read, or only act on graphs that must already exist — a missing catalog opens as an
   * empty one in memory, so nothing is written to disk: listings come back empty and lookups fail
   * with GAS_ERR_NOT_FOUND.
   */
  static open(dataDir: string, options: CatalogOpenOptions = {}): Catalog {
    const create = options.create ?? true;
    const warn = options.onWarning ?? warnOnStderr;
    if (create) ensureDataDir(dataDir);
    const file = create || existsSync(catalogPath(dataDir)) ? catalogPath(dataDir) : ':memory:';
    const db = openDatabase(file, dataDir, warn);
    const catalog = new Catalog(dataDir, db, file);
    try {
      catalog.migrate();
    } catch (error) {
      db.close();
      throw asNoSpace(error, { api: 'catalog', dataDir, what: 'upgrading its schema', neededBytes: CATALOG_WRITE_BYTES });
    }
    // An empty stand-in owns no rows: sweeping with it would take every graph directory for an orphan.
    if (file !== ':memory:') catalog.sweep(warn);
    return catalog;
  }

  close(): void {
    this.leases.close();
    this.db.close();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Reserves `name` for an import by this process; fails if a ready graph or a live import has it.
   * An import whose process is gone gives way: its row goes, and its directory with the next sweep.
   */
  beginImport(graph: NewGraph, replace: boolean): void {
    const run = this.db.transaction(() => {
      const existing = this.db.prepare(`SELECT id, status, ${ownerColumns('owner')} FROM graphs WHERE name = ?`).all(graph.name) as (OwnerRow & {
        id: string;
        status: string;
      })[];
      for (const row of existing) {
        if (row.status === 'importing') {
          if (ownerGone(row) === null) {
            throw new GasError('GAS_ERR_BUSY', `import: graph "${graph.name}" is being imported by process ${row.pid}`, { graph: graph.name });
          }
          this.abortImport(row.id);
          continue;
        }
        if (!replace) {
          throw new GasError('GAS_ERR_EXISTS', `import: graph "${graph.name}" already exists (drop it first, or pass --replace)`, { graph: graph.name });
        }
        // From here no job starts on the old graph (JobTable.create sees this import), so none runs when it is replaced.
        this.jobs.assertNoRunningJobs({ id: row.id, name: graph.name }, 'import');
      }
      this.db
        .prepare(
          `INSERT INTO graphs (id, name, status, source_file, format, directed, weighted, partitions, strategy, seed, strategy_options, layout, created_at)
           VALUES (@id, @name, 'importing', @sourceFile, @format, @directed, @weighted, @partitions, @strategy, @seed, @strategyOptions, @layout, @createdAt)`,
        )
        .run({
          ...graph,
          strategyOptions: JSON.stringify(graph.strategyOptions),
          directed: graph.directed ? 1 : 0,
          weighted: graph.weighted ? 1 : 0,
          createdAt: new Date().toISOString(),
        });
      this.db.prepare(`UPDATE graphs SET ${claimAssignments('owner')} WHERE id = @id`).run({ ...claimParameters(), id: graph.id });
    });
    run.immediate();
    this.leases.acquire({ table: 'graphs', slot: 'owner', key: graph.id });
  }

  /**
   * Makes an import visible: records its figures and flips it to `ready` in one transaction,
   * removing the row of any graph it replaces; that graph's jobs stay, marked `replaced`
   * (JobTable.releaseGraph: refused while one runs). Returns the id of the replaced graph, if any.
   */
  completeImport(graphId: string, stats: GraphStats, partitions: readonly PartitionSize[]): string | null {
    const run = this.db.transaction((): string | null => {
      const row = this.db.prepare(`SELECT name FROM graphs WHERE id = ? AND status = 'importing'`).get(graphId) as { name: string } | undefined;
      if (!row) throw new GasError('GAS_ERR_CORRUPT', `catalog: import ${graphId} vanished before it completed`);
      const old = this.db.prepare(`SELECT id FROM graphs WHERE name = ? AND status = 'ready'`).get(row.name) as { id: string } | undefined;
      if (old) {
        // `import --replace` asked for --force before it began, if the old graph had results to lose.
        this.jobs.releaseGraph({ id: old.id, name: row.name }, 'replaced', 'import', true);
        this.db.prepare(`DELETE FROM graphs WHERE id = ?`).run(old.id);
      }
      const insertPartition = this.db.prepare(`INSERT INTO graph_partitions (graph_id, partition, vertices, masters, edges) VALUES (?, ?, ?, ?, ?)`);
      for (const p of partitions) insertPartition.run(graphId, p.partition, p.vertices, p.masters, p.edges);
      this.db
        .prepare(
          `UPDATE graphs SET status = 'ready', ${releaseAssignments('owner')}, vertices = @vertices, edges = @edges,
             self_loops = @selfLoops, multi_edges = @multiEdges, removed_self_loops = @removedSelfLoops,
             removed_multi_edges = @removedMultiEdges, replication_factor = @replicationFactor,
             edge_balance = @edgeBalance, vertex_balance = @vertexBalance, import_ms = @importMs,
             directed = @directed, weighted = @weighted, strategy = @strategy, strategy_reason = @strategyReason
           WHERE id = @id`,
        )
        .run({ ...stats, directed: stats.directed ? 1 : 0, weighted: stats.weighted ? 1 : 0, id: graphId });
      return old?.id ?? null;
    });
    const replaced = run.immediate();
    this.leases.release({ table: 'graphs', slot: 'owner', key: graphId });
    return replaced;
  }

  /**
   * Reserves a new layout of a ready graph for a repartition by this process; fails with
   * GAS_ERR_BUSY if a live process is repartitioning it already.
   */
  beginRepartition(graphId: string, layout: string): void {
    const run = this.db.transaction(() => {
      const row = this.db.prepare(`SELECT name, pending_layout, ${ownerColumns('pending')} FROM graphs WHERE id = ? AND status = 'ready'`).get(graphId) as
        (OwnerRow & { name: string; pending_layout: string | null }) | undefined;
      if (!row) throw new NotFoundError(`graph ${graphId} not found`, { graph: graphId });
      // One whose process is gone is taken over: its layout is no longer pending, and the sweep deletes it.
      if (row.pending_layout !== null && ownerGone(row) === null) {
        throw new GasError('GAS_ERR_BUSY', `repartition: graph "${row.name}" is being repartitioned by process ${row.pid}`, { graph: row.name });
      }
      // A running job reads the current layout, which the switch deletes; from here no job starts (JobTable.create).
      this.jobs.assertNoRunningJobs({ id: graphId, name: row.name }, 'repartition');
      this.db
        .prepare(`UPDATE graphs SET pending_layout = @layout, ${claimAssignments('pending')} WHERE id = @id`)
        .run({ ...claimParameters(), layout, id: graphId });
    });
    run.immediate();
    this.leases.acquire({ table: 'graphs', slot: 'pending', key: graphId });
  }

  /**
   * Makes a repartition visible in one transaction: the graph points at its new layout, with the
   * new strategy, figures and partition sizes. Returns the layout it replaced, for the caller to
   * delete. Fails (GAS_ERR_CORRUPT) if the graph was dropped or replaced meanwhile.
   */
  completeRepartition(graphId: string, layout: string, stats: Repartitioned, partitions: readonly PartitionSize[]): string {
    const run = this.db.transaction((): string => {
      const row = this.db.prepare(`SELECT name, layout FROM graphs WHERE id = ? AND status = 'ready' AND pending_layout = ?`).get(graphId, layout) as
        { name: string; layout: string } | undefined;
      if (!row) throw new GasError('GAS_ERR_CORRUPT', `catalog: graph ${graphId} was dropped or replaced during its repartition`, { graph: graphId });
      this.jobs.assertNoRunningJobs({ id: graphId, name: row.name }, 'repartition');
      this.db.prepare(`DELETE FROM graph_partitions WHERE graph_id = ?`).run(graphId);
      const insertPartition = this.db.prepare(`INSERT INTO graph_partitions (graph_id, partition, vertices, masters, edges) VALUES (?, ?, ?, ?, ?)`);
      for (const p of partitions) insertPartition.run(graphId, p.partition, p.vertices, p.masters, p.edges);
      this.db
        .prepare(
          `UPDATE graphs SET layout = @layout, pending_layout = NULL, ${releaseAssignments('pending')}, partitions = @partitions,
             strategy = @strategy, seed = @seed, strategy_options = @strategyOptions, strategy_reason = @strategyReason,
             multi_edges = @multiEdges, replication_factor = @replicationFactor, edge_balance = @edgeBalance,
             vertex_balance = @vertexBalance
           WHERE id = @id`,
        )
        .run({ ...stats, strategyOptions: JSON.stringify(stats.strategyOptions), layout, id: graphId });
      return row.layout;
    });
    const old = run.immediate();
    this.leases.release({ table: 'graphs', slot: 'pending', key: graphId });
    return old;
  }

  /** Forgets a failed repartition of this process, or of one that is gone (the caller removes its directory). */
  abortRepartition(graphId: string, layout: string): void {
    this.db.prepare(`UPDATE graphs SET pending_layout = NULL, ${releaseAssignments('pending')} WHERE id = ? AND pending_layout = ?`).run(graphId, layout);
    this.leases.release({ table: 'graphs', slot: 'pending', key: graphId });
  }

  /** Forgets a failed import of this process, or of one that is gone. */
  abortImport(graphId: string): void {
    this.db.prepare(`DELETE FROM graphs WHERE id = ? AND status = 'importing'`).run(graphId);
    this.leases.release({ table: 'graphs', slot: 'owner', key: graphId });
  }

  listGraphs(): GraphRecord[] {
    const rows = this.db.prepare(`SELECT * FROM graphs WHERE status = 'ready' ORDER BY name`).all() as GraphRow[];
    return rows.map(toRecord);
  }

  /** The ready graph called `name` (or with that id); throws GAS_ERR_NOT_FOUND naming it. */
  getGraph(name: string): GraphRecord {
    const row = this.db.prepare(`SELECT * FROM graphs WHERE status = 'ready' AND (name = ? OR id = ?)`).get(name, name) as GraphRow | undefined;
    if (!row) throw new NotFoundError(`graph "${name}" not found`, { graph: name });
    return toRecord(row);
  }

  partitionSizes(graphId: string): PartitionSize[] {
    return this.db
      .prepare(`SELECT partition, vertices, masters, edges FROM graph_partitions WHERE graph_id = ? ORDER BY partition`)
      .all(graphId) as PartitionSize[];
  }

  /**
   * Removes the graph's row, in one transaction with JobTable.releaseGraph: refused while a job
   * runs on it, and (without `force`) while finished jobs have results; its jobs stay, marked
   * `dropped`. Returns the graph and the jobs whose results go; the caller then deletes its
   * directory (a crash in between leaves an orphan the sweep removes).
   */
  dropGraph(name: string, force = false): { graph: GraphRecord; discarded: JobRecord[] } {
    const drop = this.db.transaction(() => {
      const graph = this.getGraph(name);
      const discarded = this.jobs.releaseGraph(graph, 'dropped', 'graph drop', force);
      this.db.prepare(`DELETE FROM graphs WHERE id = ?`).run(graph.id);
      return { graph, discarded };
    });
    return drop.immediate();
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > SCHEMA_VERSION) {
      throw new GasError(
        'GAS_ERR_UNSUPPORTED',
        `catalog: ${catalogPath(this.dataDir)} has schema version ${current}, newer than this gasworks (${SCHEMA_VERSION}); upgrade gasworks`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[version]!);
          this.db.pragma(`user_version = ${version + 1}`);
        })
        .immediate();
    }
  }

  /**
   * Clears what processes that are gone (liveness.ts) left: their imports and repartitions, their
   * jobs (recorded `interrupted`), the result
   * files of jobs that did not succeed, and graph directories that no row owns. Files go before
   * rows: on a full volume the space they free is what the catalog's writes need. A step that
   * fails anyway (a volume still too full, a file that cannot be removed) is reported to `warn`
   * and left for the next open — the sweep never makes the catalog unusable.
   */
  private sweep(warn: (message: string) => void): void {
    const step = (what: string, body: () => void): void => {
      try {
        body();
      } catch (error) {
        warn(`catalog: could not ${what} (left for the next open): ${(error as Error).message}`);
      }
    };
    const dir = graphsDir(this.dataDir);
    // List directories before reading the rows: an import inserts its row before creating its
    // directory, so any directory listed here that belongs to a live import has a row by now.
    let entries: string[] = [];
    step(`list ${dir}`, () => (entries = existsSync(dir) ? readdirSync(dir) : []));
    const stale = (this.db.prepare(`SELECT id, ${ownerColumns('owner')} FROM graphs WHERE status = 'importing'`).all() as (OwnerRow & { id: string })[]).filter(
      (row) => ownerGone(row) !== null,
    );
    const owned = new Set((this.db.prepare(`SELECT id FROM graphs`).all() as { id: string }[]).map((row) => row.id));
    for (const row of stale) owned.delete(row.id);
    for (const id of new Set([...entries, ...stale.map((row) => row.id)])) {
      if (!owned.has(id)) step(`remove ${graphDir(this.dataDir, id)}`, () => rmSync(graphDir(this.dataDir, id), { recursive: true, force: true }));
    }
    this.sweepResultFiles(
      entries.filter((id) => owned.has(id)),
      warn,
    );
    step('mark the jobs of processes that are gone interrupted', () => this.jobs.sweep());
    step('remove the checkpoints no job can resume from', () => this.checkpoints.sweep(entries.filter((id) => owned.has(id))));
    for (const row of stale) step(`forget the import of graph ${row.id} by process ${ownerName(row)}, which is gone`, () => this.abortImport(row.id));
    step('list the layouts of graphs', () => this.sweepLayouts(step));
  }

  /**
   * Removes the result files of jobs that failed, were deleted, or whose process stopped while
   * running them (marked interrupted by `jobs.sweep`, which runs after this so that their space
   * is free first): nothing reads them. Each file is looked up after it was listed, and a job's
   * row is created before its file, so the file of a job that a live process is running is kept.
   */
  private sweepResultFiles(graphIds: readonly string[], warn: (message: string) => void): void {
    const lookup = this.db.prepare(`SELECT status, ${ownerColumns('owner')} FROM jobs WHERE id = ?`);
    const keep = (job: number): boolean => {
      const row = lookup.get(job) as (OwnerRow & { status: string }) | undefined;
      return row !== undefined && (row.status === 'succeeded' || (row.status === 'running' && ownerGone(row) === null));
    };
    sweepResultFiles(this.dataDir, graphIds, keep, (error) =>
      warn(`catalog: could not remove a result file (left for the next open): ${(error as Error).message}`),
    );
  }

  /**
   * Removes layouts no graph uses: those left by a repartition whose process is gone, and old
   * ones a finished repartition did not get to delete. Pending layouts of live processes are kept.
   */
  private sweepLayouts(step: (what: string, body: () => void) => void): void {
    // As for graph directories: list before reading the rows, so a layout that a live
    // repartition created after the listing is not seen, and one created before it has its row.
    const ids = (this.db.prepare(`SELECT id FROM graphs`).all() as { id: string }[]).map((row) => row.id);
    const listings = new Map(ids.map((id) => [id, existsSync(graphDir(this.dataDir, id)) ? readdirSync(graphDir(this.dataDir, id)) : []]));
    const rows = this.db.prepare(`SELECT id, layout, pending_layout, ${ownerColumns('pending')} FROM graphs`).all() as (OwnerRow &
      Pick<GraphRow, 'id' | 'layout' | 'pending_layout'>)[];
    for (const row of rows) {
      const pending = row.pending_layout;
      const deadPending = pending !== null && ownerGone(row) !== null;
      const dir = graphDir(this.dataDir, row.id);
      for (const entry of listings.get(row.id) ?? []) {
        if (entry.startsWith(LAYOUT_PREFIX) && entry !== row.layout && (deadPending || entry !== pending)) {
          step(`remove ${join(dir, entry)}`, () => rmSync(join(dir, entry), { recursive: true, force: true }));
        }
      }
      // After its files: the row only marks the layout as pending, and nothing starts from it.
      if (deadPending)
        step(`forget the repartition of graph ${row.id} by process ${ownerName(row)}, which is gone`, () => this.abortRepartition(row.id, pending!));
      if (row.layout !== '') step(`remove the old tables in ${dir}`, () => removeRootLayout(dir, listings.get(row.id)));
    }
  }
}

/** Bytes SQLite allocates for the WAL index (`-shm`) when a connection opens the catalog. */
const WAL_INDEX_BYTES = 32768;

/**
 * Opens the catalog database in WAL mode, so that readers never wait for a writer. WAL needs
 * room of its own: the index (`-shm`) is allocated on open and every write appends to the log.
 * On a volume too full for the index SQLite fails the open (SQLITE_IOERR_SHMSIZE), even for a
 * listing; the catalog then opens with exclusive locking, which keeps the index in this
 * process's memory, so `graph list` and `jobs` still work and `graph drop` can free space (a
 * write that finds no room fails as GAS_ERR_NO_SPACE, changing nothing). The price — other
 * processes wait (busy_timeout) until this one closes — is paid only while the volume is full.
 *
 * After a checkpoint SQLite reuses the log from its start but keeps the file at its largest;
 * `journal_size_limit` truncates it, so a long-lived process does not hold on to that space. A
 * checkpoint that cannot grow the database file leaves the log as it is, for the next open to
 * replay: a full volume costs no committed transaction.
 */
function openDatabase(file: string, dataDir: string, warn: (message: string) => void): Database.Database {
  try {
    return configureDatabase(file, false);
  } catch (error) {
    if (file === ':memory:' || !isOutOfSpace(error, dataDir, WAL_INDEX_BYTES)) throw cannotOpen(dataDir, error);
    warn(
      `catalog: the volume of data directory ${dataDir} is too full for SQLite's WAL index; opened with exclusive locking (other gasworks processes wait until this one ends); free space there`,
    );
    try {
      return configureDatabase(file, true);
    } catch (second) {
      if (isOutOfSpace(second, dataDir, WAL_INDEX_BYTES))
        throw noSpaceError({ api: 'catalog', dataDir, what: 'opening the catalog', neededBytes: WAL_INDEX_BYTES }, second);
      throw cannotOpen(dataDir, second);
    }
  }
}

function configureDatabase(file: string, exclusive: boolean): Database.Database {
  const db = new Database(file);
  try {
    // Before the first access: with exclusive locking SQLite never creates the shared-memory index.
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma(`journal_size_limit = ${4 << 20}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function cannotOpen(dataDir: string, error: unknown): GasError {
  return new GasError(
    'GAS_ERR_CORRUPT',
    `catalog: cannot open ${catalogPath(dataDir)}: ${(error as Error).message}`,
    { file: catalogPath(dataDir) },
    { cause: error },
  );
}

/**
 * One line on stderr, as the CLI prints its errors: Node's process warnings would add a pid and
 * a hint about --trace-warnings to every line.
 */
function warnOnStderr(message: string): void {
  process.stderr.write(`gasworks: warning: ${message}\n`);
}

/**
 * Deletes the tables of a graph imported before layouts existed, which sit in the graph
 * directory itself (graph.mdb, part-NNNN.mdb and their lock files), leaving jobs/ and layouts.
 */
export function removeRootLayout(graphDirectory: string, entries?: readonly string[]): void {
  if (!entries && !existsSync(graphDirectory)) return;
  for (const entry of entries ?? readdirSync(graphDirectory)) {
    if (/^(graph|part-\d+)\.mdb(-lock)?$/.test(entry)) rmSync(join(graphDirectory, entry), { force: true });
  }
}

function toRecord(row: GraphRow): GraphRecord {
  return {
    id: row.id,
    name: row.name,
    sourceFile: row.source_file,
    format: row.format,
    directed: row.directed === 1,
    weighted: row.weighted === 1,
    vertices: row.vertices,
    edges: row.edges,
    selfLoops: row.self_loops,
    multiEdges: row.multi_edges,
    removedSelfLoops: row.removed_self_loops,
    removedMultiEdges: row.removed_multi_edges,
    partitions: row.partitions,
    strategy: row.strategy,
    seed: row.seed,
    strategyOptions: JSON.parse(row.strategy_options) as StrategyOptions,
    strategyReason: row.strategy_reason,
    layout: row.layout,
    replicationFactor: row.replication_factor,
    edgeBalance: row.edge_balance,
    vertexBalance: row.vertex_balance,
    importMs: row.import_ms,
    createdAt: row.created_at,
  };
}
