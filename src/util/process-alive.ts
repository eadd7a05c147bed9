/**
 * Whether a process id names a live process, for the catalog's owner columns (imports,
 * repartitions, jobs): signal 0 checks existence without signalling. EPERM means the process
 * exists but belongs to another user. A pid reused by an unrelated process reads as alive, so a
 * dead owner may hold its row a little longer, never the other way round.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
