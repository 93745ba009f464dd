// spanwire/web under Node: createWebTracerProvider (async codec, gzip over fetch to a real loopback receiver),
// codec-unavailable fallback, withRequestFlush (awaited flush; ctx.waitUntil; errors pass through), and
// flushOnPageHide (keepalive requests started inside the event, 64 KiB budget, 'keepalive_budget' drops).
// Real runtimes (Deno, Bun, workerd, Chromium) are covered by test/runtimes/.
import { type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type SpanwireTracerProvider, createWebTracerProvider, flushOnPageHide, withRequestFlush,
} from '../src/runtime/web/index.js';
import { FakeHttpReceiver } from './support/otlp-fake-receiver.js';

const receiver = new FakeHttpReceiver();
beforeAll(async () => { await receiver.start(); });
afterAll(async () => { await receiver.close(); });
beforeEach(() => receiver.reset());

/** One SERVER span with attributes, an event, a link and a CLIENT child; returns their span ids. */
function recordScenario(provider: SpanwireTracerProvider, name = 'GET /orders/:id'): { root: Span; child: Span } {
  const tracer = provider.getTracer('web-test', '1.2.3');
  const linked = tracer.startSpan('linked');
  linked.end();
  const root = tracer.startSpan(name, {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'app.cache_hit': true, ratio: 0.5 },
    links: [{ context: linked.spanContext(), attributes: { 'link.kind': 'follows' } }],
  });
  root.addEvent('cache.lookup', { 'cache.key': 'orders:1' });
  const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root));
  child.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  return { root, child };
}

describe('createWebTracerProvider', () => {
  it('compiles the embedded codec asynchronously and exports gzip OTLP/HTTP that decodes field by field', async () => {
    const provider = await createWebTracerProvider({ url: receiver.url, serviceName: 'web-orders' });
    expect(provider.codecError).toBeUndefined();
    const { root, child } = recordScenario(provider);
    await provider.forceFlush();
    expect(receiver.requests.every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    const rootSpan = receiver.accepted.get(root.spanContext().spanId)!;
    expect(rootSpan).toBeDefined();
    expect(rootSpan.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'web-orders' } });
    expect(rootSpan.scope).toMatchObject({ name: 'web-test', version: '1.2.3' });
    const span = rootSpan.span;
    expect(span.name).toBe('GET /orders/:id');
    expect(span.kind).toBe(2); // SPAN_KIND_SERVER
    expect(span.attributes).toEqual([
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.response.status_code', value: { intValue: 200n } },
      { key: 'app.cache_hit', value: { boolValue: true } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
    ]);
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      ['cache.lookup', [{ key: 'cache.key', value: { stringValue: 'orders:1' } }]],
    ]);
    expect(span.links).toHaveLength(1);
    expect(span.links[0]!.attributes).toEqual([{ key: 'link.kind', value: { stringValue: 'follows' } }]);
    expect(span.status.code).toBe(1); // STATUS_CODE_OK
    const childSpan = receiver.accepted.get(child.spanContext().spanId)!.span;
    expect(childSpan.parentSpanId).toBe(root.spanContext().spanId);
    expect(childSpan.traceId).toBe(root.spanContext().traceId);
    expect(provider.stats()).toMatchObject({ started: 3, exported: 3, droppedTotal: 0 });
    await provider.shutdown();
  });

  it('takes a precompiled module or bytes as codec', async () => {
    const { embeddedCodecBytes, loadCodecAsync } = await import('../src/codec/codec-module.js');
    const module = await WebAssembly.compile(embeddedCodecBytes() as BufferSource);
    for (const codec of [module, embeddedCodecBytes()]) {
      const provider = await createWebTracerProvider({ url: receiver.url, codec });
      expect(provider.codecError).toBeUndefined();
      provider.getTracer('t').startSpan('s').end();
      await provider.forceFlush();
      expect(provider.stats().exported).toBe(1);
      await provider.shutdown();
    }
    expect((await loadCodecAsync()).heapBase).toBeGreaterThan(0);
  });

  it('resolves to a codec-unavailable provider when the codec cannot compile (a CSP without wasm-unsafe-eval)', async () => {
    const provider = await createWebTracerProvider({ url: receiver.url, codec: new Uint8Array([0, 97, 115, 109, 1]) });
    expect(provider.codecError).toMatch(/\S/);
    const span = provider.getTracer('t').startSpan('s');
    expect(span.isRecording()).toBe(true);
    span.end();
    await provider.forceFlush();
    expect(provider.stats()).toMatchObject({ started: 1, exported: 0, dropped: { codec_unavailable: 1 } });
    expect(receiver.attempts).toBe(0);
    await provider.shutdown();
  });
});

