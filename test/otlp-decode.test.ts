// Proves the OTLP trace test oracle (test/support/otlp-decode.ts) against an independent producer: the official
// OpenTelemetry JS SDK + ProtobufTraceSerializer, plus hand-built bytes for the raw wire walker and strictness rules.
// Must never depend on spanwire's own encoder or WASM build: an oracle checked against itself proves nothing.

import { describe, expect, it } from 'vitest';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type AttributeValue,
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type TimedEvent,
} from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  OtlpWireError,
  RETRY_INFO_TYPE_URL,
  WIRE_I32,
  WIRE_I64,
  WIRE_LEN,
  WIRE_VARINT,
  checkWire,
  decodeExportTraceRequest,
  decodeExportTraceResponse,
  decodeGoogleRpcStatus,
  encodeExportTraceResponse,
  encodeGoogleRpcStatus,
  encodeRetryInfo,
  listSpans,
  readVarint,
  walkProtobufFields,
  type DecodedAnyValue,
  type DecodedKeyValue,
  type DecodedSpan,
  type LocatedSpan,
} from './support/otlp-decode.js';
import { SPAN_FLAGS, SPAN_KIND, STATUS_CODE, TYPE_NAMES, UPSTREAM_PROTO_COMMIT } from './support/otlp-trace-schema.js';

// ---------- expectations built from ReadableSpan, never from the bytes ----------

function hrTimeToNs(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

// The official JS exporter's mapping of JS attribute values onto AnyValue: integers in the int64 range
// become int_value, every other number double_value, null/undefined an empty AnyValue.
function expectedAnyValue(value: unknown): DecodedAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63
      ? { intValue: BigInt(value) }
      : { doubleValue: value };
  }
  if (value instanceof Uint8Array) return { bytesValue: Uint8Array.from(value) };
  if (Array.isArray(value)) return { arrayValue: value.map(expectedAnyValue) };
  if (value !== null && typeof value === 'object') return { kvlistValue: expectedAttributes(value as Attributes) };
  return {};
}

function expectedAttributes(attributes: Attributes | undefined): DecodedKeyValue[] {
  return Object.entries(attributes ?? {}).map(([key, value]) => ({ key, value: expectedAnyValue(value) }));
}

// Span.flags per trace.proto: W3C trace flags in bits 0-7, bit 8 "has is_remote", bit 9 "is_remote".
function expectedFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & SPAN_FLAGS.TRACE_FLAGS_MASK) | SPAN_FLAGS.CONTEXT_HAS_IS_REMOTE_MASK | (isRemote ? SPAN_FLAGS.CONTEXT_IS_REMOTE_MASK : 0);
}

function expectedSpan(span: ReadableSpan): DecodedSpan {
  const ctx = span.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    traceState: ctx.traceState?.serialize() ?? '',
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    flags: expectedFlags(ctx.traceFlags, span.parentSpanContext?.isRemote),
    name: span.name,
    // The API's SpanKind starts at INTERNAL = 0; OTLP reserves 0 for UNSPECIFIED.
    kind: span.kind === undefined ? SPAN_KIND.UNSPECIFIED : span.kind + 1,
    startTimeUnixNano: hrTimeToNs(span.startTime),
    endTimeUnixNano: hrTimeToNs(span.endTime),
    attributes: expectedAttributes(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event: TimedEvent) => ({
      timeUnixNano: hrTimeToNs(event.time),
      name: event.name,
      attributes: expectedAttributes(event.attributes),
      droppedAttributesCount: event.droppedAttributesCount ?? 0,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link: Link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceState: link.context.traceState?.serialize() ?? '',
      attributes: expectedAttributes(link.attributes),
      droppedAttributesCount: link.droppedAttributesCount ?? 0,
      flags: expectedFlags(link.context.traceFlags, link.context.isRemote),
    })),
    droppedLinksCount: span.droppedLinksCount,
    status: { code: span.status.code, message: span.status.message ?? '' },
  };
}

