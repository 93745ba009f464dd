// Loopback OTLP receivers for exporter tests: node:http and @grpc/grpc-js collectors on 127.0.0.1 that inflate and
// decode every request with the oracle, follow a per-request fault script, and record which spans they accepted.
// A failed request is never accepted (the fault fires before the spans would be stored), so counts stay exact.
import { Buffer } from 'node:buffer';
import {
  createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll } from 'vitest';
import {
  type LocatedSpan, decodeExportTraceRequest, encodeExportTraceResponse, encodeGoogleRpcStatus, encodeRetryInfo,
  listSpans,
} from './otlp-decode.js';

/** Full method path of opentelemetry.proto.collector.trace.v1.TraceService.Export (written from the .proto). */
const EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** What the receiver does with one request. Unset fields mean: answer success at once, accept every span. */
export interface Fault {
  /** HTTP status (default 200); non-2xx is a failure and nothing is accepted. */
  status?: number;
  /** Retry-After header value (HTTP). */
  retryAfter?: string;
  /** gRPC status code (default OK); non-OK is a failure and nothing is accepted. */
  code?: grpc.status;
  /** For a gRPC failure: put google.rpc.Status with RetryInfo(retryDelayMs) in grpc-status-details-bin. */
  retryDelayMs?: number;
  /** google.rpc.Status bytes: the HTTP failure body, or the gRPC grpc-status-details-bin (wins over retryDelayMs). */
  rpcStatus?: Uint8Array;
  /**
   * A success answer with partial_success: the LAST `rejectedSpans` spans of the request are not accepted (a negative
   * count, sent as a 10-byte int64, rejects nothing).
   */
  partial?: { rejectedSpans: number; errorMessage: string };
  /** Answer success with exactly these bytes (e.g. not protobuf at all); every span is accepted. */
  responseBody?: Uint8Array;
  /** Wait this long before answering; a client that gave up meanwhile gets nothing and nothing is accepted. */
  delayMs?: number;
  /** HTTP: destroy the socket instead of answering (the client sees a reset). Nothing is accepted. */
  reset?: boolean;
  /** Hold the request until release() (or close()); then answer per the rest of the fault. */
  stall?: boolean;
  /**
   * Answer success with a body of this many bytes (HTTP: zeros; gRPC: a response message of that size).
   * Over 4 MiB the client must refuse the answer, so nothing is accepted.
   */
  responseBytes?: number;
}

/** Chooses the fault of request `index` (0-based, counting every request that reached the handler). */
export type FaultScript = (index: number, spanCount: number) => Fault;

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  index: number;
  fault: Fault;
  headers: IncomingHttpHeaders | Record<string, string>;
  /** HTTP: body bytes as they arrived. gRPC: the message after grpc-js undid any grpc-encoding. */
  raw: Uint8Array;
  /** Protobuf after undoing Content-Encoding gzip. */
  body: Uint8Array;
  /** The oracle's decoding; empty when decodeError is set. */
  spans: LocatedSpan[];
  decodeError: string | undefined;
  /** Spans of this request the receiver stored. */
  acceptedCount: number;
  /** Milliseconds (Date.now()) when the request arrived. */
  arrivedMs: number;
}

/** A bound server as ReceiverCore sees it: the port it got, and how to cut it down with every connection. */
interface Listening {
  port: number;
  shutdown: () => Promise<void>;
}

/** Decisions, records and the start/stop life cycle both receivers share. */
abstract class ReceiverCore {
  readonly requests: ReceivedRequest[] = [];
  /** Accepted spans by span id (lowercase hex). */
  readonly accepted = new Map<string, LocatedSpan>();
  /** Span ids accepted a second time (the exporter resent delivered spans). */
  readonly duplicates: string[] = [];
  script: FaultScript = () => ({});
  /** False: skip the oracle (requests keep no spans, nothing is accepted); for measurements sharing the event loop. */
  decodeBodies = true;
  port = 0;
  private stalled: Array<() => void> = [];
  private listening: Listening | undefined;

  /** Binds a new server on 127.0.0.1:`port` (0: any free one). */
  protected abstract listen(port: number): Promise<Listening>;

