// spanwire/workerd under Node: the provider builds synchronously from a precompiled module (what
// `import codec from 'spanwire/codec.wasm'` gives on workerd), arms no timer (a batch leaves only when full or
// flushed), delivers a request's spans through ctx.waitUntil, and without a module runs codec-unavailable.
// The real workerd run is in test/runtimes/.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWorkerdTracerProvider, withRequestFlush } from '../src/runtime/workerd/index.js';
import { FakeHttpReceiver } from './support/otlp-fake-receiver.js';

// npm test builds it first (pretest: assembly/build-wasm.mjs); it is the file spanwire/codec.wasm exports.
const codec = new WebAssembly.Module(readFileSync(new URL('../dist/spanwire.release.wasm', import.meta.url)));

const receiver = new FakeHttpReceiver();
beforeAll(async () => { await receiver.start(); });
afterAll(async () => { await receiver.close(); });
beforeEach(() => receiver.reset());
afterEach(() => { vi.restoreAllMocks(); });

/** Collects what a handler hands to ctx.waitUntil, as workerd's ExecutionContext would keep the isolate for. */
function executionContext(): { waitUntil(promise: Promise<unknown>): void; settled(): Promise<unknown[]> } {
  const promises: Promise<unknown>[] = [];
  return { waitUntil: (promise) => { promises.push(promise); }, settled: () => Promise.all(promises) };
}

describe('createWorkerdTracerProvider', () => {
  it('builds synchronously without setTimeout or random numbers (both refused at workerd global scope)', () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const random = vi.spyOn(crypto, 'getRandomValues');
    const provider = createWorkerdTracerProvider({ url: receiver.url, codec, serviceName: 'edge' });
    expect(provider.codecError).toBeUndefined();
    expect(timers).not.toHaveBeenCalled();
    expect(random).not.toHaveBeenCalled();
    void provider.shutdown();
  });

  it('delivers the spans of a request that ends right after its last span, through ctx.waitUntil', async () => {
    const provider = createWorkerdTracerProvider({ url: receiver.url, codec, serviceName: 'edge' });
    const handler = withRequestFlush(provider, async (request: Request, _env: unknown, _ctx: unknown) => {
      const tracer = provider.getTracer('worker');
      const span = tracer.startSpan('fetch', { attributes: { 'url.path': new URL(request.url).pathname } });
      span.addEvent('done');
      span.end(); // the last span ends as the response leaves
      return new Response('ok');
    });
    const ctx = executionContext();
    const response = await handler(new Request('http://worker/orders/7'), {}, ctx);
    expect(await response.text()).toBe('ok');
    await ctx.settled();
    const spans = [...receiver.accepted.values()];
    expect(spans.map((s) => s.span.name)).toEqual(['fetch']);
    expect(spans[0]!.span.attributes).toEqual([{ key: 'url.path', value: { stringValue: '/orders/7' } }]);
    expect(spans[0]!.span.events.map((e) => e.name)).toEqual(['done']);
    expect(receiver.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(provider.stats()).toMatchObject({ started: 1, exported: 1, droppedTotal: 0, queueSize: 0 });
    await provider.shutdown();
  });

  it('is timer-free: ending spans arms no timer; a full batch leaves in a microtask, a partial one on flush', async () => {
    const provider = createWorkerdTracerProvider({
      url: receiver.url, codec, batch: { maxExportBatchSize: 8, scheduledDelayMs: 10 },
    });
    const tracer = provider.getTracer('worker');
    const timers = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 5; i++) tracer.startSpan(`partial ${i}`).end();
    expect(timers).not.toHaveBeenCalled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(provider.stats().queueSize).toBe(5); // no schedule delay ever fires
    for (let i = 5; i < 8; i++) tracer.startSpan(`partial ${i}`).end();
    expect(provider.stats().queueSize).toBe(8);
    await Promise.resolve(); // the full batch leaves in the microtask after the span.end() that filled it
    expect(provider.stats().queueSize).toBe(0);
    tracer.startSpan('tail').end();
    await provider.forceFlush();
    expect(receiver.accepted.size).toBe(9);
    await provider.shutdown();
  });

  it('without a WebAssembly.Module runs codec-unavailable and says how to pass spanwire/codec.wasm', async () => {
    const provider = createWorkerdTracerProvider({ url: receiver.url } as never);
    expect(provider.codecError).toMatch(/spanwire\/codec\.wasm/);
    provider.getTracer('t').startSpan('s').end();
    await provider.forceFlush();
    expect(provider.stats().dropped).toEqual({ codec_unavailable: 1 });
    await provider.shutdown();
  });
});
