// Proves spanwire/node register(): OTEL_* variables reach the sampler, limits, resource and propagators, the
// globals (provider, AsyncLocalStorage context, W3C propagation) work through @opentelemetry/api, and
// OTEL_SDK_DISABLED registers nothing. Also keeps VERSION equal to package.json.
import { readFileSync } from 'node:fs';
import { type ProxyTracerProvider, context, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, VERSION } from '../src/index.js';
import { register } from '../src/runtime/node/register.js';
import { useFakeHttpReceiver } from './support/otlp-fake-receiver.js';

/** The compiled thread entry (CI builds dist/ before the tests; vitest itself runs the TS sources). */
const THREAD_URL = new URL('../dist/src/runtime/node/export-thread.js', import.meta.url);

afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('spanwire/node register()', () => {
  it('reads service name, resource attributes, limits and sampler from the environment', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = register({
      exporter, flushOnExit: false,
      env: {
        OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=a%2Cb',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_TRACES_SAMPLER: 'always_on',
      },
    });
    const span = trace.getTracer('t').startSpan('s', { attributes: { a: 1, b: 2, c: 3 } });
    span.end();
    await provider.forceFlush();
    const [finished] = exporter.getFinishedSpans();
    expect(finished!.droppedAttributesCount).toBe(1);
    expect(finished!.resource.attributes).toMatchObject({
      'service.name': 'checkout', 'deployment.environment.name': 'prod', team: 'a,b',
      'telemetry.sdk.name': 'spanwire', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': VERSION,
      'process.pid': process.pid, 'process.runtime.name': 'nodejs',
    });
    expect(finished!.resource.attributes['process.command_args']).toBeUndefined(); // argv may hold secrets
    await provider.shutdown();
  });

  it('installs AsyncLocalStorage context and W3C propagation globally', async () => {
    const provider = register({ exporter: new InMemorySpanExporter(), flushOnExit: false, env: {} });
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(provider);
    const tracer = trace.getTracer('t');
    const carrier: Record<string, string> = {};
    await tracer.startActiveSpan('outer', async (outer) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(trace.getActiveSpan()).toBe(outer); // survived an await and a timer
      propagation.inject(context.active(), carrier);
      outer.end();
    });
    const remote = trace.getSpanContext(propagation.extract(context.active(), carrier));
    expect(remote).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), isRemote: true, traceFlags: 1 });
    expect(carrier.traceparent).toBe(`00-${remote!.traceId}-${remote!.spanId}-01`);
    await provider.shutdown();
  });

  it('uses the default service name unknown_service:<executable> and parentbased_always_on', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = register({ exporter, flushOnExit: false, env: {} });
    const tracer = trace.getTracer('t');
    const unsampledParent = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0, isRemote: true,
    });
    const child = tracer.startSpan('child', {}, trace.setSpan(context.active(), unsampledParent));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    tracer.startSpan('root').end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans()[0]!.resource.attributes['service.name']).toMatch(/^unknown_service(:.+)?$/);
    await provider.shutdown();
  });

  it('registers nothing and records nothing with OTEL_SDK_DISABLED=true', () => {
    const provider = register({ flushOnExit: false, env: { OTEL_SDK_DISABLED: 'true' } });
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).not.toBe(provider);
    expect(provider.getTracer('t').startSpan('s').isRecording()).toBe(false);
  });

  describe('exportThread', () => {
    const receiver = useFakeHttpReceiver();

    for (const compression of ['gzip', 'none'] as const) {
      it(`sends OTLP/HTTP from the exporter's own thread, OTEL_EXPORTER_OTLP_COMPRESSION=${compression}`, async () => {
        receiver.reset();
        const provider = register({
          flushOnExit: false, exportThread: { threadUrl: THREAD_URL },
          env: {
            OTEL_SERVICE_NAME: 'threaded', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
            OTEL_EXPORTER_OTLP_COMPRESSION: compression,
          },
        });
        const tracer = trace.getTracer('t');
        for (let i = 0; i < 3; i++) tracer.startSpan(`s${i}`, { attributes: { i } }).end();
        await provider.forceFlush();
        expect(receiver.requests.length).toBe(1);
        const [request] = receiver.requests;
        expect(request!.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
        expect(request!.spans.map((s) => s.span.name)).toEqual(['s0', 's1', 's2']);
        expect(provider.stats()).toMatchObject({ exported: 3, droppedTotal: 0 });
        await provider.shutdown();
      });
    }
  });

  it('keeps VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
