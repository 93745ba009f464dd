// The OTLP trace exporter: turns a batch of span slots into ExportTraceServiceRequest bodies (WASM encode, split
// when over batchBytes, WASM gzip), sends them through a Transport with the spec's retry rules, and accounts for
// every span: delivered, or dropped with a reason. Bounded: requests in flight and bytes waiting are capped, and
// beyond the caps spans are dropped and counted, so a dead collector cannot grow memory. Never throws.
import { context, diag } from '@opentelemetry/api';
import type { SpanArena } from '../arena/span-arena.js';
import { BatchEncoder, ENCODE_BAD_INPUT, GZIP_LEVEL_FAST } from '../codec/batch-encoder.js';
import { raceTimeout } from '../processing/export-dispatcher.js';
import { inMacrotask } from '../processing/unref-timeout.js';
import { suppressTracing } from '../sdk/tracer.js';
import { decodePartialSuccess } from './otlp-response.js';
import { DEFAULT_RETRY_POLICY, type RetriedSend, type RetryPolicy, sendWithRetry } from './retrying-transport.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from './span-exporter.js';
import type { Transport } from './transport.js';

export interface OtlpExporterOptions {
  transport: Transport;
  /** 'gzip' (default): the WASM codec compresses bodies (HTTP). gRPC compresses in its transport: use 'none'. */
  compression?: 'gzip' | 'none';
  /** DEFLATE level: 1 (default, fast) or 6 (smaller, about 3x the time). */
  gzipLevel?: number;
  /** Time for one request including its retries (OTEL_EXPORTER_OTLP_TIMEOUT, default 10000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * Batches (exports) in flight at once; a batch beyond it is dropped ('inflight_limit'). Default 8: above the
   * batch processor's 4, so the processor's own bound is the one that normally holds; a batch may be several
   * requests (requestTargetBytes), and their memory is bounded by maxPendingBytes.
   */
  maxConcurrentRequests?: number;
  /** Body bytes copied out and not yet acknowledged; beyond it batches are dropped ('inflight_limit'). 32 MiB. */
  maxPendingBytes?: number;
  /**
   * Bodies above this many bytes are gzipped in a later macrotask, not in the export() call. Default 16 KiB.
   */
  deferGzipAboveBytes?: number;
  /**
   * Aim for requests of about this many protobuf bytes (default 64 KiB, ~140 canonical spans): a 512-span batch
   * (~230 KB) gzipped in one piece blocked the event loop for 1.3-1.8 ms on a loaded 2-core machine; a quarter of
   * it stays well under the 1 ms goal. A soft target: a request may exceed it, never batchBytes.
   */
  requestTargetBytes?: number;
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
/**
 * Protobuf bytes per keepalive request: 60 KiB, so that even a body gzip cannot shrink (it grows by 18 bytes of
 * framing plus 5 per 64 KiB block) fits the 64 KiB keepalive quota alone. Canonical spans come to ~5.5 KB per
 * request on the wire (~40 bytes a span): ~12 requests, ~1,600 spans share the quota.
 */
const KEEPALIVE_REQUEST_TARGET_BYTES = 60 * 1024;

export class OtlpTraceExporter implements SpanwireExporter {
  private readonly transport: Transport;
  private readonly gzip: boolean;
  private readonly gzipLevel: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxConcurrentRequests: number;
  private readonly maxPendingBytes: number;
  private readonly deferGzipAboveBytes: number;
  private readonly requestTargetBytes: number;
  /** Protobuf bytes per span seen so far: sizes the next request to about requestTargetBytes. */
  private bytesPerSpan = 0;
  private encoder: BatchEncoder | undefined;
  private inFlightRequests = 0;
  private inFlightExports = 0;
  private pendingBytes = 0;
  private stopped = false;
  /** Inside withKeepalive(): requests must outlive the page (keepalive, gzip inline, one attempt). */
  private keepaliveMode = false;
  private readonly pending = new Set<Promise<ChunkOutcome>>();
  private lastWarnMs = -Infinity;
  /**
   * Deferred compressions run one per macrotask: queued with setImmediate side by side, several would run back to
   * back in one loop phase (measured: 2.6-3.8 ms turns); chained, each turn holds one gzip + one send.
   */
  private readonly gzipJobs: (() => void)[] = [];
  private gzipRunning = false;
  private readonly runGzipJob = (): void => {
    const job = this.gzipJobs.shift();
    if (job !== undefined) job();
    if (this.gzipJobs.length > 0) inMacrotask(this.runGzipJob);
    else this.gzipRunning = false;
  };

