// Encodes OTLP ExportTraceServiceRequest protobuf (opentelemetry-proto collector/trace/v1, trace/v1, common/v1,
// resource/v1) straight from the arena columns described in layout.ts, in one pass per batch.
// Never allocates, never emits a partial message: a batch that does not fit returns ENCODE_NO_ROOM and the
// caller splits it.
import {
  KIND_ARRAY, KIND_BOOL, KIND_DOUBLE, KIND_INT, KIND_STRING,
  attrCapacity, attrKeyLenPtr, attrKeyPtrPtr, attrKindPtr, attrNextPtr, attrNumPtr, attrRefLenPtr, attrRefPtrPtr,
  eventAttrDroppedPtr, eventAttrHeadPtr, eventCapacity, eventNameLenPtr, eventNamePtrPtr, eventNextPtr,
  eventTimeMsPtr, eventTimeNsPtr, spanEndNsPtr, spanStartNsPtr, linkAttrDroppedPtr, linkAttrHeadPtr, linkCapacity, linkFlagsPtr, linkNextPtr, linkSpanIdPtr,
  linkTraceIdPtr, linkTraceStateLenPtr, linkTraceStatePtrPtr, memoryEnd, scopeBytesLenPtr, scopeBytesPtrPtr,
  scopeCapacity, scopeSchemaLenPtr, scopeSchemaPtrPtr, sortScratchPtr, spanAttrDroppedPtr, spanAttrHeadPtr,
  spanCapacity, spanEndMsPtr, spanEventDroppedPtr, spanEventHeadPtr, spanFlagsPtr, spanKindPtr, spanLinkDroppedPtr,
  spanLinkHeadPtr, spanNameLenPtr, spanNamePtrPtr, spanParentIdPtr, spanScopePtr, spanSpanIdPtr, spanStartMsPtr,
  spanStatusCodePtr, spanStatusMsgLenPtr, spanStatusMsgPtrPtr, spanTraceIdPtr, spanTraceStateLenPtr,
  spanTraceStatePtrPtr,
} from './layout';
import {
  beginLen, endLen, pos, resetWriter, room, varintSize32, varintSize64, writeByte, writeBytes, writeDouble,
  writeFixed32, writeFixed64, writeLenField, writeVarint32, writeVarint64,
} from './protobuf-writer';

/** encodeBatch() results below zero. */
export const ENCODE_NO_ROOM: i32 = -1; // the output region is too small for this batch: split it
export const ENCODE_BAD_INPUT: i32 = -2; // a slot, scope or record id out of range, or a list longer than its pool

