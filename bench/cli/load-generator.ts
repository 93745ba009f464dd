// The `spanwire load` loop: records canonical traces through @opentelemetry/api into a SpanwireTracerProvider with
// OtlpTraceExporter, paced per 10 ms tick (or flat out), and samples provider.stats() once a second.
// It must never print or choose an exit code (load-command.ts does), and never hold the event loop past one chunk.
import type { Tracer } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import { OtlpTraceExporter } from '../../src/export/otlp-trace-exporter.js';
import type { SpanStats } from '../../src/processing/span-accounting.js';
import { createHttpTransport } from '../../src/runtime/node/create-http-transport.js';
import { GrpcTransport } from '../../src/runtime/node/otlp-grpc-transport.js';
import { SpanwireTracerProvider } from '../../src/sdk/tracer-provider.js';
import { OrderPicker, recordCanonicalTraces } from '../canonical-traces.js';
import { CANONICAL_WORKLOAD } from '../canonical-workload.js';

/** How the generator is driven. */
export interface LoadOptions {
  protocol: 'http' | 'grpc';
  /** OTLP/HTTP: the full /v1/traces URL; gRPC: `http://host:port`. */
  url: string;
  /** Spans per second, or null for as fast as the process can record. */
  rateSpansPerS: number | null;
  durationMs: number;
  /** forceFlush budget after a normal end; an interrupted run gets INTERRUPT_FLUSH_MS instead. */
  flushTimeoutMs: number;
  /** Called about once a second while producing. */
  onSample?: (sample: LoadSample) => void;
}

/** One per-second progress sample, cumulative since the start unless named otherwise. */
export interface LoadSample {
  elapsedS: number;
  /** Spans started in the last interval divided by its length. */
  intervalSpansPerS: number;
  generated: number;
  exported: number;
  dropped: Record<string, number>;
  droppedTotal: number;
  /** Spans the exporter reported as failed (the error.type keys of otel.sdk.exporter.span.exported). */
  exportErrors: number;
}

/** The end of a run: what was produced, and the provider's final accounting after flush and shutdown. */
export interface LoadResult {
  /** True when stop() ended production before the duration. */
  interrupted: boolean;
  /** Production time, without the flush. */
  elapsedMs: number;
  flushMs: number;
  generated: number;
  stats: SpanStats;
  exportErrors: number;
  /**
   * --max only: production time spent waiting for room in the queue (0 with --rate). Near the whole run, the
   * exporter or the collector sets the rate; near 0, the producer's own CPU does.
   */
  queueWaitMs: number;
  samples: LoadSample[];
}

/** Milliseconds between pacing ticks in --rate mode. */
export const TICK_MS = 10;
/** Flush budget after Ctrl-C: long enough for a few in-flight batches on loopback, short enough to feel immediate. */
export const INTERRUPT_FLUSH_MS = 1000;
/**
 * Traces recorded between yields in --max mode: 128 spans, ~0.6 ms at the ~4.6 µs a recorded canonical span
 * costs here (64 traces took ~1.2 ms), so each chunk stays under the 1 ms block target and the exporter's
 * macrotasks (one encode or gzip each) get a turn between chunks. Per chunk the loop also pays one stats()
 * (~5 µs: it copies the counters) and one setImmediate (a few µs): under 0.1 µs per span.
 */
const MAX_CHUNK_TRACES = 32;
const MAX_CHUNK_SPANS = MAX_CHUNK_TRACES * CANONICAL_WORKLOAD.spansPerTrace;
/**
 * Queue of 8192 spans (4x the SDK default) with arena slots to hold it, so a rate of a few hundred thousand
 * spans/s on loopback survives a scheduling hiccup of ~20 ms without queue_full drops.
 */
const QUEUE_SPANS = 8192;
/**
 * --max waits (one 1 ms timer) only when the next chunk would not fit in the queue. Spans in flight have left the
 * queue and the arena (their slots are freed when the batch is encoded), so they do not count. The old rule,
 * queue + in flight > half the queue, parked the producer whenever 4 batches were out and 4 more waited: in 4 s
 * runs it waited 377-442 times, ~3 ms each (a 1 ms timer fires late on a busy machine), 0.85-1.2 s of production
 * parked while the queue had room for 6000 more spans. On this loaded 2-core machine the exporter's work filled
 * those waits (--cpu-prof, production only: 1-3 % idle, as for the e2e producer), so same-window throughput did
 * not move; on a quiet machine each wait whose exports were all awaiting the collector was idle time.
 */
const MAX_QUEUE_FILL_SPANS = QUEUE_SPANS - MAX_CHUNK_SPANS;
/**
 * Protobuf bytes per OTLP request: one request per 512-span batch (~230 KB, ~20 KB gzipped) instead of the
 * exporter's default 64 KiB (4 requests a batch), which keeps each gzip under the 1 ms event-loop goal an
 * application needs and a load generator does not. node:http costs about the same per request whatever its size:
 * --cpu-prof of `load --max` showed node:http/net JS at 31-35 % of the thread and writev 12-17 %, the span calls
 * 25-31 %. Measured interleaved, 6 pairs of 4 s `load --max` runs, load average ~6: 60.7-123.8k spans/s and 7.6-10.2
 * µs of process CPU per span with this, 40.5-67.6k and 13.8-16.1 µs with 64 KiB; every pair went this way.
 */
const REQUEST_TARGET_BYTES = 256 * 1024;
const LIVE_SPAN_HEADROOM = 2048;
const ATTRIBUTES_PER_SLOT = 12;
const SEED = 0x5eed_10ad;

