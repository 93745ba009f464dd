// Proves http/json end to end: OTEL_EXPORTER_OTLP_PROTOCOL=http/json through createOtlpExporterFromEnv, spans
// recorded through the API arrive at a real node:http receiver on 127.0.0.1 as OTLP/JSON (gzip on and off), and
// every span ends delivered or dropped with the right reason: partial success, 503-then-200, failures with JSON
// google.rpc.Status bodies, splitting at the byte bound, oversized spans. No timing asserts; waits are bounded.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readEnvConfig } from '../src/config/env-config.js';
import { OtlpJsonTraceExporter } from '../src/export/otlp-json-trace-exporter.js';
import type { SpanwireExporter } from '../src/export/span-exporter.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { createOtlpExporterFromEnv } from '../src/runtime/node/otlp-exporter-from-env.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';

const FAST_RETRY = { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20 };
/** Epoch ms at or after the time origin, so startTime numbers are read as epoch ms (exact to the ns). */
const BASE_MS = Math.ceil(performance.timeOrigin) + 1000;

/** What the receiver answers one request with (default: 200 and an empty JSON response). */
interface Answer {
  status?: number;
  body?: string;
  contentType?: string;
  retryAfter?: string;
}

interface JsonRequest {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  text: string;
  spans: { spanId: string; name: string; attributes: { key: string; value: Record<string, unknown> }[] }[];
}

/** A node:http OTLP/JSON receiver: gunzips when told, parses strictly as JSON, answers per script. */
class JsonReceiver {
  readonly requests: JsonRequest[] = [];
  script: (index: number) => Answer = () => ({});
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const plain = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
        const parsed = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: JsonRequest['spans'] }[] }[] };
        const spans = parsed.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
        const index = this.requests.length;
        this.requests.push({ headers: req.headers, raw, text, spans });
        const answer = this.script(index);
        const headers: Record<string, string> = { 'content-type': answer.contentType ?? 'application/json' };
        if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
        res.writeHead(answer.status ?? 200, headers);
        res.end(answer.body ?? '{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.script = () => ({});
  }

  get spanIds(): string[] {
    return this.requests.flatMap((request) => request.spans.map((span) => span.spanId));
  }
}

const receiver = new JsonReceiver();
const providers: SpanwireTracerProvider[] = [];

beforeAll(async () => {
  await receiver.start();
});

afterAll(async () => {
  await receiver.close();
});

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown(2000)));
  receiver.reset();
});

function envExporter(env: Record<string, string>): SpanwireExporter {
  const warnings: string[] = [];
  const config = readEnvConfig(env, (message) => warnings.push(message));
  expect(warnings).toEqual([]);
  const exporter = createOtlpExporterFromEnv(config.exporter, { retry: FAST_RETRY });
  expect(exporter).toBeInstanceOf(OtlpJsonTraceExporter);
  return exporter;
}

function providerWith(exporter: SpanwireExporter): SpanwireTracerProvider {
  const provider = new SpanwireTracerProvider({ serviceName: 'json-e2e', exporter, batch: { scheduledDelayMs: 10 } });
  providers.push(provider);
  return provider;
}

/** Records `count` spans (attributes of every kind, an event, an error status on every fifth); returns span ids. */
function emit(provider: SpanwireTracerProvider, count: number, payloadBytes = 0): string[] {
  const tracer = provider.getTracer('json-test', '1.0.0');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`GET /orders/${i}`, {
      kind: SpanKind.SERVER, startTime: BASE_MS + i,
      attributes: {
        'http.route': '/orders/:id', 'http.response.status_code': 200 + i, ratio: i / 3, ok: i % 2 === 0,
        tags: ['a', 'é'], ...(payloadBytes > 0 && { payload: 'p'.repeat(payloadBytes) }),
      },
    }, ROOT_CONTEXT);
    span.addEvent('cache.lookup', { hit: true }, BASE_MS + i);
    if (i % 5 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `boom ${i}` });
    span.end(BASE_MS + i + 2);
    ids.push(span.spanContext().spanId);
  }
  return ids;
}

