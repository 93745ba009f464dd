// Owns the independent test oracle that turns OTLP/protobuf bytes into plain objects for field-by-field assertions.
// Implements ExportTraceServiceRequest/Response (opentelemetry-proto collector/trace/v1) and google.rpc.Status.
// Must never import from src/ or assembly/ and never forgive the wire: unknown fields or bad UTF-8 throw.

import protobuf from 'protobufjs';
import { messageType, TYPE_NAMES } from './otlp-trace-schema.js';

// ---------------------------------------------------------------------------------------------
// Raw wire walker: our own reader, deliberately sharing nothing with protobufjs, so that tag bytes,
// field order and default-field omission are checked by a second implementation.
// ---------------------------------------------------------------------------------------------

/** Wire type 0: a base-128 varint (int32, int64, uint32, uint64, sint*, bool, enum). */
export const WIRE_VARINT = 0;
/** Wire type 1: 8 bytes little-endian (fixed64, sfixed64, double). */
export const WIRE_I64 = 1;
/** Wire type 2: a varint byte length, then that many bytes (string, bytes, messages, packed repeats). */
export const WIRE_LEN = 2;
/** Wire type 5: 4 bytes little-endian (fixed32, sfixed32, float). */
export const WIRE_I32 = 5;

/** One field of one message level, as the raw walker saw it. `offset`/`end` bound tag + payload. */
export type WireField =
  | { field: number; wireType: typeof WIRE_VARINT; value: bigint; offset: number; end: number }
  | { field: number; wireType: typeof WIRE_I64; value: bigint; offset: number; end: number }
  | { field: number; wireType: typeof WIRE_LEN; bytes: Uint8Array; offset: number; end: number }
  | { field: number; wireType: typeof WIRE_I32; value: number; offset: number; end: number };

/** Thrown for anything the oracle refuses: malformed wire, unknown fields, non-canonical values. */
export class OtlpWireError extends Error {
  /** What is wrong, without the location. */
  readonly problem: string;
  /** Dotted path of the message being read, e.g. `ExportTraceServiceRequest.resourceSpans[0]`. */
  readonly path: string;
  /** Byte offset (from the start of the top-level buffer) where the problem starts. */
  readonly offset: number;

  constructor(problem: string, path: string, offset: number) {
    super(`${path}: ${problem} at byte ${offset}`);
    this.name = 'OtlpWireError';
    this.problem = problem;
    this.path = path;
    this.offset = offset;
  }
}

/**
 * Reads one base-128 varint as an unsigned 64-bit bigint.
 * A 10th byte may only carry bit 63, so anything above 1 there is an overflow, not a long varint.
 * @throws OtlpWireError on truncation or overflow.
 */
export function readVarint(bytes: Uint8Array, pos: number): { value: bigint; end: number } {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) throw new OtlpWireError('truncated varint', '(wire)', pos);
    const byte = bytes[pos + i]!;
    if (i === 9 && byte > 1) throw new OtlpWireError('varint overflows 64 bits', '(wire)', pos);
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return { value, end: pos + i + 1 };
  }
  throw new OtlpWireError('varint overflows 64 bits', '(wire)', pos);
}

/**
 * Splits one message level into its fields, in wire order, without interpreting any of them.
 * LEN payloads are views into `bytes` (not copies). Groups (wire types 3/4) are rejected: OTLP has none.
 * @throws OtlpWireError on truncation, field number 0, or an unsupported wire type.
 */
