// The Span for sampler decision NOT_RECORD (and for suppressed or shut-down tracing): every method is a no-op.
// It copies no id: it points at where its trace id lives and makes its own ids only when spanContext() asks, so a
// never-sampled span is one 3-field object. Implements the OTel trace API Span; never throws.
import type { Span, SpanContext, TraceState } from '@opentelemetry/api';
import { bytesToHex, hexToBytes, leWordHex, writeLeWord } from './hex-ids.js';
import { RecordingSpan } from './recording-span.js';
import type { TracerCore } from './tracer-core.js';

/**
 * A trace id kept as four little-endian 32-bit words, stored `| 0` so they stay V8 small integers (no boxing):
 * the id a sampler read for a root it then dropped. Made only then (56 B), since a later id would not be the one
 * the decision was made on.
 */
export class TraceIdWords {
  declare private readonly w0: number; declare private readonly w1: number;
  declare private readonly w2: number; declare private readonly w3: number;

  /** Copies bytes[offset..+16) now: the caller's buffer is reused. */
  constructor(bytes: Uint8Array, offset: number) {
    this.w0 = leWordAt(bytes, offset); this.w1 = leWordAt(bytes, offset + 4);
    this.w2 = leWordAt(bytes, offset + 8); this.w3 = leWordAt(bytes, offset + 12);
  }

  /** Writes the id into target[offset..+16). */
  copyTraceId(target: Uint8Array, offset: number): void {
    writeLeWord(target, offset, this.w0); writeLeWord(target, offset + 4, this.w1);
    writeLeWord(target, offset + 8, this.w2); writeLeWord(target, offset + 12, this.w3);
  }

  /** 32 lowercase hex digits. */
  toHex(): string {
    return leWordHex(this.w0) + leWordHex(this.w1) + leWordHex(this.w2) + leWordHex(this.w3);
  }
}

/** bytes[offset..+4) as a little-endian int32 (`<< 24` makes it signed, so a small integer). */
function leWordAt(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
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
  // Assigned once each, in this order, in the constructor (no class-field defines): 24 bytes of header + 3 fields,
  // 48 B per span (the trace flags follow from the source, so they take no field).
  /** Its random pool makes the lazy ids. */
  declare readonly core: TracerCore;
  /** Where the trace id lives; undefined: this is a root whose id is made on demand, once. */
  declare private readonly source: TraceIdSource | undefined;
  /** The TraceState given at start, or the SpanContext spanContext() built (it carries that TraceState). */
  declare private stateOrContext: TraceState | SpanContext | undefined;

  constructor(core: TracerCore, source: TraceIdSource | undefined, traceState: TraceState | undefined) {
    this.core = core;
    this.source = source;
    this.stateOrContext = traceState;
  }

  /** The tracer's test for a never-sampled parent: one property load, where instanceof is a generic call. */
  get isSpanwireNonRecording(): true {
    return true;
  }

  /**
   * W3C trace flags: its parent's with the sampled bit clear (W3C Trace Context: other bits are kept). Only a
   * remote or foreign parent's span context brings bits other than sampled (a spanwire span's flags are that
   * bit alone), and a root has none, so they follow from the source.
   */
  get traceFlags(): number {
    const source = this.source;
    return source === undefined || source instanceof TraceIdWords ? 0 : source.traceFlags & 0xfe;
  }

  /** The W3C tracestate this span carries (its parent's or the sampler's), if any. */
  get traceState(): TraceState | undefined {
    const value = this.stateOrContext;
    // A TraceState has serialize(); the SpanContext built by spanContext() does not.
    if (value === undefined || typeof (value as TraceState).serialize === 'function') {
      return value as TraceState | undefined;
    }
    return (value as SpanContext).traceState;
  }

  /** The trace id source a child of this span points at (flattened: never a span with a source of its own). */
  traceIdSource(): TraceIdSource {
    return this.source ?? this;
  }

  spanContext(): SpanContext {
    const value = this.stateOrContext;
    if (value !== undefined && typeof (value as TraceState).serialize !== 'function') return value as SpanContext;
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
    const traceFlags = this.traceFlags;
    const context: SpanContext = value === undefined
      ? { traceId, spanId, traceFlags, isRemote: false }
      : { traceId, spanId, traceFlags, isRemote: false, traceState: value as TraceState };
    this.stateOrContext = context;
    return context;
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
