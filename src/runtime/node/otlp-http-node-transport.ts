// OTLP/HTTP transport over node:http / node:https (OTLP spec "OTLP/HTTP") with one keep-alive Agent and TLS
// options (OTEL_EXPORTER_OTLP_CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE). Node only. Never throws, never
// rejects, never holds more than MAX_RESPONSE_BYTES (plus one chunk) of a response.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { createGunzip } from 'node:zlib';
import { classifyHttpResponse, describeError, type ResponseHeaderReader } from '../../export/otlp-http-response.js';
import { MAX_RESPONSE_BYTES, type SendOptions, type SendResult, type Transport } from '../../export/transport.js';
import { MAX_TIMER_MS } from '../../processing/unref-timeout.js';
import { VERSION } from '../../version.js';

/** How to reach the receiver and how to trust it. */
export interface NodeHttpTransportOptions {
  /** The full traces URL, e.g. `https://collector:4318/v1/traces` (nothing is appended). */
  url: string;
  /** Extra request headers (OTEL_EXPORTER_OTLP_HEADERS); they may replace User-Agent, never Content-Type/-Encoding. */
  headers?: Readonly<Record<string, string>>;
  /** Connections kept per receiver; default {@link DEFAULT_MAX_SOCKETS}. */
  maxSockets?: number;
  /** Trusted CA certificates (OTEL_EXPORTER_OTLP_CERTIFICATE): PEM text, or the path of a PEM file. */
  ca?: string;
  /** Client certificate chain for mTLS (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE): PEM text or a file path. */
  cert?: string;
  /** Client private key for mTLS (OTEL_EXPORTER_OTLP_CLIENT_KEY): PEM text or a file path. */
  key?: string;
  /**
   * What the bodies are: 'application/x-protobuf' (default, OTLP/HTTP binary) or 'application/json'
   * (OTLP/HTTP JSON, http/json, with OtlpJsonTraceExporter). Responses are read whatever their type.
   */
  contentType?: OtlpHttpContentType;
}

/** The two OTLP/HTTP body encodings (OTLP spec "OTLP/HTTP Request"). */
export type OtlpHttpContentType = 'application/x-protobuf' | 'application/json';

/**
 * Sockets per receiver: the batch processor sends one export at a time per exporter and retries are sequential,
 * so 8 leaves room for several exporters or forced flushes without opening a connection storm on a collector.
 */
export const DEFAULT_MAX_SOCKETS = 8;

/**
 * Socket error codes worth another try: the peer went away, refused, or is unreachable for now. The same set
 * the official JS exporter retries; TLS and protocol errors stay failures (retrying cannot fix a bad certificate).
 */
const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH',
  'ENETDOWN', 'EHOSTDOWN', 'ECONNABORTED',
]);


/**
 * OTLP/HTTP over node:http(s): one POST per send over a keep-alive Agent (at most `maxSockets` connections),
 * classified like the fetch transport: 2xx success (response bytes, capped at 4 MiB after gunzip), 429/502/503/504,
 * timeouts and socket errors (ECONNRESET, ECONNREFUSED, EPIPE ...) retryable, everything else a failure carrying
 * the google.rpc.Status message. Redirects are not followed.
 */
export class NodeHttpTransport implements Transport {
  private readonly url: URL | undefined;
  /**
   * The URL as request options, converted once: http.request(url) converts a URL object on every call
   * (urlToHttpOptions showed up in the end-to-end bench's CPU profile of the send path).
   */
  private readonly requestOptions: http.RequestOptions;
  private readonly agent: http.Agent;
  private readonly headers: http.OutgoingHttpHeaders;
  /** Why every send fails (bad URL, header, or unreadable PEM file), found once at construction; '' when fine. */
  private readonly configError: string;
  private readonly inFlight = new Map<http.ClientRequest, Promise<SendResult>>();
  private closed = false;

