// OTLP/gRPC transport against real loopback servers: a @grpc/grpc-js server for the status-code rules and a raw
// node:http2 server that sees the wire as it is (grpc-encoding, the compressed flag, Trailers-Only responses).
// Requests are checked with the independent oracle; nothing leaves loopback and no assertion depends on timing.
import { mkdtempSync, rmSync } from 'node:fs';
import * as http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePartialSuccess } from '../src/export/otlp-response.js';
import { sendWithRetry, type RetryPolicy } from '../src/export/retrying-transport.js';
import { MAX_RESPONSE_BYTES, type SendResult } from '../src/export/transport.js';
import {
  GrpcTransport, type GrpcTransportOptions, TRACE_EXPORT_METHOD, classifyGrpcError,
} from '../src/runtime/node/otlp-grpc-transport.js';
import { VERSION } from '../src/version.js';
import {
  RETRY_INFO_TYPE_URL, decodeExportTraceRequest, encodeExportTraceResponse, encodeGoogleRpcStatus, encodeRetryInfo,
  listSpans,
} from './support/otlp-decode.js';
import { type ExportHandler, bindGrpcServer, startTraceServiceServer } from './support/otlp-fake-receiver.js';
import { REQUEST_SPAN_COUNT, exportRequestBody } from './support/otlp-request-fixture.js';
import { TYPE_NAMES, messageType } from './support/otlp-trace-schema.js';
import { type Pem, hasOpenssl, selfSigned } from './support/self-signed-certificates.js';

const BODY = exportRequestBody('grpc-transport-test');
const SEND = { timeoutMs: 5000, gzip: false };
const FAST_RETRY: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20, backoffMultiplier: 2, jitter: 0 };

// ---------------------------------------------------------------------------------------------
// A grpc-js server (the fake receiver's TraceService) whose Export method hands the raw request bytes to the test.
// ---------------------------------------------------------------------------------------------

interface ReceivedCall {
  request: Uint8Array;
  metadata: grpc.Metadata;
}

const servers: grpc.Server[] = [];
const transports: GrpcTransport[] = [];

async function startGrpcServer(
  handler: ExportHandler, options: { credentials?: grpc.ServerCredentials; port?: number } = {},
): Promise<{ port: number; calls: ReceivedCall[]; server: grpc.Server }> {
  const calls: ReceivedCall[] = [];
  const { server, port } = await startTraceServiceServer((call, callback) => {
    calls.push({ request: Uint8Array.from(call.request), metadata: call.metadata });
    handler(call, callback);
  }, options);
  servers.push(server);
  return { port, calls, server };
}

function reply(response: Uint8Array = encodeExportTraceResponse()): ExportHandler {
  return (_call, callback) => callback(null, Buffer.from(response));
}

function statusError(code: grpc.status, details: string, rpcStatus?: Uint8Array): grpc.ServerErrorResponse {
  const metadata = new grpc.Metadata();
  if (rpcStatus !== undefined) metadata.set('grpc-status-details-bin', Buffer.from(rpcStatus));
  return Object.assign(new Error(details), { code, details, metadata });
}

function fail(code: grpc.status, details: string, rpcStatus?: Uint8Array): ExportHandler {
  return (_call, callback) => callback(statusError(code, details, rpcStatus));
}

/** Answers with each handler in turn, then keeps using the last one. */
function sequence(...handlers: ExportHandler[]): ExportHandler {
  let next = 0;
  return (call, callback) => handlers[Math.min(next++, handlers.length - 1)]!(call, callback);
}

function retryInfoStatus(delayMs: number, message = 'over quota'): Uint8Array {
  return encodeGoogleRpcStatus({ code: grpc.status.RESOURCE_EXHAUSTED, message, details: [encodeRetryInfo(delayMs)] });
}

function transport(options: GrpcTransportOptions): GrpcTransport {
  const created = new GrpcTransport(options);
  transports.push(created);
  return created;
}

function insecureTo(port: number, options: Partial<GrpcTransportOptions> = {}): GrpcTransport {
  return transport({ url: `http://127.0.0.1:${port}`, ...options });
}

