// The @opentelemetry/api Span for sampled (and RECORD-only) spans: a thin handle (slot + generation) onto the
// arena. Its ids are also kept as 16-bit words in the object, so spanContext() stays right after the slot is
// recycled. Implements the OTel trace API Span; never throws into user code (bad input is counted by the arena).
import type {
  Attributes, AttributeValue, Exception, Link, Span, SpanContext, SpanStatus, TimeInput, TraceState,
} from '@opentelemetry/api';
import { nowMs } from '../arena/clock.js';
import { wordsToHex, writeTraceIdWords } from './hex-ids.js';
import { EXACT_TIME, timeInputToEpoch } from './time-input.js';
import type { TracerCore } from './tracer-core.js';

// semantic-conventions: exception event name and attribute keys
const EXCEPTION_EVENT = 'exception';
const EXCEPTION_TYPE = 'exception.type';
const EXCEPTION_MESSAGE = 'exception.message';
const EXCEPTION_STACKTRACE = 'exception.stacktrace';

export class RecordingSpan implements Span {
  private cachedContext: SpanContext | undefined = undefined;
  // Trace id as 8 and span id as 4 big-endian 16-bit words (V8 small integers: no boxing, no allocation).
  private readonly t0: number; private readonly t1: number; private readonly t2: number; private readonly t3: number;
  private readonly t4: number; private readonly t5: number; private readonly t6: number; private readonly t7: number;
  private readonly s0: number; private readonly s1: number; private readonly s2: number; private readonly s3: number;

  constructor(
    readonly core: TracerCore,
    readonly slot: number,
    readonly gen: number,
    /** W3C trace flags (bit 0 = sampled): only sampled spans go to the processor. */
    readonly traceFlags: number,
    readonly traceState: TraceState | undefined,
  ) {
    // Little-endian 32-bit reads of the id bytes b0 b1 b2 b3 become big-endian 16-bit words (b0 b1) (b2 b3).
    const t = core.arena.spanTraceId32;
    const o = slot * 4;
    let w = t[o]!;
    this.t0 = hiWord(w); this.t1 = loWord(w);
    w = t[o + 1]!;
    this.t2 = hiWord(w); this.t3 = loWord(w);
    w = t[o + 2]!;
    this.t4 = hiWord(w); this.t5 = loWord(w);
    w = t[o + 3]!;
    this.t6 = hiWord(w); this.t7 = loWord(w);
    const s = core.arena.spanSpanId32;
    w = s[slot * 2]!;
    this.s0 = hiWord(w); this.s1 = loWord(w);
    w = s[slot * 2 + 1]!;
    this.s2 = hiWord(w); this.s3 = loWord(w);
  }

  /** Writes this span's trace id into target[offset..+16): valid even after its slot was recycled. */
  copyTraceId(target: Uint8Array, offset: number): void {
    writeTraceIdWords(target, offset, this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7);
  }

  spanContext(): SpanContext {
    if (this.cachedContext === undefined) {
      const traceId = wordsToHex([this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7], 8);
      const spanId = wordsToHex([this.s0, this.s1, this.s2, this.s3], 4);
      this.cachedContext = this.traceState === undefined
        ? { traceId, spanId, traceFlags: this.traceFlags, isRemote: false }
        : { traceId, spanId, traceFlags: this.traceFlags, isRemote: false, traceState: this.traceState };
    }
    return this.cachedContext;
  }

  setAttribute(key: string, value: AttributeValue): this {
    try {
      this.core.arena.setAttribute(this.slot, this.gen, key, value);
    } catch { /* the arena counts bad input; a throwing getter in user data must not reach the caller */ }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    try {
      if (attributes !== null && typeof attributes === 'object') {
        const arena = this.core.arena;
        for (const key in attributes) {
          // Own properties only, as the official SDK (Object.entries) reads them.
          if (Object.hasOwn(attributes, key)) arena.setAttribute(this.slot, this.gen, key, attributes[key]);
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
      if (time === undefined) arena.addEvent(this.slot, this.gen, name, nowMs(), attributes);
      else if (timeInputToEpoch(time, EXACT_TIME)) {
        arena.addEventAt(this.slot, this.gen, name, NaN, EXACT_TIME[0]!, EXACT_TIME[1]!, attributes);
      } else {
        arena.addEvent(this.slot, this.gen, name, NaN, attributes); // not a time: counted, event at now
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
        this.core.arena.setStatus(this.slot, this.gen, status.code, status.message);
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
      if (official !== undefined && arena.isLive(this.slot, this.gen)) official.onEnding(this);
      let ended: boolean;
      if (endTime === undefined) ended = arena.endSpan(this.slot, this.gen, nowMs());
      else if (timeInputToEpoch(endTime, EXACT_TIME)) {
        ended = arena.endSpanAt(this.slot, this.gen, NaN, EXACT_TIME[0]!, EXACT_TIME[1]!);
      } else {
        ended = arena.endSpan(this.slot, this.gen, NaN); // not a time: counted, ended now
      }
      if (!ended) return;
      core.accounting.ended++;
      if (official !== undefined) official.onEnd(arena, this.slot);
      if ((this.traceFlags & 1) !== 0) {
        core.processor.onEnd(this.slot);
      } else {
        core.arena.freeSpan(this.slot);
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

/** Bytes 0-1 of a little-endian u32 as a big-endian 16-bit word. */
function hiWord(w: number): number {
  return ((w & 0xff) << 8) | ((w >>> 8) & 0xff);
}

/** Bytes 2-3 of a little-endian u32 as a big-endian 16-bit word. */
function loWord(w: number): number {
  return ((w >>> 8) & 0xff00) | (w >>> 24);
}

/** TimeInput: HrTime tuple, number or Date (anything else is attributes or garbage). */
export function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date ||
    (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number');
}
