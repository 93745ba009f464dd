// setTimeout that never keeps a process alive on its own (Node/Bun/Deno timers have unref(); browsers and
// workerd return a number, where there is nothing to unref). Portable: feature-detected, no node:* import.

/** Like setTimeout, but the timer alone does not keep the event loop running. */
export function setUnrefTimeout(callback: () => void, delayMs: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, delayMs);
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle === 'object' && handle !== null && typeof handle.unref === 'function') handle.unref();
  return timer;
}