  constructor(options: NodeHttpTransportOptions) {
    let configError = '';
    let url: URL | undefined;
    let headers: http.OutgoingHttpHeaders = {};
    let tls: https.AgentOptions = {};
    try {
      url = new URL(options.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`OTLP/HTTP URL must be http: or https:, not ${url.protocol}`);
      }
      headers = buildHeaders(options.headers, options.contentType === 'application/json' ? 'application/json' : 'application/x-protobuf');
      tls = loadTlsOptions(options);
    } catch (error) {
      configError = `invalid OTLP/HTTP transport options: ${describeError(error)}`;
    }
    this.url = url;
    this.headers = headers;
    this.configError = configError;
    const maxSockets = options.maxSockets !== undefined && options.maxSockets >= 1 ? Math.floor(options.maxSockets) : DEFAULT_MAX_SOCKETS;
    // 'lifo' reuses the most recently used socket, the one least likely to have been closed by an idle timeout.
    const agentOptions = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
    this.agent = url?.protocol === 'https:' ? new https.Agent({ ...agentOptions, ...tls }) : new http.Agent(agentOptions);
    this.requestOptions = url === undefined ? {} : { ...urlToHttpOptions(url), method: 'POST', agent: this.agent };
  }

  /** Sends one request; the result says whether it is worth retrying. Never rejects. */
  send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ status: 'failure', error: 'transport is shut down' });
    if (this.url === undefined || this.configError !== '') return Promise.resolve({ status: 'failure', error: this.configError });
    const headers: http.OutgoingHttpHeaders = { ...this.headers, 'Content-Length': body.length };
    if (options.gzip) headers['Content-Encoding'] = 'gzip';
    const timeoutMs = Math.min(Math.max(0, options.timeoutMs || 0), MAX_TIMER_MS);
    const lib = this.url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = lib.request({ ...this.requestOptions, headers });
    } catch (error) {
      return Promise.resolve({ status: 'failure', error: `request not sent: ${describeError(error)}` });
    }
    const pending = this.exchange(req, body, timeoutMs).finally(() => this.inFlight.delete(req));
    this.inFlight.set(req, pending);
    return pending;
  }

  /** Aborts in-flight requests (they settle as failures), closes idle sockets, and fails every later send. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const pending = [...this.inFlight.values()];
    for (const req of this.inFlight.keys()) req.destroy(new Error('transport shut down during the request'));
    await Promise.all(pending);
    this.agent.destroy();
  }

  private exchange(req: http.ClientRequest, body: Uint8Array, timeoutMs: number): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: SendResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // An early answer (a 413 before the upload ended) leaves writes queued on the socket; the caller may reuse
        // `body` once we settle, so those bytes must never go out: drop the socket instead of finishing the upload.
        if (!req.writableFinished) req.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish({ status: 'retryable', error: `request timed out after ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (error: Error) => finish(this.errorResult(error)));
      req.on('response', (res: http.IncomingMessage) => {
        readCapped(res, MAX_RESPONSE_BYTES, (read) => {
          if (read === 'broken') {
            finish(this.closed
              ? { status: 'failure', error: 'transport shut down during the request' }
              : { status: 'retryable', error: `connection lost while reading HTTP ${res.statusCode ?? 0}` });
            return;
          }
          if (read === 'bad-gzip') {
            finish({ status: 'failure', error: `HTTP ${res.statusCode ?? 0} response is not valid gzip` });
            return;
          }
          if (read === undefined) req.destroy();
          finish(classifyHttpResponse(res.statusCode ?? 0, nodeHeaderReader(res.headers), read));
        });
      });
      req.end(body);
    });
  }

  /** Socket errors in RETRYABLE_ERROR_CODES are worth another try; others (TLS, protocol) are not. */
  private errorResult(error: Error): SendResult {
    if (this.closed) return { status: 'failure', error: 'transport shut down during the request' };
    const code = (error as { code?: unknown }).code;
    const message = `network error: ${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
    return typeof code === 'string' && RETRYABLE_ERROR_CODES.has(code)
      ? { status: 'retryable', error: message }
      : { status: 'failure', error: message };
  }
}

/** Headers every request carries; user headers first so the ones describing our body win. */
function buildHeaders(
  userHeaders: Readonly<Record<string, string>> | undefined, contentType: OtlpHttpContentType,
): http.OutgoingHttpHeaders {
  const headers: Record<string, string> = { 'user-agent': `spanwire/${VERSION}` };
  if (userHeaders !== undefined) {
    for (const name of Object.keys(userHeaders)) {
      const value = userHeaders[name]!;
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
      headers[name.toLowerCase()] = value;
    }
  }
  delete headers['content-encoding'];
  delete headers['content-length'];
  headers['content-type'] = contentType;
  return headers;
}

/** PEM text is used as is; anything else is a file path, read once here (a missing file is a config error). */
function loadTlsOptions(options: NodeHttpTransportOptions): https.AgentOptions {
  const tls: https.AgentOptions = {};
  if (options.ca !== undefined) tls.ca = pemOrFile(options.ca);
  if (options.cert !== undefined) tls.cert = pemOrFile(options.cert);
  if (options.key !== undefined) tls.key = pemOrFile(options.key);
  return tls;
}

function pemOrFile(value: string): string {
  return value.includes('-----BEGIN ') ? value : readFileSync(value, 'utf8');
}

function nodeHeaderReader(headers: http.IncomingHttpHeaders): ResponseHeaderReader {
  return {
    get(name: string): string | null {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * Reads `res` up to `capBytes` after undoing a gzip Content-Encoding, then calls `done` once with the bytes,
 * undefined when over the cap (the response is destroyed at once), 'broken' when the connection died first,
 * or 'bad-gzip'.
 */
function readCapped(
  res: http.IncomingMessage, capBytes: number, done: (read: Uint8Array | undefined | 'broken' | 'bad-gzip') => void,
): void {
  let called = false;
  const once = (read: Uint8Array | undefined | 'broken' | 'bad-gzip'): void => {
    if (called) return;
    called = true;
    done(read);
  };
  const declared = Number(res.headers['content-length'] ?? '');
  const encoding = (res.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' && declared > capBytes) {
    res.destroy();
    once(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const source = encoding === 'gzip' || encoding === 'x-gzip' ? res.pipe(createGunzip()) : res;
  source.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > capBytes) {
      chunks.length = 0;
      if (source !== res) source.destroy();
      res.destroy();
      once(undefined);
      return;
    }
    chunks.push(chunk);
  });
  source.on('end', () => {
    const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    once(new Uint8Array(joined.buffer, joined.byteOffset, joined.length));
  });
  if (source !== res) source.on('error', () => once('bad-gzip'));
  res.on('error', () => once('broken'));
  res.on('close', () => {
    if (!res.complete) once('broken');
  });
}
