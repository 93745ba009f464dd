// The OTLP/HTTP JSON trace exporter (http/json): batch -> OTLP/JSON requests under a byte bound -> WASM gzip ->
// the shared sender (otlp-request-sender.ts: retry, bounds, accounting exactly as OtlpTraceExporter, same reasons).
// Never throws.
import type { SpanArena } from '../arena/span-arena.js';
import { BatchEncoder, GZIP_LEVEL_FAST } from '../codec/batch-encoder.js';
import { JSON_ENCODE_BAD_INPUT, OtlpJsonEncoder } from './otlp-json-encoder.js';
import { type ChunkOutcome, type OtlpSendOptions, OtlpRequestSender, OtlpSenderExporter, addTo, positiveOr } from './otlp-request-sender.js';
import { decodeJsonPartialSuccess } from './otlp-response.js';
import type { ExportOutcome, SpanBatch } from './span-exporter.js';

export interface OtlpJsonExporterOptions extends OtlpSendOptions {
  /**
   * Must send bodies as `Content-Type: application/json`: `createHttpTransport({ url, contentType:
   * 'application/json' })` on Node, `new FetchTransport({ url, contentType: 'application/json' })` elsewhere.
   */
  transport: OtlpSendOptions['transport'];
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

/** JSON bytes per keepalive request: half the 64 KiB keepalive quota, so that even an incompressible body fits. */
const KEEPALIVE_REQUEST_TARGET_BYTES = 32 * 1024;

/**
 * OTLP/HTTP JSON exporter. export() reads the whole batch before it returns (slots are recycled after it); the
 * outcome settles when every request of the batch has been answered, retried out or timed out.
 */
export class OtlpJsonTraceExporter extends OtlpSenderExporter {
  protected readonly sender: OtlpRequestSender;
  private readonly requestTargetBytes: number;
  private readonly maxRequestBytesOption: number;
  private encoder: OtlpJsonEncoder | undefined;
  /** The WASM codec of the arena last seen: only its gzip is used (bodies are copied in, compressed, copied out). */
  private codec: BatchEncoder | undefined;

  constructor(options: OtlpJsonExporterOptions) {
    super();
    this.sender = new OtlpRequestSender(options, {
      label: 'OTLP/JSON',
      decodePartialSuccess: decodeJsonPartialSuccess,
      gzipCopy: (json, level) => this.compress(json, level),
    }, GZIP_LEVEL_FAST);
    this.requestTargetBytes = positiveOr(options.requestTargetBytes, 64 * 1024);
    this.maxRequestBytesOption = positiveOr(options.maxRequestBytes, Infinity);
  }

  protected exportAdmitted(batch: SpanBatch, timeoutMs: number): ExportOutcome | Promise<ExportOutcome> {
    const sender = this.sender;
    const count = batch.count;
    const encoder = this.encoderFor(batch.arena);
    const keepalive = sender.keepaliveMode;
    const gzip = sender.gzip;
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
        if (!sender.hasRoomFor(body.byteLength)) {
          addTo(droppedBy, 'inflight_limit', spans);
          continue;
        }
        // A page going away may not run another macrotask: keepalive bodies are compressed here, at once.
        const deferGzip = gzip && !keepalive && body.byteLength > sender.deferGzipAboveBytes;
        encoded = spans;
        const payload = gzip && !deferGzip ? this.compress(body, sender.gzipLevel) : body.slice();
        chunks.push(sender.send(payload, spans, deferGzip, timeoutMs, keepalive));
        encoded = 0;
      }
    } catch {
      // Only a codec failure gets here (gzip of a body under batchBytes cannot overflow): the unsent rest is lost.
      addTo(droppedBy, 'encode_failed', encoded + encoder.remaining);
    }
    return sender.settle(count, droppedBy, chunks);
  }

  private encoderFor(arena: SpanArena): OtlpJsonEncoder {
    if (this.encoder === undefined || this.encoder.arena !== arena) {
      this.encoder = new OtlpJsonEncoder(arena);
      this.codec = new BatchEncoder(arena);
    }
    return this.encoder;
  }

  /** gzip of JSON bytes (a view of the encoder's buffer, or a copy): copied into the codec, result copied out. */
  private compress(json: Uint8Array, level: number): Uint8Array {
    if (this.codec === undefined) throw new Error('spanwire: no codec for gzip');
    return this.codec.gzipCopy(json, level).slice();
  }
}
