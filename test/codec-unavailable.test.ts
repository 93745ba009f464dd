// The provider when the WebAssembly codec cannot load (a CSP without 'wasm-unsafe-eval', no WebAssembly at all):
// it must construct, record and propagate as usual, and count every ended span as dropped ('codec_unavailable').
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '../src/export/in-memory-span-exporter.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';

function runSpans(provider: SpanwireTracerProvider, count: number): string[] {
  const tracer = provider.getTracer('csp');
  const traceIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const parent = tracer.startSpan('parent', { attributes: { i } });
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent));
    child.addEvent('e').end();
    traceIds.push(parent.spanContext().traceId, child.spanContext().traceId);
    parent.end();
  }
  return traceIds;
}

describe('codec unavailable', () => {
  it('constructs from bytes that do not compile, records spans and counts every one as codec_unavailable', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new SpanwireTracerProvider({ codec: new Uint8Array([0, 97, 115, 109, 9, 9]), exporter });
    expect(provider.codecError).toMatch(/\S/);
    const tracer = provider.getTracer('csp');
    const span = tracer.startSpan('recorded');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    span.setAttribute('k', 'v');
    span.end();
    tracer.startSpan('second').end();
    await provider.forceFlush();
    const stats = provider.stats();
    expect(stats.started).toBe(2);
    expect(stats.dropped.codec_unavailable).toBe(2);
    expect(stats.exported).toBe(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await provider.shutdown();
  });

  it('works without any WebAssembly global (plain memory stand-in)', async () => {
    const saved = globalThis.WebAssembly;
    let provider: SpanwireTracerProvider;
    try {
      (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
      provider = new SpanwireTracerProvider();
    } finally {
      globalThis.WebAssembly = saved;
    }
    expect(provider.codecError).toMatch(/no WebAssembly/);
    const ids = runSpans(provider, 50);
    expect(new Set(ids).size).toBe(50);
    await provider.forceFlush();
    expect(provider.stats().dropped.codec_unavailable).toBe(100);
    expect(provider.stats().started).toBe(100);
    await provider.shutdown();
  });

  it('does not touch a provider whose codec loads', () => {
    expect(new SpanwireTracerProvider().codecError).toBeUndefined();
  });
});
