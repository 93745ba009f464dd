// A rate-limiting sampler: a token bucket like Jaeger's RateLimitingSampler (jaeger-client-go utils.RateLimiter),
// sampling at most `targetSpansPerSecond` on average with a burst of one second's worth. Deterministic under an
// injected clock; a decision never allocates (one clock call and a few float operations).
import { diag } from '@opentelemetry/api';
import { type FastSampler, SamplingDecision, type SamplingResult, samplingResultOf } from './sampler.js';

/**
 * The bucket counts in thousandths of a span ("milli-tokens"): refilling then adds exactly
 * `targetSpansPerSecond` milli-tokens per millisecond, so an integer rate under an integer-millisecond clock
 * stays exact (no drift from adding 0.001 * rate every millisecond).
 */
const COST_MILLI = 1000;

/**
 * Samples (RECORD_AND_SAMPLED) while the bucket holds a whole token, else NOT_RECORD, regardless of the parent
 * and the trace id. The bucket holds max(targetSpansPerSecond, 1) tokens (one second of burst, at least one
 * span so rates below 1/s can sample at all), starts full and refills continuously at the target rate.
 * A rate of 0 never samples. Use it as ParentBased's root so whole traces, not single spans, are rate limited.
 */
export class RateLimitingSampler implements FastSampler {
  readonly canDecideFast = true;
  /** The target rate actually used (invalid input becomes 0). */
  readonly targetSpansPerSecond: number;
  private readonly now: () => number;
  private readonly capacityMilli: number;
  private balanceMilli: number;
  private lastMs: number;

  /**
   * @param targetSpansPerSecond average sampled spans per second; a finite number >= 0 (else warns, uses 0)
   * @param now a monotonic clock in milliseconds (injected by tests)
   */
  constructor(
    targetSpansPerSecond: number, now: () => number = () => performance.now(),
    warn: (message: string) => void = (message) => diag.warn(message),
  ) {
    let rate = targetSpansPerSecond;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      warn(`spanwire: RateLimitingSampler rate ${String(rate)} is not a finite number >= 0; using 0 (sample nothing)`);
      rate = 0;
    }
    this.targetSpansPerSecond = rate;
    this.now = now;
    this.capacityMilli = rate === 0 ? 0 : Math.max(rate, 1) * COST_MILLI;
    this.balanceMilli = this.capacityMilli;
    this.lastMs = now();
  }

  shouldSample(): SamplingResult {
    return samplingResultOf(this.take());
  }

  /** Never: the decision depends on the clock alone. */
  readsTraceId(): boolean {
    return false;
  }

  decideFast(): SamplingDecision {
    return this.take();
  }

  toString(): string {
    return `RateLimitingSampler{${this.targetSpansPerSecond}}`;
  }

  /** Refills for the time since the last call, then spends one token if there is one. */
  private take(): SamplingDecision {
    const nowMs = this.now();
    const elapsedMs = nowMs - this.lastMs;
    // A clock that steps back (or NaN) refills nothing and does not move `lastMs` back, so no credit is minted.
    if (elapsedMs > 0) {
      const refilled = this.balanceMilli + elapsedMs * this.targetSpansPerSecond;
      this.balanceMilli = refilled < this.capacityMilli ? refilled : this.capacityMilli;
      this.lastMs = nowMs;
    }
    if (this.balanceMilli >= COST_MILLI) {
      this.balanceMilli -= COST_MILLI;
      return SamplingDecision.RECORD_AND_SAMPLED;
    }
    return SamplingDecision.NOT_RECORD;
  }
}