// Tags: (field number << 3) | wire type, where 0 = VARINT, 1 = I64, 2 = LEN, 5 = I32.
const TAG_REQUEST_RESOURCE_SPANS: u32 = 0x0a; // ExportTraceServiceRequest.resource_spans, field 1, LEN
const TAG_RESOURCE_SPANS_RESOURCE: u32 = 0x0a; // ResourceSpans.resource, field 1, LEN
const TAG_RESOURCE_SPANS_SCOPE_SPANS: u32 = 0x12; // ResourceSpans.scope_spans, field 2, LEN
const TAG_RESOURCE_SPANS_SCHEMA_URL: u32 = 0x1a; // ResourceSpans.schema_url, field 3, LEN
const TAG_SCOPE_SPANS_SCOPE: u32 = 0x0a; // ScopeSpans.scope, field 1, LEN
const TAG_SCOPE_SPANS_SPANS: u32 = 0x12; // ScopeSpans.spans, field 2, LEN
const TAG_SCOPE_SPANS_SCHEMA_URL: u32 = 0x1a; // ScopeSpans.schema_url, field 3, LEN
const TAG_SPAN_TRACE_ID: u32 = 0x0a; // Span.trace_id, field 1, LEN (16 bytes)
const TAG_SPAN_SPAN_ID: u32 = 0x12; // Span.span_id, field 2, LEN (8 bytes)
const TAG_SPAN_TRACE_STATE: u32 = 0x1a; // Span.trace_state, field 3, LEN
const TAG_SPAN_PARENT_SPAN_ID: u32 = 0x22; // Span.parent_span_id, field 4, LEN (8 bytes)
const TAG_SPAN_NAME: u32 = 0x2a; // Span.name, field 5, LEN
const TAG_SPAN_KIND: u32 = 0x30; // Span.kind, field 6, VARINT
const TAG_SPAN_START_TIME: u32 = 0x39; // Span.start_time_unix_nano, field 7, I64
const TAG_SPAN_END_TIME: u32 = 0x41; // Span.end_time_unix_nano, field 8, I64
const TAG_SPAN_ATTRIBUTES: u32 = 0x4a; // Span.attributes, field 9, LEN
const TAG_SPAN_DROPPED_ATTRIBUTES: u32 = 0x50; // Span.dropped_attributes_count, field 10, VARINT
const TAG_SPAN_EVENTS: u32 = 0x5a; // Span.events, field 11, LEN
const TAG_SPAN_DROPPED_EVENTS: u32 = 0x60; // Span.dropped_events_count, field 12, VARINT
const TAG_SPAN_LINKS: u32 = 0x6a; // Span.links, field 13, LEN
const TAG_SPAN_DROPPED_LINKS: u32 = 0x70; // Span.dropped_links_count, field 14, VARINT
const TAG_SPAN_STATUS: u32 = 0x7a; // Span.status, field 15, LEN
const TAG_SPAN_FLAGS_BYTE0: u32 = 0x85; // Span.flags, field 16, I32: tag 133 is the two-byte varint 0x85 0x01
const TAG_SPAN_FLAGS_BYTE1: u32 = 0x01;
const TAG_EVENT_TIME: u32 = 0x09; // Span.Event.time_unix_nano, field 1, I64
const TAG_EVENT_NAME: u32 = 0x12; // Span.Event.name, field 2, LEN
const TAG_EVENT_ATTRIBUTES: u32 = 0x1a; // Span.Event.attributes, field 3, LEN
const TAG_EVENT_DROPPED_ATTRIBUTES: u32 = 0x20; // Span.Event.dropped_attributes_count, field 4, VARINT
const TAG_LINK_TRACE_ID: u32 = 0x0a; // Span.Link.trace_id, field 1, LEN
const TAG_LINK_SPAN_ID: u32 = 0x12; // Span.Link.span_id, field 2, LEN
const TAG_LINK_TRACE_STATE: u32 = 0x1a; // Span.Link.trace_state, field 3, LEN
const TAG_LINK_ATTRIBUTES: u32 = 0x22; // Span.Link.attributes, field 4, LEN
const TAG_LINK_DROPPED_ATTRIBUTES: u32 = 0x28; // Span.Link.dropped_attributes_count, field 5, VARINT
const TAG_LINK_FLAGS: u32 = 0x35; // Span.Link.flags, field 6, I32
const TAG_STATUS_MESSAGE: u32 = 0x12; // Status.message, field 2, LEN
const TAG_STATUS_CODE: u32 = 0x18; // Status.code, field 3, VARINT
const TAG_KEY_VALUE_KEY: u32 = 0x0a; // KeyValue.key, field 1, LEN
const TAG_KEY_VALUE_VALUE: u32 = 0x12; // KeyValue.value, field 2, LEN
const TAG_ANY_STRING: u32 = 0x0a; // AnyValue.string_value, field 1, LEN
const TAG_ANY_BOOL: u32 = 0x10; // AnyValue.bool_value, field 2, VARINT
const TAG_ANY_INT: u32 = 0x18; // AnyValue.int_value, field 3, VARINT (int64: negatives take 10 bytes)
const TAG_ANY_DOUBLE: u32 = 0x21; // AnyValue.double_value, field 4, I64
const TAG_ANY_ARRAY: u32 = 0x2a; // AnyValue.array_value, field 5, LEN
const TAG_ARRAY_VALUES: u32 = 0x0a; // ArrayValue.values, field 1, LEN
const TAG_RESOURCE_ATTRIBUTES: u32 = 0x0a; // Resource.attributes, field 1, LEN
const TAG_RESOURCE_DROPPED_ATTRIBUTES: u32 = 0x10; // Resource.dropped_attributes_count, field 2, VARINT
const TAG_SCOPE_NAME: u32 = 0x0a; // InstrumentationScope.name, field 1, LEN
const TAG_SCOPE_VERSION: u32 = 0x12; // InstrumentationScope.version, field 2, LEN
const TAG_SCOPE_ATTRIBUTES: u32 = 0x1a; // InstrumentationScope.attributes, field 3, LEN
const TAG_SCOPE_DROPPED_ATTRIBUTES: u32 = 0x20; // InstrumentationScope.dropped_attributes_count, field 4, VARINT