  /** Listens on `port` (0: any free one, remembered for restarts). */
  async start(port = this.port): Promise<this> {
    const listening = await this.listen(port);
    this.listening = listening;
    this.port = listening.port;
    return this;
  }

  /** Server down: stalled requests are answered, then every open connection and call is cut at once. */
  async stop(): Promise<void> {
    const listening = this.listening;
    if (listening === undefined) return;
    this.listening = undefined;
    this.release();
    await listening.shutdown();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Answers every stalled request (per the rest of its fault). */
  release(): void {
    const waiting = this.stalled;
    this.stalled = [];
    for (const resume of waiting) resume();
  }

  /** Requests whose body arrived whole (every export attempt that reached the receiver). */
  get attempts(): number {
    return this.requests.length;
  }

  /** Stalled requests not yet released. */
  get stalledCount(): number {
    return this.stalled.length;
  }

  /** Forgets requests and accepted spans; the fault script goes back to "always succeed". */
  reset(): void {
    this.release();
    this.requests.length = 0;
    this.accepted.clear();
    this.duplicates.length = 0;
    this.script = () => ({});
  }

  /** Spans of every request in arrival order, accepted or not. */
  allSpans(): LocatedSpan[] {
    return this.requests.flatMap((request) => request.spans);
  }

  protected record(headers: ReceivedRequest['headers'], raw: Uint8Array, body: Uint8Array): ReceivedRequest {
    let spans: LocatedSpan[] = [];
    let decodeError: string | undefined;
    if (this.decodeBodies) {
      try {
        spans = listSpans(decodeExportTraceRequest(body));
      } catch (error) {
        decodeError = (error as Error).message;
      }
    }
    const index = this.requests.length;
    let fault: Fault;
    try {
      fault = this.script(index, spans.length);
    } catch (error) {
      fault = { status: 500, code: grpc.status.INTERNAL, rpcStatus: encodeGoogleRpcStatus({ code: 13, message: String(error) }) };
    }
    const request: ReceivedRequest = {
      index, fault, headers, raw, body, spans, decodeError, acceptedCount: 0, arrivedMs: Date.now(),
    };
    this.requests.push(request);
    return request;
  }

  /** Waits out the fault's stall and delay; resolves false when the client went away meanwhile. */
  protected async hold(fault: Fault, clientGone: () => boolean): Promise<boolean> {
    if (fault.stall === true) await new Promise<void>((resolve) => this.stalled.push(resolve));
    if (fault.delayMs !== undefined && fault.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    return !clientGone();
  }

  /** Stores the spans of a request answered with success (minus the partially rejected tail). */
  protected accept(request: ReceivedRequest): void {
    const rejected = Math.max(0, request.fault.partial?.rejectedSpans ?? 0);
    const keep = Math.max(0, request.spans.length - rejected);
    for (let i = 0; i < keep; i++) {
      const located = request.spans[i]!;
      if (this.accepted.has(located.span.spanId)) this.duplicates.push(located.span.spanId);
      this.accepted.set(located.span.spanId, located);
    }
    request.acceptedCount = keep;
  }

  protected successResponse(fault: Fault): Uint8Array {
    if (fault.responseBody !== undefined) return fault.responseBody;
    if (fault.responseBytes !== undefined) return new Uint8Array(fault.responseBytes);
    return fault.partial === undefined ? encodeExportTraceResponse() : encodeExportTraceResponse(fault.partial);
  }
}

/** An OTLP/HTTP receiver: POST /v1/traces on node:http, Content-Encoding gzip undone with node:zlib. */
export class FakeHttpReceiver extends ReceiverCore {
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  protected async listen(port: number): Promise<Listening> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 30_000; // the default 5 s would close sockets on its own mid-test
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return {
      port: (server.address() as AddressInfo).port,
      // closeAllConnections: keep-alive sockets included, or close() would wait for them.
      shutdown: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = new Uint8Array(Buffer.concat(chunks));
      let body = raw;
      if (req.headers['content-encoding'] === 'gzip') {
        try {
          body = new Uint8Array(gunzipSync(raw));
        } catch {
          body = new Uint8Array(0);
        }
      }
      const request = this.record(req.headers, raw, body);
      void this.answer(request, req, res, () => gone || res.destroyed);
    });
  }

