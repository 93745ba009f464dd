// Encodes ended arena spans as OTLP/JSON ExportTraceServiceRequest text (collector/trace/v1 by the OTLP spec's JSON
// mapping: hex ids, integer enums, int64 as decimal strings) from the columns into one reused buffer, under a byte
// bound. Never changes span data, never emits a partial message, never throws on corrupt lists (it reports them).
import type { SpanArena } from '../arena/span-arena.js';
import { KIND_ARRAY, KIND_BOOL, KIND_DOUBLE, KIND_INT, KIND_STRING } from '../arena/attribute-kind.js';
import { BatchEncoder } from '../codec/batch-encoder.js';
import { constantFieldJson, jsonDouble, resourceFromRequest } from './otlp-json-constants.js';

/** next() result: a list or record id out of range (the arena is corrupt); the rest of the batch cannot be read. */
export const JSON_ENCODE_BAD_INPUT = -2;

const textEncoder = new TextEncoder();
const ascii = (text: string): Uint8Array => textEncoder.encode(text);

// Constant pieces, in the order a Span is written (proto field order; proto3 defaults omitted as the protobuf
// encoder omits them, so both encodings carry the same fields).
const SPAN_TRACE_ID = ascii('{"traceId":"');
const SPAN_SPAN_ID = ascii('","spanId":"');
const SPAN_TRACE_STATE = ascii(',"traceState":');
const SPAN_PARENT_SPAN_ID = ascii(',"parentSpanId":"');
const SPAN_NAME = ascii(',"name":');
const SPAN_KIND = ascii(',"kind":');
const SPAN_START = ascii(',"startTimeUnixNano":"');
const SPAN_END = ascii('","endTimeUnixNano":"');
const ATTRIBUTES = ascii(',"attributes":[');
const DROPPED_ATTRIBUTES = ascii(',"droppedAttributesCount":');
const SPAN_EVENTS = ascii(',"events":[');
const SPAN_DROPPED_EVENTS = ascii(',"droppedEventsCount":');
const SPAN_LINKS = ascii(',"links":[');
const SPAN_DROPPED_LINKS = ascii(',"droppedLinksCount":');
const SPAN_STATUS = ascii(',"status":{');
const STATUS_MESSAGE = ascii('"message":');
const STATUS_CODE = ascii('"code":');
const FLAGS = ascii(',"flags":');
const EVENT_TIME = ascii('{"timeUnixNano":"');
const EVENT_NAME = ascii('","name":');
const LINK_TRACE_ID = ascii('{"traceId":"');
const KEY_VALUE_KEY = ascii('{"key":');
const ARRAY_CLOSE = ascii(']}}');

/** The opening bytes of each AnyValue form, with a prefix baked in (one copy instead of two per value). */
interface ValueOpeners {
  string: Uint8Array;
  boolTrue: Uint8Array;
  boolFalse: Uint8Array;
  int: Uint8Array;
  double: Uint8Array;
  array: Uint8Array;
  empty: Uint8Array;
}

function valueOpeners(prefix: string): ValueOpeners {
  return {
    string: ascii(`${prefix}{"stringValue":`), boolTrue: ascii(`${prefix}{"boolValue":true}`),
    boolFalse: ascii(`${prefix}{"boolValue":false}`), int: ascii(`${prefix}{"intValue":"`),
    double: ascii(`${prefix}{"doubleValue":`), array: ascii(`${prefix}{"arrayValue":{"values":[`), empty: ascii(`${prefix}{}`),
  };
}

/** A KeyValue's value (after its key) and an array element. */
const MEMBER_VALUE = valueOpeners(',"value":');
const ELEMENT_VALUE = valueOpeners('');

const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;

/** Lowercase hex digits of each byte value, two ASCII bytes per entry. */
const HEX = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  HEX[b * 2] = '0123456789abcdef'.charCodeAt(b >> 4);
  HEX[b * 2 + 1] = '0123456789abcdef'.charCodeAt(b & 15);
}

