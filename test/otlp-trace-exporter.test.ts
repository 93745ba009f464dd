// Proves the OTLP trace exporter end to end against real 127.0.0.1 receivers (HTTP via node:http and fetch, gRPC):
// spans arrive as recorded, each fault ends in the right attempts and drop reason, and the accounting balances under
// seeded random faults. Waits are bounded; the only time checks are server-imposed lower bounds (Retry-After).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchEncoder } from '../src/codec/batch-encoder.js';
import { readEnvConfig } from '../src/config/env-config.js';
import { FetchTransport } from '../src/export/otlp-http-fetch-transport.js';
import { type OtlpExporterOptions, OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import type { RetryPolicy } from '../src/export/retrying-transport.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from '../src/export/span-exporter.js';
import type { SendOptions, SendResult, Transport } from '../src/export/transport.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { createOtlpExporterFromEnv } from '../src/runtime/node/otlp-exporter-from-env.js';
import { GrpcTransport } from '../src/runtime/node/otlp-grpc-transport.js';
import { NodeHttpTransport } from '../src/runtime/node/otlp-http-node-transport.js';
import { type SpanwireOptions, SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import {
  type DecodedKeyValue, type DecodedSpan, decodeExportTraceRequest, encodeGoogleRpcStatus, encodeRetryInfo, listSpans,
} from './support/otlp-decode.js';
import {
  type Fault, type FaultScript, FakeGrpcReceiver, FakeHttpReceiver,
} from './support/otlp-fake-receiver.js';

const SERVICE = 'exporter-e2e';
const SCOPE = 'otlp-exporter-test';
const SCOPE_VERSION = '1.0.0';
const MIB = 1024 * 1024;
/** Small backoffs keep retries fast; three attempts in all. */
const FAST_RETRY: Partial<RetryPolicy> = { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20 };
/** Epoch ms at or after the time origin, so startTime numbers are read as epoch ms (exact to the ns). */
const BASE_MS = Math.ceil(performance.timeOrigin) + 1000;
/** OTLP Span.flags of a sampled root span: W3C sampled bit 0, bit 8 "is-remote known", bit 9 clear. */
const FLAGS_ROOT_SAMPLED = 0x101;
/** OTLP SpanKind of api SpanKind.SERVER (the api enum is the OTLP one minus 1). */
const OTLP_KIND_SERVER = 2;

// ---------------------------------------------------------------------------------------------
// Unhandled rejections fail the test that caused them.
// ---------------------------------------------------------------------------------------------

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

// ---------------------------------------------------------------------------------------------
// Recording spans and what the wire must carry for them.
// ---------------------------------------------------------------------------------------------

interface LiveSpan {
  span: Span;
  expected: DecodedSpan;
  endMs: number;
}

/** Starts spans with known content and keeps, per span id, the DecodedSpan the receiver must see. */
class Recorder {
  readonly expected = new Map<string, DecodedSpan>();
  private n = 0;

  constructor(readonly tracer: Tracer) {}

  /** Starts one span (attributes of every kind, an event on every third, an error status on every fifth). */
  start(bigAttributeBytes = 0): LiveSpan {
    const i = this.n++;
    const startMs = BASE_MS + i;
    const route = `/orders/${i % 9}`;
    const attributes: Record<string, string | number | boolean> = {
      'http.request.method': 'GET',
      'http.route': route,
      'http.response.status_code': 200 + (i % 5),
      'sample.ratio': i / 7 + 0.25,
      'cache.hit': i % 2 === 0,
    };
    const wireAttributes: DecodedKeyValue[] = [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.route', value: { stringValue: route } },
      { key: 'http.response.status_code', value: { intValue: BigInt(200 + (i % 5)) } },
      { key: 'sample.ratio', value: { doubleValue: i / 7 + 0.25 } },
      { key: 'cache.hit', value: { boolValue: i % 2 === 0 } },
    ];
    if (bigAttributeBytes > 0) {
      const payload = `big-${i}-`.padEnd(bigAttributeBytes, 'x');
      attributes['payload'] = payload;
      wireAttributes.push({ key: 'payload', value: { stringValue: payload } });
    }
    const name = `GET ${route}`;
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: startMs, attributes }, ROOT_CONTEXT);
    const events: DecodedSpan['events'] = [];
    if (i % 3 === 0) {
      span.addEvent('retry', { 'attempt.n': i % 4 }, startMs + 1);
      events.push({
        timeUnixNano: BigInt(startMs + 1) * 1_000_000n, name: 'retry',
        attributes: [{ key: 'attempt.n', value: { intValue: BigInt(i % 4) } }], droppedAttributesCount: 0,
      });
    }
    const status = i % 5 === 0 ? { code: 2, message: `boom ${i}` } : { code: 0, message: '' };
    if (i % 5 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `boom ${i}` });
    const context = span.spanContext();
    const expected: DecodedSpan = {
      traceId: context.traceId, spanId: context.spanId, traceState: '', parentSpanId: '', flags: FLAGS_ROOT_SAMPLED,
      name, kind: OTLP_KIND_SERVER,
      startTimeUnixNano: BigInt(startMs) * 1_000_000n, endTimeUnixNano: BigInt(startMs + 2) * 1_000_000n,
      attributes: wireAttributes, droppedAttributesCount: 0, events, droppedEventsCount: 0, links: [],
      droppedLinksCount: 0, status,
    };
    this.expected.set(context.spanId, expected);
    return { span, expected, endMs: startMs + 2 };
  }

  end(live: LiveSpan): string {
    live.span.end(live.endMs);
    return live.expected.spanId;
  }

  /** Starts and ends `count` spans; returns their span ids in order. */
  emit(count: number, bigAttributeBytes = 0): string[] {
    const ids: string[] = [];
    for (let k = 0; k < count; k++) ids.push(this.end(this.start(bigAttributeBytes)));
    return ids;
  }
}

type Receiver = FakeHttpReceiver | FakeGrpcReceiver;

/** Each id was accepted by the receiver, with exactly the recorded content, resource and scope. */
function expectReceivedAsRecorded(receiver: Receiver, recorder: Recorder, ids: Iterable<string>): void {
  for (const id of ids) {
    const got = receiver.accepted.get(id);
    expect(got, `span ${id} not accepted`).toBeDefined();
    expect(got!.span).toEqual(recorder.expected.get(id));
    expect(got!.scope).toMatchObject({ name: SCOPE, version: SCOPE_VERSION });
    expect(got!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: SERVICE } });
  }
}