// Room is checked for exactly what is written next, so a batch fits whenever its final size does, but for the
// length reservations still open (at most 3 + 3 + 2 + 1 bytes: the JS side gives the region that much slack).
// Span head: tag + 2-byte length + trace id field (2 + 16) + span id field (2 + 8).
const SPAN_HEAD_BYTES: usize = 1 + 2 + 18 + 10;
// Parent span id field: 2 + 8. Kind (2) + start time (1 + 8) + end time (1 + 8).
const PARENT_FIELD_BYTES: usize = 10;
const KIND_AND_TIMES_BYTES: usize = 2 + 9 + 9;
// Event head: tag + 1-byte length + time field (1 + 8). Link head: tag + 1-byte length + ids (18 + 10).
const EVENT_HEAD_BYTES: usize = 1 + 1 + 9;
const LINK_HEAD_BYTES: usize = 1 + 1 + 18 + 10;
// A span is ~450 bytes (DESIGN.md): a 2-byte length covers up to 16383. Events/links usually < 128.
const SPAN_LEN_RESERVE: u32 = 2;
const RECORD_LEN_RESERVE: u32 = 1;
// ScopeSpans/ResourceSpans hold a whole batch (~230 KB for 512 spans): 3 bytes cover up to 2 MiB.
const BATCH_LEN_RESERVE: u32 = 3;

// Set by setResource(): constant for the arena's life.
let resourceFieldPtr: usize = 0; // ResourceSpans.resource, pre-encoded with its tag by encodeResource()
let resourceFieldLen: u32 = 0;
let resourceSchemaPtr: usize = 0;
let resourceSchemaLen: u32 = 0;

export function setResource(fieldPtr: usize, fieldLen: u32, schemaPtr: usize, schemaLen: u32): void {
  resourceFieldPtr = fieldPtr;
  resourceFieldLen = fieldLen;
  resourceSchemaPtr = schemaPtr;
  resourceSchemaLen = schemaLen;
}

/** A column time (whole epoch ms + ns within it, both exact integers in f64) as Unix nanoseconds, exactly. */
@inline function unixNanos(epochMs: f64, ns: f64): u64 {
  return <u64>(<i64>epochMs * 1000000 + <i64>ns);
}

// ---- AnyValue / KeyValue: sizes are exact (arrays hold only scalars), so no length is ever guessed here.

@inline function scalarBodySize(id: u32): u32 {
  const kind = load<u32>(attrKindPtr + (<usize>id << 2));
  if (kind == KIND_STRING) {
    const len = load<u32>(attrRefLenPtr + (<usize>id << 2));
    return 1 + varintSize32(len) + len;
  }
  if (kind == KIND_BOOL) return 2;
  if (kind == KIND_INT) {
    return 1 + varintSize64(<u64><i64>load<f64>(attrNumPtr + (<usize>id << 3)));
  }
  if (kind == KIND_DOUBLE) return 9;
  return 0; // KIND_EMPTY: an AnyValue with no field set
}

/** Size of the AnyValue message body for record id; u32.MAX_VALUE when an array list is corrupt. */
function anyValueBodySize(id: u32): u32 {
  const kind = load<u32>(attrKindPtr + (<usize>id << 2));
  if (kind != KIND_ARRAY) return scalarBodySize(id);
  let arrayBody: u32 = 0;
  let element = load<u32>(attrRefPtrPtr + (<usize>id << 2));
  let steps: u32 = 0;
  while (element != 0) {
    if (element > attrCapacity || ++steps > attrCapacity) return u32.MAX_VALUE;
    const elementSize = scalarBodySize(element);
    arrayBody += 1 + varintSize32(elementSize) + elementSize;
    element = load<u32>(attrNextPtr + (<usize>element << 2));
  }
  return 1 + varintSize32(arrayBody) + arrayBody;
}

