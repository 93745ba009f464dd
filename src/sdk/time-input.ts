// Converts @opentelemetry/api TimeInput (HrTime, epoch ms, performance.now() ms, Date) into the arena's time
// unit: ms since performance.timeOrigin. Same rules as the official SDK (a number below the time origin is a
// performance.now() value). Never allocates, never throws: garbage becomes NaN, which the arena replaces by now.
import type { TimeInput } from '@opentelemetry/api';
import { ORIGIN_FRAC_MS, ORIGIN_MS_INT, epochMsToRelMs } from '../arena/clock.js';

const ORIGIN_MS = ORIGIN_MS_INT + ORIGIN_FRAC_MS;

/** Time input to ms since the time origin; NaN when it is not a time. */
export function timeInputToRelMs(time: TimeInput | undefined | null): number {
  if (typeof time === 'number') return time < ORIGIN_MS ? time : epochMsToRelMs(time);
  if (Array.isArray(time)) {
    const seconds = time[0];
    const nanos = time[1];
    if (typeof seconds !== 'number' || typeof nanos !== 'number') return NaN;
    // HrTime is [epoch seconds, nanoseconds]: subtract the origin's whole ms first to keep sub-µs precision.
    return (seconds * 1000 - ORIGIN_MS_INT) + nanos / 1e6 - ORIGIN_FRAC_MS;
  }
  if (time instanceof Date) return epochMsToRelMs(time.getTime());
  return NaN;
}