  constructor(options: OtlpExporterOptions) {
    this.transport = options.transport;
    this.gzip = options.compression !== 'none';
    this.gzipLevel = options.gzipLevel ?? GZIP_LEVEL_FAST;
    this.timeoutMs = positiveOr(options.timeoutMs, 10000);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.maxConcurrentRequests = positiveOr(options.maxConcurrentRequests, 8);
    this.maxPendingBytes = positiveOr(options.maxPendingBytes, 32 * 1024 * 1024);
    this.deferGzipAboveBytes = positiveOr(options.deferGzipAboveBytes, 16 * 1024);
    this.requestTargetBytes = positiveOr(options.requestTargetBytes, 64 * 1024);
  }

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    const count = batch.count;
    if (this.stopped) return { delivered: 0, dropped: count, dropReason: 'shutdown' };
    // Concurrency is bounded per export: the requests one batch splits into do not count against each other.
    if (this.inFlightExports >= this.maxConcurrentRequests) {
      return { delivered: 0, dropped: count, dropReason: 'inflight_limit' };
    }
    const timeoutMs = typeof batch.timeoutMs === 'number' && batch.timeoutMs > 0
      ? Math.min(this.timeoutMs, batch.timeoutMs) : this.timeoutMs;
    const encoder = this.encoderFor(batch.arena);
    const keepalive = this.keepaliveMode;
    const targetBytes = keepalive ? Math.min(this.requestTargetBytes, KEEPALIVE_REQUEST_TARGET_BYTES) : this.requestTargetBytes;
    const droppedBy: Record<string, number> = {};
    const chunks: Promise<ChunkOutcome>[] = [];
    let start = 0;
    // Keepalive: spans per request, halved while a gzipped body would overflow the keepalive budget left.
    let keepaliveCap = count;
    while (start < count) {
      // 64 spans until the first request shows how large spans are (a canonical span is ~450 bytes).
      const want = this.bytesPerSpan > 0 ? Math.max(1, Math.floor(targetBytes / this.bytesPerSpan)) : 64;
      const spans = encoder.encodeFitting(batch.slots, start, Math.min(count - start, want, keepaliveCap));
      if (spans === 0) {
        if (encoder.lastResult === ENCODE_BAD_INPUT) {
          addTo(droppedBy, 'encode_failed', count - start);
          break;
        }
        addTo(droppedBy, 'too_large', 1); // this one span alone exceeds batchBytes
        start += 1;
        continue;
      }
      const body = encoder.body;
      this.bytesPerSpan = body.byteLength / spans;
      if (this.pendingBytes + body.byteLength > this.maxPendingBytes) {
        addTo(droppedBy, 'inflight_limit', spans);
      } else if (keepalive) {
        // A page going away may not run another macrotask: keepalive bodies are compressed here, at once.
        const payload = this.gzip ? encoder.gzip(body, this.gzipLevel) : body;
        if (payload.byteLength > (this.transport.keepaliveBytesLeft?.() ?? Infinity)) {
          if (spans === 1) { // not even one more span fits: the rest of the batch stays behind, counted
            addTo(droppedBy, 'keepalive_budget', count - start);
            break;
          }
          keepaliveCap = spans >> 1;
          continue;
        }
        chunks.push(this.track(this.send(payload.slice(), spans, false, timeoutMs, true)));
      } else {
        const deferGzip = this.gzip && body.byteLength > this.deferGzipAboveBytes;
        const payload = this.gzip && !deferGzip ? encoder.gzip(body, this.gzipLevel).slice() : body.slice();
        chunks.push(this.track(this.send(payload, spans, deferGzip, timeoutMs, false)));
      }
      start += spans;
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
   * Runs `work` (typically provider.forceFlush(), whose exports start synchronously) with every export it starts
   * sent as fetch keepalive requests that can outlive the page: gzipped at once rather than in a later macrotask,
   * at most 60 KiB of protobuf per request, split further to fit the keepalive budget the transport has left, one
   * attempt (a retry timer would not outlive the page); spans that fit no more are dropped as 'keepalive_budget'.
   * Returns what `work` returns.
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

  /**
   * Stops accepting batches, gives requests in flight up to the export timeout, then closes the transport, which
   * aborts whatever is still running (those spans count as failed, not delivered).
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await raceTimeout(this.forceFlush(), this.timeoutMs);
    await this.transport.shutdown();
  }

  private encoderFor(arena: SpanArena): BatchEncoder {
    if (this.encoder === undefined || this.encoder.arena !== arena) this.encoder = new BatchEncoder(arena);
    return this.encoder;
  }

  private track(chunk: Promise<ChunkOutcome>): Promise<ChunkOutcome> {
    this.pending.add(chunk);
    void chunk.then(() => this.pending.delete(chunk));
    return chunk;
  }

  private async send(
    payload: Uint8Array, spans: number, gzipLater: boolean, timeoutMs: number, keepalive: boolean,
  ): Promise<ChunkOutcome> {
    this.inFlightRequests++;
    const reserved = payload.byteLength;
    this.pendingBytes += reserved;
    try {
      let body = payload;
      if (gzipLater) body = await this.gzipLater(payload);
      // The transport's own HTTP/gRPC calls must not be traced by instrumentations (they would feed themselves).
      // Called without an await before it: a keepalive request's fetch() starts inside export().
      const sent = await context.with(suppressTracing(context.active()), () => keepalive
        ? this.sendKeepalive(body, timeoutMs)
        : sendWithRetry(this.transport, body, this.gzip, timeoutMs, this.retry));
      const result = sent.result;
      if (result.status === 'success') {
        const partial = decodePartialSuccess(result.response);
        const rejected = partial === undefined ? 0 : Math.min(spans, partial.rejectedSpans);
        if (partial !== undefined && (rejected > 0 || partial.errorMessage !== '')) {
          this.warn(`spanwire: the OTLP receiver rejected ${rejected} of ${spans} spans: ${partial.errorMessage}`);
        }
        return { delivered: spans - rejected, dropped: rejected, reason: 'rejected', bytes: body.byteLength };
      }
      this.warn(`spanwire: OTLP export of ${spans} spans failed after ${sent.attempts} attempt(s): ${result.error}`);
      const reason = result.status === 'failure' ? result.reason ?? 'not_retryable'
        : sent.timedOut ? 'export_timeout' : 'retries_exhausted';
      return { delivered: 0, dropped: spans, reason, bytes: 0 };
    } catch {
      return { delivered: 0, dropped: spans, reason: 'export_failed', bytes: 0 };
    } finally {
      this.inFlightRequests--;
      this.pendingBytes -= reserved;
    }
  }

  /** One keepalive attempt, shaped like sendWithRetry's answer. */
  private async sendKeepalive(body: Uint8Array, timeoutMs: number): Promise<RetriedSend> {
    const result = await this.transport.send(body, { timeoutMs, gzip: this.gzip, keepalive: true });
    return { result, attempts: 1, timedOut: false };
  }

  /** gzip of a body copied out of the codec, in its own macrotask, after the compressions queued before it. */
  private gzipLater(raw: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.gzipJobs.push(() => {
        try {
          if (this.encoder === undefined) throw new Error('spanwire: no encoder for a deferred gzip');
          resolve(this.encoder.gzipCopy(raw, this.gzipLevel).slice());
        } catch (error) {
          reject(error); // send() counts the spans as export_failed: a raw body must never go out as gzip
        }
      });
      if (!this.gzipRunning) {
        this.gzipRunning = true;
        inMacrotask(this.runGzipJob);
      }
    });
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