/** Writes an AnyValue body of known size; room was checked by the caller for the whole KeyValue. */
function writeAnyValueBody(id: u32): void {
  const kind = load<u32>(attrKindPtr + (<usize>id << 2));
  if (kind == KIND_STRING) {
    const len = load<u32>(attrRefLenPtr + (<usize>id << 2));
    writeByte(TAG_ANY_STRING);
    writeVarint32(len);
    writeBytes(<usize>load<u32>(attrRefPtrPtr + (<usize>id << 2)), len);
  } else if (kind == KIND_BOOL) {
    writeByte(TAG_ANY_BOOL);
    writeByte(load<f64>(attrNumPtr + (<usize>id << 3)) != 0 ? 1 : 0);
  } else if (kind == KIND_INT) {
    // The JS side stores only integers within [-2^63, 2^63) as KIND_INT, so the conversion is exact.
    writeByte(TAG_ANY_INT);
    writeVarint64(<u64><i64>load<f64>(attrNumPtr + (<usize>id << 3)));
  } else if (kind == KIND_DOUBLE) {
    writeByte(TAG_ANY_DOUBLE);
    writeDouble(load<f64>(attrNumPtr + (<usize>id << 3)));
  } else if (kind == KIND_ARRAY) {
    // Sizes were computed (and the list validated) by anyValueBodySize just before.
    let arrayBody: u32 = 0;
    let element = load<u32>(attrRefPtrPtr + (<usize>id << 2));
    while (element != 0) {
      const elementSize = scalarBodySize(element);
      arrayBody += 1 + varintSize32(elementSize) + elementSize;
      element = load<u32>(attrNextPtr + (<usize>element << 2));
    }
    writeByte(TAG_ANY_ARRAY);
    writeVarint32(arrayBody);
    element = load<u32>(attrRefPtrPtr + (<usize>id << 2));
    while (element != 0) {
      writeByte(TAG_ARRAY_VALUES);
      writeVarint32(scalarBodySize(element));
      writeAnyValueBody(element);
      element = load<u32>(attrNextPtr + (<usize>element << 2));
    }
  }
}

/**
 * Writes every KeyValue of the list starting at head as repeated field `tag`.
 * Returns ENCODE_NO_ROOM / ENCODE_BAD_INPUT, or 0.
 */
function writeAttributes(tag: u32, head: u32): i32 {
  let id = head;
  let steps: u32 = 0;
  while (id != 0) {
    if (id > attrCapacity || ++steps > attrCapacity) return ENCODE_BAD_INPUT;
    const keyLen = load<u32>(attrKeyLenPtr + (<usize>id << 2));
    const valueSize = anyValueBodySize(id);
    if (valueSize == u32.MAX_VALUE) return ENCODE_BAD_INPUT;
    //  KeyValue: [tag][len] [0x0a][keyLen][key bytes] [0x12][valueLen][AnyValue]
    const kvSize = 1 + varintSize32(keyLen) + keyLen + 1 + varintSize32(valueSize) + valueSize;
    if (!room(<usize>(1 + varintSize32(kvSize) + kvSize))) return ENCODE_NO_ROOM;
    writeByte(tag);
    writeVarint32(kvSize);
    writeByte(TAG_KEY_VALUE_KEY);
    writeVarint32(keyLen);
    writeBytes(<usize>load<u32>(attrKeyPtrPtr + (<usize>id << 2)), keyLen);
    writeByte(TAG_KEY_VALUE_VALUE);
    writeVarint32(valueSize);
    writeAnyValueBody(id);
    id = load<u32>(attrNextPtr + (<usize>id << 2));
  }
  return 0;
}