export function walkProtobufFields(bytes: Uint8Array): WireField[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const offset = pos;
    const tag = readVarint(bytes, pos);
    pos = tag.end;
    // A tag is a uint32: field numbers stop at 2^29 - 1.
    if (tag.value > 0xffffffffn) throw new OtlpWireError('tag does not fit 32 bits', '(wire)', offset);
    const field = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (field === 0) throw new OtlpWireError('field number 0', '(wire)', offset);
    if (wireType === WIRE_VARINT) {
      const v = readVarint(bytes, pos);
      pos = v.end;
      fields.push({ field, wireType, value: v.value, offset, end: pos });
    } else if (wireType === WIRE_I64) {
      if (pos + 8 > bytes.length) throw new OtlpWireError('truncated fixed64', '(wire)', offset);
      fields.push({ field, wireType, value: view.getBigUint64(pos, true), offset, end: pos + 8 });
      pos += 8;
    } else if (wireType === WIRE_LEN) {
      const len = readVarint(bytes, pos);
      pos = len.end;
      if (len.value > BigInt(bytes.length - pos)) {
        throw new OtlpWireError(`length ${len.value} runs past the end`, '(wire)', offset);
      }
      const end = pos + Number(len.value);
      fields.push({ field, wireType, bytes: bytes.subarray(pos, end), offset, end });
      pos = end;
    } else if (wireType === WIRE_I32) {
      if (pos + 4 > bytes.length) throw new OtlpWireError('truncated fixed32', '(wire)', offset);
      fields.push({ field, wireType, value: view.getUint32(pos, true), offset, end: pos + 4 });
      pos += 4;
    } else {
      throw new OtlpWireError(`unsupported wire type ${wireType} (field ${field})`, '(wire)', offset);
    }
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Strict schema check: protobufjs silently skips unknown fields and applies last-one-wins to
// repeats, which would hide encoder bugs. Walk the raw bytes against the schema first.
// ---------------------------------------------------------------------------------------------

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });
const INT32_MIN_AS_UINT64 = (1n << 64n) - (1n << 31n);

function expectedWireType(field: protobuf.Field): number {
  switch (field.type) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return WIRE_I64;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return WIRE_I32;
    case 'string':
    case 'bytes':
      return WIRE_LEN;
    default:
      return field.resolvedType instanceof protobuf.Type ? WIRE_LEN : WIRE_VARINT;
  }
}

function checkVarintRange(field: protobuf.Field, value: bigint, path: string, offset: number): void {
  const enumType = field.resolvedType instanceof protobuf.Enum ? field.resolvedType : null;
  if (field.type === 'bool' && value > 1n) {
    throw new OtlpWireError(`bool encoded as ${value}, expected 0 or 1`, path, offset);
  }
  if (field.type === 'uint32' && value > 0xffffffffn) {
    throw new OtlpWireError(`uint32 value ${value} exceeds 32 bits`, path, offset);
  }
  // int32 and enums are sign-extended to 64 bits on the wire, so a negative value is 10 bytes.
  if ((field.type === 'int32' || enumType) && value >= 1n << 31n && value < INT32_MIN_AS_UINT64) {
    throw new OtlpWireError(`int32 value ${value} out of range`, path, offset);
  }
  // Proto3 enums are open, but an out-of-range kind or status code from our encoder is a bug.
  if (enumType && !Object.values(enumType.values).includes(Number(BigInt.asIntN(32, value)))) {
    throw new OtlpWireError(`value ${BigInt.asIntN(32, value)} is not in enum ${enumType.name}`, path, offset);
  }
}

/**
 * Walks `bytes` as a message of `type`, recursing into every known sub-message, and throws on:
 * a field number the schema does not declare (reserved numbers included); a wire type that does
 * not match the declared type; a singular field or a second oneof member appearing twice (legal
 * protobuf, last one wins, but always an encoder bug here); a string that is not valid UTF-8;
 * bool not 0/1, uint32 over 32 bits, int32/enum out of range or an enum number not declared.
 */