function expectedLocation(span: ReadableSpan): Omit<LocatedSpan, 'span'> {
  const scope = span.instrumentationScope as ReadableSpan['instrumentationScope'] & {
    attributes?: Attributes;
    droppedAttributesCount?: number;
  };
  return {
    resource: { attributes: expectedAttributes(span.resource.attributes), droppedAttributesCount: 0, entityRefs: [] },
    resourceSchemaUrl: span.resource.schemaUrl ?? '',
    scope: {
      name: scope.name,
      version: scope.version ?? '',
      attributes: expectedAttributes(scope.attributes),
      droppedAttributesCount: scope.droppedAttributesCount ?? 0,
    },
    scopeSchemaUrl: scope.schemaUrl ?? '',
  };
}

function assertDecodesLike(spans: ReadableSpan[]): LocatedSpan[] {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('official serializer returned nothing');
  const located = listSpans(decodeExportTraceRequest(bytes));
  expect(located).toHaveLength(spans.length);
  const bySpanId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  for (const { span, ...where } of located) {
    const source = bySpanId.get(span.spanId);
    expect(source, `span ${span.spanId} came from nowhere`).toBeDefined();
    expect(span).toEqual(expectedSpan(source!));
    expect(where).toEqual(expectedLocation(source!));
  }
  return located;
}

// ---------- spans from the official SDK ----------

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_PARENT: SpanContext = {
  traceId: TRACE_ID,
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
};
const LINKED: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.NONE,
  isRemote: true,
  traceState: new TraceState('vendor=opaque'),
};
const START: HrTime = [1_700_000_000, 123_456_789];
const END: HrTime = [1_700_000_001, 987_654_321];

const EVERY_ATTRIBUTE_KIND: Attributes = {
  'str': 'héllo ✓ 𝄞',
  'str.empty': '',
  'bool.true': true,
  'bool.false': false,
  'int': 42,
  'int.zero': 0,
  'int.negative': -7,
  'int.min': Number.MIN_SAFE_INTEGER,
  'double': 3.25,
  'double.negative': -0.5,
  'double.nan': NaN,
  'double.inf': Infinity,
  'double.neginf': -Infinity,
  'array.str': ['a', '', 'ü'],
  'array.bool': [true, false],
  'array.int': [1, -2, 3],
  'array.double': [1.5, NaN, -2.25],
  'array.nulls': ['x', null, 'z', undefined] as AttributeValue,
  'array.empty': [],
};

function recordSdkSpans(): ReadableSpan[] {
  const exporterA = new InMemorySpanExporter();
  const providerA = new BasicTracerProvider({
    resource: resourceFromAttributes(
      { 'service.name': 'oracle-a', 'service.instance.count': 3 },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
    ),
    spanProcessors: [new SimpleSpanProcessor(exporterA)],
    spanLimits: { attributeCountLimit: 64, eventCountLimit: 3, linkCountLimit: 2, attributePerEventCountLimit: 2 },
  });
  const tracerA = providerA.getTracer('scope-a', '1.2.3', { schemaUrl: 'https://example.com/scope-schema' });
  const tracerB = providerA.getTracer('scope-b');

  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT);
  const server = tracerA.startSpan(
    'GET /everything',
    {
      kind: SpanKind.SERVER,
      startTime: START,
      attributes: EVERY_ATTRIBUTE_KIND,
      links: [{ context: LINKED, attributes: { 'link.attr': 'v', 'link.n': 9 } }],
    },
    remoteParent,
  );
  server.addEvent('exception', { 'exception.message': 'boom', 'exception.count': 2 }, [1_700_000_000, 500_000_000]);
  server.addEvent('no-attributes', [1_700_000_001, 0]);
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke: ✗' });
  server.end(END);

  // A local child of the server span: is_remote known and false.
  const child = tracerA.startSpan('child', { kind: SpanKind.CLIENT, startTime: START }, trace.setSpan(ROOT_CONTEXT, server));
  child.setStatus({ code: SpanStatusCode.OK });
  child.end(END);

  for (const kind of [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
    tracerB.startSpan(`kind-${kind}`, { kind, startTime: START }).end(END);
  }

  // Over every limit, so the dropped counts are non-zero.
  const crowded = tracerB.startSpan('crowded', {
    startTime: START,
    links: [{ context: LINKED }, { context: REMOTE_PARENT }, { context: LINKED }, { context: REMOTE_PARENT }],
  });
  for (let i = 0; i < 70; i++) crowded.setAttribute(`attr.${i}`, i);
  for (let i = 0; i < 5; i++) crowded.addEvent(`event-${i}`, { a: 1, b: 2, c: 3, d: 4 }, [1_700_000_000, i]);
  crowded.end(END);

  const exporterB = new InMemorySpanExporter();
  const providerB = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'oracle-b', 'deployment.replicas': [1, 2] }),
    spanProcessors: [new SimpleSpanProcessor(exporterB)],
  });
  providerB.getTracer('scope-c', '0.0.1').startSpan('other-resource', { kind: SpanKind.PRODUCER, startTime: START }).end(END);

  return [...exporterA.getFinishedSpans(), ...exporterB.getFinishedSpans()];
}

