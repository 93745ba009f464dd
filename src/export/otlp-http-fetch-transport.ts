// OTLP/HTTP transport over fetch (OTLP spec "OTLP/HTTP": POST application/x-protobuf or JSON, optional gzip): works in
// every runtime with a WHATWG fetch (Node >= 18, Deno, Bun, workerd, browsers). Portable: no node:*, process,
// Buffer or require. Never throws, never rejects, never reads more than MAX_RESPONSE_BYTES of a response.
import { MAX_TIMER_MS } from '../processing/unref-timeout.js';
import { VERSION } from '../version.js';
import { concatBytes } from './concat-bytes.js';
import { classifyHttpResponse, describeError } from './otlp-http-response.js';
import { MAX_RESPONSE_BYTES, type SendOptions, type SendResult, type Transport } from './transport.js';

/** The fetch signature this transport needs; `globalThis.fetch` by default, injectable for tests and polyfills. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** How to reach the receiver. */
export interface FetchTransportOptions {
  /** The full traces URL, e.g. `http://localhost:4318/v1/traces` (nothing is appended). */
  url: string;
  /**
   * Extra request headers (OTEL_EXPORTER_OTLP_HEADERS). They may replace User-Agent but never Content-Type or
   * Content-Encoding, which describe the body this transport sends.
   */
  headers?: Readonly<Record<string, string>>;
  /** Default `globalThis.fetch`, looked up at each send so a late polyfill is seen. */
  fetch?: FetchFunction;
  /**
   * fetch's `keepalive`: lets a request outlive a closing page. Browsers reject keepalive requests once their
   * in-flight bodies pass 64 KiB in total, so a body that would pass it here is sent without the flag. Default false.
   */
  keepalive?: boolean;
  /**
   * Body bytes of keepalive requests in flight at once (default 65536, the Fetch spec's per-page quota, which
   * Chromium enforces across every keepalive request of the page: lower it when the page sends beacons of its own).
   */
  keepaliveBudgetBytes?: number;
  /**
   * Send `User-Agent: spanwire/<version>` (default true). Chrome drops the header silently; Firefox and Safari
   * send it, so it joins the CORS preflight: set false when the collector's CORS policy does not allow it.
   */
  sendUserAgent?: boolean;
  /** The body's Content-Type: 'application/x-protobuf' (default) or 'application/json' (OtlpJsonTraceExporter). */
  contentType?: 'application/x-protobuf' | 'application/json';
}

/** Fetch spec "keepalive" quota: 64 KiB of request bodies in flight per page (browsers throw past it). */
const KEEPALIVE_QUOTA_BYTES = 65536;

/**
 * OTLP/HTTP over fetch. Sends each body as one POST; classifies the answer per the OTLP retry rules:
 * 2xx success (response bytes, capped at 4 MiB); 429/502/503/504, timeouts and network errors retryable (with
 * Retry-After); everything else a failure carrying the google.rpc.Status message. Redirects are not followed:
 * a POST redirected by 301/302 would turn into a GET without the spans.
 */
export class FetchTransport implements Transport {
  private readonly url: string;
  private readonly headers: Headers | undefined;
  private readonly fetchFn: FetchFunction | undefined;
  private readonly keepalive: boolean;
  private readonly keepaliveBudgetBytes: number;
  /** Why every send fails (an invalid URL or header), found once at construction; '' when the options are fine. */
  private readonly configError: string;
  private readonly inFlight = new Map<AbortController, Promise<SendResult>>();
  /** Body bytes of this transport's in-flight keepalive requests, against keepaliveBudgetBytes. */
  private keepaliveBytes = 0;
  private closed = false;

  constructor(options: FetchTransportOptions) {
    this.url = options.url;
    this.fetchFn = options.fetch;
    this.keepalive = options.keepalive === true;
    const budget = options.keepaliveBudgetBytes;
    this.keepaliveBudgetBytes = typeof budget === 'number' && budget >= 0 && budget <= KEEPALIVE_QUOTA_BYTES
      ? Math.floor(budget) : KEEPALIVE_QUOTA_BYTES;
    let configError = '';
    let headers: Headers | undefined;
    try {
      // A page may post to a same-origin path ('/v1/traces' behind a proxy): resolve it as fetch would.
      const base = (globalThis as { location?: { href?: string } }).location?.href;
      const protocol = new URL(options.url, base).protocol;
      if (protocol !== 'http:' && protocol !== 'https:') configError = `OTLP/HTTP URL must be http: or https:, not ${protocol}`;
      headers = buildHeaders(options.headers, options.sendUserAgent !== false,
        options.contentType === 'application/json' ? 'application/json' : 'application/x-protobuf');
    } catch (error) {
      configError = `invalid OTLP/HTTP transport options: ${describeError(error)}`;
    }
    this.headers = headers;
    this.configError = configError;
  }

