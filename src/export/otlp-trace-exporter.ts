// The OTLP trace exporter: encodes a batch of span slots (WASM) in parts of ~64 KiB of protobuf, each gzipped
// (WASM) in its own macrotask as one gzip member, and gathers parts into requests of ~256 KiB that the shared
// sender (otlp-request-sender.ts) sends with retry, bounds and the accounting of every span: delivered, or
// dropped with a reason. Bounded in requests and bytes waiting, so a dead collector cannot grow memory. Never throws.
import type { SpanArena } from '../arena/span-arena.js';
import { BatchEncoder, ENCODE_BAD_INPUT, GZIP_LEVEL_FAST } from '../codec/batch-encoder.js';
import { PartStaging } from '../codec/part-staging.js';
import {
  type ChunkOutcome, type OtlpSendOptions, OtlpRequestSender, OtlpSenderExporter, type RequestPart, addTo, positiveOr,
} from './otlp-request-sender.js';
import { decodePartialSuccess } from './otlp-response.js';
import type { ExportOutcome, SpanBatch } from './span-exporter.js';

export interface OtlpExporterOptions extends OtlpSendOptions {
  /**
   * Aim for requests of about this many protobuf bytes (default 256 KiB: a whole 512-span canonical batch, ~230 KB,
   * in one request). node:http costs about the same per request whatever its size: 64 KiB requests cut
   * `spanwire load --max` throughput by ~1.6x against one request per batch (bench/cli/load-generator.ts).
   */
  requestTargetBytes?: number;
  /**
   * gzip works on parts of about this many protobuf bytes, each in its own macrotask and each a gzip member of the
   * request body (default 64 KiB, ~140 canonical spans): a 512-span batch (~230 KB) gzipped in one piece blocked
   * the event loop for 1.3-1.8 ms on a loaded 2-core machine; a quarter of it stays well under the 1 ms goal.
   * Set it to requestTargetBytes for single-member bodies (receivers whose gzip reader stops after one member).
   */
  gzipPartBytes?: number;
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
  private readonly gzipPartBytes: number;
  /** Protobuf bytes per span seen so far: sizes the next part to about gzipPartBytes. */
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
    this.requestTargetBytes = positiveOr(options.requestTargetBytes, 256 * 1024);
    this.gzipPartBytes = Math.min(positiveOr(options.gzipPartBytes, 64 * 1024), this.requestTargetBytes);
  }

  protected exportAdmitted(batch: SpanBatch, timeoutMs: number): ExportOutcome | Promise<ExportOutcome> {
    const sender = this.sender;
    const count = batch.count;
    const encoder = this.encoderFor(batch.arena);
    const keepalive = sender.keepaliveMode;
    const gzip = sender.gzipThisBatch();
    // Keepalive requests are single parts, each within the quota; others gather parts up to requestTargetBytes.
    // A request never passes batchBytes (the arena's cap, under OTLP's 64 MiB): parts gather up to the lower bound.
    const requestBytes = Math.min(this.requestTargetBytes, batch.arena.capacity.batchBytes);
    // Parts exist for gzip's sake (one macrotask each): with nothing to gzip here (compression off, or a transport
    // that compresses on its own thread) a request is one part, copied out of linear memory once, not 4 times
    // and then concatenated.
    const partBytes = keepalive ? Math.min(this.gzipPartBytes, KEEPALIVE_REQUEST_TARGET_BYTES)
      : gzip ? this.gzipPartBytes : requestBytes;
    const droppedBy: Record<string, number> = {};
    const chunks: Promise<ChunkOutcome>[] = [];
    let parts: RequestPart[] = [];
    let partsSpans = 0;
    let partsBytes = 0;
    const sendParts = (): void => {
      if (parts.length === 0) return;
      chunks.push(sender.sendParts(parts, partsSpans, timeoutMs, false, gzip));
      parts = [];
      partsSpans = 0;
      partsBytes = 0;
    };
    let start = 0;
    // Keepalive: spans per request, halved while a gzipped body would overflow the keepalive budget left.
    let keepaliveCap = count;
    while (start < count) {
      // 64 spans until the first part shows how large spans are (a canonical span is ~450 bytes).
      const want = this.bytesPerSpan > 0 ? Math.max(1, Math.floor(partBytes / this.bytesPerSpan)) : 64;
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
      if (!sender.hasRoomFor(partsBytes + body.byteLength)) {
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
        chunks.push(sender.send(payload.slice(), spans, false, timeoutMs, true, gzip));
      } else {
        if (partsBytes > 0 && partsBytes + body.byteLength > requestBytes) sendParts();
        const deferGzip = gzip && body.byteLength > sender.deferGzipAboveBytes;
        if (!deferGzip) {
          parts.push({ bytes: gzip ? encoder.gzip(body, sender.gzipLevel).slice() : body.slice(), gzipLater: false });
        } else {
          // Waits for its gzip macrotask inside linear memory when the staging region has room, else as a copy.
          const staging = PartStaging.of(batch.arena);
          const ticket = staging.stage(body);
          parts.push(ticket >= 0
            ? { bytes: staging.view(ticket), gzipLater: true, staging, ticket }
            : { bytes: body.slice(), gzipLater: true });
        }
        partsSpans += spans;
        partsBytes += body.byteLength;
      }
      start += spans;
    }
    sendParts();
    return sender.settle(count, droppedBy, chunks);
  }

  private encoderFor(arena: SpanArena): BatchEncoder {
    if (this.encoder === undefined || this.encoder.arena !== arena) this.encoder = new BatchEncoder(arena);
    return this.encoder;
  }
}
