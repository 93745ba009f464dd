// The sending half both OTLP trace exporters share (protobuf: otlp-trace-exporter.ts, JSON:
// otlp-json-trace-exporter.ts): admission (shutdown, batches in flight), the pending-bytes bound, deferred gzip
// one per macrotask, send with the spec's retry rules (or one keepalive attempt), partial-success and failure
// accounting per request, and the per-batch outcome. Never throws; never lets a raw body go out labelled gzip.
import { context, diag } from '@opentelemetry/api';
import type { PartStaging } from '../codec/part-staging.js';
import { raceTimeout } from '../processing/export-dispatcher.js';
import { ExportWorkMeter, type ExportWorkStats, startSlice } from '../processing/export-work-meter.js';
import { exportWorkQueue } from '../processing/export-work-queue.js';
import { suppressTracing } from '../sdk/tracer.js';
import { concatBytes } from './concat-bytes.js';
import type { PartialSuccess } from './otlp-response.js';
import { DEFAULT_RETRY_POLICY, type RetriedSend, type RetryPolicy, sendWithRetry } from './retrying-transport.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from './span-exporter.js';
import type { Transport } from './transport.js';

/** The options both exporters take for sending (each adds its own encoding options). */
export interface OtlpSendOptions {
  transport: Transport;
  /** 'gzip' (default): the WASM codec compresses each body (Content-Encoding: gzip). gRPC compresses itself: 'none'. */
  compression?: 'gzip' | 'none';
  /** DEFLATE level: 1 (default, fast) or 6 (smaller, about 3x the time). */
  gzipLevel?: number;
  /** Time for one request including its retries (OTEL_EXPORTER_OTLP_TIMEOUT, default 10000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * Batches (exports) in flight at once; a batch beyond it is dropped ('inflight_limit'). Default 16: above the
   * batch processor's 8, so the processor's own bound is the one that normally holds; a batch may be several
   * requests, and their memory is bounded by maxPendingBytes.
   */
  maxConcurrentRequests?: number;
  /** Body bytes copied out and not yet acknowledged; beyond it requests are dropped ('inflight_limit'). 32 MiB. */
  maxPendingBytes?: number;
  /** Bodies above this many bytes are gzipped in a later macrotask, not in the export() call. Default 16 KiB. */
  deferGzipAboveBytes?: number;
}

/** What one request's spans came to. */
export interface ChunkOutcome {
  delivered: number;
  dropped: number;
  reason: string;
  bytes: number;
}

/** How the encoding half plugs in. */
export interface OtlpEncoding {
  /** 'OTLP' or 'OTLP/JSON', for warnings. */
  label: string;
  /** The response's partial success (protobuf or JSON), undefined when it has none. */
  decodePartialSuccess(response: Uint8Array): PartialSuccess | undefined;
  /** gzip of a detached body (a copy made in export()), result copied out; throws when the codec fails. */
  gzipCopy(body: Uint8Array, level: number): Uint8Array;
}

/** One encoded piece of a request: final bytes, or raw protobuf/JSON to gzip in a later macrotask. */
export interface RequestPart {
  /** The bytes; for a staged part a view into codec memory, read only for its length. */
  bytes: Uint8Array;
  gzipLater: boolean;
  /** Where a gzipLater part waits inside codec memory (instead of a copy in `bytes`); cleared once released. */
  staging?: PartStaging | undefined;
  ticket?: number;
}

/** Warn about rejected spans and failures at most this often (the counts are always in stats()). */
const WARN_INTERVAL_MS = 10000;

export function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && value < Infinity ? value : fallback;
}

/** Gives a staged part's room back, once. */
function releaseStaged(part: RequestPart): void {
  const staging = part.staging;
  if (staging === undefined) return;
  part.staging = undefined;
  staging.release(part.ticket!);
}

export function addTo(counts: Record<string, number>, reason: string, n: number): void {
  if (n > 0) counts[reason] = (counts[reason] ?? 0) + n;
}

export class OtlpRequestSender {
  /** Bodies are gzipped on this thread (the WASM codec) before the transport gets them. */
  readonly gzip: boolean;
  /** Bodies go out gzipped, by this thread or by a transport that compresses them itself. */
  private readonly compress: boolean;
  readonly gzipLevel: number;
  readonly deferGzipAboveBytes: number;
  /** Inside withKeepalive(): requests must outlive the page (keepalive, gzip inline, one attempt). */
  keepaliveMode = false;
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxConcurrentRequests: number;
  private readonly maxPendingBytes: number;
  private inFlightExports = 0;
  private pendingBytes = 0;
  private stopped = false;
  private readonly pending = new Set<Promise<ChunkOutcome>>();
  private lastWarnMs = -Infinity;
  /** Deferred gzip parts and request starts, timed (stats().exportWork). */
  readonly exportWork = new ExportWorkMeter();
  constructor(options: OtlpSendOptions, private readonly encoding: OtlpEncoding, defaultGzipLevel: number) {
    this.transport = options.transport;
    // A transport that gzips on a thread of its own gets plain bodies: compressing here as well would only move the
    // work back onto the event loop (and gzip the body twice).
    this.compress = options.compression !== 'none';
    this.gzip = this.compress && options.transport.gzipsPlainBodies !== true;
    this.gzipLevel = options.gzipLevel ?? defaultGzipLevel;
    this.timeoutMs = positiveOr(options.timeoutMs, 10000);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.maxConcurrentRequests = positiveOr(options.maxConcurrentRequests, 16);
    this.maxPendingBytes = positiveOr(options.maxPendingBytes, 32 * 1024 * 1024);
    this.deferGzipAboveBytes = positiveOr(options.deferGzipAboveBytes, 16 * 1024);
  }

