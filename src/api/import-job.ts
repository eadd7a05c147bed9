/**
 * An import as a job of the job service: its row (`algorithm: 'import'`, no graph id until the
 * graph exists) is queued like a run's, its phases (parse, partition, build, …) are its
 * progress, and a cancel stops it at the next progress report — the import then removes what it
 * wrote, as after any failure, so the graph is absent or complete, never half.
 *
 * The options are checked before the row exists (a typo is an error, not a failed job): the
 * name, the strategy's options, and that the file is there.
 */
import { statSync } from 'node:fs';
import { GasError, NotFoundError } from '../errors.js';
import { checkReplaceable } from '../ingest/import-graph.js';
import { checkStrategyOptions } from '../ingest/layout.js';
import { resolveImportOptions } from '../ingest/options.js';
import type { Catalog } from '../storage/index.js';
import { importGraphFile, type GraphImportOptions } from './graphs.js';
import { programTarget } from './program-target.js';
import type { QueuedWork } from './job-service.js';

/** The algorithm name import jobs carry in the catalog. */
export const IMPORT_JOB = 'import';

export function admitImport(catalog: Catalog, options: GraphImportOptions, status: 'queued' | 'running'): QueuedWork {
  const resolved = resolveImportOptions({ ...options, for: programTarget(options.for) });
  checkStrategyOptions(resolved.strategy, resolved.dedupe, 'import', resolved.for);
  for (const [option, path] of [
    ['file', options.file],
    ['vocab', options.vocab],
  ] as const) {
    if (path !== undefined && !isFile(path)) throw new NotFoundError(`import: --${option} ${JSON.stringify(path)}: no such file`, { option, file: path });
  }
  // A replace that would delete results without `force` is refused before the job exists.
  if (options.replace) checkReplaceable(catalog, options.name, options.force ?? false);
  const jobId = catalog.jobs.create(
    {
      graphId: null,
      graphName: options.name,
      algorithm: IMPORT_JOB,
      programFile: null,
      options: { ...options } as Record<string, unknown>,
      workers: 1,
    },
    status,
  );
  let used = false;
  return {
    jobId,
    plannedSteps: null,
    release: () => {
      used = true;
    },
    async execute(hooks) {
      if (used) throw new GasError('GAS_ERR_INTERNAL', `import: job ${jobId} was already run or released`, { job: jobId });
      used = true;
      const started = performance.now();
      try {
        const result = await importGraphFile(catalog, {
          ...options,
          onProgress: (phase, fraction) => {
            // The import's only pause points: a cancel is taken here, and the import cleans up as after any failure.
            if (hooks.signal?.aborted) throw new GasError('GAS_ERR_CANCELLED', `import: job ${jobId} was cancelled; nothing was stored`, { job: jobId });
            hooks.onPhase?.(phase, fraction);
          },
        });
        const computeMs = performance.now() - started;
        const summary = {
          jobId,
          graph: result.graph.name,
          graphId: result.graph.id,
          vertices: result.graph.vertices,
          edges: result.graph.edges,
          strategyReason: result.strategyReason,
          partitionSizes: result.partitionSizes,
          timings: result.timings,
        };
        catalog.jobs.succeed(jobId, { iterations: 0, converged: true, loadMs: 0, computeMs, summary });
        return { iterations: 0, converged: true, stopReason: 'imported', timings: { computeMs } };
      } catch (error) {
        const failure = error instanceof GasError ? error : new GasError('GAS_ERR_INTERNAL', `import: ${String(error)}`);
        if (failure.code !== 'GAS_ERR_CANCELLED') catalog.jobs.fail(jobId, failure.code, failure.message);
        throw failure;
      }
    },
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