describe('withRequestFlush', () => {
  let provider: SpanwireTracerProvider;
  beforeEach(async () => {
    provider = await createWebTracerProvider({ url: receiver.url, batch: { scheduledDelayMs: 60_000 } });
  });

  it('without a waitUntil context (Deno, Bun) the response comes back after the request\'s spans are delivered', async () => {
    const handler = withRequestFlush(provider, async (request: Request) => {
      const span = provider.getTracer('t').startSpan(`handle ${new URL(request.url).pathname}`);
      span.end();
      return new Response('ok', { status: 201 });
    });
    const response = await handler(new Request('http://localhost/orders'));
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('ok');
    expect([...receiver.accepted.values()].map((s) => s.span.name)).toEqual(['handle /orders']);
    await provider.shutdown();
  });

  it('with ctx.waitUntil (workerd) returns at once and hands the flush to waitUntil', async () => {
    const handedOver: Promise<unknown>[] = [];
    const ctx = { waitUntil(promise: Promise<unknown>) { handedOver.push(promise); } };
    receiver.script = () => ({ stall: true });
    const handler = withRequestFlush(provider, (_request: Request, _env: unknown, _ctx: typeof ctx) => {
      provider.getTracer('t').startSpan('in request').end();
      return new Response('fast');
    });
    const response = await handler(new Request('http://localhost/'), {}, ctx);
    expect(await response.text()).toBe('fast');
    expect(handedOver).toHaveLength(1);
    expect(receiver.accepted.size).toBe(0); // the export is still held by the receiver
    await new Promise<void>((resolve) => {
      const poll = (): void => { if (receiver.stalledCount > 0) resolve(); else setTimeout(poll, 5); };
      poll();
    });
    receiver.release();
    await handedOver[0];
    expect([...receiver.accepted.values()].map((s) => s.span.name)).toEqual(['in request']);
    await provider.shutdown();
  });

  it('uses this.ctx.waitUntil for a WorkerEntrypoint-style method', async () => {
    const handedOver: Promise<unknown>[] = [];
    const entrypoint = {
      ctx: { waitUntil(promise: Promise<unknown>) { handedOver.push(promise); } },
      fetch: withRequestFlush(provider, function (this: unknown, _request: Request) {
        provider.getTracer('t').startSpan('method').end();
        return new Response(this === entrypoint ? 'bound' : 'unbound');
      }),
    };
    expect(await (await entrypoint.fetch(new Request('http://localhost/'))).text()).toBe('bound');
    await handedOver[0];
    expect(receiver.accepted.size).toBe(1);
    await provider.shutdown();
  });

  it('flushes when the handler throws or rejects, and rethrows the handler\'s own error unchanged', async () => {
    const boom = new TypeError('handler failed');
    const throwing = withRequestFlush(provider, (): Response => {
      provider.getTracer('t').startSpan('before throw').end();
      throw boom;
    });
    await expect(throwing(new Request('http://localhost/'))).rejects.toBe(boom);
    const rejecting = withRequestFlush(provider, async (): Promise<Response> => {
      provider.getTracer('t').startSpan('before reject').end();
      throw boom;
    });
    await expect(rejecting(new Request('http://localhost/'))).rejects.toBe(boom);
    expect([...receiver.accepted.values()].map((s) => s.span.name).sort()).toEqual(['before reject', 'before throw']);
    await provider.shutdown();
  });

  it('keeps the handler\'s arity, at least 1 (Deno.serve passes no arguments to a handler of length 0)', () => {
    const provider = { forceFlush: async () => {} };
    expect(withRequestFlush(provider, () => new Response('ok')).length).toBe(1);
    expect(withRequestFlush(provider, (_request: Request) => new Response('ok')).length).toBe(1);
    expect(withRequestFlush(provider, (_r: Request, _env: unknown, _ctx: unknown) => new Response('ok')).length).toBe(3);
  });

  it('never adds an error of its own: a throwing provider, waitUntil or ctx getter', async () => {
    const broken = { forceFlush(): Promise<void> { throw new Error('flush exploded'); } };
    const rejecting = { forceFlush: () => Promise.reject(new Error('flush rejected')) };
    const refusingCtx = { waitUntil() { throw new Error('request already ended'); } };
    const trapCtx = Object.defineProperty({}, 'waitUntil', { get() { throw new Error('getter'); } });
    for (const p of [broken, rejecting]) {
      for (const ctx of [undefined, refusingCtx, trapCtx]) {
        const handler = withRequestFlush(p, (_r: Request, _e: unknown, _c: unknown) => new Response('still fine'));
        expect(await (await handler(new Request('http://localhost/'), {}, ctx)).text()).toBe('still fine');
      }
    }
    await provider.shutdown();
  });
});