function expectBalanced(provider: SpanwireTracerProvider, step = ''): void {
  const s = provider.stats();
  const accounted = s.exported + s.droppedTotal + s.live + s.queueSize + s.inFlight + s.endedNotSampled;
  expect(accounted, `${step} ${JSON.stringify(s)}`).toBe(s.started);
}

/** Everything settled: the totals balance and nothing is live, queued or in flight. */
function expectSettled(provider: SpanwireTracerProvider, exported: number, dropped: Record<string, number>): void {
  const s = provider.stats();
  expect({ exported: s.exported, dropped: s.dropped, live: s.live, queueSize: s.queueSize, inFlight: s.inFlight })
    .toEqual({ exported, dropped, live: 0, queueSize: 0, inFlight: 0 });
  expectBalanced(provider);
  expect(provider.arena.usedSlots, 'arena slots still held').toBe(0);
}

/**
 * Flushes until nothing is queued or in flight (at most 50 rounds). One forceFlush() should do; see the BUG test
 * 'forceFlush resolves only once every queued span was exported', which is why a loop is needed for now.
 */
async function flushAll(provider: SpanwireTracerProvider): Promise<void> {
  await provider.forceFlush();
  for (let i = 0; i < 50; i++) {
    const s = provider.stats();
    if (s.queueSize === 0 && s.inFlight === 0) return;
    await provider.forceFlush();
  }
}

/** Polls `check` every 5 ms; throws after `limitMs` (an upper bound for slow machines, not a timing assert). */
async function eventually(check: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Whether `promise` settles within `limitMs` (a waiting bound). */
async function settlesWithin(promise: Promise<unknown>, limitMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), limitMs); });
  const result = await Promise.race([promise.then(() => true), bound]);
  clearTimeout(timer);
  return result;
}

/** Decorates a transport and keeps every SendResult the exporter saw (the client side of the attempts). */
class RecordingTransport implements Transport {
  readonly results: SendResult[] = [];
  readonly options: SendOptions[] = [];

  constructor(readonly inner: Transport) {}

  async send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    this.options.push(options);
    const result = await this.inner.send(body, options);
    this.results.push(result);
    return result;
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * Hands the exporter a private copy of the batch's slot list and restores arena.batchSlots afterwards: isolates the
 * exporter's split and accounting logic from the slot-list aliasing BUG (see 'a batch split after its first chunk').
 */
class SlotCopyingExporter implements SpanwireExporter {
  constructor(readonly inner: OtlpTraceExporter) {}

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    const copy = batch.slots.slice(0, batch.count);
    try {
      return this.inner.export({ arena: batch.arena, slots: copy, count: batch.count });
    } finally {
      batch.slots.set(copy);
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// Pipelines, receivers and cleanup.
// ---------------------------------------------------------------------------------------------

const http = new FakeHttpReceiver();
const grpcReceiver = new FakeGrpcReceiver();
const providers: SpanwireTracerProvider[] = [];

interface Pipeline {
  provider: SpanwireTracerProvider;
  exporter: OtlpTraceExporter;
  recorder: Recorder;
}

function pipelineWith(exporter: SpanwireExporter, options: SpanwireOptions = {}): Pipeline {
  const provider = new SpanwireTracerProvider({
    serviceName: SERVICE, ...options, exporter, batch: { scheduledDelayMs: 10, ...options.batch },
  });
  providers.push(provider);
  return { provider, exporter: exporter as OtlpTraceExporter, recorder: new Recorder(provider.getTracer(SCOPE, SCOPE_VERSION)) };
}

function pipeline(transport: Transport, exporterOptions: Partial<OtlpExporterOptions> = {}, options: SpanwireOptions = {}): Pipeline {
  const exporter = new OtlpTraceExporter({ transport, retry: FAST_RETRY, timeoutMs: 3000, ...exporterOptions });
  return pipelineWith(exporter, options);
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  await http.start();
  await grpcReceiver.start();
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await http.close();
  await grpcReceiver.close();
});

afterEach(async () => {
  http.release();
  grpcReceiver.release();
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown(2000)));
  http.reset();
  grpcReceiver.reset();
  // Give late rejections a macrotask to surface before the check.
  await sleep(1);
  expect(unhandled).toEqual([]);
});

/** Every request the receiver saw decoded cleanly with the oracle. */
function expectCleanDecodes(receiver: Receiver): void {
  expect(receiver.requests.map((request) => request.decodeError)).toEqual(receiver.requests.map(() => undefined));
}

/** Ten spans through a receiver running the case's fault script end in the case's attempts, deliveries and drops. */
async function expectFaultCaseOutcome(
  receiver: Receiver, { provider, recorder }: Pipeline, faultCase: FaultCase,
): Promise<void> {
  receiver.script = faultCase.script;
  const ids = recorder.emit(10);
  await provider.forceFlush();
  expect(receiver.attempts).toBe(faultCase.attempts);
  expectCleanDecodes(receiver);
  // Every attempt carries the same ten spans, as recorded.
  for (const request of receiver.requests) {
    expect(request.spans.map((located) => located.span)).toEqual(ids.map((id) => recorder.expected.get(id)));
  }
  expectReceivedAsRecorded(receiver, recorder, ids.slice(0, faultCase.exported));
  expect(receiver.accepted.size).toBe(faultCase.exported);
  expect(receiver.duplicates).toEqual([]);
  expectSettled(provider, faultCase.exported, faultCase.dropped);
}

/** Ten spans whose first attempt the receiver told to wait: the one retry comes no sooner than `minGapMs` later. */
async function expectRetryWaited(
  receiver: Receiver, { provider, recorder }: Pipeline, minGapMs: number,
): Promise<void> {
  const ids = recorder.emit(10);
  await provider.forceFlush();
  expect(receiver.attempts).toBe(2);
  // The retry must not come before the server allowed it (a lower bound with a timer-granularity margin).
  expect(receiver.requests[1]!.arrivedMs - receiver.requests[0]!.arrivedMs).toBeGreaterThanOrEqual(minGapMs);
  expectReceivedAsRecorded(receiver, recorder, ids);
  expectSettled(provider, 10, {});
}

/**
 * Three spans delivered, the receiver stopped, seven more refused at least once (`refusal`), the receiver started
 * again on the same port: the exporter's retries deliver all ten, in two accepted requests.
 */
