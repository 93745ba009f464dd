// Proves spanwire is a drop-in @opentelemetry/api 1.9 implementation: every Tracer and Span method, used only
// through the API (directly and via the global API), ends up right on the OTLP wire as decoded by the oracle.
import {
  type Attributes, type Context, type Link, ROOT_CONTEXT, type Sampler as ApiSampler, type Span, type SpanContext,
  SpanKind, SpanStatusCode, TraceFlags, context, isSpanContextValid, trace,
} from '@opentelemetry/api';
import { TraceState, suppressTracing } from '@opentelemetry/core';
import {
  ParentBasedSampler as OfficialParentBasedSampler, TraceIdRatioBasedSampler as OfficialRatioSampler,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeContextManager } from '../src/runtime/node/async-local-storage-context.js';
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler,
} from '../src/sampling/builtin-samplers.js';
import type { Sampler, SamplingResult } from '../src/sampling/sampler.js';
import { type SpanwireOptions, SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { VERSION } from '../src/version.js';
import type { DecodedAnyValue, DecodedKeyValue, DecodedSpan, LocatedSpan } from './support/otlp-decode.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

/** OTLP Span.flags: W3C sampled bit 0, bit 8 "is-remote known", bit 9 "parent is remote". */
const FLAGS_ROOT_SAMPLED = 0x101;
const FLAGS_LOCAL_PARENT = 0x101;
const FLAGS_REMOTE_PARENT = 0x301;
const REMOTE_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN_ID = 'b7ad6b7169203331';

function setup(options: SpanwireOptions = {}) {
  const exporter = new WireCaptureExporter();
  const provider = new SpanwireTracerProvider({ exporter, ...options });
  return { exporter, provider, tracer: provider.getTracer('test-scope', '1.2.3') };
}

async function sent(provider: SpanwireTracerProvider, exporter: WireCaptureExporter): Promise<LocatedSpan[]> {
  await provider.forceFlush();
  return exporter.decoded();
}

function attributesOf(list: DecodedKeyValue[]): Record<string, DecodedAnyValue> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}

function byName(spans: LocatedSpan[], name: string): DecodedSpan {
  const found = spans.filter((s) => s.span.name === name);
  expect(found, `spans named ${name}`).toHaveLength(1);
  return found[0]!.span;
}

function remoteContext(flags: number, traceState?: TraceState): Context {
  const spanContext: SpanContext = { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: flags, isRemote: true };
  if (traceState) spanContext.traceState = traceState;
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

function accountingHolds(provider: SpanwireTracerProvider): void {
  const s = provider.stats();
  expect(s.started).toBe(s.exported + s.droppedTotal + s.live + s.queueSize + s.inFlight + s.endedNotSampled);
}

const contextManager = createNodeContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
  trace.disable();
});

