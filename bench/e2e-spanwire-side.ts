// spanwire's side of the end-to-end benchmark as a user sets it up: SpanwireTracerProvider (batch processor) in front
// of OtlpTraceExporter over node:http + WASM gzip, or gRPC + grpc-js gzip. Imported dynamically, so a spanwire worker
// never loads the official SDK. It must never change a default other than the queue and batch the run asks for.
import { OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from '../src/export/span-exporter.js';
import type { ExportWorkStats } from '../src/processing/export-work-meter.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { GrpcTransport } from '../src/runtime/node/otlp-grpc-transport.js';
import { ExportThreadTransport } from '../src/runtime/node/export-thread-transport.js';
import { ThreadpoolGzipTransport } from '../src/runtime/node/threadpool-gzip-transport.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import type { E2eSide, E2eWorkerConfig, SideHooks } from './e2e-worker.js';

/** Span slots beyond the queue for spans still running: what spanwire/node register() adds (2048). */
const LIVE_SPAN_HEADROOM = 2048;
/** Arena attribute records per span slot: the canonical span uses 9 (8 + the event's 1); 12 is the default ratio. */
const ATTRIBUTES_PER_SLOT = 12;

/**
 * Times each export() call around the real exporter: its synchronous part (encode, and gzip of bodies up to
 * 64 KiB) and the time until its outcome settles. One closure per batch of 512 spans; nothing per span.
 */
class TimedExporter implements SpanwireExporter {
  constructor(private readonly inner: OtlpTraceExporter, private readonly hooks: SideHooks) {}

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    const startMs = performance.now();
    const outcome = this.inner.export(batch);
    this.hooks.exportCalled(performance.now() - startMs, batch.count);
    if (!(outcome instanceof Promise)) {
      this.hooks.exportSettled(performance.now() - startMs);
      return outcome;
    }
    return outcome.finally(() => this.hooks.exportSettled(performance.now() - startMs));
  }

  /** The sender's slices (deferred gzip parts, request starts): stats().exportWork adds them to export()'s. */
  get exportWork(): ExportWorkStats {
    return this.inner.exportWork;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Protobuf bytes per canonical span (453) with headroom: sizes a request to carry a whole batch of --batch-spans. */
const REQUEST_BYTES_PER_SPAN = 512;

/** The exporter a user of `subject` sets up; gzip on all. */
function exporterFor(subject: E2eWorkerConfig['subject'], url: string, batchSpans: number): OtlpTraceExporter {
  // A batch larger than the default goes out as one request, as a default batch does (~256 KiB of protobuf).
  const sizing = batchSpans > 0 ? { requestTargetBytes: Math.max(256 * 1024, batchSpans * REQUEST_BYTES_PER_SPAN) } : {};
  // gRPC compresses inside grpc-js (its transport refuses pre-compressed bodies); HTTP in the WASM codec (default),
  // or, for 'spanwire-pool-http', in libuv's thread pool (node:zlib level 1) as the README shows.
  if (subject === 'spanwire-grpc') {
    return new OtlpTraceExporter({
      transport: new GrpcTransport({ url, compression: 'gzip' }), compression: 'none', ...sizing,
    });
  }
  if (subject === 'spanwire-pool-http') {
    return new OtlpTraceExporter({
      transport: new ThreadpoolGzipTransport(createHttpTransport({ url })), compression: 'none', ...sizing,
    });
  }
  if (subject === 'spanwire-thread-http') {
    // gzip (WASM) and node:http on the exporter's own worker thread; the event loop keeps the encode.
    return new OtlpTraceExporter({ transport: new ExportThreadTransport({ url }), ...sizing });
  }
  return new OtlpTraceExporter({ transport: createHttpTransport({ url }), ...sizing });
}

/** A provider for `config.subject` ('spanwire-http', 'spanwire-grpc' or 'spanwire-pool-http'). */
export function createSide(config: E2eWorkerConfig, hooks: SideHooks): E2eSide {
  const exporter = exporterFor(config.subject, config.url, config.batchSpans);
  // A queue above the default needs arena slots, and their attribute and event records, to hold it.
  const slots = config.queueSpans + LIVE_SPAN_HEADROOM;
  const batch = config.batchSpans > 0 ? { maxExportBatchSize: config.batchSpans } : {};
  const sized = config.queueSpans > 0
    ? {
      batch: { maxQueueSize: config.queueSpans, ...batch },
      capacity: { spans: slots, attributes: slots * ATTRIBUTES_PER_SLOT, events: slots },
    }
    : { batch };
  const provider = new SpanwireTracerProvider({
    resource: { ...CANONICAL_WORKLOAD.resourceAttributes },
    sdkLanguage: 'nodejs',
    exporter: new TimedExporter(exporter, hooks),
    ...sized,
  });
  return {
    tracer: provider.getTracer(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion),
    flush: (timeoutMs) => provider.forceFlush(timeoutMs),
    pending() {
      const stats = provider.stats();
      return stats.queueSize + stats.inFlight;
    },
    account() {
      const stats = provider.stats();
      return {
        delivered: stats.exported, dropped: { ...stats.dropped },
        stats: { ...stats, dropped: { ...stats.dropped }, arena: { ...stats.arena } },
      };
    },
    shutdown: () => provider.shutdown(),
    exportWork: () => provider.stats().exportWork,
  };
}
