// The @opentelemetry/api Span for sampled (and RECORD-only) spans: a thin handle (slot + generation) onto the
// arena. Its ids are also kept in the object, as the arena's little-endian 32-bit words, so spanContext() stays
// right after the slot is recycled. Implements the OTel trace API Span; never throws into user code (bad input is
// counted by the arena). One object per span is the only garbage it makes: 10 fields, 104 bytes on 64-bit V8.
import type {
  Attributes, AttributeValue, Exception, Link, Span, SpanContext, SpanStatus, TimeInput, TraceState,
} from '@opentelemetry/api';
import { leWordHex, writeLeWord } from './hex-ids.js';
import { EXACT_TIME, timeInputToEpoch } from './time-input.js';
import type { TracerCore } from './tracer-core.js';

// semantic-conventions: exception event name and attribute keys
const EXCEPTION_EVENT = 'exception';
const EXCEPTION_TYPE = 'exception.type';
const EXCEPTION_MESSAGE = 'exception.message';
const EXCEPTION_STACKTRACE = 'exception.stacktrace';

/** slotFlags = slot << 8 | W3C trace flags: an int32, as the arena keeps slots below 2^23 (MAX_SPAN_SLOTS). */
const FLAG_BITS = 8;

export class RecordingSpan implements Span {
  // Fields are assigned once, in this order, in the constructor (no class-field defines: one store each).
  // 24 bytes of header + 10 tagged fields (the previous 18 fields made 168 bytes per span).
  declare readonly core: TracerCore;
  declare private readonly slotFlags: number;
  declare readonly gen: number;
  /** The TraceState given at start, or the SpanContext spanContext() built (it carries that TraceState). */
  declare private stateOrContext: TraceState | SpanContext | undefined;
  // The trace id (4) and span id (2) as the arena's little-endian u32 words, stored `| 0`: int32 values are
  // V8 small integers (Smis), so no HeapNumber is ever boxed for them.
  declare private readonly t0: number; declare private readonly t1: number;
  declare private readonly t2: number; declare private readonly t3: number;
  declare private readonly s0: number; declare private readonly s1: number;

  constructor(
    core: TracerCore,
    slot: number,
    gen: number,
    /** W3C trace flags (bit 0 = sampled): only sampled spans go to the processor. */
    traceFlags: number,
    traceState: TraceState | undefined,
  ) {
    this.core = core;
    this.slotFlags = (slot << FLAG_BITS) | (traceFlags & 0xff);
    this.gen = gen;
    this.stateOrContext = traceState;
    const arena = core.arena;
    const t = arena.spanTraceId32;
    const o = slot * 4;
    this.t0 = t[o]! | 0; this.t1 = t[o + 1]! | 0; this.t2 = t[o + 2]! | 0; this.t3 = t[o + 3]! | 0;
    const s = arena.spanSpanId32;
    this.s0 = s[slot * 2]! | 0; this.s1 = s[slot * 2 + 1]! | 0;
  }

  /** The tracer's test for a local parent: one property load (on the prototype), where instanceof is a generic call. */
  get isSpanwireRecording(): true {
    return true;
  }

  /** The arena slot this span was started in (it may since have been recycled: check the generation). */
  get slot(): number {
    return this.slotFlags >> FLAG_BITS;
  }

  /** W3C trace flags (bit 0 = sampled). */
  get traceFlags(): number {
    return this.slotFlags & 0xff;
  }

  /** The W3C tracestate this span was started with (its parent's or the sampler's), if any. */
  get traceState(): TraceState | undefined {
    const value = this.stateOrContext;
    // A TraceState has serialize() (the tracer calls it before a span is made); the SpanContext built by
    // spanContext() does not.
    if (value === undefined || typeof (value as TraceState).serialize === 'function') {
      return value as TraceState | undefined;
    }
    return (value as SpanContext).traceState;
  }

  /** Writes this span's trace id into target[offset..+16): valid even after its slot was recycled. */
  copyTraceId(target: Uint8Array, offset: number): void {
    const arena = this.core.arena;
    if (target === arena.scratchTraceId && offset === 0) {
      arena.setScratchTraceIdWords(this.t0, this.t1, this.t2, this.t3);
      return;
    }
    writeLeWord(target, offset, this.t0); writeLeWord(target, offset + 4, this.t1);
    writeLeWord(target, offset + 8, this.t2); writeLeWord(target, offset + 12, this.t3);
  }

