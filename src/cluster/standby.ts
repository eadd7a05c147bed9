/**
 * Where a lost worker's partitions go in a cluster run (execute-job.ts recovers the run).
 *
 * A job on `--cluster a,b` has W workers, worker w holding every W-th partition on the process at
 * `addresses[w]`. When a process is lost (it exited or was killed: its connection closed; it was
 * stopped or cut off: no heartbeat), its workers keep their numbers and their partitions — so the
 * checkpoint's parts, one per worker, still fit, and the run's result is the uninterrupted run's —
 * and move to another process: the next unused `--spares` address, else the surviving process
 * holding the fewest workers (one process then serves two workers of the job, each on a
 * connection and thread of its own). The run then starts every worker again from the newest
 * checkpoint.
 *
 * **Fencing.** A lost process's address is retired for the rest of the run: it is never dialed
 * again, even if it comes back (a stopped process continued with SIGCONT). Nothing it sends can
 * reach the run either: its coordinator connection was closed when it was declared lost, and each
 * attempt gets a new mesh token, so the old job's links and token are gone from every survivor
 * (their sessions were closed) and a link it dials with the old token is refused.
 */
import { GasError } from '../errors.js';
import type { Placement } from './launch.js';

type ClusterPlacement = Extract<Placement, { kind: 'cluster' }>;

export class Standby {
  private readonly spares: string[];
  private readonly retired = new Set<string>();

  constructor(placement: Placement) {
    this.spares = placement.kind === 'cluster' ? [...(placement.spares ?? [])] : [];
  }

  /** Addresses found lost so far in the run, in order. */
  get retiredAddresses(): readonly string[] {
    return [...this.retired];
  }

  /**
   * The placement after losing workers `lost` (and every worker on their processes): each moves
   * to a spare, else to the least loaded surviving process. `movedTo` lists where each went.
   * Throws GAS_ERR_WORKER when no process is left.
   */
  replace(placement: ClusterPlacement, lost: readonly number[]): { placement: ClusterPlacement; movedTo: string[] } {
    for (const w of lost) {
      const address = placement.addresses[w];
      if (address !== undefined) this.retired.add(address);
    }
    const addresses = [...placement.addresses];
    const movedTo: string[] = [];
    const orphans = addresses.flatMap((address, w) => (this.retired.has(address) ? [w] : []));
    for (const w of orphans) {
      const target = this.nextSpare() ?? leastLoaded(addresses, this.retired);
      if (target === null) {
        throw new GasError(
          'GAS_ERR_WORKER',
          `run: every worker process of the job was lost (${[...this.retired].join(', ')}) and no spare is left; give more with --spares`,
          { worker: addresses[w] },
        );
      }
      addresses[w] = target;
      movedTo.push(target);
    }
    return { placement: { kind: 'cluster', addresses, spares: [...this.spares] }, movedTo };
  }

  private nextSpare(): string | null {
    while (this.spares.length > 0) {
      const spare = this.spares.shift()!;
      if (!this.retired.has(spare)) return spare;
    }
    return null;
  }
}

/** The surviving address holding the fewest workers (the first such in worker order), or null. */
function leastLoaded(addresses: readonly string[], retired: ReadonlySet<string>): string | null {
  const load = new Map<string, number>();
  for (const address of addresses) if (!retired.has(address)) load.set(address, (load.get(address) ?? 0) + 1);
  let best: string | null = null;
  for (const [address, count] of load) if (best === null || count < load.get(best)!) best = address;
  return best;
}
