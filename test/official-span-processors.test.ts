// Official SpanProcessors on spanwire (issue 3): sdk-trace-base's SimpleSpanProcessor/BatchSpanProcessor around
// official exporters receive ReadableSpans read from the arena; the official OTLP/HTTP exporter's bytes, decoded
// by the independent oracle, carry the same spans spanwire's own codec sends. Processor failures never reach user
// code.
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor, InMemorySpanExporter as OfficialInMemoryExporter, SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { OfficialSpanProcessor } from '../src/sdk/official-span-processors.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import type { LocatedSpan } from './support/otlp-decode.js';
import { useFakeHttpReceiver } from './support/otlp-fake-receiver.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };

/** One small trace with every span feature: attribute kinds, an event with attributes, a link, status, child. */
function recordTrace(provider: SpanwireTracerProvider): void {
  const tracer = provider.getTracer('official-adapter', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const root = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER, startTime: [1_700_000_000, 123_456_789],
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, ratio: 0.25, ok: true },
    links: [{ context: LINKED, attributes: { 'link.kind': 'follows' } }],
  });
  root.setAttribute('tags', ['a', 'ü', '🎉']);
  root.addEvent('cache.lookup', { 'cache.key': 'orders:1' }, [1_700_000_000, 223_456_789]);
  const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, startTime: [1_700_000_000, 300_000_000] },
    trace.setSpan(ROOT_CONTEXT, root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  child.end([1_700_000_000, 400_000_000]);
  root.setStatus({ code: SpanStatusCode.OK });
  root.end([1_700_000_000, 500_000_000]);
}

/** A located span without what legitimately differs between two encoders of the same span. */
function comparable(located: LocatedSpan): unknown {
  return {
    resource: located.resource, scope: located.scope, scopeSchemaUrl: located.scopeSchemaUrl,
    span: located.span,
  };
}

describe('official SpanProcessors through spanProcessors', () => {
  it('gives a SimpleSpanProcessor ReadableSpans with every field, in end order', async () => {
    const official = new OfficialInMemoryExporter();
    const provider = new SpanwireTracerProvider({
      serviceName: 'adapter', spanProcessors: [new SimpleSpanProcessor(official)],
    });
    recordTrace(provider);
    await provider.forceFlush();
    const [child, root] = official.getFinishedSpans();
    expect(root!.name).toBe('GET /orders/:id');
    expect(root!.kind).toBe(SpanKind.SERVER);
    expect(root!.startTime).toEqual([1_700_000_000, 123_456_789]);
    expect(root!.endTime).toEqual([1_700_000_000, 500_000_000]);
    expect(root!.duration).toEqual([0, 376_543_211]);
    expect(root!.ended).toBe(true);
    expect(root!.attributes).toEqual({
      'http.request.method': 'GET', 'http.response.status_code': 200, ratio: 0.25, ok: true, tags: ['a', 'ü', '🎉'],
    });
    expect(root!.events).toEqual([{
      name: 'cache.lookup', time: [1_700_000_000, 223_456_789], attributes: { 'cache.key': 'orders:1' },
      droppedAttributesCount: 0,
    }]);
    expect(root!.links[0]!.context).toMatchObject(LINKED);
    expect(root!.links[0]!.attributes).toEqual({ 'link.kind': 'follows' });
    expect(root!.status).toEqual({ code: SpanStatusCode.OK });
    expect(root!.parentSpanContext).toBeUndefined();
    expect(root!.resource.attributes['service.name']).toBe('adapter');
    expect(root!.instrumentationScope).toEqual({
      name: 'official-adapter', version: '2.0.0', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    });
    expect(child!.parentSpanContext?.spanId).toBe(root!.spanContext().spanId);
    expect(child!.spanContext().traceId).toBe(root!.spanContext().traceId);
    expect(child!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'timeout' });
    // No spanwire exporter: the official processors consumed the spans, so nothing counts as dropped.
    const stats = provider.stats();
    expect(stats.exported).toBe(2);
    expect(stats.droppedTotal).toBe(0);
    await provider.shutdown();
  });

  describe('the official OTLP/HTTP exporter on spanwire spans', () => {
    const receiver = useFakeHttpReceiver();

    it('sends, decoded by the independent oracle, the same spans as spanwire own codec', async () => {
      const own = new WireCaptureExporter();
      const provider = new SpanwireTracerProvider({
        serviceName: 'adapter', exporter: own,
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: receiver.url }))],
      });
      recordTrace(provider);
      await provider.forceFlush();
      const theirs = receiver.requests.flatMap((r) => r.spans);
      const ours = own.decoded();
      expect(theirs).toHaveLength(2);
      expect(theirs.map(comparable)).toEqual(ours.map(comparable));
      await provider.shutdown();
    });
  });

  it('bounds forceFlush and shutdown by their timeout when a processor never settles', async () => {
    const stuck: OfficialSpanProcessor = {
      onStart() {}, onEnd() {},
      forceFlush: () => new Promise<void>(() => {}),
      shutdown: () => new Promise<void>(() => {}),
    };
    const provider = new SpanwireTracerProvider({ spanProcessors: [stuck], batch: { exportTimeoutMs: 50 } });
    provider.getTracer('t').startSpan('stuck').end();
    await expect(provider.forceFlush(20)).resolves.toBeUndefined();
    await expect(provider.forceFlush()).resolves.toBeUndefined(); // the export timeout (50 ms) bounds it
    await expect(provider.shutdown(20)).resolves.toBeUndefined();
  });

  it('lets onStart and onEnding enrich the span, and survives processors that throw', async () => {
    const own = new WireCaptureExporter();
    const seen: string[] = [];
    const enriching: OfficialSpanProcessor = {
      onStart(span: Span) {
        span.setAttribute('enriched.at', 'start');
      },
      onEnding(span: Span) {
        span.setAttribute('enriched.before', 'end');
      },
      onEnd(span) {
        seen.push(span.name);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const throwing: OfficialSpanProcessor = {
      onStart() { throw new Error('start'); },
      onEnding() { throw new Error('ending'); },
      onEnd() { throw new Error('end'); },
      forceFlush: () => Promise.reject(new Error('flush')),
      shutdown() { throw new Error('shutdown'); },
    };
    const provider = new SpanwireTracerProvider({ exporter: own, spanProcessors: [throwing, enriching] });
    const span = provider.getTracer('t').startSpan('enriched');
    expect(() => span.end()).not.toThrow();
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    expect(seen).toEqual(['enriched']);
    const [sent] = own.decoded();
    expect(sent!.span.attributes.map((kv) => kv.key)).toEqual(['enriched.at', 'enriched.before']);
    await expect(provider.shutdown()).resolves.toBeUndefined();
  });
});
