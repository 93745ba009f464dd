// ThreadpoolGzipTransport (Node): bodies gzipped by node:zlib on the thread pool reach a real loopback OTLP/HTTP
// receiver with Content-Encoding gzip and decode, by the independent oracle, to the spans the exporter encoded;
// bodies already compressed pass through untouched; failures and shutdown follow the wrapped transport.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import type { SendOptions, SendResult, Transport } from '../src/export/transport.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { ThreadpoolGzipTransport } from '../src/runtime/node/threadpool-gzip-transport.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { useFakeHttpReceiver } from './support/otlp-fake-receiver.js';

/** Records what reaches it; answers success. */
class RecordingTransport implements Transport {
  readonly sent: { body: Uint8Array; options: SendOptions }[] = [];
  shutdowns = 0;

  async send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    this.sent.push({ body: body.slice(), options });
    return { status: 'success', response: new Uint8Array(0) };
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}

describe('ThreadpoolGzipTransport', () => {
  const receiver = useFakeHttpReceiver();

  it('delivers gzip bodies compressed off the event loop, decoded equal to what was recorded', async () => {
    const transport = new ThreadpoolGzipTransport(createHttpTransport({ url: receiver.url }));
    const provider = new SpanwireTracerProvider({
      serviceName: 'pool', exporter: new OtlpTraceExporter({ transport, compression: 'none' }),
    });
    const tracer = provider.getTracer('pool-test');
    for (let i = 0; i < 300; i++) tracer.startSpan(`span ${i}`, { attributes: { i, text: 'ü🎉'.repeat(i % 7) } }).end();
    await provider.forceFlush();
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.decodeError).toBeUndefined();
    }
    const spans = receiver.requests.flatMap((r) => r.spans);
    expect(spans.map((s) => s.span.name).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `span ${i}`).sort());
    const sample = spans.find((s) => s.span.name === 'span 13')!;
    expect(sample.span.attributes).toEqual([
      { key: 'i', value: { intValue: 13n } }, { key: 'text', value: { stringValue: 'ü🎉'.repeat(6) } },
    ]);
    expect(provider.stats().exported).toBe(300);
    await provider.shutdown();
  });

  it('compresses at the configured level, passes gzip bodies through, and shuts the inner transport down', async () => {
    const inner = new RecordingTransport();
    const transport = new ThreadpoolGzipTransport(inner, { level: 9 });
    const body = new TextEncoder().encode('otlp '.repeat(1000));
    await transport.send(body, { timeoutMs: 1000, gzip: false });
    const already = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);
    await transport.send(already, { timeoutMs: 1000, gzip: true });
    expect(inner.sent[0]!.options.gzip).toBe(true);
    expect(new TextDecoder().decode(gunzipSync(inner.sent[0]!.body))).toBe('otlp '.repeat(1000));
    expect(inner.sent[0]!.body.length).toBeLessThan(100);
    expect(inner.sent[1]!.body).toEqual(already);
    expect(inner.sent[1]!.options.gzip).toBe(true);
    await transport.shutdown();
    expect(inner.shutdowns).toBe(1);
  });

  it('falls back to level 1 for an invalid level instead of throwing', async () => {
    const inner = new RecordingTransport();
    for (const level of [0, 10, 2.5, Number.NaN]) {
      const result = await new ThreadpoolGzipTransport(inner, { level }).send(new Uint8Array([1, 2, 3]),
        { timeoutMs: 1000, gzip: false });
      expect(result.status).toBe('success');
    }
    expect(inner.sent.map((s) => Array.from(gunzipSync(s.body)))).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);
  });
});
