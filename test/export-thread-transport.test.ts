// ExportThreadTransport (Node): OTLP/HTTP sent from a worker thread, against a real node:http receiver on 127.0.0.1
// that inflates with node:zlib and decodes with the independent oracle. Proves: the spans recorded arrive, gzipped by
// the thread (or plain with compression 'none'); the spec's retry rules and the drop accounting hold through the
// exporter; a thread that fails at load, exits, or stops answering fails its requests (retryable, then 'failure'
// after 3 silent deaths) without a throw or an unhandled rejection; shutdown() settles everything and ends the
// thread; an idle transport never keeps a process alive. The thread runs the compiled dist/ (npm run build first).
// Waits have generous upper bounds; the only time check is the server-imposed Retry-After lower bound.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import type { Worker } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OtlpExporterOptions, OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import type { RetryPolicy } from '../src/export/retrying-transport.js';
import type { SendOptions, SendResult, Transport } from '../src/export/transport.js';
import {
  ExportThreadTransport, type ExportThreadTransportOptions,
} from '../src/runtime/node/export-thread-transport.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { type DecodedKeyValue, decodeExportTraceRequest, listSpans } from './support/otlp-decode.js';
import { type Fault, FakeHttpReceiver } from './support/otlp-fake-receiver.js';
import { REQUEST_SPAN_COUNT, exportRequestBody } from './support/otlp-request-fixture.js';
import { type Pem, hasOpenssl, selfSigned } from './support/self-signed-certificates.js';

/** The compiled thread entry: a Worker runs JavaScript, not the TS sources vitest reads. */
const THREAD_URL = new URL('../dist/src/runtime/node/export-thread.js', import.meta.url);
const TRANSPORT_MODULE = new URL('../dist/src/runtime/node/export-thread-transport.js', import.meta.url);
const SERVICE = 'export-thread-test';
const SCOPE = 'export-thread-scope';
/** Small backoffs keep retries fast; three attempts in all. */
const FAST_RETRY: Partial<RetryPolicy> = { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20 };
const BODY = exportRequestBody(SERVICE);
const SEND: SendOptions = { timeoutMs: 5000, gzip: false };
/** Epoch ms at or after the time origin, so startTime numbers are read as epoch ms (exact to the ns). */
const BASE_MS = Math.ceil(performance.timeOrigin) + 1000;

function fixture(name: string): URL {
  return new URL(`./support/${name}`, import.meta.url);
}

/** Polls `check` every 10 ms; throws after `limitMs` (an upper bound for a loaded machine, not a timing assert). */
async function eventually(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** `promise`'s value, or a thrown error once `limitMs` passed without it settling (a bound, not a timing assert). */
async function within<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Threads started in this process (process 'worker' event), unhandled rejections, cleanup.
// ---------------------------------------------------------------------------------------------

interface StartedThread {
  worker: Worker;
  exitCode: number | undefined;
}

const threads: StartedThread[] = [];
const onWorker = (worker: Worker): void => {
  const started: StartedThread = { worker, exitCode: undefined };
  threads.push(started);
  worker.once('exit', (code) => {
    started.exitCode = code;
  });
};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

const receiver = new FakeHttpReceiver();
const transports: ExportThreadTransport[] = [];
const providers: SpanwireTracerProvider[] = [];

beforeAll(async () => {
  process.on('worker', onWorker);
  process.on('unhandledRejection', onUnhandled);
  await receiver.start();
});

afterAll(async () => {
  process.off('worker', onWorker);
  process.off('unhandledRejection', onUnhandled);
  await receiver.close();
});

beforeEach(() => {
  threads.length = 0;
});

afterEach(async () => {
  receiver.release();
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown(3000)));
  await Promise.all(transports.splice(0).map((transport) => transport.shutdown()));
  // Every thread this test started has ended (shutdown waits for the exit; the 'exit' event may follow a tick later).
  await eventually(() => threads.every((thread) => thread.exitCode !== undefined), 'every export thread to exit');
  receiver.reset();
  await sleep(1); // late rejections surface within a macrotask
  expect(unhandled).toEqual([]);
});

function threadTransport(options: Partial<ExportThreadTransportOptions> = {}): ExportThreadTransport {
  const transport = new ExportThreadTransport({ url: receiver.url, threadUrl: THREAD_URL, ...options });
  transports.push(transport);
  return transport;
}

