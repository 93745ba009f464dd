// The span arena: every span, attribute, event and link lives in preallocated structure-of-arrays columns in
// the codec's linear memory (layout: src/codec/memory-layout.ts), so a span is a slot index plus a generation
// number and the codec reads spans without copying. Implements the data model of OTLP trace/v1 Span.
// Never allocates per span or per attribute (bar a new interned string), never throws: bad input is dropped
// and counted in `counters`.
import { diag } from '@opentelemetry/api';
import { type CodecInstance, ensureMemoryBytes } from '../codec/codec-instance.js';
import {
  type ArenaCapacity, type ColumnName, DEFAULT_CAPACITY, MAX_REQUEST_BYTES, type MemoryLayout, computeLayout,
  installColumns,
} from '../codec/memory-layout.js';
import {
  KIND_ARRAY, KIND_BOOL, KIND_DOUBLE, KIND_EMPTY, KIND_INT, KIND_INVALID, KIND_STRING, attributeKind, numberKind,
} from './attribute-kind.js';
import { ORIGIN_MS_INT, nowMs, splitRelMs } from './clock.js';
import { StringPool, recentIndex } from './string-pool.js';
import { encodeUtf8, maxUtf8Bytes } from './utf8.js';

/** OTLP Span.SpanKind values (the @opentelemetry/api SpanKind plus one). */
export const SpanKindCode = {
  UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5,
} as const;

/** OTLP Status.StatusCode values (the same numbers as @opentelemetry/api SpanStatusCode). */
export const StatusCodeValue = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Per-span limits (OTel SDK span limits); counts over them are dropped and reported on the wire. */
export interface ArenaLimits {
  attributeCount: number;
  eventCount: number;
  linkCount: number;
  attributePerEventCount: number;
  attributePerLinkCount: number;
  /** Max UTF-16 code units of a string value (never splitting a surrogate pair); Infinity = no limit. */
  attributeValueLength: number;
}

/** OTel defaults: 128 of each count, no value-length limit. */
export const DEFAULT_LIMITS: ArenaLimits = {
  attributeCount: 128, eventCount: 128, linkCount: 128,
  attributePerEventCount: 128, attributePerLinkCount: 128, attributeValueLength: Infinity,
};

/** What the arena dropped, sanitised or refused, by reason. Plain counters: read them, never reset them. */
export class ArenaCounters {
  spansStarted = 0;
  spansEnded = 0;
  spansFreed = 0;
  /** startSpan found no free slot: the span was not recorded. */
  spanSlotsExhausted = 0;
  /** A call with a handle whose slot was recycled (the span was exported or dropped). */
  staleHandleCalls = 0;
  /** A mutating call on a span that had already ended. */
  callsAfterEnd = 0;
  invalidNames = 0;
  invalidAttributes = 0;
  attributesOverLimit = 0;
  attributePoolFull = 0;
  valuesTruncated = 0;
  stringPoolFull = 0;
  eventsOverLimit = 0;
  eventPoolFull = 0;
  linksOverLimit = 0;
  linkPoolFull = 0;
  invalidLinks = 0;
  /** setEventAttribute()/setLinkAttribute() with an id that is not an event/link of that span. */
  invalidRecordIds = 0;
  /** setIds()/setParentContext() with ids that are not 32/16 hex digits or are all zero. */
  invalidIds = 0;
  invalidTimes = 0;
  invalidStatus = 0;
  scopesExhausted = 0;
  constantRegionFull = 0;
}

const STATE_FREE = 0;
const STATE_LIVE = 1;
const STATE_ENDED = 2;

/** Span.flags bits 8-9 (SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, _IS_REMOTE_MASK); bits 0-7 are W3C flags. */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;
const TRACE_FLAG_SAMPLED = 0x01;
/** openSpan() traceFlags: the parent's W3C flags for a local child, sampled for a root (startSpan()). */
const INHERIT_FLAGS = -1;
/**
 * Random bytes fetched per crypto.getRandomValues call: ~2,700 spans of ids (24 bytes each). Each call costs
 * ~1 µs plus the bytes; at 4 KiB it was 1.9 % of a canonical span's CPU profile.
 */
const RANDOM_POOL_BYTES = 65536;
/**
 * Attribute keys get stable ids (one Map lookup per attribute), so a key's bytes and its last value's bytes are
 * cached per pool half and a repeated value skips the pool's Map. 4096 distinct keys is far beyond any sane
 * schema; keys past it still work, through the slower string path.
 */
const MAX_KEY_IDS = 4096;
/** keyCache words per key id: the key's bytes, then its last string value's bytes (ptr, len, pool stamp). */
const KEY_CACHE_STRIDE = 8;
const K_KEY_PTR = 0;
const K_KEY_LEN = 1;
const K_KEY_STAMP = 2;
const K_VALUE_PTR = 3;
const K_VALUE_LEN = 4;
const K_VALUE_STAMP = 5;
/** Span slots at most: 2^23 slots already need 1.3 GiB of span columns alone (156 bytes a slot). */
const MAX_SPAN_SLOTS = 0x800000;
/** Slot generations stay small integers (V8 Smis): they wrap below 2^30. */
const GENERATION_MASK = 0x3fffffff;

type U32 = Uint32Array;

/**
 * Spans in structure-of-arrays columns. A span handle is (slot, generation): every mutating call checks the
 * generation, so a handle kept after its slot was recycled writes nothing. Record ids in the pools are 1-based.
 */
export class SpanArena {
  readonly capacity: ArenaCapacity;
  /** capacity.spans, read by every handle check (a field of the arena: one load, not two). */
  private readonly slotCount: number;
  readonly limits: ArenaLimits;
  // The limits as the hot path reads them: "no limit" (Infinity) becomes 2^30, a V8 small integer, so passing a
  // limit on never boxes a HeapNumber (an Infinity field passed to a call cost 16 bytes per string attribute).
  private readonly maxSpanAttributes: number;
  private readonly maxEvents: number;
  private readonly maxLinks: number;
  private readonly maxEventAttributes: number;
  private readonly maxLinkAttributes: number;
  private readonly maxValueUnits: number;
  readonly counters = new ArenaCounters();
  readonly layout: MemoryLayout;
  readonly strings: StringPool;
  private buffer!: ArrayBuffer;

  // Columns the codec reads (views over linear memory, re-created by refreshViews()).
  spanTraceId!: Uint8Array; spanSpanId!: Uint8Array; spanParentId!: Uint8Array;
  // The same id columns as 32-bit words (little-endian): ids are copied 4 bytes at a time.
  spanTraceId32!: U32; spanSpanId32!: U32; spanParentId32!: U32;
  spanFlags!: U32; spanKind!: U32; spanScope!: U32; spanNamePtr!: U32; spanNameLen!: U32;
  spanTraceStatePtr!: U32; spanTraceStateLen!: U32;
  // Times: whole ms since the Unix epoch + ns within that ms (see clock.ts).
  spanStartMs!: Float64Array; spanEndMs!: Float64Array; spanStartNs!: Float64Array; spanEndNs!: Float64Array;
  spanAttrHead!: U32; spanAttrDropped!: U32; spanEventHead!: U32; spanEventDropped!: U32;
  spanLinkHead!: U32; spanLinkDropped!: U32; spanStatusCode!: U32; spanStatusMsgPtr!: U32; spanStatusMsgLen!: U32;
  attrKeyPtr!: U32; attrKeyLen!: U32; attrKind!: U32; attrNum!: Float64Array;
  attrRefPtr!: U32; attrRefLen!: U32; attrNext!: U32;
  eventTimeMs!: Float64Array; eventTimeNs!: Float64Array; eventNamePtr!: U32; eventNameLen!: U32; eventAttrHead!: U32;
  eventAttrDropped!: U32; eventNext!: U32;
  linkTraceId!: Uint8Array; linkSpanId!: Uint8Array; linkTraceStatePtr!: U32; linkTraceStateLen!: U32;
  linkFlags!: U32; linkAttrHead!: U32; linkAttrDropped!: U32; linkNext!: U32;
  scopeBytesPtr!: U32; scopeBytesLen!: U32; scopeSchemaPtr!: U32; scopeSchemaLen!: U32;
  /** The slot list a processor hands to its exporter (u32 per span, in linear memory). */
  batchSlots!: U32;
  /** The slots of the request being encoded: BatchEncoder's own copy, so a batch's list is never changed. */
  encodeSlots!: U32;
  private memoryBytes!: Uint8Array;

