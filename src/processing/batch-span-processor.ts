// The arena-native batch span processor (OTel SDK BatchSpanProcessor semantics): ended span slots wait in a
// typed-array ring, leave in batches of maxExportBatchSize as soon as one is full (in a macrotask, never inside
// span.end()) or when the schedule delay fires; in timer-free mode (workerd) only when full or flushed.
// Bounded everywhere: a full queue drops and counts. Allocates nothing per span; never throws into span.end().
import type { SpanArena } from '../arena/span-arena.js';
import type { SpanwireExporter } from '../export/span-exporter.js';
import { ExportDispatcher, callExporter, raceTimeout } from './export-dispatcher.js';
import type { SpanAccounting } from './span-accounting.js';
import type { ArenaSpanProcessor } from './span-processor.js';
import { exportWorkQueue } from './export-work-queue.js';
import { setUnrefTimeout } from './unref-timeout.js';

/** OTEL_BSP_* settings plus a bound on concurrent exports. */
export interface BatchProcessorOptions {
  /** OTEL_BSP_MAX_QUEUE_SIZE: ended spans waiting for export (2048). */
  maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans per export (512, at most maxQueueSize). */
  maxExportBatchSize: number;
  /** OTEL_BSP_SCHEDULE_DELAY: longest wait before a partial batch leaves (5000 ms). */
  scheduledDelayMs: number;
  /** OTEL_BSP_EXPORT_TIMEOUT: an export not settled by then counts as timed out (30000 ms). */
  exportTimeoutMs: number;
  /**
   * Exports in flight at once; further full batches wait in the queue. Default 8: a batch's slots are free as soon
   * as export() returns (the exporter holds only its bytes, bounded by its maxPendingBytes), so this bound only
   * decides how long a slow collector may stall the queue. With 2, gRPC (~15 ms per export) drained 66-78k spans/s
   * in the end-to-end bench; with 4, OTLP/HTTP at 112-151k spans/s still hit the bound during GC pauses and slow
   * responses (outcome p99 20 ms) and 2,880 spans of 2 rounds were dropped queue_full.
   */
  maxConcurrentExports: number;
  /**
   * Never arm a timer (workerd): a batch leaves when full (in a microtask after the span.end() that filled it) or
   * on forceFlush(), so no timer outlives the request that set it; scheduledDelayMs is ignored. Default false.
   */
  timerFree: boolean;
}

export const DEFAULT_BATCH_OPTIONS: BatchProcessorOptions = {
  maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 5000, exportTimeoutMs: 30000,
  maxConcurrentExports: 8, timerFree: false,
};

/**
 * Stands in for the schedule timer in timer-free mode: onEnd() arms a timer only while `timer` is undefined, so a
 * permanent non-timer value keeps the hot path exactly as it is (no extra branch per span).
 */
const NO_TIMER = -1 as unknown as ReturnType<typeof setTimeout>;