describe('startSpan', () => {
  it('sends name, kind, attributes, ids and a root parent for a plain span', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('plain', { kind: SpanKind.PRODUCER, attributes: { 'a.b': 'c', n: 3 } });
    expect(span.isRecording()).toBe(true);
    const ctx = span.spanContext();
    expect(isSpanContextValid(ctx)).toBe(true);
    expect(ctx.traceFlags).toBe(TraceFlags.SAMPLED);
    expect(ctx.isRemote).toBe(false);
    span.end();
    const [located] = await sent(provider, exporter);
    const wire = located!.span;
    expect(wire).toMatchObject({
      name: 'plain', kind: SpanKind.PRODUCER + 1, traceId: ctx.traceId, spanId: ctx.spanId, parentSpanId: '',
      flags: FLAGS_ROOT_SAMPLED,
    });
    expect(attributesOf(wire.attributes)).toEqual({ 'a.b': { stringValue: 'c' }, n: { intValue: 3n } });
  });

  it('maps every SpanKind to the OTLP kind (api kind + 1), INTERNAL by default', async () => {
    const { provider, exporter, tracer } = setup();
    tracer.startSpan('default').end();
    for (const kind of [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
      tracer.startSpan(`kind-${kind}`, { kind }).end();
    }
    const spans = await sent(provider, exporter);
    expect(byName(spans, 'default').kind).toBe(1);
    for (let kind = 0; kind <= 4; kind++) expect(byName(spans, `kind-${kind}`).kind).toBe(kind + 1);
  });

  it('takes startTime and endTime as HrTime exactly to the nanosecond', async () => {
    const { provider, exporter, tracer } = setup();
    const seconds = Math.floor(Date.now() / 1000);
    tracer.startSpan('hr', { startTime: [seconds, 123_456_789] }).end([seconds + 2, 987_654_321]);
    const wire = byName(await sent(provider, exporter), 'hr');
    expect(wire.startTimeUnixNano).toBe(BigInt(seconds) * 1_000_000_000n + 123_456_789n);
    expect(wire.endTimeUnixNano).toBe(BigInt(seconds + 2) * 1_000_000_000n + 987_654_321n);
  });

  // Times are stored as whole epoch ms + ns within it, so explicit times far from the process start stay exact.
  it('takes an HrTime years before the process start exactly to the nanosecond', async () => {
    const { provider, exporter, tracer } = setup();
    tracer.startSpan('hr-2020', { startTime: [1_600_000_000, 123_456_789] }).end([1_600_000_001, 1]);
    const wire = byName(await sent(provider, exporter), 'hr-2020');
    expect(wire.startTimeUnixNano).toBe(1_600_000_000_123_456_789n);
    expect(wire.endTimeUnixNano).toBe(1_600_000_001_000_000_001n);
  });

  it('takes startTime and endTime as epoch milliseconds (at or after the time origin) and as Date', async () => {
    const { provider, exporter, tracer } = setup();
    // As in the official SDK, a number is epoch ms only from performance.timeOrigin on; a Date is always epoch.
    const epochMs = Math.floor(Date.now());
    const dayAgoMs = epochMs - 86_400_000;
    tracer.startSpan('epoch', { startTime: epochMs }).end(epochMs + 1500);
    tracer.startSpan('date', { startTime: new Date(dayAgoMs) }).end(new Date(dayAgoMs + 250));
    const spans = await sent(provider, exporter);
    expect(byName(spans, 'epoch').startTimeUnixNano).toBe(BigInt(epochMs) * 1_000_000n);
    expect(byName(spans, 'epoch').endTimeUnixNano).toBe(BigInt(epochMs + 1500) * 1_000_000n);
    expect(byName(spans, 'date').startTimeUnixNano).toBe(BigInt(dayAgoMs) * 1_000_000n);
    expect(byName(spans, 'date').endTimeUnixNano).toBe(BigInt(dayAgoMs + 250) * 1_000_000n);
  });

  it('reads a number below the time origin as performance.now() milliseconds', async () => {
    const { provider, exporter, tracer } = setup();
    const start = performance.now() - 250;
    const end = performance.now();
    tracer.startSpan('perf', { startTime: start }).end(end);
    const wire = byName(await sent(provider, exporter), 'perf');
    const expectNs = (rel: number): bigint => BigInt(Math.round((performance.timeOrigin + rel) * 1000)) * 1000n;
    const tolerance = 2000n; // float sum of origin and offset: well below a microsecond off
    expect(wire.startTimeUnixNano - expectNs(start)).toBeLessThan(tolerance);
    expect(expectNs(start) - wire.startTimeUnixNano).toBeLessThan(tolerance);
    expect(wire.endTimeUnixNano - expectNs(end)).toBeLessThan(tolerance);
    expect(expectNs(end) - wire.endTimeUnixNano).toBeLessThan(tolerance);
  });

  it('defaults start and end to now, and clamps an end before the start to the start', async () => {
    const { provider, exporter, tracer } = setup();
    const before = BigInt(Date.now()) * 1_000_000n;
    tracer.startSpan('now').end();
    const epochMs = Date.now() + 2000;
    tracer.startSpan('backwards', { startTime: epochMs }).end(epochMs - 1000);
    const spans = await sent(provider, exporter);
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const now = byName(spans, 'now');
    expect(now.startTimeUnixNano).toBeGreaterThanOrEqual(before - 2_000_000n);
    expect(now.endTimeUnixNano).toBeLessThanOrEqual(after);
    expect(now.endTimeUnixNano).toBeGreaterThanOrEqual(now.startTimeUnixNano);
    const backwards = byName(spans, 'backwards');
    expect(backwards.endTimeUnixNano).toBe(backwards.startTimeUnixNano);
  });

  it('starts a new trace with root: true even when a span is active', async () => {
    const { provider, exporter, tracer } = setup();
    const parent = tracer.startSpan('parent');
    const root = context.with(trace.setSpan(context.active(), parent), () => tracer.startSpan('root', { root: true }));
    expect(root.spanContext().traceId).not.toBe(parent.spanContext().traceId);
    root.end();
    parent.end();
    const wire = byName(await sent(provider, exporter), 'root');
    expect(wire.parentSpanId).toBe('');
    expect(wire.traceId).toBe(root.spanContext().traceId);
  });

  it('sends links given at start, with attributes, trace state and remote flags', async () => {
    const { provider, exporter, tracer } = setup();
    const other = tracer.startSpan('other');
    const links: Link[] = [
      { context: other.spanContext(), attributes: { 'link.kind': 'local' } },
      {
        context: {
          traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: 1, isRemote: true,
          traceState: new TraceState('congo=t61rcWkgMzE'),
        },
      },
      { context: { traceId: REMOTE_TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: 0 } },
    ];
    tracer.startSpan('linked', { links }).end();
    other.end();
    const wire = byName(await sent(provider, exporter), 'linked');
    expect(wire.links).toHaveLength(3);
    expect(wire.links[0]).toMatchObject({
      traceId: other.spanContext().traceId, spanId: other.spanContext().spanId, flags: 0x101,
      attributes: [{ key: 'link.kind', value: { stringValue: 'local' } }],
    });
    expect(wire.links[1]).toMatchObject({
      traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, flags: 0x301, traceState: 'congo=t61rcWkgMzE',
    });
    expect(wire.links[2]).toMatchObject({ spanId: '00f067aa0ba902b7', flags: 0x100 });
  });

  it('returns the same tracer for the same name, version and schemaUrl, another one otherwise', () => {
    const { provider } = setup();
    expect(provider.getTracer('a', '1', { schemaUrl: 's' })).toBe(provider.getTracer('a', '1', { schemaUrl: 's' }));
    expect(provider.getTracer('a', '1')).not.toBe(provider.getTracer('a', '2'));
    expect(provider.getTracer('a')).not.toBe(provider.getTracer('b'));
  });
});

