// Decodes what an OTLP receiver answers, as protobuf or OTLP/JSON: ExportTraceServiceResponse.partial_success
// (collector/trace/v1) and google.rpc.Status with RetryInfo (googleapis rpc/status.proto, error_details.proto).
// A slow-path reader for small messages: bounded by the bytes given, never throws (malformed input -> defaults).

/** ExportTracePartialSuccess: spans the receiver rejected, and why. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** google.rpc.Status: the failure body of OTLP/HTTP and grpc-status-details-bin of OTLP/gRPC. */
export interface RpcStatus {
  code: number;
  message: string;
  /** google.rpc.RetryInfo.retry_delay in ms, when a detail carries one. */
  retryDelayMs: number | undefined;
}

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
/** A varint read as unsigned is >= 2^63 exactly when the int64 it encodes is negative. */
const INT64_NEGATIVE = 2 ** 63;
/** Likewise for an int32 (negative int32s are sign-extended to 10-byte varints). */
const INT32_NEGATIVE = 2 ** 31;
const decoder = new TextDecoder();

/** Minimal protobuf cursor: varints up to 2^53, LEN fields as views; `ok` turns false on malformed input. */
class Reader {
  pos = 0;
  ok = true;
  constructor(readonly bytes: Uint8Array) {}

  get more(): boolean {
    return this.ok && this.pos < this.bytes.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) break;
      const b = this.bytes[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    this.ok = false;
    return 0;
  }

  lenBytes(): Uint8Array {
    const len = this.varint();
    if (!this.ok || this.pos + len > this.bytes.length) {
      this.ok = false;
      return new Uint8Array(0);
    }
    const view = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return view;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.lenBytes();
    else if (wireType === 5) this.pos += 4;
    else this.ok = false;
    if (this.pos > this.bytes.length) this.ok = false;
  }
}

/** partial_success of an ExportTraceServiceResponse; undefined when absent (full success) or malformed. */
export function decodePartialSuccess(bytes: Uint8Array): PartialSuccess | undefined {
  const r = new Reader(bytes);
  let found: PartialSuccess | undefined;
  while (r.more) {
    const tag = r.varint();
    if (tag === 0x0a) { // ExportTraceServiceResponse.partial_success, field 1, LEN
      const inner = new Reader(r.lenBytes());
      const partial = { rejectedSpans: 0, errorMessage: '' };
      while (inner.more) {
        const innerTag = inner.varint();
        if (innerTag === 0x08) { // rejected_spans, field 1, VARINT (int64): a negative count means nothing
          const rejected = inner.varint();
          partial.rejectedSpans = rejected >= INT64_NEGATIVE ? 0 : rejected;
        }
        else if (innerTag === 0x12) partial.errorMessage = decoder.decode(inner.lenBytes()); // error_message, 2, LEN
        else inner.skip(innerTag & 7);
      }
      if (inner.ok) found = partial;
    } else {
      r.skip(tag & 7);
    }
  }
  return r.ok ? found : undefined;
}

/** google.rpc.Status; undefined when malformed. A RetryInfo detail becomes retryDelayMs. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus | undefined {
  const r = new Reader(bytes);
  const status: RpcStatus = { code: 0, message: '', retryDelayMs: undefined };
  while (r.more) {
    const tag = r.varint();
    if (tag === 0x08) status.code = r.varint(); // code, field 1, VARINT
    else if (tag === 0x12) status.message = decoder.decode(r.lenBytes()); // message, field 2, LEN
    else if (tag === 0x1a) { // details, field 3, LEN: google.protobuf.Any { type_url = 1; value = 2 }
      const any = new Reader(r.lenBytes());
      let typeUrl = '';
      let value: Uint8Array = new Uint8Array(0);
      while (any.more) {
        const anyTag = any.varint();
        if (anyTag === 0x0a) typeUrl = decoder.decode(any.lenBytes());
        else if (anyTag === 0x12) value = any.lenBytes();
        else any.skip(anyTag & 7);
      }
      if (any.ok && typeUrl === RETRY_INFO_TYPE_URL) status.retryDelayMs = decodeRetryDelayMs(value);
    } else {
      r.skip(tag & 7);
    }
  }
  return r.ok ? status : undefined;
}

/** RetryInfo { Duration retry_delay = 1 } with Duration { int64 seconds = 1; int32 nanos = 2 }, in ms. */
function decodeRetryDelayMs(bytes: Uint8Array): number | undefined {
  const r = new Reader(bytes);
  let delayMs: number | undefined;
  while (r.more) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const d = new Reader(r.lenBytes());
      let seconds = 0;
      let nanos = 0;
      while (d.more) {
        const dTag = d.varint();
        if (dTag === 0x08) seconds = d.varint();
        else if (dTag === 0x10) nanos = d.varint();
        else d.skip(dTag & 7);
      }
      // Duration seconds is int64 and nanos int32: a negative delay is meaningless, so it is ignored.
      if (d.ok && seconds < INT64_NEGATIVE && nanos < INT32_NEGATIVE) delayMs = seconds * 1000 + Math.floor(nanos / 1e6);
    } else {
      r.skip(tag & 7);
    }
  }
  return r.ok ? delayMs : undefined;
}

