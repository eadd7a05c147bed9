/**
 * A timer as a promise that can be called off: `elapsed` resolves with `undefined` after `ms`
 * unless `cancel` came first. The timer is unref'd, so a pending one never keeps the process
 * alive. For racing a call against a deadline without leaving a timer behind once it settles.
 */
export function cancellableDelay(ms: number): { readonly elapsed: Promise<undefined>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms).unref()));
  return { elapsed, cancel: () => clearTimeout(timer) };
}