describe('startActiveSpan', () => {
  it('(name, fn): makes the span active inside, passes the return value through, restores the context', () => {
    const { tracer } = setup();
    const outside = context.active();
    let inner: Span | undefined;
    const result = tracer.startActiveSpan('active', (span) => {
      inner = span;
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
      return 42;
    });
    expect(result).toBe(42);
    expect(inner!.isRecording()).toBe(false);
    expect(context.active()).toBe(outside);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('(name, options, fn): applies the options and parents spans started inside', async () => {
    const { provider, exporter, tracer } = setup();
    const value = tracer.startActiveSpan('server', { kind: SpanKind.SERVER, attributes: { x: true } }, (span) => {
      tracer.startSpan('inner').end();
      span.end();
      return 'done';
    });
    expect(value).toBe('done');
    const spans = await sent(provider, exporter);
    const server = byName(spans, 'server');
    expect(server.kind).toBe(SpanKind.SERVER + 1);
    expect(attributesOf(server.attributes)).toEqual({ x: { boolValue: true } });
    expect(byName(spans, 'inner')).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId });
  });

  it('(name, options, context, fn): takes the parent from the given context, not the active one', async () => {
    const { provider, exporter, tracer } = setup();
    const ignored = tracer.startSpan('ignored');
    const state = new TraceState('rojo=00f067aa0ba902b7');
    context.with(trace.setSpan(context.active(), ignored), () => {
      tracer.startActiveSpan('child', {}, remoteContext(1, state), (span) => {
        expect(trace.getActiveSpan()).toBe(span);
        expect(span.spanContext().traceId).toBe(REMOTE_TRACE_ID);
        expect(span.spanContext().traceState?.serialize()).toBe('rojo=00f067aa0ba902b7');
        span.end();
      });
    });
    ignored.end();
    const wire = byName(await sent(provider, exporter), 'child');
    expect(wire).toMatchObject({
      traceId: REMOTE_TRACE_ID, parentSpanId: REMOTE_SPAN_ID, flags: FLAGS_REMOTE_PARENT,
      traceState: 'rojo=00f067aa0ba902b7',
    });
  });

  it('lets an exception from the callback propagate and restores the context', () => {
    const { tracer } = setup();
    const error = new Error('from the callback');
    expect(() => tracer.startActiveSpan('throws', () => { throw error; })).toThrow(error);
    expect(() => tracer.startActiveSpan('throws', {}, () => { throw error; })).toThrow(error);
    expect(() => tracer.startActiveSpan('throws', {}, ROOT_CONTEXT, () => { throw error; })).toThrow(error);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('passes an async callback\'s promise through, keeping the span active across await', async () => {
    const { tracer } = setup();
    const resolved = await tracer.startActiveSpan('async', async (span) => {
      await new Promise((r) => setTimeout(r, 1));
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
      return 'later';
    });
    expect(resolved).toBe('later');
    await expect(tracer.startActiveSpan('rejects', async () => { throw new Error('async failure'); }))
      .rejects.toThrow('async failure');
  });
});

describe('Span methods', () => {
  it('setAttribute and setAttributes send every value type, replacing by key', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('attrs');
    expect(span.setAttribute('s', 'text')).toBe(span);
    span.setAttribute('i', -42).setAttribute('d', 1.5).setAttribute('b', false);
    expect(span.setAttributes({ strs: ['a', 'b'], ints: [1, 2], bools: [true], dbls: [0.5, 2.5], empty: [] })).toBe(span);
    span.setAttribute('s', 'replaced');
    span.end();
    const wire = byName(await sent(provider, exporter), 'attrs');
    expect(wire.attributes.map((kv) => kv.key)).toEqual(['s', 'i', 'd', 'b', 'strs', 'ints', 'bools', 'dbls', 'empty']);
    expect(attributesOf(wire.attributes)).toEqual({
      s: { stringValue: 'replaced' }, i: { intValue: -42n }, d: { doubleValue: 1.5 }, b: { boolValue: false },
      strs: { arrayValue: [{ stringValue: 'a' }, { stringValue: 'b' }] },
      ints: { arrayValue: [{ intValue: 1n }, { intValue: 2n }] },
      bools: { arrayValue: [{ boolValue: true }] },
      dbls: { arrayValue: [{ doubleValue: 0.5 }, { doubleValue: 2.5 }] },
      empty: { arrayValue: [] },
    });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('replacing an array attribute many times keeps the latest value and does not exhaust the pool', async () => {
    const { provider, exporter, tracer } = setup({ capacity: { attributes: 1000 } });
    const session = tracer.startSpan('session');
    for (let i = 0; i < 1000; i++) session.setAttribute('progress', [i, i + 1, i + 2]);
    const other = tracer.startSpan('other');
    other.setAttribute('x', 1);
    other.end();
    session.end();
    const spans = await sent(provider, exporter);
    expect(attributesOf(byName(spans, 'session').attributes)).toEqual({
      progress: { arrayValue: [{ intValue: 999n }, { intValue: 1000n }, { intValue: 1001n }] },
    });
    expect(attributesOf(byName(spans, 'other').attributes)).toEqual({ x: { intValue: 1n } });
  });

  it('addEvent accepts (name), (name, attributes), (name, time), (name, attributes, time) in every time form', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('events');
    const seconds = Math.floor(Date.now() / 1000);
    const epochMs = Math.floor(Date.now());
    expect(span.addEvent('bare')).toBe(span);
    span.addEvent('with-attrs', { k: 'v' });
    span.addEvent('hrtime', [seconds, 5]);
    span.addEvent('date', new Date(epochMs));
    span.addEvent('epoch', epochMs + 1);
    span.addEvent('attrs-and-time', { n: 1 }, [seconds, 7]);
    span.addEvent('undefined-attrs-and-time', undefined, epochMs + 2);
    span.end();
    const wire = byName(await sent(provider, exporter), 'events');
    const events = Object.fromEntries(wire.events.map((e) => [e.name, e]));
    expect(wire.events.map((e) => e.name)).toEqual([
      'bare', 'with-attrs', 'hrtime', 'date', 'epoch', 'attrs-and-time', 'undefined-attrs-and-time',
    ]);
    expect(events['bare']!.timeUnixNano).toBeGreaterThanOrEqual(wire.startTimeUnixNano);
    expect(events['with-attrs']!.attributes).toEqual([{ key: 'k', value: { stringValue: 'v' } }]);
    expect(events['hrtime']!.timeUnixNano).toBe(BigInt(seconds) * 1_000_000_000n + 5n);
    expect(events['hrtime']!.attributes).toEqual([]);
    expect(events['date']!.timeUnixNano).toBe(BigInt(epochMs) * 1_000_000n);
    expect(events['epoch']!.timeUnixNano).toBe(BigInt(epochMs + 1) * 1_000_000n);
    expect(events['attrs-and-time']!.timeUnixNano).toBe(BigInt(seconds) * 1_000_000_000n + 7n);
    expect(events['attrs-and-time']!.attributes).toEqual([{ key: 'n', value: { intValue: 1n } }]);
    expect(events['undefined-attrs-and-time']!.timeUnixNano).toBe(BigInt(epochMs + 2) * 1_000_000n);
  });

  it('addLink and addLinks append links after the ones given at start', async () => {
    const { provider, exporter, tracer } = setup();
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const span = tracer.startSpan('links', { links: [{ context: a.spanContext() }] });
    expect(span.addLink({ context: b.spanContext(), attributes: { order: 2 } })).toBe(span);
    expect(span.addLinks([
      { context: { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: 1, isRemote: true } },
      { context: a.spanContext(), attributes: { again: true } },
    ])).toBe(span);
    span.end();
    a.end();
    b.end();
    const wire = byName(await sent(provider, exporter), 'links');
    expect(wire.links.map((l) => l.spanId)).toEqual([
      a.spanContext().spanId, b.spanContext().spanId, REMOTE_SPAN_ID, a.spanContext().spanId,
    ]);
    expect(wire.links[1]!.attributes).toEqual([{ key: 'order', value: { intValue: 2n } }]);
    expect(wire.links[2]!.flags).toBe(0x301);
    expect(wire.droppedLinksCount).toBe(0);
  });

  it('setStatus ignores UNSET, keeps a message only with ERROR, and treats OK as final', async () => {
    const { provider, exporter, tracer } = setup();
    tracer.startSpan('unset').setStatus({ code: SpanStatusCode.UNSET, message: 'ignored' }).end();
    tracer.startSpan('error').setStatus({ code: SpanStatusCode.ERROR, message: 'boom' }).end();
    tracer.startSpan('ok-message').setStatus({ code: SpanStatusCode.OK, message: 'not kept' }).end();
    tracer.startSpan('error-then-unset').setStatus({ code: SpanStatusCode.ERROR, message: 'stays' })
      .setStatus({ code: SpanStatusCode.UNSET }).end();
    tracer.startSpan('error-then-ok').setStatus({ code: SpanStatusCode.ERROR, message: 'bad' })
      .setStatus({ code: SpanStatusCode.OK }).end();
    tracer.startSpan('ok-then-error').setStatus({ code: SpanStatusCode.OK })
      .setStatus({ code: SpanStatusCode.ERROR, message: 'too late' }).end();
    tracer.startSpan('error-twice').setStatus({ code: SpanStatusCode.ERROR, message: 'first' })
      .setStatus({ code: SpanStatusCode.ERROR, message: 'second' }).end();
    const spans = await sent(provider, exporter);
    expect(byName(spans, 'unset').status).toEqual({ code: 0, message: '' });
    expect(byName(spans, 'error').status).toEqual({ code: 2, message: 'boom' });
    expect(byName(spans, 'ok-message').status).toEqual({ code: 1, message: '' });
    expect(byName(spans, 'error-then-unset').status).toEqual({ code: 2, message: 'stays' });
    expect(byName(spans, 'error-then-ok').status).toEqual({ code: 1, message: '' });
    expect(byName(spans, 'ok-then-error').status).toEqual({ code: 1, message: '' });
    expect(byName(spans, 'error-twice').status).toEqual({ code: 2, message: 'second' });
  });

  it('updateName renames the span on the wire; the last name wins', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('GET');
    expect(span.updateName('GET /users/:id')).toBe(span);
    span.updateName('GET /users/{id}');
    span.end();
    const spans = await sent(provider, exporter);
    expect(spans.map((s) => s.span.name)).toEqual(['GET /users/{id}']);
  });

  it('recordException follows the semantic conventions for Error, string and objects with a code', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('exceptions');
    const error = new TypeError('bad type');
    const epochMs = Math.floor(Date.now());
    span.recordException(error);
    span.recordException('plain message', epochMs);
    span.recordException({ code: 'ECONNRESET', message: 'socket hang up', name: 'Error' });
    span.recordException({ code: 503, message: 'numeric code' });
    span.recordException({ name: 'CustomName', message: 'no stack' });
    span.end();
    const wire = byName(await sent(provider, exporter), 'exceptions');
    expect(wire.events.map((e) => e.name)).toEqual(['exception', 'exception', 'exception', 'exception', 'exception']);
    const [fromError, fromString, withCode, numericCode, named] = wire.events.map((e) => attributesOf(e.attributes));
    expect(fromError).toEqual({
      'exception.type': { stringValue: 'TypeError' }, 'exception.message': { stringValue: 'bad type' },
      'exception.stacktrace': { stringValue: error.stack },
    });
    expect(fromString).toEqual({ 'exception.message': { stringValue: 'plain message' } });
    expect(wire.events[1]!.timeUnixNano).toBe(BigInt(epochMs) * 1_000_000n);
    expect(withCode).toEqual({
      'exception.type': { stringValue: 'ECONNRESET' }, 'exception.message': { stringValue: 'socket hang up' },
    });
    expect(numericCode).toEqual({
      'exception.type': { stringValue: '503' }, 'exception.message': { stringValue: 'numeric code' },
    });
    expect(named).toEqual({
      'exception.type': { stringValue: 'CustomName' }, 'exception.message': { stringValue: 'no stack' },
    });
  });

  it('isRecording is true until end() and false after; end(endTime) sets the end', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('recording');
    expect(span.isRecording()).toBe(true);
    const epochMs = Math.floor(Date.now()) + 10;
    span.end(epochMs);
    expect(span.isRecording()).toBe(false);
    span.end(epochMs + 1000);
    const wire = byName(await sent(provider, exporter), 'recording');
    expect(wire.endTimeUnixNano).toBe(BigInt(epochMs) * 1_000_000n);
    expect(span.isRecording()).toBe(false);
  });

  it('spanContext stays the same after end(), export, and reuse of its slot by thousands of later spans', async () => {
    const { provider, exporter, tracer } = setup({ processor: 'simple', capacity: { spans: 8 } });
    const first = tracer.startSpan('first', {}, ROOT_CONTEXT);
    const before = { ...first.spanContext() };
    first.end();
    expect(first.spanContext()).toEqual(before);
    const later: SpanContext[] = [];
    for (let i = 0; i < 2000; i++) {
      const span = tracer.startSpan(`later-${i}`);
      later.push(span.spanContext());
      span.setAttribute('i', i);
      span.end();
    }
    first.setAttribute('written', 'after its slot was reused');
    expect(first.spanContext()).toEqual(before);
    expect(first.isRecording()).toBe(false);
    const spans = await sent(provider, exporter);
    expect(spans).toHaveLength(2001);
    const wireFirst = byName(spans, 'first');
    expect([wireFirst.traceId, wireFirst.spanId]).toEqual([before.traceId, before.spanId]);
    expect(wireFirst.attributes).toEqual([]);
    // No later span was changed by the write through the stale handle.
    for (const located of spans.slice(1)) expect(located.span.attributes.map((kv) => kv.key)).toEqual(['i']);
    expect(spans.slice(1).map((s) => s.span.spanId)).toEqual(later.map((c) => c.spanId));
    expect(provider.stats().arena['staleHandleCalls']).toBeGreaterThanOrEqual(1);
  });
});

