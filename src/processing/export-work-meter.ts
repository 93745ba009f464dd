// Measures the synchronous slices of export work — a processor's export() call (encode), one gzip part, the start
// of one request — so stats().exportWork says how long the SDK held the event loop at a time (DESIGN.md: export
// work must not block the loop for more than ~1 ms). Two clock reads per slice, never per span; never allocates
// per slice; never throws.

/** A slice longer than this counts in `overBudget`: DESIGN.md's longest event-loop block from export work. */
export const SLICE_BUDGET_MS = 1;

/** What stats().exportWork reports: cumulative, never reset. */
export interface ExportWorkStats {
  /** Synchronous slices of export work measured. */
  slices: number;
  /** Slices longer than SLICE_BUDGET_MS (1 ms), wall clock (a GC pause or preemption inside one counts). */
  overBudget: number;
  /** The longest slice, ms. */
  maxMs: number;
  /** All slices together, ms. */
  totalMs: number;
}

/** The clock slices are timed with: performance.now() where it exists (every supported runtime), else Date.now(). */
export const sliceClockMs: () => number = typeof performance === 'object' && typeof performance.now === 'function'
  ? () => performance.now()
  : () => Date.now();

/** What observeExportWorkSlices calls: as a slice starts, and with its start and end as it ends. */
export interface ExportWorkSliceObserver {
  sliceStarted?(): void;
  sliceEnded(startMs: number, endMs: number): void;
}

/** Sees every slice of every meter in the realm, when set (observeExportWorkSlices). */
let sliceObserver: ExportWorkSliceObserver | undefined;

/**
 * Tells `observer` of every export work slice from now on, or stops with undefined. For measurement (the end-to-end
 * benchmark takes preemption and GC pauses out of the slices they fell in); an observer that throws is ignored.
 * Not part of the public API.
 */
export function observeExportWorkSlices(observer: ExportWorkSliceObserver | undefined): void {
  sliceObserver = observer;
}

/** Starts a slice of export work: returns its start time for ExportWorkMeter.endSlice. */
export function startSlice(): number {
  if (sliceObserver?.sliceStarted !== undefined) {
    try {
      sliceObserver.sliceStarted();
    } catch {
      // measurement only: never let it break an export
    }
  }
  return sliceClockMs();
}

export class ExportWorkMeter implements ExportWorkStats {
  slices = 0;
  overBudget = 0;
  maxMs = 0;
  totalMs = 0;

  /** Records a slice that began at `startMs` (from startSlice) and ends now. */
  endSlice(startMs: number): void {
    const endMs = sliceClockMs();
    const ms = endMs - startMs;
    if (!(ms >= 0)) return; // a clock that went backwards: nothing to learn from it
    this.slices++;
    this.totalMs += ms;
    if (ms > SLICE_BUDGET_MS) this.overBudget++;
    if (ms > this.maxMs) this.maxMs = ms;
    if (sliceObserver !== undefined) {
      try {
        sliceObserver.sliceEnded(startMs, endMs);
      } catch {
        // measurement only: never let it break an export
      }
    }
  }
}

/** The sum of several meters (the processor's and the exporter's), as a plain object. */
export function mergeExportWork(meters: readonly (ExportWorkStats | undefined)[]): ExportWorkStats {
  const merged: ExportWorkStats = { slices: 0, overBudget: 0, maxMs: 0, totalMs: 0 };
  for (const meter of meters) {
    // A user exporter's exportWork may be anything: only numbers are added.
    if (meter === undefined || meter === null || typeof meter !== 'object' || typeof meter.slices !== 'number' ||
      typeof meter.overBudget !== 'number' || typeof meter.maxMs !== 'number' || typeof meter.totalMs !== 'number') {
      continue;
    }
    merged.slices += meter.slices;
    merged.overBudget += meter.overBudget;
    merged.totalMs += meter.totalMs;
    if (meter.maxMs > merged.maxMs) merged.maxMs = meter.maxMs;
  }
  return merged;
}