/** Everything settled: the totals balance and nothing is live, queued or in flight. */
function expectSettled(provider: SpanwireTracerProvider, exported: number, dropped: Record<string, number>): void {
  const s = provider.stats();
  expect({ exported: s.exported, dropped: s.dropped, live: s.live, queueSize: s.queueSize, inFlight: s.inFlight })
    .toEqual({ exported, dropped, live: 0, queueSize: 0, inFlight: 0 });
  expect(s.exported + s.droppedTotal + s.live + s.queueSize + s.inFlight + s.endedNotSampled).toBe(s.started);
  expect(provider.arena.usedSlots).toBe(0);
}

describe('http/json from OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  it.each([
    { compression: 'gzip', encoding: 'gzip' },
    { compression: 'none', encoding: undefined },
  ])('compression $compression: spans arrive as OTLP/JSON, labelled application/json', async ({ compression, encoding }) => {
    const provider = providerWith(envExporter({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_COMPRESSION: compression, OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=team%20j',
    }));
    const ids = emit(provider, 12);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(1);
    const request = receiver.requests[0]!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['content-encoding']).toBe(encoding);
    expect(request.headers['x-tenant']).toBe('team j');
    expect(receiver.spanIds.sort()).toEqual([...ids].sort());
    const first = request.spans.find((span) => span.name === 'GET /orders/0')!;
    expect(first.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: '200' } });
    expect(first.attributes).toContainEqual({ key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'é' }] } } });
    expect(request.text).toContain('"resource":{"attributes":[');
    expect(request.text).toContain('{"key":"service.name","value":{"stringValue":"json-e2e"}}');
    expect(request.text).toContain('"scope":{"name":"json-test","version":"1.0.0"}');
    expectSettled(provider, 12, {});
  });

  it('the OTEL_EXPORTER_OTLP_TRACES_PROTOCOL override picks http/json over a generic grpc', async () => {
    const provider = providerWith(envExporter({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
    }));
    emit(provider, 3);
    await provider.forceFlush();
    expect(receiver.spanIds).toHaveLength(3);
    expectSettled(provider, 3, {});
  });
});