describe('parent and child', () => {
  it('a child of the active local span shares its trace id and names it as parent (flags 0x101)', async () => {
    const { provider, exporter, tracer } = setup();
    const parent = tracer.startSpan('parent');
    const child = context.with(trace.setSpan(context.active(), parent), () => tracer.startSpan('child'));
    const grandchild = tracer.startSpan('grandchild', {}, trace.setSpan(ROOT_CONTEXT, child));
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    grandchild.end();
    child.end();
    parent.end();
    const spans = await sent(provider, exporter);
    expect(byName(spans, 'child')).toMatchObject({
      traceId: parent.spanContext().traceId, parentSpanId: parent.spanContext().spanId, flags: FLAGS_LOCAL_PARENT,
    });
    expect(byName(spans, 'grandchild')).toMatchObject({
      traceId: parent.spanContext().traceId, parentSpanId: child.spanContext().spanId, flags: FLAGS_LOCAL_PARENT,
    });
  });

  it('a child started after its parent was ended and exported still gets the parent\'s ids', async () => {
    const { provider, exporter, tracer } = setup({ capacity: { spans: 4 } });
    const parent = tracer.startSpan('parent');
    const parentContext = trace.setSpan(ROOT_CONTEXT, parent);
    parent.end();
    await provider.forceFlush();
    // Recycle every slot, so the parent's slot now holds unrelated spans.
    for (let i = 0; i < 20; i++) {
      tracer.startSpan(`filler-${i}`, { root: true }).end();
      await provider.forceFlush();
    }
    const child = tracer.startSpan('late-child', {}, parentContext);
    child.end();
    const spans = await sent(provider, exporter);
    expect(byName(spans, 'late-child')).toMatchObject({
      traceId: parent.spanContext().traceId, parentSpanId: parent.spanContext().spanId, flags: FLAGS_LOCAL_PARENT,
    });
  });

  it('a child of a remote parent keeps its trace id, trace state and marks the parent remote (flags 0x301)', async () => {
    const { provider, exporter, tracer } = setup();
    const state = new TraceState('vendor1=value1,vendor2=value2');
    const child = tracer.startSpan('remote-child', {}, remoteContext(1, state));
    expect(child.spanContext()).toMatchObject({ traceId: REMOTE_TRACE_ID, traceFlags: 1, isRemote: false });
    expect(child.spanContext().traceState).toBe(state);
    const grandchild = tracer.startSpan('local-grandchild', {}, trace.setSpan(ROOT_CONTEXT, child));
    grandchild.end();
    child.end();
    const spans = await sent(provider, exporter);
    expect(byName(spans, 'remote-child')).toMatchObject({
      traceId: REMOTE_TRACE_ID, parentSpanId: REMOTE_SPAN_ID, flags: FLAGS_REMOTE_PARENT,
      traceState: 'vendor1=value1,vendor2=value2',
    });
    expect(byName(spans, 'local-grandchild')).toMatchObject({
      traceId: REMOTE_TRACE_ID, parentSpanId: child.spanContext().spanId, flags: FLAGS_LOCAL_PARENT,
      traceState: 'vendor1=value1,vendor2=value2',
    });
  });

  it('a span of another provider is a valid (non-remote) parent', async () => {
    const a = setup();
    const b = setup();
    const parent = a.tracer.startSpan('in-a');
    b.tracer.startSpan('in-b', {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
    parent.end();
    expect(byName(await sent(b.provider, b.exporter), 'in-b')).toMatchObject({
      traceId: parent.spanContext().traceId, parentSpanId: parent.spanContext().spanId, flags: FLAGS_LOCAL_PARENT,
    });
  });
});

describe('sampling', () => {
  it('AlwaysOffSampler gives non-recording spans with valid, stable contexts shared by their children', async () => {
    const { provider, exporter, tracer } = setup({ sampler: new AlwaysOffSampler() });
    const root = tracer.startSpan('off');
    expect(root.isRecording()).toBe(false);
    const ctx = root.spanContext();
    expect(isSpanContextValid(ctx)).toBe(true);
    expect(ctx.traceFlags & TraceFlags.SAMPLED).toBe(0);
    expect(root.spanContext()).toEqual(ctx);
    const child = tracer.startSpan('off-child', {}, trace.setSpan(ROOT_CONTEXT, root));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe(ctx.traceId);
    expect(child.spanContext().spanId).not.toBe(ctx.spanId);
    expect(isSpanContextValid(child.spanContext())).toBe(true);
    const active = tracer.startActiveSpan('off-active', (span) => {
      const inner = tracer.startSpan('inner');
      return [span.spanContext().traceId, inner.spanContext().traceId];
    });
    expect(active[0]).toBe(active[1]);
    root.end();
    child.end();
    expect(await sent(provider, exporter)).toEqual([]);
    const stats = provider.stats();
    expect(stats.nonRecording).toBe(4);
    expect(stats.started).toBe(0);
    accountingHolds(provider);
  });

  it('ParentBasedSampler follows remote and local sampled flags, root decided by its root sampler', async () => {
    const { provider, exporter, tracer } = setup({ sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) });
    expect(tracer.startSpan('root').isRecording()).toBe(false);
    const remoteSampled = tracer.startSpan('remote-sampled', {}, remoteContext(1));
    expect(remoteSampled.isRecording()).toBe(true);
    const remoteUnsampled = tracer.startSpan('remote-unsampled', {}, remoteContext(0));
    expect(remoteUnsampled.isRecording()).toBe(false);
    expect(remoteUnsampled.spanContext().traceId).toBe(REMOTE_TRACE_ID);
    const localSampled = tracer.startSpan('local-sampled', {}, trace.setSpan(ROOT_CONTEXT, remoteSampled));
    expect(localSampled.isRecording()).toBe(true);
    const localUnsampled = tracer.startSpan('local-unsampled', {}, trace.setSpan(ROOT_CONTEXT, remoteUnsampled));
    expect(localUnsampled.isRecording()).toBe(false);
    expect(localUnsampled.spanContext().traceId).toBe(REMOTE_TRACE_ID);
    localSampled.end();
    remoteSampled.end();
    const spans = await sent(provider, exporter);
    expect(spans.map((s) => s.span.name).sort()).toEqual(['local-sampled', 'remote-sampled']);
    expect(byName(spans, 'remote-sampled').flags).toBe(FLAGS_REMOTE_PARENT);
    expect(byName(spans, 'local-sampled').flags).toBe(FLAGS_LOCAL_PARENT);
  });

  it('ParentBasedSampler uses its configured delegates for each parent kind', () => {
    const { tracer } = setup({
      sampler: new ParentBasedSampler({
        root: new AlwaysOnSampler(), remoteParentSampled: new AlwaysOffSampler(),
        remoteParentNotSampled: new AlwaysOnSampler(), localParentNotSampled: new AlwaysOnSampler(),
      }),
    });
    expect(tracer.startSpan('remote-sampled', {}, remoteContext(1)).isRecording()).toBe(false);
    const unsampled = tracer.startSpan('remote-unsampled', {}, remoteContext(0));
    expect(unsampled.isRecording()).toBe(true);
    expect(unsampled.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(1);
    const offParent = tracer.startSpan('off', {}, remoteContext(1));
    expect(tracer.startSpan('local-unsampled', {}, trace.setSpan(ROOT_CONTEXT, offParent)).isRecording()).toBe(true);
  });

  it('TraceIdRatioBasedSampler decides each span exactly as its own shouldSample does for that trace id', async () => {
    const sampler = new TraceIdRatioBasedSampler(0.5);
    const { provider, exporter, tracer } = setup({ sampler });
    const sampledIds = new Set<string>();
    let recorded = 0;
    for (let i = 0; i < 400; i++) {
      const span = tracer.startSpan(`ratio-${i}`);
      const { traceId } = span.spanContext();
      const expected = sampler.shouldSample(ROOT_CONTEXT, traceId, `ratio-${i}`, SpanKind.INTERNAL, {}, []).decision;
      expect(span.isRecording(), `trace ${traceId}`).toBe(expected === 2);
      if (span.isRecording()) {
        recorded++;
        sampledIds.add(traceId);
      }
      span.end();
    }
    expect(recorded).toBeGreaterThan(100);
    expect(recorded).toBeLessThan(300);
    const spans = await sent(provider, exporter);
    expect(new Set(spans.map((s) => s.span.traceId))).toEqual(sampledIds);
    expect(provider.stats().nonRecording).toBe(400 - recorded);
  });

  it('official sdk-trace-base samplers plug in and decide as they would in the official SDK', async () => {
    const official = new OfficialParentBasedSampler({ root: new OfficialRatioSampler(0.5) });
    const { provider, exporter, tracer } = setup({ sampler: official as unknown as Sampler });
    let recorded = 0;
    for (let i = 0; i < 200; i++) {
      const span = tracer.startSpan('official');
      const expected = official.shouldSample(ROOT_CONTEXT, span.spanContext().traceId, 'official',
        SpanKind.INTERNAL, {}, []).decision;
      expect(span.isRecording()).toBe(expected === 2);
      if (span.isRecording()) recorded++;
      span.end();
    }
    expect(tracer.startSpan('child-of-remote-sampled', {}, remoteContext(1)).isRecording()).toBe(true);
    expect((await sent(provider, exporter)).length).toBe(recorded);
  });

  it('a RECORD-only decision records the span, clears the sampled flag and never exports it', async () => {
    const recordOnly: Sampler = {
      shouldSample: (): SamplingResult => ({ decision: 1 }),
      toString: () => 'RecordOnly',
    };
    const { provider, exporter, tracer } = setup({ sampler: recordOnly });
    const span = tracer.startSpan('record-only');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(0);
    span.setAttribute('kept', 'in memory');
    const child = tracer.startSpan('record-only-child', {}, trace.setSpan(ROOT_CONTEXT, span));
    expect(child.spanContext().traceId).toBe(span.spanContext().traceId);
    child.end();
    span.end();
    expect(await sent(provider, exporter)).toEqual([]);
    const stats = provider.stats();
    expect(stats).toMatchObject({ started: 2, ended: 2, endedNotSampled: 2, exported: 0, droppedTotal: 0 });
    accountingHolds(provider);
  });

  it('a custom sampler sees the span\'s inputs and its attributes and trace state reach the span and the wire', async () => {
    const seen: { traceId: string; name: string; kind: SpanKind; attributes: Attributes; links: Link[]; parent?: string }[] = [];
    const sampler: ApiSampler & Sampler = {
      shouldSample(ctx, traceId, name, kind, attributes, links): SamplingResult {
        seen.push({ traceId, name, kind, attributes: { ...attributes }, links, parent: trace.getSpanContext(ctx)?.spanId });
        return {
          decision: 2,
          attributes: { 'sampler.rule': 'keep-all', 'sampler.ratio': 1 },
          traceState: new TraceState('sampler=decided'),
        };
      },
      toString: () => 'Custom',
    };
    const { provider, exporter, tracer } = setup({ sampler });
    const link: Link = { context: { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: 1 } };
    const span = tracer.startSpan('custom', { kind: SpanKind.CLIENT, attributes: { user: 'x' }, links: [link] },
      remoteContext(1));
    expect(seen).toEqual([{
      traceId: REMOTE_TRACE_ID, name: 'custom', kind: SpanKind.CLIENT, attributes: { user: 'x' }, links: [link],
      parent: REMOTE_SPAN_ID,
    }]);
    expect(span.spanContext().traceState?.serialize()).toBe('sampler=decided');
    const root = tracer.startSpan('custom-root', {}, ROOT_CONTEXT);
    expect(seen[1]!.traceId).toBe(root.spanContext().traceId);
    root.end();
    span.end();
    const spans = await sent(provider, exporter);
    const wire = byName(spans, 'custom');
    expect(wire.traceState).toBe('sampler=decided');
    expect(attributesOf(wire.attributes)).toEqual({
      'sampler.rule': { stringValue: 'keep-all' }, 'sampler.ratio': { intValue: 1n }, user: { stringValue: 'x' },
    });
    expect(byName(spans, 'custom-root')).toMatchObject({ traceState: 'sampler=decided', traceId: seen[1]!.traceId });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('a sampler\'s attributes win over SpanOptions attributes with the same key, as in the official SDK', async () => {
    const sampler: Sampler = {
      shouldSample: (): SamplingResult => ({ decision: 2, attributes: { 'sampling.rule': 'sampler' } }),
      toString: () => 'Overrides',
    };
    const { provider, exporter, tracer } = setup({ sampler });
    tracer.startSpan('precedence', { attributes: { 'sampling.rule': 'user' } }).end();
    const wire = byName(await sent(provider, exporter), 'precedence');
    expect(attributesOf(wire.attributes)).toEqual({ 'sampling.rule': { stringValue: 'sampler' } });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('a root span keeps the trace id its sampler decided on even if the sampler starts a span', () => {
    let nested = false;
    const decidedOn: string[] = [];
    let tracerRef: ReturnType<SpanwireTracerProvider['getTracer']> | undefined;
    const sampler: Sampler = {
      shouldSample(_ctx, traceId): SamplingResult {
        if (!nested) {
          nested = true;
          decidedOn.push(traceId);
          tracerRef!.startSpan('from-inside-the-sampler').end();
          nested = false;
        }
        return { decision: 2 };
      },
      toString: () => 'Reentrant',
    };
    const { tracer } = setup({ sampler });
    tracerRef = tracer;
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    expect(root.spanContext().traceId).toBe(decidedOn[0]);
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('a span started in a suppressTracing() context is non-recording, as in the official SDK', async () => {
    const { provider, exporter, tracer } = setup();
    const span = tracer.startSpan('suppressed', {}, suppressTracing(ROOT_CONTEXT));
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(await sent(provider, exporter)).toEqual([]);
  });
});

describe('limits, scopes and resource on the wire', () => {
  it('span limits drop what is over them and report the counts on the wire', async () => {
    const { provider, exporter, tracer } = setup({
      spanLimits: {
        attributeCount: 2, eventCount: 1, linkCount: 1, attributePerEventCount: 1, attributePerLinkCount: 1,
        attributeValueLength: 4,
      },
    });
    const other = tracer.startSpan('other');
    const span = tracer.startSpan('limited', { attributes: { a: 'abcdefgh', b: ['longer', 'xy'], c: 3 } });
    span.setAttribute('d', 4).setAttribute('a', 'replace-allowed');
    span.addEvent('e1', { x: 1, y: 2, z: 3 }).addEvent('e2').addEvent('e3');
    span.addLink({ context: other.spanContext(), attributes: { p: 1, q: 2 } });
    span.addLink({ context: other.spanContext() });
    span.end();
    other.end();
    const wire = byName(await sent(provider, exporter), 'limited');
    expect(attributesOf(wire.attributes)).toEqual({
      a: { stringValue: 'repl' }, b: { arrayValue: [{ stringValue: 'long' }, { stringValue: 'xy' }] },
    });
    expect(wire.droppedAttributesCount).toBe(2);
    expect(wire.events).toHaveLength(1);
    expect(wire.events[0]!.attributes).toHaveLength(1);
    expect(wire.events[0]!.droppedAttributesCount).toBe(2);
    expect(wire.droppedEventsCount).toBe(2);
    expect(wire.links).toHaveLength(1);
    expect(wire.links[0]!.attributes).toHaveLength(1);
    expect(wire.links[0]!.droppedAttributesCount).toBe(1);
    expect(wire.droppedLinksCount).toBe(1);
    expect(provider.stats().arena['valuesTruncated']).toBeGreaterThanOrEqual(2);
  });

  it('several tracers become several ScopeSpans with name, version and schemaUrl', async () => {
    const { provider, exporter } = setup();
    const a = provider.getTracer('scope-a', '1.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' });
    const b = provider.getTracer('scope-b', '2.0.0');
    const c = provider.getTracer('scope-c');
    a.startSpan('from-a').end();
    b.startSpan('from-b').end();
    c.startSpan('from-c').end();
    a.startSpan('from-a-2').end();
    await provider.forceFlush();
    const [request] = exporter.requests();
    const scopes = request!.resourceSpans[0]!.scopeSpans;
    const byScope = Object.fromEntries(scopes.map((ss) => [ss.scope.name, ss]));
    expect(Object.keys(byScope).sort()).toEqual(['scope-a', 'scope-b', 'scope-c']);
    expect(byScope['scope-a']).toMatchObject({
      scope: { version: '1.0.0' }, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
    });
    expect(byScope['scope-a']!.spans.map((s) => s.name).sort()).toEqual(['from-a', 'from-a-2']);
    expect(byScope['scope-b']).toMatchObject({ scope: { version: '2.0.0' }, schemaUrl: '' });
    expect(byScope['scope-c']).toMatchObject({ scope: { version: '' }, schemaUrl: '' });
  });

  it('under string-pool pressure every string sent is the one that span set, or absent and counted', async () => {
    let seed = 0x5eed;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let rootNumber = 0;
    const sampler: Sampler = {
      shouldSample: (ctx): SamplingResult => (trace.getSpanContext(ctx)
        ? { decision: 2 }
        : { decision: 2, traceState: new TraceState(`v=${rootNumber++}x${'q'.repeat(30)}`) }),
      toString: () => 'RootTraceState',
    };
    const { provider, exporter, tracer } = setup({
      sampler, capacity: { spans: 64, stringBytes: 4096 },
      batch: { maxQueueSize: 16, maxExportBatchSize: 4, scheduledDelayMs: 1 },
    });
    const expected = new Map<string, { name: string; key: string; value: string; event: string; state: string }>();
    const live: Span[] = [];
    for (let i = 0; i < 2000; i++) {
      if (random() < 0.5 && live.length < 40) {
        const parent = live.length > 0 && random() < 0.3 ? live[Math.floor(random() * live.length)] : undefined;
        const name = `n${i}-${'x'.repeat(Math.floor(random() * 40))}`;
        const span = tracer.startSpan(name, {}, parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT);
        const key = random() < 0.5 ? 'common.key' : `key.${i % 7}`;
        const value = `v${i}-${'y'.repeat(Math.floor(random() * 60))}`;
        span.setAttribute(key, value);
        const event = random() < 0.3 ? `ev${i}-${'z'.repeat(Math.floor(random() * 30))}` : '';
        if (event) span.addEvent(event, { e: event });
        expected.set(span.spanContext().spanId, {
          name, key, value, event, state: span.spanContext().traceState?.serialize() ?? '',
        });
        live.push(span);
      } else if (live.length > 0) {
        live.splice(Math.floor(random() * live.length), 1)[0]!.end();
      }
      if (random() < 0.05) await new Promise((r) => setTimeout(r, 1));
    }
    for (const span of live) span.end();
    const spans = await sent(provider, exporter);
    expect(spans.length).toBeGreaterThan(500);
    let absent = 0;
    for (const { span } of spans) {
      const want = expected.get(span.spanId)!;
      if (span.name === '') absent++;
      else expect(span.name).toBe(want.name);
      for (const kv of span.attributes) expect([kv.key, kv.value]).toEqual([want.key, { stringValue: want.value }]);
      for (const event of span.events) {
        if (event.name !== '') expect(event.name).toBe(want.event);
        for (const kv of event.attributes) expect(kv.value).toEqual({ stringValue: want.event });
      }
      if (span.traceState !== '') expect(span.traceState).toBe(want.state);
    }
    expect(absent).toBeGreaterThan(0);
    expect(provider.stats().arena['stringPoolFull']).toBeGreaterThan(0);
  });

  it('tracers beyond capacity.scopes share the first scope instead of losing spans, and are counted', async () => {
    const { provider, exporter } = setup({ capacity: { scopes: 2 } });
    provider.getTracer('second').startSpan('in-second').end();
    provider.getTracer('third').startSpan('in-third').end();
    provider.getTracer('fourth').startSpan('in-fourth').end();
    const spans = await sent(provider, exporter);
    expect(spans.map((s) => [s.span.name, s.scope.name]).sort()).toEqual([
      ['in-fourth', 'test-scope'], ['in-second', 'second'], ['in-third', 'test-scope'],
    ]);
    expect(provider.stats().arena['scopesExhausted']).toBe(2);
  });

  it('the resource carries service.name, user attributes, telemetry.sdk.* and its schemaUrl', async () => {
    const { provider, exporter, tracer } = setup({
      serviceName: 'checkout', resource: { 'deployment.environment.name': 'test', 'service.name': 'loses', pid: 7 },
      resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0', sdkLanguage: 'nodejs',
    });
    tracer.startSpan('r').end();
    const [located] = await sent(provider, exporter);
    expect(located!.resourceSchemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(attributesOf(located!.resource.attributes)).toEqual({
      'service.name': { stringValue: 'checkout' },
      'telemetry.sdk.name': { stringValue: 'spanwire' },
      'telemetry.sdk.language': { stringValue: 'nodejs' },
      'telemetry.sdk.version': { stringValue: VERSION },
      'deployment.environment.name': { stringValue: 'test' },
      pid: { intValue: 7n },
    });
  });

  it('without serviceName the resource says unknown_service', async () => {
    const { provider, exporter, tracer } = setup();
    tracer.startSpan('r').end();
    const [located] = await sent(provider, exporter);
    expect(attributesOf(located!.resource.attributes)['service.name']).toEqual({ stringValue: 'unknown_service' });
  });
});

describe('the global API after register()', () => {
  it('trace.getTracer() and startActiveSpan() reach the provider; trace.disable() detaches it', async () => {
    const { provider, exporter } = setup();
    expect(provider.register()).toBe(provider);
    // trace.getTracer() of API 1.9 takes no options: a schemaUrl goes through the global provider.
    const tracer = trace.getTracerProvider().getTracer('global-scope', '9.9.9', { schemaUrl: 'https://example.com/schema' });
    const result = tracer.startActiveSpan('global-parent', { kind: SpanKind.SERVER }, (parent) => {
      const child = trace.getTracer('global-scope', '9.9.9').startSpan('global-child');
      expect(trace.getActiveSpan()).toBe(parent);
      child.end();
      parent.end();
      return parent.spanContext();
    });
    const spans = await sent(provider, exporter);
    const parent = byName(spans, 'global-parent');
    expect(parent).toMatchObject({ spanId: result.spanId, kind: SpanKind.SERVER + 1 });
    expect(byName(spans, 'global-child').parentSpanId).toBe(parent.spanId);
    const parentScope = spans.find((s) => s.span.name === 'global-parent')!;
    expect(parentScope.scope).toMatchObject({ name: 'global-scope', version: '9.9.9' });
    expect(parentScope.scopeSchemaUrl).toBe('https://example.com/schema');
    expect(spans.find((s) => s.span.name === 'global-child')!.scope.name).toBe('global-scope');
    trace.disable();
    const after = trace.getTracer('global-scope').startSpan('after-disable');
    expect(after.isRecording()).toBe(false);
    after.end();
    await provider.forceFlush();
    expect(exporter.decoded().map((s) => s.span.name)).not.toContain('after-disable');
  });
});
