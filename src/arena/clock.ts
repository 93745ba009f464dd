// Span time without BigInt or Date per span: the arena stores f64 milliseconds since performance.timeOrigin;
// the codec adds the origin, split into whole ms (exact in i64) and a sub-ms rest, when it writes fixed64 ns.
// Never allocates on the hot path; the BigInt helper is for tests and slow paths only.

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

/** Unix nanoseconds the codec writes for a stored time: the same arithmetic as assembly/otlp-encoder.ts. */
export function relMsToUnixNanos(relMs: number): bigint {
  return BigInt(ORIGIN_MS_INT) * 1000000n + BigInt(Math.floor((relMs + ORIGIN_FRAC_MS) * 1e6 + 0.5));
}
