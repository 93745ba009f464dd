// Span time without BigInt or Date per span. The hot path reads performance.now() (ms since the time origin);
// the arena stores every time as whole milliseconds since the Unix epoch (an exact integer in an f64) plus the
// nanoseconds within that millisecond, so the codec's ms * 1e6 + ns is exact in i64 for any date. Never allocates
// on the hot path; the BigInt helper is for tests and slow paths only.

// Node 20 reaches the global `performance` through a lazy getter (~25 ns a call): keep the object once.
const perf = globalThis.performance;
const origin = perf.timeOrigin;
/** Whole milliseconds of the time origin since the Unix epoch. */
export const ORIGIN_MS_INT = Math.floor(origin);
/** Sub-millisecond rest of the time origin. */
export const ORIGIN_FRAC_MS = origin - ORIGIN_MS_INT;

/** Now, in ms since the time origin (monotonic). */
export function nowMs(): number {
  return perf.now();
}

/** Milliseconds since the Unix epoch (Date.now(), a Date's valueOf) as ms since the time origin. */
export function epochMsToRelMs(epochMs: number): number {
  return epochMs - ORIGIN_MS_INT - ORIGIN_FRAC_MS;
}

/**
 * Splits ms since the time origin into out[0] = whole ms since the epoch and out[1] = ns within it (integer,
 * 0..999999). The sum is formed near the origin, where an f64 still resolves picoseconds (uptime < 104 days).
 */
export function splitRelMs(relMs: number, out: Float64Array): void {
  const sinceOriginMs = ORIGIN_FRAC_MS + relMs;
  let wholeMs = Math.floor(sinceOriginMs);
  let ns = Math.round((sinceOriginMs - wholeMs) * 1e6);
  if (ns >= 1e6) { // rounding reached the next millisecond
    wholeMs += 1;
    ns -= 1e6;
  }
  out[0] = ORIGIN_MS_INT + wholeMs;
  out[1] = ns;
}

/** Splits ms since the Unix epoch (possibly fractional) the same way. */
export function splitEpochMs(epochMs: number, out: Float64Array): void {
  let wholeMs = Math.floor(epochMs);
  let ns = Math.round((epochMs - wholeMs) * 1e6);
  if (ns >= 1e6) {
    wholeMs += 1;
    ns -= 1e6;
  }
  out[0] = wholeMs;
  out[1] = ns;
}

const scratch = new Float64Array(2);

/** Unix nanoseconds the codec writes for a time given in ms since the origin (tests and slow paths). */
export function relMsToUnixNanos(relMs: number): bigint {
  splitRelMs(relMs, scratch);
  return BigInt(scratch[0]!) * 1000000n + BigInt(scratch[1]!);
}
