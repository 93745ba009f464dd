// Proves spanwire works under a real official instrumentation: @opentelemetry/instrumentation-http traces a
// node:http client request and the server that answers it, and both spans reach the wire as one trace.
import { createRequire } from 'node:module';
import { type AddressInfo, connect } from 'node:net';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { W3CTraceContextPropagator } from '../src/propagation/w3c-trace-context.js';
import { createNodeContextManager } from '../src/runtime/node/async-local-storage-context.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import type { DecodedAnyValue, LocatedSpan } from './support/otlp-decode.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

// The instrumentation patches CommonJS `require('http')`; ESM imports of node:http are not hooked without a
// loader, so the module under test is required after the instrumentation is enabled.
const require = createRequire(import.meta.url);

// OTLP Span.SpanKind numbers on the wire.
const WIRE_SERVER = SpanKind.SERVER + 1;
const WIRE_CLIENT = SpanKind.CLIENT + 1;
// Span.flags: W3C sampled bit, plus bit 8 (has-is-remote) and bit 9 (parent is remote).
const FLAGS_LOCAL_PARENT = 0x101;
const FLAGS_REMOTE_PARENT = 0x301;

type Http = typeof import('node:http');
interface Instrumentation { disable(): void }

function attribute(located: LocatedSpan, key: string): DecodedAnyValue | undefined {
  return located.span.attributes.find((kv) => kv.key === key)?.value;
}