/** A page's window and document as plain EventTargets (Node has EventTarget; there is no DOM here). */
function fakePage(): { window: EventTarget; document: EventTarget & { visibilityState: string } } {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  return { window: new EventTarget(), document };
}

/** fetch that records what each call asked for, then really sends it to the loopback receiver. */
function recordingFetch(): { fetch: typeof fetch; calls: { keepalive: boolean | undefined; bytes: number }[] } {
  const calls: { keepalive: boolean | undefined; bytes: number }[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push({ keepalive: init?.keepalive, bytes: (init?.body as Uint8Array).byteLength });
      return fetch(input, init);
    },
  };
}

describe('flushOnPageHide', () => {
  it('on pagehide sends everything queued as gzip keepalive requests, started inside the event', async () => {
    const page = fakePage();
    const { fetch: fetchFn, calls } = recordingFetch();
    const provider = await createWebTracerProvider({
      url: receiver.url, fetch: fetchFn, batch: { scheduledDelayMs: 60_000 },
    });
    const stop = flushOnPageHide(provider, page);
    for (let i = 0; i < 20; i++) recordScenario(provider, `page span ${i}`);
    expect(calls).toHaveLength(0);
    page.window.dispatchEvent(new Event('pagehide'));
    // No await yet: the fetch calls must already have happened, while the page still exists.
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.keepalive === true)).toBe(true);
    await provider.forceFlush();
    expect(receiver.accepted.size).toBe(60);
    expect(receiver.requests.every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    stop();
    await provider.shutdown();
  });

  it('flushes on visibilitychange to hidden only, and not after unsubscribing', async () => {
    const page = fakePage();
    const { fetch: fetchFn, calls } = recordingFetch();
    const provider = await createWebTracerProvider({ url: receiver.url, fetch: fetchFn, batch: { scheduledDelayMs: 60_000 } });
    const stop = flushOnPageHide(provider, page);
    provider.getTracer('t').startSpan('a').end();
    page.document.dispatchEvent(new Event('visibilitychange')); // still visible
    expect(calls).toHaveLength(0);
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(calls).toEqual([{ keepalive: true, bytes: expect.any(Number) }]);
    await provider.forceFlush();
    stop();
    provider.getTracer('t').startSpan('b').end();
    page.window.dispatchEvent(new Event('pagehide'));
    expect(calls).toHaveLength(1);
    // Back to normal sends afterwards: no keepalive outside the page-hide flush.
    await provider.forceFlush();
    expect(calls[1]!.keepalive).toBe(false);
    expect(receiver.accepted.size).toBe(2);
    await provider.shutdown();
  });

  it('keeps within the 64 KiB keepalive budget and counts what does not fit as keepalive_budget', async () => {
    const page = fakePage();
    const { fetch: fetchFn, calls } = recordingFetch();
    const provider = await createWebTracerProvider({
      url: receiver.url, fetch: fetchFn, batch: { scheduledDelayMs: 60_000, maxQueueSize: 4096 },
      capacity: { spans: 8192 },
    });
    flushOnPageHide(provider, page);
    // Spans with random, incompressible attribute values: gzip cannot shrink them below the budget.
    const tracer = provider.getTracer('t');
    const random = new Uint8Array(300);
    for (let i = 0; i < 1500; i++) {
      crypto.getRandomValues(random);
      tracer.startSpan('noisy', { attributes: { noise: Array.from(random, (b) => b.toString(16)).join('') } }).end();
    }
    page.window.dispatchEvent(new Event('pagehide'));
    const sent = calls.filter((c) => c.keepalive === true);
    expect(sent.length).toBeGreaterThan(1);
    expect(calls.every((c) => c.keepalive === true)).toBe(true);
    const total = sent.reduce((sum, c) => sum + c.bytes, 0);
    expect(total).toBeLessThanOrEqual(65536);
    // The last requests are cut down to what the budget has left: it ends up nearly full (a span is ~400 bytes).
    expect(total).toBeGreaterThan(65536 - 2048);
    await provider.forceFlush();
    const stats = provider.stats();
    expect(stats.dropped.keepalive_budget).toBeGreaterThan(0);
    expect(stats.exported + stats.dropped.keepalive_budget!).toBe(1500);
    expect(receiver.accepted.size).toBe(stats.exported);
    await provider.shutdown();
  });

  it('is a no-op without a page (a Web Worker or a server) and never throws', async () => {
    const provider = await createWebTracerProvider({ url: receiver.url });
    const stop = flushOnPageHide(provider);
    expect(() => stop()).not.toThrow();
    const weird = flushOnPageHide(provider, { window: {} as never, document: null as never });
    expect(() => weird()).not.toThrow();
    await provider.shutdown();
  });
});