function checkMessage(bytes: Uint8Array, type: protobuf.Type, path: string, base: number): void {
  let fields: WireField[];
  try {
    fields = walkProtobufFields(bytes);
  } catch (error) {
    if (error instanceof OtlpWireError) throw new OtlpWireError(error.problem, path, base + error.offset);
    throw error;
  }
  const seenCount = new Map<number, number>();
  const oneofMember = new Map<string, string>();
  for (const wire of fields) {
    const offset = base + wire.offset;
    const def = type.fieldsById[wire.field];
    if (!def) {
      throw new OtlpWireError(`unknown field ${wire.field} (wire type ${wire.wireType}) in ${type.fullName.slice(1)}`, path, offset);
    }
    const index = seenCount.get(wire.field) ?? 0;
    seenCount.set(wire.field, index + 1);
    const here = def.repeated ? `${path}.${def.name}[${index}]` : `${path}.${def.name}`;
    if (!def.repeated && index > 0) throw new OtlpWireError(`singular field ${def.name} appears twice`, path, offset);
    if (def.partOf) {
      const previous = oneofMember.get(def.partOf.name);
      if (previous !== undefined) {
        throw new OtlpWireError(`oneof ${def.partOf.name} has both ${previous} and ${def.name}`, path, offset);
      }
      oneofMember.set(def.partOf.name, def.name);
    }
    const expected = expectedWireType(def);
    if (wire.wireType !== expected) {
      throw new OtlpWireError(`field ${def.name} has wire type ${wire.wireType}, expected ${expected}`, here, offset);
    }
    if (wire.wireType === WIRE_VARINT) checkVarintRange(def, wire.value, here, offset);
    if (wire.wireType !== WIRE_LEN) continue;
    const payloadBase = base + wire.end - wire.bytes.length;
    if (def.type === 'string') {
      try {
        UTF8_STRICT.decode(wire.bytes);
      } catch {
        throw new OtlpWireError(`field ${def.name} is not valid UTF-8`, here, payloadBase);
      }
    } else if (def.resolvedType instanceof protobuf.Type) {
      checkMessage(wire.bytes, def.resolvedType, here, payloadBase);
    }
  }
}

/**
 * Checks `bytes` strictly against one message type of the oracle schema (see the rules above),
 * recursing into every nested message. Use it for encoders of a single sub-message.
 * @param typeName a fully qualified name, e.g. `TYPE_NAMES.span`.
 * @throws OtlpWireError naming the path and byte offset of the first problem.
 */
export function checkWire(bytes: Uint8Array, typeName: string): void {
  const type = messageType(typeName);
  checkMessage(bytes, type, type.name, 0);
}

// ---------------------------------------------------------------------------------------------
// Decoded shapes: proto3 defaults filled in ('' / 0 / 0n / []), ids as lowercase hex.
// ---------------------------------------------------------------------------------------------

/**
 * One `common.v1.AnyValue`: exactly one key, named after the oneof member on the wire, or no key
 * for an empty AnyValue. `stringValueStrindex` is Profiling-only and should never appear in traces.
 */
export type DecodedAnyValue =
  | Record<string, never>
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: bigint }
  | { doubleValue: number }
  | { bytesValue: Uint8Array }
  | { arrayValue: DecodedAnyValue[] }
  | { kvlistValue: DecodedKeyValue[] }
  | { stringValueStrindex: number };

/** `common.v1.KeyValue`; `keyStrindex` (Profiling-only) is present only when it was on the wire. */
export interface DecodedKeyValue {
  key: string;
  value: DecodedAnyValue;
  keyStrindex?: number;
}

/** `common.v1.EntityRef`, referenced from `Resource.entity_refs`. */
export interface DecodedEntityRef {
  schemaUrl: string;
  type: string;
  idKeys: string[];
  descriptionKeys: string[];
}

/** `resource.v1.Resource` (all defaults when absent from the wire). */
export interface DecodedResource {
  attributes: DecodedKeyValue[];
  droppedAttributesCount: number;
  entityRefs: DecodedEntityRef[];
}

/** `common.v1.InstrumentationScope` (all defaults when absent from the wire). */
export interface DecodedInstrumentationScope {
  name: string;
  version: string;
  attributes: DecodedKeyValue[];
  droppedAttributesCount: number;
}

/** `trace.v1.Span.Event`. */
export interface DecodedEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: DecodedKeyValue[];
  droppedAttributesCount: number;
}

/** `trace.v1.Span.Link`. */
export interface DecodedLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: DecodedKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

/** `trace.v1.Status`; `code` is a `STATUS_CODE` number. `{ code: 0, message: '' }` when absent. */
export interface DecodedStatus {
  code: number;
  message: string;
}

/** `trace.v1.Span`; `kind` is a `SPAN_KIND` number, times are unsigned nanoseconds. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: DecodedKeyValue[];
  droppedAttributesCount: number;
  events: DecodedEvent[];
  droppedEventsCount: number;
  links: DecodedLink[];
  droppedLinksCount: number;
  status: DecodedStatus;
}

/** `trace.v1.ScopeSpans`. */
export interface DecodedScopeSpans {
  scope: DecodedInstrumentationScope;
  spans: DecodedSpan[];
  schemaUrl: string;
}

