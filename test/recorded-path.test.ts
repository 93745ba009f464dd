// Proves the recorded span's one-step paths (a warm attribute key on a live span, addEvent's own attributes, the
// clock read inside the arena, ids packed as 32-bit words in RecordingSpan) keep every rule the general path has:
// replacement by key, count limits, value truncation counted once, string-pool half switches, spanContext() and
// trace state after the slot is recycled. Checked on the wire with the independent OTLP decoder.
import { ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { type ArenaCapacity, type ArenaLimits, SpanArena } from '../src/arena/span-arena.js';
import { loadCodec } from '../src/index.js';
import { RecordingSpan } from '../src/sdk/recording-span.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import type { DecodedKeyValue, DecodedSpan } from './support/otlp-decode.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

/** Keys every test warms first: the one-step path needs a key whose bytes are cached in the current pool half. */
const WARM_KEYS = ['http.request.method', 'url.path', 'http.response.status_code', 'app.cache_hit', 'ratio'];

function recordedPath(spanLimits: Partial<ArenaLimits> = {}, capacity: Partial<ArenaCapacity> = {}) {
  const exporter = new WireCaptureExporter();
  const provider = new SpanwireTracerProvider({
    exporter, spanLimits, capacity, batch: { scheduledDelayMs: 60_000 },
  });
  const tracer = provider.getTracer('recorded-path');
  const warm = tracer.startSpan('warm', {}, ROOT_CONTEXT);
  for (const key of WARM_KEYS) warm.setAttribute(key, 'warm');
  warm.addEvent('warm-event', { 'cache.key': 'warm' });
  warm.end();
  const wire = async (): Promise<Map<string, DecodedSpan>> => {
    await provider.forceFlush();
    expect(exporter.encodeFailures).toBe(0);
    return new Map(exporter.decoded().map((located) => [located.span.name, located.span]));
  };
  return { provider, tracer, wire, arena: () => provider.stats().arena };
}

function plain(list: DecodedKeyValue[]): [string, unknown][] {
  return list.map((kv) => [kv.key, Object.values(kv.value)[0]]);
}

describe('warm attribute keys (one-step path)', () => {
  it('writes strings, ints, doubles and booleans, and a repeated key replaces the value in place', async () => {
    const { tracer, wire } = recordedPath();
    const span = tracer.startSpan('typed', {}, ROOT_CONTEXT);
    span.setAttribute('http.request.method', 'GET');
    span.setAttribute('http.response.status_code', 200);
    span.setAttribute('ratio', 0.25);
    span.setAttribute('app.cache_hit', true);
    span.setAttribute('url.path', '/first');
    span.setAttribute('http.request.method', 'POST');
    span.setAttribute('app.cache_hit', false);
    span.end();
    const sent = (await wire()).get('typed')!;
    expect(plain(sent.attributes)).toEqual([
      ['http.request.method', 'POST'], ['http.response.status_code', 200n], ['ratio', 0.25],
      ['app.cache_hit', false], ['url.path', '/first'],
    ]);
    expect(sent.droppedAttributesCount).toBe(0);
  });

  it('keeps the first attributeCount keys, counts the rest, and still replaces a kept key at the limit', async () => {
    const { tracer, wire, arena } = recordedPath({ attributeCount: 2 });
    const before = arena().attributesOverLimit!;
    const span = tracer.startSpan('limited', {}, ROOT_CONTEXT);
    span.setAttribute('http.request.method', 'GET');
    span.setAttribute('url.path', '/a');
    span.setAttribute('app.cache_hit', true);
    span.setAttribute('ratio', 1.5);
    span.setAttribute('url.path', '/b');
    span.end();
    const sent = (await wire()).get('limited')!;
    expect(plain(sent.attributes)).toEqual([['http.request.method', 'GET'], ['url.path', '/b']]);
    expect(sent.droppedAttributesCount).toBe(2);
    expect(arena().attributesOverLimit! - before).toBe(2);
  });

  it('truncates a new string value to attributeValueLength and counts it once; a repeat of it is cut again', async () => {
    const { tracer, wire, arena } = recordedPath({ attributeValueLength: 4 });
    const before = arena().valuesTruncated!;
    for (const name of ['cut-1', 'cut-2']) {
      const span = tracer.startSpan(name, {}, ROOT_CONTEXT);
      span.setAttribute('url.path', '/orders/12345');
      span.setAttribute('http.request.method', 'GET');
      span.end();
    }
    const sent = await wire();
    for (const name of ['cut-1', 'cut-2']) {
      expect(plain(sent.get(name)!.attributes)).toEqual([['url.path', '/ord'], ['http.request.method', 'GET']]);
    }
    expect(arena().valuesTruncated! - before).toBe(2);
  });

  it('keeps every key and value right while new values switch string-pool halves under it', async () => {
    // 2 KiB halves: ~40 distinct 30-byte paths per half, so 400 spans switch halves many times mid-attribute.
    const { tracer, wire, arena } = recordedPath({}, { spans: 64, stringBytes: 4096 });
    const expected = new Map<string, [string, unknown][]>();
    for (let i = 0; i < 400; i++) {
      const name = `switch-${i}`;
      const span = tracer.startSpan(name, {}, ROOT_CONTEXT);
      const path = `/api/orders/${100000 + i}/items/${i % 7}`;
      span.setAttribute('http.request.method', i % 2 === 0 ? 'GET' : 'PUT');
      span.setAttribute('url.path', path);
      span.setAttribute('http.response.status_code', i);
      span.addEvent('lookup', { 'cache.key': `k${i}` });
      span.end();
      expected.set(name, [['http.request.method', i % 2 === 0 ? 'GET' : 'PUT'], ['url.path', path],
        ['http.response.status_code', BigInt(i)]]);
      if (i % 50 === 49) await wire(); // export, so spans release their halves
    }
    const sent = await wire();
    for (const [name, attributes] of expected) {
      const span = sent.get(name)!;
      expect(plain(span.attributes), name).toEqual(attributes);
      expect(plain(span.events[0]!.attributes), name).toEqual([['cache.key', `k${name.slice(7)}`]]);
    }
    expect(arena().stringPoolFull ?? 0).toBe(0);
  });
});

describe('attribute records', () => {
  it('go back to the pool when spans are freed, including records discarded for lack of room', async () => {
    const { tracer, wire, arena } = recordedPath({}, { attributes: 16, spans: 8 });
    // Each round: the array's elements run the pool dry (its record is discarded), then the event's 2nd attribute
    // finds no record either. A record lost per round would make later rounds fail more.
    for (let round = 0; round < 50; round++) {
      const span = tracer.startSpan(`round-${round}`, {}, ROOT_CONTEXT);
      span.setAttribute('http.request.method', 'GET');
      span.setAttribute(`new.key.${round}`, round);
      span.setAttribute('url.path', ['a', 'b']);
      span.setAttribute('url.path', '/replaced');
      span.setAttribute('too.big', Array.from({ length: 20 }, (_, i) => i)); // elements run the pool dry
      span.addEvent('lookup', { 'cache.key': 'k', other: 1 });
      span.end();
      await wire();
    }
    expect(arena().attributePoolFull).toBe(100);
    const full = tracer.startSpan('full', {}, ROOT_CONTEXT);
    for (let i = 0; i < 16; i++) full.setAttribute(i < 5 ? WARM_KEYS[i]! : `full.${i}`, i);
    full.end();
    const sent = (await wire()).get('full')!;
    expect(sent.attributes).toHaveLength(16);
    expect(arena().attributePoolFull).toBe(100);
  });

  it('an event id kept past freeSpan takes no attributes, even once its span slot and event record are reused', () => {
    const arena = new SpanArena(loadCodec(), { spans: 2, attributes: 8, events: 2 });
    const scope = arena.addScope('recorded-path');
    const first = arena.startSpan(scope, 'first', 1, 1000);
    const firstGen = arena.generationOf(first);
    const staleEvent = arena.addEvent(first, firstGen, 'e', 1001, { k: 1 });
    arena.freeSpan(first);
    const second = arena.startSpan(scope, 'second', 1, 1000);
    const gen = arena.generationOf(second);
    expect(second).toBe(first); // the same slot, a new generation
    const before = arena.counters.invalidRecordIds;
    expect(arena.setEventAttribute(second, gen, staleEvent, 'lost', 1)).toBe(false);
    expect(arena.counters.invalidRecordIds - before).toBe(1);
    // Every one of the 8 records is still free.
    for (let i = 0; i < 8; i++) expect(arena.setAttribute(second, gen, `k${i}`, i)).toBe(true);
  });
});

describe('addEvent attributes and the arena clock', () => {
  it('writes an event\'s warm and new keys, keeps attributePerEventCount, and times it between start and end', async () => {
    const { tracer, wire } = recordedPath({ attributePerEventCount: 2 });
    const span = tracer.startSpan('evented', {}, ROOT_CONTEXT);
    span.addEvent('lookup', { 'cache.key': 'orders:1', 'brand.new.key': 7, third: true });
    span.addEvent('lookup', { 'cache.key': 'orders:2' });
    span.end();
    const sent = (await wire()).get('evented')!;
    expect(sent.events.map((e) => [e.name, plain(e.attributes), e.droppedAttributesCount])).toEqual([
      ['lookup', [['cache.key', 'orders:1'], ['brand.new.key', 7n]], 1],
      ['lookup', [['cache.key', 'orders:2']], 0],
    ]);
    for (const event of sent.events) {
      expect(event.timeUnixNano >= sent.startTimeUnixNano && event.timeUnixNano <= sent.endTimeUnixNano).toBe(true);
    }
  });

  it('stops writing an event\'s attributes when a getter among them ends the span', async () => {
    const { tracer, wire, arena } = recordedPath();
    const span = tracer.startSpan('ended-inside', {}, ROOT_CONTEXT);
    const attributes = {
      'cache.key': 'kept',
      get ender(): string { span.end(); return 'lost'; },
      'url.path': 'lost too',
    };
    const before = arena().callsAfterEnd!;
    span.addEvent('lookup', attributes);
    const sent = (await wire()).get('ended-inside')!;
    expect(plain(sent.events[0]!.attributes)).toEqual([['cache.key', 'kept']]);
    expect(arena().callsAfterEnd! - before).toBe(2);
  });
});

describe('RecordingSpan ids and trace state', () => {
  it('spanContext(), a child\'s trace id and the trace state survive the slot being reused', async () => {
    const { tracer, wire } = recordedPath({}, { spans: 8 });
    const state = new TraceState('vendor=abc');
    const remote: SpanContext = {
      traceId: 'ff000080000000000000000000000081', spanId: 'ff00008000000001', traceFlags: 1, isRemote: true,
      traceState: state,
    };
    const parent = tracer.startSpan('parent', {}, trace.setSpanContext(ROOT_CONTEXT, remote));
    const context = parent.spanContext();
    expect(context).toMatchObject({ traceId: remote.traceId, traceFlags: 1, isRemote: false, traceState: state });
    expect(parent.spanContext()).toBe(context);
    parent.end();
    await wire(); // parent's slot is free and reused below
    for (let i = 0; i < 6; i++) tracer.startSpan(`filler-${i}`, {}, ROOT_CONTEXT).end();
    await wire();
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent));
    child.end();
    expect(parent.spanContext()).toBe(context);
    const sent = await wire();
    expect(sent.get('child')).toMatchObject({
      traceId: remote.traceId, parentSpanId: context.spanId, traceState: 'vendor=abc',
    });
    expect(child.spanContext().traceState).toBe(state);
    // The packed words (two of them negative int32s here) give the same bytes to any buffer and offset.
    expect(parent).toBeInstanceOf(RecordingSpan);
    const bytes = new Uint8Array(20);
    (parent as RecordingSpan).copyTraceId(bytes, 3);
    expect(Buffer.from(bytes.subarray(3, 19)).toString('hex')).toBe(remote.traceId);
  });
});
