// Public entry of spanwire's portable core: no node:* imports, nothing runtime-specific.
export { loadCodec, type CodecInstance, type CodecSource } from './codec/codec-module.js';
export { type ArenaCapacity, DEFAULT_CAPACITY } from './codec/memory-layout.js';
export {
  SpanArena, SpanKindCode, StatusCodeValue, ArenaCounters, type ArenaLimits, DEFAULT_LIMITS,
} from './arena/span-arena.js';
export { BatchEncoder, GZIP_LEVEL_FAST, GZIP_LEVEL_BETTER } from './codec/batch-encoder.js';
export { nowMs, epochMsToRelMs } from './arena/clock.js';
