// Proves the WASM OTLP encoder's bytes field by field against the independent decoder (test/support): field
// numbers and wire types, default omission, varint and length-prefix edges, UTF-8 edge strings, scopes, empty batch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatchEncoder, SpanArena, SpanKindCode, loadCodec, type ArenaCapacity } from '../src/index.js';
import { relMsToUnixNanos } from '../src/arena/clock.js';
import {
  type WireField, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, decodeExportTraceRequest, listSpans, walkProtobufFields,
} from './support/otlp-decode.js';

const BUILDS = ['debug', 'release'] as const;
const wasmBytes = (build: string): Uint8Array => readFileSync(new URL(`../dist/spanwire.${build}.wasm`, import.meta.url));

function newArena(build: (typeof BUILDS)[number] = 'release', capacity: Partial<ArenaCapacity> = {}) {
  const arena = new SpanArena(loadCodec(wasmBytes(build)), { spans: 256, ...capacity });
  return { arena, encoder: new BatchEncoder(arena) };
}

/** What the encoder must produce for a string: lone surrogates replaced by U+FFFD. */
const utf8Normalised = (s: string): string => new TextDecoder().decode(new TextEncoder().encode(s));

/** The single field with this number (fails if absent or repeated). */
function only(fields: WireField[], field: number): WireField {
  const found = fields.filter((f) => f.field === field);
  expect(found, `field ${field}`).toHaveLength(1);
  return found[0]!;
}

function lenBytes(field: WireField): Uint8Array {
  if (field.wireType !== WIRE_LEN) throw new Error(`field ${field.field} is not LEN`);
  return field.bytes;
}

/** Bytes of each Span of the first ScopeSpans. */
function rawSpanBytes(body: Uint8Array): Uint8Array[] {
  const resourceSpans = lenBytes(only(walkProtobufFields(body), 1));
  const scopeSpans = lenBytes(walkProtobufFields(resourceSpans).find((f) => f.field === 2)!);
  return walkProtobufFields(scopeSpans).filter((f) => f.field === 2).map(lenBytes);
}

/** Raw fields of each Span of the first ScopeSpans. */
function rawSpans(body: Uint8Array): WireField[][] {
  return rawSpanBytes(body).map((bytes) => walkProtobufFields(bytes));
}