export class BatchSpanProcessor implements ArenaSpanProcessor {
  readonly options: BatchProcessorOptions;
  private readonly queue: Uint32Array;
  private head = 0;
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private eagerScheduled = false;
  /** The pending drain was asked to send partial batches too (the schedule delay passed). */
  private drainAll = false;
  private isShutdown = false;
  private readonly dispatcher: ExportDispatcher;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.drain(true);
  };
  private readonly onEager = (): void => {
    this.eagerScheduled = false;
    const all = this.drainAll;
    this.drainAll = false;
    this.drain(all);
  };

  constructor(
    private readonly arena: SpanArena,
    private readonly exporter: SpanwireExporter,
    private readonly accounting: SpanAccounting,
    options: Partial<BatchProcessorOptions> = {},
  ) {
    const d = DEFAULT_BATCH_OPTIONS;
    const maxQueueSize = Math.max(1, Math.floor(optionOr(options.maxQueueSize, d.maxQueueSize)));
    this.options = {
      maxQueueSize,
      maxExportBatchSize: Math.max(1, Math.min(Math.floor(optionOr(options.maxExportBatchSize, d.maxExportBatchSize)),
        maxQueueSize, arena.capacity.spans)),
      scheduledDelayMs: optionOr(options.scheduledDelayMs, d.scheduledDelayMs),
      exportTimeoutMs: optionOr(options.exportTimeoutMs, d.exportTimeoutMs),
      maxConcurrentExports: Math.max(1, Math.floor(optionOr(options.maxConcurrentExports, d.maxConcurrentExports))),
      timerFree: options.timerFree === true,
    };
    const merged = this.options;
    if (merged.timerFree) this.timer = NO_TIMER;
    this.queue = new Uint32Array(merged.maxQueueSize);
    this.dispatcher = new ExportDispatcher(arena, exporter, accounting, merged.exportTimeoutMs,
      () => this.drain(false));
  }

  get queueSize(): number {
    return this.size;
  }

  get inFlightSpans(): number {
    return this.dispatcher.inFlightSpans;
  }

  onEnd(slot: number): void {
    const capacity = this.queue.length;
    if (this.isShutdown || this.size >= capacity) {
      this.dispatcher.discard(slot, this.isShutdown ? 'shutdown' : 'queue_full');
      return;
    }
    let tail = this.head + this.size;
    if (tail >= capacity) tail -= capacity;
    this.queue[tail] = slot;
    this.size++;
    if (this.size >= this.options.maxExportBatchSize) {
      this.scheduleDrain(false);
    } else if (this.timer === undefined) {
      this.timer = setUnrefTimeout(this.onTimer, this.options.scheduledDelayMs);
    }
  }

  async forceFlush(timeoutMs = this.options.exportTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.size > 0 && Date.now() < deadline) {
      // Wait for a free export slot (finished exports may also have started the next batch themselves).
      if (this.dispatcher.inFlightExports >= this.options.maxConcurrentExports) {
        await this.dispatcher.settleAny(deadline - Date.now());
        continue;
      }
      this.exportNext();
    }
    await this.dispatcher.settle(deadline - Date.now());
    await raceTimeout(callExporter(() => this.exporter.forceFlush?.()), deadline - Date.now());
  }

  async shutdown(timeoutMs = this.options.exportTimeoutMs): Promise<void> {
    if (this.isShutdown) return;
    const deadline = Date.now() + timeoutMs;
    await this.forceFlush(timeoutMs);
    this.isShutdown = true;
    if (this.timer !== undefined && this.timer !== NO_TIMER) clearTimeout(this.timer);
    this.timer = undefined;
    // Whatever could not leave in time is dropped now, so the totals still add up.
    const left = this.size;
    for (let i = 0; i < left; i++) this.arena.freeSpan(this.queue[(this.head + i) % this.queue.length]!);
    this.size = 0;
    this.accounting.drop('shutdown', left);
    await raceTimeout(callExporter(() => this.exporter.shutdown()), Math.max(deadline - Date.now(), 0));
  }

  /** Exports full batches (all batches when `all`), as far as the concurrency bound allows. */
  /**
   * Exports one batch (a partial one too when `all`), then, if more are due, schedules itself again: one encode
   * per macrotask (~0.45 ms for 512 spans) rather than up to maxConcurrentExports of them back to back.
   */
  private drain(all: boolean): void {
    const batch = this.options.maxExportBatchSize;
    if ((this.size >= batch || (all && this.size > 0)) &&
      this.dispatcher.inFlightExports < this.options.maxConcurrentExports) {
      this.exportNext();
      if ((this.size >= batch || (all && this.size > 0)) &&
        this.dispatcher.inFlightExports < this.options.maxConcurrentExports) {
        this.scheduleDrain(all);
        return;
      }
    }
    if (this.size > 0 && this.timer === undefined && !this.isShutdown) {
      this.timer = setUnrefTimeout(this.onTimer, this.options.scheduledDelayMs);
    }
  }

  /**
   * Runs drain() in a macrotask of the realm's export work queue (once, however often it is asked for), so it never
   * shares a loop turn with another exporter's gzip part or request start; in timer-free mode in a microtask,
   * because workerd's setTimeout(0) is a timer that a request ending at once would leave behind.
   */
  private scheduleDrain(all: boolean): void {
    if (all) this.drainAll = true;
    if (this.eagerScheduled) return;
    this.eagerScheduled = true;
    if (this.options.timerFree) queueMicrotask(this.onEager);
    else exportWorkQueue.enqueue(this.onEager);
  }

  private exportNext(): void {
    const count = Math.min(this.size, this.options.maxExportBatchSize);
    const slots = this.arena.batchSlots;
    const queue = this.queue;
    for (let i = 0; i < count; i++) {
      slots[i] = queue[this.head]!;
      this.head = this.head + 1 === queue.length ? 0 : this.head + 1;
    }
    this.size -= count;
    this.dispatcher.dispatch(count);
  }
}

/** A number option, or its default when it is missing, NaN, infinite or negative. */
export function optionOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value >= 0 && value < Infinity ? value : fallback;
}
