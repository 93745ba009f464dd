// The spec's built-in samplers (OpenTelemetry trace SDK spec, "Built-in samplers"): AlwaysOn, AlwaysOff,
// TraceIdRatioBased (decided by the consistent-probability rule R >= T over the trace id's low 56 bits) and
// ParentBased. Their decisions and fast paths never allocate; only constructors and toString() do.
import { diag, isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  type FastSampler, type ParentSampled, type Sampler, SamplingDecision, type SamplingResult, isFastSampler,
  samplingResultOf,
} from './sampler.js';

/** Samples every span. Description `AlwaysOnSampler` (required by the spec). */
export class AlwaysOnSampler implements FastSampler {
  readonly canDecideFast = true;

  shouldSample(): SamplingResult {
    return samplingResultOf(SamplingDecision.RECORD_AND_SAMPLED);
  }

  readsTraceId(): boolean {
    return false;
  }

  decideFast(): SamplingDecision {
    return SamplingDecision.RECORD_AND_SAMPLED;
  }

  toString(): string {
    return 'AlwaysOnSampler';
  }
}

/** Drops every span. Description `AlwaysOffSampler` (required by the spec). */
export class AlwaysOffSampler implements FastSampler {
  readonly canDecideFast = true;

  shouldSample(): SamplingResult {
    return samplingResultOf(SamplingDecision.NOT_RECORD);
  }

  readsTraceId(): boolean {
    return false;
  }

  decideFast(): SamplingDecision {
    return SamplingDecision.NOT_RECORD;
  }

  toString(): string {
    return 'AlwaysOffSampler';
  }
}

/** 2^56: the number of distinct 56-bit randomness values, and the rejection threshold that samples nothing. */
const MAX_THRESHOLD = 1n << 56n;
/** 2^32, to split a 56-bit value into a 24-bit high part and a 32-bit low part that are exact JS numbers. */
const TWO_POW_32 = 0x100000000;

/**
 * Samples a fixed fraction of traces, deciding from the trace id alone so every service that sees the trace
 * with the same ratio makes the same decision.
 *
 * The rule, from the OpenTelemetry specification's consistent probability sampling
 * (specification/trace/tracestate-probability-sampling.md "Decision algorithm" and "Rejection Threshold",
 * and sdk.md "ProbabilitySampler sampler algorithm"), which is what TraceIdRatioBased is being replaced by:
 * - randomness R = the trace id's least-significant 56 bits: bytes 9..15, i.e. its last 14 hex digits,
 *   read as an unsigned big-endian integer (W3C Trace Context Level 2 makes exactly these bits random);
 * - rejection threshold T = 2^56 - round(ratio * 2^56), at full 56-bit precision, rounding halves up
 *   (ratio * 2^56 is exact in binary64, so only the rounding matters). This is the formula of
 *   opentelemetry-js `sampler-composite` and opentelemetry-java's ComposableProbabilitySampler;
 * - sample (RECORD_AND_SAMPLED) iff R >= T, else NOT_RECORD. The parent's sampled flag is ignored
 *   (wrap in ParentBasedSampler to follow it).
 * Boundaries: ratio 1 gives T = 0 (every id sampled, even all-zero low bits); ratio 0 gives T = 2^56, above
 * every R (never); 0 < ratio < 2^-57 also rounds to T = 2^56 (never); ratio 2^-56 gives T = 2^56 - 1 (only
 * R = 0xffffffffffffff). A higher ratio has a lower or equal T, so it samples a superset (spec requirement).
 * Ratios outside [0, 1] are clamped and NaN becomes 0, each with a warning.
 *
 * The `ot=th:` trace-state entry is not written: the spec asks that of ProbabilitySampler, not of
 * TraceIdRatioBased, and writing it would allocate a TraceState per sampled root span. `thresholdTValue`
 * gives the value a caller would write. Nor does it emit sdk.md's "operating as a child sampler" warning: that
 * warning exists because the legacy algorithm was unspecified, and this one is the specified consistent rule.
 */
