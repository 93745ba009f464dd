// Proves the OTLP/JSON encoder field by field: the same arena spans encoded as protobuf by the WASM codec and
// decoded by the independent oracle (test/support) must equal the JSON read by a strict proto3-JSON reader written
// here from the OTLP spec; comparable spans must also match the official JsonTraceSerializer; edge values (int64
// extremes, NaN/Infinity, empty/huge/multi-byte/lone-surrogate strings, arrays, kinds, links) and splitting.
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { BatchEncoder, SpanArena, SpanKindCode, loadCodec, readFinishedSpan, type ArenaCapacity } from '../src/index.js';
import type { ArenaLimits } from '../src/arena/span-arena.js';
import { JSON_ENCODE_BAD_INPUT, OtlpJsonEncoder } from '../src/export/otlp-json-encoder.js';
import {
  type DecodedAnyValue, type DecodedExportTraceRequest, type DecodedKeyValue, type DecodedSpan,
  decodeExportTraceRequest,
} from './support/otlp-decode.js';

// ---------------------------------------------------------------------------------------------
// A strict reader of OTLP/JSON written from the spec (proto3 JSON mapping + OTLP's exceptions), independent of src/:
// unknown keys, wrong JSON types, uppercase or wrong-length hex, numbers where int64 strings belong all throw.
// `lenient` accepts what the official serializer writes instead (int64 as numbers, nulls, explicit defaults).
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function obj(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: not an object`);
  return value as Json;
}

function onlyKeys(o: Json, keys: string[], path: string): void {
  for (const key of Object.keys(o)) if (!keys.includes(key)) throw new Error(`${path}: unknown key ${key}`);
}

class JsonReader {
  constructor(readonly lenient: boolean) {}

  private absent(v: unknown): boolean {
    return v === undefined || (this.lenient && v === null);
  }

  str(v: unknown, path: string): string {
    if (this.absent(v)) return '';
    if (typeof v !== 'string') throw new Error(`${path}: not a string`);
    return v;
  }

  uint(v: unknown, path: string): number {
    if (this.absent(v)) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${path}: not a uint32 number`);
    return v;
  }

  int64(v: unknown, path: string): bigint {
    if (this.absent(v)) return 0n;
    if (this.lenient && typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw new Error(`${path}: int64 must be a decimal string`);
    return BigInt(v);
  }

  hex(v: unknown, bytes: number, path: string): string {
    if (this.absent(v) || v === '') return '';
    if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(v)) {
      throw new Error(`${path}: not ${bytes} bytes of lowercase hex`);
    }
    return v;
  }

  list(v: unknown, path: string): unknown[] {
    if (this.absent(v)) return [];
    if (!Array.isArray(v)) throw new Error(`${path}: not an array`);
    return v;
  }

  double(v: unknown, path: string): number {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    throw new Error(`${path}: not a double`);
  }

  anyValue(v: unknown, path: string): DecodedAnyValue {
    const o = obj(v, path);
    const keys = Object.keys(o).filter((k) => o[k] !== undefined);
    if (keys.length === 0) return {};
    if (keys.length !== 1) throw new Error(`${path}: AnyValue with ${keys.length} members`);
    const key = keys[0]!;
    const value = o[key];
    switch (key) {
      case 'stringValue': return { stringValue: this.str(value, `${path}.stringValue`) };
      case 'boolValue':
        if (typeof value !== 'boolean') throw new Error(`${path}: boolValue not a boolean`);
        return { boolValue: value };
      case 'intValue': return { intValue: this.int64(value, `${path}.intValue`) };
      case 'doubleValue': return { doubleValue: this.double(value, `${path}.doubleValue`) };
      case 'arrayValue': {
        const array = obj(value, `${path}.arrayValue`);
        onlyKeys(array, ['values'], `${path}.arrayValue`);
        return { arrayValue: this.list(array['values'], `${path}.values`).map((e, i) => this.anyValue(e, `${path}[${i}]`)) };
      }
      default: throw new Error(`${path}: unexpected AnyValue member ${key}`);
    }
  }

  attributes(v: unknown, path: string): DecodedKeyValue[] {
    return this.list(v, path).map((kv, i) => {
      const o = obj(kv, `${path}[${i}]`);
      onlyKeys(o, ['key', 'value'], `${path}[${i}]`);
      return { key: this.str(o['key'], `${path}[${i}].key`), value: this.anyValue(o['value'] ?? {}, `${path}[${i}].value`) };
    });
  }

  span(v: unknown, path: string): DecodedSpan {
    const s = obj(v, path);
    onlyKeys(s, ['traceId', 'spanId', 'traceState', 'parentSpanId', 'flags', 'name', 'kind', 'startTimeUnixNano',
      'endTimeUnixNano', 'attributes', 'droppedAttributesCount', 'events', 'droppedEventsCount', 'links',
      'droppedLinksCount', 'status'], path);
    const status = this.absent(s['status']) ? {} : obj(s['status'], `${path}.status`);
    onlyKeys(status, ['code', 'message'], `${path}.status`);
    return {
      traceId: this.hex(s['traceId'], 16, `${path}.traceId`),
      spanId: this.hex(s['spanId'], 8, `${path}.spanId`),
      traceState: this.str(s['traceState'], `${path}.traceState`),
      parentSpanId: this.hex(s['parentSpanId'], 8, `${path}.parentSpanId`),
      flags: this.uint(s['flags'], `${path}.flags`),
      name: this.str(s['name'], `${path}.name`),
      kind: this.uint(s['kind'], `${path}.kind`),
      startTimeUnixNano: this.int64(s['startTimeUnixNano'], `${path}.startTimeUnixNano`),
      endTimeUnixNano: this.int64(s['endTimeUnixNano'], `${path}.endTimeUnixNano`),
      attributes: this.attributes(s['attributes'], `${path}.attributes`),
      droppedAttributesCount: this.uint(s['droppedAttributesCount'], `${path}.droppedAttributesCount`),
      events: this.list(s['events'], `${path}.events`).map((e, i) => {
        const event = obj(e, `${path}.events[${i}]`);
        onlyKeys(event, ['timeUnixNano', 'name', 'attributes', 'droppedAttributesCount'], `${path}.events[${i}]`);
        return {
          timeUnixNano: this.int64(event['timeUnixNano'], `${path}.events[${i}].timeUnixNano`),
          name: this.str(event['name'], `${path}.events[${i}].name`),
          attributes: this.attributes(event['attributes'], `${path}.events[${i}].attributes`),
          droppedAttributesCount: this.uint(event['droppedAttributesCount'], `${path}.events[${i}].dropped`),
        };
      }),
      droppedEventsCount: this.uint(s['droppedEventsCount'], `${path}.droppedEventsCount`),
      links: this.list(s['links'], `${path}.links`).map((l, i) => {
        const link = obj(l, `${path}.links[${i}]`);
        onlyKeys(link, ['traceId', 'spanId', 'traceState', 'attributes', 'droppedAttributesCount', 'flags'], `${path}.links[${i}]`);
        return {
          traceId: this.hex(link['traceId'], 16, `${path}.links[${i}].traceId`),
          spanId: this.hex(link['spanId'], 8, `${path}.links[${i}].spanId`),
          traceState: this.str(link['traceState'], `${path}.links[${i}].traceState`),
          attributes: this.attributes(link['attributes'], `${path}.links[${i}].attributes`),
          droppedAttributesCount: this.uint(link['droppedAttributesCount'], `${path}.links[${i}].dropped`),
          flags: this.uint(link['flags'], `${path}.links[${i}].flags`),
        };
      }),
      droppedLinksCount: this.uint(s['droppedLinksCount'], `${path}.droppedLinksCount`),
      status: { code: this.uint(status['code'], `${path}.status.code`), message: this.str(status['message'], `${path}.status.message`) },
    };
  }

  request(text: string): DecodedExportTraceRequest {
    const top = obj(JSON.parse(text), '$');
    onlyKeys(top, ['resourceSpans'], '$');
    return {
      resourceSpans: this.list(top['resourceSpans'], '$.resourceSpans').map((r, i) => {
        const path = `$.resourceSpans[${i}]`;
        const rs = obj(r, path);
        onlyKeys(rs, ['resource', 'scopeSpans', 'schemaUrl'], path);
        const resource = this.absent(rs['resource']) ? {} : obj(rs['resource'], `${path}.resource`);
        // The official serializer also puts schemaUrl inside Resource, which has no such field: lenient skips it.
        onlyKeys(resource, this.lenient ? ['attributes', 'droppedAttributesCount', 'schemaUrl']
          : ['attributes', 'droppedAttributesCount'], `${path}.resource`);
        return {
          resource: {
            attributes: this.attributes(resource['attributes'], `${path}.resource.attributes`),
            droppedAttributesCount: this.uint(resource['droppedAttributesCount'], `${path}.resource.dropped`),
            entityRefs: [],
          },
          scopeSpans: this.list(rs['scopeSpans'], `${path}.scopeSpans`).map((s, j) => {
            const sPath = `${path}.scopeSpans[${j}]`;
            const ss = obj(s, sPath);
            onlyKeys(ss, ['scope', 'spans', 'schemaUrl'], sPath);
            const scope = this.absent(ss['scope']) ? {} : obj(ss['scope'], `${sPath}.scope`);
            onlyKeys(scope, ['name', 'version', 'attributes', 'droppedAttributesCount'], `${sPath}.scope`);
            return {
              scope: {
                name: this.str(scope['name'], `${sPath}.scope.name`),
                version: this.str(scope['version'], `${sPath}.scope.version`),
                attributes: this.attributes(scope['attributes'], `${sPath}.scope.attributes`),
                droppedAttributesCount: this.uint(scope['droppedAttributesCount'], `${sPath}.scope.dropped`),
              },
              spans: this.list(ss['spans'], `${sPath}.spans`).map((span, k) => this.span(span, `${sPath}.spans[${k}]`)),
              schemaUrl: this.str(ss['schemaUrl'], `${sPath}.schemaUrl`),
            };
          }),
          schemaUrl: this.str(rs['schemaUrl'], `${path}.schemaUrl`),
        };
      }),
    };
  }
}

