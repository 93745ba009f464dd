// Owns the OTLP/gRPC transport on Node: one unary TraceService/Export call per send, through @grpc/grpc-js.
// Implements the gRPC half of the OTLP spec (status-code retry rules, RetryInfo in grpc-status-details-bin).
// Never re-encodes the body (passthrough serializers), never throws and never rejects: every outcome is a SendResult.
import { Buffer } from 'node:buffer';
import * as grpc from '@grpc/grpc-js';
import { decodeRpcStatus } from '../../export/otlp-response.js';
import { MAX_RESPONSE_BYTES, type SendOptions, type SendResult, type Transport } from '../../export/transport.js';
import { VERSION } from '../../version.js';

/** Full method path of opentelemetry.proto.collector.trace.v1.TraceService.Export. */
export const TRACE_EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Client TLS material as PEM text; `cert` and `key` go together (mutual TLS). */
export interface GrpcCredentials {
  /** Root certificates trusted for the server; the system roots when absent. */
  ca?: string;
  /** Client certificate chain, for mutual TLS. */
  cert?: string;
  /** Client private key, for mutual TLS. */
  key?: string;
}

/** How to reach an OTLP/gRPC receiver. */
export interface GrpcTransportOptions {
  /**
   * `http://host:port` (plain-text HTTP/2), `https://host:port` (TLS) or `host:port` (TLS unless `insecure`).
   * A missing port is the scheme's: 80 for http, 443 otherwise. Any path is ignored: gRPC names the method itself.
   */
  url: string;
  /**
   * Sent as gRPC metadata on every call; keys are lowercased. A key ending in `-bin` carries binary metadata and
   * its value is read as base64 (the form gRPC uses on the wire). An invalid key or value is skipped with a warning.
   */
  headers?: Record<string, string>;
  /**
   * 'gzip': the transport compresses each message (grpc-encoding: gzip, compressed flag set). Give it
   * UNcompressed bodies: a body already gzip-compressed (`send(..., { gzip: true })`) cannot be sent over gRPC.
   */
  compression?: 'gzip' | 'none';
  /** TLS material for https:// and scheme-less endpoints. */
  credentials?: GrpcCredentials;
  /** Plain text for a scheme-less `url` (OTEL_EXPORTER_OTLP_INSECURE); ignored when the url has a scheme. */
  insecure?: boolean;
  /** Told about configuration problems (a skipped header, an unusable endpoint or certificate), once each. */
  warn?: (message: string) => void;
}

// grpc-js backs reconnects off from 1 s up to 120 s by default, and while a channel waits it fails every call at
// once: after a long collector outage exports would keep failing for up to two minutes after it came back. 5 s
// matches the cap of DEFAULT_RETRY_POLICY, so one export's retries always see a fresh connection attempt.
const MAX_RECONNECT_BACKOFF_MS = 5000;

// CompressionAlgorithms in grpc-js: 0 identity, 1 deflate, 2 gzip.
const GRPC_GZIP = 2;

/** Codes the OTLP spec says to retry (RESOURCE_EXHAUSTED only with RetryInfo, handled apart). */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

// The body is an encoded ExportTraceServiceRequest already: hand grpc-js a Buffer view of the same bytes.
// grpc-js copies them once into its 5-byte-prefixed frame (or compresses them) before the call settles.
function serializeRequest(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function deserializeResponse(bytes: Buffer): Buffer {
  return bytes;
}

/** Where and how to connect, or why that cannot be done. */
type Endpoint = { address: string; channelCredentials: grpc.ChannelCredentials } | { error: string };

function resolveEndpoint(options: GrpcTransportOptions): Endpoint {
  const raw = options.url.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let url: URL;
  try {
    url = new URL(hasScheme ? raw : `https://${raw}`);
  } catch {
    return { error: `invalid OTLP/gRPC endpoint '${options.url}'` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `unsupported OTLP/gRPC endpoint scheme '${url.protocol}' in '${options.url}' (use http or https)` };
  }
  if (url.hostname === '') return { error: `OTLP/gRPC endpoint '${options.url}' names no host` };
  const plainText = hasScheme ? url.protocol === 'http:' : options.insecure === true;
  const port = url.port !== '' ? url.port : (url.protocol === 'http:' ? '80' : '443');
  const address = `${url.hostname}:${port}`;
  if (plainText) return { address, channelCredentials: grpc.credentials.createInsecure() };
  const pem = options.credentials ?? {};
  const asBuffer = (text: string | undefined): Buffer | null => (text === undefined ? null : Buffer.from(text, 'utf8'));
  try {
    return {
      address,
      channelCredentials: grpc.credentials.createSsl(asBuffer(pem.ca), asBuffer(pem.key), asBuffer(pem.cert)),
    };
  } catch (error) {
    return { error: `unusable TLS credentials for '${options.url}': ${(error as Error).message}` };
  }
}

function buildMetadata(headers: Record<string, string> | undefined, warn: (message: string) => void): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (headers === undefined) return metadata;
  for (const [rawKey, value] of Object.entries(headers)) {
    const key = rawKey.trim().toLowerCase();
    try {
      metadata.add(key, key.endsWith('-bin') ? Buffer.from(value, 'base64') : value);
    } catch (error) {
      warn(`spanwire: OTLP/gRPC header '${rawKey}' skipped: ${(error as Error).message}`);
    }
  }
  return metadata;
}