  /** The whole batch's outcome when it cannot be taken at all (shut down, too many batches in flight), else undefined. */
  refuse(batch: SpanBatch): ExportOutcome | undefined {
    if (this.stopped) return { delivered: 0, dropped: batch.count, dropReason: 'shutdown' };
    // Concurrency is bounded per export: the requests one batch splits into do not count against each other.
    if (this.inFlightExports >= this.maxConcurrentRequests) {
      return { delivered: 0, dropped: batch.count, dropReason: 'inflight_limit' };
    }
    return undefined;
  }

  /** The time one request of this batch may take: the exporter's, or the processor's if shorter. */
  timeoutFor(batch: SpanBatch): number {
    return typeof batch.timeoutMs === 'number' && batch.timeoutMs > 0
      ? Math.min(this.timeoutMs, batch.timeoutMs) : this.timeoutMs;
  }

  /**
   * Whether this batch's bodies are gzipped on this thread: always when `gzip`; with a transport that gzips on a
   * thread of its own, while that thread is behind (prefersCompressedBodies), so the event loop shares the work and
   * a producer on it slows down with the export instead of outrunning it and filling the queue.
   */
  gzipThisBatch(): boolean {
    return this.gzip || (this.compress && this.transport.prefersCompressedBodies?.() === true);
  }

  /** Whether a body of this size may wait for its answer (else its spans are dropped as 'inflight_limit'). */
  hasRoomFor(bodyBytes: number): boolean {
    return this.pendingBytes + bodyBytes <= this.maxPendingBytes;
  }

  /** Body bytes a keepalive send could still carry now (Infinity when the transport has no such budget). */
  keepaliveBytesLeft(): number {
    return this.transport.keepaliveBytesLeft?.() ?? Infinity;
  }

  /**
   * Sends one request of `spans` spans. `payload` is a copy the sender now owns: already gzipped (or plain when
   * compression is off), or raw with `gzipLater` to be compressed in a later macrotask.
   */
  send(
    payload: Uint8Array, spans: number, gzipLater: boolean, timeoutMs: number, keepalive: boolean, gzipped = this.gzip,
  ): Promise<ChunkOutcome> {
    return this.sendParts([{ bytes: payload, gzipLater }], spans, timeoutMs, keepalive, gzipped);
  }

  /**
   * Sends one request made of several parts, each a complete encoded request of its own (protobuf messages of
   * one type concatenate into their merge: repeated resource_spans append) and, with gzip, each its own gzip
   * member (RFC 1952 allows several; Go's gzip.Reader, zlib's gunzip and the JDK read them all). Parts marked
   * gzipLater are compressed one per macrotask, so a large request never blocks the loop for one long gzip.
   */
  sendParts(
    parts: readonly RequestPart[], spans: number, timeoutMs: number, keepalive: boolean, gzipped = this.gzip,
  ): Promise<ChunkOutcome> {
    const chunk = this.sendTracked(parts, spans, timeoutMs, keepalive, gzipped);
    this.pending.add(chunk);
    void chunk.then(() => this.pending.delete(chunk));
    return chunk;
  }

