// The column map the encoder reads: pointers into linear memory, set once per arena by setColumns() from a
// descriptor the JS side writes (src/codec/memory-layout.ts owns the byte layout; the slot order below must
// match its COLUMN_SLOTS list exactly). Holds no data of its own and never allocates.
//
// Descriptor: an array of u32 at descPtr, one slot per entry, in this order.
//   span columns (index = slot)         attribute / event / link pools (index = record id, 1-based, 0 = none)
//   ┌────────────────────────────┐      ┌──────────────────────────────────┐
//   │ traceId  u8[16]  spanId u8[8] │    │ attr: keyPtr keyLen kind num(f64) │
//   │ parentId u8[8]   flags u32   │     │       refPtr refLen next          │
//   │ kind scope namePtr nameLen … │     │ event: timeMs(f64) name… next     │
//   └────────────────────────────┘      └──────────────────────────────────┘

export const D_SPAN_TRACE_ID: u32 = 0;
export const D_SPAN_SPAN_ID: u32 = 1;
export const D_SPAN_PARENT_ID: u32 = 2;
export const D_SPAN_FLAGS: u32 = 3;
export const D_SPAN_KIND: u32 = 4;
export const D_SPAN_SCOPE: u32 = 5;
export const D_SPAN_NAME_PTR: u32 = 6;
export const D_SPAN_NAME_LEN: u32 = 7;
export const D_SPAN_TRACE_STATE_PTR: u32 = 8;
export const D_SPAN_TRACE_STATE_LEN: u32 = 9;
export const D_SPAN_START_MS: u32 = 10;
export const D_SPAN_END_MS: u32 = 11;
export const D_SPAN_ATTR_HEAD: u32 = 12;
export const D_SPAN_ATTR_DROPPED: u32 = 13;
export const D_SPAN_EVENT_HEAD: u32 = 14;
export const D_SPAN_EVENT_DROPPED: u32 = 15;
export const D_SPAN_LINK_HEAD: u32 = 16;
export const D_SPAN_LINK_DROPPED: u32 = 17;
export const D_SPAN_STATUS_CODE: u32 = 18;
export const D_SPAN_STATUS_MSG_PTR: u32 = 19;
export const D_SPAN_STATUS_MSG_LEN: u32 = 20;
export const D_ATTR_KEY_PTR: u32 = 21;
export const D_ATTR_KEY_LEN: u32 = 22;
export const D_ATTR_KIND: u32 = 23;
export const D_ATTR_NUM: u32 = 24;
export const D_ATTR_REF_PTR: u32 = 25;
export const D_ATTR_REF_LEN: u32 = 26;
export const D_ATTR_NEXT: u32 = 27;
export const D_EVENT_TIME_MS: u32 = 28;
export const D_EVENT_NAME_PTR: u32 = 29;
export const D_EVENT_NAME_LEN: u32 = 30;
export const D_EVENT_ATTR_HEAD: u32 = 31;
export const D_EVENT_ATTR_DROPPED: u32 = 32;
export const D_EVENT_NEXT: u32 = 33;
export const D_LINK_TRACE_ID: u32 = 34;
export const D_LINK_SPAN_ID: u32 = 35;
export const D_LINK_TRACE_STATE_PTR: u32 = 36;
export const D_LINK_TRACE_STATE_LEN: u32 = 37;
export const D_LINK_FLAGS: u32 = 38;
export const D_LINK_ATTR_HEAD: u32 = 39;
export const D_LINK_ATTR_DROPPED: u32 = 40;
export const D_LINK_NEXT: u32 = 41;
export const D_SCOPE_BYTES_PTR: u32 = 42;
export const D_SCOPE_BYTES_LEN: u32 = 43;
export const D_SCOPE_SCHEMA_PTR: u32 = 44;
export const D_SCOPE_SCHEMA_LEN: u32 = 45;
export const D_SPAN_START_NS: u32 = 46;
export const D_SPAN_END_NS: u32 = 47;
export const D_EVENT_TIME_NS: u32 = 48;
export const D_SPAN_CAPACITY: u32 = 49;
export const D_ATTR_CAPACITY: u32 = 50;
export const D_EVENT_CAPACITY: u32 = 51;
export const D_LINK_CAPACITY: u32 = 52;
export const D_SCOPE_CAPACITY: u32 = 53;
export const D_SORT_SCRATCH_PTR: u32 = 54;
export const D_MEMORY_END: u32 = 55;
export const D_SLOT_COUNT: u32 = 56;

