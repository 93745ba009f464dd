// The transport seam (after opentelemetry-js otlp-exporter-base): one request out, one classified result back.
// Retry lives in a decorator around it (retrying-transport.ts), never inside a transport.
// Implementations: OTLP/HTTP over fetch (every runtime), node:http (Node), OTLP/gRPC (@grpc/grpc-js, Node).
// A transport never throws and never rejects: every failure is a SendResult.

/** The outcome of one request, as the OTLP spec's retry rules need it. */
export type SendResult =
  | {
    status: 'success';
    /** The ExportTraceServiceResponse bytes (may be empty), at most 4 MiB after decompression. */
    response: Uint8Array;
    /** Body bytes as they went on the wire, when the transport compressed them itself (gzipsPlainBodies). */
    sentBytes?: number;
  }
  | {
    /** HTTP 429/502/503/504, a connection failure or reset, or a retryable gRPC code: worth another try. */
    status: 'retryable';
    /** Server-given delay (Retry-After, google.rpc.RetryInfo), if any. */
    retryAfterMs?: number;
    error: string;
  }
  | {
    /** Everything else (HTTP 400, 401, 403, 404, 413, 500 ..., non-retryable gRPC codes): never retried. */
    status: 'failure';
    error: string;
    /** Drop reason for the spans when the request was never sent (e.g. 'keepalive_budget'); default 'not_retryable'. */
    reason?: string;
  };

/** What a request carries besides its body. */
export interface SendOptions {
  /** Abort after this long; the result is then 'retryable' (a timeout is a transient failure). */
  timeoutMs: number;
  /** Whether `body` is already gzip-compressed (Content-Encoding: gzip / grpc-encoding: gzip). */
  gzip: boolean;
  /**
   * The request must outlive the page (fetch keepalive, sent while a page is hidden or unloading): a transport
   * that cannot keep it alive within its budget fails it with reason 'keepalive_budget' instead of sending it.
   */
  keepalive?: boolean;
}

export interface Transport {
  /** Sends one ExportTraceServiceRequest. `body` stays untouched and owned by the caller until this settles. */
  send(body: Uint8Array, options: SendOptions): Promise<SendResult>;
  /** Closes connections; later sends fail with status 'failure'. */
  shutdown(): Promise<void>;
  /** Body bytes a keepalive send could still carry now (fetch transports); absent: no keepalive budget. */
  keepaliveBytesLeft?(): number;
  /**
   * The transport compresses plain bodies itself, off the event-loop thread (ExportThreadTransport on Node): the
   * exporter then hands it plain bodies whatever its own compression option says, and the transport's decides.
   */
  readonly gzipsPlainBodies?: boolean;
  /**
   * For a transport that gzips plain bodies itself: true while it would rather be handed bodies gzipped already
   * (its thread is behind), so the caller shares the compression work for a while. Called once per batch.
   */
  prefersCompressedBodies?(): boolean;
}

/** Responses are read up to this many bytes (OTLP: 4 MiB after decompression); more is a failure. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** HTTP statuses the OTLP spec says to retry: 429 Too Many Requests, 502, 503, 504. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/;
const HTTP_DATE_MONTH = /(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/;

/**
 * A Retry-After header as a delay in ms: delta-seconds ("120") or an HTTP-date (RFC 9110 section 10.2.3).
 * Undefined when absent or unparsable; never negative.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) names a weekday and a month: Date.parse alone would also
  // take '1.5' or '-1' as dates in 2001 and turn them into an immediate retry.
  if (!HTTP_DATE_START.test(trimmed) || !HTTP_DATE_MONTH.test(trimmed)) return undefined;
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
