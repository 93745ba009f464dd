// Slow path: materialises one arena span as a plain, self-contained object (the shape of the official SDK's
// ReadableSpan) for in-memory and console exporters and adapters to official SpanProcessors.
// Allocates freely (it is never on the hot path); never mutates the arena.
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { KIND_ARRAY, KIND_BOOL, KIND_DOUBLE, KIND_INT, KIND_STRING } from './attribute-kind.js';

import { parseTraceState } from '../propagation/trace-state.js';
import type { SpanArena } from './span-arena.js';

/** A finished span, detached from the arena: safe to keep after the slot is recycled. */
export interface FinishedSpan {
  name: string;
  kind: SpanKind;
  spanContext: SpanContext;
  /** '' for a root span. */
  parentSpanId: string;
  /** Span.flags bits 8-9: whether the parent is remote (undefined for roots). */
  parentIsRemote: boolean | undefined;
  startTime: HrTime;
  endTime: HrTime;
  /** Unix nanoseconds, exactly as written on the wire. */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: { name: string; time: HrTime; timeUnixNano: bigint; attributes: Attributes; droppedAttributesCount: number }[];
  droppedEventsCount: number;
  links: (Link & { droppedAttributesCount: number })[];
  droppedLinksCount: number;
  status: SpanStatus;
  instrumentationScope: { name: string; version: string; schemaUrl: string };
  resource: { attributes: Readonly<Record<string, unknown>>; schemaUrl: string };
}

/** A stored time (whole epoch ms + ns within it) as Unix nanoseconds, as the codec writes it. */
function unixNanos(epochMs: number, ns: number): bigint {
  return BigInt(epochMs) * 1000000n + BigInt(ns);
}

function toHrTime(unixNanos: bigint): HrTime {
  return [Number(unixNanos / 1000000000n), Number(unixNanos % 1000000000n)];
}

function hex(bytes: Uint8Array, offset: number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) out += (bytes[offset + i]! + 0x100).toString(16).slice(1);
  return out;
}

function scalar(arena: SpanArena, id: number): unknown {
  switch (arena.attrKind[id]) {
    case KIND_STRING: return arena.readString(arena.attrRefPtr[id]!, arena.attrRefLen[id]!);
    case KIND_BOOL: return arena.attrNum[id] !== 0;
    case KIND_INT:
    case KIND_DOUBLE: return arena.attrNum[id];
    default: return null; // an empty AnyValue inside an array
  }
}

function readAttributes(arena: SpanArena, head: number): Attributes {
  const out: Attributes = {};
  for (let id = head; id !== 0; id = arena.attrNext[id]!) {
    const key = arena.readString(arena.attrKeyPtr[id]!, arena.attrKeyLen[id]!);
    if (arena.attrKind[id] === KIND_ARRAY) {
      const values: unknown[] = [];
      for (let e = arena.attrRefPtr[id]!; e !== 0; e = arena.attrNext[e]!) values.push(scalar(arena, e));
      out[key] = values as Attributes[string];
    } else {
      out[key] = scalar(arena, id) as Attributes[string];
    }
  }
  return out;
}

/** Reads the span in `slot` (which must hold a span) into a detached FinishedSpan. */
export function readFinishedSpan(arena: SpanArena, slot: number): FinishedSpan {
  const flags = arena.spanFlags[slot]!;
  const parentSpanId = hex(arena.spanParentId, slot * 8, 8);
  const isRoot = parentSpanId === '0000000000000000';
  const start = unixNanos(arena.spanStartMs[slot]!, arena.spanStartNs[slot]!);
  const end = unixNanos(arena.spanEndMs[slot]!, arena.spanEndNs[slot]!);
  const traceState = arena.readString(arena.spanTraceStatePtr[slot]!, arena.spanTraceStateLen[slot]!);
  const events: FinishedSpan['events'] = [];
  for (let id = arena.spanEventHead[slot]!; id !== 0; id = arena.eventNext[id]!) {
    const time = unixNanos(arena.eventTimeMs[id]!, arena.eventTimeNs[id]!);
    events.push({
      name: arena.readString(arena.eventNamePtr[id]!, arena.eventNameLen[id]!), time: toHrTime(time),
      timeUnixNano: time, attributes: readAttributes(arena, arena.eventAttrHead[id]!),
      droppedAttributesCount: arena.eventAttrDropped[id]!,
    });
  }
  const links: FinishedSpan['links'] = [];
  for (let id = arena.spanLinkHead[slot]!; id !== 0; id = arena.linkNext[id]!) {
    const linkState = arena.readString(arena.linkTraceStatePtr[id]!, arena.linkTraceStateLen[id]!);
    links.push({
      context: {
        traceId: hex(arena.linkTraceId, id * 16, 16), spanId: hex(arena.linkSpanId, id * 8, 8),
        traceFlags: arena.linkFlags[id]! & 0xff, isRemote: (arena.linkFlags[id]! & 0x200) !== 0,
        ...(linkState ? { traceState: parseTraceState(linkState) } : {}),
      },
      attributes: readAttributes(arena, arena.linkAttrHead[id]!),
      droppedAttributesCount: arena.linkAttrDropped[id]!,
    });
  }
  const statusCode = arena.spanStatusCode[slot]!;
  const statusMessage = arena.readString(arena.spanStatusMsgPtr[slot]!, arena.spanStatusMsgLen[slot]!);
  return {
    name: arena.readString(arena.spanNamePtr[slot]!, arena.spanNameLen[slot]!),
    kind: Math.max(arena.spanKind[slot]! - 1, 0) as SpanKind,
    spanContext: {
      traceId: hex(arena.spanTraceId, slot * 16, 16), spanId: hex(arena.spanSpanId, slot * 8, 8),
      traceFlags: flags & 0xff, isRemote: false, ...(traceState ? { traceState: parseTraceState(traceState) } : {}),
    },
    parentSpanId: isRoot ? '' : parentSpanId,
    parentIsRemote: isRoot ? undefined : (flags & 0x200) !== 0,
    startTime: toHrTime(start), endTime: toHrTime(end), startTimeUnixNano: start, endTimeUnixNano: end,
    attributes: readAttributes(arena, arena.spanAttrHead[slot]!),
    droppedAttributesCount: arena.spanAttrDropped[slot]!,
    events, droppedEventsCount: arena.spanEventDropped[slot]!,
    links, droppedLinksCount: arena.spanLinkDropped[slot]!,
    status: statusMessage ? { code: statusCode, message: statusMessage } : { code: statusCode },
    instrumentationScope: arena.scopeInfo[arena.spanScope[slot]!] ?? { name: '', version: '', schemaUrl: '' },
    resource: arena.resourceInfo,
  };
}
