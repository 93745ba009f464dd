// The linear-memory map shared by the arena (which writes columns) and the codec (which reads them): computes
// every region's offset from the configured capacities, once, and writes the column descriptor the codec reads.
// The descriptor slot order must match assembly/layout.ts (D_* constants) exactly. Allocates nothing after init.
import type { CodecExports } from './codec-module.js';

/** Capacities fixed at configuration time. Every pool is preallocated; nothing grows per span. */
export interface ArenaCapacity {
  /** Span slots: live spans plus ended spans waiting for export. */
  spans: number;
  /** Attribute records shared by span, event, link, resource and scope attributes and array elements. */
  attributes: number;
  /** Event records across all spans. */
  events: number;
  /** Link records across all spans. */
  links: number;
  /** UTF-8 bytes of the interned-string pool (two halves, recycled as spans are exported). */
  stringBytes: number;
  /** Instrumentation scopes (tracers). */
  scopes: number;
  /** Bytes for the pre-encoded Resource, InstrumentationScopes and their schema URLs. */
  constantBytes: number;
  /** Largest protobuf request body; a batch over it is split (OTLP caps requests at 64 MiB). */
  batchBytes: number;
}

/** OTLP receivers refuse requests over 64 MiB before compression (OTLP spec default): batchBytes never exceeds it. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Defaults: 4096 slots cover the default queue (2048) plus live spans; ~17 MiB of memory in all. */
export const DEFAULT_CAPACITY: ArenaCapacity = {
  spans: 4096,
  attributes: 4096 * 12,
  events: 4096,
  links: 2048,
  stringBytes: 4 * 1024 * 1024,
  scopes: 64,
  constantBytes: 256 * 1024,
  batchBytes: 4 * 1024 * 1024,
};

/** Descriptor slots, in the order of assembly/layout.ts D_* constants. */
export const COLUMN_SLOTS = [
  'spanTraceId', 'spanSpanId', 'spanParentId', 'spanFlags', 'spanKind', 'spanScope', 'spanNamePtr', 'spanNameLen',
  'spanTraceStatePtr', 'spanTraceStateLen', 'spanStartMs', 'spanEndMs', 'spanAttrHead', 'spanAttrDropped',
  'spanEventHead', 'spanEventDropped', 'spanLinkHead', 'spanLinkDropped', 'spanStatusCode', 'spanStatusMsgPtr',
  'spanStatusMsgLen',
  'attrKeyPtr', 'attrKeyLen', 'attrKind', 'attrNum', 'attrRefPtr', 'attrRefLen', 'attrNext',
  'eventTimeMs', 'eventNamePtr', 'eventNameLen', 'eventAttrHead', 'eventAttrDropped', 'eventNext',
  'linkTraceId', 'linkSpanId', 'linkTraceStatePtr', 'linkTraceStateLen', 'linkFlags', 'linkAttrHead',
  'linkAttrDropped', 'linkNext',
  'scopeBytesPtr', 'scopeBytesLen', 'scopeSchemaPtr', 'scopeSchemaLen',
  'spanStartNs', 'spanEndNs', 'eventTimeNs',
] as const;

export type ColumnName = (typeof COLUMN_SLOTS)[number];

/** Bytes per element of each column (16/8 for id columns, 8 for f64 times and numbers, else 4). */
const COLUMN_ELEMENT_BYTES: Partial<Record<ColumnName, number>> = {
  spanTraceId: 16, spanSpanId: 8, spanParentId: 8, spanStartMs: 8, spanEndMs: 8, spanStartNs: 8, spanEndNs: 8,
  attrNum: 8, eventTimeMs: 8, eventTimeNs: 8, linkTraceId: 16, linkSpanId: 8,
};

const DESCRIPTOR_SLOTS = COLUMN_SLOTS.length + 8; // + capacities, sort scratch, memory end

function columnCount(name: ColumnName, capacity: ArenaCapacity): number {
  // Pools are indexed by record id 1..N (0 = none), so they get one extra element.
  if (name.startsWith('span')) return capacity.spans;
  if (name.startsWith('attr')) return capacity.attributes + 1;
  if (name.startsWith('event')) return capacity.events + 1;
  if (name.startsWith('link')) return capacity.links + 1;
  return capacity.scopes;
}