/** Keeps every SendResult the exporter saw (client-side attempts); keeps the inner transport's gzipsPlainBodies. */
class RecordingTransport implements Transport {
  readonly results: SendResult[] = [];
  readonly gzipsPlainBodies: boolean | undefined;

  constructor(readonly inner: Transport) {
    this.gzipsPlainBodies = inner.gzipsPlainBodies;
  }

  async send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    const result = await this.inner.send(body, options);
    this.results.push(result);
    return result;
  }

  prefersCompressedBodies(): boolean {
    return this.inner.prefersCompressedBodies?.() === true;
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// Recording spans through the provider and the exporter.
// ---------------------------------------------------------------------------------------------

interface Recorded {
  traceId: string;
  name: string;
  attributes: DecodedKeyValue[];
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
}

interface Pipeline {
  provider: SpanwireTracerProvider;
  transport: RecordingTransport;
  /** Starts and ends `count` spans; returns their span ids in order. */
  emit(count: number): string[];
  /** What the receiver must see for each span id. */
  expected: Map<string, Recorded>;
}

function pipeline(
  transportOptions: Partial<ExportThreadTransportOptions> = {}, exporterOptions: Partial<OtlpExporterOptions> = {},
): Pipeline {
  const transport = new RecordingTransport(threadTransport(transportOptions));
  const exporter = new OtlpTraceExporter({ transport, retry: FAST_RETRY, timeoutMs: 5000, ...exporterOptions });
  const provider = new SpanwireTracerProvider({ serviceName: SERVICE, exporter, batch: { scheduledDelayMs: 10 } });
  providers.push(provider);
  const tracer: Tracer = provider.getTracer(SCOPE);
  const expected = new Map<string, Recorded>();
  let n = 0;
  const emit = (count: number): string[] => {
    const ids: string[] = [];
    for (let k = 0; k < count; k++) {
      const i = n++;
      const text = `ü🎉 ${i} `.repeat(i % 7);
      const span = tracer.startSpan(`span ${i}`, { startTime: BASE_MS + i, attributes: { i, text } }, ROOT_CONTEXT);
      span.end(BASE_MS + i + 3);
      const context = span.spanContext();
      expected.set(context.spanId, {
        traceId: context.traceId, name: `span ${i}`,
        attributes: [{ key: 'i', value: { intValue: BigInt(i) } }, { key: 'text', value: { stringValue: text } }],
        startTimeUnixNano: BigInt(BASE_MS + i) * 1_000_000n, endTimeUnixNano: BigInt(BASE_MS + i + 3) * 1_000_000n,
      });
      ids.push(context.spanId);
    }
    return ids;
  };
  return { provider, transport, emit, expected };
}

/** Each id was accepted by the receiver exactly as recorded, under the provider's resource and scope. */
function expectReceivedAsRecorded({ expected }: Pipeline, ids: readonly string[]): void {
  for (const id of ids) {
    const got = receiver.accepted.get(id);
    expect(got, `span ${id} not accepted`).toBeDefined();
    const want = expected.get(id)!;
    expect(got!.span).toMatchObject({ ...want, spanId: id, parentSpanId: '' });
    expect(got!.scope.name).toBe(SCOPE);
    expect(got!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: SERVICE } });
  }
  expect(receiver.duplicates).toEqual([]);
}

/** Everything settled: these totals, nothing live, queued or in flight, the books balanced, every slot back. */
function expectSettled(provider: SpanwireTracerProvider, exported: number, dropped: Record<string, number>): void {
  const s = provider.stats();
  expect({ exported: s.exported, dropped: s.dropped, live: s.live, queueSize: s.queueSize, inFlight: s.inFlight })
    .toEqual({ exported, dropped, live: 0, queueSize: 0, inFlight: 0 });
  expect(s.exported + s.droppedTotal + s.endedNotSampled, JSON.stringify(s)).toBe(s.started);
  expect(provider.arena.usedSlots, 'arena slots still held').toBe(0);
}

// ---------------------------------------------------------------------------------------------

