// The official side of the end-to-end benchmark as its docs show: BasicTracerProvider, BatchSpanProcessor and
// OTLPTraceExporter (exporter-trace-otlp-proto or -grpc) with compression 'gzip'. Imported dynamically, so an
// official worker never loads spanwire. It must never change a default other than the queue the run asks for.
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OfficialGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OfficialProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import type { E2eSide, E2eWorkerConfig, SideHooks } from './e2e-worker.js';

/**
 * Counts what the official BatchSpanProcessor hands its exporter and what comes back. The processor keeps no
 * lasting drop count (it logs one and resets it), so queue drops = spans ended - spans handed over. Also times
 * each export() call: its synchronous part (the exporter serializes inside it) and the time to its callback.
 */
class CountingExporter implements SpanExporter {
  handed = 0;
  delivered = 0;
  failed = 0;
  exportCalls = 0;
  readonly failures: Record<string, number> = {};

  constructor(private readonly inner: SpanExporter, private readonly hooks: SideHooks) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.handed += spans.length;
    this.exportCalls++;
    const startMs = performance.now();
    this.inner.export(spans, (result) => {
      this.hooks.exportSettled(performance.now() - startMs);
      if (result.code === ExportResultCode.SUCCESS) {
        this.delivered += spans.length;
      } else {
        this.failed += spans.length;
        const reason = `export failed: ${result.error?.message ?? 'no error given'}`;
        this.failures[reason] = (this.failures[reason] ?? 0) + spans.length;
      }
      resultCallback(result);
    });
    // The callback always comes later (the exporter settles on a promise), so the call is counted first.
    this.hooks.exportCalled(performance.now() - startMs, spans.length);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

// The exporters type `compression` as their CompressionAlgorithm enum, whose GZIP member is the string 'gzip'.
type Compression = NonNullable<ConstructorParameters<typeof OfficialProtoExporter>[0]>['compression'];
const GZIP = 'gzip' as Compression;

/** A provider for `config.subject` ('official-http' or 'official-grpc'); hooks.spansEnded counts spans ended. */
export function createSide(config: E2eWorkerConfig, hooks: SideHooks): E2eSide {
  const spansEnded = hooks.spansEnded;
  const inner: SpanExporter = config.subject === 'official-grpc'
    ? new OfficialGrpcExporter({ url: config.url, compression: GZIP })
    : new OfficialProtoExporter({ url: config.url, compression: GZIP });
  const exporter = new CountingExporter(inner, hooks);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...CANONICAL_WORKLOAD.resourceAttributes }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        ...(config.queueSpans > 0 ? { maxQueueSize: config.queueSpans } : {}),
        ...(config.batchSpans > 0 ? { maxExportBatchSize: config.batchSpans } : {}),
      }),
    ],
  });
  return {
    tracer: provider.getTracer(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion),
    async flush(timeoutMs) {
      // forceFlush has no timeout of its own (each batch has exportTimeoutMillis, 30 s): bound it here. It
      // rejects at the first failed batch (e.g. over the exporter's 30 requests in flight) with others still out.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        provider.forceFlush().catch(() => {}),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
      ]);
      clearTimeout(timer);
    },
    pending: () => exporter.handed - exporter.delivered - exporter.failed,
    account() {
      const dropped: Record<string, number> = { ...exporter.failures };
      const queueDropped = spansEnded() - exporter.handed;
      if (queueDropped > 0) dropped['queue_full (ended - handed to exporter)'] = queueDropped;
      return {
        delivered: exporter.delivered,
        dropped,
        stats: {
          ended: spansEnded(), handedToExporter: exporter.handed, delivered: exporter.delivered,
          failed: exporter.failed, exportCalls: exporter.exportCalls,
        },
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
