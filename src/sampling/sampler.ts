// The sampler contract: structurally the official SDK's `Sampler` (OpenTelemetry trace SDK spec, "Sampler"), so
// official and user samplers plug in unchanged, plus an allocation-free fast path for the built-in samplers.
// Nothing here allocates after module load; the shared results are frozen and never rebuilt.
import type { Attributes, Context, Link, SpanKind, TraceState } from '@opentelemetry/api';

/**
 * The sampling decision, with the same numbers as the official SDK's `SamplingDecision` enum (0, 1, 2), so a
 * result from an official sampler is a valid result here and the other way round.
 */
export const SamplingDecision = {
  /** DROP: not recording, not sampled; the span costs nothing after this. */
  NOT_RECORD: 0,
  /** RECORD_ONLY: recording (attributes kept for processors) but the W3C sampled flag stays clear. */
  RECORD: 1,
  /** RECORD_AND_SAMPLE: recording and the sampled flag is set; the span is exported. */
  RECORD_AND_SAMPLED: 2,
} as const;

/** One of the three {@link SamplingDecision} numbers. */
export type SamplingDecision = (typeof SamplingDecision)[keyof typeof SamplingDecision];

/** What `shouldSample` returns; the same shape as the official SDK's `SamplingResult`. */
export interface SamplingResult {
  decision: SamplingDecision;
  /** Attributes the sampler adds to the span; immutable, may be shared between calls. */
  attributes?: Readonly<Attributes>;
  /** Trace state for the new span context; undefined keeps the parent's trace state unchanged. */
  traceState?: TraceState;
}

/** The sampler contract, structurally identical to the official SDK's `Sampler` interface. */
export interface Sampler {
  /**
   * Decides whether a span about to start is recorded and sampled.
   * @param context the parent context (may hold a parent span context, possibly remote)
   * @param traceId the new span's trace id, 32 lowercase hex digits (the parent's trace id for a child)
   */
  shouldSample(
    context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[],
  ): SamplingResult;
  /** The description required by the spec, e.g. `TraceIdRatioBased{0.25}`. */
  toString(): string;
}

/** Parent state for the fast path: -1 no valid parent span context, 0 parent not sampled, 1 parent sampled. */
export type ParentSampled = -1 | 0 | 1;

/**
 * A sampler that can also decide from numbers and bytes, without the hex trace id string, the Context lookup
 * and the result object that `shouldSample` needs.
 *
 * Fast-path contract (the tracer's side):
 * 1. Call `decideFast` only if `isFastSampler(sampler)` is true. Check once at configuration time: built-in
 *    samplers never change it. Only built-in samplers (AlwaysOn, AlwaysOff, TraceIdRatioBased, RateLimiting,
 *    and ParentBased whose five delegates are all fast) qualify; none of them ever returns attributes or a
 *    trace state, which is what makes a bare decision a complete answer.
 * 2. `parentSampled` is -1 when the parent context holds no span context or an invalid one
 *    (`isSpanContextValid` false: all-zero or malformed ids); otherwise 1 if `traceFlags & TraceFlags.SAMPLED`,
 *    else 0. `parentIsRemote` is `spanContext.isRemote === true` (ignored when parentSampled is -1).
 * 3. If `readsTraceId(parentSampled, parentIsRemote)` is true, `traceIdBytes[traceIdOffset .. traceIdOffset + 16)`
 *    holds the new span's trace id, big-endian, i.e. the bytes whose lowercase hex is the `traceId` string
 *    `shouldSample` would get. If it is false the bytes may be anything: the tracer skips making or copying an id
 *    nobody reads (a dropped root then gets its id only if someone asks for its span context).
 * 4. Per span call exactly one of `decideFast` / `shouldSample`, once: RateLimitingSampler spends a token per call.
 * 5. Treat the decision as a `SamplingResult` with no attributes and `traceState` undefined (keep the parent's).
 *
 * Guarantee (the sampler's side, tested on random ids): under 2-3, `decideFast(...)` equals
 * `shouldSample(context, hex, ...).decision` for every input, and it allocates nothing (no objects, arrays,
 * strings or closures), so a dropped span costs a few comparisons.
 */
export interface FastSampler extends Sampler {
  /** True when `decideFast` may be called; ParentBased sets it only if all its delegates are fast. */
  readonly canDecideFast: boolean;
  /**
   * Whether `decideFast` reads the trace id bytes for this parent state. A pure function of its arguments, fixed
   * for the sampler's lifetime (the tracer asks once per parent state at configuration time); true only for the
   * states a trace-id-ratio sampler decides.
   */
  readsTraceId(parentSampled: ParentSampled, parentIsRemote: boolean): boolean;
  /** The decision `shouldSample` would return, from the parent's state and the trace id bytes. */
  decideFast(
    parentSampled: ParentSampled, parentIsRemote: boolean, traceIdBytes: Uint8Array, traceIdOffset: number,
  ): SamplingDecision;
}

/** True when the tracer may call `sampler.decideFast` instead of `shouldSample` (see {@link FastSampler}). */
export function isFastSampler(sampler: Sampler): sampler is FastSampler {
  const candidate = sampler as Partial<FastSampler>;
  return candidate.canDecideFast === true && typeof candidate.decideFast === 'function'
    && typeof candidate.readsTraceId === 'function';
}

const RESULT_NOT_RECORD: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
const RESULT_RECORD: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });
const RESULT_RECORD_AND_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

/**
 * The shared, frozen result for a bare decision (no attributes, no trace state), so the built-in samplers'
 * `shouldSample` allocates nothing either.
 */
export function samplingResultOf(decision: SamplingDecision): SamplingResult {
  return decision === SamplingDecision.RECORD_AND_SAMPLED ? RESULT_RECORD_AND_SAMPLED
    : decision === SamplingDecision.RECORD ? RESULT_RECORD : RESULT_NOT_RECORD;
}
