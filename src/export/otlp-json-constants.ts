// Turns the codec's pre-encoded Resource and InstrumentationScope protobuf (resource/v1, common/v1) into OTLP/JSON,
// so JSON carries exactly what protobuf carries (same sanitising, limits, dropped counts). Slow path, once per
// resource or scope; never throws (malformed bytes give undefined).

/** Wire types used here (protobuf encoding): 0 VARINT, 1 I64, 2 LEN, 5 I32. */
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A cursor over one message level; `ok` turns false on malformed input (and stays false). */
class FieldReader {
  pos = 0;
  ok = true;
  field = 0;
  wireType = 0;
  /** The last VARINT as an unsigned 64-bit integer (int64 needs all 64 bits exactly). */
  varint = 0n;
  /** The last LEN payload (a view) or I64/I32 bytes. */
  bytes: Uint8Array = new Uint8Array(0);

  constructor(private readonly buf: Uint8Array) {}

  /** Reads the next field; false at the end or on malformed input. */
  next(): boolean {
    if (!this.ok || this.pos >= this.buf.length) return false;
    const tag = this.readVarint();
    this.field = Number(tag >> 3n);
    this.wireType = Number(tag & 7n);
    if (this.wireType === WIRE_VARINT) this.varint = this.readVarint();
    else if (this.wireType === WIRE_LEN) this.bytes = this.take(Number(this.readVarint()));
    else if (this.wireType === WIRE_I64) this.bytes = this.take(8);
    else if (this.wireType === WIRE_I32) this.bytes = this.take(4);
    else this.ok = false;
    return this.ok;
  }

  get string(): string {
    try {
      return utf8.decode(this.bytes);
    } catch {
      this.ok = false;
      return '';
    }
  }

  private readVarint(): bigint {
    let value = 0n;
    for (let i = 0; i < 10 && this.pos < this.buf.length; i++) {
      const b = this.buf[this.pos++]!;
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return value;
    }
    this.ok = false;
    return 0n;
  }

  private take(len: number): Uint8Array {
    if (this.pos + len > this.buf.length) {
      this.ok = false;
      return new Uint8Array(0);
    }
    const view = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return view;
  }
}

/**
 * A double as OTLP/JSON writes it: a JSON number, or the proto3 JSON strings "NaN", "Infinity", "-Infinity"
 * (JSON has no such numbers); -0 stays -0 (protobuf keeps the sign bit). Number's own text is the shortest
 * that round-trips, and its exponent form (1e+21) is valid JSON.
 */
export function jsonDouble(value: number): string {
  if (value !== value) return '"NaN"';
  if (value === Infinity) return '"Infinity"';
  if (value === -Infinity) return '"-Infinity"';
  if (value === 0 && 1 / value < 0) return '-0';
  return String(value);
}