/** A uint32 count field, omitted when zero (the proto3 default); false when it does not fit. */
function writeCount(tag: u32, count: u32): bool {
  if (count == 0) return true;
  if (!room(<usize>(1 + varintSize32(count)))) return false;
  writeByte(tag);
  writeVarint32(count);
  return true;
}

function writeEvents(head: u32): i32 {
  let id = head;
  let steps: u32 = 0;
  while (id != 0) {
    if (id > eventCapacity || ++steps > eventCapacity) return ENCODE_BAD_INPUT;
    if (!room(EVENT_HEAD_BYTES)) return ENCODE_NO_ROOM;
    writeByte(TAG_SPAN_EVENTS);
    const start = beginLen(RECORD_LEN_RESERVE);
    writeByte(TAG_EVENT_TIME);
    writeFixed64(unixNanos(load<f64>(eventTimeMsPtr + (<usize>id << 3)), load<f64>(eventTimeNsPtr + (<usize>id << 3))));
    const nameLen = load<u32>(eventNameLenPtr + (<usize>id << 2));
    if (nameLen != 0 && !writeLenField(TAG_EVENT_NAME, <usize>load<u32>(eventNamePtrPtr + (<usize>id << 2)), nameLen)) {
      return ENCODE_NO_ROOM;
    }
    const result = writeAttributes(TAG_EVENT_ATTRIBUTES, load<u32>(eventAttrHeadPtr + (<usize>id << 2)));
    if (result < 0) return result;
    if (!writeCount(TAG_EVENT_DROPPED_ATTRIBUTES, load<u32>(eventAttrDroppedPtr + (<usize>id << 2)))) {
      return ENCODE_NO_ROOM;
    }
    if (!endLen(start, RECORD_LEN_RESERVE)) return ENCODE_NO_ROOM;
    id = load<u32>(eventNextPtr + (<usize>id << 2));
  }
  return 0;
}

function writeLinks(head: u32): i32 {
  let id = head;
  let steps: u32 = 0;
  while (id != 0) {
    if (id > linkCapacity || ++steps > linkCapacity) return ENCODE_BAD_INPUT;
    if (!room(LINK_HEAD_BYTES)) return ENCODE_NO_ROOM;
    writeByte(TAG_SPAN_LINKS);
    const start = beginLen(RECORD_LEN_RESERVE);
    writeByte(TAG_LINK_TRACE_ID);
    writeByte(16);
    writeBytes(linkTraceIdPtr + (<usize>id << 4), 16);
    writeByte(TAG_LINK_SPAN_ID);
    writeByte(8);
    writeBytes(linkSpanIdPtr + (<usize>id << 3), 8);
    const stateLen = load<u32>(linkTraceStateLenPtr + (<usize>id << 2));
    if (stateLen != 0 &&
      !writeLenField(TAG_LINK_TRACE_STATE, <usize>load<u32>(linkTraceStatePtrPtr + (<usize>id << 2)), stateLen)) {
      return ENCODE_NO_ROOM;
    }
    const result = writeAttributes(TAG_LINK_ATTRIBUTES, load<u32>(linkAttrHeadPtr + (<usize>id << 2)));
    if (result < 0) return result;
    if (!writeCount(TAG_LINK_DROPPED_ATTRIBUTES, load<u32>(linkAttrDroppedPtr + (<usize>id << 2)))) {
      return ENCODE_NO_ROOM;
    }
    const flags = load<u32>(linkFlagsPtr + (<usize>id << 2));
    if (flags != 0) {
      if (!room(5)) return ENCODE_NO_ROOM;
      writeByte(TAG_LINK_FLAGS);
      writeFixed32(flags);
    }
    if (!endLen(start, RECORD_LEN_RESERVE)) return ENCODE_NO_ROOM;
    id = load<u32>(linkNextPtr + (<usize>id << 2));
  }
  return 0;
}

