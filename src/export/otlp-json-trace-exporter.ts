// The OTLP/HTTP JSON trace exporter (http/json): batch -> OTLP/JSON requests under a byte bound -> WASM gzip ->
// Transport (application/json) with the spec's retry rules; every span delivered or dropped with a reason, exactly
// as OtlpTraceExporter accounts (same reasons, same bounds). Never throws.
import { context, diag } from '@opentelemetry/api';
import type { SpanArena } from '../arena/span-arena.js';
import { BatchEncoder, GZIP_LEVEL_FAST } from '../codec/batch-encoder.js';
import { raceTimeout } from '../processing/export-dispatcher.js';
import { inMacrotask } from '../processing/unref-timeout.js';
import { suppressTracing } from '../sdk/tracer.js';
import { JSON_ENCODE_BAD_INPUT, OtlpJsonEncoder } from './otlp-json-encoder.js';
import { decodeJsonPartialSuccess } from './otlp-response.js';
import { DEFAULT_RETRY_POLICY, type RetriedSend, type RetryPolicy, sendWithRetry } from './retrying-transport.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from './span-exporter.js';
import type { Transport } from './transport.js';

export interface OtlpJsonExporterOptions {
  /**
   * Must send bodies as `Content-Type: application/json`: on Node,
   * `createHttpTransport({ url, contentType: 'application/json' })`.
   */
  transport: Transport;
  /** 'gzip' (default): the WASM codec compresses each body (Content-Encoding: gzip); 'none' sends plain JSON. */
  compression?: 'gzip' | 'none';
  /** DEFLATE level: 1 (default, fast) or 6 (smaller, about 3x the time). */
  gzipLevel?: number;
  /** Time for one request including its retries (OTEL_EXPORTER_OTLP_TIMEOUT, default 10000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Batches (exports) in flight at once; a batch beyond it is dropped ('inflight_limit'). Default 8. */
  maxConcurrentRequests?: number;
  /** Body bytes copied out and not yet acknowledged; beyond it requests are dropped ('inflight_limit'). 32 MiB. */
  maxPendingBytes?: number;
  /** Bodies above this many bytes are gzipped in a later macrotask, not in the export() call. Default 16 KiB. */
  deferGzipAboveBytes?: number;
  /**
   * Aim for requests of about this many JSON bytes (default 64 KiB, ~60 canonical spans at ~1 KB each): gzip time
   * grows with the input, and the protobuf exporter measured 64 KiB requests staying under the 1 ms event-loop goal.
   */
  requestTargetBytes?: number;
  /**
   * Hard bound on one request's JSON bytes (before gzip); a span whose JSON alone exceeds it is dropped
   * ('too_large'). Default and ceiling: the arena's batchBytes (4 MiB by default, the most the codec can gzip;
   * always under the OTLP 64 MiB request cap).
   */
  maxRequestBytes?: number;
}

/** What one request's spans came to. */
interface ChunkOutcome {
  delivered: number;
  dropped: number;
  reason: string;
  bytes: number;
}

/** Warn about rejected spans and failures at most this often (the counts are always in stats()). */
const WARN_INTERVAL_MS = 10000;
/** JSON bytes per keepalive request: half the 64 KiB keepalive quota, so that even an incompressible body fits. */
const KEEPALIVE_REQUEST_TARGET_BYTES = 32 * 1024;

/**
 * OTLP/HTTP JSON exporter. export() reads the whole batch before it returns (slots are recycled after it); the
 * outcome settles when every request of the batch has been answered, retried out or timed out.
 */
export class OtlpJsonTraceExporter implements SpanwireExporter {
  private readonly transport: Transport;
  private readonly gzip: boolean;
  private readonly gzipLevel: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxConcurrentRequests: number;
  private readonly maxPendingBytes: number;
  private readonly deferGzipAboveBytes: number;
  private readonly requestTargetBytes: number;
  private readonly maxRequestBytesOption: number;
  private encoder: OtlpJsonEncoder | undefined;
  /** The WASM codec of the arena last seen: only its gzip is used (bodies are copied in, compressed, copied out). */
  private codec: BatchEncoder | undefined;
  private inFlightExports = 0;
  private pendingBytes = 0;
  private stopped = false;
  private keepaliveMode = false;
  private readonly pending = new Set<Promise<ChunkOutcome>>();
  private lastWarnMs = -Infinity;
  /** Deferred compressions, one per macrotask and in order: each waits for the one before it. */
  private gzipQueue: Promise<unknown> = Promise.resolve();