async function expectDeliveredAcrossRestart(
  receiver: Receiver, transport: RecordingTransport, exporterOptions: Partial<OtlpExporterOptions>, refusal: string,
): Promise<void> {
  const { provider, recorder } = pipeline(transport, exporterOptions);
  const before = recorder.emit(3);
  await provider.forceFlush(); // over HTTP a kept-alive connection now exists
  await receiver.stop();
  const after = recorder.emit(7);
  const flushing = provider.forceFlush();
  await eventually(() => transport.results.some((result) => result.status === 'retryable'), refusal);
  await receiver.start();
  await flushing;
  expect(transport.results.at(-1)!.status).toBe('success');
  expect(receiver.attempts).toBe(2);
  expectReceivedAsRecorded(receiver, recorder, [...before, ...after]);
  expectSettled(provider, 10, {});
}

// ---------------------------------------------------------------------------------------------
// OTLP/HTTP: node:http (createHttpTransport's default) and fetch, one behaviour.
// ---------------------------------------------------------------------------------------------

interface HttpKind {
  name: string;
  make(url: string): Transport;
}

const HTTP_KINDS: HttpKind[] = [
  { name: 'node:http', make: (url) => createHttpTransport({ url }) },
  { name: 'fetch', make: (url) => createHttpTransport({ url, transport: 'fetch' }) },
];

/** One fault case: what the receiver does, and what the exporter must end with for a batch of 10 spans. */
interface FaultCase {
  name: string;
  script: FaultScript;
  attempts: number;
  exported: number;
  dropped: Record<string, number>;
  exporter?: Partial<OtlpExporterOptions>;
}

const first = (fault: Fault): FaultScript => (index) => (index === 0 ? fault : {});
const always = (fault: Fault): FaultScript => () => fault;

const HTTP_CASES: FaultCase[] = [
  { name: '503 once, then 200: retried once, all delivered', script: first({ status: 503 }), attempts: 2, exported: 10, dropped: {} },
  { name: '502 and 504 then 200: retried, all delivered',
    script: (i) => (i === 0 ? { status: 502 } : i === 1 ? { status: 504 } : {}), attempts: 3, exported: 10, dropped: {} },
  { name: '503 every time: maxAttempts requests, then retries_exhausted', script: always({ status: 503 }),
    attempts: 3, exported: 0, dropped: { retries_exhausted: 10 } },
  { name: '429 with Retry-After beyond the export timeout: one request, export_timeout',
    script: always({ status: 429, retryAfter: '3600' }), attempts: 1, exported: 0, dropped: { export_timeout: 10 } },
  { name: '503 with a google.rpc.Status RetryInfo body beyond the timeout: one request, export_timeout',
    script: always({ status: 503, rpcStatus: encodeGoogleRpcStatus({ code: 14, message: 'later', details: [encodeRetryInfo(3_600_000)] }) }),
    attempts: 1, exported: 0, dropped: { export_timeout: 10 } },
  { name: '400 with a google.rpc.Status: not retried, not_retryable',
    script: always({ status: 400, rpcStatus: encodeGoogleRpcStatus({ code: 3, message: 'bad span' }) }),
    attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: '500: not retried, not_retryable', script: always({ status: 500 }), attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: '413: not retried, not_retryable', script: always({ status: 413 }), attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: '401 and 404 are failures too', script: (i) => (i === 0 ? { status: 401 } : { status: 404 }),
    attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: 'partial success rejecting 3: 7 exported, 3 rejected, not retried',
    script: always({ partial: { rejectedSpans: 3, errorMessage: '3 spans too old' } }), attempts: 1, exported: 7, dropped: { rejected: 3 } },
  { name: 'partial success rejecting more than were sent: all 10 rejected, never a negative export',
    script: always({ partial: { rejectedSpans: 25, errorMessage: 'quota' } }), attempts: 1, exported: 0, dropped: { rejected: 10 } },
  { name: 'partial success with 0 rejected and a message: all delivered',
    script: always({ partial: { rejectedSpans: 0, errorMessage: 'fine, but slow down' } }), attempts: 1, exported: 10, dropped: {} },
  { name: 'partial success with a negative rejected count (int64 -1): nothing rejected, all delivered',
    script: always({ partial: { rejectedSpans: -1, errorMessage: 'odd' } }), attempts: 1, exported: 10, dropped: {} },
  { name: '200 with a body that is not protobuf: success, all delivered', script: always({ responseBody: Uint8Array.of(0xff, 0xff, 0x07) }),
    attempts: 1, exported: 10, dropped: {} },
  { name: 'answer slower than timeoutMs: the one attempt uses the whole budget, export_timeout',
    script: always({ delayMs: 1200 }), attempts: 1, exported: 0, dropped: { export_timeout: 10 }, exporter: { timeoutMs: 300 } },
  { name: 'answer a little slow but inside timeoutMs: delivered', script: always({ delayMs: 60 }), attempts: 1, exported: 10, dropped: {} },
  { name: 'connection reset once: retried, delivered once', script: first({ reset: true }), attempts: 2, exported: 10, dropped: {} },
  { name: 'connection reset every time: retries_exhausted', script: always({ reset: true }),
    attempts: 3, exported: 0, dropped: { retries_exhausted: 10 } },
  { name: '200 with a body over 4 MiB: a failure, not retried', script: always({ responseBytes: 4 * MIB + 1 }),
    attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
];

describe.each(HTTP_KINDS)('OTLP/HTTP over $name', (kind) => {
  it('delivers every span field by field, gzipped (Content-Encoding gzip, node:zlib inflates it)', async () => {
    const { provider, recorder } = pipeline(kind.make(http.url), { compression: 'gzip' });
    const ids = recorder.emit(25);
    await provider.forceFlush();
    expect(http.attempts).toBe(1);
    const request = http.requests[0]!;
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.body).toEqual(new Uint8Array(gunzipSync(request.raw)));
    expect(request.raw.length).toBeLessThan(request.body.length);
    expectCleanDecodes(http);
    expectReceivedAsRecorded(http, recorder, ids);
    expect(http.accepted.size).toBe(25);
    expectSettled(provider, 25, {});
    expect(provider.stats().bytesSent).toBe(request.raw.length);
  });

  it('delivers uncompressed bodies with compression none (no Content-Encoding)', async () => {
    const { provider, recorder } = pipeline(kind.make(http.url), { compression: 'none' });
    const ids = recorder.emit(12);
    await provider.forceFlush();
    const request = http.requests[0]!;
    expect(request.headers['content-encoding']).toBeUndefined();
    expect(request.raw).toEqual(request.body);
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 12, {});
  });

  it('gzips large bodies in a later macrotask and they still inflate to the recorded spans', async () => {
    const { provider, recorder } = pipeline(kind.make(http.url), { compression: 'gzip', deferGzipAboveBytes: 1 });
    const ids = recorder.emit(40);
    await provider.forceFlush();
    expect(http.requests[0]!.headers['content-encoding']).toBe('gzip');
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 40, {});
  });

  it.each(HTTP_CASES)('$name', async (faultCase) => {
    await expectFaultCaseOutcome(http, pipeline(kind.make(http.url), faultCase.exporter ?? {}), faultCase);
  });

  // An HTTP-date has whole seconds: two seconds ahead is at least one second from now (hence 950 ms for both).
  it.each([
    ['waits out Retry-After in seconds before the next attempt (429)', first({ status: 429, retryAfter: '1' })],
    ['waits out Retry-After as an HTTP-date before the next attempt (503)',
      (index: number): Fault => (index === 0
        ? { status: 503, retryAfter: new Date(Date.now() + 2000).toUTCString() } : {})],
  ] as const)('%s', async (_name, script) => {
    http.script = script;
    await expectRetryWaited(http, pipeline(kind.make(http.url)), 950);
  });

  it('delivers across a receiver that goes down and comes back on the same port', async () => {
    await expectDeliveredAcrossRestart(http, new RecordingTransport(kind.make(http.url)), {
      retry: { maxAttempts: 100, initialBackoffMs: 20, maxBackoffMs: 50 }, timeoutMs: 8000,
    }, 'a refused attempt');
  });
});

