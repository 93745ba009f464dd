// The OTLP trace exporter: turns a batch of span slots into ExportTraceServiceRequest bodies (WASM encode, split
// when over batchBytes, WASM gzip) and hands them to the shared sender (otlp-request-sender.ts: retry, bounds,
// accounting of every span: delivered, or dropped with a reason). Bounded: requests in flight and bytes waiting
// are capped, so a dead collector cannot grow memory. Never throws.
import type { SpanArena } from '../arena/span-arena.js';
import { BatchEncoder, ENCODE_BAD_INPUT, GZIP_LEVEL_FAST } from '../codec/batch-encoder.js';
import { type ChunkOutcome, type OtlpSendOptions, OtlpRequestSender, OtlpSenderExporter, addTo, positiveOr } from './otlp-request-sender.js';
import { decodePartialSuccess } from './otlp-response.js';
import type { ExportOutcome, SpanBatch } from './span-exporter.js';

export interface OtlpExporterOptions extends OtlpSendOptions {
  /**
   * Aim for requests of about this many protobuf bytes (default 64 KiB, ~140 canonical spans): a 512-span batch
   * (~230 KB) gzipped in one piece blocked the event loop for 1.3-1.8 ms on a loaded 2-core machine; a quarter of
   * it stays well under the 1 ms goal. A soft target: a request may exceed it, never batchBytes.
   */
  requestTargetBytes?: number;
}

/**
 * Protobuf bytes per keepalive request: 60 KiB, so that even a body gzip cannot shrink (it grows by 18 bytes of
 * framing plus 5 per 64 KiB block) fits the 64 KiB keepalive quota alone. Canonical spans come to ~5.5 KB per
 * request on the wire (~40 bytes a span): ~12 requests, ~1,600 spans share the quota.
 */
const KEEPALIVE_REQUEST_TARGET_BYTES = 60 * 1024;

export class OtlpTraceExporter extends OtlpSenderExporter {
  protected readonly sender: OtlpRequestSender;
  private readonly requestTargetBytes: number;
  /** Protobuf bytes per span seen so far: sizes the next request to about requestTargetBytes. */
  private bytesPerSpan = 0;
  private encoder: BatchEncoder | undefined;

  constructor(options: OtlpExporterOptions) {
    super();
    this.sender = new OtlpRequestSender(options, {
      label: 'OTLP',
      decodePartialSuccess,
      gzipCopy: (body, level) => {
        if (this.encoder === undefined) throw new Error('spanwire: no encoder for a deferred gzip');
        return this.encoder.gzipCopy(body, level).slice();
      },
    }, GZIP_LEVEL_FAST);
    this.requestTargetBytes = positiveOr(options.requestTargetBytes, 64 * 1024);
  }

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    const sender = this.sender;
    const refused = sender.refuse(batch);
    if (refused !== undefined) return refused;
    const count = batch.count;
    const timeoutMs = sender.timeoutFor(batch);
    const encoder = this.encoderFor(batch.arena);
    const keepalive = sender.keepaliveMode;
    const gzip = sender.gzip;
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
      if (!sender.hasRoomFor(body.byteLength)) {
        addTo(droppedBy, 'inflight_limit', spans);
      } else if (keepalive) {
        // A page going away may not run another macrotask: keepalive bodies are compressed here, at once.
        const payload = gzip ? encoder.gzip(body, sender.gzipLevel) : body;
        if (payload.byteLength > sender.keepaliveBytesLeft()) {
          if (spans === 1) { // not even one more span fits: the rest of the batch stays behind, counted
            addTo(droppedBy, 'keepalive_budget', count - start);
            break;
          }
          keepaliveCap = spans >> 1;
          continue;
        }
        chunks.push(sender.send(payload.slice(), spans, false, timeoutMs, true));
      } else {
        const deferGzip = gzip && body.byteLength > sender.deferGzipAboveBytes;
        const payload = gzip && !deferGzip ? encoder.gzip(body, sender.gzipLevel).slice() : body.slice();
        chunks.push(sender.send(payload, spans, deferGzip, timeoutMs, false));
      }
      start += spans;
    }
    return sender.settle(count, droppedBy, chunks);
  }

  private encoderFor(arena: SpanArena): BatchEncoder {
    if (this.encoder === undefined || this.encoder.arena !== arena) this.encoder = new BatchEncoder(arena);
    return this.encoder;
  }
}
