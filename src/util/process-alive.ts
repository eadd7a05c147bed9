/**
 * Whether a process id names a live process on this host, in this PID namespace: signal 0
 * checks existence without signalling. EPERM means the process exists but belongs to another
 * user. A pid reused by an unrelated process reads as alive; the catalog's owners
 * (storage/liveness.ts) compare start times and leases for that.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