  constructor(options: OtlpJsonExporterOptions) {
    this.transport = options.transport;
    this.gzip = options.compression !== 'none';
    this.gzipLevel = options.gzipLevel ?? GZIP_LEVEL_FAST;
    this.timeoutMs = positiveOr(options.timeoutMs, 10000);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.maxConcurrentRequests = positiveOr(options.maxConcurrentRequests, 8);
    this.maxPendingBytes = positiveOr(options.maxPendingBytes, 32 * 1024 * 1024);
    this.deferGzipAboveBytes = positiveOr(options.deferGzipAboveBytes, 16 * 1024);
    this.requestTargetBytes = positiveOr(options.requestTargetBytes, 64 * 1024);
    this.maxRequestBytesOption = positiveOr(options.maxRequestBytes, Infinity);
  }

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    const count = batch.count;
    if (this.stopped) return { delivered: 0, dropped: count, dropReason: 'shutdown' };
    if (this.inFlightExports >= this.maxConcurrentRequests) {
      return { delivered: 0, dropped: count, dropReason: 'inflight_limit' };
    }
    const timeoutMs = typeof batch.timeoutMs === 'number' && batch.timeoutMs > 0
      ? Math.min(this.timeoutMs, batch.timeoutMs) : this.timeoutMs;
    const encoder = this.encoderFor(batch.arena);
    const keepalive = this.keepaliveMode;
    const maxBytes = Math.min(this.maxRequestBytesOption, batch.arena.capacity.batchBytes);
    const targetBytes = Math.min(maxBytes, keepalive
      ? Math.min(this.requestTargetBytes, KEEPALIVE_REQUEST_TARGET_BYTES) : this.requestTargetBytes);
    const droppedBy: Record<string, number> = {};
    const chunks: Promise<ChunkOutcome>[] = [];
    let encoded = 0; // spans of the body being compressed: lost with it if the codec fails
    try {
      if (!encoder.begin(batch.slots, count)) {
        return { delivered: 0, dropped: count, dropReason: 'encode_failed' };
      }
      while (encoder.remaining > 0) {
        const spans = encoder.next(targetBytes, maxBytes);
        if (spans === JSON_ENCODE_BAD_INPUT) {
          addTo(droppedBy, 'encode_failed', encoder.remaining);
          break;
        }
        if (spans === 0) {
          addTo(droppedBy, 'too_large', 1); // this one span's JSON alone exceeds maxBytes
          encoder.skip();
          continue;
        }
        const body = encoder.body;
        if (this.pendingBytes + body.byteLength > this.maxPendingBytes) {
          addTo(droppedBy, 'inflight_limit', spans);
          continue;
        }
        // A page going away may not run another macrotask: keepalive bodies are compressed here, at once.
        const deferGzip = this.gzip && !keepalive && body.byteLength > this.deferGzipAboveBytes;
        encoded = spans;
        const payload = this.gzip && !deferGzip ? this.compress(body) : body.slice();
        chunks.push(this.track(this.send(payload, spans, deferGzip, timeoutMs, keepalive)));
        encoded = 0;
      }
    } catch {
      // Only a codec failure gets here (gzip of a body under batchBytes cannot overflow): the unsent rest is lost.
      addTo(droppedBy, 'encode_failed', encoded + encoder.remaining);
    }
    if (chunks.length === 0) return { delivered: 0, dropped: count, droppedBy, dropReason: 'export_failed' };
    this.inFlightExports++;
    return Promise.all(chunks).then((outcomes) => {
      this.inFlightExports--;
      let delivered = 0;
      let bytesSent = 0;
      for (const outcome of outcomes) {
        delivered += outcome.delivered;
        bytesSent += outcome.bytes;
        addTo(droppedBy, outcome.reason, outcome.dropped);
      }
      return { delivered, dropped: count - delivered, droppedBy, bytesSent };
    });
  }

  /**
   * Runs `work` (typically provider.forceFlush()) with every export it starts sent as keepalive requests that can
   * outlive a page: gzipped at once, at most ~32 KiB of JSON each, one attempt. Returns what `work` returns.
   */
  withKeepalive<T>(work: () => T): T {
    const outer = this.keepaliveMode;
    this.keepaliveMode = true;
    try {
      return work();
    } finally {
      this.keepaliveMode = outer;
    }
  }

  /** Waits for every request in flight (each bounded by its own timeout). */
  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Stops accepting batches, gives requests in flight up to the export timeout, then closes the transport. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await raceTimeout(this.forceFlush(), this.timeoutMs);
    await this.transport.shutdown();
  }

  private encoderFor(arena: SpanArena): OtlpJsonEncoder {
    if (this.encoder === undefined || this.encoder.arena !== arena) {
      this.encoder = new OtlpJsonEncoder(arena);
      this.codec = new BatchEncoder(arena);
    }
    return this.encoder;
  }

  /** gzip of JSON bytes (a view of the encoder's buffer, or a copy): copied into the codec, result copied out. */
  private compress(json: Uint8Array): Uint8Array {
    if (this.codec === undefined) throw new Error('spanwire: no codec for gzip');
    return this.codec.gzipCopy(json, this.gzipLevel).slice();
  }

  private track(chunk: Promise<ChunkOutcome>): Promise<ChunkOutcome> {
    this.pending.add(chunk);
    void chunk.then(() => this.pending.delete(chunk));
    return chunk;
  }

  private async send(
    payload: Uint8Array, spans: number, gzipLater: boolean, timeoutMs: number, keepalive: boolean,
  ): Promise<ChunkOutcome> {
    const reserved = payload.byteLength;
    this.pendingBytes += reserved;
    try {
      const body = gzipLater ? await this.compressLater(payload) : payload;
      // The transport's own HTTP calls must not be traced by instrumentations (they would feed themselves).
      // Called without an await before it: a keepalive request starts inside export().
      const sent = await context.with(suppressTracing(context.active()), () => keepalive
        ? this.sendOnce(body, timeoutMs)
        : sendWithRetry(this.transport, body, this.gzip, timeoutMs, this.retry));
      const result = sent.result;
      if (result.status === 'success') {
        const partial = decodeJsonPartialSuccess(result.response);
        const rejected = partial === undefined ? 0 : Math.min(spans, partial.rejectedSpans);
        if (partial !== undefined && (rejected > 0 || partial.errorMessage !== '')) {
          this.warn(`spanwire: the OTLP receiver rejected ${rejected} of ${spans} spans: ${partial.errorMessage}`);
        }
        return { delivered: spans - rejected, dropped: rejected, reason: 'rejected', bytes: body.byteLength };
      }
      this.warn(`spanwire: OTLP/JSON export of ${spans} spans failed after ${sent.attempts} attempt(s): ${result.error}`);
      const reason = result.status === 'failure' ? result.reason ?? 'not_retryable'
        : sent.timedOut ? 'export_timeout' : 'retries_exhausted';
      return { delivered: 0, dropped: spans, reason, bytes: 0 };
    } catch {
      return { delivered: 0, dropped: spans, reason: 'export_failed', bytes: 0 };
    } finally {
      this.pendingBytes -= reserved;
    }
  }

  /** One keepalive attempt, shaped like sendWithRetry's answer. */
  private async sendOnce(body: Uint8Array, timeoutMs: number): Promise<RetriedSend> {
    const result = await this.transport.send(body, { timeoutMs, gzip: this.gzip, keepalive: true });
    return { result, attempts: 1, timedOut: false };
  }

  /**
   * gzip in a macrotask of its own, after the compressions queued before it (side by side in one loop phase,
   * several would run back to back and block it for their sum). Rejects when the codec fails: send() then counts
   * the spans as export_failed, since a raw body must never go out labelled gzip.
   */
  private compressLater(json: Uint8Array): Promise<Uint8Array> {
    const compressed = this.gzipQueue.then(() => new Promise<Uint8Array>((resolve, reject) => {
      inMacrotask(() => {
        try {
          resolve(this.compress(json));
        } catch (error) {
          reject(error);
        }
      });
    }));
    this.gzipQueue = compressed.catch(() => undefined);
    return compressed;
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnMs < WARN_INTERVAL_MS) return;
    this.lastWarnMs = now;
    diag.warn(message);
  }
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && value < Infinity ? value : fallback;
}

function addTo(counts: Record<string, number>, reason: string, n: number): void {
  if (n > 0) counts[reason] = (counts[reason] ?? 0) + n;
}