function float64At(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/** AnyValue (common/v1) as JSON; an AnyValue with no field set is `{}`. */
function anyValueJson(bytes: Uint8Array): string | undefined {
  const r = new FieldReader(bytes);
  let out = '{}';
  while (r.next()) {
    switch (r.field) {
      case 1: out = `{"stringValue":${JSON.stringify(r.string)}}`; break;
      case 2: out = `{"boolValue":${r.varint !== 0n}}`; break;
      case 3: out = `{"intValue":"${BigInt.asIntN(64, r.varint)}"}`; break; // int64: a decimal string
      case 4: out = `{"doubleValue":${jsonDouble(float64At(r.bytes))}}`; break;
      case 5: {
        const values = repeatedJson(r.bytes, anyValueJson); // ArrayValue.values, field 1
        if (values === undefined) return undefined;
        out = `{"arrayValue":{"values":[${values}]}}`;
        break;
      }
      case 6: {
        const values = repeatedJson(r.bytes, keyValueJson); // KeyValueList.values, field 1
        if (values === undefined) return undefined;
        out = `{"kvlistValue":{"values":[${values}]}}`;
        break;
      }
      case 7: out = `{"bytesValue":"${base64(r.bytes)}"}`; break; // proto3 JSON: bytes are base64
      default: break; // a field this reader does not know: skipped, as proto3 readers do
    }
  }
  return r.ok ? out : undefined;
}

/** Field 1 of `bytes` repeated (ArrayValue / KeyValueList), each element through `element`, comma-joined. */
function repeatedJson(bytes: Uint8Array, element: (b: Uint8Array) => string | undefined): string | undefined {
  const r = new FieldReader(bytes);
  const parts: string[] = [];
  while (r.next()) {
    if (r.field !== 1 || r.wireType !== WIRE_LEN) continue;
    const part = element(r.bytes);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return r.ok ? parts.join(',') : undefined;
}

/** KeyValue { string key = 1; AnyValue value = 2 } as `{"key":..,"value":..}`. */
function keyValueJson(bytes: Uint8Array): string | undefined {
  const r = new FieldReader(bytes);
  let key = '';
  let value = '{}';
  while (r.next()) {
    if (r.field === 1 && r.wireType === WIRE_LEN) key = r.string;
    else if (r.field === 2 && r.wireType === WIRE_LEN) {
      const decoded = anyValueJson(r.bytes);
      if (decoded === undefined) return undefined;
      value = decoded;
    }
  }
  return r.ok ? `{"key":${JSON.stringify(key)},"value":${value}}` : undefined;
}

/**
 * The JSON object of a Resource (attributes = 1, dropped_attributes_count = 2) or InstrumentationScope (name = 1,
 * version = 2, attributes = 3, dropped_attributes_count = 4) message body; proto3 defaults are omitted, as the
 * protobuf encoder omits them.
 */
function messageJson(bytes: Uint8Array, isScope: boolean): string | undefined {
  const r = new FieldReader(bytes);
  const attributesField = isScope ? 3 : 1;
  const droppedField = isScope ? 4 : 2;
  let name = '';
  let version = '';
  const attributes: string[] = [];
  let dropped = 0n;
  while (r.next()) {
    if (isScope && r.field === 1 && r.wireType === WIRE_LEN) name = r.string;
    else if (isScope && r.field === 2 && r.wireType === WIRE_LEN) version = r.string;
    else if (r.field === attributesField && r.wireType === WIRE_LEN) {
      const kv = keyValueJson(r.bytes);
      if (kv === undefined) return undefined;
      attributes.push(kv);
    } else if (r.field === droppedField && r.wireType === WIRE_VARINT) dropped = BigInt.asUintN(32, r.varint);
  }
  if (!r.ok) return undefined;
  const parts: string[] = [];
  if (name !== '') parts.push(`"name":${JSON.stringify(name)}`);
  if (version !== '') parts.push(`"version":${JSON.stringify(version)}`);
  if (attributes.length > 0) parts.push(`"attributes":[${attributes.join(',')}]`);
  if (dropped !== 0n) parts.push(`"droppedAttributesCount":${dropped}`);
  return `{${parts.join(',')}}`;
}

/**
 * A pre-encoded constant field (tag + length + message body, as the codec writes ResourceSpans.resource and
 * ScopeSpans.scope) as the JSON object of its message; undefined when the bytes are malformed. Empty bytes
 * (no constant was written) give `{}`.
 */
export function constantFieldJson(fieldBytes: Uint8Array, isScope: boolean): string | undefined {
  if (fieldBytes.length === 0) return '{}';
  const r = new FieldReader(fieldBytes);
  if (!r.next() || r.field !== 1 || r.wireType !== WIRE_LEN) return undefined;
  return messageJson(r.bytes, isScope);
}

/**
 * ResourceSpans.resource and .schema_url out of an encoded ExportTraceServiceRequest (its first ResourceSpans):
 * how the resource the codec pre-encoded is read back, since only the codec keeps its address.
 */
export function resourceFromRequest(request: Uint8Array): { resourceJson: string; schemaUrl: string } | undefined {
  const top = new FieldReader(request);
  while (top.next()) {
    if (top.field !== 1 || top.wireType !== WIRE_LEN) continue; // ExportTraceServiceRequest.resource_spans, 1
    const rs = new FieldReader(top.bytes);
    let resourceJson = '{}';
    let schemaUrl = '';
    while (rs.next()) {
      if (rs.field === 1 && rs.wireType === WIRE_LEN) { // ResourceSpans.resource, 1
        const json = messageJson(rs.bytes, false);
        if (json === undefined) return undefined;
        resourceJson = json;
      } else if (rs.field === 3 && rs.wireType === WIRE_LEN) schemaUrl = rs.string; // ResourceSpans.schema_url, 3
    }
    return rs.ok ? { resourceJson, schemaUrl } : undefined;
  }
  return undefined;
}
