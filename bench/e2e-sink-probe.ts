// The loopback sink's ceiling for the end-to-end benchmark: pre-encoded canonical 512-span requests pushed by a nearly
// free client, several in flight, over one protocol (HTTP bodies pre-gzipped, or gzipped by the client per request
// with spanwire's WASM gzip at level 1; grpc-js gzips gRPC messages). No SDK runs here: no span creation, no encode,
// so it must never be read as an SDK measurement: it is what no SDK can beat on this machine at that moment.
import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { loadCodec } from '../src/codec/codec-module.js';
import { WasmGzip } from '../src/codec/wasm-gzip.js';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import { OfficialSdkRecorder, serializeOfficial } from './official-sdk.js';
import { ThreadSchedClock } from './thread-sched-clock.js';

/** What one protocol's probe achieved; the sink's own counters are the authority, these are cross-checks. */
export interface ProbeResult {
  protocol: 'http' | 'grpc';
  /**
   * HTTP: true when the client gzipped every request's body itself (WASM, level 1: what spanwire's export path
   * does), false when it sent one body gzipped before the probe began. Always false for gRPC.
   */
  clientGzip: boolean;
  ms: number;
  requestsOk: number;
  requestsFailed: number;
  spansAcked: number;
  protobufBytesPerRequest: number;
  /** Request bytes on the wire (HTTP: gzip level 1, as spanwire sends; gRPC: grpc-js gzips each message). */
  wireBytesPerRequest: number;
  /** CPU the client thread used over the probe (/proc/thread-self/schedstat, ~4 ms ticks); NaN off Linux. */
  clientThreadCpuMs: number;
  /**
   * CPU the whole client process used over the probe (process.cpuUsage: every thread, incl. V8's GC helpers and
   * libuv), as the sink's own CPU is counted.
   */
  clientProcessCpuMs: number;
}

const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Keeps `inFlight` requests going until `durationMs` has passed, then waits for the last ones. */
async function pump(
  durationMs: number, inFlight: number, sendOne: () => Promise<boolean>,
): Promise<{ ok: number; failed: number; ms: number; cpuMs: number; processCpuMs: number }> {
  const clock = new ThreadSchedClock();
  const startRunNs = clock.runNs;
  const processStart = process.cpuUsage();
  const startMs = performance.now();
  const endMs = startMs + durationMs;
  let ok = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    // Bounded by time; a failure is counted, never retried.
    while (performance.now() < endMs) {
      if (await sendOne()) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const ms = performance.now() - startMs;
  const processCpu = process.cpuUsage(processStart);
  clock.read();
  clock.close();
  return {
    ok, failed, ms, cpuMs: clock.available ? (clock.runNs - startRunNs) / 1e6 : NaN,
    processCpuMs: (processCpu.user + processCpu.system) / 1000,
  };
}

/** spanwire's default gzip level (OtlpTraceExporter, export thread): 1. */
const SPANWIRE_GZIP_LEVEL = 1;

/**
 * Pushes canonical batches at the sink's `protocol` endpoint for `durationMs`, `inFlight` requests at a time; with
 * `clientGzip` (HTTP only) each request's body is gzipped by this thread just before it is sent.
 */
export async function probeSink(
  protocol: 'http' | 'grpc', clientGzip: boolean, url: string, durationMs: number, inFlight: number,
): Promise<ProbeResult> {
  const recorder = new OfficialSdkRecorder(0x5eed, performance.now());
  const body = Buffer.from(serializeOfficial(recorder.recordBatch()));
  await recorder.shutdown();
  const spans = CANONICAL_WORKLOAD.batchSpans;
  if (protocol === 'http') {
    // Level 1: what spanwire's WASM gzip does by default; the sink's gunzip cost hardly depends on the level.
    // With clientGzip, the same codec and class the SDK's export thread uses (one instance, compiled before the
    // clock starts), on every request: the whole 512-span body in one call, a fresh copy per request as there.
    const wasmGzip = clientGzip ? new WasmGzip(loadCodec()) : undefined;
    const gzipped = wasmGzip === undefined ? gzipSync(body, { level: SPANWIRE_GZIP_LEVEL })
      : wasmGzip.gzip(body, SPANWIRE_GZIP_LEVEL);
    const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
    const target = new URL(url);
    const sendHttp = (): Promise<boolean> => new Promise((resolve) => {
      const payload = wasmGzip === undefined ? gzipped : wasmGzip.gzip(body, SPANWIRE_GZIP_LEVEL);
      const req = http.request(target, {
        method: 'POST', agent, timeout: 10_000,
        headers: {
          'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip', 'Content-Length': payload.byteLength,
        },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end(payload);
    });
    const run = await pump(durationMs, inFlight, sendHttp);
    agent.destroy();
    return {
      protocol, clientGzip, ms: run.ms, requestsOk: run.ok, requestsFailed: run.failed, spansAcked: run.ok * spans,
      protobufBytesPerRequest: body.length, wireBytesPerRequest: gzipped.length, clientThreadCpuMs: run.cpuMs,
      clientProcessCpuMs: run.processCpuMs,
    };
  }
  const target = new URL(url);
  const client = new grpc.Client(`${target.hostname}:${target.port}`, grpc.credentials.createInsecure(), {
    'grpc.default_compression_algorithm': 2, // gzip, as both SDKs' gRPC exporters are configured here
  });
  const passthrough = (bytes: Buffer): Buffer => bytes;
  const sendGrpc = (): Promise<boolean> => new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(TRACE_EXPORT_PATH, passthrough, passthrough, body, new grpc.Metadata(),
      { deadline: Date.now() + 10_000 }, (error) => resolve(error === null));
  });
  const run = await pump(durationMs, inFlight, sendGrpc);
  client.close();
  return {
    protocol, clientGzip: false, ms: run.ms, requestsOk: run.ok, requestsFailed: run.failed, spansAcked: run.ok * spans,
    // grpc-js gzips with zlib's default level: about this many bytes per message.
    protobufBytesPerRequest: body.length, wireBytesPerRequest: gzipSync(body).length, clientThreadCpuMs: run.cpuMs,
    clientProcessCpuMs: run.processCpuMs,
  };
}