describe('decodeExportTraceRequest against the official OpenTelemetry JS serializer', () => {
  const spans = recordSdkSpans();
  const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;

  it('names the upstream proto commit it was written from', () => {
    expect(UPSTREAM_PROTO_COMMIT).toMatch(/^[0-9a-f]{40}$/);
  });

  it('decodes every SDK span field by field', () => {
    const located = assertDecodesLike(spans);
    expect(located).toHaveLength(9);
  });

  it('groups by resource then scope', () => {
    const decoded = decodeExportTraceRequest(bytes);
    expect(decoded.resourceSpans).toHaveLength(2);
    expect(decoded.resourceSpans[0]!.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(decoded.resourceSpans[0]!.scopeSpans.map((ss) => [ss.scope.name, ss.scope.version, ss.schemaUrl, ss.spans.length])).toEqual([
      ['scope-a', '1.2.3', 'https://example.com/scope-schema', 2],
      ['scope-b', '', '', 6],
    ]);
    expect(decoded.resourceSpans[1]!.schemaUrl).toBe('');
    expect(decoded.resourceSpans[1]!.resource.attributes).toContainEqual({
      key: 'deployment.replicas',
      value: { arrayValue: [{ intValue: 1n }, { intValue: 2n }] },
    });
  });

  it('gets the tricky values right in absolute terms, not only relative to the SDK', () => {
    const server = listSpans(decodeExportTraceRequest(bytes)).find((l) => l.span.name === 'GET /everything')!.span;
    expect(server.traceId).toBe(TRACE_ID);
    expect(server.parentSpanId).toBe('b7ad6b7169203331');
    expect(server.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(server.traceState).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(server.flags).toBe(0x301); // sampled, has is_remote, is_remote
    expect(server.kind).toBe(SPAN_KIND.SERVER);
    expect(server.startTimeUnixNano).toBe(1_700_000_000_123_456_789n);
    expect(server.endTimeUnixNano).toBe(1_700_000_001_987_654_321n);
    expect(server.status).toEqual({ code: STATUS_CODE.ERROR, message: 'it broke: ✗' });
    const attr = (key: string) => server.attributes.find((kv) => kv.key === key)?.value;
    expect(attr('str')).toEqual({ stringValue: 'héllo ✓ 𝄞' });
    expect(attr('int.negative')).toEqual({ intValue: -7n });
    expect(attr('int.min')).toEqual({ intValue: -9_007_199_254_740_991n });
    expect(Number.isNaN((attr('double.nan') as { doubleValue: number }).doubleValue)).toBe(true);
    expect(attr('double.neginf')).toEqual({ doubleValue: -Infinity });
    expect(attr('array.nulls')).toEqual({ arrayValue: [{ stringValue: 'x' }, {}, { stringValue: 'z' }, {}] });
    expect(attr('array.empty')).toEqual({ arrayValue: [] });
    expect(server.links).toEqual([
      {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceState: 'vendor=opaque',
        attributes: [
          { key: 'link.attr', value: { stringValue: 'v' } },
          { key: 'link.n', value: { intValue: 9n } },
        ],
        droppedAttributesCount: 0,
        flags: 0x300,
      },
    ]);
    expect(server.events[0]).toEqual({
      timeUnixNano: 1_700_000_000_500_000_000n,
      name: 'exception',
      attributes: [
        { key: 'exception.message', value: { stringValue: 'boom' } },
        { key: 'exception.count', value: { intValue: 2n } },
      ],
      droppedAttributesCount: 0,
    });

    const child = listSpans(decodeExportTraceRequest(bytes)).find((l) => l.span.name === 'child')!.span;
    expect(child.parentSpanId).toBe(server.spanId);
    expect(child.flags).toBe(0x101); // sampled, has is_remote, local parent
    expect(child.status).toEqual({ code: STATUS_CODE.OK, message: '' });

    const crowded = listSpans(decodeExportTraceRequest(bytes)).find((l) => l.span.name === 'crowded')!.span;
    expect(crowded.parentSpanId).toBe('');
    expect(crowded.attributes).toHaveLength(64);
    expect(crowded.droppedAttributesCount).toBe(6);
    expect(crowded.events).toHaveLength(3);
    expect(crowded.droppedEventsCount).toBe(2);
    expect(crowded.events[0]!.droppedAttributesCount).toBe(2);
    expect(crowded.links).toHaveLength(2);
    expect(crowded.droppedLinksCount).toBe(2);
  });

  it('covers all five span kinds', () => {
    const kinds = listSpans(decodeExportTraceRequest(bytes))
      .filter((l) => l.span.name.startsWith('kind-'))
      .map((l) => l.span.kind);
    expect(kinds).toEqual([SPAN_KIND.INTERNAL, SPAN_KIND.SERVER, SPAN_KIND.CLIENT, SPAN_KIND.PRODUCER, SPAN_KIND.CONSUMER]);
  });

  it('agrees with the raw walker on structure and values', () => {
    const top = walkProtobufFields(bytes);
    expect(top.map((f) => [f.field, f.wireType])).toEqual([
      [1, WIRE_LEN],
      [1, WIRE_LEN],
    ]);
    const resourceSpans = top[0]!;
    if (resourceSpans.wireType !== WIRE_LEN) throw new Error('unreachable');
    const scopeSpans = walkProtobufFields(resourceSpans.bytes).find((f) => f.field === 2)!;
    if (scopeSpans.wireType !== WIRE_LEN) throw new Error('unreachable');
    const firstSpan = walkProtobufFields(scopeSpans.bytes).find((f) => f.field === 2)!;
    if (firstSpan.wireType !== WIRE_LEN) throw new Error('unreachable');
    const spanFields = walkProtobufFields(firstSpan.bytes);
    const decodedSpan = decodeExportTraceRequest(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const start = spanFields.find((f) => f.field === 7)!;
    expect(start.wireType).toBe(WIRE_I64);
    expect((start as { value: bigint }).value).toBe(decodedSpan.startTimeUnixNano);
    const flags = spanFields.find((f) => f.field === 16)!;
    expect(flags.wireType).toBe(WIRE_I32);
    expect((flags as { value: number }).value).toBe(decodedSpan.flags);
    // Field 16 needs a two-byte tag: (16 << 3) | 5 = 133 = 0x85 0x01.
    expect([...firstSpan.bytes.subarray(flags.offset, flags.offset + 2)]).toEqual([0x85, 0x01]);
  });
});

// ---------- values the SDK's public API refuses, pushed through the official serializer directly ----------

function handMadeSpan(overrides: Partial<ReadableSpan>): ReadableSpan {
  const context: SpanContext = { traceId: TRACE_ID, spanId: '0102030405060708', traceFlags: TraceFlags.SAMPLED };
  return {
    name: 'hand-made',
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    parentSpanContext: undefined,
    startTime: [0, 0],
    endTime: [18_446_744_073, 709_551_615], // 2^64 - 1 ns: the fixed64 ceiling
    duration: [0, 0],
    ended: true,
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    resource: resourceFromAttributes({}),
    instrumentationScope: { name: 'hand' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

describe('decodeExportTraceRequest on values only a hand-made ReadableSpan carries', () => {
  it('decodes bytes, kvlists, nested arrays, int64 extremes and the fixed64 ceiling', () => {
    const exotic = {
      'bytes': new Uint8Array([0, 1, 0xfe, 0xff]),
      'kvlist': { inner: 'x', nested: { deep: [1, null] } },
      'array.nested': [[1, 2], ['a'], []],
      'int.2^53': 2 ** 53,
      'int.min64': -(2 ** 63),
      'double.big': 2 ** 63,
    } as unknown as Attributes;
    const scope = { name: 'scoped', version: '9', schemaUrl: 'urn:s', attributes: { 'scope.attr': true }, droppedAttributesCount: 2 };
    const located = assertDecodesLike([handMadeSpan({ attributes: exotic, instrumentationScope: scope })]);
    const [only] = located;
    const attr = (key: string) => only!.span.attributes.find((kv) => kv.key === key)?.value;
    expect(attr('bytes')).toEqual({ bytesValue: new Uint8Array([0, 1, 0xfe, 0xff]) });
    expect(attr('int.2^53')).toEqual({ intValue: 9_007_199_254_740_992n });
    expect(attr('int.min64')).toEqual({ intValue: -9_223_372_036_854_775_808n });
    expect(attr('double.big')).toEqual({ doubleValue: 2 ** 63 });
    expect(attr('kvlist')).toEqual({
      kvlistValue: [
        { key: 'inner', value: { stringValue: 'x' } },
        { key: 'nested', value: { kvlistValue: [{ key: 'deep', value: { arrayValue: [{ intValue: 1n }, {}] } }] } },
      ],
    });
    expect(only!.span.startTimeUnixNano).toBe(0n);
    expect(only!.span.endTimeUnixNano).toBe(18_446_744_073_709_551_615n);
    expect(only!.scope.attributes).toEqual([{ key: 'scope.attr', value: { boolValue: true } }]);
    expect(only!.scope.droppedAttributesCount).toBe(2);
  });

  it('reads an omitted kind as UNSPECIFIED (0)', () => {
    const [only] = assertDecodesLike([handMadeSpan({ kind: undefined as unknown as SpanKind })]);
    expect(only!.span.kind).toBe(SPAN_KIND.UNSPECIFIED);
  });
});

// ---------- hand-built bytes: fields no SDK emits, and the strictness rules ----------

// A deliberately naive protobuf writer for test inputs, kept separate from everything under test.
function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const utf8 = (text: string) => [...new TextEncoder().encode(text)];
const fieldVarint = (field: number, value: bigint | number) => [...varint((field << 3) | 0), ...varint(value)];
const fieldLen = (field: number, payload: number[]) => [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
const fieldString = (field: number, text: string) => fieldLen(field, utf8(text));
const fieldFixed32 = (field: number, value: number) => [...varint((field << 3) | 5), value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];

// ExportTraceServiceRequest > ResourceSpans > ScopeSpans > Span, with `span` as the Span body.
function requestWithSpan(span: number[], resource: number[] = []): Uint8Array {
  const scopeSpans = fieldLen(2, span);
  const resourceSpans = [...fieldLen(1, resource), ...fieldLen(2, scopeSpans)];
  return Uint8Array.from(fieldLen(1, resourceSpans));
}

const SPAN_PATH = 'ExportTraceServiceRequest.resourceSpans[0].scopeSpans[0].spans[0]';

function expectWireError(run: () => unknown, problem: RegExp, path?: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OtlpWireError);
    expect((error as OtlpWireError).problem).toMatch(problem);
    if (path !== undefined) expect((error as OtlpWireError).path).toBe(path);
    return;
  }
  throw new Error(`expected an OtlpWireError matching ${problem}`);
}

describe('decodeExportTraceRequest on hand-built bytes', () => {
  it('fills proto3 defaults for an all-default span and absent sub-messages', () => {
    const decoded = decodeExportTraceRequest(requestWithSpan([]));
    expect(decoded).toEqual({
      resourceSpans: [
        {
          resource: { attributes: [], droppedAttributesCount: 0, entityRefs: [] },
          scopeSpans: [
            {
              scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
              spans: [
                {
                  traceId: '',
                  spanId: '',
                  traceState: '',
                  parentSpanId: '',
                  flags: 0,
                  name: '',
                  kind: 0,
                  startTimeUnixNano: 0n,
                  endTimeUnixNano: 0n,
                  attributes: [],
                  droppedAttributesCount: 0,
                  events: [],
                  droppedEventsCount: 0,
                  links: [],
                  droppedLinksCount: 0,
                  status: { code: 0, message: '' },
                },
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    });
    expect(decodeExportTraceRequest(new Uint8Array(0))).toEqual({ resourceSpans: [] });
  });

  it('models Resource.entity_refs and the Profiling-only *_strindex fields instead of dropping them', () => {
    const entityRef = [...fieldString(1, 'urn:schema'), ...fieldString(2, 'service'), ...fieldString(3, 'service.name'), ...fieldString(3, 'service.namespace'), ...fieldString(4, 'service.version')];
    const resource = [...fieldLen(1, [...fieldString(1, 'service.name'), ...fieldLen(2, fieldString(1, 'svc'))]), ...fieldVarint(2, 1), ...fieldLen(3, entityRef)];
    const strindexAttr = fieldLen(9, [...fieldVarint(3, 4), ...fieldLen(2, fieldVarint(8, 7))]);
    const decoded = decodeExportTraceRequest(requestWithSpan(strindexAttr, resource));
    expect(decoded.resourceSpans[0]!.resource).toEqual({
      attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }],
      droppedAttributesCount: 1,
      entityRefs: [{ schemaUrl: 'urn:schema', type: 'service', idKeys: ['service.name', 'service.namespace'], descriptionKeys: ['service.version'] }],
    });
    expect(decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes).toEqual([{ key: '', value: { stringValueStrindex: 7 }, keyStrindex: 4 }]);
  });

  it('keeps an explicitly empty string AnyValue distinct from an empty AnyValue', () => {
    const span = [...fieldLen(9, [...fieldString(1, 'a'), ...fieldLen(2, fieldString(1, ''))]), ...fieldLen(9, [...fieldString(1, 'b'), ...fieldLen(2, [])]), ...fieldLen(9, fieldString(1, 'c'))];
    expect(decodeExportTraceRequest(requestWithSpan(span)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes).toEqual([
      { key: 'a', value: { stringValue: '' } },
      { key: 'b', value: {} },
      { key: 'c', value: {} },
    ]);
  });

  it('throws on a field number the schema does not declare, with its path', () => {
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldVarint(17, 1))), /unknown field 17/, SPAN_PATH);
    expectWireError(() => decodeExportTraceRequest(Uint8Array.from(fieldVarint(2, 1))), /unknown field 2/, 'ExportTraceServiceRequest');
  });

  it('treats reserved numbers (Status 1, ResourceSpans 1000) as unknown', () => {
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldLen(15, fieldVarint(1, 2)))), /unknown field 1 /, `${SPAN_PATH}.status`);
    const resourceSpans = fieldLen(1000, []);
    expectWireError(() => decodeExportTraceRequest(Uint8Array.from(fieldLen(1, resourceSpans))), /unknown field 1000/);
  });

  it('throws on invalid UTF-8, including an encoded lone surrogate, in any string field', () => {
    const bad = [0xc3, 0x28];
    const loneSurrogate = [0xed, 0xa0, 0x80]; // U+D800 as WTF-8: never valid UTF-8
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldLen(5, bad))), /name is not valid UTF-8/, `${SPAN_PATH}.name`);
    const kv = fieldLen(9, [...fieldString(1, 'k'), ...fieldLen(2, fieldLen(1, loneSurrogate))]);
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(kv)), /stringValue is not valid UTF-8/, `${SPAN_PATH}.attributes[0].value.stringValue`);
  });

  it('throws on a wire type that does not match the schema', () => {
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldVarint(16, 1))), /flags has wire type 0, expected 5/);
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldFixed32(6, 1))), /kind has wire type 5, expected 0/);
  });

  it('throws on a repeated singular field and on two oneof members', () => {
    expectWireError(() => decodeExportTraceRequest(requestWithSpan([...fieldString(5, 'a'), ...fieldString(5, 'b')])), /singular field name appears twice/);
    const twoMembers = fieldLen(9, [...fieldString(1, 'k'), ...fieldLen(2, [...fieldString(1, 's'), ...fieldVarint(3, 1)])]);
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(twoMembers)), /oneof value has both stringValue and intValue/);
  });

  it('throws on out-of-range varints: enum, uint32, bool', () => {
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldVarint(6, 6))), /not in enum SpanKind/);
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldLen(15, fieldVarint(3, 3)))), /not in enum StatusCode/);
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(fieldVarint(10, 2n ** 32n))), /uint32 value 4294967296/);
    const boolTwo = fieldLen(9, [...fieldString(1, 'k'), ...fieldLen(2, fieldVarint(2, 2))]);
    expectWireError(() => decodeExportTraceRequest(requestWithSpan(boolTwo)), /bool encoded as 2/);
  });

  it('throws on truncated input with the absolute offset', () => {
    const whole = requestWithSpan(fieldString(5, 'name'));
    expectWireError(() => decodeExportTraceRequest(whole.subarray(0, whole.length - 1)), /runs past the end/, 'ExportTraceServiceRequest');
    const cut = Uint8Array.from([...fieldLen(1, fieldLen(2, [0x2a, 0x05, 0x61]))]);
    try {
      decodeExportTraceRequest(cut);
      throw new Error('expected a throw');
    } catch (error) {
      expect((error as OtlpWireError).path).toBe('ExportTraceServiceRequest.resourceSpans[0].scopeSpans[0]');
      expect((error as OtlpWireError).offset).toBe(4);
    }
  });

  it('checkWire validates a single sub-message by type name', () => {
    expect(() => checkWire(Uint8Array.from([...fieldString(5, 'ok'), ...fieldFixed32(16, 0x101)]), TYPE_NAMES.span)).not.toThrow();
    expectWireError(() => checkWire(Uint8Array.from(fieldVarint(99, 0)), TYPE_NAMES.anyValue), /unknown field 99/, 'AnyValue');
  });
});

