import { JobService, type RunOptions } from '../../src/api/index.js';
import type { Catalog } from '../../src/storage/index.js';

/**
 * Submits `request` to a job service of its own and shuts that service down (as on SIGTERM) once
 * the job has reported step `atStep`; returns the job's id. The job checkpoints where it stops.
 */
export async function interruptAt(catalog: Catalog, request: RunOptions, atStep: number): Promise<number> {
  const service = new JobService(catalog);
  const { id } = await service.submit(request);
  let stopping: Promise<void> | null = null;
  for await (const event of service.follow(id)) {
    if (event.type === 'progress' && event.progress.step >= atStep && !stopping) stopping = service.shutdown('the test stopped it');
  }
  await stopping;
  return id;
}