  private async answer(request: ReceivedRequest, req: IncomingMessage, res: ServerResponse, gone: () => boolean): Promise<void> {
    const fault = request.fault;
    if (!(await this.hold(fault, gone))) return;
    if (fault.reset === true) {
      req.socket.destroy();
      return;
    }
    const status = fault.status ?? 200;
    if (status < 200 || status >= 300) {
      const body = fault.rpcStatus ?? new Uint8Array(0);
      const headers: Record<string, string | number> = { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    const body = this.successResponse(fault);
    res.writeHead(status, { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length });
    // The spans count as stored only once the answer reached the socket whole: a client that times out first
    // sees no success, and its spans must not be counted as received either.
    const tooBig = body.length > 4 * 1024 * 1024;
    res.end(body, () => {
      if (!tooBig && !gone()) this.accept(request);
    });
  }
}

const passthrough = (bytes: Buffer): Buffer => bytes;

/** The TraceService with raw-bytes serializers: the test's oracle, not protobufjs stubs, reads the request. */
const TRACE_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: EXPORT_METHOD,
    requestStream: false,
    responseStream: false,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  },
};

/** A unary TraceService.Export implementation over raw request and response bytes. */
export type ExportHandler = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => void;

/** Binds `server` to 127.0.0.1:`port` (0: any free one); resolves with the port it got. Plain text by default. */
export async function bindGrpcServer(
  server: grpc.Server, port = 0, credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

/**
 * A grpc-js server offering only TraceService.Export, answered by `handler`, bound like bindGrpcServer. The caller
 * owns the server and shuts it down.
 */
export async function startTraceServiceServer(
  handler: ExportHandler, options: { port?: number; credentials?: grpc.ServerCredentials } = {},
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(TRACE_SERVICE, { Export: handler });
  const port = await bindGrpcServer(server, options.port, options.credentials);
  return { server, port };
}

/** An OTLP/gRPC receiver: grpc-js server, plain-text HTTP/2 on 127.0.0.1, gzip-capable (grpc-js inflates). */
export class FakeGrpcReceiver extends ReceiverCore {
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected async listen(port: number): Promise<Listening> {
    const started = await startTraceServiceServer((call, callback) => void this.handle(call, callback), { port });
    return {
      port: started.port,
      shutdown: async () => {
        started.server.forceShutdown();
      },
    };
  }

  private async handle(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): Promise<void> {
    const bytes = new Uint8Array(call.request);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(call.metadata.getMap())) headers[key] = String(value);
    const request = this.record(headers, bytes, bytes);
    const fault = request.fault;
    if (!(await this.hold(fault, () => call.cancelled))) return;
    const code = fault.code ?? grpc.status.OK;
    if (code !== grpc.status.OK) {
      const metadata = new grpc.Metadata();
      const details = fault.rpcStatus ?? (fault.retryDelayMs === undefined ? undefined : encodeGoogleRpcStatus({
        code, message: 'come back later', details: [encodeRetryInfo(fault.retryDelayMs)],
      }));
      if (details !== undefined) metadata.set('grpc-status-details-bin', Buffer.from(details));
      const message = `fault ${grpc.status[code]}`;
      callback(Object.assign(new Error(message), { code, details: message, metadata }));
      return;
    }
    const body = this.successResponse(fault);
    const tooBig = body.length > 4 * 1024 * 1024;
    // grpc-js gives no per-call "sent" hook: a call not cancelled by now is answered, and the client's deadline
    // is far longer than this synchronous step.
    if (!tooBig && !call.cancelled) this.accept(request);
    callback(null, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  }
}

/**
 * A FakeHttpReceiver listening for the enclosing describe block (started in beforeAll, closed in afterAll); call
 * reset() yourself where a test needs a clean slate.
 */
export function useFakeHttpReceiver(): FakeHttpReceiver {
  const receiver = new FakeHttpReceiver();
  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });
  return receiver;
}
