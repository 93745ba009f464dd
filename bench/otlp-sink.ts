// Loopback OTLP trace receiver for the end-to-end benchmark, forked as its own process: OTLP/HTTP /v1/traces and
// OTLP/gRPC TraceService/Export, counting spans (protobuf framing only), requests and bytes for its parent over IPC.
// It must never decode whole spans, never listen beyond 127.0.0.1, and never outlive its parent.
import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';

/** Counters since the sink started; the parent takes differences between two snapshots. */
export interface SinkCounts {
  /** Spans in every request answered with success. */
  spans: number;
  httpRequests: number;
  /** TCP connections accepted by the HTTP server: a keep-alive client opens a few and reuses them. */
  httpConnections: number;
  grpcRequests: number;
  /** OTLP/HTTP request bytes as they came off the wire (gzip-compressed when Content-Encoding: gzip). */
  httpWireBytes: number;
  /** ExportTraceServiceRequest bytes after decompression, both protocols (grpc-js decompresses before us). */
  protobufBytes: number;
  /** Requests refused (bad gzip, malformed protobuf): answered 400 / INVALID_ARGUMENT and not counted in spans. */
  badRequests: number;
  /** This process's CPU time (user + system, µs): how much of the 2 cores the sink took from the producer. */
  cpuUs: number;
}

/** Parent -> sink. */
export type SinkRequest = { op: 'counts' };

/** Sink -> parent: `ready` once both servers listen, then one `counts` per request. */
export type SinkMessage =
  | { op: 'ready'; httpPort: number; grpcPort: number }
  | { op: 'counts'; counts: SinkCounts }
  | { op: 'error'; message: string };

/** Path of TraceService.Export, as grpc-js routes it (no .proto needed: the codec is a passthrough). */
const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

// Protobuf wire types (encoding spec, "Message Structure").
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
// Tags as (field << 3) | wire type, the only three this sink follows (opentelemetry-proto trace/v1).
const TAG_RESOURCE_SPANS = 0x0a; // ExportTraceServiceRequest.resource_spans, field 1, LEN
const TAG_SCOPE_SPANS = 0x12; // ResourceSpans.scope_spans, field 2, LEN
const TAG_SPAN = 0x12; // ScopeSpans.spans, field 2, LEN

/**
 * Requests are at most a few MiB here (512-span batches are ~230 KB); 64 MiB is the OTLP ceiling, kept so a
 * runaway exporter gets an error instead of exhausting this process.
 */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Cursor over one buffer; `pos` < 0 after a malformed read. */
class Cursor {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number) {
    this.pos = start;
  }

  /** Varint up to 2^53 (lengths and tags never come close); -1 on truncation or over 10 bytes. */
  varint(end: number): number {
    const buf = this.buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) return -1;
      const byte = buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return -1;
  }

  /** Skips one field's value of `wireType`; false when malformed or past `end`. */
  skip(wireType: number, end: number): boolean {
    if (wireType === WIRE_VARINT) return this.varint(end) >= 0;
    let len: number;
    if (wireType === WIRE_I64) len = 8;
    else if (wireType === WIRE_I32) len = 4;
    else if (wireType === WIRE_LEN) {
      len = this.varint(end);
      if (len < 0) return false;
    } else return false; // groups (3, 4) are not used by OTLP; 6, 7 are invalid
    if (this.pos + len > end) return false;
    this.pos += len;
    return true;
  }
}

/**
 * Calls `onField(start, end)` for every LEN field with tag `wantTag` in [start, end) and skips every other field.
 * Returns false when the framing is malformed.
 */
function forEachLenField(
  cursor: Cursor, start: number, end: number, wantTag: number,
  onField: (fieldStart: number, fieldEnd: number) => boolean,
): boolean {
  cursor.pos = start;
  while (cursor.pos < end) {
    const tag = cursor.varint(end);
    if (tag < 0) return false;
    if (tag === wantTag) {
      const len = cursor.varint(end);
      if (len < 0 || cursor.pos + len > end) return false;
      const fieldStart = cursor.pos;
      if (!onField(fieldStart, fieldStart + len)) return false;
      cursor.pos = fieldStart + len;
    } else if (!cursor.skip(tag & 7, end)) return false;
  }
  return true;
}

