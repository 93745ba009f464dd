// Proves garbage through any Tracer or Span method never throws into user code, is counted in
// provider.stats().arena, and leaves spans that still encode to valid OTLP (checked by the strict oracle).
import { ROOT_CONTEXT, type Span, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeContextManager } from '../src/runtime/node/async-local-storage-context.js';
import { type SpanwireOptions, SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import type { DecodedAnyValue, DecodedKeyValue, DecodedSpan, LocatedSpan } from './support/otlp-decode.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const TEN_MB = 10 * 1024 * 1024;

beforeAll(() => { context.setGlobalContextManager(createNodeContextManager()); });
afterAll(() => { context.disable(); });

// Anything typed loosely on purpose: these calls break the API's types the way untyped JS callers do.
type Loose = any;

/** An object whose every property read (and key listing) throws. */
function hostile(): Loose {
  const boom = (): never => { throw new Error('hostile getter'); };
  return new Proxy({}, { get: boom, ownKeys: boom, has: boom, getOwnPropertyDescriptor: boom });
}

/** An array Proxy (Array.isArray is true) whose element and length reads throw. */
function hostileArray(): Loose {
  return new Proxy([1, 2], { get: () => { throw new Error('hostile element'); } });
}

function setup(options: SpanwireOptions = {}) {
  const exporter = new WireCaptureExporter();
  const provider = new SpanwireTracerProvider({ exporter, batch: { scheduledDelayMs: 60_000 }, ...options });
  return { exporter, provider, tracer: provider.getTracer('bad-input') };
}

function counters(provider: SpanwireTracerProvider): Readonly<Record<string, number>> {
  return provider.stats().arena;
}

/** Counter increases since `before`, only for counters that moved. */
function increases(provider: SpanwireTracerProvider, before: Readonly<Record<string, number>>): Record<string, number> {
  const after = counters(provider);
  const moved: Record<string, number> = {};
  for (const key of Object.keys(after)) if (after[key] !== before[key]) moved[key] = after[key]! - before[key]!;
  return moved;
}

async function sent(provider: SpanwireTracerProvider, exporter: WireCaptureExporter): Promise<LocatedSpan[]> {
  await provider.forceFlush();
  expect(exporter.encodeFailures).toBe(0);
  return exporter.decoded();
}

function attributesOf(list: DecodedKeyValue[]): Record<string, DecodedAnyValue> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}

function byName(spans: LocatedSpan[], name: string): DecodedSpan {
  const found = spans.filter((s) => s.span.name === name);
  expect(found, `spans named ${JSON.stringify(name)}`).toHaveLength(1);
  return found[0]!.span;
}

/** Lifecycle bookkeeping counters every test moves; the assertions are about the others. */
function withoutLifecycle(moved: Record<string, number>): Record<string, number> {
  const { spansStarted: _s, spansEnded: _e, spansFreed: _f, ...rest } = moved;
  return rest;
}