const EXPORT_ERRORS = new Set(['rejected', 'not_retryable', 'retries_exhausted', 'export_timeout', 'export_failed',
  'inflight_limit', 'too_large', 'encode_failed', 'no_exporter']);

/** Spans dropped for an export error, from the provider's drop table. */
function exportErrorsOf(dropped: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const [reason, count] of Object.entries(dropped)) if (EXPORT_ERRORS.has(reason)) total += count;
  return total;
}

/** A provider exporting to `url` over `protocol`, gzip on both (gRPC compresses inside grpc-js). */
function createProvider(protocol: 'http' | 'grpc', url: string): SpanwireTracerProvider {
  const exporter = protocol === 'grpc'
    ? new OtlpTraceExporter({
      transport: new GrpcTransport({ url, compression: 'gzip' }), compression: 'none',
      requestTargetBytes: REQUEST_TARGET_BYTES,
    })
    : new OtlpTraceExporter({ transport: createHttpTransport({ url }), requestTargetBytes: REQUEST_TARGET_BYTES });
  const slots = QUEUE_SPANS + LIVE_SPAN_HEADROOM;
  return new SpanwireTracerProvider({
    resource: { ...CANONICAL_WORKLOAD.resourceAttributes },
    sdkLanguage: 'nodejs',
    exporter,
    batch: { maxQueueSize: QUEUE_SPANS },
    capacity: { spans: slots, attributes: slots * ATTRIBUTES_PER_SLOT, events: slots },
  });
}

/** Drives one provider for one run; `run()` once, `stop()` from a signal handler. */
export class LoadGenerator {
  private stopped = false;
  private flushTimeoutMs: number;
  private readonly provider: SpanwireTracerProvider;
  private readonly tracer: Tracer;
  private readonly orders = new OrderPicker(SEED);
  private generated = 0;

  constructor(private readonly options: LoadOptions) {
    this.flushTimeoutMs = options.flushTimeoutMs;
    this.provider = createProvider(options.protocol, options.url);
    // Through the API as an application would: the global provider, then a named tracer.
    trace.setGlobalTracerProvider(this.provider);
    this.tracer = trace.getTracer(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion);
  }

  /** Ends production at the next tick and shortens the flush to INTERRUPT_FLUSH_MS. */
  stop(): void {
    this.stopped = true;
    this.flushTimeoutMs = Math.min(this.flushTimeoutMs, INTERRUPT_FLUSH_MS);
  }

  /** Produces for the duration (or until stop()), flushes, shuts the provider down and reports. */
  async run(): Promise<LoadResult> {
    const { rateSpansPerS, durationMs, onSample } = this.options;
    const spansPerTrace = CANONICAL_WORKLOAD.spansPerTrace;
    const samples: LoadSample[] = [];
    const startMs = performance.now();
    let nextSampleMs = startMs + 1000;
    let lastSampleMs = startMs;
    let lastSampleGenerated = 0;
    let traces = 0;
    let queueWaitMs = 0;
    for (;;) {
      const nowMs = performance.now();
      if (nowMs - startMs >= durationMs || this.stopped) break;
      if (nowMs >= nextSampleMs) {
        const stats = this.provider.stats();
        const sample: LoadSample = {
          elapsedS: (nowMs - startMs) / 1000,
          intervalSpansPerS: (this.generated - lastSampleGenerated) / ((nowMs - lastSampleMs) / 1000),
          generated: this.generated, exported: stats.exported, dropped: { ...stats.dropped },
          droppedTotal: stats.droppedTotal, exportErrors: exportErrorsOf(stats.dropped),
        };
        samples.push(sample);
        onSample?.(sample);
        lastSampleMs = nowMs;
        lastSampleGenerated = this.generated;
        nextSampleMs += 1000;
      }
      if (rateSpansPerS === null) {
        // Back-pressure: a chunk that does not fit in the queue would only turn into queue_full drops.
        if (this.provider.stats().queueSize > MAX_QUEUE_FILL_SPANS) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          queueWaitMs += performance.now() - nowMs;
          continue;
        }
        this.record(MAX_CHUNK_TRACES);
        await new Promise((resolve) => setImmediate(resolve));
      } else {
        // Whole traces due by now; a late tick catches up, so the average rate holds even when ticks slip.
        const due = Math.floor((rateSpansPerS * (nowMs - startMs)) / 1000 / spansPerTrace);
        if (due > traces) {
          this.record(due - traces);
          traces = due;
        }
        await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      }
    }
    if (rateSpansPerS !== null && !this.stopped) {
      // The traces due at exactly the duration, so a full run produces rate x duration spans (to a whole trace).
      const due = Math.floor((rateSpansPerS * durationMs) / 1000 / spansPerTrace);
      if (due > traces) this.record(due - traces);
    }
    const elapsedMs = performance.now() - startMs;
    const flushStartMs = performance.now();
    await this.provider.forceFlush(this.flushTimeoutMs);
    await this.provider.shutdown(this.flushTimeoutMs);
    const flushMs = performance.now() - flushStartMs;
    trace.disable();
    const stats = this.provider.stats();
    return {
      interrupted: this.stopped, elapsedMs, flushMs, generated: this.generated, queueWaitMs,
      stats: { ...stats, dropped: { ...stats.dropped } }, exportErrors: exportErrorsOf(stats.dropped), samples,
    };
  }

  /** `count` canonical traces (a SERVER root and its CLIENT children), as every benchmark records them. */
  private record(count: number): void {
    recordCanonicalTraces(this.tracer, this.orders, count);
    this.generated += count * CANONICAL_WORKLOAD.spansPerTrace;
  }
}