describe('@opentelemetry/instrumentation-http on spanwire', () => {
  const exporter = new WireCaptureExporter();
  const provider = new SpanwireTracerProvider({
    exporter, serviceName: 'http-under-test', batch: { scheduledDelayMs: 60_000 },
  });
  let unregister: () => void = () => {};
  let instrumentation: Instrumentation;
  let http: Http;
  let port = 0;
  let server: import('node:http').Server;
  let seenTraceparent: string | undefined;

  beforeAll(async () => {
    provider.register({ contextManager: createNodeContextManager(), propagator: new W3CTraceContextPropagator() });
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as {
      HttpInstrumentation: new (config?: object) => Instrumentation;
    };
    const { registerInstrumentations } = require('@opentelemetry/instrumentation') as {
      registerInstrumentations: (options: { instrumentations: Instrumentation[] }) => () => void;
    };
    instrumentation = new HttpInstrumentation();
    unregister = registerInstrumentations({ instrumentations: [instrumentation] });
    http = require('http') as Http;
    server = http.createServer((request, response) => {
      seenTraceparent = request.headers.traceparent as string | undefined;
      // The handler runs in the server span's context: the active span is the instrumentation's.
      const active = trace.getActiveSpan();
      response.setHeader('x-active-span', active ? active.spanContext().spanId : 'none');
      response.statusCode = request.url === '/fail' ? 500 : 200;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    unregister();
    instrumentation.disable();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  function get(path: string): Promise<{ status: number; activeSpanId: string; body: string }> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => { body += chunk; });
        response.on('end', () => resolve({
          status: response.statusCode ?? 0, activeSpanId: String(response.headers['x-active-span']), body,
        }));
      });
      request.on('error', reject);
    });
  }

  /** Waits (bounded) until the instrumentation ended both spans of a request, then exports them. */
  async function flushUntil(count: number): Promise<LocatedSpan[]> {
    const deadline = Date.now() + 5000;
    while (provider.stats().ended < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await provider.forceFlush();
    return exporter.decoded();
  }

  it('records a SERVER span whose parent is the CLIENT span, in one trace, with traceparent propagated', async () => {
    exporter.reset();
    const endedBefore = provider.stats().ended;
    const response = await get('/hello?x=1');
    expect(response).toMatchObject({ status: 200, body: 'ok' });
    const spans = await flushUntil(endedBefore + 2);
    const client = spans.find((s) => s.span.kind === WIRE_CLIENT);
    const serverSpan = spans.find((s) => s.span.kind === WIRE_SERVER);
    expect(client, 'client span on the wire').toBeDefined();
    expect(serverSpan, 'server span on the wire').toBeDefined();
    expect(serverSpan!.span.traceId).toBe(client!.span.traceId);
    expect(serverSpan!.span.parentSpanId).toBe(client!.span.spanId);
    expect(client!.span.parentSpanId).toBe('');
    expect(seenTraceparent).toBe(`00-${client!.span.traceId}-${client!.span.spanId}-01`);
    // The server span's parent came through the traceparent header: remote; the client span is a root.
    expect(serverSpan!.span.flags).toBe(FLAGS_REMOTE_PARENT);
    expect(client!.span.flags & 0xff).toBe(1);
    // The request handler saw the server span as the active span (AsyncLocalStorage context).
    expect(response.activeSpanId).toBe(serverSpan!.span.spanId);
    expect(serverSpan!.scope.name).toBe('@opentelemetry/instrumentation-http');
    expect(serverSpan!.scope.version).toMatch(/^0\.\d+\.\d+$/);
    expect(serverSpan!.resource.attributes).toContainEqual({
      key: 'service.name', value: { stringValue: 'http-under-test' },
    });
  });

  it('puts the HTTP semantic-convention attributes on both spans', async () => {
    exporter.reset();
    const endedBefore = provider.stats().ended;
    await get('/attrs?q=2');
    const spans = await flushUntil(endedBefore + 2);
    const client = spans.find((s) => s.span.kind === WIRE_CLIENT)!;
    const serverSpan = spans.find((s) => s.span.kind === WIRE_SERVER)!;
    for (const span of [client, serverSpan]) {
      // Old (v1.7) or stable (v1.23+) semantic conventions, depending on OTEL_SEMCONV_STABILITY_OPT_IN.
      const method = attribute(span, 'http.request.method') ?? attribute(span, 'http.method');
      const status = attribute(span, 'http.response.status_code') ?? attribute(span, 'http.status_code');
      expect(method).toEqual({ stringValue: 'GET' });
      expect(status).toEqual({ intValue: 200n });
    }
    const url = attribute(client, 'url.full') ?? attribute(client, 'http.url');
    expect(url).toEqual({ stringValue: `http://127.0.0.1:${port}/attrs?q=2` });
    const target = attribute(serverSpan, 'url.path') ?? attribute(serverSpan, 'http.target');
    expect(target).toEqual(attribute(serverSpan, 'url.path') ? { stringValue: '/attrs' } : { stringValue: '/attrs?q=2' });
    const serverPort = attribute(client, 'server.port') ?? attribute(client, 'net.peer.port');
    expect(serverPort).toEqual({ intValue: BigInt(port) });
    expect(client.span.status.code).toBe(0);
    expect(serverSpan.span.status.code).toBe(0);
  });

  it('makes the client span a child of the active application span', async () => {
    exporter.reset();
    const endedBefore = provider.stats().ended;
    const tracer = trace.getTracer('app');
    await tracer.startActiveSpan('checkout', async (span) => {
      await get('/child');
      span.end();
    });
    const spans = await flushUntil(endedBefore + 3);
    const app = spans.find((s) => s.span.name === 'checkout')!;
    const client = spans.find((s) => s.span.kind === WIRE_CLIENT)!;
    const serverSpan = spans.find((s) => s.span.kind === WIRE_SERVER)!;
    expect(client.span.parentSpanId).toBe(app.span.spanId);
    expect(client.span.flags).toBe(FLAGS_LOCAL_PARENT);
    expect(serverSpan.span.parentSpanId).toBe(client.span.spanId);
    expect(new Set([app.span.traceId, client.span.traceId, serverSpan.span.traceId]).size).toBe(1);
    const stats = provider.stats();
    expect(stats.started).toBe(stats.exported + stats.droppedTotal + stats.live + stats.queueSize + stats.inFlight
      + stats.endedNotSampled);
  });

  it('continues a remote trace from a traceparent sent by an uninstrumented caller', async () => {
    exporter.reset();
    const endedBefore = provider.stats().ended;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    // A raw socket, so no client span exists and the header reaches the server exactly as written.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end(`GET /remote HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
          `traceparent: 00-${traceId}-${parentId}-01\r\ntracestate: vendor=abc\r\n\r\n`);
      });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => { data += chunk; });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply.startsWith('HTTP/1.1 200')).toBe(true);
    const spans = await flushUntil(endedBefore + 1);
    expect(spans).toHaveLength(1);
    const serverSpan = spans[0]!;
    expect(serverSpan.span.kind).toBe(WIRE_SERVER);
    expect(serverSpan.span.traceId).toBe(traceId);
    expect(serverSpan.span.parentSpanId).toBe(parentId);
    expect(serverSpan.span.traceState).toBe('vendor=abc');
    expect(serverSpan.span.flags).toBe(FLAGS_REMOTE_PARENT);
  });

  it('marks both spans as errors for a 500 response', async () => {
    exporter.reset();
    const endedBefore = provider.stats().ended;
    const response = await get('/fail');
    expect(response.status).toBe(500);
    const spans = await flushUntil(endedBefore + 2);
    const client = spans.find((s) => s.span.kind === WIRE_CLIENT)!;
    const serverSpan = spans.find((s) => s.span.kind === WIRE_SERVER)!;
    expect(serverSpan.span.status.code).toBe(2);
    expect(client.span.status.code).toBe(2);
    const status = attribute(serverSpan, 'http.response.status_code') ?? attribute(serverSpan, 'http.status_code');
    expect(status).toEqual({ intValue: 500n });
  });

  it('records a refused connection on the client span as an ERROR with an exception event', async () => {
    exporter.reset();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const endedBefore = provider.stats().ended;
    const failure = await new Promise<Error>((resolve) => {
      http.get({ host: '127.0.0.1', port: closedPort, path: '/' }).on('error', resolve);
    });
    expect((failure as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    const spans = await flushUntil(endedBefore + 1);
    expect(spans).toHaveLength(1);
    const client = spans[0]!;
    expect(client.span.kind).toBe(WIRE_CLIENT);
    expect(client.span.status).toEqual({ code: 2, message: failure.message });
    const exception = client.span.events.find((e) => e.name === 'exception');
    expect(exception, 'exception event').toBeDefined();
    const exceptionAttributes = Object.fromEntries(exception!.attributes.map((kv) => [kv.key, kv.value]));
    expect(exceptionAttributes['exception.type']).toEqual({ stringValue: 'ECONNREFUSED' });
    expect(exceptionAttributes['exception.message']).toEqual({ stringValue: failure.message });
    expect(exceptionAttributes['exception.stacktrace']).toBeDefined();
  });

  it('keeps 25 concurrent requests apart: each server span is the child of its own client span', async () => {
    exporter.reset();
    const endedBefore = provider.stats().ended;
    const tracer = trace.getTracer('app');
    await Promise.all(Array.from({ length: 25 }, (_, i) => tracer.startActiveSpan(`request-${i}`, async (span) => {
      await get(`/concurrent/${i}`);
      span.end();
    })));
    const spans = await flushUntil(endedBefore + 75);
    expect(spans).toHaveLength(75);
    const byTrace = new Map<string, LocatedSpan[]>();
    for (const located of spans) byTrace.set(located.span.traceId, [...(byTrace.get(located.span.traceId) ?? []), located]);
    expect(byTrace.size).toBe(25);
    for (const trio of byTrace.values()) {
      const app = trio.find((s) => s.span.name.startsWith('request-'))!;
      const client = trio.find((s) => s.span.kind === WIRE_CLIENT)!;
      const serverSpan = trio.find((s) => s.span.kind === WIRE_SERVER)!;
      expect(client.span.parentSpanId).toBe(app.span.spanId);
      expect(serverSpan.span.parentSpanId).toBe(client.span.spanId);
      const path = attribute(serverSpan, 'url.path') ?? attribute(serverSpan, 'http.target');
      expect(path).toEqual({ stringValue: `/concurrent/${app.span.name.slice('request-'.length)}` });
    }
  });
});