describe('Span methods with garbage', () => {
  it('setAttribute refuses bad keys and values, counts them, and keeps the good ones', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('attributes');
    const before = counters(provider);
    const badKeys: Loose[] = [undefined, null, 42, Symbol('key'), '', {}, () => 'key'];
    const badValues: Loose[] = [
      undefined, null, {}, Symbol('value'), () => 1, 10n, new Date(), new Map(), [1, 'a'], [{}], [[1]], [true, 1],
    ];
    expect(() => {
      for (const key of badKeys) span.setAttribute(key, 'value');
      for (const value of badValues) span.setAttribute('bad', value);
      span.setAttribute('proxy-array', hostileArray());
      span.setAttribute('proxy-object', hostile());
      span.setAttribute(hostile(), 'value');
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({
      invalidAttributes: badKeys.length + badValues.length + 2,
    });
    expect(() => {
      span.setAttribute('nan', NaN).setAttribute('inf', Infinity).setAttribute('neg-zero', -0)
        .setAttribute('int64-min', -(2 ** 63)).setAttribute('two-pow-63', 2 ** 63)
        .setAttribute('holes', [null, 'a', undefined]).setAttribute('unicode', 'ünï€😀');
    }).not.toThrow();
    span.end();
    const wire = byName(await sent(provider, exporter), 'attributes');
    const attrs = attributesOf(wire.attributes);
    expect(Object.keys(attrs)).toEqual(['nan', 'inf', 'neg-zero', 'int64-min', 'two-pow-63', 'holes', 'unicode']);
    expect(Number.isNaN((attrs['nan'] as { doubleValue: number }).doubleValue)).toBe(true);
    expect(attrs['inf']).toEqual({ doubleValue: Infinity });
    expect(attrs['neg-zero']).toEqual({ intValue: 0n });
    expect(attrs['int64-min']).toEqual({ intValue: -(2n ** 63n) });
    expect(attrs['two-pow-63']).toEqual({ doubleValue: 2 ** 63 });
    expect(attrs['holes']).toEqual({ arrayValue: [{}, { stringValue: 'a' }, {}] });
    expect(attrs['unicode']).toEqual({ stringValue: 'ünï€😀' });
    expect(wire.droppedAttributesCount).toBe(0);
  });

  it('setAttributes ignores non-objects and hostile objects, keeping valid entries', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('set-attributes');
    const before = counters(provider);
    expect(() => {
      for (const garbage of [null, undefined, 'string', 42, true, Symbol('s'), () => {}]) span.setAttributes(garbage);
      span.setAttributes(hostile());
      span.setAttributes({ good: 1, object: {}, symbol: Symbol('x'), fn: () => {}, alsoGood: ['x'] });
      span.setAttributes({ [Symbol('symbol-key')]: 'ignored', 'string-key': 'kept' });
      span.setAttributes(Object.defineProperty({ first: 'kept' }, 'second', {
        enumerable: true, get: () => { throw new Error('getter'); },
      }));
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ invalidAttributes: 3 });
    span.end();
    const wire = byName(await sent(provider, exporter), 'set-attributes');
    expect(attributesOf(wire.attributes)).toEqual({
      good: { intValue: 1n }, alsoGood: { arrayValue: [{ stringValue: 'x' }] }, 'string-key': { stringValue: 'kept' },
      first: { stringValue: 'kept' },
    });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('only own enumerable properties become attributes, as in the official SDK', async () => {
    const { provider, exporter, tracer } = setup();
    const withProto = (): Loose => Object.create({ inherited: 'x' }, { own: { value: 1, enumerable: true } });
    const span = tracer.startSpan('own-only', { attributes: withProto() });
    span.setAttributes(withProto());
    span.addEvent('event', withProto());
    span.addLink({ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }, attributes: withProto() });
    span.end();
    const wire = byName(await sent(provider, exporter), 'own-only');
    expect(wire.attributes.map((kv) => kv.key)).toEqual(['own']);
    expect(wire.events[0]!.attributes.map((kv) => kv.key)).toEqual(['own']);
    expect(wire.links[0]!.attributes.map((kv) => kv.key)).toEqual(['own']);
  });

  it('addEvent survives bad names, attributes and times, counting invalid names and times', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('events');
    const before = counters(provider);
    const badTimes: Loose[] = [NaN, Infinity, -Infinity, [NaN, 0], [0, NaN], new Date(NaN)];
    expect(() => {
      for (const name of [42, Symbol('e'), undefined, null, {}]) span.addEvent(name);
      for (const time of badTimes) span.addEvent('bad-time', time);
      span.addEvent('bad-third-arg', {}, 'yesterday');
      span.addEvent('bad-third-arg-2', undefined, {});
      span.addEvent('hostile-attrs', hostile());
      span.addEvent('hostile-attrs-and-time', hostile(), Date.now());
      span.addEvent('strings-array-as-attributes', ['a', 'b']);
      span.addEvent('bad-attr-values', { ok: 'yes', no: {} });
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({
      invalidNames: 5, invalidTimes: badTimes.length + 2, invalidAttributes: 1,
    });
    span.end();
    const wire = byName(await sent(provider, exporter), 'events');
    expect(wire.events.filter((e) => e.name === '')).toHaveLength(5);
    for (const event of wire.events.filter((e) => e.name === 'bad-time')) {
      expect(event.timeUnixNano).toBeGreaterThanOrEqual(wire.startTimeUnixNano);
      expect(event.timeUnixNano).toBeLessThanOrEqual(wire.endTimeUnixNano);
    }
    expect(wire.events.find((e) => e.name === 'bad-attr-values')!.attributes)
      .toEqual([{ key: 'ok', value: { stringValue: 'yes' } }]);
    expect(wire.events.find((e) => e.name === 'strings-array-as-attributes')!.attributes).toEqual([
      { key: '0', value: { stringValue: 'a' } }, { key: '1', value: { stringValue: 'b' } },
    ]);
  });

  it('addLink and addLinks refuse invalid links, count them, and keep valid ones', async () => {
    const { provider, exporter, tracer } = setup();
    const before = counters(provider);
    const span: Loose = tracer.startSpan('links', { links: [null, { context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } }] as Loose });
    const invalid: Loose[] = [
      null, undefined, 42, 'link', {}, { context: null }, { context: 'ctx' },
      { context: { traceId: 'xyz', spanId: SPAN_ID } },
      { context: { traceId: '0'.repeat(32), spanId: SPAN_ID } },
      { context: { traceId: TRACE_ID, spanId: '0'.repeat(16) } },
      { context: { traceId: TRACE_ID.slice(1), spanId: SPAN_ID } },
      { context: { traceId: 'g'.repeat(32), spanId: SPAN_ID } },
      { context: { traceId: 42, spanId: SPAN_ID } },
      { context: { traceId: TRACE_ID, spanId: `${SPAN_ID}0` } },
    ];
    expect(() => {
      for (const link of invalid) span.addLink(link);
      for (const garbage of [null, undefined, 'links', 42, {}, hostile()]) span.addLinks(garbage);
      span.addLinks([null, {}, { context: { traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID, traceFlags: 257 } }]);
      span.addLink({ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }, attributes: hostile() });
      span.addLink(hostile());
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ invalidLinks: 1 + invalid.length + 2 });
    span.end();
    const wire = byName(await sent(provider, exporter), 'links');
    expect(wire.links.map((l) => [l.traceId, l.spanId])).toEqual([
      [TRACE_ID, SPAN_ID], [TRACE_ID, SPAN_ID], [TRACE_ID, SPAN_ID],
    ]);
    // Trace flags are one byte: 257 keeps only the low byte (sampled) under the has-is-remote bit.
    expect(wire.links[1]!.flags).toBe(0x101);
  });

  it('setStatus ignores non-objects, counts unknown codes, and keeps the last valid status', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('status');
    const before = counters(provider);
    expect(() => {
      for (const garbage of [null, undefined, 42, 'ERROR', Symbol('s')]) span.setStatus(garbage);
      span.setStatus(hostile());
      span.setStatus({ code: SpanStatusCode.ERROR, message: 42 });
      for (const code of [99, -1, '2', NaN, undefined, {}]) span.setStatus({ code, message: 'ignored' });
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ invalidStatus: 6 });
    span.end();
    expect(byName(await sent(provider, exporter), 'status').status).toEqual({ code: 2, message: '' });
  });

  it('updateName refuses non-strings, counting them, and keeps the previous name', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('kept-name');
    const before = counters(provider);
    expect(() => {
      for (const name of [undefined, null, 42, Symbol('n'), {}, ['a'], hostile()]) span.updateName(name);
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ invalidNames: 7 });
    span.end();
    expect((await sent(provider, exporter)).map((s) => s.span.name)).toEqual(['kept-name']);
  });

  it('recordException never throws, records what it can and skips what says nothing', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('exceptions');
    const circular: Loose = { message: 'circular' };
    circular.self = circular;
    const stackThrows = new Error('stack getter throws');
    Object.defineProperty(stackThrows, 'stack', { get: () => { throw new Error('no stack'); } });
    expect(() => {
      for (const garbage of [null, undefined, 42, true, Symbol('x'), {}, [], () => {}]) span.recordException(garbage);
      span.recordException(hostile());
      span.recordException({ code: { toString: () => { throw new Error('code'); } }, message: 'bad code' });
      span.recordException({ message: 42, name: {} });
      span.recordException(circular);
      span.recordException(stackThrows);
      span.recordException(new Error('bad time'), NaN);
    }).not.toThrow();
    span.end();
    const wire = byName(await sent(provider, exporter), 'exceptions');
    expect(wire.events.map((e) => attributesOf(e.attributes)['exception.message'])).toEqual([
      { stringValue: 'circular' }, { stringValue: 'bad time' },
    ]);
  });

  it('end() with bad times ends at now and counts them; a second end() and later calls are no-ops, counted', async () => {
    const { provider, exporter, tracer } = setup();
    const before = counters(provider);
    const badEnds: Loose[] = [NaN, Infinity, -Infinity, 'yesterday', {}, null, [NaN, 1], new Date('invalid')];
    const spans: Loose[] = badEnds.map((_, i) => tracer.startSpan(`bad-end-${i}`));
    expect(() => badEnds.forEach((time, i) => spans[i].end(time))).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ invalidTimes: badEnds.length });
    const span: Loose = tracer.startSpan('ended', { attributes: { before: 'end' } });
    span.end();
    const afterEnd = counters(provider);
    expect(() => {
      span.end();
      span.setAttribute('late', 1);
      span.setAttributes({ late2: 2 });
      span.addEvent('late');
      span.addLink({ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } });
      span.addLinks([{ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } }]);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
      span.updateName('late-name');
      span.recordException(new Error('late'));
      span.end(Date.now() + 1000);
    }).not.toThrow();
    expect(withoutLifecycle(increases(provider, afterEnd))).toEqual({ callsAfterEnd: 10 });
    expect(span.isRecording()).toBe(false);
    const wireSpans = await sent(provider, exporter);
    for (const [i] of badEnds.entries()) {
      const wire = byName(wireSpans, `bad-end-${i}`);
      expect(wire.endTimeUnixNano).toBeGreaterThanOrEqual(wire.startTimeUnixNano);
    }
    const ended = byName(wireSpans, 'ended');
    expect(ended.attributes.map((kv) => kv.key)).toEqual(['before']);
    expect(ended).toMatchObject({ events: [], links: [], status: { code: 0, message: '' } });
    // After export the handle is stale: calls are still no-ops, now counted as stale.
    const stale = counters(provider);
    expect(() => span.setAttribute('after-export', 1).end()).not.toThrow();
    expect(withoutLifecycle(increases(provider, stale))).toEqual({ staleHandleCalls: 2 });
  });
});