/** RetryInfo delay from grpc-status-details-bin, when the server sent a google.rpc.Status carrying one. */
function retryDelayFrom(metadata: grpc.Metadata | undefined): number | undefined {
  const details = metadata?.get('grpc-status-details-bin')[0];
  if (details === undefined || typeof details === 'string') return undefined;
  return decodeRpcStatus(details)?.retryDelayMs;
}

/** Maps a finished call's non-OK status to the seam's classes (OTLP spec, "OTLP/gRPC Response"). */
export function classifyGrpcError(code: number, details: string, metadata?: grpc.Metadata): SendResult {
  const name = grpc.status[code] ?? 'UNKNOWN';
  const error = `OTLP/gRPC ${name} (${code}): ${details}`;
  const retryAfterMs = retryDelayFrom(metadata);
  if (RETRYABLE_CODES.has(code)) {
    return retryAfterMs === undefined ? { status: 'retryable', error } : { status: 'retryable', retryAfterMs, error };
  }
  // RESOURCE_EXHAUSTED is retryable only when the server says when to come back: without RetryInfo it may be a
  // permanent quota, or our own 4 MiB response cap (grpc-js reports an oversized message with this code too).
  if (code === grpc.status.RESOURCE_EXHAUSTED && retryAfterMs !== undefined) {
    return { status: 'retryable', retryAfterMs, error };
  }
  return { status: 'failure', error };
}

/**
 * OTLP/gRPC transport: `send` makes one unary Export call with the body as the request message, as is.
 * With `compression: 'gzip'`, grpc-js gzips every message itself (channel option
 * grpc.default_compression_algorithm = 2: header grpc-encoding: gzip, compressed flag 1); it falls back to
 * identity if a server's grpc-accept-encoding leaves gzip out. Responses are capped at 4 MiB
 * (grpc.max_receive_message_length); a bigger one is a failure.
 */
export class GrpcTransport implements Transport {
  private readonly client: grpc.Client | undefined;
  private readonly configError: string | undefined;
  private readonly metadata: grpc.Metadata;
  private closed = false;

  constructor(options: GrpcTransportOptions) {
    const warn = options.warn ?? (() => {});
    this.metadata = buildMetadata(options.headers, warn);
    const endpoint = resolveEndpoint(options);
    if ('error' in endpoint) {
      warn(`spanwire: ${endpoint.error}; every export will fail`);
      this.client = undefined;
      this.configError = endpoint.error;
      return;
    }
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_RESPONSE_BYTES,
      'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
      'grpc.primary_user_agent': `spanwire/${VERSION}`,
    };
    if (options.compression === 'gzip') channelOptions['grpc.default_compression_algorithm'] = GRPC_GZIP;
    this.client = new grpc.Client(endpoint.address, endpoint.channelCredentials, channelOptions);
    this.configError = undefined;
  }

  /**
   * Sends one ExportTraceServiceRequest with deadline now + timeoutMs. `options.gzip` must be false: gRPC
   * compresses per message inside grpc-js, which offers no way to send bytes already compressed with the
   * compressed flag set, so a pre-compressed body is a 'failure' (never sent as if it were plain protobuf).
   */
  send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ status: 'failure', error: 'OTLP/gRPC transport is shut down' });
    if (this.client === undefined) return Promise.resolve({ status: 'failure', error: this.configError ?? 'no client' });
    if (options.gzip) {
      return Promise.resolve({
        status: 'failure',
        error: 'OTLP/gRPC cannot send a pre-compressed body: pass it uncompressed and set compression: gzip',
      });
    }
    const client = this.client;
    const timeoutMs = Number.isNaN(options.timeoutMs) ? 0 : Math.max(0, options.timeoutMs);
    return new Promise<SendResult>((resolve) => {
      try {
        client.makeUnaryRequest<Uint8Array, Buffer>(
          TRACE_EXPORT_METHOD, serializeRequest, deserializeResponse, body, this.metadata.clone(),
          { deadline: Date.now() + timeoutMs },
          (error, response) => {
            if (error !== null) {
              resolve(classifyGrpcError(error.code, error.details, error.metadata));
              return;
            }
            // A plain Uint8Array view, so callers never depend on Buffer's differing slice() semantics.
            const bytes = response === undefined
              ? new Uint8Array(0)
              : new Uint8Array(response.buffer, response.byteOffset, response.byteLength);
            resolve({ status: 'success', response: bytes });
          },
        );
      } catch (error) {
        // grpc-js throws synchronously only for a closed channel or invalid call arguments.
        resolve({ status: 'failure', error: `OTLP/gRPC call could not start: ${(error as Error).message}` });
      }
    });
  }

  /** Closes the channel; calls already on the wire finish or fail on their own, later sends fail at once. */
  shutdown(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.client?.close();
    }
    return Promise.resolve();
  }
}
