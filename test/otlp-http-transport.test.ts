// OTLP/HTTP transports (fetch and node:http) against a real node:http collector on 127.0.0.1 that decodes what
// arrives with the independent oracle and injects faults; then sendWithRetry over them (attempts, delays,
// deadline, jitter). Nothing leaves 127.0.0.1; waits have upper bounds, no assertion depends on timing.
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FetchTransport, type FetchFunction } from '../src/export/otlp-http-fetch-transport.js';
import { decodePartialSuccess } from '../src/export/otlp-response.js';
import { DEFAULT_RETRY_POLICY, sendWithRetry, type RetryPolicy } from '../src/export/retrying-transport.js';
import { MAX_RESPONSE_BYTES, parseRetryAfterMs, type SendResult, type Transport } from '../src/export/transport.js';
import { createHttpTransport, DEFAULT_HTTP_TRANSPORT } from '../src/runtime/node/create-http-transport.js';
import { NodeHttpTransport, type NodeHttpTransportOptions } from '../src/runtime/node/otlp-http-node-transport.js';
import { VERSION } from '../src/version.js';
import {
  decodeExportTraceRequest, encodeExportTraceResponse, encodeGoogleRpcStatus, encodeRetryInfo, listSpans,
} from './support/otlp-decode.js';
import { REQUEST_SPAN_COUNT, exportRequestBody } from './support/otlp-request-fixture.js';
import { type Pem, hasOpenssl, selfSigned } from './support/self-signed-certificates.js';

const BODY = exportRequestBody('http-transport-test');
const GZIP_BODY = new Uint8Array(gzipSync(BODY));
const SEND = { timeoutMs: 5000, gzip: false };
const MIB = 1024 * 1024;

/** Polls `check` every 10 ms; throws after `limitMs` (an upper bound for slow machines, not a timing assert). */
async function eventually(check: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await delay(10);
  }
}

// ---------------------------------------------------------------------------------------------
// A fake collector: node:http on 127.0.0.1, bodies gunzipped with node:zlib and kept for the oracle.
// ---------------------------------------------------------------------------------------------

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Bytes as they arrived on the wire. */
  raw: Uint8Array;
  /** After undoing Content-Encoding: gzip. */
  body: Uint8Array;
  remotePort: number;
}

type Reply = (res: ServerResponse, got: Received) => void;
/** Takes over a request as soon as its headers arrive; the default reads the body and calls `reply`. */
type Intercept = (req: IncomingMessage, res: ServerResponse) => void;

class FakeCollector {
  readonly received: Received[] = [];
  /** Responses whose connection closed before they were finished: the client aborted or reset. */
  abortedResponses = 0;
  /** Requests whose headers arrived (including intercepted ones). */
  requestCount = 0;
  reply: Reply = (res) => replyProtobuf(res, 200, new Uint8Array(0));
  intercept: Intercept | undefined;
  private readonly server: Server;
  port = 0;