describe('strings that are huge or not valid UTF-16', () => {
  it('10 MB strings are truncated to attributeValueLength, or refused and counted, and spans still encode', async () => {
    const { provider, exporter, tracer } = setup({ spanLimits: { attributeValueLength: 1000 } });
    const huge = 'x'.repeat(TEN_MB);
    const span: Loose = tracer.startSpan('huge-values');
    const before = counters(provider);
    expect(() => {
      span.setAttribute('huge', huge);
      span.setAttribute('huge-array', [huge, 'short']);
      span.addEvent('event', { huge });
      span.setAttribute(huge, 'huge key');
      span.setStatus({ code: SpanStatusCode.ERROR, message: huge });
      span.updateName(huge);
    }).not.toThrow();
    const moved = withoutLifecycle(increases(provider, before));
    expect(moved['valuesTruncated']).toBe(3);
    expect(moved['stringPoolFull']).toBe(3);
    span.end();
    const wire = (await sent(provider, exporter))[0]!.span;
    const attrs = attributesOf(wire.attributes);
    expect(attrs['huge']).toEqual({ stringValue: 'x'.repeat(1000) });
    expect(attrs['huge-array']).toEqual({ arrayValue: [{ stringValue: 'x'.repeat(1000) }, { stringValue: 'short' }] });
    expect(wire.events[0]!.attributes).toEqual([{ key: 'huge', value: { stringValue: 'x'.repeat(1000) } }]);
    expect(Object.keys(attrs)).toEqual(['huge', 'huge-array']);
    // A status message over the string pool is not kept (the length limit applies to attribute values only).
    expect(wire.status).toEqual({ code: 2, message: '' });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('a rename too large for the string pool keeps the previous name', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('kept');
    span.updateName('n'.repeat(TEN_MB));
    span.end();
    expect((await sent(provider, exporter)).map((s) => s.span.name)).toEqual(['kept']);
  });

  it('a 10 MB attribute value without a length limit is refused and counted, the span still encodes', async () => {
    const { provider, exporter, tracer } = setup();
    const span: Loose = tracer.startSpan('unlimited');
    const before = counters(provider);
    expect(() => span.setAttribute('huge', 'y'.repeat(TEN_MB)).setAttribute('small', 's')).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ stringPoolFull: 1 });
    span.end();
    expect(attributesOf(byName(await sent(provider, exporter), 'unlimited').attributes))
      .toEqual({ small: { stringValue: 's' } });
  });

  it('lone surrogates become U+FFFD on the wire; truncation never splits a surrogate pair', async () => {
    const { provider, exporter, tracer } = setup({ spanLimits: { attributeValueLength: 3 } });
    const broken = ['\uD800', 'a\uDC00b', 'end\uD83D', '\uDFFF\uD800x'];
    const span: Loose = tracer.startSpan('name\uD800');
    broken.forEach((value, i) => span.setAttribute(`broken-${i}`, value));
    span.setAttribute('pair-at-limit', 'ab😀cd');
    span.setAttribute('pair-inside', 'a😀cd');
    span.setAttribute('key\uDC00', 'v');
    span.addEvent('event\uD800', { v: '\uDBFF' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'msg\uDC00' });
    span.end();
    const wire = (await sent(provider, exporter))[0]!.span;
    const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
    expect(wire.name).toBe('name\uFFFD');
    const attrs = attributesOf(wire.attributes);
    broken.forEach((value, i) => {
      expect(attrs[`broken-${i}`]).toEqual({ stringValue: wellFormed(value.slice(0, 3)) });
    });
    expect(attrs['pair-at-limit']).toEqual({ stringValue: 'ab' });
    expect(attrs['pair-inside']).toEqual({ stringValue: 'a😀' });
    expect(attrs['key\uFFFD']).toEqual({ stringValue: 'v' });
    expect(wire.events[0]).toMatchObject({ name: 'event\uFFFD', attributes: [{ key: 'v', value: { stringValue: '\uFFFD' } }] });
    expect(wire.status.message).toBe('msg\uFFFD');
  });
});

