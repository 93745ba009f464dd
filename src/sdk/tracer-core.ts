// State shared by a provider's tracers and spans: the arena, the processor, the accounting and the sampler.
// One object, so a span carries a single reference. Holds no per-span state.
import type { SpanArena } from '../arena/span-arena.js';
import type { SpanAccounting } from '../processing/span-accounting.js';
import type { ArenaSpanProcessor } from '../processing/span-processor.js';
import type { Sampler } from '../sampling/sampler.js';
import type { OfficialProcessorSet } from './official-span-processors.js';

export interface TracerCore {
  readonly arena: SpanArena;
  readonly processor: ArenaSpanProcessor;
  readonly accounting: SpanAccounting;
  readonly sampler: Sampler;
  /** 16 scratch bytes: the trace id a sampler decides on, before the span exists. */
  readonly scratchTraceId: Uint8Array;
  /** Official-style SpanProcessors (slow path), or undefined: one check per start and end. */
  readonly officialProcessors: OfficialProcessorSet | undefined;
  /** Set by shutdown(): new spans are non-recording and counted. */
  isShutdown: boolean;
}