describe('delivery through OtlpTraceExporter', () => {
  it.each(['gzip', 'none'] as const)(
    'the thread gzips (Content-Encoding gzip) whatever the exporter says (its compression: %s); spans arrive as recorded',
    async (exporterCompression) => {
      const p = pipeline({}, { compression: exporterCompression });
      const ids = p.emit(25);
      await p.provider.forceFlush();
      expect(receiver.attempts).toBe(1);
      const request = receiver.requests[0]!;
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(request.decodeError).toBeUndefined();
      // One gzip member over the whole body (the exporter handed the thread plain protobuf, gzipped nowhere else).
      expect(request.body).toEqual(new Uint8Array(gunzipSync(request.raw)));
      expect(request.raw.length).toBeLessThan(request.body.length);
      expectReceivedAsRecorded(p, ids);
      expect(receiver.accepted.size).toBe(25);
      expectSettled(p.provider, 25, {});
      expect(threads.length).toBe(1);
    },
  );

  it('gzip level 6 from the thread inflates to the recorded spans too', async () => {
    const p = pipeline({ gzipLevel: 6 });
    const ids = p.emit(40);
    await p.provider.forceFlush();
    expect(receiver.requests.map((r) => r.headers['content-encoding'])).toEqual(['gzip']);
    expectReceivedAsRecorded(p, ids);
    expectSettled(p.provider, 40, {});
  });

  it("transport compression 'none': plain protobuf, no Content-Encoding, even with the exporter at gzip", async () => {
    const p = pipeline({ compression: 'none' }, { compression: 'gzip' });
    const ids = p.emit(12);
    await p.provider.forceFlush();
    const request = receiver.requests[0]!;
    expect(request.headers['content-encoding']).toBeUndefined();
    expect(request.raw).toEqual(request.body);
    expect(request.decodeError).toBeUndefined();
    expectReceivedAsRecorded(p, ids);
    expectSettled(p.provider, 12, {});
    expect(p.provider.stats().bytesSent).toBe(request.raw.length);
  });

  it('many batches in flight at once all arrive once, over one thread', async () => {
    const p = pipeline();
    const ids: string[] = [];
    for (let round = 0; round < 8; round++) {
      ids.push(...p.emit(300));
      void p.provider.forceFlush();
    }
    await p.provider.forceFlush();
    await eventually(() => p.provider.stats().exported === 2400, 'all 2400 spans exported');
    expectReceivedAsRecorded(p, ids);
    expect(receiver.accepted.size).toBe(2400);
    expectSettled(p.provider, 2400, {});
    expect(threads.length).toBe(1);
  });

  it('while requests pile up on the thread, the exporter gzips on the event loop and the thread only sends', async () => {
    receiver.script = () => ({ delayMs: 150 }); // answers slowly: requests stay on the thread
    const p = pipeline();
    const ids = p.emit(2000); // ~4 batches of 512, dispatched back to back
    await p.provider.forceFlush();
    await eventually(() => p.provider.stats().exported === 2000, 'all 2000 spans exported');
    const stats = p.provider.stats();
    // The sender's own slices (deferred gzip parts, request starts) exist only when it gzipped on the event loop.
    expect(stats.exportWork.slices).toBeGreaterThan(stats.exports);
    expect(receiver.requests.every((r) => r.headers['content-encoding'] === 'gzip' && r.decodeError === undefined))
      .toBe(true);
    expectReceivedAsRecorded(p, ids);
    expectSettled(p.provider, 2000, {});
    expect(stats.bytesSent).toBe(receiver.requests.reduce((n, r) => n + r.raw.length, 0));
  });

  it('stats().bytesSent counts the gzipped bytes on the wire, not the plain body the thread was handed', async () => {
    const p = pipeline();
    p.emit(25);
    await p.provider.forceFlush();
    expect(receiver.attempts).toBe(1);
    expect(p.provider.stats().bytesSent).toBe(receiver.requests[0]!.raw.length);
    expect(receiver.requests[0]!.raw.length).toBeLessThan(receiver.requests[0]!.body.length);
  });
});