/** Attribute value kinds stored in the attr kind column (the JS side writes the same numbers). */
export const KIND_EMPTY: u32 = 0; // array element that was null/undefined: an AnyValue with no field set
export const KIND_STRING: u32 = 1;
export const KIND_BOOL: u32 = 2;
export const KIND_INT: u32 = 3;
export const KIND_DOUBLE: u32 = 4;
export const KIND_ARRAY: u32 = 5; // refPtr = first element record id, refLen = element count

// Column pointers, copied from the descriptor by setColumns(); read-only during encodeBatch().
export let spanTraceIdPtr: usize = 0;
export let spanSpanIdPtr: usize = 0;
export let spanParentIdPtr: usize = 0;
export let spanFlagsPtr: usize = 0;
export let spanKindPtr: usize = 0;
export let spanScopePtr: usize = 0;
export let spanNamePtrPtr: usize = 0;
export let spanNameLenPtr: usize = 0;
export let spanTraceStatePtrPtr: usize = 0;
export let spanTraceStateLenPtr: usize = 0;
// Times: whole milliseconds since the Unix epoch (an exact integer in an f64) plus nanoseconds within that
// millisecond (0 <= ns < 1e6, also an f64), so ms * 1e6 + ns is exact in i64 for any date the wire can carry.
export let spanStartMsPtr: usize = 0;
export let spanEndMsPtr: usize = 0;
export let spanStartNsPtr: usize = 0;
export let spanEndNsPtr: usize = 0;
export let spanAttrHeadPtr: usize = 0;
export let spanAttrDroppedPtr: usize = 0;
export let spanEventHeadPtr: usize = 0;
export let spanEventDroppedPtr: usize = 0;
export let spanLinkHeadPtr: usize = 0;
export let spanLinkDroppedPtr: usize = 0;
export let spanStatusCodePtr: usize = 0;
export let spanStatusMsgPtrPtr: usize = 0;
export let spanStatusMsgLenPtr: usize = 0;
export let attrKeyPtrPtr: usize = 0;
export let attrKeyLenPtr: usize = 0;
export let attrKindPtr: usize = 0;
export let attrNumPtr: usize = 0;
export let attrRefPtrPtr: usize = 0;
export let attrRefLenPtr: usize = 0;
export let attrNextPtr: usize = 0;
export let eventTimeMsPtr: usize = 0;
export let eventTimeNsPtr: usize = 0;
export let eventNamePtrPtr: usize = 0;
export let eventNameLenPtr: usize = 0;
export let eventAttrHeadPtr: usize = 0;
export let eventAttrDroppedPtr: usize = 0;
export let eventNextPtr: usize = 0;
export let linkTraceIdPtr: usize = 0;
export let linkSpanIdPtr: usize = 0;
export let linkTraceStatePtrPtr: usize = 0;
export let linkTraceStateLenPtr: usize = 0;
export let linkFlagsPtr: usize = 0;
export let linkAttrHeadPtr: usize = 0;
export let linkAttrDroppedPtr: usize = 0;
export let linkNextPtr: usize = 0;
export let scopeBytesPtrPtr: usize = 0;
export let scopeBytesLenPtr: usize = 0;
export let scopeSchemaPtrPtr: usize = 0;
export let scopeSchemaLenPtr: usize = 0;
export let spanCapacity: u32 = 0;
export let attrCapacity: u32 = 0;
export let eventCapacity: u32 = 0;
export let linkCapacity: u32 = 0;
export let scopeCapacity: u32 = 0;
export let sortScratchPtr: usize = 0;
export let memoryEnd: usize = 0;

@inline function slot(descPtr: usize, index: u32): usize {
  return <usize>load<u32>(descPtr + (<usize>index << 2));
}