describe('OTLP/HTTP transport selection', () => {
  it('createHttpTransport picks node:http by default and fetch on request', () => {
    expect(createHttpTransport({ url: http.url })).toBeInstanceOf(NodeHttpTransport);
    expect(createHttpTransport({ url: http.url, transport: 'fetch' })).toBeInstanceOf(FetchTransport);
  });
});

// ---------------------------------------------------------------------------------------------
// OTLP/gRPC.
// ---------------------------------------------------------------------------------------------

function grpcTransport(compression: 'gzip' | 'none' = 'none'): GrpcTransport {
  return new GrpcTransport({ url: grpcReceiver.url, compression });
}

const GRPC_CASES: FaultCase[] = [
  { name: 'UNAVAILABLE once, then OK: retried once, delivered', script: first({ code: grpc.status.UNAVAILABLE }),
    attempts: 2, exported: 10, dropped: {} },
  { name: 'UNAVAILABLE every time: maxAttempts calls, then retries_exhausted', script: always({ code: grpc.status.UNAVAILABLE }),
    attempts: 3, exported: 0, dropped: { retries_exhausted: 10 } },
  { name: 'ABORTED, DATA_LOSS then OK: retried, delivered',
    script: (i) => (i === 0 ? { code: grpc.status.ABORTED } : i === 1 ? { code: grpc.status.DATA_LOSS } : {}),
    attempts: 3, exported: 10, dropped: {} },
  { name: 'RESOURCE_EXHAUSTED without RetryInfo: not retried, not_retryable',
    script: always({ code: grpc.status.RESOURCE_EXHAUSTED }), attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: 'RESOURCE_EXHAUSTED with RetryInfo once: retried, delivered',
    script: first({ code: grpc.status.RESOURCE_EXHAUSTED, retryDelayMs: 10 }), attempts: 2, exported: 10, dropped: {} },
  { name: 'RESOURCE_EXHAUSTED with RetryInfo beyond the export timeout: one call, export_timeout',
    script: always({ code: grpc.status.RESOURCE_EXHAUSTED, retryDelayMs: 3_600_000 }),
    attempts: 1, exported: 0, dropped: { export_timeout: 10 } },
  { name: 'INVALID_ARGUMENT: not retried, not_retryable', script: always({ code: grpc.status.INVALID_ARGUMENT }),
    attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: 'INTERNAL and UNAUTHENTICATED are failures', script: (i) => ({ code: i === 0 ? grpc.status.INTERNAL : grpc.status.UNAUTHENTICATED }),
    attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
  { name: 'partial success rejecting 4: 6 exported, 4 rejected',
    script: always({ partial: { rejectedSpans: 4, errorMessage: 'late' } }), attempts: 1, exported: 6, dropped: { rejected: 4 } },
  { name: 'answer slower than the deadline: DEADLINE_EXCEEDED uses the budget, export_timeout',
    script: always({ delayMs: 1200 }), attempts: 1, exported: 0, dropped: { export_timeout: 10 }, exporter: { timeoutMs: 300 } },
  { name: 'response message over 4 MiB: a failure, not retried', script: always({ responseBytes: 4 * MIB + 16 }),
    attempts: 1, exported: 0, dropped: { not_retryable: 10 } },
];

describe('OTLP/gRPC over grpc-js', () => {
  it.each(['gzip', 'none'] as const)('delivers every span field by field with channel compression %s', async (compression) => {
    const { provider, recorder } = pipeline(grpcTransport(compression), { compression: 'none' });
    const ids = recorder.emit(25);
    await provider.forceFlush();
    expect(grpcReceiver.attempts).toBe(1);
    expect(grpcReceiver.requests[0]!.headers['user-agent']).toMatch(/^spanwire\//);
    expectCleanDecodes(grpcReceiver);
    expectReceivedAsRecorded(grpcReceiver, recorder, ids);
    expectSettled(provider, 25, {});
  });

  it.each(GRPC_CASES)('$name', async (faultCase) => {
    const exporterOptions: Partial<OtlpExporterOptions> = { compression: 'none', ...faultCase.exporter };
    await expectFaultCaseOutcome(grpcReceiver, pipeline(grpcTransport(), exporterOptions), faultCase);
  });

  it('waits out RetryInfo before retrying RESOURCE_EXHAUSTED', async () => {
    grpcReceiver.script = first({ code: grpc.status.RESOURCE_EXHAUSTED, retryDelayMs: 400 });
    await expectRetryWaited(grpcReceiver, pipeline(grpcTransport(), { compression: 'none' }), 350);
  });

  it('delivers across a receiver that goes down and comes back on the same port', async () => {
    await expectDeliveredAcrossRestart(grpcReceiver, new RecordingTransport(grpcTransport()), {
      compression: 'none', retry: { maxAttempts: 200, initialBackoffMs: 20, maxBackoffMs: 100 }, timeoutMs: 10_000,
    }, 'an UNAVAILABLE attempt');
  });

  it('an exporter left at compression gzip over gRPC sends nothing and counts every span not_retryable', async () => {
    // GrpcTransport refuses pre-compressed bodies (grpc-js compresses itself); the spans are counted, not lost silently.
    const { provider, recorder } = pipeline(grpcTransport());
    recorder.emit(5);
    await provider.forceFlush();
    expect(grpcReceiver.attempts).toBe(0);
    expectSettled(provider, 0, { not_retryable: 5 });
  });
});

// ---------------------------------------------------------------------------------------------
// Bounds: too large, in-flight limits, flush and shutdown.
// ---------------------------------------------------------------------------------------------

describe('bounds and life cycle', () => {
  it('drops a span bigger than capacity.batchBytes as too_large and delivers the spans after it', async () => {
    const exporter = new OtlpTraceExporter({ transport: createHttpTransport({ url: http.url }), retry: FAST_RETRY });
    const { provider, recorder } = pipelineWith(new SlotCopyingExporter(exporter), { capacity: { batchBytes: 8192 } });
    const big = recorder.emit(1, 20_000);
    const small = recorder.emit(5);
    await provider.forceFlush();
    expectCleanDecodes(http);
    expect(http.allSpans().map((located) => located.span.spanId)).toEqual(small);
    expectReceivedAsRecorded(http, recorder, small);
    expect(http.accepted.has(big[0]!)).toBe(false);
    expectSettled(provider, 5, { too_large: 1 });
  });

  // Regression guard: this case once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it('a batch split into several requests frees every arena slot', async () => {
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), { compression: 'none' },
      { capacity: { batchBytes: 4096 } });
    const ids = recorder.emit(20);
    await provider.forceFlush();
    expect(http.attempts).toBeGreaterThan(1);
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 20, {});
  });

  // Regression guard: this case once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it('a batch split after its first chunk sends each span once, drops only the oversized one, frees every slot', async () => {
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), {}, { capacity: { batchBytes: 8192 } });
    const before = recorder.emit(3);
    const big = recorder.emit(1, 20_000);
    const after = recorder.emit(3);
    await provider.forceFlush();
    expect(http.allSpans().map((located) => located.span.spanId).sort()).toEqual([...before, ...after].sort());
    expect(http.duplicates).toEqual([]);
    expectReceivedAsRecorded(http, recorder, [...before, ...after]);
    expect(http.accepted.has(big[0]!)).toBe(false);
    expectSettled(provider, 6, { too_large: 1 });
  });

  it('with a private slot list, a batch split many times sends each span once and drops only the oversized ones', async () => {
    // 2 KiB requests: the 38 small spans need several (parts gather up to requestTargetBytes, never batchBytes).
    const exporter = new OtlpTraceExporter({
      transport: createHttpTransport({ url: http.url }), retry: FAST_RETRY, maxConcurrentRequests: 64, requestTargetBytes: 2048,
    });
    const { provider, recorder } = pipelineWith(new SlotCopyingExporter(exporter), { capacity: { batchBytes: 8192 } });
    const small = [...recorder.emit(3), ...recorder.emit(1, 20_000), ...recorder.emit(30), ...recorder.emit(1, 9000), ...recorder.emit(4)];
    const bigIds = [small[3]!, small[34]!];
    const expected = small.filter((id) => !bigIds.includes(id));
    await provider.forceFlush();
    expect(http.attempts).toBeGreaterThan(2);
    expect(http.allSpans().map((located) => located.span.spanId).sort()).toEqual([...expected].sort());
    expect(http.duplicates).toEqual([]);
    expectReceivedAsRecorded(http, recorder, expected);
    expectSettled(provider, expected.length, { too_large: 2 });
  });

  it('splits a batch over batchBytes into several requests, each under it, and delivers all', async () => {
    const exporter = new OtlpTraceExporter({ transport: createHttpTransport({ url: http.url }), retry: FAST_RETRY, compression: 'none' });
    const { provider, recorder } = pipelineWith(new SlotCopyingExporter(exporter), { capacity: { batchBytes: 4096 } });
    const ids = recorder.emit(20);
    await provider.forceFlush();
    expect(http.attempts).toBeGreaterThan(1);
    for (const request of http.requests) expect(request.body.length).toBeLessThanOrEqual(4096);
    expect(http.allSpans().map((located) => located.span.spanId)).toEqual(ids);
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 20, {});
  });

  // Regression guard: this case once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it('delivers a batch that splits into more requests than maxConcurrentRequests to an idle receiver', async () => {
    const exporter = new OtlpTraceExporter({ transport: createHttpTransport({ url: http.url }), retry: FAST_RETRY, compression: 'none' });
    const { provider, recorder } = pipelineWith(new SlotCopyingExporter(exporter),
      { capacity: { batchBytes: 2048 }, batch: { maxExportBatchSize: 64 } });
    const ids = recorder.emit(64);
    await provider.forceFlush();
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 64, {});
  });

  // Regression guard: this case once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it('forceFlush resolves only once every queued span was exported, and shutdown drops nothing', async () => {
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), {},
      { capacity: { spans: 8192 }, batch: { maxQueueSize: 4096, scheduledDelayMs: 60_000 } });
    recorder.emit(4096);
    await provider.forceFlush();
    expect(provider.stats()).toMatchObject({ queueSize: 0, inFlight: 0, exported: 4096 });
    recorder.emit(4096);
    await provider.shutdown();
    expect(http.accepted.size).toBe(8192);
    expectSettled(provider, 8192, {});
  }, 20_000); // 8192 spans decoded by the oracle in-process: ~3 s alone, past 5 s on a loaded machine

  it('drops a batch as inflight_limit while maxConcurrentRequests requests are stalled, and delivers the stalled one', async () => {
    http.script = always({ stall: true });
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), { maxConcurrentRequests: 1 },
      { batch: { maxExportBatchSize: 5, maxConcurrentExports: 2 } });
    const ids = recorder.emit(10);
    await eventually(() => http.stalledCount === 1 && provider.stats().droppedTotal === 5, 'one stalled request, one dropped batch');
    expect(provider.stats()).toMatchObject({ inFlight: 5, dropped: { inflight_limit: 5 }, exported: 0 });
    expectBalanced(provider, 'stalled');
    http.release();
    await provider.forceFlush();
    expect(http.attempts).toBe(1);
    expectReceivedAsRecorded(http, recorder, ids.slice(0, 5));
    expect(http.accepted.size).toBe(5);
    expectSettled(provider, 5, { inflight_limit: 5 });
  });

  // Regression guard: this case once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it('counts spans as the receiver saw them when the batch export timeout is shorter than the exporter timeout', async () => {
    http.script = always({ delayMs: 600 });
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), { timeoutMs: 3000 },
      { batch: { exportTimeoutMs: 200 } });
    recorder.emit(10);
    await provider.forceFlush();
    await eventually(() => http.requests.length === 1 && http.stalledCount === 0, 'the slow answer');
    await sleep(700);
    expect(provider.stats().exported).toBe(http.accepted.size);
    expectBalanced(provider);
  });

  it('drops every batch as inflight_limit when one body exceeds maxPendingBytes, sending nothing', async () => {
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), { maxPendingBytes: 64 });
    recorder.emit(10);
    await provider.forceFlush();
    expect(http.attempts).toBe(0);
    expectSettled(provider, 0, { inflight_limit: 10 });
  });

  it('forceFlush waits for a stalled export, never rejects, and the spans count once it is answered', async () => {
    http.script = first({ stall: true });
    const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }));
    const ids = recorder.emit(6);
    const flushing = provider.forceFlush();
    await eventually(() => http.stalledCount === 1, 'the stalled request');
    expect(await settlesWithin(flushing, 100)).toBe(false);
    expect(provider.stats()).toMatchObject({ inFlight: 6, exported: 0 });
    expectBalanced(provider, 'in flight');
    http.release();
    await expect(flushing).resolves.toBeUndefined();
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 6, {});
  });

  it('shutdown waits for in-flight exports, then drops later exports as shutdown; it never rejects', async () => {
    grpcReceiver.script = first({ stall: true });
    const exporter = new OtlpTraceExporter({ transport: grpcTransport(), compression: 'none', retry: FAST_RETRY, timeoutMs: 5000 });
    const a = pipelineWith(exporter);
    const ids = a.recorder.emit(4);
    await eventually(() => grpcReceiver.stalledCount === 1, 'the stalled call');
    const shutting = a.provider.shutdown();
    expect(await settlesWithin(shutting, 100)).toBe(false);
    grpcReceiver.release();
    await expect(shutting).resolves.toBeUndefined();
    expectReceivedAsRecorded(grpcReceiver, a.recorder, ids);
    expectSettled(a.provider, 4, {});
    // The same (now shut down) exporter behind a second provider: its batches are counted as 'shutdown'.
    const b = pipelineWith(exporter);
    b.recorder.emit(3);
    await b.provider.forceFlush();
    expect(grpcReceiver.attempts).toBe(1);
    expectSettled(b.provider, 0, { shutdown: 3 });
    await expect(a.provider.shutdown()).resolves.toBeUndefined();
    await expect(a.provider.forceFlush()).resolves.toBeUndefined();
  });

  // Regression guard (both): these cases once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it.each(['forceFlush', 'shutdown'] as const)('%s(timeoutMs) returns within timeoutMs while a request is stalled',
    async (method) => {
      http.script = always({ stall: true });
      const { provider, recorder } = pipeline(createHttpTransport({ url: http.url }), { timeoutMs: 4000 });
      recorder.emit(3);
      await eventually(() => http.stalledCount === 1, 'the stalled request');
      expect(await settlesWithin(provider[method](100), 1500)).toBe(true);
    });
});