describe('http/json responses and accounting', () => {
  const jsonProvider = (options: Partial<ConstructorParameters<typeof OtlpJsonTraceExporter>[0]> = {}): SpanwireTracerProvider =>
    providerWith(new OtlpJsonTraceExporter({
      transport: createHttpTransport({ url: receiver.url, contentType: 'application/json' }),
      retry: FAST_RETRY, timeoutMs: 3000, ...options,
    }));

  it('partial success {"partialSuccess":{"rejectedSpans":"3",...}}: 3 counted as rejected, the rest exported', async () => {
    receiver.script = () => ({ body: '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"quota exceeded"}}' });
    const provider = jsonProvider();
    emit(provider, 10);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(1);
    expectSettled(provider, 7, { rejected: 3 });
  });

  it('partial success with a number count and only a message: numbers accepted, a message alone rejects nothing', async () => {
    receiver.script = (i) => ({ body: i === 0 ? '{"partialSuccess":{"rejectedSpans":2}}' : '{"partialSuccess":{"errorMessage":"fyi"}}' });
    const provider = jsonProvider({ requestTargetBytes: 1 }); // one span per request
    emit(provider, 4);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(4);
    expectSettled(provider, 3, { rejected: 1 });
  });

  it('503 then 200: retried once, all delivered once', async () => {
    receiver.script = (i) => (i === 0 ? { status: 503, retryAfter: '0' } : {});
    const provider = jsonProvider();
    const ids = emit(provider, 10);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(2);
    expect(receiver.requests[1]!.spans.map((s) => s.spanId).sort()).toEqual([...ids].sort());
    expectSettled(provider, 10, {});
  });

  it('503 every time: retries_exhausted; 400 with a JSON google.rpc.Status: not retried, not_retryable', async () => {
    receiver.script = () => ({ status: 503 });
    const provider = jsonProvider();
    emit(provider, 5);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(3);
    expectSettled(provider, 0, { retries_exhausted: 5 });
    receiver.reset();
    receiver.script = () => ({ status: 400, body: '{"code":3,"message":"bad span","details":[]}' });
    emit(provider, 4);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(1);
    expectSettled(provider, 0, { retries_exhausted: 5, not_retryable: 4 });
  });

  it('splits at the byte bound: several whole JSON requests, every span once; a span over the bound is too_large', async () => {
    const provider = jsonProvider({ requestTargetBytes: 4096, maxRequestBytes: 16 * 1024 });
    const ids = emit(provider, 40, 300);
    await provider.forceFlush();
    expect(receiver.requests.length).toBeGreaterThan(3);
    for (const request of receiver.requests) expect(gunzipSync(request.raw).length).toBeLessThanOrEqual(16 * 1024);
    expect(receiver.spanIds.sort()).toEqual([...ids].sort());
    expectSettled(provider, 40, {});
    receiver.reset();
    const more = emit(provider, 3, 0);
    emit(provider, 1, 20 * 1024);
    await provider.forceFlush();
    expect(receiver.spanIds.sort()).toEqual([...more].sort());
    expectSettled(provider, 43, { too_large: 1 });
  });

  it('large bodies are gzipped in a later macrotask and still arrive whole', async () => {
    const provider = jsonProvider({ requestTargetBytes: 256 * 1024, deferGzipAboveBytes: 1024 });
    const ids = emit(provider, 60, 500);
    await provider.forceFlush();
    expect(receiver.requests.every((request) => request.headers['content-encoding'] === 'gzip')).toBe(true);
    expect(receiver.spanIds.sort()).toEqual([...ids].sort());
    expectSettled(provider, 60, {});
  });

  it('bounded memory: requests over maxPendingBytes are dropped as inflight_limit; after shutdown, shutdown', async () => {
    const provider = jsonProvider({ maxPendingBytes: 100 });
    emit(provider, 5);
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(0);
    expectSettled(provider, 0, { inflight_limit: 5 });
    const exporter = new OtlpJsonTraceExporter({ transport: createHttpTransport({ url: receiver.url, contentType: 'application/json' }) });
    await exporter.shutdown();
    expect(await exporter.export({ arena: provider.arena, slots: new Uint32Array(3), count: 3, timeoutMs: 1000 }))
      .toEqual({ delivered: 0, dropped: 3, dropReason: 'shutdown' });
  });

  it('withKeepalive: one attempt per request (no retry timer may outlive a page), bodies gzipped at once', async () => {
    receiver.script = () => ({ status: 503 });
    const exporter = new OtlpJsonTraceExporter({
      transport: createHttpTransport({ url: receiver.url, contentType: 'application/json' }), retry: FAST_RETRY,
      deferGzipAboveBytes: 1,
    });
    const provider = providerWith(exporter);
    emit(provider, 6);
    await exporter.withKeepalive(() => provider.forceFlush());
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(1);
    expect(receiver.requests[0]!.headers['content-encoding']).toBe('gzip');
    expectSettled(provider, 0, { retries_exhausted: 6 });
  });

  it('over fetch (the transport every runtime has): JSON bodies labelled application/json, gzip on and off', async () => {
    for (const compression of ['gzip', 'none'] as const) {
      receiver.reset();
      const exporter = new OtlpJsonTraceExporter({
        transport: createHttpTransport({ url: receiver.url, contentType: 'application/json', transport: 'fetch' }),
        compression, retry: FAST_RETRY,
      });
      const provider = providerWith(exporter);
      emit(provider, 4);
      await provider.forceFlush();
      expect(receiver.requests.length).toBeGreaterThan(0);
      for (const request of receiver.requests) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
      }
      expect(receiver.spanIds).toHaveLength(4);
      expectSettled(provider, 4, {});
      await provider.shutdown();
    }
  });
});
