// spanwire's export work slices over the 1 ms budget, with their start, end and the thread's run-queue wait inside
// them (observeExportWorkSlices + /proc/thread-self/schedstat read as each slice starts and as a long one ends): the
// e2e worker takes out preemption and the GC pauses that began inside each (GcLog) to tell the SDK's own work from
// the machine's and the collector's (a scavenge runs on whatever allocation tips new space over, wherever it lands).
// Bench-only; preallocated before production (96 KiB); one schedstat read per slice (~1 % of a core at 1,000/s).
import { SLICE_BUDGET_MS, observeExportWorkSlices } from '../src/processing/export-work-meter.js';
import type { GcLog } from './gc-log.js';
import { ThreadSchedClock } from './thread-sched-clock.js';

/** Slices over budget kept per round: at 1 in ~100 slices over 1 ms on a loaded machine, minutes of headroom. */
const CAPACITY = 4096;

export interface SlicesWithoutGc {
  /** Slices over 1 ms wall clock still over 1 ms on CPU (run-queue wait taken out, ±0.5 ms), and the longest. */
  overBudgetRunning: number;
  maxRunningMs: number;
  /** ... and still over 1 ms once the GC pauses that began inside them are taken out too, and the longest. */
  overBudget: number;
  maxMs: number;
}

export class ExportSliceLog {
  private readonly startMs = new Float64Array(CAPACITY);
  private readonly endMs = new Float64Array(CAPACITY);
  private readonly waitMs = new Float64Array(CAPACITY);
  private count = 0;
  private readonly sched = new ThreadSchedClock();
  private waitAtStartNs = 0;
  /** Slices over budget that found the log full (reported, never silently lost). */
  overflow = 0;

  /** Starts observing every export work slice in this realm. */
  start(): void {
    const sched = this.sched;
    observeExportWorkSlices({
      sliceStarted: () => {
        sched.read();
        this.waitAtStartNs = sched.waitNs;
      },
      sliceEnded: (startMs, endMs) => {
        if (endMs - startMs <= SLICE_BUDGET_MS) return;
        if (this.count === CAPACITY) {
          this.overflow++;
          return;
        }
        sched.read();
        this.startMs[this.count] = startMs;
        this.endMs[this.count] = endMs;
        this.waitMs[this.count] = (sched.waitNs - this.waitAtStartNs) / 1e6;
        this.count++;
      },
    });
  }

  stop(): void {
    observeExportWorkSlices(undefined);
    this.sched.close();
  }

  /** The slices over budget that ended in [fromMs, toMs), judged again with the GC pauses inside them taken out. */
  withoutGc(gcLog: GcLog, fromMs: number, toMs: number): SlicesWithoutGc {
    const out: SlicesWithoutGc = { overBudgetRunning: 0, maxRunningMs: 0, overBudget: 0, maxMs: 0 };
    for (let i = 0; i < this.count; i++) {
      const start = this.startMs[i]!;
      const end = this.endMs[i]!;
      if (end < fromMs || end >= toMs) continue;
      const running = Math.max(0, end - start - this.waitMs[i]!);
      if (running > SLICE_BUDGET_MS) out.overBudgetRunning++;
      if (running > out.maxRunningMs) out.maxRunningMs = running;
      // A GC pause that sat preempted is in both: clip at 0 rather than subtract the wait twice.
      const ms = Math.max(0, running - gcLog.pauseMsWithin(start, end));
      if (ms > SLICE_BUDGET_MS) out.overBudget++;
      if (ms > out.maxMs) out.maxMs = ms;
    }
    return out;
  }
}