/** Byte offsets of every region. Columns are indexed by name; each starts 16-byte aligned. */
export interface MemoryLayout {
  readonly columns: Readonly<Record<ColumnName, number>>;
  readonly descriptorPtr: number;
  readonly sortScratchPtr: number;
  /** u32[spans]: the slot list a processor hands to its exporter (SpanBatch.slots). */
  readonly batchSlotsPtr: number;
  /** u32[spans]: the slots of the request being encoded (a part of a batch): never the processor's list. */
  readonly encodeSlotsPtr: number;
  readonly stringPoolPtr: number;
  readonly constantsPtr: number;
  readonly outputPtr: number;
  readonly gzipScratchPtr: number;
  readonly gzipOutputPtr: number;
  readonly gzipOutputBytes: number;
  /** Encoded request parts waiting for their deferred gzip (codec/part-staging.ts), so none is copied out. */
  readonly stagingPtr: number;
  readonly stagingBytes: number;
  readonly endPtr: number;
}

/** Rounds up to a multiple of 16: every region starts 16-byte aligned. */
export const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Extra bytes behind the output region: the encoder writes length prefixes into reservations (ResourceSpans 3,
 * ScopeSpans 3, Span 2, Event/Link 1) and shrinks them when done, so a body of exactly batchBytes may need up to
 * 9 more bytes while it is being written. The JS side still refuses any body over batchBytes.
 */
export const OUTPUT_SLACK_BYTES = 16;

/**
 * Room for encoded parts waiting for their gzip macrotask: 8 parts of the default 64 KiB, i.e. the parts of two
 * 512-span batches. A part that finds no room is copied out instead (the slower path: a 64 KiB ArrayBuffer
 * allocated, zeroed and filled, then copied back for gzip: ~30 µs per part here, against ~2.5 µs for the copy
 * inside linear memory).
 */
export const STAGING_BYTES = 512 * 1024;

/** Lays out every region above `heapBase` for `capacity`; the codec supplies its own scratch needs. */
export function computeLayout(heapBase: number, capacity: ArenaCapacity, codec: CodecExports): MemoryLayout {
  let at = align16(heapBase);
  const take = (bytes: number): number => {
    const ptr = at;
    at = align16(at + bytes);
    return ptr;
  };
  const descriptorPtr = take(DESCRIPTOR_SLOTS * 4);
  const columns = {} as Record<ColumnName, number>;
  for (const name of COLUMN_SLOTS) {
    columns[name] = take(columnCount(name, capacity) * (COLUMN_ELEMENT_BYTES[name] ?? 4));
  }
  const sortScratchPtr = take((capacity.scopes + 1 + capacity.spans) * 4);
  const batchSlotsPtr = take(capacity.spans * 4);
  const encodeSlotsPtr = take(capacity.spans * 4);
  const stringPoolPtr = take(capacity.stringBytes);
  const constantsPtr = take(capacity.constantBytes);
  const outputPtr = take(capacity.batchBytes + OUTPUT_SLACK_BYTES);
  const gzipScratchPtr = take(codec.gzipScratchBytes() >>> 0);
  const gzipOutputBytes = codec.gzipBound(capacity.batchBytes) >>> 0;
  const gzipOutputPtr = take(gzipOutputBytes);
  const stagingPtr = take(STAGING_BYTES);
  return {
    columns, descriptorPtr, sortScratchPtr, batchSlotsPtr, encodeSlotsPtr, stringPoolPtr, constantsPtr, outputPtr,
    gzipScratchPtr, gzipOutputPtr, gzipOutputBytes, stagingPtr, stagingBytes: STAGING_BYTES, endPtr: at,
  };
}

/** Writes the descriptor (column pointers, capacities, scratch, memory end) and hands it to the codec. */
export function installColumns(
  layout: MemoryLayout, capacity: ArenaCapacity, memory: WebAssembly.Memory, codec: CodecExports,
): void {
  const slots = new Uint32Array(memory.buffer, layout.descriptorPtr, DESCRIPTOR_SLOTS);
  COLUMN_SLOTS.forEach((name, i) => { slots[i] = layout.columns[name]; });
  let i = COLUMN_SLOTS.length;
  slots[i++] = capacity.spans;
  slots[i++] = capacity.attributes;
  slots[i++] = capacity.events;
  slots[i++] = capacity.links;
  slots[i++] = capacity.scopes;
  slots[i++] = layout.sortScratchPtr;
  slots[i++] = layout.endPtr;
  codec.setColumns(layout.descriptorPtr);
}
