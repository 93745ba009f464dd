// This isolate's GC pauses as PerformanceObserver 'gc' entries (start, duration, kind), observed from construction
// until stop(): the benchmarks count GCs inside a timed window and attribute pauses to event-loop stretches.
// Bench-only; allocates per GC entry, never per span.
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';

/** GC entries of this isolate (PerformanceObserver 'gc'), as parallel arrays; a few hundred per round. */
export class GcLog {
  readonly startMs: number[] = [];
  readonly durationMs: number[] = [];
  readonly kind: string[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Node 20 puts the kind in entry.detail.kind; older versions in entry.kind.
      const detail = (entry as { detail?: { kind?: number } }).detail;
      this.startMs.push(entry.startTime);
      this.durationMs.push(entry.duration);
      this.kind.push(gcKindName(detail?.kind ?? (entry as unknown as { kind?: number }).kind ?? -1));
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** GC wall ms that began in [fromMs, toMs). */
  pauseMsWithin(fromMs: number, toMs: number): number {
    let ms = 0;
    for (let i = 0; i < this.startMs.length; i++) {
      const at = this.startMs[i]!;
      if (at >= fromMs && at < toMs) ms += this.durationMs[i]!;
    }
    return ms;
  }

  /** GCs that began in [fromMs, toMs], by kind ('minor', 'major', anything else as 'other'). */
  countWithin(fromMs: number, toMs: number): { minor: number; major: number; other: number } {
    const counts = { minor: 0, major: 0, other: 0 };
    for (let i = 0; i < this.startMs.length; i++) {
      const at = this.startMs[i]!;
      if (at < fromMs || at > toMs) continue;
      const kind = this.kind[i]!;
      if (kind === 'minor') counts.minor++;
      else if (kind === 'major') counts.major++;
      else counts.other++;
    }
    return counts;
  }

  /** Forgets every entry so far (the lifecycle worker prunes after each sample). */
  clear(): void {
    this.startMs.length = 0;
    this.durationMs.length = 0;
    this.kind.length = 0;
  }

  /** Entries reach the observer a macrotask or two after the GC: call after a few yields. */
  stop(): void {
    this.observer.disconnect();
  }
}

function gcKindName(kind: number): string {
  switch (kind) {
    case perfConstants.NODE_PERFORMANCE_GC_MINOR: return 'minor';
    case perfConstants.NODE_PERFORMANCE_GC_MAJOR: return 'major';
    case perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL: return 'incremental';
    case perfConstants.NODE_PERFORMANCE_GC_WEAKCB: return 'weak callbacks';
    default: return 'other';
  }
}
