// The Span for sampler decision NOT_RECORD (and for suppressed or shut-down tracing): every method is a no-op.
// It copies no id: it points at where its trace id lives and makes its own ids only when spanContext() asks, so a
// never-sampled span is one 5-field object. Implements the OTel trace API Span; never throws.
import type { Span, SpanContext, TraceState } from '@opentelemetry/api';
import { bytesToHex, hexToBytes, wordsToHex, writeTraceIdWords } from './hex-ids.js';
import { RecordingSpan } from './recording-span.js';
import type { TracerCore } from './tracer-core.js';

/**
 * A trace id kept as eight big-endian 16-bit words (V8 small integers, no boxing): the id a sampler read for a
 * root it then dropped. Made only then (88 B), since a later id would not be the one the decision was made on.
 */
export class TraceIdWords {
  private readonly t0: number; private readonly t1: number; private readonly t2: number; private readonly t3: number;
  private readonly t4: number; private readonly t5: number; private readonly t6: number; private readonly t7: number;

  /** Copies bytes[offset..+16) now: the caller's buffer is reused. */
  constructor(b: Uint8Array, offset: number) {
    const o = offset;
    this.t0 = (b[o]! << 8) | b[o + 1]!; this.t1 = (b[o + 2]! << 8) | b[o + 3]!;
    this.t2 = (b[o + 4]! << 8) | b[o + 5]!; this.t3 = (b[o + 6]! << 8) | b[o + 7]!;
    this.t4 = (b[o + 8]! << 8) | b[o + 9]!; this.t5 = (b[o + 10]! << 8) | b[o + 11]!;
    this.t6 = (b[o + 12]! << 8) | b[o + 13]!; this.t7 = (b[o + 14]! << 8) | b[o + 15]!;
  }

  /** Writes the id into target[offset..+16). */
  copyTraceId(target: Uint8Array, offset: number): void {
    writeTraceIdWords(target, offset, this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7);
  }

  /** 32 lowercase hex digits. */
  toHex(): string {
    return wordsToHex([this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7], 8);
  }
}

/**
 * Where a span's trace id lives, without copying it:
 * - a RecordingSpan (of any spanwire provider: it keeps its ids after its slot is recycled);
 * - a NonRecordingSpan root that has no id until spanContext() makes one (then cached there);
 * - TraceIdWords: a dropped root's id that a sampler read;
 * - a SpanContext: a remote or foreign parent's valid context (its hex id is already a string).
 * Never a NonRecordingSpan that has a source itself: children take their parent's source, so a descendant keeps
 * at most one extra object alive however deep the trace is.
 */
export type TraceIdSource = RecordingSpan | NonRecordingSpan | TraceIdWords | SpanContext;

export class NonRecordingSpan implements Span {
  private context: SpanContext | undefined = undefined;

  constructor(
    /** Its random pool makes the lazy ids. */
    readonly core: TracerCore,
    /** Where the trace id lives; undefined: this is a root whose id is made on demand, once. */
    private readonly source: TraceIdSource | undefined,
    /** W3C trace flags, sampled bit clear. */
    readonly traceFlags: number,
    readonly traceState: TraceState | undefined,
  ) {}

  /** The trace id source a child of this span points at (flattened: never a span with a source of its own). */
  traceIdSource(): TraceIdSource {
    return this.source ?? this;
  }

  spanContext(): SpanContext {
    if (this.context === undefined) {
      const scratch = new Uint8Array(16); // slow path: the shared scratch may be in use by the tracer
      const arena = this.core.arena;
      let traceId: string;
      if (this.source === undefined) {
        arena.randomId(scratch, 0, 16);
        traceId = bytesToHex(scratch, 0, 16);
      } else {
        traceId = traceIdHexOf(this.source);
      }
      arena.randomId(scratch, 0, 8);
      const spanId = bytesToHex(scratch, 0, 8);
      this.context = this.traceState === undefined
        ? { traceId, spanId, traceFlags: this.traceFlags, isRemote: false }
        : { traceId, spanId, traceFlags: this.traceFlags, isRemote: false, traceState: this.traceState };
    }
    return this.context;
  }

  setAttribute(): this { return this; }
  setAttributes(): this { return this; }
  addEvent(): this { return this; }
  addLink(): this { return this; }
  addLinks(): this { return this; }
  setStatus(): this { return this; }
  updateName(): this { return this; }
  end(): void {}
  isRecording(): boolean { return false; }
  recordException(): void {}
}

/** The 32 hex digits of a source's trace id (makes a lazy root's context: an id read is an id kept). */
function traceIdHexOf(source: TraceIdSource): string {
  if (source instanceof TraceIdWords) return source.toHex();
  if (source instanceof RecordingSpan || source instanceof NonRecordingSpan) return source.spanContext().traceId;
  return source.traceId;
}

/** Writes a source's trace id into target[offset..+16). */
export function copyTraceIdOf(source: TraceIdSource, target: Uint8Array, offset: number): void {
  if (source instanceof RecordingSpan || source instanceof TraceIdWords) source.copyTraceId(target, offset);
  else hexToBytes(source instanceof NonRecordingSpan ? source.spanContext().traceId : source.traceId, target, offset);
}
