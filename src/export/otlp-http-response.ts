// Classifies one OTLP/HTTP answer (OTLP spec "Failures", "Throttling"): 2xx success, 429/502/503/504 retryable
// with Retry-After, everything else a failure carrying the google.rpc.Status message (protobuf or JSON). Shared by
// the fetch and node:http transports; portable, never throws, reads only the bytes it is given.
import { decodeJsonRpcStatus, decodeRpcStatus, type RpcStatus } from './otlp-response.js';
import { isRetryableHttpStatus, MAX_RESPONSE_BYTES, parseRetryAfterMs, type SendResult } from './transport.js';

/** Enough of a non-protobuf error body to recognise it (an HTML error page, a JSON message), not to log it all. */
const ERROR_TEXT_CHARS = 200;

const textDecoder = new TextDecoder();

/** Minimal view of response headers, shared with the node:http transport. */
export interface ResponseHeaderReader {
  get(name: string): string | null;
}

/**
 * Classifies a complete HTTP answer per the OTLP retry rules. `body` is undefined when it exceeded
 * MAX_RESPONSE_BYTES.
 */
export function classifyHttpResponse(status: number, headers: ResponseHeaderReader, body: Uint8Array | undefined): SendResult {
  if (status >= 200 && status < 300) {
    if (body === undefined) {
      return { status: 'failure', error: `HTTP ${status} response body exceeds ${MAX_RESPONSE_BYTES} bytes; not read` };
    }
    return { status: 'success', response: body };
  }
  const detail = body === undefined ? `body over ${MAX_RESPONSE_BYTES} bytes, not read` : describeErrorBody(headers, body);
  const error = detail === '' ? `HTTP ${status}` : `HTTP ${status}: ${detail}`;
  if (isRetryableHttpStatus(status)) {
    let retryAfterMs = parseRetryAfterMs(headers.get('Retry-After'));
    // OTLP/HTTP names only Retry-After; a google.rpc.RetryInfo in the Status body is the gRPC-style fallback.
    if (retryAfterMs === undefined && body !== undefined) retryAfterMs = typedRpcStatus(headers, body)?.retryDelayMs;
    return retryAfterMs === undefined ? { status: 'retryable', error } : { status: 'retryable', retryAfterMs, error };
  }
  if (status === 0) return { status: 'failure', error: 'redirect not followed (opaque redirect response)' };
  if (status >= 300 && status < 400) {
    const location = headers.get('Location');
    return { status: 'failure', error: location === null ? `HTTP ${status}: redirect not followed` : `HTTP ${status}: redirect to ${location} not followed` };
  }
  return { status: 'failure', error };
}

function isProtobuf(headers: ResponseHeaderReader): boolean {
  return (headers.get('Content-Type') ?? '').toLowerCase().includes('protobuf');
}

function isJson(headers: ResponseHeaderReader): boolean {
  return (headers.get('Content-Type') ?? '').toLowerCase().includes('json');
}

/** The body's google.rpc.Status when its Content-Type says protobuf or JSON; undefined otherwise. */
function typedRpcStatus(headers: ResponseHeaderReader, body: Uint8Array): RpcStatus | undefined {
  if (isProtobuf(headers)) return decodeRpcStatus(body);
  if (isJson(headers)) return decodeJsonRpcStatus(body);
  return undefined;
}

/**
 * The message of a failure body: google.rpc.Status.message when the body is protobuf or JSON (OTLP/HTTP says
 * failures carry one, encoded as the request was), else the start of the text. A body without Content-Type is
 * tried as a protobuf Status first.
 */
function describeErrorBody(headers: ResponseHeaderReader, body: Uint8Array): string {
  if (body.length === 0) return '';
  if (isJson(headers)) {
    const status = decodeJsonRpcStatus(body);
    if (status !== undefined && status.message !== '') return status.message;
  }
  const contentType = headers.get('Content-Type');
  if (contentType === null || isProtobuf(headers)) {
    const status = decodeRpcStatus(body);
    if (status !== undefined && status.message !== '') return status.message;
    if (contentType !== null) return `(${body.length} bytes of protobuf without a google.rpc.Status message)`;
  }
  const text = textDecoder.decode(body.subarray(0, ERROR_TEXT_CHARS * 4)).replace(/\s+/g, ' ').trim();
  return text.length > ERROR_TEXT_CHARS ? `${text.slice(0, ERROR_TEXT_CHARS)}...` : text;
}

/** An error's message plus its cause's code and message (undici puts ECONNREFUSED and friends in `cause`). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return error.message;
}