/** A port nothing listens on: bound by a server that is then shut down. */
async function freePort(): Promise<number> {
  const server = new grpc.Server();
  const port = await bindGrpcServer(server);
  server.forceShutdown();
  return port;
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/2 server: sees headers and the 5-byte gRPC message prefix before any gRPC library touches them.
// ---------------------------------------------------------------------------------------------

interface RawCall {
  headers: http2.IncomingHttpHeaders;
  /** The request's gRPC message prefix byte: 1 when the message is compressed. */
  compressedFlag: number;
  /** The message bytes as they crossed the wire (still compressed when the flag is 1). */
  message: Buffer;
}

type RawResponder = (stream: http2.ServerHttp2Stream) => void;

const rawServers: { server: http2.Http2Server; sessions: Set<http2.ServerHttp2Session> }[] = [];

async function startRawServer(respond: RawResponder): Promise<{ port: number; calls: RawCall[] }> {
  const calls: RawCall[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const frame = Buffer.concat(chunks);
      const length = frame.readUInt32BE(1);
      calls.push({ headers, compressedFlag: frame[0]!, message: frame.subarray(5, 5 + length) });
      respond(stream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rawServers.push({ server, sessions });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('raw server has no port');
  return { port: address.port, calls };
}

function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

const GRPC_RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': 'identity,gzip' };

function rawOk(response: Uint8Array = encodeExportTraceResponse()): RawResponder {
  return (stream) => {
    stream.respond(GRPC_RESPONSE_HEADERS, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(grpcFrame(response));
  };
}

function statusTrailers(code: number, message: string, rpcStatus?: Uint8Array): http2.OutgoingHttpHeaders {
  const trailers: http2.OutgoingHttpHeaders = { 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) };
  if (rpcStatus !== undefined) trailers['grpc-status-details-bin'] = Buffer.from(rpcStatus).toString('base64');
  return trailers;
}

/** Trailers-Only: one HEADERS frame with END_STREAM carrying the status (gRPC over HTTP/2, "Responses"). */
function rawTrailersOnly(code: number, message: string, rpcStatus?: Uint8Array): RawResponder {
  return (stream) => stream.respond({ ...GRPC_RESPONSE_HEADERS, ...statusTrailers(code, message, rpcStatus) }, { endStream: true });
}

/** Response headers first, no message, then the status in a separate trailing HEADERS frame. */
function rawHeadersThenTrailers(code: number, message: string, rpcStatus?: Uint8Array): RawResponder {
  return (stream) => {
    stream.respond(GRPC_RESPONSE_HEADERS, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(statusTrailers(code, message, rpcStatus)));
    stream.end();
  };
}

// ---------------------------------------------------------------------------------------------

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  for (const t of transports.splice(0)) await t.shutdown();
  for (const server of servers.splice(0)) server.forceShutdown();
  for (const { server, sessions } of rawServers.splice(0)) {
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

function expectRetryable(result: SendResult, codeName: string, retryAfterMs?: number): void {
  expect(result.status).toBe('retryable');
  if (result.status !== 'retryable') return;
  expect(result.error).toContain(codeName);
  expect(result.retryAfterMs).toBe(retryAfterMs);
}

function expectFailure(result: SendResult, ...fragments: string[]): void {
  expect(result.status).toBe('failure');
  if (result.status !== 'failure') return;
  for (const fragment of fragments) expect(result.error).toContain(fragment);
}

describe('GrpcTransport on a plain-text channel', () => {
  it('sends the body byte for byte and returns an empty response as success', async () => {
    const { port, calls } = await startGrpcServer(reply());
    const result = await insecureTo(port).send(BODY, SEND);
    expect(result).toEqual({ status: 'success', response: new Uint8Array(0) });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.request).toEqual(BODY);
    const spans = listSpans(decodeExportTraceRequest(calls[0]!.request));
    expect(spans.map((s) => s.span.name)).toEqual(Array.from({ length: REQUEST_SPAN_COUNT }, (_, i) => `span-${i}`));
  });

  it('sends exactly the viewed bytes of a body that is a window into a larger buffer', async () => {
    const { port, calls } = await startGrpcServer(reply());
    const backing = new Uint8Array(BODY.length + 64).fill(0xee);
    backing.set(BODY, 32);
    const window = backing.subarray(32, 32 + BODY.length);
    expect((await insecureTo(port).send(window, SEND)).status).toBe('success');
    expect(calls[0]!.request).toEqual(BODY);
    expect(backing.subarray(0, 32).every((b) => b === 0xee)).toBe(true);
  });

  it('returns the ExportTraceServiceResponse bytes of a partial success', async () => {
    const response = encodeExportTraceResponse({ rejectedSpans: 3, errorMessage: 'spans too old' });
    const { port } = await startGrpcServer(reply(response));
    const result = await insecureTo(port).send(BODY, SEND);
    expect(result.status).toBe('success');
    if (result.status !== 'success') return;
    expect(result.response).toEqual(response);
    expect(decodePartialSuccess(result.response)).toEqual({ rejectedSpans: 3, errorMessage: 'spans too old' });
  });

  it('sends headers as metadata: keys lowercased, -bin values as binary, a User-Agent naming spanwire', async () => {
    const { port, calls } = await startGrpcServer(reply());
    const warnings: string[] = [];
    const binary = Uint8Array.from([0, 1, 0x7f, 0x80, 0xff]);
    const client = insecureTo(port, {
      headers: {
        'X-Api-Key': 'secret-123',
        'Tenant-Ctx-Bin': Buffer.from(binary).toString('base64'),
        'bad key': 'skipped',
        'x-bad-value': 'line\nbreak',
      },
      warn: (message) => warnings.push(message),
    });
    expect((await client.send(BODY, SEND)).status).toBe('success');
    expect((await client.send(BODY, SEND)).status).toBe('success');
    for (const { metadata } of calls) {
      expect(metadata.get('x-api-key')).toEqual(['secret-123']);
      expect(metadata.get('tenant-ctx-bin').map((v) => Uint8Array.from(v as Buffer))).toEqual([binary]);
      expect(String(metadata.get('user-agent')[0])).toMatch(new RegExp(`^spanwire/${VERSION.replace(/\./g, '\\.')} `));
      expect(metadata.get('bad key')).toEqual([]);
      expect(metadata.get('x-bad-value')).toEqual([]);
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("'bad key'");
    expect(warnings[1]).toContain("'x-bad-value'");
  });

  it('classifies UNAVAILABLE as retryable', async () => {
    const { port } = await startGrpcServer(fail(grpc.status.UNAVAILABLE, 'collector restarting'));
    const result = await insecureTo(port).send(BODY, SEND);
    expectRetryable(result, 'UNAVAILABLE');
    expect(result.status === 'retryable' && result.error).toContain('collector restarting');
  });

  it('classifies a handler slower than the deadline as DEADLINE_EXCEEDED, retryable', async () => {
    // The handler never answers: the 150 ms deadline (client timer or the server's grpc-timeout) ends the call.
    const { port } = await startGrpcServer(() => {});
    const result = await insecureTo(port).send(BODY, { timeoutMs: 150, gzip: false });
    expectRetryable(result, 'DEADLINE_EXCEEDED');
  });

  it('classifies RESOURCE_EXHAUSTED with RetryInfo as retryable after its retry_delay', async () => {
    const { port } = await startGrpcServer(fail(grpc.status.RESOURCE_EXHAUSTED, 'over quota', retryInfoStatus(250)));
    expectRetryable(await insecureTo(port).send(BODY, SEND), 'RESOURCE_EXHAUSTED', 250);
  });

  it('classifies RESOURCE_EXHAUSTED without RetryInfo as a failure', async () => {
    const withoutRetryInfo = encodeGoogleRpcStatus({ code: grpc.status.RESOURCE_EXHAUSTED, message: 'quota gone' });
    const { port } = await startGrpcServer(sequence(
      fail(grpc.status.RESOURCE_EXHAUSTED, 'no details'),
      fail(grpc.status.RESOURCE_EXHAUSTED, 'quota gone', withoutRetryInfo),
    ));
    const client = insecureTo(port);
    expectFailure(await client.send(BODY, SEND), 'RESOURCE_EXHAUSTED', 'no details');
    expectFailure(await client.send(BODY, SEND), 'RESOURCE_EXHAUSTED', 'quota gone');
  });

  it('classifies INVALID_ARGUMENT and UNAUTHENTICATED as failures carrying the status message', async () => {
    const { port } = await startGrpcServer(sequence(
      fail(grpc.status.INVALID_ARGUMENT, 'span id must be 8 bytes'),
      fail(grpc.status.UNAUTHENTICATED, 'missing api key'),
    ));
    const client = insecureTo(port);
    expectFailure(await client.send(BODY, SEND), 'INVALID_ARGUMENT', 'span id must be 8 bytes');
    expectFailure(await client.send(BODY, SEND), 'UNAUTHENTICATED', 'missing api key');
  });

  it.each([
    [grpc.status.CANCELLED, 'retryable'],
    [grpc.status.ABORTED, 'retryable'],
    [grpc.status.OUT_OF_RANGE, 'retryable'],
    [grpc.status.DATA_LOSS, 'retryable'],
    [grpc.status.UNKNOWN, 'failure'],
    [grpc.status.NOT_FOUND, 'failure'],
    [grpc.status.ALREADY_EXISTS, 'failure'],
    [grpc.status.PERMISSION_DENIED, 'failure'],
    [grpc.status.FAILED_PRECONDITION, 'failure'],
    [grpc.status.UNIMPLEMENTED, 'failure'],
    [grpc.status.INTERNAL, 'failure'],
  ])('classifies status %i from a server as %s', async (code, expected) => {
    const { port } = await startGrpcServer(fail(code, `injected ${grpc.status[code]}`));
    const result = await insecureTo(port).send(BODY, SEND);
    expect(result.status).toBe(expected);
    expect(result.status !== 'success' && result.error).toContain(`injected ${grpc.status[code]}`);
  });

  it('fails with UNIMPLEMENTED against a gRPC server without the TraceService', async () => {
    const server = new grpc.Server();
    const port = await bindGrpcServer(server);
    servers.push(server);
    expectFailure(await insecureTo(port).send(BODY, SEND), 'UNIMPLEMENTED');
  });

  it('accepts a response of exactly 4 MiB and fails one byte over it', async () => {
    // A bytes-only ExportTraceServiceResponse payload: the transport never parses it, grpc-js only counts it.
    const { port } = await startGrpcServer(sequence(
      reply(new Uint8Array(MAX_RESPONSE_BYTES)),
      reply(new Uint8Array(MAX_RESPONSE_BYTES + 1)),
    ));
    const client = insecureTo(port);
    const atCap = await client.send(BODY, SEND);
    expect(atCap.status === 'success' && atCap.response.length).toBe(MAX_RESPONSE_BYTES);
    expectFailure(await client.send(BODY, SEND), 'RESOURCE_EXHAUSTED');
  });

  it('is retryable while no server listens, and succeeds once one comes up on that port', async () => {
    const port = await freePort();
    const client = insecureTo(port);
    expectRetryable(await client.send(BODY, SEND), 'UNAVAILABLE');
    const { calls } = await startGrpcServer(reply(), { port });
    // grpc-js waits out its reconnect backoff (1 s +-20 % after the first failure) before it dials again.
    const policy: RetryPolicy = { maxAttempts: 100, initialBackoffMs: 100, maxBackoffMs: 200, backoffMultiplier: 2, jitter: 0 };
    const retried = await sendWithRetry(client, BODY, false, 10_000, policy);
    expect(retried.result.status).toBe('success');
    expect(retried.timedOut).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('fails every send after shutdown, without reaching the server', async () => {
    const { port, calls } = await startGrpcServer(reply());
    const client = insecureTo(port);
    expect((await client.send(BODY, SEND)).status).toBe('success');
    await client.shutdown();
    await client.shutdown();
    expectFailure(await client.send(BODY, SEND), 'shut down');
    expect(calls).toHaveLength(1);
  });

  it('settles a call in flight when shut down', async () => {
    let release: (() => void) | undefined;
    const { port } = await startGrpcServer((_call, callback) => {
      release = () => callback(null, Buffer.alloc(0));
    });
    const client = insecureTo(port);
    const pending = client.send(BODY, SEND);
    while (release === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    await client.shutdown();
    release();
    // grpc-js closes the channel to new calls only: one already on the wire runs to its end.
    expect((await pending).status).toBe('success');
  });
});

describe('GrpcTransport wire behaviour (raw HTTP/2 server)', () => {
  it('reads the status and RetryInfo from a Trailers-Only response', async () => {
    const { port } = await startRawServer(rawTrailersOnly(grpc.status.RESOURCE_EXHAUSTED, 'slow down', retryInfoStatus(250)));
    expectRetryable(await insecureTo(port).send(BODY, SEND), 'RESOURCE_EXHAUSTED', 250);
  });

  it('reads the status and RetryInfo from trailers after response headers', async () => {
    const { port } = await startRawServer(rawHeadersThenTrailers(grpc.status.RESOURCE_EXHAUSTED, 'slow down', retryInfoStatus(1500)));
    expectRetryable(await insecureTo(port).send(BODY, SEND), 'RESOURCE_EXHAUSTED', 1500);
  });

  it('reads non-retryable codes from both response forms', async () => {
    const trailersOnly = await startRawServer(rawTrailersOnly(grpc.status.PERMISSION_DENIED, 'tenant disabled'));
    const separate = await startRawServer(rawHeadersThenTrailers(grpc.status.PERMISSION_DENIED, 'tenant disabled'));
    expectFailure(await insecureTo(trailersOnly.port).send(BODY, SEND), 'PERMISSION_DENIED', 'tenant disabled');
    expectFailure(await insecureTo(separate.port).send(BODY, SEND), 'PERMISSION_DENIED', 'tenant disabled');
  });

  it('honours RetryInfo on a code that is retryable anyway', async () => {
    const status = encodeGoogleRpcStatus({ code: grpc.status.UNAVAILABLE, details: [encodeRetryInfo(2000)] });
    const { port } = await startRawServer(rawTrailersOnly(grpc.status.UNAVAILABLE, 'draining', status));
    expectRetryable(await insecureTo(port).send(BODY, SEND), 'UNAVAILABLE', 2000);
  });

  it('sends an uncompressed message by default, with the path, content type and a grpc-timeout', async () => {
    const { port, calls } = await startRawServer(rawOk());
    expect((await insecureTo(port).send(BODY, SEND)).status).toBe('success');
    const call = calls[0]!;
    expect(call.headers[':path']).toBe(TRACE_EXPORT_METHOD);
    expect(call.headers['content-type']).toBe('application/grpc');
    expect(call.headers['grpc-encoding'] ?? 'identity').toBe('identity');
    expect(call.headers['grpc-timeout']).toMatch(/^\d{1,8}[HMSmun]$/);
    expect(call.compressedFlag).toBe(0);
    expect(Uint8Array.from(call.message)).toEqual(BODY);
  });

  it('gzips each message with compression: gzip (grpc-encoding: gzip, compressed flag 1)', async () => {
    const { port, calls } = await startRawServer(rawOk());
    const client = insecureTo(port, { compression: 'gzip' });
    expect((await client.send(BODY, SEND)).status).toBe('success');
    expect((await client.send(BODY, SEND)).status).toBe('success');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.headers['grpc-encoding']).toBe('gzip');
      expect(call.compressedFlag).toBe(1);
      expect(call.message.length).toBeLessThan(BODY.length);
      const inflated = Uint8Array.from(gunzipSync(call.message));
      expect(inflated).toEqual(BODY);
      expect(listSpans(decodeExportTraceRequest(inflated))).toHaveLength(REQUEST_SPAN_COUNT);
    }
  });

  it('refuses a pre-compressed body without sending anything', async () => {
    const { port, calls } = await startRawServer(rawOk());
    expectFailure(await insecureTo(port, { compression: 'gzip' }).send(BODY, { timeoutMs: 1000, gzip: true }), 'pre-compressed');
    expect(calls).toHaveLength(0);
  });
});

describe('GrpcTransport compression against a grpc-js server', () => {
  it('delivers gzip-compressed requests that the server inflates to the same bytes', async () => {
    const { port, calls } = await startGrpcServer(reply(encodeExportTraceResponse({ rejectedSpans: 1 })));
    const result = await insecureTo(port, { compression: 'gzip' }).send(BODY, SEND);
    expect(result.status === 'success' && decodePartialSuccess(result.response)).toEqual({ rejectedSpans: 1, errorMessage: '' });
    expect(calls[0]!.request).toEqual(BODY);
  });
});

describe('GrpcTransport configuration', () => {
  it('fails sends, and warns once, for an endpoint it cannot use', async () => {
    for (const url of ['ftp://127.0.0.1:4317', 'http://', '::not a url::']) {
      const warnings: string[] = [];
      const client = transport({ url, warn: (message) => warnings.push(message) });
      expectFailure(await client.send(BODY, SEND), url.startsWith('ftp') ? 'scheme' : 'endpoint');
      expect(warnings).toHaveLength(1);
    }
  });

  it('fails sends for a client key without a certificate', async () => {
    const warnings: string[] = [];
    const client = transport({ url: 'https://127.0.0.1:4317', credentials: { key: 'not-a-key' }, warn: (m) => warnings.push(m) });
    expectFailure(await client.send(BODY, SEND), 'TLS credentials');
    expect(warnings).toHaveLength(1);
  });

  it('uses plain text for a scheme-less endpoint only when insecure', async () => {
    const { port, calls } = await startGrpcServer(reply());
    expect((await transport({ url: `127.0.0.1:${port}`, insecure: true }).send(BODY, SEND)).status).toBe('success');
    // Without insecure the client speaks TLS to a plain-text server: the handshake fails, which gRPC calls UNAVAILABLE.
    expectRetryable(await transport({ url: `localhost:${port}` }).send(BODY, SEND), 'UNAVAILABLE');
    expect(calls).toHaveLength(1);
  });
});

describe('classifyGrpcError', () => {
  const retryInfo = (delayMs: number): grpc.Metadata => {
    const metadata = new grpc.Metadata();
    metadata.set('grpc-status-details-bin', Buffer.from(retryInfoStatus(delayMs)));
    return metadata;
  };

  it('follows the OTLP table for every code, with and without RetryInfo', () => {
    const retryable = new Set<number>([
      grpc.status.CANCELLED, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED,
      grpc.status.OUT_OF_RANGE, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS,
    ]);
    for (let code = 1; code <= 16; code++) {
      expect(classifyGrpcError(code, 'x').status).toBe(retryable.has(code) ? 'retryable' : 'failure');
      const withInfo = classifyGrpcError(code, 'x', retryInfo(300));
      const expected = retryable.has(code) || code === grpc.status.RESOURCE_EXHAUSTED;
      expect(withInfo).toMatchObject(expected ? { status: 'retryable', retryAfterMs: 300 } : { status: 'failure' });
    }
  });

  it('treats malformed grpc-status-details-bin as absent', () => {
    const metadata = new grpc.Metadata();
    metadata.set('grpc-status-details-bin', Buffer.from([0x1a, 0x7f]));
    expect(classifyGrpcError(grpc.status.RESOURCE_EXHAUSTED, 'x', metadata).status).toBe('failure');
  });
});

describe('responses from a misbehaving server, through the gRPC transport', () => {
  // Regression guard: int64/int32 fields read as unsigned once turned negatives into huge numbers.
  it('does not turn rejected_spans = -1 into 1.8e19 rejected spans', async () => {
    const { port } = await startGrpcServer(reply(encodeExportTraceResponse({ rejectedSpans: -1, errorMessage: 'odd' })));
    const result = await insecureTo(port).send(BODY, SEND);
    expect(result.status).toBe('success');
    const partial = result.status === 'success' ? decodePartialSuccess(result.response) : undefined;
    expect(partial === undefined || (Number.isSafeInteger(partial.rejectedSpans) && partial.rejectedSpans >= 0)).toBe(true);
  });

  // Regression guard: int64/int32 fields read as unsigned once turned negatives into huge numbers.
  it('does not turn a negative RetryInfo delay into 1.8e22 ms', async () => {
    const type = messageType(TYPE_NAMES.googleRpcRetryInfo);
    const negative = Uint8Array.from(type.encode(type.fromObject({ retryDelay: { seconds: '-5' } })).finish());
    const status = encodeGoogleRpcStatus({
      code: grpc.status.RESOURCE_EXHAUSTED, details: [{ typeUrl: RETRY_INFO_TYPE_URL, value: negative }],
    });
    const { port } = await startGrpcServer(fail(grpc.status.RESOURCE_EXHAUSTED, 'negative delay', status));
    const result = await insecureTo(port).send(BODY, SEND);
    const delayMs = result.status === 'retryable' ? result.retryAfterMs : undefined;
    expect(delayMs === undefined || delayMs === 0).toBe(true);
  });
});

describe('GrpcTransport through sendWithRetry', () => {
  it.each([
    ['UNAVAILABLE', 3, 'retryable', fail(grpc.status.UNAVAILABLE, 'down')],
    ['ABORTED', 3, 'retryable', fail(grpc.status.ABORTED, 'conflict')],
    ['DATA_LOSS', 3, 'retryable', fail(grpc.status.DATA_LOSS, 'lost')],
    ['RESOURCE_EXHAUSTED with RetryInfo', 3, 'retryable', fail(grpc.status.RESOURCE_EXHAUSTED, 'quota', retryInfoStatus(10))],
    ['RESOURCE_EXHAUSTED without RetryInfo', 1, 'failure', fail(grpc.status.RESOURCE_EXHAUSTED, 'quota')],
    ['INVALID_ARGUMENT', 1, 'failure', fail(grpc.status.INVALID_ARGUMENT, 'bad')],
    ['UNAUTHENTICATED', 1, 'failure', fail(grpc.status.UNAUTHENTICATED, 'who')],
    ['OK', 1, 'success', reply()],
  ] as const)('%s: %i attempt(s), then %s', async (_name, attempts, status, handler) => {
    const { port, calls } = await startGrpcServer(handler);
    const retried = await sendWithRetry(insecureTo(port), BODY, false, 5000, FAST_RETRY);
    expect(retried.result.status).toBe(status);
    expect(retried.attempts).toBe(attempts);
    expect(retried.timedOut).toBe(false);
    expect(calls).toHaveLength(attempts);
  });

  it('recovers after two UNAVAILABLE answers', async () => {
    const { port, calls } = await startGrpcServer(sequence(
      fail(grpc.status.UNAVAILABLE, 'warming up'), fail(grpc.status.UNAVAILABLE, 'warming up'), reply(),
    ));
    const retried = await sendWithRetry(insecureTo(port), BODY, false, 5000, FAST_RETRY);
    expect(retried).toMatchObject({ result: { status: 'success' }, attempts: 3, timedOut: false });
    expect(calls.every((c) => Buffer.compare(Buffer.from(c.request), Buffer.from(BODY)) === 0)).toBe(true);
  });

  it('waits the RetryInfo delay instead of its own backoff', async () => {
    // Its own first backoff (60 s) would not fit the 5 s deadline: only the server's 250 ms lets it try again.
    const patient: RetryPolicy = { ...FAST_RETRY, initialBackoffMs: 60_000, maxBackoffMs: 60_000 };
    const { port, calls } = await startGrpcServer(sequence(
      fail(grpc.status.RESOURCE_EXHAUSTED, 'later', retryInfoStatus(250)), reply(),
    ));
    const retried = await sendWithRetry(insecureTo(port), BODY, false, 5000, patient);
    expect(retried).toMatchObject({ result: { status: 'success' }, attempts: 2, timedOut: false });
    expect(calls).toHaveLength(2);
  });

  it('gives up when the RetryInfo delay would pass the deadline', async () => {
    const { port, calls } = await startGrpcServer(fail(grpc.status.RESOURCE_EXHAUSTED, 'later', retryInfoStatus(60_000)));
    const retried = await sendWithRetry(insecureTo(port), BODY, false, 2000, FAST_RETRY);
    expect(retried).toMatchObject({ result: { status: 'retryable', retryAfterMs: 60_000 }, attempts: 1, timedOut: true });
    expect(calls).toHaveLength(1);
  });

  it('bounds retries by the export deadline, whatever maxAttempts says', async () => {
    const many: RetryPolicy = { maxAttempts: 1_000_000, initialBackoffMs: 20, maxBackoffMs: 20, backoffMultiplier: 1, jitter: 0 };
    const { port, calls } = await startGrpcServer(fail(grpc.status.UNAVAILABLE, 'down'));
    const retried = await sendWithRetry(insecureTo(port), BODY, false, 400, many);
    expect(retried.timedOut).toBe(true);
    expect(retried.result.status).toBe('retryable');
    expect(retried.attempts).toBeGreaterThan(1);
    expect(retried.attempts).toBeLessThan(1_000_000);
    // The last attempt may run out of time before the server sees it.
    expect(calls.length).toBeGreaterThanOrEqual(retried.attempts - 1);
    expect(calls.length).toBeLessThanOrEqual(retried.attempts);
  });

  it('gives each attempt only the time left: a hung server ends the export at its deadline', async () => {
    const { port, calls } = await startGrpcServer(() => {});
    const retried = await sendWithRetry(insecureTo(port), BODY, false, 300, FAST_RETRY);
    expect(retried.timedOut).toBe(true);
    expect(retried.result.status === 'retryable' && retried.result.error).toContain('DEADLINE_EXCEEDED');
    expect(calls.length).toBeLessThanOrEqual(retried.attempts);
  });
});

// ---------------------------------------------------------------------------------------------
// TLS, with certificates made at test time by openssl.
// ---------------------------------------------------------------------------------------------

const OPENSSL = hasOpenssl();

describe.skipIf(!OPENSSL)('GrpcTransport over TLS (skipped when openssl is not installed)', () => {
  let dir = '';
  let server: Pem;
  let client: Pem;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spanwire-grpc-tls-'));
    server = selfSigned(dir, 'server', 'localhost');
    client = selfSigned(dir, 'client', 'spanwire-client');
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const serverCredentials = (requireClientCert: boolean): grpc.ServerCredentials => grpc.ServerCredentials.createSsl(
    requireClientCert ? Buffer.from(client.cert) : null,
    [{ private_key: Buffer.from(server.key), cert_chain: Buffer.from(server.cert) }],
    requireClientCert,
  );

  it('sends over https:// when the server certificate is trusted through ca', async () => {
    const { port, calls } = await startGrpcServer(reply(), { credentials: serverCredentials(false) });
    const result = await transport({ url: `https://localhost:${port}`, credentials: { ca: server.cert } }).send(BODY, SEND);
    expect(result.status).toBe('success');
    expect(calls[0]!.request).toEqual(BODY);
  });

  it('uses TLS for a scheme-less endpoint, gzip included', async () => {
    const { port, calls } = await startGrpcServer(reply(), { credentials: serverCredentials(false) });
    const tls = transport({ url: `localhost:${port}`, credentials: { ca: server.cert }, compression: 'gzip' });
    expect((await tls.send(BODY, SEND)).status).toBe('success');
    expect(calls[0]!.request).toEqual(BODY);
  });

  it('does not reach the server when its certificate is not trusted', async () => {
    const { port, calls } = await startGrpcServer(reply(), { credentials: serverCredentials(false) });
    expectRetryable(await transport({ url: `https://localhost:${port}` }).send(BODY, SEND), 'UNAVAILABLE');
    expect(calls).toHaveLength(0);
  });

  it('presents a client certificate for mutual TLS', async () => {
    const { port, calls } = await startGrpcServer(reply(), { credentials: serverCredentials(true) });
    const withCert = transport({
      url: `https://localhost:${port}`, credentials: { ca: server.cert, cert: client.cert, key: client.key },
    });
    expect((await withCert.send(BODY, SEND)).status).toBe('success');
    const withoutCert = transport({ url: `https://localhost:${port}`, credentials: { ca: server.cert } });
    expect((await withoutCert.send(BODY, SEND)).status).not.toBe('success');
    expect(calls).toHaveLength(1);
  });
});