/** `trace.v1.ResourceSpans`. */
export interface DecodedResourceSpans {
  resource: DecodedResource;
  scopeSpans: DecodedScopeSpans[];
  schemaUrl: string;
}

/** `collector.trace.v1.ExportTraceServiceRequest`. */
export interface DecodedExportTraceRequest {
  resourceSpans: DecodedResourceSpans[];
}

/** `collector.trace.v1.ExportTraceServiceResponse`; `partialSuccess` is null when the field is absent. */
export interface DecodedExportTraceResponse {
  partialSuccess: { rejectedSpans: bigint; errorMessage: string } | null;
}

/** `google.protobuf.Any`; `value` is left undecoded. */
export interface DecodedAny {
  typeUrl: string;
  value: Uint8Array;
}

/** `google.rpc.Status`, the body of failed OTLP/HTTP responses and of `grpc-status-details-bin`. */
export interface DecodedGoogleRpcStatus {
  code: number;
  message: string;
  details: DecodedAny[];
}

// What protobufjs hands back: absent scalars read through to prototype defaults, absent messages are
// null, 64-bit integers are Long objects (the `long` package is installed) or plain numbers.
interface LongLike {
  toString(): string;
}
type PbBytes = Uint8Array | number[];
interface PbAnyValue {
  value?: string;
  stringValue: string;
  boolValue: boolean;
  intValue: LongLike | number;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: PbBytes;
  stringValueStrindex: number;
}
interface PbKeyValue {
  key: string;
  value: PbAnyValue | null;
  keyStrindex: number;
}
interface PbEntityRef {
  schemaUrl: string;
  type: string;
  idKeys: string[];
  descriptionKeys: string[];
}
interface PbResource {
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  entityRefs: PbEntityRef[];
}
interface PbScope {
  name: string;
  version: string;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
}
interface PbEvent {
  timeUnixNano: LongLike | number;
  name: string;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
}
interface PbLink {
  traceId: PbBytes;
  spanId: PbBytes;
  traceState: string;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}
interface PbSpan {
  traceId: PbBytes;
  spanId: PbBytes;
  traceState: string;
  parentSpanId: PbBytes;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: LongLike | number;
  endTimeUnixNano: LongLike | number;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  events: PbEvent[];
  droppedEventsCount: number;
  links: PbLink[];
  droppedLinksCount: number;
  status: { code: number; message: string } | null;
}
interface PbRequest {
  resourceSpans: {
    resource: PbResource | null;
    scopeSpans: { scope: PbScope | null; spans: PbSpan[]; schemaUrl: string }[];
    schemaUrl: string;
  }[];
}

function toBigInt(value: LongLike | number): bigint {
  return BigInt(value.toString());
}

function toBytes(value: PbBytes): Uint8Array {
  // Always a fresh plain Uint8Array: protobufjs may return a Buffer, an Array or a shared view.
  return Uint8Array.from(value);
}

/** Lowercase hex of a byte string; '' for an empty or absent id. */
export function bytesToHex(bytes: Uint8Array | number[]): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function mapAnyValue(pb: PbAnyValue | null): DecodedAnyValue {
  switch (pb?.value) {
    case 'stringValue':
      return { stringValue: pb.stringValue };
    case 'boolValue':
      return { boolValue: pb.boolValue };
    case 'intValue':
      return { intValue: toBigInt(pb.intValue) };
    case 'doubleValue':
      return { doubleValue: pb.doubleValue };
    case 'bytesValue':
      return { bytesValue: toBytes(pb.bytesValue) };
    case 'arrayValue':
      return { arrayValue: (pb.arrayValue?.values ?? []).map(mapAnyValue) };
    case 'kvlistValue':
      return { kvlistValue: (pb.kvlistValue?.values ?? []).map(mapKeyValue) };
    case 'stringValueStrindex':
      return { stringValueStrindex: pb.stringValueStrindex };
    default:
      return {};
  }
}

function mapKeyValue(pb: PbKeyValue): DecodedKeyValue {
  const decoded: DecodedKeyValue = { key: pb.key, value: mapAnyValue(pb.value) };
  // Own property only when protobufjs read it from the wire; the prototype default is 0.
  if (Object.prototype.hasOwnProperty.call(pb, 'keyStrindex')) decoded.keyStrindex = pb.keyStrindex;
  return decoded;
}

