// setTimeout that never keeps a process alive on its own (Node/Bun/Deno timers have unref(); browsers and
// workerd return a number, where there is nothing to unref). Portable: feature-detected, no node:* import.

/**
 * Runs a callback in a later macrotask, as soon as possible: setImmediate where the runtime has it (Node, Bun,
 * Deno), else setTimeout(0) (browsers clamp nested ones to 4 ms; workerd runs it at once).
 */
export const inMacrotask: (callback: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (callback) => { (globalThis as unknown as { setImmediate(cb: () => void): void }).setImmediate(callback); }
    : (callback) => { setTimeout(callback, 0); };

/** setTimeout delays above 2^31-1 ms (24.8 days) fire after 1 ms in every runtime: clamp to it. */
export const MAX_TIMER_MS = 2147483647;

/** Like setTimeout, but the timer alone does not keep the event loop running. */
export function setUnrefTimeout(callback: () => void, delayMs: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, delayMs);
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle === 'object' && handle !== null && typeof handle.unref === 'function') handle.unref();
  return timer;
}
