// Converts @opentelemetry/api TimeInput (HrTime, epoch ms, performance.now() ms, Date) into the arena's exact
// time: whole ms since the Unix epoch plus ns within it. Same rules as the official SDK (a number below the time
// origin is a performance.now() value). Never allocates, never throws: garbage is reported, not converted.
import type { TimeInput } from '@opentelemetry/api';
import { ORIGIN_FRAC_MS, ORIGIN_MS_INT, splitEpochMs, splitRelMs } from '../arena/clock.js';

const ORIGIN_MS = ORIGIN_MS_INT + ORIGIN_FRAC_MS;

/** Scratch for callers that pass the converted time straight on (single-threaded: never held across calls). */
export const EXACT_TIME = new Float64Array(2);

/** Writes `time` into out as [whole epoch ms, ns within it]; false when it is not a time (out untouched). */
export function timeInputToEpoch(time: TimeInput | undefined | null, out: Float64Array): boolean {
  if (typeof time === 'number') {
    if (time !== time) return false; // NaN
    if (time < ORIGIN_MS) splitRelMs(time, out);
    else splitEpochMs(time, out);
    return true;
  }
  if (Array.isArray(time)) {
    const seconds = time[0];
    const nanos = time[1];
    if (typeof seconds !== 'number' || typeof nanos !== 'number' || seconds !== seconds || nanos !== nanos) {
      return false;
    }
    // HrTime [epoch seconds, ns]: integer arithmetic below 2^53, so a 2020 timestamp keeps its last nanosecond.
    const wholeSeconds = Math.floor(seconds);
    const totalNs = (seconds - wholeSeconds) * 1e9 + nanos;
    const extraMs = Math.floor(totalNs / 1e6);
    out[0] = wholeSeconds * 1000 + extraMs;
    out[1] = Math.round(totalNs - extraMs * 1e6);
    if (out[1] >= 1e6) {
      out[0] += 1;
      out[1] -= 1e6;
    }
    return true;
  }
  if (time instanceof Date) {
    const ms = time.getTime();
    if (ms !== ms) return false;
    splitEpochMs(ms, out);
    return true;
  }
  return false;
}