describe('the transport on its own', () => {
  it('passes an already gzipped body through untouched, labelled gzip, and sends a view as the view only', async () => {
    const transport = threadTransport();
    const gzipped = new Uint8Array(gzipSync(BODY));
    expect(await transport.send(gzipped, { timeoutMs: 5000, gzip: true })).toMatchObject({ status: 'success' });
    const padded = new Uint8Array(BODY.length + 200);
    padded.fill(0xee);
    padded.set(BODY, 100);
    expect(await transport.send(padded.subarray(100, 100 + BODY.length), SEND)).toMatchObject({ status: 'success' });
    expect(receiver.requests.map((r) => r.headers['content-encoding'])).toEqual(['gzip', 'gzip']);
    expect(receiver.requests[0]!.raw).toEqual(gzipped);
    for (const request of receiver.requests) {
      expect(request.body).toEqual(BODY);
      expect(request.spans.length).toBe(REQUEST_SPAN_COUNT);
    }
  });

  it('leaves the caller\'s body untouched and answers with the response bytes', async () => {
    const transport = threadTransport();
    const body = BODY.slice();
    receiver.script = () => ({ partial: { rejectedSpans: 2, errorMessage: 'two too old' } });
    const result = await transport.send(body, SEND);
    expect(body).toEqual(BODY);
    expect(result.status).toBe('success');
    expect(result.status === 'success' && result.response.byteLength).toBeGreaterThan(0);
  });

  it.each(['gzip', 'none'] as const)(
    'bodies of many sizes, 8 at a time, arrive byte-exact while transfer buffers are reused (compression %s)',
    async (compression) => {
      const transport = threadTransport({ compression });
      // Distinct bodies around and across the 64/128/256/512 KiB buffer sizes, each filled with its own index.
      const sizes = [1, 100, 65_535, 65_536, 65_537, 200_000, 262_144, 262_145, 3000, 600_000, 10, 131_072];
      const bodies = Array.from({ length: 48 }, (_, i) => {
        const body = new Uint8Array(sizes[i % sizes.length]!);
        for (let k = 0; k < body.length; k += 251) body[k] = (i * 7 + k) & 255;
        body[0] = i;
        return body;
      });
      const copies = bodies.map((body) => body.slice());
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          expect((await transport.send(body, SEND)).status).toBe('success');
        }
      };
      await within(Promise.all(Array.from({ length: 8 }, lane)), 30_000, 'all 48 sends');
      // The caller's bodies untouched (Buffer.compare: toEqual walks 8 MB of typed arrays element by element).
      expect(bodies.filter((body, i) => Buffer.compare(body, copies[i]!) !== 0)).toEqual([]);
      const key = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
      expect(receiver.requests.map((r) => key(r.body)).sort()).toEqual(bodies.map(key).sort());
      for (const request of receiver.requests) {
        expect(request.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
      }
      expect(threads.length).toBe(1);
    },
    60_000,
  );

  it('a body it cannot copy fails that request (never a rejection) and leaves the thread serving others', async () => {
    const transport = threadTransport();
    const broken = new Uint8Array(8);
    Object.defineProperty(broken, 'byteLength', { get: () => { throw new RangeError('fixture: no buffer for this'); } });
    const result = await within(transport.send(broken, SEND), 5000, 'the broken send');
    expect(result.status).toBe('failure');
    expect(result.status === 'failure' && result.error).toMatch(/cannot hand the request.*no buffer/);
    expect((await transport.send(BODY, SEND)).status).toBe('success');
    expect(threads.length).toBe(1);
  });

  it('a NaN or negative timeout times the request out in the thread; the thread itself is not ended', async () => {
    const transport = threadTransport();
    for (const timeoutMs of [Number.NaN, -5]) {
      const result = await within(transport.send(BODY, { timeoutMs, gzip: false }), 5000, `timeoutMs ${timeoutMs}`);
      expect(result).toMatchObject({ status: 'retryable', error: expect.stringMatching(/timed out/) });
    }
    expect((await transport.send(BODY, SEND)).status).toBe('success');
    expect(threads.length).toBe(1);
    expect(threads[0]!.exitCode).toBeUndefined();
  });

  it('sends the configured headers (OTEL_EXPORTER_OTLP_HEADERS) from the thread', async () => {
    const transport = threadTransport({ headers: { 'x-tenant': 'blue', 'User-Agent': 'app/1.0' } });
    expect((await transport.send(BODY, SEND)).status).toBe('success');
    const headers = receiver.requests[0]!.headers;
    expect(headers['x-tenant']).toBe('blue');
    expect(headers['user-agent']).toBe('app/1.0');
    expect(headers['content-type']).toBe('application/x-protobuf');
  });

  it('an invalid URL fails every send (not retryable), from the thread, without throwing', async () => {
    const transport = threadTransport({ url: 'ftp://127.0.0.1/v1/traces' });
    const result = await transport.send(BODY, SEND);
    expect(result.status).toBe('failure');
    expect(result.status === 'failure' && result.error).toMatch(/http: or https:/);
  });
});