/** One Span as ScopeSpans.spans (field 2). */
function writeSpan(slot: u32): i32 {
  const i4 = <usize>slot << 2;
  if (!room(SPAN_HEAD_BYTES)) return ENCODE_NO_ROOM;
  writeByte(TAG_SCOPE_SPANS_SPANS);
  const start = beginLen(SPAN_LEN_RESERVE);
  //  [0x0a 0x10 trace id ×16] [0x12 0x08 span id ×8]
  writeByte(TAG_SPAN_TRACE_ID);
  writeByte(16);
  writeBytes(spanTraceIdPtr + (<usize>slot << 4), 16);
  writeByte(TAG_SPAN_SPAN_ID);
  writeByte(8);
  writeBytes(spanSpanIdPtr + (<usize>slot << 3), 8);
  const stateLen = load<u32>(spanTraceStateLenPtr + i4);
  if (stateLen != 0 && !writeLenField(TAG_SPAN_TRACE_STATE, <usize>load<u32>(spanTraceStatePtrPtr + i4), stateLen)) {
    return ENCODE_NO_ROOM;
  }
  const parentPtr = spanParentIdPtr + (<usize>slot << 3);
  if (load<u64>(parentPtr) != 0) { // an all-zero id is invalid: it means "root span", so the field is omitted
    if (!room(PARENT_FIELD_BYTES)) return ENCODE_NO_ROOM;
    writeByte(TAG_SPAN_PARENT_SPAN_ID);
    writeByte(8);
    writeBytes(parentPtr, 8);
  }
  const nameLen = load<u32>(spanNameLenPtr + i4);
  if (nameLen != 0 && !writeLenField(TAG_SPAN_NAME, <usize>load<u32>(spanNamePtrPtr + i4), nameLen)) {
    return ENCODE_NO_ROOM;
  }
  if (!room(KIND_AND_TIMES_BYTES)) return ENCODE_NO_ROOM;
  const kind = load<u32>(spanKindPtr + i4);
  if (kind != 0) {
    writeByte(TAG_SPAN_KIND);
    writeByte(kind); // SpanKind 1..5: one byte
  }
  writeByte(TAG_SPAN_START_TIME);
  writeFixed64(unixNanos(load<f64>(spanStartMsPtr + (<usize>slot << 3)), load<f64>(spanStartNsPtr + (<usize>slot << 3))));
  writeByte(TAG_SPAN_END_TIME);
  writeFixed64(unixNanos(load<f64>(spanEndMsPtr + (<usize>slot << 3)), load<f64>(spanEndNsPtr + (<usize>slot << 3))));
  let result = writeAttributes(TAG_SPAN_ATTRIBUTES, load<u32>(spanAttrHeadPtr + i4));
  if (result < 0) return result;
  if (!writeCount(TAG_SPAN_DROPPED_ATTRIBUTES, load<u32>(spanAttrDroppedPtr + i4))) return ENCODE_NO_ROOM;
  result = writeEvents(load<u32>(spanEventHeadPtr + i4));
  if (result < 0) return result;
  if (!writeCount(TAG_SPAN_DROPPED_EVENTS, load<u32>(spanEventDroppedPtr + i4))) return ENCODE_NO_ROOM;
  result = writeLinks(load<u32>(spanLinkHeadPtr + i4));
  if (result < 0) return result;
  if (!writeCount(TAG_SPAN_DROPPED_LINKS, load<u32>(spanLinkDroppedPtr + i4))) return ENCODE_NO_ROOM;
  const code = load<u32>(spanStatusCodePtr + i4);
  const messageLen = load<u32>(spanStatusMsgLenPtr + i4);
  if (code != 0 || messageLen != 0) {
    //  Status: [0x7a][len] ([0x12][msgLen][message]) ([0x18][code])
    const statusSize = (messageLen != 0 ? 1 + varintSize32(messageLen) + messageLen : 0) + (code != 0 ? 2 : 0);
    if (!room(<usize>(1 + varintSize32(statusSize) + statusSize))) return ENCODE_NO_ROOM;
    writeByte(TAG_SPAN_STATUS);
    writeVarint32(statusSize);
    if (messageLen != 0) {
      writeByte(TAG_STATUS_MESSAGE);
      writeVarint32(messageLen);
      writeBytes(<usize>load<u32>(spanStatusMsgPtrPtr + i4), messageLen);
    }
    if (code != 0) {
      writeByte(TAG_STATUS_CODE);
      writeByte(code); // StatusCode 1..2: one byte
    }
  }
  const flags = load<u32>(spanFlagsPtr + i4);
  if (flags != 0) {
    if (!room(6)) return ENCODE_NO_ROOM; // two-byte tag + fixed32
    writeByte(TAG_SPAN_FLAGS_BYTE0);
    writeByte(TAG_SPAN_FLAGS_BYTE1);
    writeFixed32(flags);
  }
  return endLen(start, SPAN_LEN_RESERVE) ? 0 : ENCODE_NO_ROOM;
}