const strict = new JsonReader(false);
const lenient = new JsonReader(true);
/** UTF-8 that is not valid throws here: the body must be valid UTF-8 as sent. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// Arenas with known spans.
// ---------------------------------------------------------------------------------------------

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = 'b7ad6b7169203331';
const REMOTE_PARENT = '00f067aa0ba902b7';
const LINK_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINK_SPAN = '53995c3f42cd8ad8';
/** Epoch ms well past 2^53 ns (1970-04), so the ns digits need the exact path. */
const EPOCH_MS = 1_767_225_600_123;

function newArena(capacity: Partial<ArenaCapacity> = {}, limits: Partial<ArenaLimits> = {}): SpanArena {
  return new SpanArena(loadCodec(), { spans: 64, ...capacity }, limits);
}

/** Ends and returns the slot of a span built by `build` (given slot and generation). */
function span(arena: SpanArena, scope: number, name: string, kind: number,
  build: (slot: number, gen: number) => void = () => {}, parentSlot = -1): number {
  const slot = arena.startSpan(scope, name, kind, 1000, parentSlot);
  const gen = arena.generationOf(slot);
  build(slot, gen);
  arena.endSpan(slot, gen, 1003);
  return slot;
}

const EDGE_ATTRIBUTES: Record<string, unknown> = {
  'str.empty': '',
  'str.multibyte': 'é 漢字 🎉 \u2028',
  'str.lone.high': 'a\ud800b',
  'str.lone.low': '\udc00',
  'str.lone.long': `${'x'.repeat(40)}\ud83d${'y'.repeat(40)}\ude00`, // over 32 units: the TextEncoder path
  'str.controls': '\u0000\u0001\u001f\u007f "quoted" back\\slash\n\r\t\b\f',
  'int.zero': 0,
  'int.minus1': -1,
  'int.max.safe': Number.MAX_SAFE_INTEGER,
  'int.past.safe': 2 ** 53 + 2,
  'int.min': -(2 ** 63),
  'int.max.double': 2 ** 63 - 1024,
  'double.half': 1.5,
  'double.nan': NaN,
  'double.inf': Infinity,
  'double.minus.inf': -Infinity,
  'double.2pow63': 2 ** 63,
  'double.1e21': 1e21,
  'double.tiny': 5e-324,
  'double.minus.small': -1.25e-7,
  'bool.true': true,
  'bool.false': false,
  'array.strings': ['a', '', 'é', null],
  'array.bools': [true, false],
  'array.ints': [0, -(2 ** 63), 2 ** 53 + 2],
  'array.doubles': [0.5, NaN, -Infinity],
  'array.empty': [],
  'array.nulls': [null, undefined],
  'key.lone.\udfff': 'lone surrogate in the key',
};

