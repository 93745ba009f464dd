// Span accounting for stats(): every recording span started is, at any moment, live, queued, in flight,
// delivered, ended unsampled, or dropped with a reason. Also warns once per drop reason through the OTel diag
// logger. Plain counters only; never throws.
import { diag } from '@opentelemetry/api';
import { ExportWorkMeter } from './export-work-meter.js';
import type { DropReason } from './span-processor.js';

/** A snapshot of the accounting (see SpanwireTracerProvider.stats()). */
export interface SpanStats {
  /** Recording spans started (in the arena). */
  started: number;
  /** Spans the sampler decided not to record: never in the arena, never exported. */
  nonRecording: number;
  /** Recording spans ended. */
  ended: number;
  /** Recorded but not sampled (SamplingDecision.RECORD): ended and released without export. */
  endedNotSampled: number;
  /** Spans the receiver accepted. */
  exported: number;
  /** Spans lost, by reason. */
  dropped: Record<string, number>;
  /** Sum of dropped. */
  droppedTotal: number;
  /** Started, not ended yet. */
  live: number;
  /** Ended, waiting in the processor's queue. */
  queueSize: number;
  /** Handed to the exporter, outcome not known yet. */
  inFlight: number;
  /** Request bytes sent (after compression). */
  bytesSent: number;
  /** Export calls completed (successfully or not). */
  exports: number;
}

/**
 * The same numbers under the OpenTelemetry self-observability semantic conventions (otel.sdk.* metrics), for
 * feeding a metrics pipeline: counters are cumulative; maps are keyed by the `error.type` attribute value
 * ('' for success).
 */
export interface SelfObservability {
  'otel.sdk.span.started': number;
  'otel.sdk.span.live': number;
  'otel.sdk.processor.span.processed': Record<string, number>;
  'otel.sdk.processor.span.queue.size': number;
  'otel.sdk.processor.span.queue.capacity': number;
  'otel.sdk.exporter.span.inflight': number;
  'otel.sdk.exporter.span.exported': Record<string, number>;
}

/** Maps a stats snapshot to otel.sdk.* names (drops before export are 'processed' with their error.type). */
export function toSelfObservability(stats: SpanStats, queueCapacity: number): SelfObservability {
  const exportErrors = new Set(['rejected', 'not_retryable', 'retries_exhausted', 'export_timeout', 'export_failed',
    'inflight_limit', 'too_large', 'encode_failed', 'no_exporter']);
  const processed: Record<string, number> = { '': stats.exported };
  const exported: Record<string, number> = { '': stats.exported };
  for (const [reason, count] of Object.entries(stats.dropped)) {
    processed[reason] = count;
    if (exportErrors.has(reason)) exported[reason] = count;
  }
  return {
    'otel.sdk.span.started': stats.started + stats.nonRecording,
    'otel.sdk.span.live': stats.live,
    'otel.sdk.processor.span.processed': processed,
    'otel.sdk.processor.span.queue.size': stats.queueSize,
    'otel.sdk.processor.span.queue.capacity': queueCapacity,
    'otel.sdk.exporter.span.inflight': stats.inFlight,
    'otel.sdk.exporter.span.exported': exported,
  };
}

export class SpanAccounting {
  started = 0;
  /** Started spans dropped at once (no free arena slot): they never become live. */
  droppedAtStart = 0;
  nonRecording = 0;
  ended = 0;
  endedNotSampled = 0;
  exported = 0;
  bytesSent = 0;
  exports = 0;
  /** The processor's export() calls (encode, and whatever else the exporter does inside them), timed. */
  readonly exportWork = new ExportWorkMeter();
  private readonly droppedBy = new Map<string, number>();
  private readonly warned = new Set<string>();

  /** Counts `count` spans lost for `reason`, warning once per reason (later drops are only counted). */
  drop(reason: DropReason, count: number): void {
    if (!(count > 0)) return;
    this.droppedBy.set(reason, (this.droppedBy.get(reason) ?? 0) + count);
    if (!this.warned.has(reason)) {
      this.warned.add(reason);
      diag.warn(`spanwire: dropped ${count} span(s): ${reason}; further drops for this reason are only counted ` +
        'in provider.stats().dropped');
    }
  }

  /** Takes back up to `count` spans counted for `reason` (a late outcome proved them delivered). */
  undrop(reason: DropReason, count: number): number {
    const have = this.droppedBy.get(reason) ?? 0;
    const taken = Math.min(have, count);
    if (taken > 0) this.droppedBy.set(reason, have - taken);
    return taken;
  }

  droppedCount(reason: DropReason): number {
    return this.droppedBy.get(reason) ?? 0;
  }

  snapshot(queueSize: number, inFlight: number): SpanStats {
    const dropped: Record<string, number> = {};
    let droppedTotal = 0;
    for (const [reason, count] of this.droppedBy) {
      dropped[reason] = count;
      droppedTotal += count;
    }
    return {
      started: this.started, nonRecording: this.nonRecording, ended: this.ended,
      endedNotSampled: this.endedNotSampled, exported: this.exported, dropped, droppedTotal,
      live: this.started - this.ended - this.droppedAtStart, queueSize, inFlight, bytesSent: this.bytesSent, exports: this.exports,
    };
  }
}