  // Bookkeeping the codec never reads: plain JS typed arrays.
  private readonly spanGen: Int32Array;
  private readonly spanState: Uint8Array;
  private readonly spanStrMask: Uint8Array; // bit h: the span references string-pool half h
  private readonly spanKeyMask: Uint32Array; // bit (key id % 32): a span attribute with that key id is stored
  private readonly spanAttrTail: U32; private readonly spanAttrCount: U32;
  private readonly spanEventTail: U32; private readonly spanEventCount: U32;
  private readonly spanLinkTail: U32; private readonly spanLinkCount: U32;
  // The array-element attribute records a span owns (records of its attribute lists are only in those lists).
  private readonly spanOwnedHead: U32; private readonly spanOwnedTail: U32;
  private readonly attrOwnedNext: U32; // owner chain (the free list is chained by attrNext, as lists are)
  private readonly attrKeyStr: (string | undefined)[]; // keys as JS strings, for keys without a key id
  private readonly attrKeyId: Int32Array; // stable key id, or -1
  private readonly keyIds = new Map<string, number>();
  // Direct-mapped cache in front of keyIds: a repeated key costs a compare, not a hash lookup.
  private readonly recentKey: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined);
  private readonly recentKeyId = new Int32Array(64);
  /**
   * Per key id, KEY_CACHE_STRIDE words (see K_*): where the key's bytes and its last string value's bytes are in
   * the pool, stamped with the pool's half-switch count. One array: an attribute touches one base pointer and
   * one cache line for all six, not six arrays.
   */
  private readonly keyCache = new Int32Array(MAX_KEY_IDS * KEY_CACHE_STRIDE).fill(-1);
  private readonly lastValue: (string | undefined)[] = new Array<string | undefined>(MAX_KEY_IDS).fill(undefined);
  /** Where the last putKey()/cached string landed. */
  private refPtr = 0;
  private refLen = 0;
  private readonly eventAttrTail: U32; private readonly eventAttrCount: U32;
  private readonly linkAttrTail: U32; private readonly linkAttrCount: U32;
  private readonly eventOwner: Int32Array; // slot of the span an event belongs to (ids are checked against it)
  private readonly linkOwner: Int32Array;
  private readonly freeSlots: Int32Array;
  private freeSlotCount: number;
  private attrFreeHead = 1;
  private eventFreeHead = 1;
  private linkFreeHead = 1;
  // Records for resource/scope attributes: owned by nobody, freed right after they are encoded.
  private readonly constHead = new Uint32Array(1);
  private readonly constTail = new Uint32Array(1);
  private readonly constCount = new Uint32Array(1);
  private readonly constDropped = new Uint32Array(1);
  private constOwnedHead = 0;
  private constOwnedTail = 0;
  private constantsAt: number;
  private scopeCount = 0;
  private readonly scopeIds = new Map<string, number>();
  /** What addScope() was given, by scope id: for slow-path readers only. */
  readonly scopeInfo: { name: string; version: string; schemaUrl: string }[] = [];
  /** What setResource() was given: for slow-path readers only. */
  resourceInfo: { attributes: Readonly<Record<string, unknown>>; schemaUrl: string } = { attributes: {}, schemaUrl: '' };
  /** [whole epoch ms, ns] of the time being written. */
  private readonly time = new Float64Array(2);
  private readonly randomPool = new Uint8Array(RANDOM_POOL_BYTES);
  private readonly randomPool32 = new Uint32Array(this.randomPool.buffer);
  private randomPos = RANDOM_POOL_BYTES;
  /**
   * 16 scratch bytes for a trace id decided before its span exists (the tracer's sampler input). Passing this
   * exact array to startSpan() lets the copy go 4 bytes at a time.
   */
  readonly scratchTraceId = new Uint8Array(16);
  private readonly scratchTraceId32 = new Uint32Array(this.scratchTraceId.buffer);

  constructor(readonly codec: CodecInstance, capacity: Partial<ArenaCapacity> = {}, limits: Partial<ArenaLimits> = {}) {
    this.capacity = { ...DEFAULT_CAPACITY, ...capacity };
    // A request over the OTLP cap would be refused whole: bodies are split below it instead.
    this.capacity.batchBytes = Math.min(this.capacity.batchBytes, MAX_REQUEST_BYTES);
    // RecordingSpan keeps slot << 8 | trace flags in one V8 small integer.
    this.capacity.spans = Math.min(this.capacity.spans, MAX_SPAN_SLOTS);
    this.slotCount = this.capacity.spans;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.maxSpanAttributes = smallLimit(this.limits.attributeCount);
    this.maxEvents = smallLimit(this.limits.eventCount);
    this.maxLinks = smallLimit(this.limits.linkCount);
    this.maxEventAttributes = smallLimit(this.limits.attributePerEventCount);
    this.maxLinkAttributes = smallLimit(this.limits.attributePerLinkCount);
    this.maxValueUnits = smallLimit(this.limits.attributeValueLength);
    const cap = this.capacity;
    this.layout = computeLayout(codec.heapBase, cap, codec.exports);
    ensureMemoryBytes(codec.memory, this.layout.endPtr);
    installColumns(this.layout, cap, codec.memory, codec.exports);
    this.strings = new StringPool(codec.memory.buffer, this.layout.stringPoolPtr, cap.stringBytes);
    this.refreshViews();

    this.spanGen = new Int32Array(cap.spans).fill(1);
    this.spanState = new Uint8Array(cap.spans);
    this.spanStrMask = new Uint8Array(cap.spans);
    this.spanKeyMask = new Uint32Array(cap.spans);
    this.spanAttrTail = new Uint32Array(cap.spans);
    this.spanAttrCount = new Uint32Array(cap.spans);
    this.spanEventTail = new Uint32Array(cap.spans);
    this.spanEventCount = new Uint32Array(cap.spans);
    this.spanLinkTail = new Uint32Array(cap.spans);
    this.spanLinkCount = new Uint32Array(cap.spans);
    this.spanOwnedHead = new Uint32Array(cap.spans);
    this.spanOwnedTail = new Uint32Array(cap.spans);
    this.attrOwnedNext = new Uint32Array(cap.attributes + 1);
    this.attrKeyStr = new Array<string | undefined>(cap.attributes + 1).fill(undefined);
    this.attrKeyId = new Int32Array(cap.attributes + 1).fill(-1);
    this.eventAttrTail = new Uint32Array(cap.events + 1);
    this.eventAttrCount = new Uint32Array(cap.events + 1);
    this.linkAttrTail = new Uint32Array(cap.links + 1);
    this.linkAttrCount = new Uint32Array(cap.links + 1);
    this.eventOwner = new Int32Array(cap.events + 1).fill(-1);
    this.linkOwner = new Int32Array(cap.links + 1).fill(-1);
    // Free lists: records 1..N chained in order (0 ends a chain); slots popped from the top of a stack.
    for (let id = 1; id < cap.attributes; id++) this.attrNext[id] = id + 1;
    for (let id = 1; id < cap.events; id++) this.eventNext[id] = id + 1;
    for (let id = 1; id < cap.links; id++) this.linkNext[id] = id + 1;
    this.freeSlots = new Int32Array(cap.spans);
    for (let i = 0; i < cap.spans; i++) this.freeSlots[i] = cap.spans - 1 - i;
    this.freeSlotCount = cap.spans;
    this.constantsAt = this.layout.constantsPtr;
    this.setResource({});
  }

  /** Re-creates every view if linear memory was replaced (memory.grow detaches views); cheap when it was not. */
  refreshViews(): void {
    const buffer = this.codec.memory.buffer;
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    const cap = this.capacity;
    const col = this.layout.columns;
    const u32 = (name: ColumnName, count: number): U32 => new Uint32Array(buffer, col[name], count);
    const f64 = (name: ColumnName, count: number): Float64Array => new Float64Array(buffer, col[name], count);
    const u8 = (name: ColumnName, bytes: number): Uint8Array => new Uint8Array(buffer, col[name], bytes);
    const s = cap.spans;
    const a = cap.attributes + 1;
    const e = cap.events + 1;
    const l = cap.links + 1;
    this.spanTraceId = u8('spanTraceId', s * 16); this.spanSpanId = u8('spanSpanId', s * 8);
    this.spanParentId = u8('spanParentId', s * 8); this.spanFlags = u32('spanFlags', s);
    this.spanTraceId32 = u32('spanTraceId', s * 4); this.spanSpanId32 = u32('spanSpanId', s * 2);
    this.spanParentId32 = u32('spanParentId', s * 2);
    this.spanKind = u32('spanKind', s); this.spanScope = u32('spanScope', s);
    this.spanNamePtr = u32('spanNamePtr', s); this.spanNameLen = u32('spanNameLen', s);
    this.spanTraceStatePtr = u32('spanTraceStatePtr', s); this.spanTraceStateLen = u32('spanTraceStateLen', s);
    this.spanStartMs = f64('spanStartMs', s); this.spanEndMs = f64('spanEndMs', s);
    this.spanStartNs = f64('spanStartNs', s); this.spanEndNs = f64('spanEndNs', s);
    this.spanAttrHead = u32('spanAttrHead', s); this.spanAttrDropped = u32('spanAttrDropped', s);
    this.spanEventHead = u32('spanEventHead', s); this.spanEventDropped = u32('spanEventDropped', s);
    this.spanLinkHead = u32('spanLinkHead', s); this.spanLinkDropped = u32('spanLinkDropped', s);
    this.spanStatusCode = u32('spanStatusCode', s); this.spanStatusMsgPtr = u32('spanStatusMsgPtr', s);
    this.spanStatusMsgLen = u32('spanStatusMsgLen', s);
    this.attrKeyPtr = u32('attrKeyPtr', a); this.attrKeyLen = u32('attrKeyLen', a);
    this.attrKind = u32('attrKind', a); this.attrNum = f64('attrNum', a);
    this.attrRefPtr = u32('attrRefPtr', a); this.attrRefLen = u32('attrRefLen', a); this.attrNext = u32('attrNext', a);
    this.eventTimeMs = f64('eventTimeMs', e); this.eventTimeNs = f64('eventTimeNs', e);
    this.eventNamePtr = u32('eventNamePtr', e);
    this.eventNameLen = u32('eventNameLen', e); this.eventAttrHead = u32('eventAttrHead', e);
    this.eventAttrDropped = u32('eventAttrDropped', e); this.eventNext = u32('eventNext', e);
    this.linkTraceId = u8('linkTraceId', l * 16); this.linkSpanId = u8('linkSpanId', l * 8);
    this.linkTraceStatePtr = u32('linkTraceStatePtr', l); this.linkTraceStateLen = u32('linkTraceStateLen', l);
    this.linkFlags = u32('linkFlags', l); this.linkAttrHead = u32('linkAttrHead', l);
    this.linkAttrDropped = u32('linkAttrDropped', l); this.linkNext = u32('linkNext', l);
    this.scopeBytesPtr = u32('scopeBytesPtr', cap.scopes); this.scopeBytesLen = u32('scopeBytesLen', cap.scopes);
    this.scopeSchemaPtr = u32('scopeSchemaPtr', cap.scopes); this.scopeSchemaLen = u32('scopeSchemaLen', cap.scopes);
    this.batchSlots = new Uint32Array(buffer, this.layout.batchSlotsPtr, s);
    this.encodeSlots = new Uint32Array(buffer, this.layout.encodeSlotsPtr, s);
    this.memoryBytes = new Uint8Array(buffer);
    this.strings.refreshView(buffer);
  }

  // ---- Resource and scopes: encoded once, at configuration time.

  /**
   * Sets the Resource every batch carries: attributes are encoded once into the constants region.
   * Invalid attributes are dropped and counted, as on spans.
   */
  setResource(attributes: Readonly<Record<string, unknown>>, schemaUrl = ''): void {
    this.resourceInfo = { attributes, schemaUrl };
    const head = this.collectConstAttributes(attributes);
    const fieldPtr = this.constantsAt;
    let fieldLen = this.codec.exports.encodeResource(head, this.constDropped[0]!, fieldPtr, this.constantsLeft());
    if (fieldLen < 0) {
      this.counters.constantRegionFull++;
      fieldLen = this.codec.exports.encodeResource(0, 0, fieldPtr, this.constantsLeft());
    }
    this.releaseConstRecords();
    this.constantsAt += Math.max(fieldLen, 0);
    const schemaLen = this.putConstantString(schemaUrl);
    this.codec.exports.setResource(fieldPtr, Math.max(fieldLen, 0), this.constantsAt - schemaLen, schemaLen);
  }

  /**
   * Registers an instrumentation scope and returns its id for startSpan(), or -1 when the scope table is full.
   * The same (name, version, schemaUrl) without attributes returns the same id.
   */
  addScope(name: string, version = '', schemaUrl = '', attributes?: Readonly<Record<string, unknown>>): number {
    name = typeof name === 'string' ? name : '';
    version = typeof version === 'string' ? version : '';
    schemaUrl = typeof schemaUrl === 'string' ? schemaUrl : '';
    const key = attributes === undefined ? `${name}\u0000${version}\u0000${schemaUrl}` : undefined;
    if (key !== undefined) {
      const known = this.scopeIds.get(key);
      if (known !== undefined) return known;
    }
    if (this.scopeCount >= this.capacity.scopes) {
      this.counters.scopesExhausted++;
      return -1;
    }
    const id = this.scopeCount++;
    const head = this.collectConstAttributes(attributes ?? {});
    const strings = this.strings;
    const nameOk = typeof name === 'string' && strings.put(name, Infinity);
    const namePtr = nameOk ? strings.lastPtr : 0;
    const nameLen = nameOk ? strings.lastLen : 0;
    const versionOk = typeof version === 'string' && strings.put(version, Infinity);
    const fieldPtr = this.constantsAt;
    let fieldLen = this.codec.exports.encodeScope(
      namePtr, nameLen, versionOk ? strings.lastPtr : 0, versionOk ? strings.lastLen : 0,
      head, this.constDropped[0]!, fieldPtr, this.constantsLeft(),
    );
    if (fieldLen < 0) {
      this.counters.constantRegionFull++;
      fieldLen = 0;
    }
    this.releaseConstRecords();
    this.constantsAt += fieldLen;
    this.scopeBytesPtr[id] = fieldPtr;
    this.scopeBytesLen[id] = fieldLen;
    const schemaLen = this.putConstantString(typeof schemaUrl === 'string' ? schemaUrl : '');
    this.scopeSchemaPtr[id] = this.constantsAt - schemaLen;
    this.scopeSchemaLen[id] = schemaLen;
    if (key !== undefined) this.scopeIds.set(key, id);
    this.scopeInfo[id] = { name: String(name), version: String(version), schemaUrl: String(schemaUrl) };
    return id;
  }

  // ---- Span lifecycle.

  /**
   * Starts a span and returns its slot, or -1 when every slot is in use (counted in spanSlotsExhausted).
   * parentSlot >= 0 makes it a child of that (local) span: same trace id, trace state and trace flags;
   * -1 starts a new trace, sampled, whose trace id is copied from traceIdBytes[traceIdOffset..+16) when given
   * (the id a sampler already decided on) or is random.
   */
  startSpan(scope: number, name: string, kind: number, startMs: number, parentSlot = -1,
    traceIdBytes?: Uint8Array, traceIdOffset = 0): number {
    const slot = this.openSpan(scope, name, kind, parentSlot, INHERIT_FLAGS, traceIdBytes, traceIdOffset);
    if (slot >= 0) {
      splitRelMs(this.sanitizeTime(startMs), this.time);
      this.writeStartTime(slot);
    }
    return slot;
  }

  /**
   * startSpan() as the tracer calls it: at the clock's now, read here (a time passed in from a call V8 did not
   * inline is a boxed 16-byte HeapNumber, see endSpanNow()), with the span's own W3C trace flags (0-255) set in
   * the same store, whatever the parent's. traceIdBytes: scratchTraceId, or undefined for a random trace id.
   */
  startSpanNow(scope: number, name: string, kind: number, parentSlot: number, traceFlags: number,
    traceIdBytes: Uint8Array | undefined): number {
    const slot = this.openSpan(scope, name, kind, parentSlot, traceFlags & 0xff, traceIdBytes, 0);
    if (slot >= 0) {
      splitRelMs(nowMs(), this.time);
      this.writeStartTime(slot);
    }
    return slot;
  }

  /** Takes a slot and writes everything of a new span but its start time; traceFlags: a byte or INHERIT_FLAGS. */
  private openSpan(scope: number, name: string, kind: number, parentSlot: number, traceFlags: number,
    traceIdBytes: Uint8Array | undefined, traceIdOffset: number): number {
    if (!isIndex(scope, 0, this.scopeCount)) {
      this.counters.scopesExhausted++;
      return -1;
    }
    if (this.freeSlotCount === 0) {
      this.counters.spanSlotsExhausted++;
      return -1;
    }
    // Decide on the parent before taking a slot: the slot handed out may be the (free) one named as parent.
    const parentState = typeof parentSlot === 'number' ? this.spanState[parentSlot] : undefined;
    const hasParent = parentState !== undefined && parentState !== STATE_FREE;
    const slot = this.freeSlots[--this.freeSlotCount]!;
    this.spanState[slot] = STATE_LIVE;
    // Lists, counts, status, trace state and the string mask are already zero: freeSpan() clears them (off the
    // caller's path, in the export task), and a slot never used is zero from the start.
    this.spanScope[slot] = scope;
    this.spanKind[slot] = isIndex(kind, 0, 6) ? kind : SpanKindCode.INTERNAL;
    const traceIds = this.spanTraceId32;
    if (hasParent) {
      const t = slot * 4;
      const p = parentSlot * 4;
      traceIds[t] = traceIds[p]!; traceIds[t + 1] = traceIds[p + 1]!;
      traceIds[t + 2] = traceIds[p + 2]!; traceIds[t + 3] = traceIds[p + 3]!;
      this.spanParentId32[slot * 2] = this.spanSpanId32[parentSlot * 2]!;
      this.spanParentId32[slot * 2 + 1] = this.spanSpanId32[parentSlot * 2 + 1]!;
      this.spanFlags[slot] = (traceFlags === INHERIT_FLAGS ? this.spanFlags[parentSlot]! & 0xff : traceFlags) |
        FLAG_HAS_IS_REMOTE;
      const stateLen = this.spanTraceStateLen[parentSlot]!;
      if (stateLen !== 0) {
        this.spanTraceStatePtr[slot] = this.spanTraceStatePtr[parentSlot]!;
        this.spanTraceStateLen[slot] = stateLen;
        this.markHalf(slot, this.strings.halfOf(this.spanTraceStatePtr[slot]!));
      }
      this.randomWords(this.spanSpanId32, slot * 2, 2);
    } else {
      if (traceIdBytes === undefined) {
        this.randomRootIds(slot);
      } else {
        if (traceIdBytes === this.scratchTraceId && traceIdOffset === 0) {
          const scratch = this.scratchTraceId32;
          const t = slot * 4;
          traceIds[t] = scratch[0]!; traceIds[t + 1] = scratch[1]!; traceIds[t + 2] = scratch[2]!;
          traceIds[t + 3] = scratch[3]!;
        } else {
          const ids = this.spanTraceId;
          for (let i = 0; i < 16; i++) ids[slot * 16 + i] = traceIdBytes[traceIdOffset + i]!;
        }
        this.randomWords(this.spanSpanId32, slot * 2, 2);
      }
      this.spanParentId32[slot * 2] = 0;
      this.spanParentId32[slot * 2 + 1] = 0;
      this.spanFlags[slot] = (traceFlags === INHERIT_FLAGS ? TRACE_FLAG_SAMPLED : traceFlags) | FLAG_HAS_IS_REMOTE;
    }
    this.counters.spansStarted++;
    this.writeName(slot, name, true);
    return slot;
  }

  /** A new span's start time (and its end, until end()) from this.time. */
  private writeStartTime(slot: number): void {
    const time = this.time;
    this.spanStartMs[slot] = time[0]!;
    this.spanStartNs[slot] = time[1]!;
    this.spanEndMs[slot] = time[0]!;
    this.spanEndNs[slot] = time[1]!;
  }

  /** The generation of a slot: pair it with the slot as the span's handle. */
  generationOf(slot: number): number {
    return this.spanGen[slot]!;
  }

  /** True while the handle names a span that has not ended. */
  isLive(slot: number, gen: number): boolean {
    return this.spanGen[slot] === gen && this.spanState[slot] === STATE_LIVE;
  }

  /**
   * Makes the span a child of a remote (or otherwise non-arena) parent given as W3C hex ids.
   * Invalid ids are ignored and counted (the span keeps its own new trace).
   */
  setParentContext(
    slot: number, gen: number, traceIdHex: string, parentSpanIdHex: string,
    traceFlags: number, isRemote: boolean, traceState = '',
  ): boolean {
    if (!this.writable(slot, gen)) return false;
    if (!validHexId(traceIdHex, 32) || !validHexId(parentSpanIdHex, 16)) {
      this.counters.invalidIds++;
      return false;
    }
    writeHex(traceIdHex, this.spanTraceId, slot * 16);
    writeHex(parentSpanIdHex, this.spanParentId, slot * 8);
    this.spanFlags[slot] = flagsByte(traceFlags) | FLAG_HAS_IS_REMOTE | (isRemote === true ? FLAG_IS_REMOTE : 0);
    this.spanTraceStateLen[slot] = 0;
    if (typeof traceState === 'string' && traceState.length > 0 && this.putString(slot, traceState, Infinity)) {
      this.spanTraceStatePtr[slot] = this.strings.lastPtr;
      this.spanTraceStateLen[slot] = this.strings.lastLen;
    }
    return true;
  }

  /**
   * Replaces the span's own trace id and span id (a custom IdGenerator, or deterministic tests).
   * Invalid or all-zero ids are refused and counted in invalidIds.
   */
  setIds(slot: number, gen: number, traceIdHex: string, spanIdHex: string): boolean {
    if (!this.writable(slot, gen)) return false;
    if (!validHexId(traceIdHex, 32) || !validHexId(spanIdHex, 16)) {
      this.counters.invalidIds++;
      return false;
    }
    writeHex(traceIdHex, this.spanTraceId, slot * 16);
    writeHex(spanIdHex, this.spanSpanId, slot * 8);
    return true;
  }

  /** Replaces the span's W3C tracestate header value ('' clears it). */
  setTraceState(slot: number, gen: number, traceState: string): boolean {
    if (!this.writable(slot, gen)) return false;
    this.spanTraceStateLen[slot] = 0;
    if (typeof traceState === 'string' && traceState.length > 0 && this.putString(slot, traceState, Infinity)) {
      this.spanTraceStatePtr[slot] = this.strings.lastPtr;
      this.spanTraceStateLen[slot] = this.strings.lastLen;
    }
    return true;
  }

  /** Sets W3C trace flags (bits 0-7) keeping the remote-parent bits. */
  setTraceFlags(slot: number, gen: number, traceFlags: number): boolean {
    if (!this.writable(slot, gen)) return false;
    this.spanFlags[slot] = (this.spanFlags[slot]! & ~0xff) | flagsByte(traceFlags);
    return true;
  }

  /** Renames a live span. A non-string name is counted and leaves the name unchanged. */
  updateName(slot: number, gen: number, name: string): boolean {
    if (!this.writable(slot, gen)) return false;
    if (typeof name !== 'string') {
      this.counters.invalidNames++;
      return false;
    }
    return this.writeName(slot, name, false);
  }

  /** Sets (or replaces, by key) one span attribute. Returns whether it was stored. */
  setAttribute(slot: number, gen: number, key: string, value: unknown): boolean {
    // The common call in one step: a live span, a key new on it (its key-mask bit is clear) and under the limit.
    if (typeof slot === 'number' && this.spanGen[slot] === gen && this.spanState[slot] === STATE_LIVE) {
      const keyId = this.fastKeyId(key);
      if (keyId >= 0 && (this.spanKeyMask[slot]! & (1 << (keyId & 31))) === 0 &&
        this.spanAttrCount[slot]! < this.maxSpanAttributes) {
        const id = this.fastRecord(slot, keyId, value);
        if (id !== 0) {
          this.appendAttr(this.spanAttrHead, this.spanAttrTail, this.spanAttrCount, slot, id);
          this.spanKeyMask[slot]! |= 1 << (keyId & 31);
          return true;
        }
      }
    }
    if (!this.writable(slot, gen)) return false;
    return this.putAttribute(slot, this.spanAttrHead, this.spanAttrTail, this.spanAttrCount, this.spanAttrDropped,
      slot, this.maxSpanAttributes, key, value, this.spanKeyMask);
  }

  /**
   * Sets a live span's start time exactly: whole ms since the Unix epoch and ns within it (an explicit startTime,
   * which ms since the time origin could not hold to the nanosecond years away). Invalid times are counted.
   */
  setStartTime(slot: number, gen: number, epochMs: number, ns: number): boolean {
    if (!this.writable(slot, gen)) return false;
    if (!validEpochTime(epochMs, ns)) {
      this.counters.invalidTimes++;
      return false;
    }
    this.spanStartMs[slot] = epochMs;
    this.spanStartNs[slot] = ns;
    this.spanEndMs[slot] = epochMs;
    this.spanEndNs[slot] = ns;
    return true;
  }

  /** Adds an event; returns its record id (for setEventAttribute) or -1 if dropped (counted on the wire too). */
  addEvent(slot: number, gen: number, name: string, timeMs: number,
    attributes?: Readonly<Record<string, unknown>>): number {
    return this.addEventAt(slot, gen, name, timeMs, NaN, NaN, attributes);
  }

  /**
   * addEvent() with an exact time (whole epoch ms + ns within it) when epochMs is a number; else at timeMs (ms
   * since the time origin).
   */
  addEventAt(slot: number, gen: number, name: string, timeMs: number, epochMs: number, ns: number,
    attributes?: Readonly<Record<string, unknown>>): number {
    if (!this.writable(slot, gen)) return -1;
    if (!this.eventRoomFor(slot)) return -1;
    this.resolveTime(timeMs, epochMs, ns);
    return this.appendEvent(slot, gen, name, attributes);
  }

  /** addEvent() at the clock's now, read here (see endSpanNow()). */
  addEventNow(slot: number, gen: number, name: string, attributes?: Readonly<Record<string, unknown>>): number {
    if (!this.writable(slot, gen) || !this.eventRoomFor(slot)) return -1;
    splitRelMs(nowMs(), this.time);
    return this.appendEvent(slot, gen, name, attributes);
  }

  /** Whether the span may take one more event and a record is free; else counts the drop. */
  private eventRoomFor(slot: number): boolean {
    if (this.spanEventCount[slot]! >= this.maxEvents) {
      this.spanEventDropped[slot]!++;
      this.counters.eventsOverLimit++;
      return false;
    }
    if (this.eventFreeHead === 0) {
      this.spanEventDropped[slot]!++;
      this.counters.eventPoolFull++;
      return false;
    }
    return true;
  }

  /** Takes the event record eventRoomFor() found, at this.time, and chains it to the span. */
  private appendEvent(slot: number, gen: number, name: string,
    attributes: Readonly<Record<string, unknown>> | undefined): number {
    const id = this.eventFreeHead;
    this.eventFreeHead = this.eventNext[id]!;
    this.eventNext[id] = 0;
    this.eventOwner[id] = slot;
    this.eventTimeMs[id] = this.time[0]!;
    this.eventTimeNs[id] = this.time[1]!;
    // Its attribute list, count and dropped count are already zero: freeSpan() clears them (as for span slots).
    this.eventNameLen[id] = 0;
    if (typeof name !== 'string') this.counters.invalidNames++;
    else if (this.putString(slot, name, Infinity)) {
      this.eventNamePtr[id] = this.strings.lastPtr;
      this.eventNameLen[id] = this.strings.lastLen;
    }
    if (this.spanEventHead[slot] === 0) this.spanEventHead[slot] = id;
    else this.eventNext[this.spanEventTail[slot]!] = id;
    this.spanEventTail[slot] = id;
    this.spanEventCount[slot]!++;
    if (attributes !== undefined && attributes !== null && typeof attributes === 'object') {
      for (const key in attributes) {
        if (Object.hasOwn(attributes, key)) this.addEventAttribute(slot, gen, id, key, attributes[key]);
      }
    }
    return id;
  }

  /** setEventAttribute() for addEvent()'s own event: the common attribute in one step (see setAttribute()). */
  private addEventAttribute(slot: number, gen: number, eventId: number, key: string, value: unknown): void {
    // Re-checked per attribute: a getter in the attributes object may have ended the span.
    if (this.spanGen[slot] === gen && this.spanState[slot] === STATE_LIVE) {
      const keyId = this.fastKeyId(key);
      if (keyId >= 0 && this.eventAttrCount[eventId]! < this.maxEventAttributes &&
        !this.listHasKeyId(this.eventAttrHead[eventId]!, keyId)) {
        const id = this.fastRecord(slot, keyId, value);
        if (id !== 0) {
          this.appendAttr(this.eventAttrHead, this.eventAttrTail, this.eventAttrCount, eventId, id);
          return;
        }
      }
    }
    this.setEventAttribute(slot, gen, eventId, key, value);
  }

  /** Sets one attribute of an event returned by addEvent() on the same live span. */
  setEventAttribute(slot: number, gen: number, eventId: number, key: string, value: unknown): boolean {
    if (!this.writable(slot, gen)) return false;
    if (!isIndex(eventId, 1, this.capacity.events + 1) || this.eventOwner[eventId] !== slot) {
      this.counters.invalidRecordIds++;
      return false;
    }
    return this.putAttribute(slot, this.eventAttrHead, this.eventAttrTail, this.eventAttrCount, this.eventAttrDropped,
      eventId, this.maxEventAttributes, key, value);
  }

  /**
   * Adds a link to another span context given as W3C hex ids; returns its record id or -1 if dropped.
   * Invalid or all-zero ids are refused (invalidLinks), as the OTel spec asks.
   */
  addLink(slot: number, gen: number, traceIdHex: string, spanIdHex: string, traceFlags: number,
    isRemote: boolean, traceState = '', attributes?: Readonly<Record<string, unknown>>): number {
    if (!this.writable(slot, gen)) return -1;
    if (!validHexId(traceIdHex, 32) || !validHexId(spanIdHex, 16)) {
      this.counters.invalidLinks++;
      return -1;
    }
    if (this.spanLinkCount[slot]! >= this.maxLinks) {
      this.spanLinkDropped[slot]!++;
      this.counters.linksOverLimit++;
      return -1;
    }
    const id = this.linkFreeHead;
    if (id === 0) {
      this.spanLinkDropped[slot]!++;
      this.counters.linkPoolFull++;
      return -1;
    }
    this.linkFreeHead = this.linkNext[id]!;
    this.linkNext[id] = 0;
    this.linkOwner[id] = slot;
    writeHex(traceIdHex, this.linkTraceId, id * 16);
    writeHex(spanIdHex, this.linkSpanId, id * 8);
    this.linkFlags[id] = flagsByte(traceFlags) | FLAG_HAS_IS_REMOTE | (isRemote === true ? FLAG_IS_REMOTE : 0);
    this.linkTraceStateLen[id] = 0;
    if (typeof traceState === 'string' && traceState.length > 0 && this.putString(slot, traceState, Infinity)) {
      this.linkTraceStatePtr[id] = this.strings.lastPtr;
      this.linkTraceStateLen[id] = this.strings.lastLen;
    }
    // Its attribute list, count and dropped count are already zero: freeSpan() clears them.
    if (this.spanLinkHead[slot] === 0) this.spanLinkHead[slot] = id;
    else this.linkNext[this.spanLinkTail[slot]!] = id;
    this.spanLinkTail[slot] = id;
    this.spanLinkCount[slot]!++;
    if (attributes !== undefined && attributes !== null && typeof attributes === 'object') {
      for (const key in attributes) {
        if (Object.hasOwn(attributes, key)) this.setLinkAttribute(slot, gen, id, key, attributes[key]);
      }
    }
    return id;
  }

  /** Sets one attribute of a link returned by addLink() on the same live span. */
  setLinkAttribute(slot: number, gen: number, linkId: number, key: string, value: unknown): boolean {
    if (!this.writable(slot, gen)) return false;
    if (!isIndex(linkId, 1, this.capacity.links + 1) || this.linkOwner[linkId] !== slot) {
      this.counters.invalidRecordIds++;
      return false;
    }
    return this.putAttribute(slot, this.linkAttrHead, this.linkAttrTail, this.linkAttrCount, this.linkAttrDropped,
      linkId, this.maxLinkAttributes, key, value);
  }

  /**
   * Sets the status per the OTel API: UNSET is ignored, OK is final, a message is kept only with ERROR.
   */
  setStatus(slot: number, gen: number, code: number, message?: string): boolean {
    if (!this.writable(slot, gen)) return false;
    if (code !== StatusCodeValue.OK && code !== StatusCodeValue.ERROR) {
      if (code !== StatusCodeValue.UNSET) this.counters.invalidStatus++;
      return false;
    }
    if (this.spanStatusCode[slot] === StatusCodeValue.OK) return false;
    this.spanStatusCode[slot] = code;
    this.spanStatusMsgLen[slot] = 0;
    if (code === StatusCodeValue.ERROR && typeof message === 'string' && message.length > 0 &&
      this.putString(slot, message, Infinity)) {
      this.spanStatusMsgPtr[slot] = this.strings.lastPtr;
      this.spanStatusMsgLen[slot] = this.strings.lastLen;
    }
    return true;
  }

  /** Ends a live span at endMs (ms since the time origin; clamped to its start). Later calls are no-ops. */
  endSpan(slot: number, gen: number, endMs: number): boolean {
    return this.endSpanAt(slot, gen, endMs, NaN, NaN);
  }

  /** endSpan() with an exact end time (whole epoch ms + ns within it) when epochMs is a number. */
  endSpanAt(slot: number, gen: number, endMs: number, epochMs: number, ns: number): boolean {
    if (!this.writable(slot, gen)) return false;
    this.resolveTime(endMs, epochMs, ns);
    this.closeSpan(slot);
    return true;
  }

  /**
   * endSpan() at the clock's now. The clock is read here, not by the caller: a time passed between functions V8
   * did not inline is a boxed HeapNumber (16 bytes), on top of the one performance.now() itself returns.
   */
  endSpanNow(slot: number, gen: number): boolean {
    if (!this.writable(slot, gen)) return false;
    splitRelMs(nowMs(), this.time);
    this.closeSpan(slot);
    return true;
  }

  /** Ends a live span at this.time (clamped to its start). */
  private closeSpan(slot: number): void {
    const endWholeMs = this.time[0]!;
    const endNs = this.time[1]!;
    const startWholeMs = this.spanStartMs[slot]!;
    const startNs = this.spanStartNs[slot]!;
    if (endWholeMs < startWholeMs || (endWholeMs === startWholeMs && endNs < startNs)) { // clamp to the start
      this.spanEndMs[slot] = startWholeMs;
      this.spanEndNs[slot] = startNs;
    } else {
      this.spanEndMs[slot] = endWholeMs;
      this.spanEndNs[slot] = endNs;
    }
    this.spanState[slot] = STATE_ENDED;
    this.counters.spansEnded++;
  }

  /** Returns a span's slot and records to their pools; every handle to it goes stale. Idempotent. */
  freeSpan(slot: number): void {
    // Anything but a slot index reads undefined: one load and compare instead of an index check.
    const state = typeof slot === 'number' ? this.spanState[slot] : undefined;
    if (state === undefined || state === STATE_FREE) return;
    const ownedHead = this.spanOwnedHead[slot]!;
    if (ownedHead !== 0) {
      this.releaseOwned(ownedHead);
      this.spanOwnedHead[slot] = 0;
    }
    // Records in the span's, its events' and its links' attribute lists are on no owner chain (takeAttr()): each
    // list goes back whole, its tail linked to the free list (2 accesses per list, not 2 per record).
    // A freed event or link belongs to no span: an id kept from it can no longer take attributes.
    const attrHead = this.spanAttrHead[slot]!;
    if (attrHead !== 0) this.releaseList(attrHead, this.spanAttrTail[slot]!);
    // Event and link records go back with empty attribute lists, so addEvent()/addLink() need not clear them.
    this.releaseRecordLists(this.spanEventHead[slot]!, this.eventNext, this.eventAttrHead, this.eventAttrTail,
      this.eventAttrCount, this.eventAttrDropped, this.eventOwner);
    this.releaseRecordLists(this.spanLinkHead[slot]!, this.linkNext, this.linkAttrHead, this.linkAttrTail,
      this.linkAttrCount, this.linkAttrDropped, this.linkOwner);
    // Clear what startSpan() relies on being zero, list by list only when the list is not empty (a count is
    // non-zero only with a record in the list). Tails are never cleared: a list's first append sets its tail.
    const eventHead = this.spanEventHead[slot]!;
    if (eventHead !== 0) {
      this.eventNext[this.spanEventTail[slot]!] = this.eventFreeHead;
      this.eventFreeHead = eventHead;
      this.spanEventHead[slot] = 0; this.spanEventCount[slot] = 0;
    }
    const linkHead = this.spanLinkHead[slot]!;
    if (linkHead !== 0) {
      this.linkNext[this.spanLinkTail[slot]!] = this.linkFreeHead;
      this.linkFreeHead = linkHead;
      this.spanLinkHead[slot] = 0; this.spanLinkCount[slot] = 0;
    }
    const mask = this.spanStrMask[slot]!;
    if (mask !== 0) {
      if ((mask & 1) !== 0) this.strings.halfRefs[0]!--;
      if ((mask & 2) !== 0) this.strings.halfRefs[1]!--;
      this.spanStrMask[slot] = 0;
    }
    if (this.spanAttrHead[slot] !== 0) {
      this.spanAttrHead[slot] = 0; this.spanAttrCount[slot] = 0;
      this.spanKeyMask[slot] = 0;
    }
    // Drop counts can be non-zero with an empty list (a limit of 0, a full pool): always cleared.
    this.spanAttrDropped[slot] = 0; this.spanEventDropped[slot] = 0; this.spanLinkDropped[slot] = 0;
    this.spanStatusCode[slot] = 0; this.spanStatusMsgLen[slot] = 0;
    this.spanTraceStateLen[slot] = 0;
    this.spanState[slot] = STATE_FREE;
    this.spanGen[slot] = (this.spanGen[slot]! + 1) & GENERATION_MASK || 1;
    this.freeSlots[this.freeSlotCount++] = slot;
    this.counters.spansFreed++;
  }

  /** Slots in use (live or ended, not yet freed). */
  get usedSlots(): number {
    return this.capacity.spans - this.freeSlotCount;
  }

  /** True once endSpan() ran and until freeSpan(). */
  isEnded(slot: number): boolean {
    return this.spanState[slot] === STATE_ENDED;
  }

  // ---- Slow-path readers (tests, spanContext()): these allocate strings.

  /** The UTF-8 string at [ptr, ptr + len) of linear memory. */
  readString(ptr: number, len: number): string {
    return len === 0 ? '' : textDecoder.decode(this.memoryBytes.subarray(ptr, ptr + len));
  }

  /** Whether the slot holds a span (live or ended) with this generation. */
  holds(slot: number, gen: number): boolean {
    return this.spanGen[slot] === gen && this.spanState[slot] !== STATE_FREE;
  }

  traceIdHex(slot: number): string { return toHex(this.spanTraceId, slot * 16, 16); }
  spanIdHex(slot: number): string { return toHex(this.spanSpanId, slot * 8, 8); }
  parentSpanIdHex(slot: number): string { return toHex(this.spanParentId, slot * 8, 8); }
  flagsOf(slot: number): number { return this.spanFlags[slot]!; }

  // ---- Internals.

  private writable(slot: number, gen: number): boolean {
    // A live span's handle in one step: a number that is not a slot index reads undefined from both columns.
    if (typeof slot === 'number' && this.spanGen[slot] === gen && this.spanState[slot] === STATE_LIVE) return true;
    return this.refuse(slot, gen);
  }

  /** writable() for a handle that is not a live span's: counted (and warned about once), false. */
  private refuse(slot: number, gen: number): boolean {
    if (!isIndex(slot, 0, this.slotCount) || this.spanGen[slot] !== gen) {
      if (this.counters.staleHandleCalls++ === 0) {
        diag.warn('spanwire: a span was used after it was exported; the call was ignored (further such calls are ' +
          'only counted in stats().arena.staleHandleCalls)');
      }
      return false;
    }
    if (this.spanState[slot] !== STATE_LIVE) {
      if (this.counters.callsAfterEnd++ === 0) {
        diag.warn('spanwire: a span was changed after end(); the call was ignored (further such calls are only ' +
          'counted in stats().arena.callsAfterEnd)');
      }
      return false;
    }
    return true;
  }

  /** Sets the name; when it cannot be stored, a new span gets '' and a rename keeps the previous name. */
  private writeName(slot: number, name: string, isNew: boolean): boolean {
    if (typeof name !== 'string') {
      this.counters.invalidNames++;
      if (isNew) this.spanNameLen[slot] = 0;
      return false;
    }
    if (!this.putString(slot, name, Infinity)) {
      if (isNew) this.spanNameLen[slot] = 0;
      return false;
    }
    this.spanNamePtr[slot] = this.strings.lastPtr;
    this.spanNameLen[slot] = this.strings.lastLen;
    return true;
  }


  /** Writes [epoch ms, ns] into this.time: the exact pair when epochMs is a number, else timeMs split. */
  private resolveTime(timeMs: number, epochMs: number, ns: number): void {
    if (epochMs === epochMs) { // not NaN: an exact time was given
      if (validEpochTime(epochMs, ns)) {
        this.time[0] = epochMs;
        this.time[1] = ns;
        return;
      }
      this.counters.invalidTimes++;
      splitRelMs(nowMs(), this.time);
      return;
    }
    splitRelMs(this.sanitizeTime(timeMs), this.time);
  }

  private sanitizeTime(ms: number): number {
    // NaN and ±Infinity fail both comparisons; so do times before 1970 or past what fixed64 ns can hold.
    if (typeof ms === 'number' && ms + ORIGIN_MS_INT >= 0 && ms + ORIGIN_MS_INT < MAX_EPOCH_MS) return ms;
    this.counters.invalidTimes++;
    return nowMs();
  }

  /** Sets scratchTraceId from 4 little-endian 32-bit words (a local parent's trace id, kept in its Span). */
  setScratchTraceIdWords(w0: number, w1: number, w2: number, w3: number): void {
    const scratch = this.scratchTraceId32;
    scratch[0] = w0; scratch[1] = w1; scratch[2] = w2; scratch[3] = w3;
  }

  /** Fills scratchTraceId with a new random trace id. */
  randomScratchTraceId(): void {
    this.randomWords(this.scratchTraceId32, 0, 4);
  }

  /**
   * A root's trace id and span id: 6 words taken from the pool in one step (one bounds check and one position
   * update, where two randomWords() calls made two of each). An all-zero id (2^-64 per span id) is drawn again.
   */
  private randomRootIds(slot: number): void {
    if (this.randomPos + 24 > RANDOM_POOL_BYTES) {
      crypto.getRandomValues(this.randomPool);
      this.randomPos = 0;
    }
    const pool = this.randomPool32;
    const at = this.randomPos >> 2;
    this.randomPos += 24;
    const t0 = pool[at]!; const t1 = pool[at + 1]!; const t2 = pool[at + 2]!; const t3 = pool[at + 3]!;
    const s0 = pool[at + 4]!; const s1 = pool[at + 5]!;
    const t = slot * 4;
    const traceIds = this.spanTraceId32;
    traceIds[t] = t0; traceIds[t + 1] = t1; traceIds[t + 2] = t2; traceIds[t + 3] = t3;
    this.spanSpanId32[slot * 2] = s0;
    this.spanSpanId32[slot * 2 + 1] = s1;
    if ((t0 | t1 | t2 | t3) === 0) this.randomWords(traceIds, t, 4);
    if ((s0 | s1) === 0) this.randomWords(this.spanSpanId32, slot * 2, 2);
  }

  /** Copies `words` random 32-bit words to target[index...] (never all zero: an all-zero id is invalid). */
  private randomWords(target: U32, index: number, words: number): void {
    for (;;) {
      if (this.randomPos + words * 4 > RANDOM_POOL_BYTES) {
        crypto.getRandomValues(this.randomPool);
        this.randomPos = 0;
      }
      const pool = this.randomPool32;
      const at = this.randomPos >> 2;
      let any = 0;
      for (let i = 0; i < words; i++) {
        const w = pool[at + i]!;
        target[index + i] = w;
        any |= w;
      }
      this.randomPos += words * 4;
      if (any !== 0) return;
    }
  }

  /** Copies len random bytes (never all zero: an all-zero id is invalid) from the pooled random buffer. */
  randomId(target: Uint8Array, offset: number, len: number): void {
    for (;;) {
      if (this.randomPos + len > RANDOM_POOL_BYTES) {
        crypto.getRandomValues(this.randomPool);
        this.randomPos = 0;
      }
      const pool = this.randomPool;
      let any = 0;
      for (let i = 0; i < len; i++) {
        const b = pool[this.randomPos + i]!;
        target[offset + i] = b;
        any |= b;
      }
      this.randomPos += (len + 3) & ~3; // stay word-aligned for randomWords()
      if (any !== 0) return;
    }
  }

  /** Interns a string for span `owner` (-1: resource/scope), marking which pool half the span now references. */
  private putString(owner: number, str: string, maxUnits: number): boolean {
    if (!this.strings.put(str, maxUnits)) {
      this.counters.stringPoolFull++;
      return false;
    }
    if (this.strings.lastTruncated) this.counters.valuesTruncated++;
    if (owner >= 0) this.markHalf(owner, this.strings.epoch);
    return true;
  }

  private markHalf(owner: number, half: number): void {
    const bit = 1 << half;
    if ((this.spanStrMask[owner]! & bit) === 0) {
      this.spanStrMask[owner]! |= bit;
      this.strings.halfRefs[half]!++;
    }
  }

  /** The key id of a non-empty string key, or -1 (not a string, empty, or past MAX_KEY_IDS). */
  private fastKeyId(key: unknown): number {
    return typeof key === 'string' && key.length !== 0 ? this.keyIdOf(key) : -1;
  }

  /** Whether the attribute list starting at record `head` has a record with this key id. */
  private listHasKeyId(head: number, keyId: number): boolean {
    for (let id = head; id !== 0; id = this.attrNext[id]!) if (this.attrKeyId[id] === keyId) return true;
    return false;
  }

  /**
   * One attribute record for the common case, or 0: the key's bytes are in the current pool half and the value
   * is a number, a boolean or a string (the key's last value, or one the pool stores without switching halves).
   * The record is on no list or owner chain yet; its strings are marked on span `owner`. On 0 nothing was taken
   * or counted: the general path (putAttribute) redoes the work. About 12 column accesses for a repeated string
   * value, against ~35 accesses and 6 calls on the general path.
   */
  private fastRecord(owner: number, keyId: number, value: unknown): number {
    const strings = this.strings;
    const switches = strings.switches;
    const id = this.attrFreeHead;
    const cache = this.keyCache;
    const k = keyId * KEY_CACHE_STRIDE;
    if (id === 0 || cache[k + K_KEY_STAMP] !== switches) return 0;
    let kind: number;
    switch (typeof value) {
      case 'string':
        if (this.lastValue[keyId] === value && cache[k + K_VALUE_STAMP] === switches) {
          this.attrRefPtr[id] = cache[k + K_VALUE_PTR]!;
          this.attrRefLen[id] = cache[k + K_VALUE_LEN]!;
        } else {
          // A half switch would leave the key's cached bytes behind: the general path puts both again.
          if (!strings.put(value, this.maxValueUnits) || strings.switches !== switches) return 0;
          this.attrRefPtr[id] = strings.lastPtr;
          this.attrRefLen[id] = strings.lastLen;
          if (strings.lastTruncated) {
            this.counters.valuesTruncated++;
          } else {
            this.lastValue[keyId] = value;
            cache[k + K_VALUE_PTR] = strings.lastPtr;
            cache[k + K_VALUE_LEN] = strings.lastLen;
            cache[k + K_VALUE_STAMP] = switches;
          }
        }
        kind = KIND_STRING;
        break;
      case 'number':
        this.attrNum[id] = value;
        kind = numberKind(value);
        break;
      case 'boolean':
        this.attrNum[id] = value ? 1 : 0;
        kind = KIND_BOOL;
        break;
      default:
        return 0;
    }
    this.takeAttr();
    this.attrKind[id] = kind;
    this.attrKeyPtr[id] = cache[k + K_KEY_PTR]!;
    this.attrKeyLen[id] = cache[k + K_KEY_LEN]!;
    this.attrKeyId[id] = keyId;
    this.markHalf(owner, strings.epoch);
    return id;
  }

  /** Takes an attribute record off the free list and chains it to its owner; 0 when the pool is empty. */
  private allocAttr(owner: number): number {
    const id = this.takeAttr();
    if (id === 0) return 0;
    this.attrKind[id] = KIND_EMPTY;
    this.ownAttr(owner, id);
    return id;
  }

  /**
   * Takes a record off the free list (0 when the pool is empty), on no owner chain: a record in a span's, event's
   * or link's attribute list lives only there, and freeSpan() walks those lists (2 accesses per record there
   * instead of 5 per attribute here). Array elements and constants are chained to their owner (allocAttr()).
   */
  private takeAttr(): number {
    const id = this.attrFreeHead;
    if (id !== 0) {
      this.attrFreeHead = this.attrNext[id]!;
      this.attrNext[id] = 0;
    }
    return id;
  }

  /** Returns a record that takeAttr() gave and no list holds. */
  private releaseAttr(id: number): void {
    this.attrNext[id] = this.attrFreeHead;
    this.attrFreeHead = id;
  }

  /**
   * Returns a whole attribute list (head..tail, chained by attrNext) to the pool: the free list is chained by
   * attrNext too, so the list is linked in front of it as it is.
   */
  private releaseList(head: number, tail: number): void {
    this.attrNext[tail] = this.attrFreeHead;
    this.attrFreeHead = head;
  }

  /**
   * For the event or link records chained from `first` by `next`: hands each one's attribute list back whole and
   * leaves it empty (tails need no clearing: a list's first append sets its tail), and detaches the record from
   * its span, so an id kept from it can no longer take attributes.
   */
  private releaseRecordLists(first: number, next: U32, heads: U32, tails: U32, counts: U32, droppeds: U32,
    owners: Int32Array): void {
    for (let id = first; id !== 0; id = next[id]!) {
      const head = heads[id]!;
      if (head !== 0) {
        this.releaseList(head, tails[id]!);
        heads[id] = 0; counts[id] = 0;
      }
      owners[id] = -1;
      droppeds[id] = 0;
    }
  }

  /** Returns every record of an owner chain (chained by attrOwnedNext: array elements, constants) to the pool. */
  private releaseOwned(head: number): void {
    for (let id = head; id !== 0; id = this.attrOwnedNext[id]!) this.releaseAttr(id);
  }

  /** Chains record id to its owner: span `owner`, or the constants (-1). */
  private ownAttr(owner: number, id: number): void {
    this.attrOwnedNext[id] = 0;
    if (owner >= 0) {
      if (this.spanOwnedHead[owner] === 0) this.spanOwnedHead[owner] = id;
      else this.attrOwnedNext[this.spanOwnedTail[owner]!] = id;
      this.spanOwnedTail[owner] = id;
    } else {
      if (this.constOwnedHead === 0) this.constOwnedHead = id;
      else this.attrOwnedNext[this.constOwnedTail] = id;
      this.constOwnedTail = id;
    }
  }

  /**
   * Stores key=value in the list (heads/tails/counts/droppeds)[index] owned by span `owner` (-1: constants),
   * replacing the value of an existing key. Over the count limit or out of records: dropped and counted.
   */
  /**
   * `keyMask` (span attributes only): one bit per key id modulo 32 already set on this list; a clear bit proves
   * the key is new, so the duplicate scan (up to 127 records) is skipped for the common all-distinct span.
   */
  private putAttribute(owner: number, heads: U32, tails: U32, counts: U32, droppeds: U32, index: number,
    limit: number, key: string, value: unknown, keyMask?: U32): boolean {
    if (typeof key !== 'string' || key.length === 0) {
      this.counters.invalidAttributes++;
      return false;
    }
    const kind = attributeKind(value);
    if (kind === KIND_INVALID) {
      this.counters.invalidAttributes++;
      return false;
    }
    const keyId = this.keyIdOf(key);
    const keyBit = keyMask !== undefined && keyId >= 0 ? 1 << (keyId & 31) : 0;
    if (keyBit !== 0 && (keyMask![index]! & keyBit) === 0) {
      // new key on this span: no scan
    } else if (keyId >= 0) {
      for (let id = heads[index]!; id !== 0; id = this.attrNext[id]!) {
        if (this.attrKeyId[id] === keyId) return this.writeValue(id, kind, value, owner, keyId);
      }
    } else {
      for (let id = heads[index]!; id !== 0; id = this.attrNext[id]!) {
        if (this.attrKeyId[id] < 0 && this.attrKeyStr[id] === key) return this.writeValue(id, kind, value, owner, -1);
      }
    }
    if (counts[index]! >= limit) {
      droppeds[index]!++;
      this.counters.attributesOverLimit++;
      return false;
    }
    // A record in a span's, event's or link's list is on no owner chain (see takeAttr()); a constant one is.
    const listed = owner >= 0;
    const id = listed ? this.takeAttr() : this.allocAttr(owner);
    if (id === 0) {
      droppeds[index]!++;
      this.counters.attributePoolFull++;
      return false;
    }
    if (listed) this.attrKind[id] = KIND_EMPTY;
    if (!this.putKey(owner, keyId, key) ||
      (this.attrKeyPtr[id] = this.refPtr, this.attrKeyLen[id] = this.refLen,
      !this.writeValue(id, kind, value, owner, keyId))) {
      // Discarded for lack of room: the wire says so. An owned record is recycled with its owner.
      droppeds[index]!++;
      if (listed) this.releaseAttr(id);
      return false;
    }
    // The JS key is kept only for keys without an id (a pointer store into a large array costs a write barrier).
    if (keyId < 0) this.attrKeyStr[id] = key;
    this.attrKeyId[id] = keyId;
    this.appendAttr(heads, tails, counts, index, id);
    if (keyBit !== 0) keyMask![index]! |= keyBit;
    return true;
  }

  /** Appends record id to the attribute list (heads/tails/counts)[index]. */
  private appendAttr(heads: U32, tails: U32, counts: U32, index: number, id: number): void {
    if (heads[index] === 0) heads[index] = id;
    else this.attrNext[tails[index]!] = id;
    tails[index] = id;
    counts[index]!++;
  }

  /** The stable id of an attribute key, or -1 once MAX_KEY_IDS keys are known. */
  private keyIdOf(key: string): number {
    const recent = recentIndex(key);
    return this.recentKey[recent] === key ? this.recentKeyId[recent]! : this.lookUpKeyId(key, recent);
  }

  /** keyIdOf() past the direct-mapped cache: kept apart so the cached case stays small enough to inline. */
  private lookUpKeyId(key: string, recent: number): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      if (this.keyIds.size >= MAX_KEY_IDS) return -1;
      id = this.keyIds.size;
      this.keyIds.set(key, id);
    }
    this.recentKey[recent] = key;
    this.recentKeyId[recent] = id;
    return id;
  }

  /** Puts a key's bytes (cached per pool half when it has a key id) into refPtr/refLen. */
  private putKey(owner: number, keyId: number, key: string): boolean {
    const strings = this.strings;
    const cache = this.keyCache;
    const k = keyId * KEY_CACHE_STRIDE;
    if (keyId >= 0 && cache[k + K_KEY_STAMP] === strings.switches) {
      this.refPtr = cache[k + K_KEY_PTR]!;
      this.refLen = cache[k + K_KEY_LEN]!;
      if (owner >= 0) this.markHalf(owner, strings.epoch);
      return true;
    }
    if (!this.putString(owner, key, Infinity)) return false;
    this.refPtr = strings.lastPtr;
    this.refLen = strings.lastLen;
    if (keyId >= 0) {
      cache[k + K_KEY_PTR] = this.refPtr;
      cache[k + K_KEY_LEN] = this.refLen;
      cache[k + K_KEY_STAMP] = strings.switches;
    }
    return true;
  }

  /**
   * Puts a string value into refPtr/refLen; when cacheKeyId >= 0 the key's last value is reused if it is the
   * same string and its bytes are still in the current pool half (no Map lookup, no encoding).
   */
  private putValueString(owner: number, cacheKeyId: number, value: string): boolean {
    const strings = this.strings;
    const cache = this.keyCache;
    const k = cacheKeyId * KEY_CACHE_STRIDE;
    if (cacheKeyId >= 0 && this.lastValue[cacheKeyId] === value && cache[k + K_VALUE_STAMP] === strings.switches) {
      this.refPtr = cache[k + K_VALUE_PTR]!;
      this.refLen = cache[k + K_VALUE_LEN]!;
      if (owner >= 0) this.markHalf(owner, strings.epoch);
      return true;
    }
    if (!this.putString(owner, value, this.maxValueUnits)) return false;
    this.refPtr = strings.lastPtr;
    this.refLen = strings.lastLen;
    if (cacheKeyId >= 0 && !strings.lastTruncated) {
      this.lastValue[cacheKeyId] = value;
      cache[k + K_VALUE_PTR] = this.refPtr;
      cache[k + K_VALUE_LEN] = this.refLen;
      cache[k + K_VALUE_STAMP] = strings.switches;
    }
    return true;
  }

  /** Writes a classified value into record id; false (record unchanged) when a string or element can't be stored. */
  private writeValue(id: number, kind: number, value: unknown, owner: number, keyId: number): boolean {
    if (kind === KIND_ARRAY) {
      const array = value as readonly unknown[];
      // Replacing an array reuses its element records first, so repeated updates do not drain the pool.
      // (allocAttr() clears the kind, so only a live array attribute being replaced has elements to reuse.)
      let reuse = this.attrKind[id] === KIND_ARRAY ? this.attrRefPtr[id]! : 0;
      let first = 0;
      let last = 0;
      for (let i = 0; i < array.length; i++) {
        let element = reuse;
        if (element !== 0) reuse = this.attrNext[element]!;
        else element = this.allocAttr(owner);
        if (element === 0) {
          this.counters.attributePoolFull++;
          return false;
        }
        if (!this.writeScalar(element, array[i], owner, -1)) return false;
        if (first === 0) first = element;
        else this.attrNext[last] = element;
        last = element;
      }
      if (last !== 0) this.attrNext[last] = 0;
      this.attrRefPtr[id] = first;
      this.attrRefLen[id] = array.length;
    } else if (!this.writeScalar(id, value, owner, keyId)) {
      return false;
    }
    this.attrKind[id] = kind;
    return true;
  }

  private writeScalar(id: number, value: unknown, owner: number, cacheKeyId: number): boolean {
    switch (typeof value) {
      case 'string':
        if (!this.putValueString(owner, cacheKeyId, value)) return false;
        this.attrRefPtr[id] = this.refPtr;
        this.attrRefLen[id] = this.refLen;
        this.attrKind[id] = KIND_STRING;
        return true;
      case 'boolean':
        this.attrNum[id] = value ? 1 : 0;
        this.attrKind[id] = KIND_BOOL;
        return true;
      case 'number':
        this.attrNum[id] = value;
        this.attrKind[id] = numberKind(value) === KIND_INT ? KIND_INT : KIND_DOUBLE;
        return true;
      default: // null or undefined inside an array (attributeKind() refused everything else)
        this.attrKind[id] = KIND_EMPTY;
        return true;
    }
  }

  private collectConstAttributes(attributes: Readonly<Record<string, unknown>>): number {
    this.constHead[0] = 0; this.constTail[0] = 0; this.constCount[0] = 0; this.constDropped[0] = 0;
    if (attributes !== null && typeof attributes === 'object') {
      for (const key in attributes) {
        if (!Object.hasOwn(attributes, key)) continue;
        this.putAttribute(-1, this.constHead, this.constTail, this.constCount, this.constDropped, 0,
          this.maxSpanAttributes, key, attributes[key]);
      }
    }
    return this.constHead[0]!;
  }

  private releaseConstRecords(): void {
    if (this.constOwnedHead !== 0) this.releaseOwned(this.constOwnedHead);
    this.constOwnedHead = 0;
    this.constOwnedTail = 0;
  }

  private constantsLeft(): number {
    return this.layout.constantsPtr + this.capacity.constantBytes - this.constantsAt;
  }

  /** Writes a UTF-8 string into the constants region (not the recycled pool); returns its length (0 if none). */
  private putConstantString(str: string): number {
    if (typeof str !== 'string' || str.length === 0) return 0;
    if (maxUtf8Bytes(str.length) > this.constantsLeft()) {
      this.counters.constantRegionFull++;
      return 0;
    }
    const len = encodeUtf8(str, str.length, this.memoryBytes, this.constantsAt);
    this.constantsAt += len;
    return len;
  }
}