/**
 * How each byte is written inside a JSON string, exactly as JSON.stringify escapes (RFC 8259 section 7): 0 copies
 * the byte; otherwise the letter after a backslash, 'u' meaning \u00XX. Bytes >= 0x80 are copied: the arena holds
 * only valid UTF-8 (lone surrogates were stored as U+FFFD), so the text stays valid UTF-8.
 */
const ESCAPE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) ESCAPE[b] = 0x75; // 'u'
ESCAPE[0x08] = 0x62; ESCAPE[0x09] = 0x74; ESCAPE[0x0a] = 0x6e; ESCAPE[0x0c] = 0x66; ESCAPE[0x0d] = 0x72; // b t n f r
ESCAPE[QUOTE] = QUOTE;
ESCAPE[BACKSLASH] = BACKSLASH;
/** Worst case bytes per source byte inside a JSON string: \u00XX. */
const MAX_ESCAPED_BYTES_PER_BYTE = 6;
/**
 * Runs of bytes longer than this are copied with set(), shorter ones with a loop: measured on the 2-core VM
 * (Node 20), a byte loop costs ~4 ns a byte and set() ~40 ns a call, so set() wins from ~12 bytes on.
 */
const SHORT_COPY_BYTES = 12;
/** First buffer size; it doubles as needed (a canonical span is ~1 KB of JSON). */
const INITIAL_BUFFER_BYTES = 64 * 1024;

/**
 * Slots of the repeated-string cache (direct-mapped by string address). Attribute keys and most values repeat in
 * every span of a batch and the arena interns them, so the same (ptr, len) means the same text for the whole
 * encode: a repeat is copied from its first occurrence in the body (copyWithin) instead of escaped byte by byte.
 */
const STRING_CACHE_SLOTS = 1024;

/** One scope's constant text: what opens its ScopeSpans and what closes it. */
interface ScopeText {
  head: Uint8Array;
  tail: Uint8Array;
}

/**
 * OTLP/JSON encoder over one arena. Use: begin(slots, count), then next(targetBytes, maxBytes) until remaining is
 * 0, taking `body` after each next() that returned spans (skip() after one that returned 0).
 * One ResourceSpans per request, one ScopeSpans per scope (in scope-id order, spans in list order within a scope),
 * as the protobuf encoder groups them.
 */
export class OtlpJsonEncoder {
  private buf = new Uint8Array(INITIAL_BUFFER_BYTES);
  private pos = 0;
  private mem = new Uint8Array(0);
  /** The batch's slots grouped by scope. */
  private readonly order: Uint32Array;
  private readonly scopeCounts: Uint32Array;
  private cursor = 0;
  private count = 0;
  private readonly scopes: (ScopeText | undefined)[] = [];
  /** The request head (up to the first ScopeSpans) and tail for the resource last seen. */
  private requestHead: Uint8Array = new Uint8Array(0);
  private requestTail: Uint8Array = new Uint8Array(0);
  private resourceFor: unknown = undefined;
  private protobuf: BatchEncoder | undefined;
  private readonly oneSlot = new Uint32Array(1);
  // Repeated-string cache: the (ptr, len) of a string, where its escaped text (quotes included) starts in the body
  // and how long it is, and the body generation it belongs to (a new body, or a rewind, invalidates every entry).
  private readonly cachePtr = new Int32Array(STRING_CACHE_SLOTS).fill(-1);
  private readonly cacheLen = new Int32Array(STRING_CACHE_SLOTS);
  private readonly cacheAt = new Int32Array(STRING_CACHE_SLOTS);
  private readonly cacheBytes = new Int32Array(STRING_CACHE_SLOTS);
  private readonly cacheGeneration = new Int32Array(STRING_CACHE_SLOTS).fill(-1);
  private generation = 0;

