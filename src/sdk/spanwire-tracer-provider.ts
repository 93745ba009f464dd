// The @opentelemetry/api TracerProvider: owns one span arena (sized here, once), the sampler, the span processor
// and exporter, and the span accounting behind stats(). Implements the OTel trace SDK TracerProvider
// (getTracer, forceFlush, shutdown). Never throws into user code after construction.
import {
  type ContextManager, type TextMapPropagator, type Tracer, type TracerProvider,
  context, diag, propagation, trace,
} from '@opentelemetry/api';
import { type ArenaLimits, SpanArena } from '../arena/span-arena.js';
import { type CodecInstance, type CodecSource, loadCodec } from '../codec/codec-instance.js';
import type { ArenaCapacity } from '../codec/memory-layout.js';
import { unavailableCodec } from '../codec/unavailable-codec.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from '../export/span-exporter.js';
import { type BatchProcessorOptions, BatchSpanProcessor, DEFAULT_BATCH_OPTIONS } from '../processing/batch-span-processor.js';
import { type ExportWorkStats, mergeExportWork } from '../processing/export-work-meter.js';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import {
  type SelfObservability, SpanAccounting, type SpanStats, toSelfObservability,
} from '../processing/span-accounting.js';
import type { ArenaSpanProcessor } from '../processing/span-processor.js';
import { AlwaysOnSampler, ParentBasedSampler } from '../sampling/builtin-samplers.js';
import type { Sampler } from '../sampling/sampler.js';
import { VERSION } from '../version.js';
import { type OfficialSpanProcessor, OfficialProcessorSet } from './official-span-processors.js';
import { SpanwireTracer } from './tracer.js';
import type { TracerCore } from './tracer-core.js';

/** Everything a provider can be configured with; every field is optional. */
export interface SpanwireOptions {
  /** Resource attributes; `service.name` defaults to serviceName, then 'unknown_service'. */
  resource?: Readonly<Record<string, unknown>>;
  resourceSchemaUrl?: string;
  /** Shorthand for resource['service.name'] (OTEL_SERVICE_NAME wins over resource, as in the spec). */
  serviceName?: string;
  /** telemetry.sdk.language: 'nodejs' on server runtimes (the Node entry sets it), 'webjs' in browsers. */
  sdkLanguage?: string;
  /** Default: ParentBased(root: AlwaysOn), as the spec's parentbased_always_on. */
  sampler?: Sampler;
  /** Span limits (OTEL_SPAN_*_LIMIT): counts over them are dropped and reported on the wire. */
  spanLimits?: Partial<ArenaLimits>;
  /** Arena capacities, fixed for the provider's life. */
  capacity?: Partial<ArenaCapacity>;
  /**
   * Where batches go. Without one, ended spans are counted as dropped ('no_exporter'), or as exported when
   * spanProcessors (below) consume them.
   */
  exporter?: SpanwireExporter;
  /** 'batch' (default) or 'simple' (export each span as it ends: debugging only). */
  processor?: 'batch' | 'simple';
  batch?: Partial<BatchProcessorOptions>;
  /**
   * Official-style SpanProcessors (e.g. sdk-trace-base's SimpleSpanProcessor around any official exporter), run
   * beside the arena pipeline: onStart/onEnding get the span, onEnd a ReadableSpan read from the arena (slow path:
   * a few µs and objects per span). forceFlush and shutdown reach them too.
   */
  spanProcessors?: readonly OfficialSpanProcessor[];
  /** The codec: a precompiled WebAssembly.Module on workerd, or bytes; default the embedded build. */
  codec?: CodecSource;
}

/** What register() installs globally besides the provider. */
export interface RegisterOptions {
  contextManager?: ContextManager;
  propagator?: TextMapPropagator;
}

/** A string for a scope name or version: non-strings (even symbols, or objects whose toString throws) become ''. */
function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null || typeof value === 'symbol') return '';
  try {
    return String(value);
  } catch {
    return '';
  }
}

/** Stands in when no exporter is configured: spans are counted, not silently lost. */
class NoExporter implements SpanwireExporter {
  export(batch: SpanBatch): ExportOutcome {
    return { delivered: 0, dropped: batch.count, dropReason: 'no_exporter' };
  }

  async shutdown(): Promise<void> {}
}

/**
 * The arena's exporter when only official SpanProcessors consume spans: their onEnd already had each span, so
 * the batch counts as exported (handed over) instead of dropped.
 */
class HandedToOfficialProcessors implements SpanwireExporter {
  export(batch: SpanBatch): ExportOutcome {
    return { delivered: batch.count, dropped: 0 };
  }

  async shutdown(): Promise<void> {}
}

/** Stands in for the exporter when the codec could not load: every batch is counted ('codec_unavailable'). */
class CodecUnavailableExporter implements SpanwireExporter {
  constructor(private readonly configured: SpanwireExporter | undefined) {}

  export(batch: SpanBatch): ExportOutcome {
    return { delivered: 0, dropped: batch.count, dropReason: 'codec_unavailable' };
  }

  async shutdown(): Promise<void> {
    try {
      await this.configured?.shutdown();
    } catch { /* never rejects */ }
  }
}

/** The codec, or the stand-in that encodes nothing plus the reason, when WebAssembly cannot run here. */
function codecOrFallback(source: CodecSource | undefined): { codec: CodecInstance; error: string | undefined } {
  try {
    return { codec: loadCodec(source), error: undefined };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    diag.error(`spanwire: the WebAssembly codec could not load (${message}); spans are recorded but every ` +
      "batch is dropped and counted as 'codec_unavailable'. In a browser, allow 'wasm-unsafe-eval' in the " +
      'Content-Security-Policy script-src; on workerd, pass the imported spanwire/codec.wasm module as `codec`.');
    return { codec: unavailableCodec(), error: message };
  }
}