const textDecoder = new TextDecoder();

/** An integer index in [min, limit): rejects fractions, NaN, and non-numbers (symbols, bigints) without throwing. */
function isIndex(value: unknown, min: number, limit: number): value is number {
  return typeof value === 'number' && value >= min && value < limit && Math.floor(value) === value;
}

/** An exact time: whole ms within [1970, 2262) and an integer ns within that ms. */
function validEpochTime(epochMs: unknown, ns: unknown): boolean {
  return typeof epochMs === 'number' && typeof ns === 'number' && epochMs >= 0 && epochMs < MAX_EPOCH_MS &&
    Math.floor(epochMs) === epochMs && ns >= 0 && ns < 1e6 && Math.floor(ns) === ns;
}

/** W3C trace flags from anything: a number's low 8 bits, else 0 (never throws on symbols or bigints). */
function flagsByte(value: unknown): number {
  return typeof value === 'number' ? (value | 0) & 0xff : 0;
}

/** Limits at or past 2^30 mean "no limit" (no count or string length gets near it): kept a V8 small integer. */
const NO_LIMIT = 0x40000000;

function smallLimit(limit: number): number {
  return limit >= NO_LIMIT ? NO_LIMIT : limit;
}

/** Latest time the wire can carry: fixed64 ns overflows int64 readers past 2^63 ns (year 2262). */
const MAX_EPOCH_MS = 9.2e12;

function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** A W3C id: exactly `hexChars` hex digits, not all zero. */
function validHexId(hex: unknown, hexChars: number): boolean {
  if (typeof hex !== 'string' || hex.length !== hexChars) return false;
  let nonZero = false;
  for (let i = 0; i < hexChars; i++) {
    const nibble = hexNibble(hex.charCodeAt(i));
    if (nibble < 0) return false;
    if (nibble !== 0) nonZero = true;
  }
  return nonZero;
}

function writeHex(hex: string, target: Uint8Array, offset: number): void {
  for (let i = 0; i < hex.length; i += 2) {
    target[offset + (i >> 1)] = (hexNibble(hex.charCodeAt(i)) << 4) | hexNibble(hex.charCodeAt(i + 1));
  }
}

function toHex(bytes: Uint8Array, offset: number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) out += (bytes[offset + i]! + 0x100).toString(16).slice(1);
  return out;
}