function mapResource(pb: PbResource | null): DecodedResource {
  return {
    attributes: (pb?.attributes ?? []).map(mapKeyValue),
    droppedAttributesCount: pb?.droppedAttributesCount ?? 0,
    entityRefs: (pb?.entityRefs ?? []).map((ref) => ({
      schemaUrl: ref.schemaUrl,
      type: ref.type,
      idKeys: [...ref.idKeys],
      descriptionKeys: [...ref.descriptionKeys],
    })),
  };
}

function mapScope(pb: PbScope | null): DecodedInstrumentationScope {
  return {
    name: pb?.name ?? '',
    version: pb?.version ?? '',
    attributes: (pb?.attributes ?? []).map(mapKeyValue),
    droppedAttributesCount: pb?.droppedAttributesCount ?? 0,
  };
}

function mapSpan(pb: PbSpan): DecodedSpan {
  return {
    traceId: bytesToHex(pb.traceId),
    spanId: bytesToHex(pb.spanId),
    traceState: pb.traceState,
    parentSpanId: bytesToHex(pb.parentSpanId),
    flags: pb.flags,
    name: pb.name,
    kind: pb.kind,
    startTimeUnixNano: toBigInt(pb.startTimeUnixNano),
    endTimeUnixNano: toBigInt(pb.endTimeUnixNano),
    attributes: pb.attributes.map(mapKeyValue),
    droppedAttributesCount: pb.droppedAttributesCount,
    events: pb.events.map((event) => ({
      timeUnixNano: toBigInt(event.timeUnixNano),
      name: event.name,
      attributes: event.attributes.map(mapKeyValue),
      droppedAttributesCount: event.droppedAttributesCount,
    })),
    droppedEventsCount: pb.droppedEventsCount,
    links: pb.links.map((link) => ({
      traceId: bytesToHex(link.traceId),
      spanId: bytesToHex(link.spanId),
      traceState: link.traceState,
      attributes: link.attributes.map(mapKeyValue),
      droppedAttributesCount: link.droppedAttributesCount,
      flags: link.flags,
    })),
    droppedLinksCount: pb.droppedLinksCount,
    status: { code: pb.status?.code ?? 0, message: pb.status?.message ?? '' },
  };
}

function strictDecode(bytes: Uint8Array, typeName: string): unknown {
  const type = messageType(typeName);
  checkMessage(bytes, type, type.name, 0);
  return type.decode(bytes);
}

/**
 * Decodes an OTLP `ExportTraceServiceRequest` after the strict schema check (`checkWire`).
 * Absent strings are '', absent counts 0, absent times 0n, absent ids '', absent Resource /
 * InstrumentationScope / Status are their default (empty) values: use `walkProtobufFields` to
 * assert presence or omission on the wire.
 * @throws OtlpWireError on malformed or non-canonical input.
 */
export function decodeExportTraceRequest(bytes: Uint8Array): DecodedExportTraceRequest {
  const pb = strictDecode(bytes, TYPE_NAMES.exportTraceServiceRequest) as PbRequest;
  return {
    resourceSpans: pb.resourceSpans.map((rs) => ({
      resource: mapResource(rs.resource),
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: mapScope(ss.scope),
        spans: ss.spans.map(mapSpan),
        schemaUrl: ss.schemaUrl,
      })),
      schemaUrl: rs.schemaUrl,
    })),
  };
}

/** One span with the resource and scope it was sent under, as `listSpans` yields it. */
export interface LocatedSpan {
  resource: DecodedResource;
  resourceSchemaUrl: string;
  scope: DecodedInstrumentationScope;
  scopeSchemaUrl: string;
  span: DecodedSpan;
}

/** Flattens a decoded request into its spans in wire order, each with its resource and scope. */
export function listSpans(request: DecodedExportTraceRequest): LocatedSpan[] {
  const located: LocatedSpan[] = [];
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        located.push({
          resource: rs.resource,
          resourceSchemaUrl: rs.schemaUrl,
          scope: ss.scope,
          scopeSchemaUrl: ss.schemaUrl,
          span,
        });
      }
    }
  }
  return located;
}

