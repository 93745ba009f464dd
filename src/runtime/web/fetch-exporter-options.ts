// The OTLP/HTTP export options shared by the edge entries (spanwire/web, spanwire/workerd), and the exporter they
// build from them: OtlpTraceExporter over FetchTransport, gzip by the WASM codec. Portable: no node:* imports.
// Never throws: a bad URL or header makes every send fail and count its spans, as FetchTransport does.
import { FetchTransport, type FetchFunction } from '../../export/otlp-http-fetch-transport.js';
import { OtlpTraceExporter } from '../../export/otlp-trace-exporter.js';
import type { RetryPolicy } from '../../export/retrying-transport.js';
import type { SpanwireOptions } from '../../sdk/tracer-provider.js';

/** What the edge entries are configured with: the provider's options plus where and how spans are sent. */
export interface WebTracerOptions extends Omit<SpanwireOptions, 'codec'> {
  /** The full OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces` (nothing is appended). */
  url: string;
  /** Extra request headers (authentication); never Content-Type or Content-Encoding. */
  headers?: Record<string, string>;
  /** 'gzip' (default, done by the WASM codec) or 'none'. */
  compression?: 'gzip' | 'none';
  /**
   * The codec: a precompiled `WebAssembly.Module` (required on workerd: `import codec from 'spanwire/codec.wasm'`)
   * or the bytes of a build; default the release build embedded in the package.
   */
  codec?: WebAssembly.Module | BufferSource;
  /** Time for one export request including retries (default 10000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Default `globalThis.fetch`, looked up at each send. */
  fetch?: FetchFunction;
  /** Keepalive bytes in flight at once for flushOnPageHide (default and maximum 65536, the Fetch spec quota). */
  keepaliveBudgetBytes?: number;
  /** Send `User-Agent: spanwire/<version>` (default true; Firefox/Safari add it to the CORS preflight). */
  sendUserAgent?: boolean;
}

/** The OTLP/HTTP exporter over fetch that `options` describe. */
export function createFetchExporter(options: WebTracerOptions): OtlpTraceExporter {
  const transport = new FetchTransport({
    url: options.url,
    headers: options.headers,
    fetch: options.fetch,
    keepaliveBudgetBytes: options.keepaliveBudgetBytes,
    sendUserAgent: options.sendUserAgent,
  });
  return new OtlpTraceExporter({
    transport, compression: options.compression, timeoutMs: options.timeoutMs, retry: options.retry,
  });
}
