// What a tracer provider needs from a span processor: it is told when a sampled span ends (by slot) and owns the
// slot from then on: it must eventually free it, either after export or by dropping it with a counted reason.
// Never throws into the caller of span.end().

/** Drop reasons, as counted in stats().dropped: names follow otel.sdk.* error.type conventions. */
export type DropReason =
  | 'queue_full' | 'slots_exhausted' | 'export_failed' | 'export_timeout' | 'shutdown' | 'too_large'
  | 'rejected' | 'not_retryable' | 'inflight_limit' | (string & {});

export interface ArenaSpanProcessor {
  /** A sampled span ended; the processor now owns `slot` and must free it. */
  onEnd(slot: number): void;
  /** Exports everything queued and waits for in-flight exports (at most timeoutMs). */
  forceFlush(timeoutMs?: number): Promise<void>;
  /** forceFlush, then shuts the exporter down; later spans are dropped with reason 'shutdown'. */
  shutdown(timeoutMs?: number): Promise<void>;
  /** Spans queued, not yet handed to the exporter. */
  readonly queueSize: number;
  /** Spans handed to the exporter whose outcome is not known yet. */
  readonly inFlightSpans: number;
}