export class TraceIdRatioBasedSampler implements FastSampler {
  readonly canDecideFast = true;
  /** The ratio actually used, after clamping to [0, 1]. */
  readonly ratio: number;
  /** The rejection threshold T in [0, 2^56]. */
  readonly threshold: bigint;
  /** T as the OpenTelemetry trace-state `th` value (14 hex digits, trailing zeros removed); undefined for T = 2^56. */
  readonly thresholdTValue: string | undefined;
  /** Bits 32..55 of T (2^24 when T = 2^56), compared with trace id bytes 9..11. */
  private readonly thresholdHigh: number;
  /** Bits 0..31 of T, compared with trace id bytes 12..15. */
  private readonly thresholdLow: number;

  constructor(ratio: number, warn: (message: string) => void = (message) => diag.warn(message)) {
    let used = ratio;
    if (typeof ratio !== 'number' || Number.isNaN(ratio)) {
      warn(`spanwire: TraceIdRatioBasedSampler ratio ${String(ratio)} is not a number; using 0 (sample nothing)`);
      used = 0;
    } else if (ratio < 0 || ratio > 1) {
      used = ratio < 0 ? 0 : 1;
      warn(`spanwire: TraceIdRatioBasedSampler ratio ${ratio} is outside [0, 1]; clamped to ${used}`);
    }
    this.ratio = used;
    this.threshold = MAX_THRESHOLD - BigInt(Math.round(used * 2 ** 56));
    this.thresholdHigh = Number(this.threshold >> 32n);
    this.thresholdLow = Number(this.threshold & 0xffffffffn);
    this.thresholdTValue = this.threshold === MAX_THRESHOLD ? undefined
      : this.threshold === 0n ? '0' : this.threshold.toString(16).padStart(14, '0').replace(/0+$/, '');
  }

  shouldSample(
    _context: Context, traceId: string, _spanName: string, _spanKind: SpanKind, _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    return samplingResultOf(this.decideHex(traceId));
  }

  /** Always: the decision is made from the trace id alone. */
  readsTraceId(): boolean {
    return true;
  }

  decideFast(
    _parentSampled: ParentSampled, _parentIsRemote: boolean, traceIdBytes: Uint8Array, traceIdOffset: number,
  ): SamplingDecision {
    const b = traceIdBytes;
    const o = traceIdOffset;
    const high = (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!;
    const low = ((b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!) >>> 0;
    return this.decideSplit(high, low);
  }

  toString(): string {
    return `TraceIdRatioBased{${this.ratio}}`;
  }

  /** The decision for a hex trace id; anything but 32 hex digits is not a trace id and is not sampled. */
  private decideHex(traceId: string): SamplingDecision {
    if (typeof traceId !== 'string' || traceId.length !== 32) return SamplingDecision.NOT_RECORD;
    let high = 0;
    let low = 0;
    for (let i = 0; i < 32; i++) {
      const nibble = hexNibble(traceId.charCodeAt(i));
      if (nibble < 0) return SamplingDecision.NOT_RECORD;
      // Hex digits 18..23 are bytes 9..11 (24 bits), 24..31 are bytes 12..15 (32 bits); 0..17 are not used.
      if (i >= 24) low = low * 16 + nibble;
      else if (i >= 18) high = high * 16 + nibble;
    }
    return this.decideSplit(high, low);
  }

  /** R >= T with R and T each split into 24 high and 32 low bits (no BigInt per span). */
  private decideSplit(high: number, low: number): SamplingDecision {
    return high > this.thresholdHigh || (high === this.thresholdHigh && low >= this.thresholdLow)
      ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD;
  }
}

/** 0-15 for an ASCII hex digit (either case), -1 otherwise. */
function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // '0'-'9'
  if (code >= 97 && code <= 102) return code - 87; // 'a'-'f'
  if (code >= 65 && code <= 70) return code - 55; // 'A'-'F'
  return -1;
}

/** The delegates of a {@link ParentBasedSampler}; unset ones take the spec defaults. */
export interface ParentBasedSamplerConfig {
  /** Decides for spans without a valid parent span context (required). */
  root: Sampler;
  /** Remote parent with the sampled flag (default AlwaysOn). */
  remoteParentSampled?: Sampler;
  /** Remote parent without the sampled flag (default AlwaysOff). */
  remoteParentNotSampled?: Sampler;
  /** Local parent with the sampled flag (default AlwaysOn). */
  localParentSampled?: Sampler;
  /** Local parent without the sampled flag (default AlwaysOff). */
  localParentNotSampled?: Sampler;
}

/** A sampler with the fast path typed as optional, for delegates that may or may not have it. */
type MaybeFastSampler = Sampler & Partial<FastSampler>;

/**
 * Follows the parent's sampled flag and delegates root spans (spec "ParentBased"): no valid parent span context
 * -> `root`; otherwise one of four delegates chosen by the parent's `isRemote` and sampled flag. The spec defaults
 * are AlwaysOn for sampled parents and AlwaysOff for unsampled ones. The fast path is available only when all
 * five delegates have it.
 */
export class ParentBasedSampler implements FastSampler {
  readonly canDecideFast: boolean;
  private readonly root: MaybeFastSampler;
  private readonly remoteParentSampled: MaybeFastSampler;
  private readonly remoteParentNotSampled: MaybeFastSampler;
  private readonly localParentSampled: MaybeFastSampler;
  private readonly localParentNotSampled: MaybeFastSampler;