describe('Tracer methods with garbage', () => {
  it('startSpan with non-string names records spans named "" and counts invalid names', async () => {
    const { provider, exporter, tracer } = setup();
    const before = counters(provider);
    const names: Loose[] = [undefined, null, 42, Symbol('name'), {}, () => 'name', hostile()];
    const spans: Span[] = [];
    expect(() => { for (const name of names) spans.push((tracer as Loose).startSpan(name)); }).not.toThrow();
    expect(withoutLifecycle(increases(provider, before))).toEqual({ invalidNames: names.length });
    for (const span of spans) span.end();
    const wire = await sent(provider, exporter);
    expect(wire.map((s) => s.span.name)).toEqual(names.map(() => ''));
  });

  it('startSpan with garbage options or contexts never throws and still gives a usable span', async () => {
    const { provider, exporter, tracer } = setup();
    const before = counters(provider);
    const options: Loose[] = [
      null, 42, 'options', [], { kind: 'SERVER' }, { kind: 99 }, { kind: -5 }, { kind: NaN }, { attributes: 'x' },
      { attributes: hostile() }, { links: 'x' }, { links: [null] }, { root: 'yes' }, { startTime: NaN },
      { startTime: 'now' }, { startTime: {} }, { startTime: [1, 'a'] }, hostile(),
    ];
    const spans: Span[] = [];
    expect(() => {
      options.forEach((option, i) => spans.push(tracer.startSpan(`options-${i}`, option)));
      for (const ctx of [{}, 42, 'ctx', [], hostile()] as Loose[]) spans.push(tracer.startSpan('bad-context', {}, ctx));
    }).not.toThrow();
    const moved = withoutLifecycle(increases(provider, before));
    expect(moved).toEqual({ invalidTimes: 4, invalidLinks: 1 });
    for (const span of spans) {
      expect(() => span.setAttribute('after', 1).end()).not.toThrow();
      expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    const wire = await sent(provider, exporter);
    // The hostile options object fails on its first read, before a slot is taken: a non-recording span.
    // Something that is not a Context is replaced by the active context: those spans record normally, but a
    // context whose property reads throw (the hostile proxy) gives a non-recording span.
    expect(wire.map((s) => s.span.name)).toEqual([
      ...options.slice(0, -1).map((_, i) => `options-${i}`), ...Array<string>(4).fill('bad-context'),
    ]);
    for (const located of wire) expect([0, 1]).toContain(located.span.kind);
    expect(provider.stats().nonRecording).toBe(2);
  });

  it('startActiveSpan without a function, or with garbage options, never throws', () => {
    const { tracer } = setup();
    const loose = tracer as Loose;
    expect(() => {
      expect(loose.startActiveSpan('no-fn')).toBeUndefined();
      expect(loose.startActiveSpan('no-fn', {})).toBeUndefined();
      expect(loose.startActiveSpan('no-fn', {}, ROOT_CONTEXT)).toBeUndefined();
      expect(loose.startActiveSpan('no-fn', {}, ROOT_CONTEXT, 'not a function')).toBeUndefined();
      expect(loose.startActiveSpan(Symbol('n'), null, (span: Span) => span.isRecording())).toBe(true);
      expect(loose.startActiveSpan('garbage-options', 42, (span: Span) => span.isRecording())).toBe(true);
      expect(loose.startActiveSpan('null-context', {}, null, () => 'ran')).toBe('ran');
    }).not.toThrow();
  });

  it('getTracer accepts non-string names and versions that convert to strings', async () => {
    const { provider, exporter } = setup();
    const loose = provider as Loose;
    expect(() => {
      for (const name of [undefined, null, 42, {}]) loose.getTracer(name).startSpan('from-odd-tracer').end();
      loose.getTracer('versioned', 7, { schemaUrl: 42 }).startSpan('from-odd-tracer').end();
      loose.getTracer('versioned', null, null).startSpan('from-odd-tracer').end();
    }).not.toThrow();
    expect(await sent(provider, exporter)).toHaveLength(6);
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('getTracer never throws, even for names that cannot become strings', () => {
    const { provider } = setup();
    const loose = provider as Loose;
    expect(() => loose.getTracer(Symbol('x'))).not.toThrow();
    expect(() => loose.getTracer('a', Symbol('v'))).not.toThrow();
    expect(() => loose.getTracer('a', '1', { schemaUrl: Symbol('s') })).not.toThrow();
    expect(() => loose.getTracer({ toString: () => { throw new Error('toString'); } })).not.toThrow();
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('startActiveSpan with a context that is not a Context still runs the callback without throwing', () => {
    const { tracer } = setup();
    for (const ctx of [{}, 42, 'ctx', []] as Loose[]) {
      expect(() => tracer.startActiveSpan('x', {}, ctx, () => 'ran')).not.toThrow();
    }
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('startSpan frees its slot when bad input throws after the span was started', async () => {
    const { provider, tracer } = setup();
    const linksThrow = new Proxy({}, { get: (_t, key) => { if (key === 'links') throw new Error('links'); return undefined; } });
    tracer.startSpan('links-getter-throws', linksThrow as Loose).end();
    const badState = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true,
      traceState: { serialize: () => { throw new Error('serialize'); } } as Loose,
    });
    tracer.startSpan('trace-state-throws', {}, badState).end();
    const sampled = new SpanwireTracerProvider({
      sampler: { shouldSample: () => ({ decision: 2, traceState: 'not a TraceState' as Loose }), toString: () => 's' },
    });
    sampled.getTracer('t').startSpan('sampler-trace-state').end();
    await provider.forceFlush();
    await sampled.forceFlush();
    expect(provider.stats().live).toBe(0);
    expect(provider.arena.usedSlots).toBe(0);
    expect(sampled.stats().live).toBe(0);
  });

  // Finite times that fixed64 Unix nanoseconds cannot hold (past 2554 or before 1970) are refused like NaN.
  it('start and end times outside the fixed64 nanosecond range are refused and counted', async () => {
    const { provider, exporter, tracer } = setup();
    const before = counters(provider);
    tracer.startSpan('far-future', { startTime: 1e20 }).end(1e21);
    tracer.startSpan('hr-far-future', { startTime: [1e15, 0] }).end();
    tracer.startSpan('max-date', { startTime: new Date(8.64e15) }).end();
    tracer.startSpan('before-1970', { startTime: new Date(-1000) }).end(new Date(-500));
    // Replaced by now, like NaN and Infinity: within a minute of the wall clock.
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const minuteNs = 60_000_000_000n;
    for (const located of await sent(provider, exporter)) {
      for (const ns of [located.span.startTimeUnixNano, located.span.endTimeUnixNano]) {
        expect(ns > nowNs - minuteNs && ns < nowNs + minuteNs, `${located.span.name}: ${ns}`).toBe(true);
      }
    }
    expect(withoutLifecycle(increases(provider, before))['invalidTimes']).toBeGreaterThanOrEqual(4);
  });
});