/**
 * Encodes the `count` span slots listed (u32 each) at slotsPtr as one ExportTraceServiceRequest at outPtr:
 * one ResourceSpans, one ScopeSpans per scope present (in scope-id order, spans in list order within a scope).
 * Returns the bytes written, ENCODE_NO_ROOM, or ENCODE_BAD_INPUT. An empty list encodes as an empty message.
 */
export function encodeBatch(slotsPtr: usize, count: u32, outPtr: usize, outCap: u32): i32 {
  // Bounds for the whole batch, checked once: the slot list, the output region and the sort scratch.
  if (count > spanCapacity || slotsPtr + (<usize>count << 2) > memoryEnd || outPtr + <usize>outCap > memoryEnd) {
    return ENCODE_BAD_INPUT;
  }
  if (count == 0) return 0;
  // Counting sort by scope into scratch: counts u32[scopeCapacity + 1], then sorted slots u32[spanCapacity].
  const countsPtr = sortScratchPtr;
  const sortedPtr = sortScratchPtr + ((<usize>scopeCapacity + 1) << 2);
  memory.fill(countsPtr, 0, (<usize>scopeCapacity + 1) << 2);
  for (let i: u32 = 0; i < count; i++) {
    const slot = load<u32>(slotsPtr + (<usize>i << 2));
    if (slot >= spanCapacity) return ENCODE_BAD_INPUT;
    const scope = load<u32>(spanScopePtr + (<usize>slot << 2));
    if (scope >= scopeCapacity) return ENCODE_BAD_INPUT;
    const countPtr = countsPtr + ((<usize>scope + 1) << 2);
    store<u32>(countPtr, load<u32>(countPtr) + 1);
  }
  // Prefix sums: counts[s] becomes the number of spans with a scope below s, i.e. where scope s's run starts.
  for (let s: u32 = 1; s <= scopeCapacity; s++) {
    const p = countsPtr + (<usize>s << 2);
    store<u32>(p, load<u32>(p) + load<u32>(p - 4));
  }
  // Scatter, bumping counts[scope] per span.
  for (let i: u32 = 0; i < count; i++) {
    const slot = load<u32>(slotsPtr + (<usize>i << 2));
    const startPtr = countsPtr + (<usize>load<u32>(spanScopePtr + (<usize>slot << 2)) << 2);
    const at = load<u32>(startPtr);
    store<u32>(sortedPtr + (<usize>at << 2), slot);
    store<u32>(startPtr, at + 1);
  }
  // After scattering counts[scope] is the end of its run (= start of the next): runs are [counts[s-1], counts[s]).

  resetWriter(outPtr, outCap);
  //  ExportTraceServiceRequest
  //  └ [0x0a][len3] ResourceSpans
  //      ├ resource (pre-encoded, tag included)
  //      ├ [0x12][len3] ScopeSpans  ×scopes: scope (pre-encoded) + [0x12][len2] Span ×n + schema_url
  //      └ [0x1a] schema_url
  if (!room(<usize>(1 + BATCH_LEN_RESERVE) + resourceFieldLen)) return ENCODE_NO_ROOM;
  writeByte(TAG_REQUEST_RESOURCE_SPANS);
  const resourceSpansStart = beginLen(BATCH_LEN_RESERVE);
  writeBytes(resourceFieldPtr, resourceFieldLen);
  let runStart: u32 = 0;
  for (let scope: u32 = 0; scope < scopeCapacity; scope++) {
    const runEnd = load<u32>(countsPtr + (<usize>scope << 2));
    if (runEnd == runStart) continue;
    const scopeLen = load<u32>(scopeBytesLenPtr + (<usize>scope << 2));
    if (!room(<usize>(1 + BATCH_LEN_RESERVE) + scopeLen)) return ENCODE_NO_ROOM;
    writeByte(TAG_RESOURCE_SPANS_SCOPE_SPANS);
    const scopeSpansStart = beginLen(BATCH_LEN_RESERVE);
    writeBytes(<usize>load<u32>(scopeBytesPtrPtr + (<usize>scope << 2)), scopeLen);
    for (let i = runStart; i < runEnd; i++) {
      const result = writeSpan(load<u32>(sortedPtr + (<usize>i << 2)));
      if (result < 0) return result;
    }
    const schemaLen = load<u32>(scopeSchemaLenPtr + (<usize>scope << 2));
    if (schemaLen != 0 &&
      !writeLenField(TAG_SCOPE_SPANS_SCHEMA_URL, <usize>load<u32>(scopeSchemaPtrPtr + (<usize>scope << 2)), schemaLen)) {
      return ENCODE_NO_ROOM;
    }
    if (!endLen(scopeSpansStart, BATCH_LEN_RESERVE)) return ENCODE_NO_ROOM;
    runStart = runEnd;
  }
  if (resourceSchemaLen != 0 && !writeLenField(TAG_RESOURCE_SPANS_SCHEMA_URL, resourceSchemaPtr, resourceSchemaLen)) {
    return ENCODE_NO_ROOM;
  }
  if (!endLen(resourceSpansStart, BATCH_LEN_RESERVE)) return ENCODE_NO_ROOM;
  return <i32>(pos - outPtr);
}