// ---------------------------------------------------------------------------------------------
// From the environment (createOtlpExporterFromEnv(readEnvConfig(...).exporter)).
// ---------------------------------------------------------------------------------------------

describe('exporter from OTEL_EXPORTER_OTLP_* variables', () => {
  const envExporter = (env: Record<string, string>): ReturnType<typeof createOtlpExporterFromEnv> => {
    const warnings: string[] = [];
    const config = readEnvConfig(env, (message) => warnings.push(message));
    expect(warnings).toEqual([]);
    return createOtlpExporterFromEnv(config.exporter, { retry: FAST_RETRY });
  };

  it.each([
    { compression: 'gzip', encoding: 'gzip' },
    { compression: 'none', encoding: undefined },
    { compression: undefined, encoding: 'gzip' },
  ])('http/protobuf with compression $compression: the receiver inflates and decodes what arrives', async ({ compression, encoding }) => {
    const env: Record<string, string> = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: http.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=team%20a',
    };
    if (compression !== undefined) env['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION'] = compression;
    const { provider, recorder } = pipelineWith(envExporter(env));
    const ids = recorder.emit(15);
    await provider.forceFlush();
    expect(http.attempts).toBe(1);
    expect(http.requests[0]!.headers['content-encoding']).toBe(encoding);
    expect(http.requests[0]!.headers['x-tenant']).toBe('team a');
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 15, {});
  });

  it('the generic endpoint gets /v1/traces appended', async () => {
    const { provider, recorder } = pipelineWith(envExporter({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${http.port}` }));
    const ids = recorder.emit(3);
    await provider.forceFlush();
    expectReceivedAsRecorded(http, recorder, ids);
    expectSettled(provider, 3, {});
  });

  it.each(['gzip', 'none'])('grpc with compression %s: delivered field by field, retries honoured', async (compression) => {
    grpcReceiver.script = first({ code: grpc.status.UNAVAILABLE });
    const { provider, recorder } = pipelineWith(envExporter({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: grpcReceiver.url,
      OTEL_EXPORTER_OTLP_COMPRESSION: compression, OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=team%20b',
    }));
    const ids = recorder.emit(15);
    await provider.forceFlush();
    expect(grpcReceiver.attempts).toBe(2);
    expect(grpcReceiver.requests[0]!.headers['x-tenant']).toBe('team b');
    expectReceivedAsRecorded(grpcReceiver, recorder, ids);
    expectSettled(provider, 15, {});
  });
});

// ---------------------------------------------------------------------------------------------
// The accounting invariant under a seeded random mix of faults.
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failing mix can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Timeouts are far from every scripted delay, so on a quiet machine no answer races a client timeout. On a loaded
 * one (seen at load average 7 on 2 cores) a fast answer can still arrive after it: the receiver then holds spans
 * the exporter could not count as delivered, and a retry may deliver them twice. That is OTLP's at-least-once
 * ambiguity, not an accounting error, so the run tracks attempts that ended in a client timeout
 * (AmbiguityTrackingTransport) and allows exactly those spans to differ.
 */
const MIX_TIMEOUT_MS = 300;
const MIX_SLOW_MS = 900;

function httpFault(rng: () => number): Fault {
  const r = rng();
  if (r < 0.40) return {};
  if (r < 0.50) return { status: 503 };
  if (r < 0.54) return { status: 429, retryAfter: '0' };
  if (r < 0.57) return { status: 502 };
  if (r < 0.60) return { status: 504 };
  if (r < 0.63) return { status: 500 };
  if (r < 0.66) return { status: 400, rpcStatus: encodeGoogleRpcStatus({ code: 3, message: 'bad' }) };
  if (r < 0.68) return { status: 413 };
  if (r < 0.78) return { partial: { rejectedSpans: Math.floor(rng() * 12), errorMessage: 'some too old' } };
  if (r < 0.86) return { reset: true };
  if (r < 0.90) return { delayMs: 10 };
  if (r < 0.92) return { delayMs: MIX_SLOW_MS };
  if (r < 0.93) return { responseBytes: 4 * MIB + 1 };
  return {};
}

function grpcFault(rng: () => number): Fault {
  const r = rng();
  if (r < 0.40) return {};
  if (r < 0.52) return { code: grpc.status.UNAVAILABLE };
  if (r < 0.56) return { code: grpc.status.RESOURCE_EXHAUSTED, retryDelayMs: 5 };
  if (r < 0.59) return { code: grpc.status.RESOURCE_EXHAUSTED };
  if (r < 0.62) return { code: grpc.status.INVALID_ARGUMENT };
  if (r < 0.65) return { code: grpc.status.ABORTED };
  if (r < 0.67) return { code: grpc.status.INTERNAL };
  if (r < 0.69) return { code: grpc.status.DATA_LOSS };
  if (r < 0.79) return { partial: { rejectedSpans: Math.floor(rng() * 12), errorMessage: 'some too old' } };
  if (r < 0.85) return { delayMs: 10 };
  if (r < 0.87) return { delayMs: MIX_SLOW_MS };
  if (r < 0.88) return { responseBytes: 4 * MIB + 16 };
  return {};
}

const MIX_REASONS = new Set([
  'rejected', 'not_retryable', 'retries_exhausted', 'export_timeout', 'too_large', 'inflight_limit', 'queue_full',
]);

interface MixRun {
  name: string;
  seed: number;
  receiver: () => Receiver;
  transport: () => Transport;
  fault: (rng: () => number) => Fault;
  compression: 'gzip' | 'none';
  /** Share of spans carrying a 40 KB attribute: over batchBytes alone (too_large), and they force batch splits. */
  oversizedRate: number;
  /** Route batches through SlotCopyingExporter (keeps the slot-list aliasing BUG out of split batches). */
  copySlots: boolean;
}

const MIX_RUNS: MixRun[] = [
  { name: 'OTLP/HTTP node:http, gzip', seed: 0x5eed1, receiver: () => http, transport: () => createHttpTransport({ url: http.url }),
    fault: httpFault, compression: 'gzip', oversizedRate: 0, copySlots: false },
  { name: 'OTLP/HTTP fetch, uncompressed', seed: 0x5eed2, receiver: () => http,
    transport: () => createHttpTransport({ url: http.url, transport: 'fetch' }), fault: httpFault, compression: 'none',
    oversizedRate: 0, copySlots: false },
  { name: 'OTLP/gRPC, grpc-js gzip', seed: 0x5eed3, receiver: () => grpcReceiver, transport: () => grpcTransport('gzip'),
    fault: grpcFault, compression: 'none', oversizedRate: 0, copySlots: false },
  { name: 'OTLP/HTTP node:http, oversized spans and split batches (private slot list)', seed: 0x5eed4, receiver: () => http,
    transport: () => createHttpTransport({ url: http.url }), fault: httpFault, compression: 'gzip', oversizedRate: 0.02, copySlots: true },
  { name: 'OTLP/gRPC, oversized spans and split batches (private slot list)', seed: 0x5eed5, receiver: () => grpcReceiver,
    transport: () => grpcTransport(), fault: grpcFault, compression: 'none', oversizedRate: 0.02, copySlots: true },
];

/** Wraps a transport and remembers the span ids of attempts whose outcome the client cannot know (timed out). */
class AmbiguityTrackingTransport implements Transport {
  /** Span ids sent in attempts that timed out on the client: the receiver may or may not have accepted them. */
  readonly ambiguous = new Set<string>();

  constructor(private readonly inner: Transport) {}

  async send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    const copy = body.slice(); // the caller owns body again once send() settles
    const result = await this.inner.send(body, options);
    if (result.status !== 'success' && /timed out|deadline|abort/i.test(result.error)) {
      const protobuf = options.gzip ? gunzipSync(copy) : copy;
      for (const located of listSpans(decodeExportTraceRequest(protobuf))) this.ambiguous.add(located.span.spanId);
    }
    return result;
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Runs one seeded mix and checks the invariant after every step, then span by span at the end. */
async function runMix(run: MixRun): Promise<void> {
  const receiver = run.receiver();
  const faultRng = mulberry32(run.seed ^ 0x9e3779b9);
  receiver.script = () => run.fault(faultRng);
  const rng = mulberry32(run.seed);
  const transport = new AmbiguityTrackingTransport(run.transport());
  const exporter = new OtlpTraceExporter({
    transport, compression: run.compression, timeoutMs: MIX_TIMEOUT_MS, retry: FAST_RETRY,
  });
  const { provider, recorder } = pipelineWith(run.copySlots ? new SlotCopyingExporter(exporter) : exporter, {
    capacity: { batchBytes: 32 * 1024 },
    batch: { maxQueueSize: 256, maxExportBatchSize: 64, maxConcurrentExports: 2 },
  });
  const where = (step: string): string => `seed ${run.seed} ${step}`;
  let live: LiveSpan[] = [];
  let flushes = 0;
  for (let round = 0; round < 50; round++) {
    const starts = 1 + Math.floor(rng() * 100);
    for (let k = 0; k < starts; k++) live.push(recorder.start(rng() < run.oversizedRate ? 40_000 : 0));
    const keep: LiveSpan[] = [];
    for (const span of live) {
      if (rng() < 0.85) recorder.end(span);
      else keep.push(span);
    }
    live = keep;
    expectBalanced(provider, where(`round ${round} after ends`));
    if (rng() < 0.3) {
      await provider.forceFlush();
      flushes++;
      expectBalanced(provider, where(`round ${round} after flush`));
    } else {
      await sleep(Math.floor(rng() * 12));
      expectBalanced(provider, where(`round ${round} after a pause`));
    }
  }
  for (const span of live) recorder.end(span);
  await flushAll(provider);
  expectBalanced(provider, where('final flush'));
  await provider.shutdown();
  const s = provider.stats();
  expectBalanced(provider, where('shut down'));

  // Every span ended is either received exactly as recorded or counted as dropped with a known reason.
  expect(s.started).toBe(recorder.expected.size);
  expect({ live: s.live, queueSize: s.queueSize, inFlight: s.inFlight }).toEqual({ live: 0, queueSize: 0, inFlight: 0 });
  expect(provider.arena.usedSlots, where('arena slots still held')).toBe(0);
  const ambiguous = transport.ambiguous;
  expect(receiver.duplicates.filter((id) => !ambiguous.has(id)), where('spans received twice')).toEqual([]);
  expectCleanDecodes(receiver);
  // Accepted but not counted as exported: only spans of a timed-out attempt (counted dropped, or exported by a
  // later attempt whose copy is then the duplicate above).
  const acceptedUncounted = receiver.accepted.size - s.exported;
  expect(acceptedUncounted, where('exported vs distinct spans accepted')).toBeGreaterThanOrEqual(0);
  if (ambiguous.size === 0) expect(acceptedUncounted, where('exported vs distinct spans accepted')).toBe(0);
  else expect(acceptedUncounted, where('accepted beyond exported, all from timed-out attempts')).toBeLessThanOrEqual(ambiguous.size);
  expect(s.exported + s.droppedTotal).toBe(recorder.expected.size);
  for (const id of receiver.accepted.keys()) expect(recorder.expected.has(id)).toBe(true);
  expectReceivedAsRecorded(receiver, recorder, receiver.accepted.keys());
  for (const reason of Object.keys(s.dropped)) expect(MIX_REASONS, where(`reason ${reason}`)).toContain(reason);
  if (run.oversizedRate > 0) expect(s.dropped['too_large'] ?? 0).toBeGreaterThan(0);
  // The mix really mixed: spans both delivered and lost, over many requests and flushes.
  expect(s.exported).toBeGreaterThan(500);
  expect(s.droppedTotal).toBeGreaterThan(50);
  expect(receiver.attempts).toBeGreaterThan(50);
  expect(flushes).toBeGreaterThan(5);
}

describe('span accounting under a seeded random mix of faults', () => {
  it.each(MIX_RUNS)('$name: every ended span is received exactly as recorded or dropped with a reason', async (run) => {
    await runMix(run);
  }, 30_000);

  // Regression guard: this case once leaked slots, duplicated or lost spans, or overran a deadline (fixed).
  it('OTLP/HTTP node:http, oversized spans straight from the batch processor: received once or dropped', async () => {
    await runMix({ ...MIX_RUNS[3]!, copySlots: false });
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------
// Measurement (reported, not asserted): the longest synchronous slice while 4096 spans are exported.
// ---------------------------------------------------------------------------------------------

/** Wraps an exporter and times each synchronous export() call (encode, inline gzip, copies). */
class TimedExporter implements SpanwireExporter {
  readonly slicesMs: number[] = [];
  constructor(private readonly inner: OtlpTraceExporter) {}

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    const t0 = performance.now();
    const outcome = this.inner.export(batch);
    this.slicesMs.push(performance.now() - t0);
    return outcome;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Times every call of a BatchEncoder method (the WASM encode and gzip steps) while installed. */
function timeEncoderMethod(name: 'encodeFitting' | 'gzip' | 'gzipCopy'): { slicesMs: number[]; restore(): void } {
  const slicesMs: number[] = [];
  const original = BatchEncoder.prototype[name] as (...args: unknown[]) => unknown;
  const spy = vi.spyOn(BatchEncoder.prototype, name).mockImplementation(function (this: BatchEncoder, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      slicesMs.push(performance.now() - t0);
    }
  } as never);
  return { slicesMs, restore: () => spy.mockRestore() };
}

const maxMs = (values: number[]): string => (values.length === 0 ? '-' : Math.max(...values).toFixed(2));

describe('measurement', () => {
  it('reports the longest synchronous slice while 4096 canonical spans are encoded, gzipped and sent', async () => {
    http.decodeBodies = false; // the receiver shares this event loop: keep its own work out of the numbers
    const encode = timeEncoderMethod('encodeFitting');
    const inlineGzip = timeEncoderMethod('gzip');
    const deferredGzip = timeEncoderMethod('gzipCopy');
    try {
      const exporter = new TimedExporter(new OtlpTraceExporter({ transport: createHttpTransport({ url: http.url }), retry: FAST_RETRY }));
      const { provider, recorder } = pipelineWith(exporter, {
        capacity: { spans: 8192 }, batch: { maxQueueSize: 4096, scheduledDelayMs: 60_000 },
      });
      const report: string[] = [];
      for (const round of ['warm-up', 'measured']) {
        for (const timer of [exporter, encode, inlineGzip, deferredGzip]) timer.slicesMs.length = 0;
        recorder.emit(4096);
        const histogram = monitorEventLoopDelay({ resolution: 1 });
        let longestGapMs = 0;
        let last = performance.now();
        let ticking = true;
        const tick = (): void => {
          const now = performance.now();
          longestGapMs = Math.max(longestGapMs, now - last);
          last = now;
          if (ticking) setImmediate(tick);
        };
        histogram.enable();
        setImmediate(tick);
        await flushAll(provider);
        ticking = false;
        histogram.disable();
        report.push(`${round}: export() max ${maxMs(exporter.slicesMs)} ms over ${exporter.slicesMs.length} batches of 512 `
          + `(encodeFitting max ${maxMs(encode.slicesMs)} ms; gzip of a deferred body max ${maxMs(deferredGzip.slicesMs)} ms `
          + `over ${deferredGzip.slicesMs.length}, gzip() from any caller max ${maxMs(inlineGzip.slicesMs)} ms); longest gap between `
          + `setImmediate ticks ${longestGapMs.toFixed(2)} ms; event-loop delay max ${(histogram.max / 1e6).toFixed(2)} ms`);
      }
      console.info(`[exporter slice] ${report.join(' | ')}`);
      expectSettled(provider, 8192, {});
    } finally {
      http.decodeBodies = true;
      for (const timer of [encode, inlineGzip, deferredGzip]) timer.restore();
    }
  });
});