  /** The batch's outcome: at once when nothing was sent, else when every request of it has settled. */
  settle(count: number, droppedBy: Record<string, number>, chunks: Promise<ChunkOutcome>[]): ExportOutcome | Promise<ExportOutcome> {
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

  /** Runs `work` with keepaliveMode on (see the exporters' withKeepalive). */
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

  private async sendTracked(
    parts: readonly RequestPart[], spans: number, timeoutMs: number, keepalive: boolean, gzipped: boolean,
  ): Promise<ChunkOutcome> {
    let reserved = 0;
    for (const part of parts) reserved += part.bytes.byteLength;
    this.pendingBytes += reserved;
    try {
      const ready: Uint8Array[] = [];
      let deferred = false;
      for (const part of parts) {
        deferred ||= part.gzipLater;
        ready.push(part.gzipLater ? await this.gzipInLaterMacrotask(part) : part.bytes);
      }
      // After deferred parts, the request starts in a macrotask of its own, not in the last gzip part's.
      if (deferred) await this.laterJob();
      const startMs = startSlice();
      const body = concatBytes(ready);
      // The transport's own HTTP/gRPC calls must not be traced by instrumentations (they would feed themselves).
      // Called without an await before it: a keepalive request's fetch() starts inside export().
      const sending = context.with(suppressTracing(context.active()), () => keepalive
        ? this.sendKeepalive(body, timeoutMs, gzipped)
        : sendWithRetry(this.transport, body, gzipped, timeoutMs, this.retry));
      if (deferred) this.exportWork.endSlice(startMs); // inside export() the processor times it already
      const sent = await sending;
      const result = sent.result;
      const label = this.encoding.label;
      if (result.status === 'success') {
        const partial = this.encoding.decodePartialSuccess(result.response);
        const rejected = partial === undefined ? 0 : Math.min(spans, partial.rejectedSpans);
        if (partial !== undefined && (rejected > 0 || partial.errorMessage !== '')) {
          this.warn(`spanwire: the ${label} receiver rejected ${rejected} of ${spans} spans: ${partial.errorMessage}`);
        }
        // A transport that gzips on its own thread got the plain body: it says what went on the wire.
        const bytes = typeof result.sentBytes === 'number' ? result.sentBytes : body.byteLength;
        return { delivered: spans - rejected, dropped: rejected, reason: 'rejected', bytes };
      }
      this.warn(`spanwire: ${label} export of ${spans} spans failed after ${sent.attempts} attempt(s): ${result.error}`);
      const reason = result.status === 'failure' ? result.reason ?? 'not_retryable'
        : sent.timedOut ? 'export_timeout' : 'retries_exhausted';
      return { delivered: 0, dropped: spans, reason, bytes: 0 };
    } catch {
      return { delivered: 0, dropped: spans, reason: 'export_failed', bytes: 0 };
    } finally {
      this.pendingBytes -= reserved;
      for (const part of parts) releaseStaged(part); // parts an earlier failure left ungzipped
    }
  }

  /** One keepalive attempt (a retry timer would not outlive the page), shaped like sendWithRetry's answer. */
  private async sendKeepalive(body: Uint8Array, timeoutMs: number, gzipped: boolean): Promise<RetriedSend> {
    const result = await this.transport.send(body, { timeoutMs, gzip: gzipped, keepalive: true });
    return { result, attempts: 1, timedOut: false };
  }

  /** gzip of a staged or copied-out part, in its own macrotask, after the jobs queued before it. */
  private gzipInLaterMacrotask(part: RequestPart): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => {
        const startMs = startSlice();
        try {
          const staging = part.staging;
          resolve(staging !== undefined
            ? staging.gzipCopy(part.ticket!, this.gzipLevel) : this.encoding.gzipCopy(part.bytes, this.gzipLevel));
        } catch (error) {
          reject(error); // counted as export_failed: a raw body must never go out labelled gzip
        } finally {
          releaseStaged(part);
        }
        this.exportWork.endSlice(startMs);
      });
    });
  }

  /** Resolves in a macrotask of its own, after the jobs queued before it. */
  private laterJob(): Promise<void> {
    return new Promise((resolve) => this.enqueue(resolve));
  }

  /**
   * Deferred compressions, and the start of each request whose parts were deferred, go through the realm's export
   * work queue: one per macrotask, each turn holding one gzip part (~0.25 ms for 64 KiB) or one request start
   * (~0.1-0.6 ms: concat, http.request, socket write), never two pieces and never a processor's drain besides.
   */
  private enqueue(job: () => void): void {
    exportWorkQueue.enqueue(job);
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnMs < WARN_INTERVAL_MS) return;
    this.lastWarnMs = now;
    diag.warn(message);
  }
}

/** What both OTLP exporters expose besides export(): all of it is the sender's. */
export abstract class OtlpSenderExporter implements SpanwireExporter {
  protected abstract readonly sender: OtlpRequestSender;

  /** Refuses the whole batch when shut down or at the in-flight bound; otherwise encodes and sends it. */
  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    return this.sender.refuse(batch) ?? this.exportAdmitted(batch, this.sender.timeoutFor(batch));
  }

  /** Encodes the admitted batch into requests and hands them to the sender; returns sender.settle(...). */
  protected abstract exportAdmitted(batch: SpanBatch, timeoutMs: number): ExportOutcome | Promise<ExportOutcome>;

  /**
   * Runs `work` (typically provider.forceFlush(), whose exports start synchronously) with every export it starts
   * sent as fetch keepalive requests that can outlive the page: gzipped at once rather than in a later macrotask,
   * small enough for the keepalive quota, split further to fit the budget the transport has left, one attempt (a
   * retry timer would not outlive the page); spans that fit no more are dropped as 'keepalive_budget'.
   * Returns what `work` returns.
   */
  withKeepalive<T>(work: () => T): T {
    return this.sender.withKeepalive(work);
  }

  /** Deferred gzip parts and request starts, timed; stats().exportWork adds the processor's export() calls. */
  get exportWork(): ExportWorkStats {
    return this.sender.exportWork;
  }

  /** Waits for every request in flight (each bounded by its own timeout). */
  forceFlush(): Promise<void> {
    return this.sender.forceFlush();
  }

  /** Stops accepting batches, waits up to the export timeout for requests in flight, then closes the transport. */
  shutdown(): Promise<void> {
    return this.sender.shutdown();
  }
}