/** Every kind, a remote and a local parent, events, links with trace state and flags, statuses, limits. */
function richArena(): { arena: SpanArena; slots: number[] } {
  const arena = newArena({}, { attributeCount: 40, eventCount: 2, linkCount: 2, attributePerEventCount: 1 });
  arena.setResource({ 'service.name': 'orders', 'host.cores': 2, 'deploy.ratio': 0.5, tags: ['a', 'b'], 'res.lone': 'r\ud800' },
    'https://opentelemetry.io/schemas/1.26.0');
  const lib = arena.addScope('lib', '1.2.3', 'https://example.com/scope-schema', { 'scope.attr': 'x', 'scope.n': 7 });
  const plain = arena.addScope('plain \udc00');
  const slots: number[] = [];
  const root = arena.startSpan(lib, 'GET /api/orders/:id', SpanKindCode.SERVER, 1000);
  const rootGen = arena.generationOf(root);
  arena.setIds(root, rootGen, TRACE_A, SPAN_A);
  arena.setStartTime(root, rootGen, EPOCH_MS, 7);
  for (const [key, value] of Object.entries(EDGE_ATTRIBUTES)) arena.setAttribute(root, rootGen, key, value);
  arena.addEventAt(root, rootGen, 'cache.lookup', 0, EPOCH_MS + 1, 999_999, { 'cache.hit': true, dropped: 1 });
  arena.addEventAt(root, rootGen, '', 0, EPOCH_MS + 2, 0);
  arena.addEvent(root, rootGen, 'over.limit', 1002);
  arena.addLink(root, rootGen, LINK_TRACE, LINK_SPAN, 1, true, 'vendor=a,other=b', { 'link.n': 1 });
  arena.addLink(root, rootGen, LINK_TRACE, SPAN_A, 0, false);
  arena.addLink(root, rootGen, LINK_TRACE, SPAN_A, 0, false);
  arena.setStatus(root, rootGen, 2, 'boom "quoted" é');
  arena.endSpanAt(root, rootGen, 0, EPOCH_MS + 5, 123_456);
  slots.push(root);
  for (let kind = 0; kind <= 5; kind++) {
    slots.push(span(arena, kind % 2 === 0 ? lib : plain, `kind ${kind}`, kind, (slot, gen) => {
      if (kind === 1) arena.setStatus(slot, gen, 1);
      if (kind === 3) arena.setParentContext(slot, gen, TRACE_A, REMOTE_PARENT, 1, true, 'congo=t61rcWkgMzE');
      if (kind === 4) arena.setParentContext(slot, gen, TRACE_A, REMOTE_PARENT, 0, false);
      if (kind === 5) arena.setTraceState(slot, gen, 'rojo=00f067aa0ba902b7');
    }));
  }
  slots.push(span(arena, plain, 'local child \ud800', SpanKindCode.CLIENT, (slot, gen) => {
    arena.addEvent(slot, gen, 'event \udc00', 1001);
    arena.setStatus(slot, gen, 2, 'message \ud800');
  }, slots[1]!));
  slots.push(span(arena, lib, '', SpanKindCode.INTERNAL)); // empty name
  return { arena, slots };
}

