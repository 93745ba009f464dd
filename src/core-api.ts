// Public entry of spanwire's portable core: no node:* imports, nothing runtime-specific.
export { loadCodec, type CodecInstance, type CodecSource } from './codec/codec-instance.js';
export { type ArenaCapacity, DEFAULT_CAPACITY } from './codec/memory-layout.js';
export {
  SpanArena, SpanKindCode, StatusCodeValue, ArenaCounters, type ArenaLimits, DEFAULT_LIMITS,
} from './arena/span-arena.js';
export { BatchEncoder, GZIP_LEVEL_FAST, GZIP_LEVEL_BETTER } from './codec/batch-encoder.js';
export { nowMs, epochMsToRelMs } from './arena/clock.js';
export { SpanwireTracerProvider, type SpanwireOptions, type RegisterOptions } from './sdk/spanwire-tracer-provider.js';
export type { SpanStats } from './processing/span-accounting.js';
export type { SpanwireExporter, SpanBatch, ExportOutcome } from './export/span-exporter.js';
export { InMemorySpanExporter } from './export/in-memory-span-exporter.js';
export { ConsoleSpanExporter } from './export/console-span-exporter.js';
export { type FinishedSpan, readFinishedSpan } from './arena/span-reader.js';
export { type BatchProcessorOptions, DEFAULT_BATCH_OPTIONS } from './processing/batch-span-processor.js';
export { VERSION } from './version.js';
export {
  SamplingDecision, type Sampler, type SamplingResult, type FastSampler, isFastSampler,
} from './sampling/sampler.js';
export {
  AlwaysOnSampler, AlwaysOffSampler, TraceIdRatioBasedSampler, ParentBasedSampler, type ParentBasedSamplerConfig,
} from './sampling/builtin-samplers.js';
export { RateLimitingSampler } from './sampling/rate-limiting-sampler.js';
export { samplerFromEnv } from './sampling/sampler-from-env.js';
export { W3CTraceContextPropagator } from './propagation/w3c-trace-context.js';
export { W3CBaggagePropagator } from './propagation/w3c-baggage.js';
export { CompositePropagator, propagatorFromEnv } from './propagation/composite-propagator.js';
export { parseTraceState } from './propagation/trace-state.js';
export { StackContextManager } from './context/stack-context-manager.js';
export { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager.js';
export { contextManagerForRuntime } from './context/context-manager-for-runtime.js';
export { readEnvConfig, type EnvConfig } from './config/env-config.js';
export { OtlpTraceExporter, type OtlpExporterOptions } from './export/otlp-trace-exporter.js';
export type { Transport, SendResult, SendOptions } from './export/transport.js';
export { sendWithRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from './export/retrying-transport.js';
export { suppressTracing } from './sdk/tracer.js';
export {
  type OfficialSpanProcessor, type ReadableSpan, type ReadableResource, toReadableSpan,
} from './sdk/official-span-processors.js';
export { FetchTransport, type FetchTransportOptions } from './export/otlp-http-fetch-transport.js';
export { type SelfObservability, toSelfObservability } from './processing/span-accounting.js';
