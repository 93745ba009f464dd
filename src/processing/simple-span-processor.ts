// A debugging processor: exports every span the moment it ends, one span per export (OTel SDK
// SimpleSpanProcessor semantics). Costly per span by design; never throws into span.end().
import type { SpanArena } from '../arena/span-arena.js';
import type { SpanwireExporter } from '../export/span-exporter.js';
import { ExportDispatcher, callExporter, raceTimeout } from './export-dispatcher.js';
import type { SpanAccounting } from './span-accounting.js';
import type { ArenaSpanProcessor } from './span-processor.js';

export class SimpleSpanProcessor implements ArenaSpanProcessor {
  private readonly dispatcher: ExportDispatcher;
  private isShutdown = false;
  /** True while export() runs: a span ended from inside it (an instrumented exporter) waits in `deferred`. */
  private exporting = false;
  private readonly deferred: number[] = [];

  constructor(
    private readonly arena: SpanArena,
    private readonly exporter: SpanwireExporter,
    accounting: SpanAccounting,
    exportTimeoutMs = 30000,
  ) {
    this.dispatcher = new ExportDispatcher(arena, exporter, accounting, exportTimeoutMs);
  }

  readonly queueSize = 0;

  get inFlightSpans(): number {
    return this.dispatcher.inFlightSpans;
  }

  onEnd(slot: number): void {
    if (this.isShutdown) {
      this.dispatcher.discard(slot, 'shutdown');
      return;
    }
    if (this.exporting) {
      this.deferred.push(slot); // batchSlots is the outer export's batch: do not overwrite it
      return;
    }
    this.exporting = true;
    try {
      this.exportOne(slot);
      while (this.deferred.length > 0) this.exportOne(this.deferred.shift()!);
    } finally {
      this.exporting = false;
    }
  }

  private exportOne(slot: number): void {
    this.arena.batchSlots[0] = slot;
    this.dispatcher.dispatch(1);
  }

  async forceFlush(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.dispatcher.settle(timeoutMs);
    await raceTimeout(callExporter(() => this.exporter.forceFlush?.()), deadline - Date.now());
  }

  async shutdown(timeoutMs = 30000): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    const deadline = Date.now() + timeoutMs;
    await this.forceFlush(timeoutMs);
    await raceTimeout(callExporter(() => this.exporter.shutdown()), deadline - Date.now());
  }
}