/** Encodes ResourceSpans.resource (tag included) from an attribute list; returns bytes or a negative code. */
export function encodeResource(attrHead: u32, droppedCount: u32, outPtr: usize, outCap: u32): i32 {
  if (outPtr + <usize>outCap > memoryEnd) return ENCODE_BAD_INPUT;
  resetWriter(outPtr, outCap);
  if (!room(1 + BATCH_LEN_RESERVE)) return ENCODE_NO_ROOM;
  writeByte(TAG_RESOURCE_SPANS_RESOURCE);
  const start = beginLen(BATCH_LEN_RESERVE);
  const result = writeAttributes(TAG_RESOURCE_ATTRIBUTES, attrHead);
  if (result < 0) return result;
  if (!writeCount(TAG_RESOURCE_DROPPED_ATTRIBUTES, droppedCount)) return ENCODE_NO_ROOM;
  if (!endLen(start, BATCH_LEN_RESERVE)) return ENCODE_NO_ROOM;
  return <i32>(pos - outPtr);
}

/** Encodes ScopeSpans.scope (tag included): InstrumentationScope name, version, attributes, dropped count. */
export function encodeScope(
  namePtr: usize, nameLen: u32, versionPtr: usize, versionLen: u32,
  attrHead: u32, droppedCount: u32, outPtr: usize, outCap: u32,
): i32 {
  if (outPtr + <usize>outCap > memoryEnd) return ENCODE_BAD_INPUT;
  resetWriter(outPtr, outCap);
  if (!room(1 + BATCH_LEN_RESERVE)) return ENCODE_NO_ROOM;
  writeByte(TAG_SCOPE_SPANS_SCOPE);
  const start = beginLen(BATCH_LEN_RESERVE);
  if (nameLen != 0 && !writeLenField(TAG_SCOPE_NAME, namePtr, nameLen)) return ENCODE_NO_ROOM;
  if (versionLen != 0 && !writeLenField(TAG_SCOPE_VERSION, versionPtr, versionLen)) return ENCODE_NO_ROOM;
  const result = writeAttributes(TAG_SCOPE_ATTRIBUTES, attrHead);
  if (result < 0) return result;
  if (!writeCount(TAG_SCOPE_DROPPED_ATTRIBUTES, droppedCount)) return ENCODE_NO_ROOM;
  if (!endLen(start, BATCH_LEN_RESERVE)) return ENCODE_NO_ROOM;
  return <i32>(pos - outPtr);
}