/**
 * Spans in an ExportTraceServiceRequest, found by walking resource_spans(1) > scope_spans(2) > spans(2) and
 * skipping each span's bytes by its length prefix: ~3 varint reads per span, no decoding. -1 when malformed.
 */
export function countSpans(body: Uint8Array): number {
  const cursor = new Cursor(body, 0);
  let spans = 0;
  const onSpan = (): boolean => {
    spans++;
    return true;
  };
  const onScopeSpans = (start: number, end: number): boolean => {
    const inner = new Cursor(body, start);
    return forEachLenField(inner, start, end, TAG_SPAN, onSpan);
  };
  const onResourceSpans = (start: number, end: number): boolean => {
    const inner = new Cursor(body, start);
    return forEachLenField(inner, start, end, TAG_SCOPE_SPANS, onScopeSpans);
  };
  return forEachLenField(cursor, 0, body.length, TAG_RESOURCE_SPANS, onResourceSpans) ? spans : -1;
}

const counts: SinkCounts = {
  spans: 0, httpRequests: 0, httpConnections: 0, grpcRequests: 0, httpWireBytes: 0, protobufBytes: 0, badRequests: 0,
  cpuUs: 0,
};

/** An empty ExportTraceServiceResponse (no partial_success): zero bytes of protobuf. */
const EMPTY_RESPONSE = Buffer.alloc(0);

function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'POST' || req.url !== '/v1/traces') {
    res.writeHead(404).end();
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_REQUEST_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    counts.httpRequests++;
    counts.httpWireBytes += received;
    if (tooLarge) {
      counts.badRequests++;
      res.writeHead(413).end();
      return;
    }
    let body: Buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
    // Synchronous gunzip: this process does nothing else, and the thread-pool variant only adds a hop per request.
    if (req.headers['content-encoding'] === 'gzip') {
      try {
        body = gunzipSync(body);
      } catch {
        counts.badRequests++;
        res.writeHead(400).end();
        return;
      }
    }
    const spans = countSpans(body);
    if (spans < 0) {
      counts.badRequests++;
      res.writeHead(400).end();
      return;
    }
    counts.spans += spans;
    counts.protobufBytes += body.length;
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }).end(EMPTY_RESPONSE);
  });
  req.on('error', () => { /* the client went away: nothing counted */ });
}

const identity = (bytes: Buffer): Buffer => bytes;
const TRACE_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function handleGrpcExport(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void {
  counts.grpcRequests++;
  // grpc-js has already gunzipped a message sent with grpc-encoding: gzip and the compressed flag.
  const body = call.request;
  const spans = countSpans(body);
  if (spans < 0) {
    counts.badRequests++;
    callback({ code: grpc.status.INVALID_ARGUMENT, details: 'malformed ExportTraceServiceRequest' });
    return;
  }
  counts.spans += spans;
  counts.protobufBytes += body.length;
  callback(null, EMPTY_RESPONSE);
}

function listenHttp(): Promise<number> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handleHttp);
  server.on('connection', () => { counts.httpConnections++; });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function listenGrpc(): Promise<number> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
  });
  server.addService(TRACE_SERVICE, { Export: handleGrpcExport });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error !== null) reject(error);
      else resolve(port);
    });
  });
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stderr.write('otlp-sink: run me with child_process.fork (I answer over IPC)\n');
    process.exitCode = 1;
    return;
  }
  // The parent going away closes the IPC channel: leave at once, whatever is in flight.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C on a terminal signals the whole foreground group, this sink too: the parent still needs its count for
  // the partial report, and ends it by disconnecting.
  process.on('SIGINT', () => undefined);
  process.on('message', (request: SinkRequest) => {
    if (request.op === 'counts') {
      const cpu = process.cpuUsage();
      counts.cpuUs = cpu.user + cpu.system;
      send({ op: 'counts', counts } satisfies SinkMessage);
    }
  });
  try {
    const [httpPort, grpcPort] = await Promise.all([listenHttp(), listenGrpc()]);
    send({ op: 'ready', httpPort, grpcPort } satisfies SinkMessage);
  } catch (error) {
    send({ op: 'error', message: error instanceof Error ? error.message : String(error) } satisfies SinkMessage);
    process.exit(1);
  }
}

await main();
