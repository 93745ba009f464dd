// The `traceparent` and `tracestate` headers (W3C Trace Context Level 2): inject the active span context, extract
// a remote parent. Never throws and never guesses: a header that fails validation is ignored as a whole, and
// `tracestate` is only read when `traceparent` was valid, as the spec requires.
import {
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { EMPTY_TRACE_STATE, parseTraceState } from './trace-state.js';

/** Header names, lowercase as the spec recommends ("Header Name" in the spec). */
export const TRACE_PARENT_HEADER = 'traceparent';
export const TRACE_STATE_HEADER = 'tracestate';

// traceparent, version 00, byte offsets:
//   0  2 3                                35 36              52 53 55
//   vv - tttttttttttttttttttttttttttttttt - pppppppppppppppp - ff
const VERSION_00_CHARS = 55;
const TRACE_ID_AT = 3;
const TRACE_ID_CHARS = 32;
const SPAN_ID_AT = 36;
const SPAN_ID_CHARS = 16;
const FLAGS_AT = 53;
const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Flags we may send. Level 2 defines sampled (0x01) and random-trace-id (0x02); other bits "MUST be set to zero"
 * by the sender ("Other Flags"), so they are kept on extract (the sampler may look) but cleared on inject.
 */
const KNOWN_FLAGS = 0x03;

/** Nibble value of each lowercase hex digit, -1 for every other character: uppercase is invalid (HEXDIGLC). */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0x30; c <= 0x39; c++) HEX_VALUE[c] = c - 0x30;
for (let c = 0x61; c <= 0x66; c++) HEX_VALUE[c] = c - 0x61 + 10;

/** The two-digit hex of every flags value we send, so inject concatenates constants. */
const FLAGS_HEX: readonly string[] = ['00', '01', '02', '03'];

/**
 * OR of the nibbles of `len` lowercase hex digits at `at`, or -1 if one is not a lowercase hex digit.
 * The OR is 0 exactly when the id is all zeroes, which the spec forbids.
 */
function hexOr(s: string, at: number, len: number): number {
  let acc = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (HEX_VALUE[c] as number) : -1;
    if (v < 0) return -1;
    acc |= v;
  }
  return acc;
}

/** The byte written as two lowercase hex digits at `at`, or -1. */
function hexByte(s: string, at: number): number {
  const high = s.charCodeAt(at);
  const low = s.charCodeAt(at + 1);
  if (high >= 128 || low >= 128) return -1;
  const h = HEX_VALUE[high] as number;
  const l = HEX_VALUE[low] as number;
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/**
 * The id to send, or undefined when it cannot be sent: not `len` hex digits, or all zeroes. The API accepts
 * uppercase ids, which receivers must reject, so those are lowercased (allocating only in that rare case).
 */
function wireId(id: unknown, len: number): string | undefined {
  if (typeof id !== 'string' || id.length !== len) return undefined;
  const acc = hexOr(id, 0, len);
  if (acc > 0) return id;
  if (acc === 0) return undefined;
  const lower = id.toLowerCase();
  return hexOr(lower, 0, len) > 0 ? lower : undefined;
}

/**
 * The one header value, or undefined. Several `traceparent` values make it invalid: which one is the parent is
 * unknowable (the W3C test suite's test_traceparent_duplicated expects the trace to restart).
 */
function singleValue(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw) && raw.length === 1 && typeof raw[0] === 'string') return raw[0];
  return undefined;
}

/**
 * Parses a `traceparent` value into a remote span context without its trace state, or returns undefined.
 * Surrounding spaces and tabs (HTTP OWS) are ignored, as the W3C test suite requires.
 */
export function parseTraceParent(header: string): SpanContext | undefined {
  let start = 0;
  let end = header.length;
  while (start < end && (header.charCodeAt(start) === SPACE || header.charCodeAt(start) === TAB)) start++;
  while (end > start && (header.charCodeAt(end - 1) === SPACE || header.charCodeAt(end - 1) === TAB)) end--;
  const len = end - start;
  if (len < VERSION_00_CHARS) return undefined;
  const version = hexByte(header, start);
  if (version < 0 || version === 0xff) return undefined;
  // Version 00 has exactly these fields; a later version may append fields, each introduced by a dash
  // ("Versioning of traceparent"). Either way only the version 00 fields are read.
  if (version === 0 && len !== VERSION_00_CHARS) return undefined;
  if (len > VERSION_00_CHARS && header.charCodeAt(start + VERSION_00_CHARS) !== DASH) return undefined;
  if (
    header.charCodeAt(start + 2) !== DASH ||
    header.charCodeAt(start + SPAN_ID_AT - 1) !== DASH ||
    header.charCodeAt(start + FLAGS_AT - 1) !== DASH
  ) {
    return undefined;
  }
  if (hexOr(header, start + TRACE_ID_AT, TRACE_ID_CHARS) <= 0) return undefined;
  if (hexOr(header, start + SPAN_ID_AT, SPAN_ID_CHARS) <= 0) return undefined;
  const traceFlags = hexByte(header, start + FLAGS_AT);
  if (traceFlags < 0) return undefined;
  return {
    traceId: header.slice(start + TRACE_ID_AT, start + TRACE_ID_AT + TRACE_ID_CHARS),
    spanId: header.slice(start + SPAN_ID_AT, start + SPAN_ID_AT + SPAN_ID_CHARS),
    traceFlags,
    isRemote: true,
  };
}

/**
 * W3C Trace Context propagator. `inject` writes `traceparent` (always version 00) and, when non-empty,
 * `tracestate` for a valid span context; `extract` sets a remote span context (`isRemote: true`) on the
 * returned context, or returns the input context unchanged when `traceparent` is missing or invalid.
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined) return;
    const traceId = wireId(spanContext.traceId, TRACE_ID_CHARS);
    const spanId = wireId(spanContext.spanId, SPAN_ID_CHARS);
    if (traceId === undefined || spanId === undefined) return;
    const flags = FLAGS_HEX[(spanContext.traceFlags | 0) & KNOWN_FLAGS] as string;
    setter.set(carrier, TRACE_PARENT_HEADER, '00-' + traceId + '-' + spanId + '-' + flags);
    const traceState = spanContext.traceState;
    if (traceState != null) {
      const serialized = traceState.serialize();
      if (serialized !== '') setter.set(carrier, TRACE_STATE_HEADER, serialized);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = singleValue(getter.get(carrier, TRACE_PARENT_HEADER));
    if (header === undefined) return context;
    const spanContext = parseTraceParent(header);
    if (spanContext === undefined) return context;
    const traceState = parseTraceState(getter.get(carrier, TRACE_STATE_HEADER));
    if (traceState !== EMPTY_TRACE_STATE) spanContext.traceState = traceState;
    return trace.setSpanContext(context, spanContext);
  }

  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }
}
