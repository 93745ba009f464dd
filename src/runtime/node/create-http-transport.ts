// Chooses the OTLP/HTTP transport on Node: node:http (the measured default) or fetch, both behind the same
// Transport seam. Node only. Never throws: contradictory options give a transport whose sends fail and say why.
import { FetchTransport, type FetchFunction, type FetchTransportOptions } from '../../export/otlp-http-fetch-transport.js';
import type { SendResult, Transport } from '../../export/transport.js';
import { NodeHttpTransport, type NodeHttpTransportOptions } from './otlp-http-node-transport.js';

/** Which OTLP/HTTP client sends the requests. */
export type HttpTransportKind = 'fetch' | 'node-http';

/** Options of both transports; TLS options (ca/cert/key) need 'node-http'. */
export interface CreateHttpTransportOptions extends NodeHttpTransportOptions {
  /** Default {@link DEFAULT_HTTP_TRANSPORT}. */
  transport?: HttpTransportKind;
  /** fetch transport only: the fetch to call (default globalThis.fetch). */
  fetch?: FetchFunction;
  /** fetch transport only: fetch's `keepalive` flag. */
  keepalive?: boolean;
  /** fetch transport only: whether to set User-Agent (see FetchTransportOptions.sendUserAgent). */
  sendUserAgent?: boolean;
}

/**
 * node:http, because it was 3-4x faster on Node 20.20 (undici fetch) over loopback: 2000 x 20 KB gzip bodies to a
 * node:http sink in another process, 7 interleaved rounds, medians: 1 in flight 4.1k vs 1.4k requests/s
 * (per-round ratio 2.9-3.8), 4 in flight 6.2k vs 1.6k requests/s (ratio 3.4-5.4), on a loaded 2-core machine.
 * Not profiled; likely causes: fetch builds WHATWG streams, Headers and an AbortSignal per request, and undici
 * hands a socket back to its pool a tick late, so back-to-back requests alternate between two connections.
 */
export const DEFAULT_HTTP_TRANSPORT: HttpTransportKind = 'node-http';

/** An OTLP/HTTP transport for Node; `transport` picks the client (TLS options need 'node-http'). */
export function createHttpTransport(options: CreateHttpTransportOptions): Transport {
  const wantsTls = options.ca !== undefined || options.cert !== undefined || options.key !== undefined;
  const kind = options.transport ?? DEFAULT_HTTP_TRANSPORT;
  if (kind === 'fetch') {
    // Node's fetch takes custom CAs and client certificates only through a dispatcher built with the undici
    // package (not in Node's API); ignoring them would verify against system CAs and omit the client certificate.
    if (wantsTls) return new RefusingTransport("TLS options (ca/cert/key) need transport 'node-http'; fetch cannot use them");
    const fetchOptions: FetchTransportOptions = { url: options.url };
    if (options.headers !== undefined) fetchOptions.headers = options.headers;
    if (options.fetch !== undefined) fetchOptions.fetch = options.fetch;
    if (options.keepalive !== undefined) fetchOptions.keepalive = options.keepalive;
    if (options.sendUserAgent !== undefined) fetchOptions.sendUserAgent = options.sendUserAgent;
    if (options.contentType !== undefined) fetchOptions.contentType = options.contentType;
    return new FetchTransport(fetchOptions);
  }
  return new NodeHttpTransport(options);
}

/** Fails every send with one configuration error. */
class RefusingTransport implements Transport {
  constructor(private readonly reason: string) {}

  send(): Promise<SendResult> {
    return Promise.resolve({ status: 'failure', error: this.reason });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