/** A TLS collector (node:https) that asks for a client certificate and records what each request brought. */
interface TlsCollector {
  dir: string;
  server: Pem;
  client: Pem;
  https: HttpsServer;
  url: string;
  seen: { clientCn: string; encoding: string | undefined; spans: number }[];
}

async function startTlsCollector(): Promise<TlsCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'spanwire-export-thread-tls-'));
  const server = selfSigned(dir, 'collector');
  const client = selfSigned(dir, 'client');
  const seen: TlsCollector['seen'] = [];
  const https = createHttpsServer({
    cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: false, ca: client.cert,
  }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      seen.push({
        clientCn: socket.authorized ? String(socket.getPeerCertificate().subject.CN) : '',
        encoding: req.headers['content-encoding'], spans: listSpans(decodeExportTraceRequest(new Uint8Array(body))).length,
      });
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 });
      res.end();
    });
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', () => resolve()));
  const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/v1/traces`;
  return { dir, server, client, https, url, seen };
}

describe.skipIf(!hasOpenssl())('over TLS, with mTLS (skipped without openssl)', () => {
  let tls: TlsCollector;
  beforeAll(async () => {
    tls = await startTlsCollector();
  });
  afterAll(async () => {
    tls.https.closeAllConnections();
    await new Promise<void>((resolve) => tls.https.close(() => resolve()));
    rmSync(tls.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    tls.seen.length = 0;
  });

  it('trusts the CA and presents the client certificate (files and PEM text cross into the thread)', async () => {
    const { url, server, client } = tls;
    const fromFiles = threadTransport({ url, ca: server.certPath, cert: client.certPath, key: client.keyPath });
    const fromPem = threadTransport({ url, ca: server.cert, cert: client.cert, key: client.key });
    expect((await fromFiles.send(BODY, SEND)).status).toBe('success');
    expect((await fromPem.send(BODY, SEND)).status).toBe('success');
    expect(tls.seen).toEqual([
      { clientCn: 'client', encoding: 'gzip', spans: REQUEST_SPAN_COUNT },
      { clientCn: 'client', encoding: 'gzip', spans: REQUEST_SPAN_COUNT },
    ]);
  });

  it('an untrusted certificate is a failure, not retried', async () => {
    const result = await threadTransport({ url: tls.url }).send(BODY, SEND);
    expect(result.status).toBe('failure');
    expect(result.status === 'failure' && result.error).toMatch(/SELF_SIGNED|self.signed/i);
    expect(tls.seen).toEqual([]);
  });
});

const first = (fault: Fault) => (index: number): Fault => (index === 0 ? fault : {});
const always = (fault: Fault) => (): Fault => fault;

/** A fault and what the exporter must end with for a batch of 10 spans: the client-side results, the totals. */
interface FaultCase {
  name: string;
  script: (index: number) => Fault;
  /** Each attempt's SendResult status, in order (each attempt also reached the receiver). */
  statuses: SendResult['status'][];
  /** What the first result's error must say. */
  error?: RegExp;
  exported: number;
  dropped: Record<string, number>;
  exporter?: Partial<OtlpExporterOptions>;
}

const FAULT_CASES: FaultCase[] = [
  { name: '503 every time: maxAttempts requests, then retries_exhausted', script: always({ status: 503 }),
    statuses: ['retryable', 'retryable', 'retryable'], exported: 0, dropped: { retries_exhausted: 10 } },
  { name: '400: one request, not retried, not_retryable', script: always({ status: 400 }),
    statuses: ['failure'], exported: 0, dropped: { not_retryable: 10 } },
  // The thread's own timeout answers (/timed out/), not the grace timer of a thread gone silent.
  { name: 'an answer slower than the timeout: the thread gives up at the timeout, export_timeout',
    script: always({ delayMs: 1500 }), statuses: ['retryable'], error: /timed out/, exported: 0,
    dropped: { export_timeout: 10 }, exporter: { timeoutMs: 300 } },
  { name: 'connection reset once: retried, delivered once', script: first({ reset: true }),
    statuses: ['retryable', 'success'], exported: 10, dropped: {} },
  { name: 'connection reset every time: retries_exhausted', script: always({ reset: true }),
    statuses: ['retryable', 'retryable', 'retryable'], exported: 0, dropped: { retries_exhausted: 10 } },
  { name: 'partial success rejecting 3: 7 exported, 3 counted rejected, not retried',
    script: always({ partial: { rejectedSpans: 3, errorMessage: '3 spans too old' } }),
    statuses: ['success'], exported: 7, dropped: { rejected: 3 } },
];

describe("faults through the exporter, with the spec's retry rules", () => {
  it('503 with Retry-After: 1, then 200: waits the second out, retries once, delivers all', async () => {
    receiver.script = first({ status: 503, retryAfter: '1' });
    const p = pipeline();
    const ids = p.emit(10);
    await p.provider.forceFlush();
    expect(receiver.attempts).toBe(2);
    expect(p.transport.results.map((r) => r.status)).toEqual(['retryable', 'success']);
    expect(p.transport.results[0]).toMatchObject({ retryAfterMs: 1000 });
    // Not before the server allowed it (a lower bound with a timer-granularity margin).
    expect(receiver.requests[1]!.arrivedMs - receiver.requests[0]!.arrivedMs).toBeGreaterThanOrEqual(950);
    expectReceivedAsRecorded(p, ids);
    expectSettled(p.provider, 10, {});
  });

  it.each(FAULT_CASES)('$name', async (faultCase) => {
    receiver.script = faultCase.script;
    const p = pipeline({}, faultCase.exporter ?? {});
    const ids = p.emit(10);
    await p.provider.forceFlush();
    expect(receiver.attempts).toBe(faultCase.statuses.length);
    expect(p.transport.results.map((r) => r.status)).toEqual(faultCase.statuses);
    if (faultCase.error !== undefined) {
      expect(p.transport.results[0]).toMatchObject({ error: expect.stringMatching(faultCase.error) });
    }
    expectReceivedAsRecorded(p, ids.slice(0, faultCase.exported));
    expect(receiver.accepted.size).toBe(faultCase.exported);
    expectSettled(p.provider, faultCase.exported, faultCase.dropped);
  });

  it('delivers across a receiver that goes down and comes back on the same port', async () => {
    const p = pipeline({}, { retry: { maxAttempts: 100, initialBackoffMs: 20, maxBackoffMs: 50 }, timeoutMs: 8000 });
    const before = p.emit(3);
    await p.provider.forceFlush(); // a kept-alive connection now exists in the thread
    await receiver.stop();
    const after = p.emit(7);
    const flushing = p.provider.forceFlush();
    await eventually(() => p.transport.results.some((r) => r.status === 'retryable'), 'a refused attempt');
    await receiver.start();
    await flushing;
    expect(p.transport.results.at(-1)!.status).toBe('success');
    expect(receiver.attempts).toBe(2);
    expectReceivedAsRecorded(p, [...before, ...after]);
    expectSettled(p.provider, 10, {});
    expect(threads.length).toBe(1);
  });
});

describe('the thread itself failing', () => {
  it.each([
    ['throws at load', 'export-thread-throws-at-load.mjs'],
    ['exits at load', 'export-thread-exits-at-load.mjs'],
    ['is a missing file', 'export-thread-missing.mjs'],
  ])('a thread that %s: 3 sends fail retryable (a new thread each), the 4th fails at once', async (_what, name) => {
    const transport = threadTransport({ threadUrl: fixture(name) });
    const results: SendResult[] = [];
    for (let i = 0; i < 3; i++) results.push(await within(transport.send(BODY, SEND), 10_000, `send ${i + 1}`));
    expect(results.map((r) => r.status)).toEqual(['retryable', 'retryable', 'retryable']);
    expect(threads.length).toBe(3);
    const fourth = await transport.send(BODY, SEND);
    expect(fourth.status).toBe('failure');
    expect(fourth.status === 'failure' && fourth.error).toMatch(/3 times without answering/);
    expect(threads.length).toBe(3); // no thread started for it
    expect(receiver.attempts).toBe(0);
  });

  it('through the exporter: 3 retryable attempts, then a failure at once; spans count as export_thread_unavailable', async () => {
    const p = pipeline({ threadUrl: fixture('export-thread-throws-at-load.mjs') }, {
      retry: { maxAttempts: 5, initialBackoffMs: 5, maxBackoffMs: 20 },
    });
    p.emit(10);
    await p.provider.forceFlush();
    expect(p.transport.results.map((r) => r.status)).toEqual(['retryable', 'retryable', 'retryable', 'failure']);
    expectSettled(p.provider, 0, { export_thread_unavailable: 10 });
    // Later batches are refused at once, still counted.
    p.emit(4);
    await p.provider.forceFlush();
    expectSettled(p.provider, 0, { export_thread_unavailable: 14 });
    expect(threads.length).toBe(3);
  });

  it('a thread that answers between deaths is never given up: deaths must come 3 in a row', async () => {
    const transport = threadTransport({ threadUrl: fixture('export-thread-answers-once.mjs') });
    const statuses: string[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await within(transport.send(BODY, SEND), 10_000, `send ${i + 1}`)).status);
    }
    // Each thread answers its first request and dies on its second; the next send starts a new thread.
    expect(statuses).toEqual(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 'success' : 'retryable')));
    expect(threads.length).toBe(4);
  });

  it('a thread that never answers: the grace timer fails the request; the stuck thread is ended, replaced', async () => {
    const transport = threadTransport({ threadUrl: fixture('export-thread-never-answers.mjs') });
    const quick: SendOptions = { timeoutMs: 100, gzip: false };
    const concurrent = [transport.send(BODY, quick), transport.send(BODY, quick)];
    const results = await within(Promise.all(concurrent), 10_000, 'the first two sends');
    for (const result of results) {
      expect(result.status).toBe('retryable');
      expect(result.status === 'retryable' && result.error).toMatch(/did not answer within 2100 ms/);
    }
    expect(threads.length).toBe(1);
    await eventually(() => threads[0]!.exitCode !== undefined, 'the stuck thread to be ended');
    // The next send gets a new thread, which is stuck too: two more silent threads and the transport gives up.
    for (let i = 0; i < 2; i++) {
      expect((await within(transport.send(BODY, quick), 10_000, 'a later send')).status).toBe('retryable');
    }
    expect(threads.length).toBe(3);
    expect((await transport.send(BODY, SEND)).status).toBe('failure');
  }, 30_000);
});

describe('shutdown()', () => {
  it('settles a request in flight (failure), ends the thread, and fails later sends without a new thread', async () => {
    receiver.script = always({ stall: true });
    const transport = threadTransport();
    const sending = transport.send(BODY, SEND);
    await eventually(() => receiver.stalledCount === 1, 'the request to reach the receiver');
    await within(transport.shutdown(), 10_000, 'shutdown()');
    const result = await within(sending, 1000, 'the request in flight');
    expect(result.status).toBe('failure');
    await eventually(() => threads[0]!.exitCode !== undefined, 'the thread to exit');
    expect((await transport.send(BODY, SEND)).status).toBe('failure');
    expect(threads.length).toBe(1);
    await within(transport.shutdown(), 1000, 'a second shutdown()');
  });

  it('ends a thread that ignores the shutdown request too (terminated), settling its requests', async () => {
    const transport = threadTransport({ threadUrl: fixture('export-thread-never-answers.mjs') });
    const sending = transport.send(BODY, SEND);
    const [a, b] = [transport.shutdown(), transport.shutdown()];
    await within(Promise.all([a, b]), 15_000, 'both shutdown() calls');
    expect((await within(sending, 1000, 'the request in flight')).status).toBe('failure');
    expect(threads[0]!.exitCode).toBeDefined();
  }, 30_000);

  it('before any send: resolves at once, starts no thread, later sends fail', async () => {
    const transport = threadTransport();
    await within(transport.shutdown(), 1000, 'shutdown()');
    expect((await transport.send(BODY, SEND)).status).toBe('failure');
    expect(threads.length).toBe(0);
  });

  it('through the provider: spans in flight are counted, not lost, and the thread ends', async () => {
    receiver.script = first({ stall: true });
    const p = pipeline({}, { timeoutMs: 1000 });
    p.emit(5);
    await eventually(() => receiver.stalledCount === 1, 'the request to reach the receiver');
    await within(p.provider.shutdown(3000), 10_000, 'provider.shutdown()');
    const s = p.provider.stats();
    expect(s.exported + s.droppedTotal).toBe(5);
    expect(s.inFlight).toBe(0);
    await eventually(() => threads[0]!.exitCode !== undefined, 'the thread to exit');
  });
});

// ---------------------------------------------------------------------------------------------
// A separate node process: the transport must never be what keeps it alive.
// ---------------------------------------------------------------------------------------------

interface Child {
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  running(): boolean;
  /** Writes to the child's stdin (open only when asked for). */
  write(text: string): void;
}

/** How the child gets its script: a .mjs file (the usual app), or `--input-type=module -e` (a one-liner). */
type ChildEntry = 'file' | 'eval';

/**
 * Runs `script` (an ES module body; TRANSPORT is ExportThreadTransport from dist/, URL_ the receiver's URL) in a
 * child node process; `exited` resolves at its exit. With `stdin`, the child gets a pipe it must close itself.
 */
function runChild(script: string, options: { stdin?: boolean; entry?: ChildEntry } = {}): Child {
  const { stdin = false, entry = 'file' } = options;
  const source = `import { ExportThreadTransport as TRANSPORT } from ${JSON.stringify(TRANSPORT_MODULE.href)};\n` +
    `const URL_ = ${JSON.stringify(receiver.url)};\n${script}`;
  let args = ['--input-type=module', '-e', source];
  if (entry === 'file') {
    const dir = mkdtempSync(join(tmpdir(), 'spanwire-export-thread-'));
    childDirs.push(dir);
    writeFileSync(join(dir, 'child.mjs'), source);
    args = [join(dir, 'child.mjs')];
  }
  const child = spawn(process.execPath, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => {
      done = true;
      resolve({ code, stdout, stderr });
    });
  });
  // A child that outlives the test is killed (by its pid) so the suite cannot hang on it.
  const guard = setTimeout(() => { if (!done) child.kill('SIGKILL'); }, 30_000);
  void exited.then(() => clearTimeout(guard));
  return { exited, running: () => !done, write: (text) => child.stdin?.write(text) };
}

const childDirs: string[] = [];

describe('process lifetime', () => {
  afterAll(() => {
    for (const dir of childDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // 'eval' is also the regression case of a thread that inherited --input-type and died at load, every time.
  it.each(['file', 'eval'] as const)('an idle transport after one answered send lets the process exit (%s)', async (entry) => {
    const child = runChild(`
      const transport = new TRANSPORT({ url: URL_ });
      const result = await transport.send(new Uint8Array(0), { timeoutMs: 5000, gzip: false });
      console.log(JSON.stringify({ status: result.status }));
    `, { entry });
    const { code, stdout, stderr } = await within(child.exited, 15_000, 'the child process exiting on its own');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ status: 'success' });
    expect(receiver.attempts).toBe(1);
    expect(receiver.requests[0]!.headers['content-encoding']).toBe('gzip');
  }, 20_000);

  it('a request in flight keeps the process alive until it is answered', async () => {
    receiver.script = always({ stall: true });
    const child = runChild(`
      const transport = new TRANSPORT({ url: URL_ });
      void transport.send(new Uint8Array([10, 0]), { timeoutMs: 20000, gzip: false })
        .then((result) => console.log(JSON.stringify({ status: result.status })));
    `);
    await eventually(() => receiver.stalledCount === 1, 'the child\'s request to reach the receiver', 15_000);
    await sleep(300);
    expect(child.running()).toBe(true);
    receiver.release();
    const { code, stdout, stderr } = await within(child.exited, 15_000, 'the child process exiting once answered');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ status: 'success' });
  }, 30_000);

  it('shutdown() with a request in flight lets the process exit on its own', async () => {
    receiver.script = always({ stall: true });
    const child = runChild(`
      const transport = new TRANSPORT({ url: URL_ });
      const sending = transport.send(new Uint8Array([10, 0]), { timeoutMs: 20000, gzip: false });
      process.stdin.once('data', async () => {
        await transport.shutdown();
        const later = await transport.send(new Uint8Array(0), { timeoutMs: 1000, gzip: false });
        console.log(JSON.stringify({ status: (await sending).status, later: later.status }));
        process.stdin.destroy();
      });
    `, { stdin: true });
    await eventually(() => receiver.stalledCount === 1, 'the child\'s request to reach the receiver', 15_000);
    child.write('shut down\n');
    const { code, stdout, stderr } = await within(child.exited, 20_000, 'the child process exiting after shutdown()');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ status: 'failure', later: 'failure' });
  }, 30_000);
});
