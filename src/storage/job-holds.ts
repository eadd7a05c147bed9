/**
 * How a job and its graph hold on to each other in the catalog (the rules JobTable and Catalog
 * apply inside their transactions; the messages users see when a rule refuses):
 * - a job starts only on a ready graph, at the layout it opened, that no live process is
 *   replacing or repartitioning (`checkStartable`, in `JobTable.create`; live as liveness.ts
 *   decides);
 * - a job succeeds only in the transaction that finds its graph still there at that layout
 *   (`graphGoneError`, in `JobTable.succeed`): a job whose graph vanished fails, it never reports
 *   a result nobody can read;
 * - while a live process runs a job, its graph is not dropped, replaced or repartitioned
 *   (`runningJobsError`, from `JobTable.assertNoRunningJobs`, which the catalog calls inside
 *   those transactions);
 * - finished jobs outlive their graph as history, but their results go with its directory
 *   (indexed by the old graph's vertex ids, read through its labels): removing a graph whose
 *   jobs have results needs `force` (`resultsAtStakeError`).
 */
import type Database from 'better-sqlite3';
import { GasError, NotFoundError } from '../errors.js';
import { ownerColumns, ownerGone, type OwnerRow } from './liveness.js';

/** What became of a job's graph after the job: replaced by `import --replace`, or dropped. */
export type GraphFate = 'replaced' | 'dropped';

/** A graph as messages name it. */
export interface GraphRef {
  readonly id: string;
  readonly name: string;
}

/**
 * Throws unless a job may start on graph `graphId` now; returns the graph's layout. `opened`: the
 * layout the job's reader opened, which must still be the graph's.
 */
export function checkStartable(db: Database.Database, graphId: string, graphName: string, opened: string | undefined): string {
  const graph = db.prepare(`SELECT name, layout, pending_layout, ${ownerColumns('pending')} FROM graphs WHERE id = ? AND status = 'ready'`).get(graphId) as
    (OwnerRow & { name: string; layout: string; pending_layout: string | null }) | undefined;
  if (!graph) throw new NotFoundError(`run: graph "${graphName}" was dropped or replaced as the job started; run it again`, { graph: graphName });
  if (opened !== undefined && graph.layout !== opened) {
    throw new GasError('GAS_ERR_BUSY', `run: graph "${graph.name}" was repartitioned as the job started; run it again`, { graph: graph.name });
  }
  // A repartition or a replace by a live process would refuse to finish, or switch the tables under the job.
  if (graph.pending_layout !== null && ownerGone(graph) === null) {
    throw new GasError('GAS_ERR_BUSY', `run: graph "${graph.name}" is being repartitioned by process ${graph.pid}; run the job when it finishes`, {
      graph: graph.name,
    });
  }
  const importers = db.prepare(`SELECT ${ownerColumns('owner')} FROM graphs WHERE name = ? AND status = 'importing'`).all(graph.name) as OwnerRow[];
  const importer = importers.find((row) => ownerGone(row) === null);
  if (importer) {
    throw new GasError(
      'GAS_ERR_BUSY',
      `run: graph "${graph.name}" is being replaced (import --replace by process ${importer.pid}); run the job when it finishes`,
      {
        graph: graph.name,
      },
    );
  }
  return graph.layout;
}

/**
 * Why running job `id` can no longer succeed, or null if it can: its row is gone or no longer
 * running, or its graph was dropped, replaced or repartitioned under it.
 */
export function graphGoneError(db: Database.Database, id: number): GasError | null {
  const job = db.prepare(`SELECT status, error_code, graph_id, graph_name, graph_layout FROM jobs WHERE id = ?`).get(id) as
    { status: string; error_code: string | null; graph_id: string | null; graph_name: string; graph_layout: string | null } | undefined;
  if (!job) return new GasError('GAS_ERR_ABORTED', `run: job ${id} was removed from the catalog while it ran`, { job: id });
  if (job.status !== 'running') {
    return new GasError('GAS_ERR_ABORTED', `run: job ${id} was marked ${job.status} (${job.error_code ?? ''}) by another process while it ran`, { job: id });
  }
  if (job.graph_id === null) return null;
  const graph = db.prepare(`SELECT layout FROM graphs WHERE id = ? AND status = 'ready'`).get(job.graph_id) as { layout: string } | undefined;
  const details = { graph: job.graph_name, job: id };
  if (!graph) return new NotFoundError(`run: graph "${job.graph_name}" was dropped or replaced while job ${id} ran; the job's result is discarded`, details);
  if (job.graph_layout !== null && graph.layout !== job.graph_layout) {
    return new GasError('GAS_ERR_ABORTED', `run: graph "${job.graph_name}" was repartitioned while job ${id} ran; the job's result is discarded`, details);
  }
  return null;
}

/** GAS_ERR_BUSY for `verb` on `graph`, naming each running job and its process. */
export function runningJobsError(verb: string, graph: GraphRef, running: readonly { readonly id: number; readonly pid: number }[]): GasError {
  const named = running.map((job) => `job ${job.id}, process ${job.pid}`).join('; ');
  return new GasError(
    'GAS_ERR_BUSY',
    `${verb}: graph "${graph.name}" has ${running.length === 1 ? 'a running job' : `${running.length} running jobs`} (${named}); ` +
      `a running job keeps its graph until it ends: wait for it, or stop its process`,
    { graph: graph.name, jobs: running.map((job) => job.id) },
  );
}

/** GAS_ERR_EXISTS for `verb` on `graph`: what a replace or drop would delete, and that the jobs stay listed. */
export function resultsAtStakeError(verb: string, graph: GraphRef, fate: GraphFate, jobs: readonly number[]): GasError {
  const one = jobs.length === 1;
  return new GasError(
    'GAS_ERR_EXISTS',
    `${verb}: graph "${graph.name}" has ${one ? 'a finished job' : `${jobs.length} finished jobs`} with results (${one ? 'job' : 'jobs'} ${jobs.join(', ')}); ` +
      `${fate === 'replaced' ? '--replace' : 'dropping the graph'} deletes ${one ? 'its result' : 'their results'} ` +
      `(the job${one ? ' stays' : 's stay'} listed, as on a ${fate} graph); add --force`,
    { graph: graph.name, jobs },
  );
}