export class SpanwireTracerProvider implements TracerProvider {
  readonly arena: SpanArena;
  /** Why the WebAssembly codec could not load (spans are then dropped as 'codec_unavailable'); else undefined. */
  readonly codecError: string | undefined;
  private readonly core: TracerCore;
  private readonly exporter: SpanwireExporter;
  private readonly tracers = new Map<string, Tracer>();
  private shutdownPromise: Promise<void> | undefined;

  /**
   * Builds the arena, codec and pipeline. Never throws: when the codec cannot load (no WebAssembly, or a CSP
   * that forbids compiling it), spans still record and propagate, every batch is counted as dropped
   * ('codec_unavailable'), `codecError` says why and the diag logger says what to do, once.
   */
  constructor(options: SpanwireOptions = {}) {
    const { codec, error } = codecOrFallback(options.codec);
    this.codecError = error;
    this.arena = new SpanArena(codec, options.capacity, options.spanLimits);
    const resource: Record<string, unknown> = {
      'service.name': options.serviceName ?? 'unknown_service',
      'telemetry.sdk.name': 'spanwire',
      'telemetry.sdk.language': options.sdkLanguage ?? 'webjs',
      'telemetry.sdk.version': VERSION,
      ...options.resource,
    };
    if (options.serviceName !== undefined) resource['service.name'] = options.serviceName;
    this.arena.setResource(resource, options.resourceSchemaUrl ?? '');
    const accounting = new SpanAccounting();
    const exporter = error !== undefined
      ? new CodecUnavailableExporter(options.exporter)
      : options.exporter ?? (options.spanProcessors?.length ? new HandedToOfficialProcessors() : new NoExporter());
    this.exporter = exporter;
    const processor: ArenaSpanProcessor = options.processor === 'simple'
      ? new SimpleSpanProcessor(this.arena, exporter, accounting, options.batch?.exportTimeoutMs)
      : new BatchSpanProcessor(this.arena, exporter, accounting, options.batch);
    this.core = {
      arena: this.arena, processor, accounting,
      sampler: options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      scratchTraceId: this.arena.scratchTraceId, isShutdown: false,
      officialProcessors: options.spanProcessors !== undefined && options.spanProcessors.length > 0
        ? new OfficialProcessorSet(options.spanProcessors,
          options.batch?.exportTimeoutMs ?? DEFAULT_BATCH_OPTIONS.exportTimeoutMs) : undefined,
    };
  }

  /** A tracer for an instrumentation scope; the same name/version/schemaUrl returns the same tracer. */
  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const scopeName = safeString(name);
    const scopeVersion = safeString(version);
    let schemaUrl = '';
    try {
      schemaUrl = safeString(options?.schemaUrl);
    } catch { /* a throwing getter: no schema URL */ }
    const key = `${scopeName}\u0000${scopeVersion}\u0000${schemaUrl}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      let scope = this.arena.addScope(scopeName, scopeVersion, schemaUrl);
      // Out of scope slots: later tracers share the first scope rather than losing their spans.
      if (scope < 0) scope = 0;
      tracer = new SpanwireTracer(this.core, scope);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /** Installs this provider (and optionally a context manager and propagator) as the global ones. */
  register(options: RegisterOptions = {}): this {
    if (options.contextManager) context.setGlobalContextManager(options.contextManager.enable());
    if (options.propagator) propagation.setGlobalPropagator(options.propagator);
    trace.setGlobalTracerProvider(this);
    return this;
  }

  /** Exports everything ended so far and waits for it (at most timeoutMs). Never rejects. */
  async forceFlush(timeoutMs?: number): Promise<void> {
    try {
      await Promise.all([this.core.processor.forceFlush(timeoutMs), this.core.officialProcessors?.forceFlush(timeoutMs)]);
    } catch { /* never rejects */ }
  }

  /** Flushes, then stops: later spans are non-recording and counted. Idempotent; never rejects. */
  shutdown(timeoutMs?: number): Promise<void> {
    this.shutdownPromise ??= (async () => {
      try {
        await Promise.all([this.core.processor.shutdown(timeoutMs), this.core.officialProcessors?.shutdown(timeoutMs)]);
      } catch { /* never rejects */ }
      this.core.isShutdown = true;
    })();
    return this.shutdownPromise;
  }

  /** stats() under the otel.sdk.* self-observability metric names, keyed by error.type where they have one. */
  selfObservability(): SelfObservability {
    const processor = this.core.processor;
    const capacity = processor instanceof BatchSpanProcessor ? processor.options.maxQueueSize : 0;
    return toSelfObservability(this.core.accounting.snapshot(processor.queueSize, processor.inFlightSpans), capacity);
  }

  /**
   * The span accounting: started = exported + droppedTotal + live + queueSize + inFlight + endedNotSampled.
   * `exportWork`: how long export work held the event loop at a time (export() calls, deferred gzip parts,
   * request starts); `overBudget` counts slices over 1 ms.
   */
  stats(): SpanStats & { arena: Readonly<Record<string, number>>; exportWork: ExportWorkStats } {
    const processor = this.core.processor;
    let exporterWork: ExportWorkStats | undefined;
    try {
      exporterWork = this.exporter.exportWork;
    } catch { /* a user exporter's throwing getter: its work is not counted */ }
    return {
      ...this.core.accounting.snapshot(processor.queueSize, processor.inFlightSpans),
      arena: { ...this.arena.counters },
      exportWork: mergeExportWork([this.core.accounting.exportWork, exporterWork]),
    };
  }
}