// ---- OTLP/JSON answers (the response of an application/json request is JSON too).

/** ASCII '{': no protobuf message starts with it (0x7b is field 15 with the obsolete group wire type 3). */
const OPEN_BRACE = 0x7b;

/** The body as a JSON object when it is one (leading whitespace allowed), else undefined. */
function jsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (i >= bytes.length || bytes[i] !== OPEN_BRACE) return undefined;
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** A proto3 JSON member by its lowerCamelCase name or its original proto name (parsers must accept both). */
function member(object: Record<string, unknown>, jsonName: string, protoName: string): unknown {
  return object[jsonName] ?? object[protoName];
}

/** An int64 as proto3 JSON allows it (a decimal string or a number); undefined when it is neither. */
function jsonInt64(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * partial_success of an OTLP/JSON ExportTraceServiceResponse (`{"partialSuccess":{"rejectedSpans":"3",
 * "errorMessage":"..."}}`); undefined when absent (full success, including an empty body) or malformed.
 * A body that is not JSON is read as protobuf: a receiver may answer in protobuf all the same.
 */
export function decodeJsonPartialSuccess(bytes: Uint8Array): PartialSuccess | undefined {
  if (bytes.length === 0) return undefined;
  const response = jsonObject(bytes);
  if (response === undefined) return decodePartialSuccess(bytes);
  const partial = member(response, 'partialSuccess', 'partial_success');
  if (partial === null || typeof partial !== 'object') return undefined;
  const fields = partial as Record<string, unknown>;
  const rejected = jsonInt64(member(fields, 'rejectedSpans', 'rejected_spans')) ?? 0;
  const message = member(fields, 'errorMessage', 'error_message');
  // A negative count means nothing (as in protobuf, where it is a 10-byte varint).
  return { rejectedSpans: rejected > 0 ? rejected : 0, errorMessage: typeof message === 'string' ? message : '' };
}

/** A proto3 JSON google.protobuf.Duration ("1.5s", "3s", "0.000000001s") in ms; undefined when negative or malformed. */
function jsonDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value.trim());
  if (match === null) return undefined;
  const nanos = match[2] === undefined ? 0 : Number(match[2].padEnd(9, '0'));
  return Number(match[1]) * 1000 + Math.floor(nanos / 1e6);
}

/**
 * google.rpc.Status as JSON (`{"code":14,"message":"...","details":[{"@type":"type.googleapis.com/
 * google.rpc.RetryInfo","retryDelay":"2s"}]}`); undefined when the body is not a JSON object.
 */
export function decodeJsonRpcStatus(bytes: Uint8Array): RpcStatus | undefined {
  const object = jsonObject(bytes);
  if (object === undefined) return undefined;
  const code = jsonInt64(object['code']);
  const message = object['message'];
  const status: RpcStatus = { code: code ?? 0, message: typeof message === 'string' ? message : '', retryDelayMs: undefined };
  const details = object['details'];
  if (Array.isArray(details)) {
    for (const detail of details) {
      if (detail === null || typeof detail !== 'object') continue;
      const fields = detail as Record<string, unknown>;
      if (fields['@type'] !== RETRY_INFO_TYPE_URL) continue;
      const delayMs = jsonDurationMs(member(fields, 'retryDelay', 'retry_delay'));
      if (delayMs !== undefined) status.retryDelayMs = delayMs;
    }
  }
  return status;
}