  constructor(server: Server = createServer(), private readonly scheme: 'http' | 'https' = 'http') {
    this.server = server;
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}/v1/traces`;
  }

  reset(): void {
    this.received.length = 0;
    this.abortedResponses = 0;
    this.requestCount = 0;
    this.reply = (res) => replyProtobuf(res, 200, new Uint8Array(0));
    this.intercept = undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requestCount++;
    res.on('close', () => {
      if (!res.writableFinished) this.abortedResponses++;
    });
    if (this.intercept !== undefined) {
      this.intercept(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = new Uint8Array(Buffer.concat(chunks));
      const body = req.headers['content-encoding'] === 'gzip' ? new Uint8Array(gunzipSync(raw)) : raw;
      const got: Received = {
        method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body, remotePort: req.socket.remotePort ?? 0,
      };
      this.received.push(got);
      this.reply(res, got);
    });
  }
}

function replyProtobuf(res: ServerResponse, status: number, body: Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length, ...headers });
  res.end(body);
}

/** An OTLP/JSON answer (http/json receivers answer in the request's encoding). */
function replyJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Streams `totalBytes` of zeros honouring backpressure; stops when the client goes away. Returns bytes written. */
function streamZeros(res: ServerResponse, totalBytes: number): { written: () => number } {
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
  const pump = (): void => {
    while (written < totalBytes && !res.destroyed) {
      written += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
  return { written: () => written };
}

/** Collector timeouts: Node's default keep-alive of 5 s would close sockets mid-suite; the suite closes them itself. */
function collectorServer(): Server {
  const server = createServer();
  server.keepAliveTimeout = 30_000;
  return server;
}

/**
 * A collector for the enclosing describe block: listening from before its first test until after its last, reset
 * before each test. Call it in the describe body, where it registers those hooks.
 */
function useLoopbackCollector(): FakeCollector {
  const collector = new FakeCollector(collectorServer());
  beforeAll(async () => {
    await collector.listen();
  });
  afterAll(async () => {
    await collector.close();
  });
  beforeEach(() => collector.reset());
  return collector;
}

// ---------------------------------------------------------------------------------------------
// Unhandled rejections fail the test that caused them.
// ---------------------------------------------------------------------------------------------

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  // Give late rejections one macrotask to surface before the check.
  await delay(1);
  expect(unhandled).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Both transports, one behaviour.
// ---------------------------------------------------------------------------------------------

interface Kind {
  name: 'fetch' | 'node-http';
  make(url: string, headers?: Record<string, string>): Transport;
}

const KINDS: Kind[] = [
  { name: 'fetch', make: (url, headers) => new FetchTransport({ url, ...(headers && { headers }) }) },
  { name: 'node-http', make: (url, headers) => new NodeHttpTransport({ url, ...(headers && { headers }) }) },
];

describe.each(KINDS)('$name transport against a loopback collector', (kind) => {
  const collector = useLoopbackCollector();
  let transport: Transport;

  beforeEach(() => {
    transport = kind.make(collector.url);
  });
  afterEach(async () => {
    await transport.shutdown();
  });

  describe('success', () => {
    it('200 with an empty body: success, and the collector decodes all 40 spans', async () => {
      const result = await transport.send(BODY, SEND);
      expect(result).toEqual({ status: 'success', response: new Uint8Array(0) });
      expect(collector.received).toHaveLength(1);
      const got = collector.received[0]!;
      expect(got.method).toBe('POST');
      expect(got.url).toBe('/v1/traces');
      expect(got.raw).toEqual(BODY);
      const spans = listSpans(decodeExportTraceRequest(got.body));
      expect(spans).toHaveLength(REQUEST_SPAN_COUNT);
      expect(spans[39]!.span.name).toBe('span-39');
      expect(spans[0]!.resource.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'http-transport-test' } }]);
    });

    it('gzip: Content-Encoding gzip, and the gunzipped body decodes to the same spans', async () => {
      const result = await transport.send(GZIP_BODY, { timeoutMs: 5000, gzip: true });
      expect(result.status).toBe('success');
      const got = collector.received[0]!;
      expect(got.headers['content-encoding']).toBe('gzip');
      expect(got.raw).toEqual(GZIP_BODY);
      expect(got.body).toEqual(BODY);
      expect(listSpans(decodeExportTraceRequest(got.body))).toHaveLength(REQUEST_SPAN_COUNT);
    });

    it('200 with partial success: the response bytes carry rejected_spans and error_message', async () => {
      collector.reply = (res) => replyProtobuf(res, 200, encodeExportTraceResponse({ rejectedSpans: 3, errorMessage: '3 spans too old' }));
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('success');
      if (result.status !== 'success') return;
      expect(decodePartialSuccess(result.response)).toEqual({ rejectedSpans: 3, errorMessage: '3 spans too old' });
    });

    it('a gzip-encoded response is gunzipped before it is returned', async () => {
      const response = encodeExportTraceResponse({ rejectedSpans: 1, errorMessage: 'compressed answer' });
      collector.reply = (res) => replyProtobuf(res, 200, new Uint8Array(gzipSync(response)), { 'Content-Encoding': 'gzip' });
      const result = await transport.send(BODY, SEND);
      expect(result).toEqual({ status: 'success', response });
    });

    it('a response of exactly 4 MiB is still read', async () => {
      collector.reply = (res) => replyProtobuf(res, 200, new Uint8Array(MAX_RESPONSE_BYTES));
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('success');
      if (result.status === 'success') expect(result.response.length).toBe(MAX_RESPONSE_BYTES);
    });

    it('keeps connections alive: 6 sequential sends arrive over at most 2 connections', async () => {
      // undici hands a socket back to its pool a tick after the body ends, so back-to-back fetches alternate
      // between two kept-alive connections; node:http reuses one.
      for (let i = 0; i < 6; i++) expect((await transport.send(BODY, SEND)).status).toBe('success');
      const ports = new Set(collector.received.map((got) => got.remotePort));
      expect(ports.size).toBeLessThanOrEqual(kind.name === 'fetch' ? 2 : 1);
    });
  });

  describe('headers as sent', () => {
    it('Content-Type, User-Agent and custom headers; a body without gzip has no Content-Encoding', async () => {
      const custom = kind.make(collector.url, { 'X-Api-Key': 'k-123', Authorization: 'Bearer t0k3n', 'x-tenant': 'a b' });
      try {
        expect((await custom.send(BODY, SEND)).status).toBe('success');
        expect((await custom.send(GZIP_BODY, { timeoutMs: 5000, gzip: true })).status).toBe('success');
      } finally {
        await custom.shutdown();
      }
      const [plain, gzipped] = collector.received;
      for (const got of [plain!, gzipped!]) {
        expect(got.headers['content-type']).toBe('application/x-protobuf');
        expect(got.headers['user-agent']).toBe(`spanwire/${VERSION}`);
        expect(got.headers['x-api-key']).toBe('k-123');
        expect(got.headers.authorization).toBe('Bearer t0k3n');
        expect(got.headers['x-tenant']).toBe('a b');
      }
      expect(plain!.headers['content-encoding']).toBeUndefined();
      expect(plain!.headers['content-length']).toBe(String(BODY.length));
      expect(gzipped!.headers['content-encoding']).toBe('gzip');
      expect(gzipped!.headers['content-length']).toBe(String(GZIP_BODY.length));
    });

    it('user headers cannot change Content-Type, Content-Encoding or Content-Length; they may replace User-Agent', async () => {
      const custom = kind.make(collector.url, {
        'Content-Type': 'application/json', 'Content-Encoding': 'br', 'Content-Length': '1', 'User-Agent': 'my-app/2.0',
      });
      try {
        expect((await custom.send(BODY, SEND)).status).toBe('success');
      } finally {
        await custom.shutdown();
      }
      const got = collector.received[0]!;
      expect(got.headers['content-type']).toBe('application/x-protobuf');
      expect(got.headers['content-encoding']).toBeUndefined();
      expect(got.headers['content-length']).toBe(String(BODY.length));
      expect(got.headers['user-agent']).toBe('my-app/2.0');
      expect(decodeExportTraceRequest(got.body).resourceSpans).toHaveLength(1);
    });
  });

  describe('retryable statuses', () => {
    it.each([429, 502, 503, 504])('%i without Retry-After: retryable, no server delay', async (status) => {
      collector.reply = (res) => replyProtobuf(res, status, new Uint8Array(0));
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('retryable');
      expect(result).not.toHaveProperty('retryAfterMs');
      if (result.status === 'retryable') expect(result.error).toContain(`HTTP ${status}`);
    });

    it.each([503, 429])('%i with Retry-After in seconds', async (status) => {
      collector.reply = (res) => replyProtobuf(res, status, new Uint8Array(0), { 'Retry-After': '7' });
      expect(await transport.send(BODY, SEND)).toMatchObject({ status: 'retryable', retryAfterMs: 7000 });
    });

    it.each([503, 429])('%i with Retry-After as an HTTP date 30 s ahead', async (status) => {
      // HTTP dates have whole seconds: the delay is 29-30 s depending on where in the second the clock is.
      const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
      collector.reply = (res) => replyProtobuf(res, status, new Uint8Array(0), { 'Retry-After': retryAt.toUTCString() });
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('retryable');
      if (result.status !== 'retryable') return;
      expect(result.retryAfterMs).toBeGreaterThan(25_000);
      expect(result.retryAfterMs).toBeLessThanOrEqual(31_000);
    });

    it('503 with a google.rpc.Status body: RetryInfo is the fallback delay and the message is surfaced', async () => {
      const status = encodeGoogleRpcStatus({ code: 14, message: 'collector overloaded', details: [encodeRetryInfo(2500)] });
      collector.reply = (res) => replyProtobuf(res, 503, status);
      const result = await transport.send(BODY, SEND);
      expect(result).toEqual({ status: 'retryable', retryAfterMs: 2500, error: 'HTTP 503: collector overloaded' });
    });

    it('Retry-After wins over RetryInfo', async () => {
      const status = encodeGoogleRpcStatus({ code: 8, message: 'slow down', details: [encodeRetryInfo(2500)] });
      collector.reply = (res) => replyProtobuf(res, 429, status, { 'Retry-After': '1' });
      expect(await transport.send(BODY, SEND)).toMatchObject({ status: 'retryable', retryAfterMs: 1000 });
    });
  });

  describe('failures', () => {
    it.each([400, 401, 403, 404, 413, 500])('%i: failure with the google.rpc.Status message', async (status) => {
      const body = encodeGoogleRpcStatus({ code: 3, message: `refused with ${status}: bad span` });
      collector.reply = (res) => replyProtobuf(res, status, body);
      const result = await transport.send(BODY, SEND);
      expect(result).toEqual({ status: 'failure', error: `HTTP ${status}: refused with ${status}: bad span` });
    });

    it('a text error body: the first 200 characters, whitespace collapsed', async () => {
      const html = `<html>\n  <body>Bad gateway config ${'x'.repeat(400)}</body></html>`;
      collector.reply = (res) => {
        res.writeHead(400, { 'Content-Type': 'text/html' });
        res.end(html);
      };
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('failure');
      if (result.status !== 'failure') return;
      expect(result.error.startsWith('HTTP 400: <html> <body>Bad gateway config xxx')).toBe(true);
      expect(result.error.length).toBeLessThanOrEqual('HTTP 400: '.length + 200 + 3);
    });

    it('a failure without a body says only the status', async () => {
      collector.reply = (res) => replyProtobuf(res, 401, new Uint8Array(0));
      expect(await transport.send(BODY, SEND)).toEqual({ status: 'failure', error: 'HTTP 401' });
    });

    it('a redirect is not followed (a POST would turn into a GET without the spans)', async () => {
      collector.reply = (res) => {
        res.writeHead(301, { Location: 'http://127.0.0.1:1/elsewhere', 'Content-Length': 0 });
        res.end();
      };
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('failure');
      if (result.status === 'failure') expect(result.error).toContain('redirect');
      expect(collector.requestCount).toBe(1);
    });
  });

  describe('OTLP/JSON answers', () => {
    it('503 with a JSON google.rpc.Status: its RetryInfo retryDelay is the fallback delay, its message surfaced', async () => {
      collector.reply = (res) => replyJson(res, 503, JSON.stringify({
        code: 14, message: 'collector overloaded',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.5s' }],
      }));
      expect(await transport.send(BODY, SEND)).toEqual({ status: 'retryable', retryAfterMs: 2500, error: 'HTTP 503: collector overloaded' });
    });

    it('Retry-After wins over a JSON RetryInfo', async () => {
      collector.reply = (res) => replyJson(res, 429, JSON.stringify({
        code: 8, message: 'slow down', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '9s' }],
      }), { 'Retry-After': '1' });
      expect(await transport.send(BODY, SEND)).toMatchObject({ status: 'retryable', retryAfterMs: 1000 });
    });

    it('400 with a JSON google.rpc.Status: failure with its message; JSON without a message: the text', async () => {
      collector.reply = (res) => replyJson(res, 400, '{"code":3,"message":"bad span: traceId is not hex"}');
      expect(await transport.send(BODY, SEND)).toEqual({ status: 'failure', error: 'HTTP 400: bad span: traceId is not hex' });
      collector.reply = (res) => replyJson(res, 400, '{"error":"nope"}');
      expect(await transport.send(BODY, SEND)).toEqual({ status: 'failure', error: 'HTTP 400: {"error":"nope"}' });
    });

    it('200 with a JSON partial success: success carrying the JSON bytes as they came', async () => {
      const answer = '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"quota"}}';
      collector.reply = (res) => replyJson(res, 200, answer);
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('success');
      expect(new TextDecoder().decode((result as { response: Uint8Array }).response)).toBe(answer);
    });
  });

  describe('faults', () => {
    it('a response slower than the timeout: retryable, and the request was aborted', async () => {
      const held: ServerResponse[] = [];
      collector.intercept = (req, res) => {
        req.resume();
        held.push(res);
      };
      const result = await transport.send(BODY, { timeoutMs: 150, gzip: false });
      expect(result.status).toBe('retryable');
      if (result.status === 'retryable') expect(result.error).toContain('timed out after 150 ms');
      await eventually(() => collector.abortedResponses === 1, 'the collector to see the request aborted');
      collector.intercept = undefined;
      expect((await transport.send(BODY, SEND)).status).toBe('success');
    });

    it('a body that stalls mid-response past the timeout: retryable', async () => {
      collector.intercept = (req, res) => {
        req.resume();
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 100 });
        res.write(new Uint8Array(10));
      };
      const result = await transport.send(BODY, { timeoutMs: 150, gzip: false });
      expect(result.status).toBe('retryable');
      await eventually(() => collector.abortedResponses === 1, 'the collector to see the request aborted');
    });

    it('connection reset mid-request (socket destroyed at the first body chunk): retryable, then recovers', async () => {
      collector.intercept = (req) => {
        req.once('data', () => req.socket.destroy());
      };
      // 1 MiB arrives in many chunks, so the reset lands while the client is still writing.
      const big = new Uint8Array(MIB).fill(7);
      const result = await transport.send(big, SEND);
      expect(result.status).toBe('retryable');
      collector.intercept = undefined;
      expect((await transport.send(BODY, SEND)).status).toBe('success');
    });

    it('connection reset after the request, before any response: retryable', async () => {
      collector.intercept = (req) => {
        req.resume();
        req.once('end', () => req.socket.destroy());
      };
      expect((await transport.send(BODY, SEND)).status).toBe('retryable');
    });

    it('connection reset in the middle of the response body: retryable', async () => {
      collector.intercept = (req, res) => {
        req.resume();
        req.once('end', () => {
          res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 1000 });
          res.write(new Uint8Array(100), () => res.socket?.destroy());
        });
      };
      expect((await transport.send(BODY, SEND)).status).toBe('retryable');
    });

    it('server down (closed port): retryable ECONNREFUSED; once it is up again: success', async () => {
      const down = new FakeCollector(collectorServer());
      const url = await down.listen();
      await down.close();
      const toDown = kind.make(url);
      try {
        const refused = await toDown.send(BODY, SEND);
        expect(refused.status).toBe('retryable');
        if (refused.status === 'retryable') expect(refused.error).toContain('ECONNREFUSED');
        const up = new FakeCollector(collectorServer());
        await up.listen(down.port);
        try {
          expect((await toDown.send(BODY, SEND)).status).toBe('success');
          expect(up.received).toHaveLength(1);
        } finally {
          await up.close();
        }
      } finally {
        await toDown.shutdown();
      }
    });

    it('a response over 4 MiB with Content-Length: failure, not read', async () => {
      collector.reply = (res) => replyProtobuf(res, 200, new Uint8Array(MAX_RESPONSE_BYTES + 1));
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('failure');
      if (result.status === 'failure') expect(result.error).toContain(`exceeds ${MAX_RESPONSE_BYTES} bytes`);
    });

    it('a streamed 128 MiB response: failure, and the client stopped reading (memory bounded)', async () => {
      let stream: { written: () => number } | undefined;
      collector.reply = (res) => {
        stream = streamZeros(res, 128 * MIB);
      };
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('failure');
      if (result.status === 'failure') expect(result.error).toContain(`exceeds ${MAX_RESPONSE_BYTES} bytes`);
      await eventually(() => collector.abortedResponses === 1, 'the collector to see the response abandoned');
      // 4 MiB read plus what loopback socket buffers held; a client that read everything would let all 128 through.
      expect(stream!.written()).toBeLessThan(48 * MIB);
    });

    it('a gzip response that inflates past 4 MiB: failure (the cap counts decompressed bytes)', async () => {
      const bomb = new Uint8Array(gzipSync(new Uint8Array(16 * MIB)));
      expect(bomb.length).toBeLessThan(MIB / 8);
      collector.reply = (res) => replyProtobuf(res, 200, bomb, { 'Content-Encoding': 'gzip' });
      const result = await transport.send(BODY, SEND);
      expect(result.status).toBe('failure');
      if (result.status === 'failure') expect(result.error).toContain(`exceeds ${MAX_RESPONSE_BYTES} bytes`);
    });

    it('an error response over 4 MiB: failure that still names the status', async () => {
      collector.reply = (res) => replyProtobuf(res, 400, new Uint8Array(MAX_RESPONSE_BYTES + 1));
      const result = await transport.send(BODY, SEND);
      expect(result).toEqual({ status: 'failure', error: `HTTP 400: body over ${MAX_RESPONSE_BYTES} bytes, not read` });
    });
  });

  describe('shutdown and bad options', () => {
    it('shutdown aborts an in-flight request (failure) and every later send fails', async () => {
      collector.intercept = (req) => {
        req.resume();
      };
      const inFlight = transport.send(BODY, SEND);
      await eventually(() => collector.requestCount === 1, 'the request to arrive');
      await transport.shutdown();
      const result = await inFlight;
      expect(result.status).toBe('failure');
      if (result.status === 'failure') expect(result.error).toContain('shut down');
      await eventually(() => collector.abortedResponses === 1, 'the collector to see the request aborted');
      expect(await transport.send(BODY, SEND)).toEqual({ status: 'failure', error: 'transport is shut down' });
    });

    it.each([
      ['not a URL', 'not a url', undefined],
      ['a non-HTTP scheme', 'ftp://127.0.0.1/v1/traces', undefined],
      ['a header value with a newline', 'http://127.0.0.1:1/v1/traces', { 'x-bad': 'a\nb' }],
      ['a header name with a space', 'http://127.0.0.1:1/v1/traces', { 'bad name': 'v' }],
    ])('%s: sends fail with a configuration error, nothing throws', async (_what, url, headers) => {
      let bad: Transport | undefined;
      expect(() => {
        bad = kind.make(url, headers);
      }).not.toThrow();
      const result = await bad!.send(BODY, SEND);
      expect(result.status).toBe('failure');
      if (result.status === 'failure') expect(result.error).toMatch(/invalid OTLP\/HTTP transport options|must be http/);
      await bad!.shutdown();
    });

    it('an empty body and a zero timeout settle without throwing', async () => {
      expect((await transport.send(new Uint8Array(0), SEND)).status).toBe('success');
      expect(decodeExportTraceRequest(collector.received[0]!.body).resourceSpans).toEqual([]);
      const zero = await transport.send(BODY, { timeoutMs: 0, gzip: false });
      expect(['retryable', 'success']).toContain(zero.status);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// What only one of the transports has.
// ---------------------------------------------------------------------------------------------

describe('FetchTransport specifics', () => {
  it('calls the injected fetch with POST, the body, keepalive and redirect: manual', async () => {
    const calls: RequestInit[] = [];
    const fakeFetch: FetchFunction = async (_url, init) => {
      calls.push(init);
      return new Response(null, { status: 200 });
    };
    const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch: fakeFetch, keepalive: true });
    expect(await transport.send(BODY, SEND)).toEqual({ status: 'success', response: new Uint8Array(0) });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.body).toBe(BODY);
    expect(calls[0]!.keepalive).toBe(true);
    expect(calls[0]!.redirect).toBe('manual');
    expect(new Headers(calls[0]!.headers).get('content-type')).toBe('application/x-protobuf');
  });

  it('keepalive only while the in-flight keepalive bodies stay within the 64 KiB browser quota', async () => {
    const flags: (boolean | undefined)[] = [];
    const release: (() => void)[] = [];
    const fakeFetch: FetchFunction = (_url, init) => {
      flags.push(init.keepalive);
      return new Promise((resolve) => release.push(() => resolve(new Response(null, { status: 200 }))));
    };
    const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch: fakeFetch, keepalive: true });
    const first = transport.send(new Uint8Array(40_000), SEND);
    const second = transport.send(new Uint8Array(30_000), SEND); // 70,000 in flight would pass 65,536
    const third = transport.send(new Uint8Array(25_000), SEND); // 65,000 fits
    const big = transport.send(new Uint8Array(70_000), SEND);
    await eventually(() => release.length === 4, 'four fetch calls');
    for (const done of release) done();
    expect((await Promise.all([first, second, third, big])).map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);
    expect(flags).toEqual([true, false, true, false]);
    // Settled requests give their bytes back to the quota.
    const after = transport.send(new Uint8Array(60_000), SEND);
    await eventually(() => release.length === 5, 'a fifth fetch call');
    release[4]!();
    expect((await after).status).toBe('success');
    expect(flags[4]).toBe(true);
  });

  it('sendUserAgent: false leaves User-Agent to the runtime (a browser collector whose CORS policy refuses it)', async () => {
    const seen: (string | null)[] = [];
    const fakeFetch: FetchFunction = async (_url, init) => {
      seen.push(new Headers(init.headers).get('user-agent'));
      return new Response(null, { status: 200 });
    };
    await new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch: fakeFetch }).send(BODY, SEND);
    await new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch: fakeFetch, sendUserAgent: false }).send(BODY, SEND);
    expect(seen).toEqual([`spanwire/${VERSION}`, null]);
  });

  it('a relative URL resolves against the page location, as fetch in a browser would', async () => {
    const urls: string[] = [];
    const fakeFetch: FetchFunction = async (url) => {
      urls.push(url);
      return new Response(null, { status: 200 });
    };
    const scope = globalThis as { location?: unknown };
    scope.location = { href: 'https://app.example/page' };
    try {
      const transport = new FetchTransport({ url: '/v1/traces', fetch: fakeFetch });
      expect((await transport.send(BODY, SEND)).status).toBe('success');
    } finally {
      delete scope.location;
    }
    expect(urls).toEqual(['/v1/traces']);
  });

  it('a fetch that rejects (browsers give no detail) is a retryable network error', async () => {
    const transport = new FetchTransport({
      url: 'https://collector.invalid/v1/traces',
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    expect(await transport.send(BODY, SEND)).toEqual({ status: 'retryable', error: 'network error: Failed to fetch' });
  });

  it('an opaque redirect (browser redirect: manual, status 0) is a failure', async () => {
    const opaque = { status: 0, headers: new Headers(), body: null, arrayBuffer: async () => new ArrayBuffer(0) } as unknown as Response;
    const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch: async () => opaque });
    const result = await transport.send(BODY, SEND);
    expect(result.status).toBe('failure');
  });

  it('without any fetch in the runtime: failure, not a throw', async () => {
    const saved = globalThis.fetch;
    try {
      (globalThis as { fetch?: unknown }).fetch = undefined;
      const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces' });
      expect(await transport.send(BODY, SEND)).toEqual({ status: 'failure', error: 'no fetch in this runtime' });
    } finally {
      globalThis.fetch = saved;
    }
  });
});

describe('NodeHttpTransport specifics', () => {
  const collector = useLoopbackCollector();

  it('labels bodies application/json (user headers cannot change it) and gzips as told', async () => {
    const transport = createHttpTransport({
      url: collector.url, contentType: 'application/json', headers: { 'Content-Type': 'text/plain', 'x-team': 'j' },
    });
    const json = new TextEncoder().encode('{"resourceSpans":[]}');
    expect(await transport.send(json, SEND)).toMatchObject({ status: 'success' });
    expect(await transport.send(new Uint8Array(gzipSync(json)), { timeoutMs: 5000, gzip: true })).toMatchObject({ status: 'success' });
    await transport.shutdown();
    expect(collector.received.map((got) => got.headers['content-type'])).toEqual(['application/json', 'application/json']);
    expect(collector.received.map((got) => got.headers['content-encoding'])).toEqual([undefined, 'gzip']);
    expect(collector.received[0]!.headers['x-team']).toBe('j');
    expect(collector.received.map((got) => new TextDecoder().decode(got.body))).toEqual(['{"resourceSpans":[]}', '{"resourceSpans":[]}']);
  });

  it('without contentType it stays application/x-protobuf', async () => {
    const transport = createHttpTransport({ url: collector.url });
    await transport.send(BODY, SEND);
    await transport.shutdown();
    expect(collector.received[0]!.headers['content-type']).toBe('application/x-protobuf');
  });

  it('maxSockets bounds the connections: 12 concurrent sends over 2 sockets', async () => {
    let inFlight = 0;
    let peak = 0;
    collector.intercept = (req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      req.resume();
      req.once('end', () => {
        setTimeout(() => {
          inFlight--;
          collector.received.push({
            method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw: new Uint8Array(0), body: new Uint8Array(0),
            remotePort: req.socket.remotePort ?? 0,
          });
          replyProtobuf(res, 200, new Uint8Array(0));
        }, 5);
      });
    };
    const transport = new NodeHttpTransport({ url: collector.url, maxSockets: 2 });
    try {
      const results = await Promise.all(Array.from({ length: 12 }, () => transport.send(BODY, SEND)));
      expect(results.every((r) => r.status === 'success')).toBe(true);
    } finally {
      await transport.shutdown();
    }
    expect(peak).toBeLessThanOrEqual(2);
    expect(new Set(collector.received.map((got) => got.remotePort)).size).toBeLessThanOrEqual(2);
  });

  it('an answer before the upload ends (413 on the headers): failure, and that socket is dropped, not reused', async () => {
    // The caller may overwrite `body` once send settles; a socket still uploading it must not go back to the pool.
    let firstPort = 0;
    collector.intercept = (req, res) => {
      firstPort = req.socket.remotePort ?? 0;
      replyProtobuf(res, 413, encodeGoogleRpcStatus({ code: 8, message: 'request too large' }));
    };
    const transport = new NodeHttpTransport({ url: collector.url, maxSockets: 1 });
    try {
      // 32 MiB cannot fit loopback socket buffers, so the upload is still running when the 413 arrives.
      const result = await transport.send(new Uint8Array(32 * MIB), SEND);
      expect(result).toEqual({ status: 'failure', error: 'HTTP 413: request too large' });
      collector.intercept = undefined;
      expect((await transport.send(BODY, SEND)).status).toBe('success');
      expect(collector.received[0]!.remotePort).not.toBe(firstPort);
    } finally {
      await transport.shutdown();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// TLS (node:https), with certificates made at test time by openssl.
// ---------------------------------------------------------------------------------------------

describe.skipIf(!hasOpenssl())('NodeHttpTransport over TLS (skipped without openssl)', () => {
  let dir = '';
  let server: Pem;
  let client: Pem;
  let collector: FakeCollector;
  let url = '';
  const clientCertSubjects: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spanwire-http-tls-'));
    server = selfSigned(dir, 'collector');
    client = selfSigned(dir, 'client');
    const https = createHttpsServer({
      cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: false, ca: client.cert,
    });
    https.on('request', (req: IncomingMessage) => {
      const socket = req.socket as TLSSocket;
      clientCertSubjects.push(socket.authorized ? String(socket.getPeerCertificate().subject.CN) : '');
    });
    collector = new FakeCollector(https, 'https');
    url = await collector.listen();
  });
  afterAll(async () => {
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    collector.reset();
    clientCertSubjects.length = 0;
  });

  async function sendOnce(options: Omit<NodeHttpTransportOptions, 'url'>): Promise<SendResult> {
    const transport = new NodeHttpTransport({ url, ...options });
    try {
      return await transport.send(GZIP_BODY, { timeoutMs: 5000, gzip: true });
    } finally {
      await transport.shutdown();
    }
  }

  it('trusts a CA given as PEM text', async () => {
    expect((await sendOnce({ ca: server.cert })).status).toBe('success');
    expect(listSpans(decodeExportTraceRequest(collector.received[0]!.body))).toHaveLength(REQUEST_SPAN_COUNT);
  });

  it('trusts a CA given as a file path (OTEL_EXPORTER_OTLP_CERTIFICATE)', async () => {
    expect((await sendOnce({ ca: server.certPath })).status).toBe('success');
  });

  it('an untrusted self-signed certificate: failure (retrying cannot fix it)', async () => {
    const result = await sendOnce({});
    expect(result.status).toBe('failure');
    if (result.status === 'failure') expect(result.error).toMatch(/SELF_SIGNED|self.signed/i);
    expect(collector.received).toHaveLength(0);
  });

  it('presents a client certificate for mTLS, from files or PEM text', async () => {
    expect((await sendOnce({ ca: server.certPath, cert: client.certPath, key: client.keyPath })).status).toBe('success');
    expect((await sendOnce({ ca: server.cert, cert: client.cert, key: client.key })).status).toBe('success');
    expect(clientCertSubjects).toEqual(['client', 'client']);
  });

  it('a missing PEM file: every send fails with a configuration error', async () => {
    const result = await sendOnce({ ca: join(dir, 'missing.pem') });
    expect(result.status).toBe('failure');
    if (result.status === 'failure') expect(result.error).toContain('missing.pem');
  });
});

// ---------------------------------------------------------------------------------------------
// createHttpTransport.
// ---------------------------------------------------------------------------------------------

describe('createHttpTransport', () => {
  it('defaults to node:http (measured faster on Node) and keeps fetch selectable', async () => {
    expect(DEFAULT_HTTP_TRANSPORT).toBe('node-http');
    const byDefault = createHttpTransport({ url: 'http://127.0.0.1:1/v1/traces' });
    const fetchOne = createHttpTransport({ url: 'http://127.0.0.1:1/v1/traces', transport: 'fetch' });
    const nodeOne = createHttpTransport({ url: 'http://127.0.0.1:1/v1/traces', transport: 'node-http' });
    expect(byDefault).toBeInstanceOf(NodeHttpTransport);
    expect(fetchOne).toBeInstanceOf(FetchTransport);
    expect(nodeOne).toBeInstanceOf(NodeHttpTransport);
    await Promise.all([byDefault.shutdown(), fetchOne.shutdown(), nodeOne.shutdown()]);
  });

  it('passes fetch options through (injected fetch, keepalive)', async () => {
    let keepalive: boolean | undefined;
    const transport = createHttpTransport({
      url: 'http://127.0.0.1:1/v1/traces',
      transport: 'fetch',
      keepalive: true,
      fetch: async (_url, init) => {
        keepalive = init.keepalive;
        return new Response(null, { status: 200 });
      },
    });
    expect((await transport.send(BODY, SEND)).status).toBe('success');
    expect(keepalive).toBe(true);
  });

  it('fetch with TLS options: every send fails and says to use node-http', async () => {
    const transport = createHttpTransport({ url: 'https://127.0.0.1:1/v1/traces', transport: 'fetch', ca: '-----BEGIN CERTIFICATE-----' });
    const result = await transport.send(BODY, SEND);
    expect(result.status).toBe('failure');
    if (result.status === 'failure') expect(result.error).toContain("'node-http'");
    await transport.shutdown();
  });
});

// ---------------------------------------------------------------------------------------------
// sendWithRetry over the fetch transport.
// ---------------------------------------------------------------------------------------------

/** Tiny real-time backoffs: 4 attempts, 2 -> 4 -> 8 ms. */
const FAST_RETRY: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 2, maxBackoffMs: 8, backoffMultiplier: 2, jitter: 0.2 };

describe('sendWithRetry over FetchTransport (real loopback)', () => {
  const collector = useLoopbackCollector();
  let transport: FetchTransport;
  beforeEach(() => {
    transport = new FetchTransport({ url: collector.url });
  });
  afterEach(async () => {
    await transport.shutdown();
  });

  it.each([429, 502, 503, 504])('%i every time: maxAttempts attempts, then the retryable result', async (status) => {
    collector.reply = (res) => replyProtobuf(res, status, new Uint8Array(0));
    const sent = await sendWithRetry(transport, BODY, false, 10_000, FAST_RETRY);
    expect(sent).toMatchObject({ attempts: 4, timedOut: false, result: { status: 'retryable' } });
    expect(collector.received).toHaveLength(4);
  });

  it.each([400, 401, 403, 404, 413, 500])('%i: one attempt, failure', async (status) => {
    collector.reply = (res) => replyProtobuf(res, status, encodeGoogleRpcStatus({ code: 3, message: 'no' }));
    const sent = await sendWithRetry(transport, BODY, false, 10_000, FAST_RETRY);
    expect(sent).toEqual({ attempts: 1, timedOut: false, result: { status: 'failure', error: `HTTP ${status}: no` } });
    expect(collector.received).toHaveLength(1);
  });

  it('200 (even with partial success): one attempt', async () => {
    collector.reply = (res) => replyProtobuf(res, 200, encodeExportTraceResponse({ rejectedSpans: 2, errorMessage: 'dup' }));
    const sent = await sendWithRetry(transport, BODY, false, 10_000, FAST_RETRY);
    expect(sent.attempts).toBe(1);
    expect(sent.result.status).toBe('success');
  });

  it('503, 503, then 200: three attempts, success, the same body each time', async () => {
    let n = 0;
    collector.reply = (res) => replyProtobuf(res, ++n < 3 ? 503 : 200, new Uint8Array(0));
    const sent = await sendWithRetry(transport, GZIP_BODY, true, 10_000, FAST_RETRY);
    expect(sent).toMatchObject({ attempts: 3, timedOut: false, result: { status: 'success' } });
    for (const got of collector.received) expect(got.body).toEqual(BODY);
  });

  it('connection refused every time: maxAttempts attempts, retryable', async () => {
    const down = new FakeCollector(collectorServer());
    const url = await down.listen();
    await down.close();
    const toDown = new FetchTransport({ url });
    const sent = await sendWithRetry(toDown, BODY, false, 10_000, FAST_RETRY);
    expect(sent).toMatchObject({ attempts: 4, timedOut: false, result: { status: 'retryable' } });
    await toDown.shutdown();
  });

  it('Retry-After: 0 overrides a backoff that would not fit the deadline', async () => {
    // Without the header the first 60 s backoff would end the export after one attempt (deadline 10 s).
    const slow: RetryPolicy = { ...FAST_RETRY, initialBackoffMs: 60_000, maxBackoffMs: 60_000 };
    collector.reply = (res) => replyProtobuf(res, 429, new Uint8Array(0), { 'Retry-After': '0' });
    const sent = await sendWithRetry(transport, BODY, false, 10_000, slow);
    expect(sent.attempts).toBe(4);
    collector.reply = (res) => replyProtobuf(res, 429, new Uint8Array(0));
    collector.received.length = 0;
    expect(await sendWithRetry(transport, BODY, false, 10_000, slow)).toMatchObject({ attempts: 1, timedOut: true });
  });

  it('the deadline bounds retries: a collector that always answers 503 ends the export by timeout', async () => {
    const many: RetryPolicy = { maxAttempts: 1000, initialBackoffMs: 20, maxBackoffMs: 20, backoffMultiplier: 1, jitter: 0 };
    collector.reply = (res) => replyProtobuf(res, 503, new Uint8Array(0));
    const started = Date.now();
    const sent = await sendWithRetry(transport, BODY, false, 300, many);
    expect(sent.timedOut).toBe(true);
    expect(sent.result.status).toBe('retryable');
    expect(sent.attempts).toBeGreaterThanOrEqual(1);
    expect(sent.attempts).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a hanging collector: the attempt gets the time left and the export ends at the deadline', async () => {
    collector.intercept = (req) => {
      req.resume();
    };
    const sent = await sendWithRetry(transport, BODY, false, 200, FAST_RETRY);
    expect(sent).toMatchObject({ timedOut: true, result: { status: 'retryable' } });
    await eventually(() => collector.abortedResponses >= 1, 'the collector to see the request aborted');
  });
});

describe('sendWithRetry delays (fake timers, injected fetch)', () => {
  /** A fetch answering from a script, recording the (fake) time of each call. */
  function scriptedFetch(answers: (() => Response)[]): { fetch: FetchFunction; callTimes: number[] } {
    const callTimes: number[] = [];
    const fetch: FetchFunction = async () => {
      callTimes.push(Date.now());
      const answer = answers[Math.min(callTimes.length - 1, answers.length - 1)]!;
      return answer();
    };
    return { fetch, callTimes };
  }

  const status = (code: number, headers: Record<string, string> = {}) => () => new Response(null, { status: code, headers });

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-01T12:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // The system time is 12:00:00.000, so the HTTP date is exactly 30 s ahead.
  it.each([
    ['Retry-After: 120 (seconds) delays the second attempt by exactly 120 s', 503, '120', 120_000],
    ['Retry-After as an HTTP date 30 s ahead delays the second attempt by 30 s', 429, 'Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
  ] as const)('%s', async (_name, code, retryAfter, waitMs) => {
    const { fetch, callTimes } = scriptedFetch([status(code, { 'Retry-After': retryAfter }), status(200)]);
    const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch });
    const pending = sendWithRetry(transport, BODY, false, 600_000, DEFAULT_RETRY_POLICY);
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(callTimes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(callTimes).toHaveLength(2);
    expect(await pending).toMatchObject({ attempts: 2, timedOut: false, result: { status: 'success' } });
    expect(callTimes[1]! - callTimes[0]!).toBe(waitMs);
  });

  it('a Retry-After past the deadline ends the export at once (no sleep), timedOut', async () => {
    const { fetch, callTimes } = scriptedFetch([status(503, { 'Retry-After': '120' })]);
    const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch });
    const sent = await sendWithRetry(transport, BODY, false, 10_000, DEFAULT_RETRY_POLICY);
    expect(sent).toMatchObject({ attempts: 1, timedOut: true, result: { status: 'retryable', retryAfterMs: 120_000 } });
    expect(callTimes).toEqual([Date.now()]);
  });

  it('the default policy: 1 s, 1.5 s, 2.25 s, 3.375 s backoffs, 5 attempts, each within ±20 % for any random()', async () => {
    const nominal = [1000, 1500, 2250, 3375];
    for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
      const { fetch, callTimes } = scriptedFetch([status(503)]);
      const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch });
      const pending = sendWithRetry(transport, BODY, false, 60_000, DEFAULT_RETRY_POLICY, () => r);
      await vi.runAllTimersAsync();
      const sent = await pending;
      expect(sent).toMatchObject({ attempts: 5, timedOut: false, result: { status: 'retryable' } });
      const gaps = callTimes.slice(1).map((t, i) => t - callTimes[i]!);
      gaps.forEach((gap, i) => {
        const expected = nominal[i]! * (0.8 + 0.4 * r);
        expect(Math.abs(gap - expected)).toBeLessThanOrEqual(1);
        expect(gap).toBeGreaterThanOrEqual(Math.floor(nominal[i]! * 0.8));
        expect(gap).toBeLessThanOrEqual(Math.ceil(nominal[i]! * 1.2));
      });
    }
  });

  it('the backoff stops growing at maxBackoffMs (5 s)', async () => {
    const { fetch, callTimes } = scriptedFetch([status(502)]);
    const transport = new FetchTransport({ url: 'http://127.0.0.1:1/v1/traces', fetch });
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 8 };
    const pending = sendWithRetry(transport, BODY, false, 120_000, policy, () => 0.5);
    await vi.runAllTimersAsync();
    await pending;
    const gaps = callTimes.slice(1).map((t, i) => t - callTimes[i]!);
    expect(gaps).toEqual([1000, 1500, 2250, 3375, 5000, 5000, 5000]);
  });
});

describe('Retry-After parsing (transport.ts)', () => {
  it('seconds, HTTP dates, past dates and garbage', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfterMs('0', now)).toBe(0);
    expect(parseRetryAfterMs(' 42 ', now)).toBe(42_000);
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  // Regression guard: Date.parse once read "1.5" and "-1" as dates, so they meant "retry now".
  it('a malformed Retry-After (fractional or negative seconds) is ignored, not read as "retry now"', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfterMs('1.5', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
    expect(parseRetryAfterMs('2', now)).toBe(2000);
  });
});
