// A debugging exporter: prints each exported span as one readable object through console.log (or a sink you
// pass). Slow by design, never for production traffic; never throws.
import { type FinishedSpan, readFinishedSpan } from '../arena/span-reader.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from './span-exporter.js';

export class ConsoleSpanExporter implements SpanwireExporter {
  constructor(private readonly sink: (span: Record<string, unknown>) => void = (span) => console.log(span)) {}

  export(batch: SpanBatch): ExportOutcome {
    for (let i = 0; i < batch.count; i++) {
      try {
        this.sink(summarise(readFinishedSpan(batch.arena, batch.slots[i]!)));
      } catch {
        return { delivered: i, dropped: batch.count - i, dropReason: 'export_failed' };
      }
    }
    return { delivered: batch.count, dropped: 0 };
  }

  async shutdown(): Promise<void> {}
}

function summarise(span: FinishedSpan): Record<string, unknown> {
  return {
    traceId: span.spanContext.traceId, parentId: span.parentSpanId || undefined, name: span.name,
    id: span.spanContext.spanId, kind: span.kind, timestamp: Number(span.startTimeUnixNano / 1000n),
    duration: Number((span.endTimeUnixNano - span.startTimeUnixNano) / 1000n), attributes: span.attributes,
    status: span.status, events: span.events, links: span.links,
    instrumentationScope: span.instrumentationScope,
  };
}