  constructor(readonly arena: SpanArena) {
    this.order = new Uint32Array(arena.capacity.spans);
    this.scopeCounts = new Uint32Array(arena.capacity.scopes + 1);
  }

  /** Spans of the batch not yet encoded or skipped. */
  get remaining(): number {
    return this.count - this.cursor;
  }

  /** The last request next() encoded: a view of the encoder's buffer, valid until the next call. */
  get body(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /**
   * Starts a batch of `count` ended slots. False (nothing to encode) when a slot or its scope is out of range or
   * the resource cannot be read from the codec.
   */
  begin(slots: ArrayLike<number>, count: number): boolean {
    const arena = this.arena;
    arena.refreshViews();
    this.cursor = 0;
    this.count = 0;
    const spans = arena.capacity.spans;
    const scopeCapacity = arena.capacity.scopes;
    if (!(count >= 0 && count <= spans)) return false;
    // Counting sort by scope (stable): counts[s + 1] counts scope s, then prefix sums give each run's start.
    const counts = this.scopeCounts;
    counts.fill(0);
    for (let i = 0; i < count; i++) {
      const slot = slots[i]!;
      if (!(slot >= 0 && slot < spans)) return false;
      const scope = arena.spanScope[slot]!;
      if (scope >= scopeCapacity) return false;
      counts[scope + 1]!++;
    }
    for (let s = 1; s <= scopeCapacity; s++) counts[s]! += counts[s - 1]!;
    for (let i = 0; i < count; i++) {
      const slot = slots[i]!;
      this.order[counts[arena.spanScope[slot]!]!++] = slot;
    }
    this.count = count;
    return count === 0 || this.loadResource();
  }

  /** Drops the span at the cursor (next() returned 0: it alone does not fit maxBytes). */
  skip(): void {
    if (this.cursor < this.count) this.cursor++;
  }

  /**
   * Encodes the next request from the cursor: spans are added while the whole body stays within `maxBytes`,
   * and no more once it reaches `targetBytes`. Returns the spans taken (the body is in `body`), 0 when the span
   * at the cursor alone exceeds maxBytes (call skip()), or JSON_ENCODE_BAD_INPUT (`remaining` then counts every
   * span not yet in a returned body, the abandoned request's included).
   */
  next(targetBytes: number, maxBytes: number): number {
    const arena = this.arena;
    arena.refreshViews();
    if (this.mem.buffer !== arena.codec.memory.buffer) this.mem = new Uint8Array(arena.codec.memory.buffer);
    this.pos = 0;
    this.generation++;
    this.put(this.requestHead);
    const tailBytes = this.requestTail.length;
    let taken = 0;
    let scope = -1;
    while (this.cursor < this.count) {
      const slot = this.order[this.cursor]!;
      const spanScope = arena.spanScope[slot]!;
      const mark = this.pos;
      if (spanScope !== scope) {
        if (scope >= 0) {
          this.put(this.scopes[scope]!.tail);
          this.byte(COMMA);
        }
        this.put(this.scopeText(spanScope).head);
      } else {
        this.byte(COMMA);
      }
      if (!this.writeSpan(slot)) {
        this.cursor -= taken; // the request is abandoned: its spans are part of what remains unencoded
        return JSON_ENCODE_BAD_INPUT;
      }
      const closing = this.scopes[spanScope]!.tail.length + tailBytes;
      if (this.pos + closing > maxBytes) {
        this.pos = mark;
        this.generation++; // cached strings past the mark are gone
        if (taken === 0) return 0;
        break;
      }
      taken++;
      this.cursor++;
      scope = spanScope;
      if (this.pos + closing >= targetBytes) break;
    }
    if (scope >= 0) this.put(this.scopes[scope]!.tail);
    this.put(this.requestTail);
    return taken;
  }

  /** Every slot as one request, with no byte bound (tests, small batches); undefined on corrupt input. */
  encodeAll(slots: ArrayLike<number>, count: number): Uint8Array | undefined {
    if (!this.begin(slots, count)) return undefined;
    if (count === 0) return ascii('{}');
    return this.next(Infinity, Infinity) === count ? this.body : undefined;
  }

  // ---- Resource and scopes: their JSON is built once from the protobuf the codec pre-encoded.

  /**
   * The resource is pre-encoded inside the codec (only it keeps the address): it is read back from a one-span
   * protobuf encode, once per setResource(). A span whose protobuf does not fit batchBytes is passed over (its
   * JSON, larger still, will not fit either).
   */
  private loadResource(): boolean {
    const arena = this.arena;
    if (this.resourceFor === arena.resourceInfo && this.requestHead.length > 0) return true;
    this.protobuf ??= new BatchEncoder(arena);
    let found: { resourceJson: string; schemaUrl: string } | undefined;
    for (let i = 0; i < this.count && found === undefined; i++) {
      this.oneSlot[0] = this.order[i]!;
      const body = this.protobuf.encode(this.oneSlot, 1);
      if (body !== null) found = resourceFromRequest(body);
    }
    if (found === undefined) return false;
    this.resourceFor = arena.resourceInfo;
    this.requestHead = ascii(`{"resourceSpans":[{"resource":${found.resourceJson},"scopeSpans":[`);
    this.requestTail = ascii(`]${schemaUrlMember(found.schemaUrl)}}]}`);
    return true;
  }

  private scopeText(scope: number): ScopeText {
    const known = this.scopes[scope];
    if (known !== undefined) return known;
    const arena = this.arena;
    const mem = this.mem;
    const field = mem.subarray(arena.scopeBytesPtr[scope]!, arena.scopeBytesPtr[scope]! + arena.scopeBytesLen[scope]!);
    const schemaUrl = arena.readString(arena.scopeSchemaPtr[scope]!, arena.scopeSchemaLen[scope]!);
    const text: ScopeText = {
      head: ascii(`{"scope":${constantFieldJson(field, true) ?? '{}'},"spans":[`),
      tail: ascii(`]${schemaUrlMember(schemaUrl)}}`),
    };
    this.scopes[scope] = text;
    return text;
  }

  // ---- Spans.

  /** One Span object; false when a list is corrupt. */
  private writeSpan(slot: number): boolean {
    const a = this.arena;
    this.put(SPAN_TRACE_ID);
    this.hex(a.spanTraceId, slot * 16, 16);
    this.put(SPAN_SPAN_ID);
    this.hex(a.spanSpanId, slot * 8, 8);
    this.byte(QUOTE);
    if (a.spanTraceStateLen[slot] !== 0) {
      this.put(SPAN_TRACE_STATE);
      this.string(a.spanTraceStatePtr[slot]!, a.spanTraceStateLen[slot]!);
    }
    // An all-zero parent id means "root": the field is omitted, as in protobuf.
    if (a.spanParentId32[slot * 2] !== 0 || a.spanParentId32[slot * 2 + 1] !== 0) {
      this.put(SPAN_PARENT_SPAN_ID);
      this.hex(a.spanParentId, slot * 8, 8);
      this.byte(QUOTE);
    }
    if (a.spanNameLen[slot] !== 0) {
      this.put(SPAN_NAME);
      this.string(a.spanNamePtr[slot]!, a.spanNameLen[slot]!);
    }
    if (a.spanKind[slot] !== 0) {
      this.put(SPAN_KIND);
      this.digits(a.spanKind[slot]!);
    }
    this.put(SPAN_START);
    this.nanos(a.spanStartMs[slot]!, a.spanStartNs[slot]!);
    this.put(SPAN_END);
    this.nanos(a.spanEndMs[slot]!, a.spanEndNs[slot]!);
    this.byte(QUOTE);
    if (!this.attributes(a.spanAttrHead[slot]!)) return false;
    this.count32(DROPPED_ATTRIBUTES, a.spanAttrDropped[slot]!);
    if (!this.events(a.spanEventHead[slot]!)) return false;
    this.count32(SPAN_DROPPED_EVENTS, a.spanEventDropped[slot]!);
    if (!this.links(a.spanLinkHead[slot]!)) return false;
    this.count32(SPAN_DROPPED_LINKS, a.spanLinkDropped[slot]!);
    const code = a.spanStatusCode[slot]!;
    const messageLen = a.spanStatusMsgLen[slot]!;
    if (code !== 0 || messageLen !== 0) {
      this.put(SPAN_STATUS);
      if (messageLen !== 0) {
        this.put(STATUS_MESSAGE);
        this.string(a.spanStatusMsgPtr[slot]!, messageLen);
        if (code !== 0) this.byte(COMMA);
      }
      if (code !== 0) {
        this.put(STATUS_CODE);
        this.digits(code);
      }
      this.byte(CLOSE_BRACE);
    }
    this.count32(FLAGS, a.spanFlags[slot]!);
    this.byte(CLOSE_BRACE);
    return true;
  }

  private events(head: number): boolean {
    if (head === 0) return true;
    const a = this.arena;
    const capacity = a.capacity.events;
    this.put(SPAN_EVENTS);
    let steps = 0;
    for (let id = head; id !== 0; id = a.eventNext[id]!) {
      if (id > capacity || ++steps > capacity) return false;
      if (steps > 1) this.byte(COMMA);
      this.put(EVENT_TIME);
      this.nanos(a.eventTimeMs[id]!, a.eventTimeNs[id]!);
      if (a.eventNameLen[id] !== 0) {
        this.put(EVENT_NAME);
        this.string(a.eventNamePtr[id]!, a.eventNameLen[id]!);
      } else {
        this.byte(QUOTE);
      }
      if (!this.attributes(a.eventAttrHead[id]!)) return false;
      this.count32(DROPPED_ATTRIBUTES, a.eventAttrDropped[id]!);
      this.byte(CLOSE_BRACE);
    }
    this.byte(CLOSE_BRACKET);
    return true;
  }

  private links(head: number): boolean {
    if (head === 0) return true;
    const a = this.arena;
    const capacity = a.capacity.links;
    this.put(SPAN_LINKS);
    let steps = 0;
    for (let id = head; id !== 0; id = a.linkNext[id]!) {
      if (id > capacity || ++steps > capacity) return false;
      if (steps > 1) this.byte(COMMA);
      this.put(LINK_TRACE_ID);
      this.hex(a.linkTraceId, id * 16, 16);
      this.put(SPAN_SPAN_ID);
      this.hex(a.linkSpanId, id * 8, 8);
      this.byte(QUOTE);
      if (a.linkTraceStateLen[id] !== 0) {
        this.put(SPAN_TRACE_STATE);
        this.string(a.linkTraceStatePtr[id]!, a.linkTraceStateLen[id]!);
      }
      if (!this.attributes(a.linkAttrHead[id]!)) return false;
      this.count32(DROPPED_ATTRIBUTES, a.linkAttrDropped[id]!);
      this.count32(FLAGS, a.linkFlags[id]!);
      this.byte(CLOSE_BRACE);
    }
    this.byte(CLOSE_BRACKET);
    return true;
  }

  /** `,"attributes":[KeyValue,...]` for a non-empty list; false when the list is corrupt. */
  private attributes(head: number): boolean {
    if (head === 0) return true;
    const a = this.arena;
    const capacity = a.capacity.attributes;
    this.put(ATTRIBUTES);
    let steps = 0;
    for (let id = head; id !== 0; id = a.attrNext[id]!) {
      if (id > capacity || ++steps > capacity) return false;
      if (steps > 1) this.byte(COMMA);
      this.put(KEY_VALUE_KEY);
      this.string(a.attrKeyPtr[id]!, a.attrKeyLen[id]!);
      if (a.attrKind[id] === KIND_ARRAY) {
        this.put(MEMBER_VALUE.array);
        let elementSteps = 0;
        for (let e = a.attrRefPtr[id]!; e !== 0; e = a.attrNext[e]!) {
          if (e > capacity || ++elementSteps > capacity) return false;
          if (elementSteps > 1) this.byte(COMMA);
          this.scalar(e, ELEMENT_VALUE);
        }
        this.put(ARRAY_CLOSE);
      } else {
        this.scalar(id, MEMBER_VALUE);
      }
      this.byte(CLOSE_BRACE);
    }
    this.byte(CLOSE_BRACKET);
    return true;
  }

  /** One scalar AnyValue, opened with `open`; a record of no known kind is `{}`. */
  private scalar(id: number, open: ValueOpeners): void {
    const a = this.arena;
    switch (a.attrKind[id]) {
      case KIND_STRING:
        this.put(open.string);
        this.string(a.attrRefPtr[id]!, a.attrRefLen[id]!);
        this.byte(CLOSE_BRACE);
        return;
      case KIND_BOOL:
        this.put(a.attrNum[id] !== 0 ? open.boolTrue : open.boolFalse);
        return;
      case KIND_INT: // stored only for integers in [-2^63, 2^63)
        this.put(open.int);
        this.int64(a.attrNum[id]!);
        this.byte(QUOTE);
        this.byte(CLOSE_BRACE);
        return;
      case KIND_DOUBLE:
        this.put(open.double);
        this.text(jsonDouble(a.attrNum[id]!));
        this.byte(CLOSE_BRACE);
        return;
      default:
        this.put(open.empty); // a null/undefined array element: an AnyValue with no value, as in protobuf
    }
  }

  // ---- Byte writer: room is checked once per piece (a constant, a number, an id, a whole string), never per byte.

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  private byte(b: number): void {
    if (this.pos >= this.buf.length) this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Constant bytes: a loop for the short ones, set() for the rest. */
  private put(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    if (n > SHORT_COPY_BYTES) {
      this.buf.set(bytes, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < n; i++) buf[at++] = bytes[i]!;
    this.pos = at;
  }

  /** An integer-valued double in int64 range, exactly: digits() while safe, BigInt's digits past 2^53. */
  private int64(value: number): void {
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.digits(value);
    } else if (value < 0 && value >= -Number.MAX_SAFE_INTEGER) {
      this.byte(0x2d); // '-'
      this.digits(-value);
    } else {
      // Past 2^53 String() gives the shortest round-trip digits (-2^63 prints as -9223372036854776000):
      // BigInt() of the double gives its exact value.
      this.text(BigInt(value).toString());
    }
  }

  /** ASCII text ("NaN", a double's digits). */
  private text(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.pos = at;
  }

  /**
   * Decimal digits of a non-negative safe integer, written straight into the buffer: String() allocates a string
   * per number, and a span has about ten of them (times, kind, counts, flags, integer attributes).
   */
  private digits(value: number): void {
    this.room(16); // 2^53 has 16 digits
    const buf = this.buf;
    let end = this.pos;
    let v = value;
    do {
      end++;
      v = Math.floor(v / 10);
    } while (v > 0);
    this.pos = end;
    v = value;
    do {
      const q = Math.floor(v / 10);
      buf[--end] = 0x30 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  private hex(bytes: Uint8Array, offset: number, len: number): void {
    this.room(len * 2);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < len; i++) {
      const b = bytes[offset + i]! * 2;
      buf[at++] = HEX[b]!;
      buf[at++] = HEX[b + 1]!;
    }
    this.pos = at;
  }

  /**
   * `"..."`: the UTF-8 string at [ptr, ptr + len) of linear memory, escaped as JSON.stringify escapes. The run
   * before the first byte that needs escaping (usually the whole string) is copied with set() when long enough.
   */
  private string(ptr: number, len: number): void {
    this.room(len * MAX_ESCAPED_BYTES_PER_BYTE + 2);
    let slot = -1;
    if (len > SHORT_COPY_BYTES) {
      slot = (Math.imul(ptr, 0x9e3779b1) >>> 22) & (STRING_CACHE_SLOTS - 1); // Fibonacci hash of the address
      if (this.cachePtr[slot] === ptr && this.cacheLen[slot] === len && this.cacheGeneration[slot] === this.generation) {
        const from = this.cacheAt[slot]!;
        const bytes = this.cacheBytes[slot]!;
        this.buf.copyWithin(this.pos, from, from + bytes);
        this.pos += bytes;
        return;
      }
    }
    const start = this.pos;
    this.escape(ptr, len);
    if (slot >= 0) {
      this.cachePtr[slot] = ptr;
      this.cacheLen[slot] = len;
      this.cacheAt[slot] = start;
      this.cacheBytes[slot] = this.pos - start;
      this.cacheGeneration[slot] = this.generation;
    }
  }

  /** The escaping itself (room already checked). */
  private escape(ptr: number, len: number): void {
    const buf = this.buf;
    const mem = this.mem;
    const end = ptr + len;
    let at = this.pos;
    buf[at++] = QUOTE;
    let i = ptr;
    if (len > SHORT_COPY_BYTES) {
      while (i < end && ESCAPE[mem[i]!] === 0) i++;
      buf.set(mem.subarray(ptr, i), at);
      at += i - ptr;
    }
    for (; i < end; i++) {
      const b = mem[i]!;
      const escape = ESCAPE[b]!;
      if (escape === 0) {
        buf[at++] = b;
      } else if (escape === 0x75) {
        buf[at++] = BACKSLASH; buf[at++] = 0x75; buf[at++] = 0x30; buf[at++] = 0x30; // \u00
        buf[at++] = HEX[b * 2]!; buf[at++] = HEX[b * 2 + 1]!;
      } else {
        buf[at++] = BACKSLASH;
        buf[at++] = escape;
      }
    }
    buf[at++] = QUOTE;
    this.pos = at;
  }

  /**
   * A column time (whole epoch ms + ns within that ms, both exact integers) as the decimal digits of its Unix
   * nanoseconds, exactly: ms digits then ns padded to 6, without a BigInt (ms * 1e6 passes 2^53 after 1970-04).
   * Anything else (negative, fractional) goes through BigInt and wraps to uint64 as the codec's fixed64 does.
   */
  private nanos(epochMs: number, ns: number): void {
    if (epochMs >= 1 && Number.isSafeInteger(epochMs) && Number.isInteger(ns) && ns >= 0 && ns < 1e6) {
      this.digits(epochMs);
      this.room(6);
      const buf = this.buf;
      let at = this.pos + 6;
      let v = ns;
      for (let i = 0; i < 6; i++) { // ns within the ms: always six digits, zero-padded
        const q = Math.floor(v / 10);
        buf[--at] = 0x30 + (v - q * 10);
        v = q;
      }
      this.pos += 6;
    } else if (epochMs === 0 && Number.isInteger(ns) && ns >= 0 && ns < 1e6) {
      this.digits(ns);
    } else {
      const whole = BigInt(Math.trunc(epochMs)) * 1000000n + BigInt(Math.trunc(ns));
      this.text(String(BigInt.asUintN(64, whole)));
    }
  }

  /** `<member>N` for a non-zero uint32 count or flags field (proto3 omits zero). */
  private count32(member: Uint8Array, value: number): void {
    if (value === 0) return;
    this.put(member);
    this.digits(value);
  }
}

/** `,"schemaUrl":"..."` or nothing for an empty URL. */
function schemaUrlMember(schemaUrl: string): string {
  return schemaUrl === '' ? '' : `,"schemaUrl":${JSON.stringify(schemaUrl)}`;
}