  spanContext(): SpanContext {
    const value = this.stateOrContext;
    if (value !== undefined && typeof (value as TraceState).serialize !== 'function') return value as SpanContext;
    const traceId = leWordHex(this.t0) + leWordHex(this.t1) + leWordHex(this.t2) + leWordHex(this.t3);
    const spanId = leWordHex(this.s0) + leWordHex(this.s1);
    const traceFlags = this.slotFlags & 0xff;
    const context: SpanContext = value === undefined
      ? { traceId, spanId, traceFlags, isRemote: false }
      : { traceId, spanId, traceFlags, isRemote: false, traceState: value as TraceState };
    this.stateOrContext = context;
    return context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    try {
      this.core.arena.setAttribute(this.slotFlags >> FLAG_BITS, this.gen, key, value);
    } catch { /* the arena counts bad input; a throwing getter in user data must not reach the caller */ }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    try {
      if (attributes !== null && typeof attributes === 'object') {
        const arena = this.core.arena;
        const slot = this.slotFlags >> FLAG_BITS;
        for (const key in attributes) {
          // Own properties only, as the official SDK (Object.entries) reads them.
          if (Object.hasOwn(attributes, key)) arena.setAttribute(slot, this.gen, key, attributes[key]);
        }
      }
    } catch { /* counted by the arena; never thrown */ }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    try {
      let attributes: Attributes | undefined;
      let time = startTime;
      if (isTimeInput(attributesOrStartTime)) time = attributesOrStartTime;
      else if (attributesOrStartTime !== null && typeof attributesOrStartTime === 'object') {
        attributes = attributesOrStartTime as Attributes;
      }
      const arena = this.core.arena;
      const slot = this.slotFlags >> FLAG_BITS;
      if (time === undefined) arena.addEventNow(slot, this.gen, name, attributes);
      else if (timeInputToEpoch(time, EXACT_TIME)) {
        arena.addEventAt(slot, this.gen, name, NaN, EXACT_TIME[0]!, EXACT_TIME[1]!, attributes);
      } else {
        arena.addEvent(slot, this.gen, name, NaN, attributes); // not a time: counted, event at now
      }
    } catch { /* never thrown */ }
    return this;
  }

  addLink(link: Link): this {
    try {
      this.addOneLink(link);
    } catch { /* never thrown */ }
    return this;
  }

  addLinks(links: Link[]): this {
    try {
      if (Array.isArray(links)) for (let i = 0; i < links.length; i++) this.addOneLink(links[i]!);
    } catch { /* never thrown */ }
    return this;
  }

  setStatus(status: SpanStatus): this {
    try {
      if (status !== null && typeof status === 'object') {
        this.core.arena.setStatus(this.slotFlags >> FLAG_BITS, this.gen, status.code, status.message);
      }
    } catch { /* never thrown */ }
    return this;
  }

  updateName(name: string): this {
    try {
      this.core.arena.updateName(this.slot, this.gen, name);
    } catch { /* never thrown */ }
    return this;
  }

  end(endTime?: TimeInput): void {
    try {
      const core = this.core;
      const arena = core.arena;
      const official = core.officialProcessors;
      const slotFlags = this.slotFlags;
      const slot = slotFlags >> FLAG_BITS;
      if (official !== undefined && arena.isLive(slot, this.gen)) official.onEnding(this);
      let ended: boolean;
      if (endTime === undefined) ended = arena.endSpanNow(slot, this.gen);
      else if (timeInputToEpoch(endTime, EXACT_TIME)) {
        ended = arena.endSpanAt(slot, this.gen, NaN, EXACT_TIME[0]!, EXACT_TIME[1]!);
      } else {
        ended = arena.endSpan(slot, this.gen, NaN); // not a time: counted, ended now
      }
      if (!ended) return;
      core.accounting.ended++;
      if (official !== undefined) official.onEnd(arena, slot);
      if ((slotFlags & 1) !== 0) {
        core.processor.onEnd(slot);
      } else {
        arena.freeSpan(slot);
        core.accounting.endedNotSampled++;
      }
    } catch { /* never thrown */ }
  }

  isRecording(): boolean {
    return this.core.arena.isLive(this.slot, this.gen);
  }

  recordException(exception: Exception, time?: TimeInput): void {
    try {
      const attributes: Attributes = {};
      if (typeof exception === 'string') {
        attributes[EXCEPTION_MESSAGE] = exception;
      } else if (exception !== null && typeof exception === 'object') {
        const { code, name, message, stack } = exception as { code?: unknown; name?: unknown; message?: unknown; stack?: unknown };
        if (code !== undefined && code !== null) attributes[EXCEPTION_TYPE] = String(code);
        else if (typeof name === 'string') attributes[EXCEPTION_TYPE] = name;
        if (typeof message === 'string') attributes[EXCEPTION_MESSAGE] = message;
        if (typeof stack === 'string') attributes[EXCEPTION_STACKTRACE] = stack;
      }
      // The semantic conventions need a type or a message; without either the event says nothing.
      if (attributes[EXCEPTION_TYPE] === undefined && attributes[EXCEPTION_MESSAGE] === undefined) return;
      this.addEvent(EXCEPTION_EVENT, attributes, time);
    } catch { /* never thrown */ }
  }

  private addOneLink(link: Link): void {
    if (link === null || typeof link !== 'object' || link.context === null || typeof link.context !== 'object') {
      this.core.arena.counters.invalidLinks++;
      return;
    }
    const c = link.context;
    this.core.arena.addLink(this.slot, this.gen, c.traceId, c.spanId, c.traceFlags, c.isRemote === true,
      c.traceState ? c.traceState.serialize() : '', link.attributes);
  }
}

/** TimeInput: HrTime tuple, number or Date (anything else is attributes or garbage). */
export function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date ||
    (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number');
}