// ---------- the raw walker on exact bytes ----------

describe('walkProtobufFields', () => {
  const varintCases: [bigint, number[]][] = [
    [0n, [0x00]],
    [127n, [0x7f]],
    [128n, [0x80, 0x01]],
    [16_383n, [0xff, 0x7f]],
    [16_384n, [0x80, 0x80, 0x01]],
    [2n ** 21n - 1n, [0xff, 0xff, 0x7f]],
    [2n ** 28n, [0x80, 0x80, 0x80, 0x80, 0x01]],
    [2n ** 32n - 1n, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [2n ** 32n, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [2n ** 53n - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    [2n ** 64n - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ];
  it.each(varintCases)('reads varint %s from its exact bytes', (value, encoded) => {
    const fields = walkProtobufFields(Uint8Array.from([0x08, ...encoded]));
    expect(fields).toEqual([{ field: 1, wireType: WIRE_VARINT, value, offset: 0, end: 1 + encoded.length }]);
  });

  it('reads negative int64 as a 10-byte two’s-complement varint', () => {
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const [field] = walkProtobufFields(Uint8Array.from([0x18, ...minusOne]));
    expect(field).toMatchObject({ field: 3, wireType: WIRE_VARINT, end: 11 });
    expect(BigInt.asIntN(64, (field as { value: bigint }).value)).toBe(-1n);
    const minInt64 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    const [min] = walkProtobufFields(Uint8Array.from([0x18, ...minInt64]));
    expect(BigInt.asIntN(64, (min as { value: bigint }).value)).toBe(-(2n ** 63n));
    expect(varint(-7)).toHaveLength(10);
  });

  it('reads fixed32, fixed64 and LEN fields with offsets in wire order', () => {
    const bytes = Uint8Array.from([
      0x15, 0x01, 0x03, 0x00, 0x00, // field 2, I32: 0x301
      0x19, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // field 3, I64: 2^64-1
      0x21, 0x15, 0xcd, 0x5b, 0x07, 0x00, 0x00, 0x00, 0x00, // field 4, I64: 123456789
      0x2a, 0x03, 0x61, 0x62, 0x63, // field 5, LEN "abc"
      0x32, 0x00, // field 6, LEN empty
      0x85, 0x01, 0xff, 0xff, 0xff, 0xff, // field 16, I32: two-byte tag
    ]);
    const fields = walkProtobufFields(bytes);
    expect(fields.map(({ field, wireType, offset, end }) => [field, wireType, offset, end])).toEqual([
      [2, WIRE_I32, 0, 5],
      [3, WIRE_I64, 5, 14],
      [4, WIRE_I64, 14, 23],
      [5, WIRE_LEN, 23, 28],
      [6, WIRE_LEN, 28, 30],
      [16, WIRE_I32, 30, 36],
    ]);
    expect(fields[0]).toMatchObject({ value: 0x301 });
    expect(fields[1]).toMatchObject({ value: 2n ** 64n - 1n });
    expect(fields[2]).toMatchObject({ value: 123_456_789n });
    expect(fields[3]).toMatchObject({ bytes: Uint8Array.from([0x61, 0x62, 0x63]) });
    expect((fields[4] as { bytes: Uint8Array }).bytes).toHaveLength(0);
    expect(fields[5]).toMatchObject({ value: 0xffffffff });
  });

  it('reads a length prefix that crosses from one to two bytes', () => {
    for (const size of [127, 128, 300]) {
      const payload = new Array<number>(size).fill(0x41);
      const [field] = walkProtobufFields(Uint8Array.from(fieldLen(1, payload)));
      expect((field as { bytes: Uint8Array }).bytes).toHaveLength(size);
      expect(field!.end).toBe(1 + varint(size).length + size);
    }
  });

  it('rejects malformed wire', () => {
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x08, 0x80])), /truncated varint/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x08, ...new Array(10).fill(0xff), 0x01])), /overflows 64 bits/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x08, ...new Array(9).fill(0xff), 0x02])), /overflows 64 bits/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x0d, 0x00, 0x00])), /truncated fixed32/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x09, 0x00])), /truncated fixed64/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x0a, 0x05, 0x00])), /runs past the end/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x0b])), /unsupported wire type 3/);
    expectWireError(() => walkProtobufFields(Uint8Array.from([0x00, 0x00])), /field number 0/);
  });

  it('readVarint returns the value and the next position', () => {
    expect(readVarint(Uint8Array.from([0xaa, 0x80, 0x80, 0x01, 0x7f]), 1)).toEqual({ value: 16_384n, end: 4 });
  });
});

