// A test utility: keeps every exported span as a detached FinishedSpan (read from the arena on the slow path),
// so tests can assert on what would have been sent. Unbounded by design: for tests only. Never throws.
import { type FinishedSpan, readFinishedSpan } from '../arena/span-reader.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from './span-exporter.js';

export class InMemorySpanExporter implements SpanwireExporter {
  private spans: FinishedSpan[] = [];
  private stopped = false;

  export(batch: SpanBatch): ExportOutcome {
    if (this.stopped) return { delivered: 0, dropped: batch.count, dropReason: 'shutdown' };
    for (let i = 0; i < batch.count; i++) this.spans.push(readFinishedSpan(batch.arena, batch.slots[i]!));
    return { delivered: batch.count, dropped: 0 };
  }

  /** Spans exported so far, in export order. */
  getFinishedSpans(): FinishedSpan[] {
    return this.spans;
  }

  reset(): void {
    this.spans = [];
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }
}