  /**
   * Sends one request; the result says whether it is worth retrying. Never rejects. fetch() is called before this
   * returns (nothing is awaited first), so a send made in a pagehide handler starts while the page still exists.
   */
  send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ status: 'failure', error: 'transport is shut down' });
    if (this.configError !== '') return Promise.resolve({ status: 'failure', error: this.configError });
    const fits = this.keepaliveBytes + body.length <= this.keepaliveBudgetBytes;
    if (options.keepalive === true && !fits) {
      return Promise.resolve({
        status: 'failure', reason: 'keepalive_budget',
        error: `a ${body.length}-byte keepalive body does not fit the ${this.keepaliveBudgetBytes}-byte budget ` +
          `(${this.keepaliveBytes} bytes in flight)`,
      });
    }
    const keepalive = (options.keepalive === true || this.keepalive) && fits;
    const controller = new AbortController();
    const pending = this.attempt(controller, body, options.timeoutMs, options.gzip, keepalive)
      .finally(() => this.inFlight.delete(controller));
    this.inFlight.set(controller, pending);
    return pending;
  }

  /** Body bytes a keepalive request could carry now: the budget minus the keepalive bodies in flight. */
  keepaliveBytesLeft(): number {
    return Math.max(0, this.keepaliveBudgetBytes - this.keepaliveBytes);
  }

  /** Aborts in-flight requests (they settle as failures) and makes every later send fail. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const pending = [...this.inFlight.values()];
    for (const controller of this.inFlight.keys()) controller.abort();
    await Promise.all(pending);
  }

  private async attempt(
    controller: AbortController, body: Uint8Array, timeoutMsGiven: number, gzip: boolean, keepalive: boolean,
  ): Promise<SendResult> {
    const timeoutMs = Math.min(Math.max(0, timeoutMsGiven || 0), MAX_TIMER_MS);
    let timedOut = false;
    if (keepalive) this.keepaliveBytes += body.length;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const headers = new Headers(this.headers);
      if (gzip) headers.set('Content-Encoding', 'gzip');
      const fetchFn = this.fetchFn ?? (globalThis.fetch as FetchFunction | undefined);
      if (fetchFn === undefined) return { status: 'failure', error: 'no fetch in this runtime' };
      let response: Response;
      try {
        response = await fetchFn(this.url, {
          method: 'POST',
          headers,
          // fetch's BufferSource type wants an ArrayBuffer-backed view; WASM memory and plain arrays are.
          body: body as Uint8Array<ArrayBuffer>,
          signal: controller.signal,
          keepalive,
          redirect: 'manual',
        });
      } catch (error) {
        return this.abortedResult(timedOut, timeoutMs)
          // Browsers give no detail (CORS, DNS, refused and reset all look alike): all count as network errors.
          ?? { status: 'retryable', error: `network error: ${describeError(error)}` };
      }
      let read: Uint8Array | undefined;
      try {
        read = await readCapped(response, MAX_RESPONSE_BYTES);
      } catch (error) {
        // The connection broke while the answer was arriving: the spans may or may not have been stored.
        return this.abortedResult(timedOut, timeoutMs)
          ?? { status: 'retryable', error: `connection lost while reading HTTP ${response.status}: ${describeError(error)}` };
      }
      return classifyHttpResponse(response.status, response.headers, read);
    } finally {
      clearTimeout(timer);
      if (keepalive) this.keepaliveBytes -= body.length;
    }
  }

  /** What an aborted request means: a timeout is worth retrying, a shutdown is final; undefined if neither. */
  private abortedResult(timedOut: boolean, timeoutMs: number): SendResult | undefined {
    if (timedOut) return { status: 'retryable', error: `request timed out after ${timeoutMs} ms` };
    if (this.closed) return { status: 'failure', error: 'transport shut down during the request' };
    return undefined;
  }
}

/** Headers every request carries; user headers after User-Agent, and the ones describing our body last. */
function buildHeaders(
  userHeaders: Readonly<Record<string, string>> | undefined, sendUserAgent: boolean, contentType: string,
): Headers {
  const headers = new Headers();
  if (sendUserAgent) {
    try {
      // Best effort: Chrome ignores User-Agent from scripts (crbug.com/571722), older engines throw on it.
      headers.set('User-Agent', `spanwire/${VERSION}`);
    } catch {
      // A runtime that refuses the header keeps its own User-Agent.
    }
  }
  if (userHeaders !== undefined) {
    for (const name of Object.keys(userHeaders)) headers.set(name, userHeaders[name]!);
  }
  headers.set('Content-Type', contentType);
  headers.delete('Content-Encoding');
  headers.delete('Content-Length');
  return headers;
}

/**
 * The response body, at most `capBytes` (after any Content-Encoding fetch undid); undefined when it is larger,
 * having cancelled the rest so that no more than one chunk past the cap is ever held.
 */
async function readCapped(response: Response, capBytes: number): Promise<Uint8Array | undefined> {
  const encoding = response.headers.get('Content-Encoding');
  const declared = Number(response.headers.get('Content-Length') ?? '');
  if ((encoding === null || encoding === 'identity') && declared > capBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const stream = response.body;
  if (stream === null) {
    // Only fetch polyfills without streams land here (a null body is otherwise an empty one): not bounded.
    const whole = new Uint8Array(await response.arrayBuffer());
    return whole.length > capBytes ? undefined : whole;
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > capBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}