// ---------- responses and google.rpc.Status for fake collectors ----------

describe('export responses and google.rpc.Status', () => {
  it('encodes a full success as an empty body', () => {
    const body = encodeExportTraceResponse();
    expect(body).toEqual(new Uint8Array(0));
    expect(decodeExportTraceResponse(body)).toEqual({ partialSuccess: null });
    expect(ProtobufTraceSerializer.deserializeResponse(body)).toEqual({});
  });

  it('encodes a partial success with exact bytes the official deserializer agrees with', () => {
    const body = encodeExportTraceResponse({ rejectedSpans: 3, errorMessage: 'no' });
    expect([...body]).toEqual([0x0a, 0x06, 0x08, 0x03, 0x12, 0x02, 0x6e, 0x6f]);
    expect(decodeExportTraceResponse(body)).toEqual({ partialSuccess: { rejectedSpans: 3n, errorMessage: 'no' } });
    expect(ProtobufTraceSerializer.deserializeResponse(body)).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'no' } });
  });

  it('keeps an empty partial_success present and round-trips int64 extremes', () => {
    expect([...encodeExportTraceResponse({})]).toEqual([0x0a, 0x00]);
    expect(decodeExportTraceResponse(encodeExportTraceResponse({}))).toEqual({ partialSuccess: { rejectedSpans: 0n, errorMessage: '' } });
    for (const rejectedSpans of [-1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(decodeExportTraceResponse(encodeExportTraceResponse({ rejectedSpans })).partialSuccess!.rejectedSpans).toBe(rejectedSpans);
    }
  });

  it('round-trips google.rpc.Status with a packed RetryInfo', () => {
    const retry = encodeRetryInfo(1500);
    // RetryInfo { retry_delay (1): Duration { seconds (1): 1, nanos (2): 500_000_000 } }
    expect([...retry.value]).toEqual([0x0a, 0x08, 0x08, 0x01, 0x10, 0x80, 0xca, 0xb5, 0xee, 0x01]);
    const body = encodeGoogleRpcStatus({ code: 8, message: 'slow down', details: [retry] });
    expect(decodeGoogleRpcStatus(body)).toEqual({ code: 8, message: 'slow down', details: [{ typeUrl: RETRY_INFO_TYPE_URL, value: retry.value }] });
    expect(walkProtobufFields(body).map((f) => f.field)).toEqual([1, 2, 3]);
    expect(decodeGoogleRpcStatus(new Uint8Array(0))).toEqual({ code: 0, message: '', details: [] });
    expect(() => checkWire(retry.value, TYPE_NAMES.googleRpcRetryInfo)).not.toThrow();
  });

  it('is strict on responses too', () => {
    expectWireError(() => decodeExportTraceResponse(Uint8Array.from(fieldVarint(2, 1))), /unknown field 2/);
    expectWireError(() => decodeGoogleRpcStatus(Uint8Array.from(fieldLen(2, [0xff]))), /message is not valid UTF-8/);
  });
});