function protobufOf(arena: SpanArena, slots: number[]): DecodedExportTraceRequest {
  const body = new BatchEncoder(arena).encode(Uint32Array.from(slots), slots.length);
  expect(body).not.toBeNull();
  return decodeExportTraceRequest(body!);
}

function jsonTextOf(arena: SpanArena, slots: number[]): string {
  const body = new OtlpJsonEncoder(arena).encodeAll(Uint32Array.from(slots), slots.length);
  expect(body).toBeDefined();
  return utf8.decode(body!);
}

// ---------------------------------------------------------------------------------------------

describe('OTLP/JSON encoder', () => {
  it('carries field for field what the protobuf encoder carries (strict proto3 JSON reader vs the protobuf oracle)', () => {
    const { arena, slots } = richArena();
    const text = jsonTextOf(arena, slots);
    const json = strict.request(text);
    expect(json).toEqual(protobufOf(arena, slots));
    // The batch really exercises what it claims to.
    const spans = json.resourceSpans[0]!.scopeSpans.flatMap((ss) => ss.spans);
    expect(spans).toHaveLength(slots.length);
    expect(new Set(spans.map((s) => s.kind))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(json.resourceSpans[0]!.scopeSpans.map((ss) => ss.scope.name)).toEqual(['lib', 'plain \ufffd']);
    expect(json.resourceSpans[0]!.resource.attributes).toContainEqual({ key: 'res.lone', value: { stringValue: 'r\ufffd' } });
    const root = spans.find((s) => s.spanId === SPAN_A)!;
    expect(root.droppedEventsCount).toBe(1);
    expect(root.droppedLinksCount).toBe(1);
    expect(root.events[0]!.droppedAttributesCount).toBe(1);
    expect(root.links[0]).toMatchObject({ traceState: 'vendor=a,other=b', flags: 0x301 });
    expect(root.links[1]!.flags).toBe(0x100);
    expect(spans.find((s) => s.name === 'local child \ufffd')).toMatchObject({
      events: [{ name: 'event \ufffd' }], status: { code: 2, message: 'message \ufffd' },
    });
    expect(root.attributes).toContainEqual({ key: 'key.lone.\ufffd', value: { stringValue: 'lone surrogate in the key' } });
    expect(spans.find((s) => s.name === 'kind 3')).toMatchObject({ parentSpanId: REMOTE_PARENT, flags: 0x301, traceState: 'congo=t61rcWkgMzE' });
  });

  it('writes edge values as proto3 JSON: int64 as exact decimal strings, NaN/Infinity as strings, times exact', () => {
    const { arena, slots } = richArena();
    const text = jsonTextOf(arena, slots);
    const attr = (key: string): string => {
      const at = text.indexOf(`{"key":${JSON.stringify(key)},"value":`);
      expect(at, key).toBeGreaterThan(0);
      const start = at + `{"key":${JSON.stringify(key)},"value":`.length;
      return text.slice(start, text.indexOf('}', start) + 1);
    };
    expect(attr('int.min')).toBe('{"intValue":"-9223372036854775808"}');
    expect(attr('int.max.double')).toBe('{"intValue":"9223372036854774784"}');
    expect(attr('int.past.safe')).toBe('{"intValue":"9007199254740994"}');
    expect(attr('int.zero')).toBe('{"intValue":"0"}');
    expect(attr('double.nan')).toBe('{"doubleValue":"NaN"}');
    expect(attr('double.inf')).toBe('{"doubleValue":"Infinity"}');
    expect(attr('double.minus.inf')).toBe('{"doubleValue":"-Infinity"}');
    expect(attr('double.2pow63')).toBe('{"doubleValue":9223372036854776000}');
    expect(attr('double.1e21')).toBe('{"doubleValue":1e+21}');
    expect(attr('double.tiny')).toBe('{"doubleValue":5e-324}');
    expect(attr('array.empty')).toBe('{"arrayValue":{"values":[]}');
    expect(attr('str.lone.high')).toBe('{"stringValue":"a\ufffdb"}');
    expect(attr('str.lone.long')).toBe(`{"stringValue":"${'x'.repeat(40)}\ufffd${'y'.repeat(40)}\ufffd"}`);
    expect(attr('str.controls')).toBe(`{"stringValue":${JSON.stringify('\u0000\u0001\u001f\u007f "quoted" back\\slash\n\r\t\b\f')}}`);
    // Times: epoch ms * 1e6 + ns, digit for digit (past 2^53, where a double would round).
    expect(text).toContain(`"startTimeUnixNano":"${BigInt(EPOCH_MS) * 1_000_000n + 7n}"`);
    expect(text).toContain(`"endTimeUnixNano":"${BigInt(EPOCH_MS + 5) * 1_000_000n + 123_456n}"`);
    expect(text).toContain(`"timeUnixNano":"${BigInt(EPOCH_MS + 1) * 1_000_000n + 999_999n}"`);
    // Enums are integers; ids lowercase hex; keys lowerCamelCase (the strict reader refuses anything else).
    expect(text).toContain(`"traceId":"${TRACE_A}","spanId":"${SPAN_A}"`);
    expect(text).toMatch(/"kind":2,/);
    expect(text).toContain('"status":{"message":"boom \\"quoted\\" é","code":2}');
    // The text is exactly what JSON.stringify would write for the same values (escaping included).
    expect(JSON.stringify(JSON.parse(text))).toBe(text.replace(/"doubleValue":-0\b/g, '"doubleValue":0'));
  });

  it('keeps -0 as -0 and bytes outside ASCII as raw UTF-8 (no \\u escapes but for controls)', () => {
    const arena = newArena();
    const scope = arena.addScope('s');
    const slot = span(arena, scope, 'naïve 🎉', SpanKindCode.INTERNAL, (s, g) => {
      arena.setAttribute(s, g, 'neg.zero.double', [-0.5, -0]); // -0 inside a double array stays a double
    });
    const text = jsonTextOf(arena, [slot]);
    expect(text).toContain('"name":"naïve 🎉"');
    expect(strict.request(text)).toEqual(protobufOf(arena, [slot]));
    expect(new TextEncoder().encode(text)).toEqual(new OtlpJsonEncoder(arena).encodeAll([slot], 1));
  });

  it('encodes empty, 1 MB and multi-byte strings and round-trips them through the strict reader', () => {
    const arena = newArena({ stringBytes: 16 * 1024 * 1024, batchBytes: 16 * 1024 * 1024 });
    const scope = arena.addScope('big');
    const huge = 'x'.repeat(1024 * 1024);
    const wide = '漢'.repeat(100_000);
    const slot = span(arena, scope, 'huge', SpanKindCode.INTERNAL, (s, g) => {
      arena.setAttribute(s, g, 'huge', huge);
      arena.setAttribute(s, g, 'wide', wide);
      arena.setAttribute(s, g, 'empty', '');
    });
    const text = jsonTextOf(arena, [slot]);
    expect(text.length).toBeGreaterThan(1024 * 1024 + 100_000);
    expect(strict.request(text)).toEqual(protobufOf(arena, [slot]));
  });

  it('matches the official JsonTraceSerializer for an equivalent span, wherever the two are comparable', () => {
    const arena = newArena();
    arena.setResource({ 'service.name': 'orders', 'host.cores': 2, ratio: 0.25, tags: ['a', 'b'] }, 'https://schema/1');
    const scope = arena.addScope('lib', '1.0.0', 'https://scope-schema/1');
    const slots = [
      span(arena, scope, 'GET /orders', SpanKindCode.SERVER, (s, g) => {
        arena.setIds(s, g, TRACE_A, SPAN_A);
        arena.setStartTime(s, g, EPOCH_MS, 42);
        arena.setAttribute(s, g, 'http.route', '/orders/:id');
        arena.setAttribute(s, g, 'http.response.status_code', 200);
        arena.setAttribute(s, g, 'ratio', 0.75);
        arena.setAttribute(s, g, 'ok', true);
        arena.setAttribute(s, g, 'multi', 'é漢🎉');
        arena.setAttribute(s, g, 'list', ['x', 'y']);
        arena.setAttribute(s, g, 'nums', [1, 2.5]);
        arena.addEventAt(s, g, 'cache.lookup', 0, EPOCH_MS + 1, 5, { hit: false });
        arena.addLink(s, g, LINK_TRACE, LINK_SPAN, 1, true, 'vendor=a', { n: 3 });
        arena.setStatus(s, g, 2, 'failed');
      }),
      ...[SpanKindCode.INTERNAL, SpanKindCode.CLIENT, SpanKindCode.PRODUCER, SpanKindCode.CONSUMER].map((kind) =>
        span(arena, scope, `child ${kind}`, kind, (s, g) => {
          arena.setParentContext(s, g, TRACE_A, REMOTE_PARENT, 1, kind === SpanKindCode.CLIENT, 'rojo=1');
          arena.setStatus(s, g, 1);
        })),
    ];
    const officialSpans = slots.map((slot) => {
      const f = readFinishedSpan(arena, slot);
      return {
        name: f.name, kind: f.kind, spanContext: () => f.spanContext,
        parentSpanContext: f.parentSpanId === '' ? undefined : {
          traceId: f.spanContext.traceId, spanId: f.parentSpanId, traceFlags: f.spanContext.traceFlags,
          isRemote: f.parentIsRemote,
        },
        startTime: f.startTime, endTime: f.endTime, status: f.status, attributes: f.attributes, links: f.links,
        events: f.events, duration: [0, 0], ended: true, resource: f.resource, instrumentationScope: f.instrumentationScope,
        droppedAttributesCount: f.droppedAttributesCount, droppedEventsCount: f.droppedEventsCount,
        droppedLinksCount: f.droppedLinksCount,
      };
    });
    const officialText = utf8.decode(JsonTraceSerializer.serializeRequest(officialSpans as never)!);
    const official = lenient.request(officialText);
    const ours = strict.request(jsonTextOf(arena, slots));
    // The official serializer never writes the resource's dropped count from input and always writes status:
    // both are defaults the reader fills in, so the two decode to the same request.
    expect(ours).toEqual(official);
    // Where the official one departs from proto3 JSON, we do not: int64 attributes are strings there numbers.
    expect(officialText).toContain('"intValue":200');
    expect(jsonTextOf(arena, slots)).toContain('"intValue":"200"');
  });

  it('splits a batch at the byte bound: every request is whole JSON, within maxBytes, all spans once and in order', () => {
    const arena = newArena({ spans: 256 });
    const a = arena.addScope('a');
    const b = arena.addScope('b', '2', 'https://b');
    const slots: number[] = [];
    for (let i = 0; i < 200; i++) {
      slots.push(span(arena, i % 3 === 0 ? b : a, `span ${i}`, SpanKindCode.INTERNAL, (s, g) => {
        arena.setAttribute(s, g, 'payload', 'p'.repeat(i * 60));
      }));
    }
    const encoder = new OtlpJsonEncoder(arena);
    expect(encoder.begin(Uint32Array.from(slots), slots.length)).toBe(true);
    const maxBytes = 8 * 1024;
    const seen: number[] = [];
    let oversized = 0;
    while (encoder.remaining > 0) {
      const taken = encoder.next(4 * 1024, maxBytes);
      if (taken === 0) {
        oversized++;
        encoder.skip();
        continue;
      }
      expect(encoder.body.length).toBeLessThanOrEqual(maxBytes);
      const request = strict.request(utf8.decode(encoder.body));
      const names = request.resourceSpans[0]!.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name));
      expect(names).toHaveLength(taken);
      seen.push(...names.map((name) => Number(name.slice(5))));
    }
    expect(oversized + seen.length).toBe(slots.length);
    expect(new Set(seen).size).toBe(seen.length);
    // Payloads under 7000 bytes fit (a span's other fields are well under 1 KB); from 8192 bytes on none can.
    for (let i = 0; i < slots.length; i++) {
      if (i * 60 < 7000) expect(seen, `span ${i}`).toContain(i);
      if (i * 60 >= 8192) expect(seen, `span ${i}`).not.toContain(i);
    }
    // Grouped by scope as the protobuf encoder groups them: scope a's spans first, each scope in list order.
    const order = [...slots.keys()].filter((i) => i % 3 !== 0).concat([...slots.keys()].filter((i) => i % 3 === 0));
    expect(seen).toEqual(order.filter((i) => seen.includes(i)));
  });

  it('repeated strings (copied from their first occurrence in the body) stay right across requests and rewinds', () => {
    const arena = newArena({ spans: 128 });
    const scope = arena.addScope('repeat');
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 "quoted"\n';
    const slots: number[] = [];
    for (let i = 0; i < 100; i++) {
      slots.push(span(arena, scope, 'SELECT orders WHERE id = ?', SpanKindCode.CLIENT, (s, g) => {
        arena.setAttribute(s, g, 'user_agent.original', ua);
        arena.setAttribute(s, g, 'http.response.status_code', 200);
        arena.setAttribute(s, g, `unique.key.number.${i}`, `unique value number ${i} `.repeat(i % 7));
      }));
    }
    expect(strict.request(jsonTextOf(arena, slots))).toEqual(protobufOf(arena, slots));
    const encoder = new OtlpJsonEncoder(arena);
    expect(encoder.begin(Uint32Array.from(slots), slots.length)).toBe(true);
    const received: DecodedSpan[] = [];
    while (encoder.remaining > 0) {
      const taken = encoder.next(2000, 3000); // small requests: most end with a rewind past cached strings
      expect(taken).toBeGreaterThan(0);
      const request = strict.request(utf8.decode(encoder.body));
      received.push(...request.resourceSpans[0]!.scopeSpans[0]!.spans);
    }
    expect(received).toEqual(protobufOf(arena, slots).resourceSpans[0]!.scopeSpans[0]!.spans);
  });

  it('reports corrupt lists and out-of-range slots instead of throwing', () => {
    const arena = newArena();
    const scope = arena.addScope('s');
    const slot = span(arena, scope, 'x', SpanKindCode.INTERNAL, (s, g) => arena.setAttribute(s, g, 'k', 'v'));
    const encoder = new OtlpJsonEncoder(arena);
    expect(encoder.begin([9999], 1)).toBe(false);
    expect(encoder.encodeAll([], 0)).toEqual(new TextEncoder().encode('{}'));
    const head = arena.spanAttrHead[slot]!;
    arena.attrNext[head] = head; // a cycle
    expect(encoder.begin([slot], 1)).toBe(false); // the codec refuses it too, so the resource cannot be read
    arena.attrNext[head] = 0;
    expect(encoder.begin([slot], 1)).toBe(true); // resource now cached
    arena.attrNext[head] = head;
    expect(encoder.next(Infinity, Infinity)).toBe(JSON_ENCODE_BAD_INPUT);
    arena.attrNext[head] = 0;
    // A corrupt span after good ones in the same request: the whole request is abandoned and still remaining.
    const good = span(arena, scope, 'good', SpanKindCode.INTERNAL);
    expect(encoder.begin([good, slot], 2)).toBe(true);
    arena.attrNext[head] = head;
    expect(encoder.next(Infinity, Infinity)).toBe(JSON_ENCODE_BAD_INPUT);
    expect(encoder.remaining).toBe(2);
    arena.attrNext[head] = 0;
  });
});
