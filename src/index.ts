// Public entry of spanwire's portable core: no node:* imports, nothing runtime-specific.
export { loadCodec, type CodecInstance, type CodecSource } from './codec/codec-module.js';
export { type ArenaCapacity, DEFAULT_CAPACITY } from './codec/memory-layout.js';
export {
  SpanArena, SpanKindCode, StatusCodeValue, ArenaCounters, type ArenaLimits, DEFAULT_LIMITS,
} from './arena/span-arena.js';
export { BatchEncoder, GZIP_LEVEL_FAST, GZIP_LEVEL_BETTER } from './codec/batch-encoder.js';
export { nowMs, epochMsToRelMs } from './arena/clock.js';
export { SpanwireTracerProvider, type SpanwireOptions, type RegisterOptions } from './sdk/tracer-provider.js';
export type { SpanStats } from './processing/span-accounting.js';
export type { SpanwireExporter, SpanBatch, ExportOutcome } from './export/span-exporter.js';
export { InMemorySpanExporter } from './export/in-memory-span-exporter.js';
export { ConsoleSpanExporter } from './export/console-span-exporter.js';
export { type FinishedSpan, readFinishedSpan } from './arena/span-reader.js';
export { type BatchProcessorOptions, DEFAULT_BATCH_OPTIONS } from './processing/batch-span-processor.js';
export { VERSION } from './version.js';