  constructor(config: ParentBasedSamplerConfig, warn: (message: string) => void = (message) => diag.warn(message)) {
    let root: Sampler | undefined = config?.root;
    if (root === undefined || root === null) {
      warn('spanwire: ParentBasedSampler needs a root sampler; using AlwaysOnSampler');
      root = new AlwaysOnSampler();
    }
    this.root = root;
    this.remoteParentSampled = config.remoteParentSampled ?? new AlwaysOnSampler();
    this.remoteParentNotSampled = config.remoteParentNotSampled ?? new AlwaysOffSampler();
    this.localParentSampled = config.localParentSampled ?? new AlwaysOnSampler();
    this.localParentNotSampled = config.localParentNotSampled ?? new AlwaysOffSampler();
    this.canDecideFast = isFastSampler(this.root) && isFastSampler(this.remoteParentSampled)
      && isFastSampler(this.remoteParentNotSampled) && isFastSampler(this.localParentSampled)
      && isFastSampler(this.localParentNotSampled);
  }

  shouldSample(
    context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    const delegate = parent === undefined || !isSpanContextValid(parent) ? this.root
      : this.delegateFor((parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? 1 : 0, parent.isRemote === true);
    return delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  /** What the delegate for this parent state reads (only when `canDecideFast`). */
  readsTraceId(parentSampled: ParentSampled, parentIsRemote: boolean): boolean {
    const delegate = parentSampled === -1 ? this.root : this.delegateFor(parentSampled, parentIsRemote);
    return delegate.readsTraceId!(parentSampled, parentIsRemote);
  }

  /** Only when `canDecideFast` (all delegates fast); see FastSampler for the contract. */
  decideFast(
    parentSampled: ParentSampled, parentIsRemote: boolean, traceIdBytes: Uint8Array, traceIdOffset: number,
  ): SamplingDecision {
    const delegate = parentSampled === -1 ? this.root : this.delegateFor(parentSampled, parentIsRemote);
    return delegate.decideFast!(parentSampled, parentIsRemote, traceIdBytes, traceIdOffset);
  }

  toString(): string {
    return `ParentBased{root=${this.root.toString()}, remoteParentSampled=${this.remoteParentSampled.toString()}, `
      + `remoteParentNotSampled=${this.remoteParentNotSampled.toString()}, `
      + `localParentSampled=${this.localParentSampled.toString()}, `
      + `localParentNotSampled=${this.localParentNotSampled.toString()}}`;
  }

  private delegateFor(parentSampled: 0 | 1, parentIsRemote: boolean): MaybeFastSampler {
    if (parentIsRemote) return parentSampled === 1 ? this.remoteParentSampled : this.remoteParentNotSampled;
    return parentSampled === 1 ? this.localParentSampled : this.localParentNotSampled;
  }
}