/**
 * Decodes an OTLP `ExportTraceServiceResponse` strictly; `partialSuccess` is null when absent
 * (a plain success), otherwise its fields with proto3 defaults.
 * @throws OtlpWireError on malformed or non-canonical input.
 */
export function decodeExportTraceResponse(bytes: Uint8Array): DecodedExportTraceResponse {
  const pb = strictDecode(bytes, TYPE_NAMES.exportTraceServiceResponse) as {
    partialSuccess: { rejectedSpans: LongLike | number; errorMessage: string } | null;
  };
  const partial = pb.partialSuccess;
  return {
    partialSuccess: partial
      ? { rejectedSpans: toBigInt(partial.rejectedSpans), errorMessage: partial.errorMessage }
      : null,
  };
}

/**
 * Decodes a `google.rpc.Status` strictly; `details` stay packed as `{ typeUrl, value }`.
 * @throws OtlpWireError on malformed or non-canonical input.
 */
export function decodeGoogleRpcStatus(bytes: Uint8Array): DecodedGoogleRpcStatus {
  const pb = strictDecode(bytes, TYPE_NAMES.googleRpcStatus) as {
    code: number;
    message: string;
    details: { typeUrl: string; value: PbBytes }[];
  };
  return {
    code: pb.code,
    message: pb.message,
    details: pb.details.map((any) => ({ typeUrl: any.typeUrl, value: toBytes(any.value) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Encoders for fake collectors in transport tests. Defaults are left off the wire, as a
// conforming server would do.
// ---------------------------------------------------------------------------------------------

function encodeMessage(typeName: string, object: Record<string, unknown>): Uint8Array {
  const type = messageType(typeName);
  return Uint8Array.from(type.encode(type.fromObject(object)).finish());
}

/**
 * Encodes an `ExportTraceServiceResponse`. With no argument the body is empty (full success,
 * `partial_success` unset); with an object, `partial_success` is present and carries whichever of
 * `rejectedSpans` (may be negative, to test a client against a misbehaving server) and
 * `errorMessage` are non-default.
 */
export function encodeExportTraceResponse(partialSuccess?: {
  rejectedSpans?: number | bigint;
  errorMessage?: string;
}): Uint8Array {
  if (partialSuccess === undefined) return new Uint8Array(0);
  const partial: Record<string, unknown> = {};
  const rejected = BigInt(partialSuccess.rejectedSpans ?? 0);
  // A decimal string is the one int64 form protobufjs's fromObject converts without precision loss.
  if (rejected !== 0n) partial.rejectedSpans = rejected.toString();
  if (partialSuccess.errorMessage) partial.errorMessage = partialSuccess.errorMessage;
  return encodeMessage(TYPE_NAMES.exportTraceServiceResponse, { partialSuccess: partial });
}

/** Type URL of a packed `google.rpc.RetryInfo`, as gRPC servers put it in `Status.details`. */
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * Encodes a `google.rpc.Status` body (OTLP/HTTP failure body, or gRPC `grpc-status-details-bin`
 * before base64). `details` are already-packed `google.protobuf.Any` values.
 */
export function encodeGoogleRpcStatus(status: { code: number; message?: string; details?: DecodedAny[] }): Uint8Array {
  const object: Record<string, unknown> = {};
  if (status.code !== 0) object.code = status.code;
  if (status.message) object.message = status.message;
  if (status.details?.length) object.details = status.details.map((any) => ({ typeUrl: any.typeUrl, value: any.value }));
  return encodeMessage(TYPE_NAMES.googleRpcStatus, object);
}

/**
 * Packs a `google.rpc.RetryInfo { retry_delay }` as an Any for `encodeGoogleRpcStatus` details.
 * @param retryDelayMs non-negative whole milliseconds; split into Duration seconds + nanos.
 */
export function encodeRetryInfo(retryDelayMs: number): DecodedAny {
  const seconds = Math.floor(retryDelayMs / 1000);
  const nanos = (retryDelayMs - seconds * 1000) * 1_000_000;
  const delay: Record<string, unknown> = {};
  if (seconds !== 0) delay.seconds = String(seconds);
  if (nanos !== 0) delay.nanos = nanos;
  return { typeUrl: RETRY_INFO_TYPE_URL, value: encodeMessage(TYPE_NAMES.googleRpcRetryInfo, { retryDelay: delay }) };
}