/** Reference varint of an int64 (two's complement, 7 bits per byte): independent of the encoder. */
function varintOf(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function recordOne(arena: SpanArena, name: string, attributes: Record<string, unknown> = {}) {
  const scope = arena.addScope('test', '1.0.0');
  const slot = arena.startSpan(scope, name, SpanKindCode.INTERNAL, 1000, -1);
  const gen = arena.generationOf(slot);
  for (const key of Object.keys(attributes)) arena.setAttribute(slot, gen, key, attributes[key]);
  arena.endSpan(slot, gen, 2000);
  return slot;
}

describe('OTLP encoder', () => {
  it.each(BUILDS)('writes every Span field with its official number and wire type, in field order (%s)', (build) => {
    const { arena, encoder } = newArena(build);
    const scope = arena.addScope('orders-lib', '2.0.1');
    const slot = arena.startSpan(scope, 'GET /api/orders/:id', SpanKindCode.SERVER, 1234.5678, -1);
    const gen = arena.generationOf(slot);
    arena.setParentContext(slot, gen, '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 1, true, 'vendor=a,x=y');
    arena.setAttribute(slot, gen, 'http.route', '/api/orders/:id');
    arena.setAttribute(slot, gen, 'server.port', 8080);
    const eventId = arena.addEvent(slot, gen, 'cache.lookup', 1300.25);
    arena.setEventAttribute(slot, gen, eventId, 'cache.key', 'orders:12345');
    arena.addLink(slot, gen, '11111111111111111111111111111111', '2222222222222222', 0, false, 'k=v', { 'link.n': 3 });
    arena.setStatus(slot, gen, 2, 'payment failed');
    arena.endSpan(slot, gen, 1500.000001);
    const body = encoder.encode([slot], 1)!;
    const fields = rawSpans(body)[0]!;
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 11, 13, 15, 16]);
    const wireTypes = Object.fromEntries(fields.map((f) => [f.field, f.wireType]));
    expect(wireTypes).toEqual({
      1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_LEN, 5: WIRE_LEN, 6: WIRE_VARINT, 7: WIRE_I64, 8: WIRE_I64,
      9: WIRE_LEN, 11: WIRE_LEN, 13: WIRE_LEN, 15: WIRE_LEN, 16: WIRE_I32,
    });
    // Field 16 needs a two-byte tag: (16 << 3) | 5 = 133 = 0x85 0x01.
    const flagsField = only(fields, 16);
    const spanBytes = rawSpanBytes(body)[0]!;
    expect([...spanBytes.subarray(flagsField.offset, flagsField.end)]).toEqual([0x85, 0x01, 0x01, 0x03, 0x00, 0x00]);

    const [located] = listSpans(decodeExportTraceRequest(body.slice()));
    const span = located!.span;
    expect(located!.scope).toMatchObject({ name: 'orders-lib', version: '2.0.1' });
    expect(span.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanId).toBe('b7ad6b7169203331');
    expect(span.spanId).toBe(arena.spanIdHex(slot));
    expect(span.traceState).toBe('vendor=a,x=y');
    expect(span.flags).toBe(0x01 | 0x100 | 0x200); // sampled, parent-is-remote known, parent is remote
    expect(span.name).toBe('GET /api/orders/:id');
    expect(span.kind).toBe(2);
    expect(span.startTimeUnixNano).toBe(relMsToUnixNanos(1234.5678));
    expect(span.endTimeUnixNano).toBe(relMsToUnixNanos(1500.000001));
    expect(span.attributes).toEqual([
      { key: 'http.route', value: { stringValue: '/api/orders/:id' } },
      { key: 'server.port', value: { intValue: 8080n } },
    ]);
    expect(span.events).toEqual([{
      timeUnixNano: relMsToUnixNanos(1300.25), name: 'cache.lookup', droppedAttributesCount: 0,
      attributes: [{ key: 'cache.key', value: { stringValue: 'orders:12345' } }],
    }]);
    expect(span.links).toEqual([{
      traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceState: 'k=v', flags: 0x100,
      droppedAttributesCount: 0, attributes: [{ key: 'link.n', value: { intValue: 3n } }],
    }]);
    expect(span.status).toEqual({ code: 2, message: 'payment failed' });
  });

  it('omits proto3 defaults: no parent, trace state, dropped counts or status on a plain root span', () => {
    const { arena, encoder } = newArena();
    const slot = recordOne(arena, 'root');
    const fields = rawSpans(encoder.encode([slot], 1)!)[0]!;
    expect(fields.map((f) => f.field)).toEqual([1, 2, 5, 6, 7, 8, 16]);
    expect(lenBytes(only(fields, 1))).toHaveLength(16);
    expect(lenBytes(only(fields, 2))).toHaveLength(8);
    const flags = only(fields, 16);
    expect(flags.wireType === WIRE_I32 && flags.value).toBe(0x101);
  });

  it('writes dropped counts on the wire when limits drop attributes, events and links', () => {
    const codec = loadCodec();
    const arena = new SpanArena(codec, { spans: 8 }, { attributeCount: 1, eventCount: 1, linkCount: 1, attributePerEventCount: 1 });
    const encoder = new BatchEncoder(arena);
    const scope = arena.addScope('s');
    const slot = arena.startSpan(scope, 'limited', SpanKindCode.INTERNAL, 1, -1);
    const gen = arena.generationOf(slot);
    arena.setAttribute(slot, gen, 'a', 1);
    arena.setAttribute(slot, gen, 'b', 2);
    arena.setAttribute(slot, gen, 'c', 3);
    arena.setAttribute(slot, gen, 'a', 'replaced'); // an existing key is replaced, not dropped
    arena.addEvent(slot, gen, 'e1', 2, { x: 1, y: 2, z: 3 });
    arena.addEvent(slot, gen, 'e2', 3);
    arena.addLink(slot, gen, '11111111111111111111111111111111', '2222222222222222', 1, false);
    arena.addLink(slot, gen, '11111111111111111111111111111111', '3333333333333333', 1, false);
    arena.endSpan(slot, gen, 4);
    const span = listSpans(decodeExportTraceRequest(encoder.encode([slot], 1)!.slice()))[0]!.span;
    expect(span.attributes).toEqual([{ key: 'a', value: { stringValue: 'replaced' } }]);
    expect(span.droppedAttributesCount).toBe(2);
    expect(span.events).toHaveLength(1);
    expect(span.events[0]!.droppedAttributesCount).toBe(2);
    expect(span.droppedEventsCount).toBe(1);
    expect(span.links).toHaveLength(1);
    expect(span.droppedLinksCount).toBe(1);
  });

  const INT_EDGES = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1,
    2 ** 32, 2 ** 53 - 1, -1, -128, -(2 ** 31), -(2 ** 53 - 1), -(2 ** 63), 2 ** 62];
  it.each(BUILDS)('encodes int_value at every varint edge with the exact reference bytes (%s)', (build) => {
    const { arena, encoder } = newArena(build);
    const attributes: Record<string, number> = {};
    INT_EDGES.forEach((v, i) => { attributes[`i${i}`] = v; });
    const body = encoder.encode([recordOne(arena, 'ints', attributes)], 1)!;
    const keyValues = rawSpans(body)[0]!.filter((f) => f.field === 9);
    expect(keyValues).toHaveLength(INT_EDGES.length);
    keyValues.forEach((kv, i) => {
      const anyValue = lenBytes(only(walkProtobufFields(lenBytes(kv)), 2));
      // AnyValue.int_value: tag 0x18 (field 3, VARINT), then the two's complement varint (10 bytes if negative).
      expect([...anyValue], `value ${INT_EDGES[i]}`).toEqual([0x18, ...varintOf(BigInt(INT_EDGES[i]!))]);
    });
    const decoded = listSpans(decodeExportTraceRequest(body.slice()))[0]!.span.attributes;
    expect(decoded.map((a) => a.value)).toEqual(INT_EDGES.map((v) => ({ intValue: BigInt(v) })));
  });

  it('encodes non-integers and integers outside int64 as double_value, keeping NaN, ±Infinity and fractions', () => {
    const { arena, encoder } = newArena();
    const values = [0.5, -1.25, NaN, Infinity, -Infinity, 2 ** 63, -(2 ** 64), Number.MIN_VALUE, Number.MAX_VALUE];
    const attributes: Record<string, number> = {};
    values.forEach((v, i) => { attributes[`d${i}`] = v; });
    const body = encoder.encode([recordOne(arena, 'doubles', attributes)], 1)!;
    const decoded = listSpans(decodeExportTraceRequest(body.slice()))[0]!.span.attributes;
    expect(decoded.map((a) => a.value)).toEqual(values.map((v) => ({ doubleValue: v })));
  });

  it('encodes bool and homogeneous arrays, with null entries as empty AnyValues', () => {
    const { arena, encoder } = newArena();
    const body = encoder.encode([recordOne(arena, 'kinds', {
      t: true, f: false, strings: ['a', '', null, 'é'], bools: [true, false], numbers: [1, -2, 3.5, undefined],
      empty: [],
    })], 1)!;
    const decoded = listSpans(decodeExportTraceRequest(body.slice()))[0]!.span.attributes;
    expect(decoded).toEqual([
      { key: 't', value: { boolValue: true } },
      { key: 'f', value: { boolValue: false } },
      { key: 'strings', value: { arrayValue: [{ stringValue: 'a' }, { stringValue: '' }, {}, { stringValue: 'é' }] } },
      { key: 'bools', value: { arrayValue: [{ boolValue: true }, { boolValue: false }] } },
      { key: 'numbers', value: { arrayValue: [{ intValue: 1n }, { intValue: -2n }, { doubleValue: 3.5 }, {}] } },
      { key: 'empty', value: { arrayValue: [] } },
    ]);
  });

  // UTF-8 byte lengths whose length prefix is 1, 2, 3 and 4 bytes long, at each boundary.
  const LENGTHS = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21];
  it('writes length prefixes crossing 1 -> 2 -> 3 -> 4 bytes for strings, spans, scope and resource spans', () => {
    const big = { spans: 16, stringBytes: 24 * 1024 * 1024, batchBytes: 24 * 1024 * 1024 };
    const { arena, encoder } = newArena('release', big);
    const scope = arena.addScope('lengths');
    const slots = LENGTHS.map((len) => {
      const slot = arena.startSpan(scope, 'x'.repeat(len), SpanKindCode.INTERNAL, 1, -1);
      const gen = arena.generationOf(slot);
      arena.setAttribute(slot, gen, 'v', 'y'.repeat(len));
      arena.addEvent(slot, gen, 'e'.repeat(Math.min(len, 200)), 2);
      arena.endSpan(slot, gen, 3);
      return slot;
    });
    const body = encoder.encode(slots, slots.length)!;
    expect(body.length).toBeGreaterThan(2 ** 23); // the ResourceSpans length prefix itself needs 4 bytes
    const spans = listSpans(decodeExportTraceRequest(body.slice()));
    expect(spans.map((s) => s.span.name.length)).toEqual(LENGTHS);
    spans.forEach((s, i) => {
      expect(s.span.name).toBe('x'.repeat(LENGTHS[i]!));
      expect(s.span.attributes).toEqual([{ key: 'v', value: { stringValue: 'y'.repeat(LENGTHS[i]!) } }]);
      expect(s.span.events[0]!.name).toBe('e'.repeat(Math.min(LENGTHS[i]!, 200)));
    });
  });

  it('moves a span body when its size crosses the 2-byte length guess (16383 -> 16384 bytes)', () => {
    const { arena, encoder } = newArena('release', { batchBytes: 1 << 20, stringBytes: 1 << 22 });
    const scope = arena.addScope('edge');
    for (let len = 16300; len <= 16420; len++) {
      const slot = arena.startSpan(scope, 'n', SpanKindCode.INTERNAL, 1, -1);
      const gen = arena.generationOf(slot);
      arena.setAttribute(slot, gen, 'v', 'z'.repeat(len));
      arena.endSpan(slot, gen, 2);
      const span = listSpans(decodeExportTraceRequest(encoder.encode([slot], 1)!.slice()))[0]!.span;
      expect(span.attributes[0]!.value).toEqual({ stringValue: 'z'.repeat(len) });
      arena.freeSpan(slot);
    }
  });

  it('encodes empty, multi-byte, lone-surrogate and 1 MB strings as valid UTF-8', () => {
    const { arena, encoder } = newArena('release', { stringBytes: 16 << 20, batchBytes: 8 << 20 });
    const megabyte = 'aé€😀'.repeat(1 << 18).slice(0, 1 << 20);
    const strings = ['', 'é', '€', '😀', 'a\uD800b', '\uDC00', 'end\uD83D', '\uD83D\uD83D\uDE00', '漢字かなカナ',
      'x'.repeat(40) + '\uD800' + '😀'.repeat(20), megabyte, megabyte + '\uDBFF'];
    const attributes: Record<string, string> = {};
    strings.forEach((s, i) => { attributes[`s${i}`] = s; });
    const slot = recordOne(arena, 'utf8 \uD800 名前', attributes);
    const span = listSpans(decodeExportTraceRequest(encoder.encode([slot], 1)!.slice()))[0]!.span;
    expect(span.name).toBe(utf8Normalised('utf8 \uD800 名前'));
    expect(span.attributes.map((a) => a.value)).toEqual(strings.map((s) => ({ stringValue: utf8Normalised(s) })));
  });

  it('groups spans by scope: one ScopeSpans per scope, with scope attributes and schema URLs', () => {
    const { arena, encoder } = newArena('release', { scopes: 64 });
    arena.setResource({ 'service.name': 'orders', 'process.pid': 7 }, 'https://opentelemetry.io/schemas/1.26.0');
    const scopes = Array.from({ length: 60 }, (_, i) =>
      arena.addScope(`lib-${i}`, `1.${i}`, i % 2 ? `https://example.com/s/${i}` : '', i % 3 ? undefined : { n: i }));
    const slots: number[] = [];
    for (let i = 0; i < 180; i++) {
      const scope = scopes[(i * 7) % 60]!;
      const slot = arena.startSpan(scope, `span-${i}`, SpanKindCode.INTERNAL, i, -1);
      arena.endSpan(slot, arena.generationOf(slot), i + 1);
      slots.push(slot);
    }
    const request = decodeExportTraceRequest(encoder.encode(slots, slots.length)!.slice());
    expect(request.resourceSpans).toHaveLength(1);
    const resourceSpans = request.resourceSpans[0]!;
    expect(resourceSpans.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(resourceSpans.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'orders' } }, { key: 'process.pid', value: { intValue: 7n } },
    ]);
    expect(resourceSpans.scopeSpans.map((s) => s.scope.name)).toEqual(scopes.map((_, i) => `lib-${i}`));
    resourceSpans.scopeSpans.forEach((scopeSpans, i) => {
      expect(scopeSpans.scope.version).toBe(`1.${i}`);
      expect(scopeSpans.schemaUrl).toBe(i % 2 ? `https://example.com/s/${i}` : '');
      expect(scopeSpans.scope.attributes).toEqual(i % 3 ? [] : [{ key: 'n', value: { intValue: BigInt(i) } }]);
      const expected = slots.map((_, k) => k).filter((k) => (k * 7) % 60 === i).map((k) => `span-${k}`);
      expect(scopeSpans.spans.map((s) => s.name)).toEqual(expected); // list order kept within a scope
    });
  });

  it('encodes an empty batch as an empty request', () => {
    const { encoder } = newArena();
    const body = encoder.encode([], 0)!;
    expect(body.length).toBe(0);
    expect(decodeExportTraceRequest(body.slice())).toEqual({ resourceSpans: [] });
  });

  it('gives byte-identical output from the debug and release builds', () => {
    const bodies = BUILDS.map((build) => {
      const { arena, encoder } = newArena(build, { stringBytes: 8 << 20, batchBytes: 8 << 20 });
      arena.setResource({ 'service.name': 'orders', pid: 1, tags: ['a', 'b'] });
      const scope = arena.addScope('s', '1');
      const slots = [0, 1, 127, 128, 16384, 300000].map((len, i) => {
        const slot = arena.startSpan(scope, `n${i}\uD800`, i % 6, i * 1.5, -1);
        const gen = arena.generationOf(slot);
        arena.setIds(slot, gen, `${'0'.repeat(31)}${i + 1}`, `${'0'.repeat(15)}${i + 1}`);
        arena.setAttribute(slot, gen, 'len', 'q'.repeat(len));
        arena.setAttribute(slot, gen, 'int', -(2 ** 53 - 1) + i);
        arena.setAttribute(slot, gen, 'd', [NaN, 1.5, null]);
        arena.addEvent(slot, gen, 'ev', i, { k: true });
        arena.addLink(slot, gen, 'ab'.repeat(16), 'cd'.repeat(8), 1, true, 'a=b', { w: 'x' });
        arena.setStatus(slot, gen, 2, 'no');
        arena.endSpan(slot, gen, i * 2 + 1);
        return slot;
      });
      const body = encoder.encode(slots, slots.length)!.slice();
      return { body, gzipFast: encoder.gzip(encoder.encode(slots, slots.length)!, 1).slice() };
    });
    expect(bodies[0]!.body.length).toBeGreaterThan(300000);
    expect(Buffer.from(bodies[0]!.body).equals(Buffer.from(bodies[1]!.body))).toBe(true);
    expect(Buffer.from(bodies[0]!.gzipFast).equals(Buffer.from(bodies[1]!.gzipFast))).toBe(true);
  });
});