/** Reads the descriptor (D_SLOT_COUNT u32 slots at descPtr) into the column globals. Called once per arena. */
export function setColumns(descPtr: usize): void {
  spanTraceIdPtr = slot(descPtr, D_SPAN_TRACE_ID);
  spanSpanIdPtr = slot(descPtr, D_SPAN_SPAN_ID);
  spanParentIdPtr = slot(descPtr, D_SPAN_PARENT_ID);
  spanFlagsPtr = slot(descPtr, D_SPAN_FLAGS);
  spanKindPtr = slot(descPtr, D_SPAN_KIND);
  spanScopePtr = slot(descPtr, D_SPAN_SCOPE);
  spanNamePtrPtr = slot(descPtr, D_SPAN_NAME_PTR);
  spanNameLenPtr = slot(descPtr, D_SPAN_NAME_LEN);
  spanTraceStatePtrPtr = slot(descPtr, D_SPAN_TRACE_STATE_PTR);
  spanTraceStateLenPtr = slot(descPtr, D_SPAN_TRACE_STATE_LEN);
  spanStartMsPtr = slot(descPtr, D_SPAN_START_MS);
  spanEndMsPtr = slot(descPtr, D_SPAN_END_MS);
  spanAttrHeadPtr = slot(descPtr, D_SPAN_ATTR_HEAD);
  spanAttrDroppedPtr = slot(descPtr, D_SPAN_ATTR_DROPPED);
  spanEventHeadPtr = slot(descPtr, D_SPAN_EVENT_HEAD);
  spanEventDroppedPtr = slot(descPtr, D_SPAN_EVENT_DROPPED);
  spanLinkHeadPtr = slot(descPtr, D_SPAN_LINK_HEAD);
  spanLinkDroppedPtr = slot(descPtr, D_SPAN_LINK_DROPPED);
  spanStatusCodePtr = slot(descPtr, D_SPAN_STATUS_CODE);
  spanStatusMsgPtrPtr = slot(descPtr, D_SPAN_STATUS_MSG_PTR);
  spanStatusMsgLenPtr = slot(descPtr, D_SPAN_STATUS_MSG_LEN);
  attrKeyPtrPtr = slot(descPtr, D_ATTR_KEY_PTR);
  attrKeyLenPtr = slot(descPtr, D_ATTR_KEY_LEN);
  attrKindPtr = slot(descPtr, D_ATTR_KIND);
  attrNumPtr = slot(descPtr, D_ATTR_NUM);
  attrRefPtrPtr = slot(descPtr, D_ATTR_REF_PTR);
  attrRefLenPtr = slot(descPtr, D_ATTR_REF_LEN);
  attrNextPtr = slot(descPtr, D_ATTR_NEXT);
  eventTimeMsPtr = slot(descPtr, D_EVENT_TIME_MS);
  eventNamePtrPtr = slot(descPtr, D_EVENT_NAME_PTR);
  eventNameLenPtr = slot(descPtr, D_EVENT_NAME_LEN);
  eventAttrHeadPtr = slot(descPtr, D_EVENT_ATTR_HEAD);
  eventAttrDroppedPtr = slot(descPtr, D_EVENT_ATTR_DROPPED);
  eventNextPtr = slot(descPtr, D_EVENT_NEXT);
  linkTraceIdPtr = slot(descPtr, D_LINK_TRACE_ID);
  linkSpanIdPtr = slot(descPtr, D_LINK_SPAN_ID);
  linkTraceStatePtrPtr = slot(descPtr, D_LINK_TRACE_STATE_PTR);
  linkTraceStateLenPtr = slot(descPtr, D_LINK_TRACE_STATE_LEN);
  linkFlagsPtr = slot(descPtr, D_LINK_FLAGS);
  linkAttrHeadPtr = slot(descPtr, D_LINK_ATTR_HEAD);
  linkAttrDroppedPtr = slot(descPtr, D_LINK_ATTR_DROPPED);
  linkNextPtr = slot(descPtr, D_LINK_NEXT);
  scopeBytesPtrPtr = slot(descPtr, D_SCOPE_BYTES_PTR);
  scopeBytesLenPtr = slot(descPtr, D_SCOPE_BYTES_LEN);
  scopeSchemaPtrPtr = slot(descPtr, D_SCOPE_SCHEMA_PTR);
  scopeSchemaLenPtr = slot(descPtr, D_SCOPE_SCHEMA_LEN);
  spanStartNsPtr = slot(descPtr, D_SPAN_START_NS);
  spanEndNsPtr = slot(descPtr, D_SPAN_END_NS);
  eventTimeNsPtr = slot(descPtr, D_EVENT_TIME_NS);
  spanCapacity = <u32>slot(descPtr, D_SPAN_CAPACITY);
  attrCapacity = <u32>slot(descPtr, D_ATTR_CAPACITY);
  eventCapacity = <u32>slot(descPtr, D_EVENT_CAPACITY);
  linkCapacity = <u32>slot(descPtr, D_LINK_CAPACITY);
  scopeCapacity = <u32>slot(descPtr, D_SCOPE_CAPACITY);
  sortScratchPtr = slot(descPtr, D_SORT_SCRATCH_PTR);
  memoryEnd = slot(descPtr, D_MEMORY_END);
}
