// Hands one batch of slots to the exporter, recycles the slots as soon as export() returns, and accounts for
// the outcome (delivered, dropped with a reason, timed out) when it settles. Shared by the batch and simple
// processors. Never throws; never lets an exporter's rejection become an unhandled rejection.
import type { SpanArena } from '../arena/span-arena.js';
import type { ExportOutcome, SpanwireExporter } from '../export/span-exporter.js';
import { startSlice } from './export-work-meter.js';
import type { SpanAccounting } from './span-accounting.js';
import type { DropReason } from './span-processor.js';
import { setUnrefTimeout } from './unref-timeout.js';

export class ExportDispatcher {
  /** Exports whose outcome is pending. */
  inFlightExports = 0;
  inFlightSpans = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly arena: SpanArena,
    private readonly exporter: SpanwireExporter,
    private readonly accounting: SpanAccounting,
    private readonly exportTimeoutMs: number,
    /** Called after each pending export settles (the batch processor drains more then). */
    private readonly onSettled: () => void = () => {},
  ) {}

  /** Frees a span that will not be exported and counts it as dropped for `reason`. */
  discard(slot: number, reason: DropReason): void {
    this.arena.freeSpan(slot);
    this.accounting.drop(reason, 1);
  }

  /** Exports slots arena.batchSlots[0, count), then frees them. */
  dispatch(count: number): void {
    const arena = this.arena;
    let outcome: ExportOutcome | Promise<ExportOutcome>;
    const startMs = startSlice();
    try {
      outcome = this.exporter.export({ arena, slots: arena.batchSlots, count, timeoutMs: this.exportTimeoutMs });
    } catch {
      outcome = { delivered: 0, dropped: count, dropReason: 'export_failed' };
    }
    const slots = arena.batchSlots;
    for (let i = 0; i < count; i++) arena.freeSpan(slots[i]!);
    this.accounting.exportWork.endSlice(startMs);
    if (!isThenable(outcome)) {
      this.account(outcome, count);
      return;
    }
    this.track(outcome, count);
  }

  /** Waits until every pending export settled, or timeoutMs passed (those then count as timed out). */
  async settle(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return;
    await raceTimeout(Promise.all(this.pending), timeoutMs);
  }

  /** Waits until at least one pending export settled (a concurrency slot is free), or timeoutMs passed. */
  async settleAny(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return;
    await raceTimeout(Promise.race(this.pending), timeoutMs);
  }

  private track(outcome: PromiseLike<ExportOutcome>, count: number): void {
    this.inFlightExports++;
    this.inFlightSpans += count;
    let settled = false;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (result: ExportOutcome | undefined): void => {
      if (settled) {
        // The exporter overran the deadline but did deliver: move those spans from export_timeout to exported.
        if (timedOut && result !== null && typeof result === 'object') {
          const delivered = this.accounting.undrop('export_timeout', Math.min(count, Math.floor(Number(result.delivered)) || 0));
          this.accounting.exported += delivered;
        }
        return;
      }
      settled = true;
      clearTimeout(timer);
      this.inFlightExports--;
      this.inFlightSpans -= count;
      this.account(result, count);
    };
    const done = new Promise<void>((resolve) => {
      // The exporter was told timeoutMs; allow it a second more before counting the batch as timed out.
      timer = setUnrefTimeout(() => {
        finish({ delivered: 0, dropped: count, dropReason: 'export_timeout' });
        timedOut = true;
        resolve();
      }, this.exportTimeoutMs + EXPORT_GRACE_MS);
      // Promise.resolve() adopts any thenable in a later job, so a then() that throws becomes a rejection here.
      Promise.resolve(outcome)
        .then(finish, () => finish({ delivered: 0, dropped: count, dropReason: 'export_failed' }))
        .finally(resolve);
    });
    this.pending.add(done);
    void done.then(() => {
      this.pending.delete(done);
      this.onSettled();
    });
  }

  private account(given: ExportOutcome | undefined, count: number): void {
    const accounting = this.accounting;
    accounting.exports++;
    // An exporter that reports nothing (an official-style export(spans, callback) returns void) failed.
    const outcome: ExportOutcome = given !== null && typeof given === 'object'
      ? given : { delivered: 0, dropped: count, dropReason: 'export_failed' };
    const delivered = Math.max(0, Math.min(count, Math.floor(Number(outcome.delivered)) || 0));
    accounting.exported += delivered;
    const bytesSent = outcome.bytesSent;
    if (typeof bytesSent === 'number' && bytesSent > 0 && bytesSent < Number.MAX_SAFE_INTEGER) {
      accounting.bytesSent += bytesSent;
    }
    // Whatever the exporter did not report as delivered is dropped: spans never vanish from the totals.
    let undelivered = count - delivered;
    const droppedBy = outcome.droppedBy;
    if (droppedBy !== undefined && droppedBy !== null && typeof droppedBy === 'object') {
      for (const reason in droppedBy) {
        const n = Math.max(0, Math.min(undelivered, Math.floor(Number(droppedBy[reason])) || 0));
        accounting.drop(reason, n);
        undelivered -= n;
      }
    }
    accounting.drop(typeof outcome.dropReason === 'string' ? outcome.dropReason : 'export_failed', undelivered);
  }
}

/** Extra time an exporter gets beyond the export timeout it was given, before the batch counts as timed out. */
const EXPORT_GRACE_MS = 1000;

/** Resolves when `work` settles or after timeoutMs, whichever is first; never rejects. */
export async function raceTimeout(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => { timer = setUnrefTimeout(resolve, Math.max(0, timeoutMs)); });
  await Promise.race([work.then(() => undefined, () => undefined), timeout]);
  clearTimeout(timer);
}

/** Runs an exporter hook that may return a promise, a value, or throw: never rejects. */
export async function callExporter(hook: () => unknown): Promise<void> {
  try {
    await hook();
  } catch { /* an exporter's failure to flush or close is its own; the totals are already counted */ }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  try {
    return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
  } catch {
    return false; // a then getter that throws: treated as a plain (failed) outcome
  }
}
