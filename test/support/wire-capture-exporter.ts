// A test exporter that puts every batch through the real WASM OTLP encoder (BatchEncoder) and keeps a copy of each
// protobuf body, so tests assert on what would go on the wire, decoded by the independent oracle (otlp-decode.ts).
// For tests only: unbounded, never throws out of export() (a batch that fails to encode is reported as dropped).
import { BatchEncoder } from '../../src/codec/batch-encoder.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from '../../src/export/span-exporter.js';
import {
  type DecodedExportTraceRequest, type LocatedSpan, decodeExportTraceRequest, listSpans,
} from './otlp-decode.js';

/** Keeps the encoded ExportTraceServiceRequest bodies of every export() call. */
export class WireCaptureExporter implements SpanwireExporter {
  /** One protobuf body per request, copied out of linear memory. */
  readonly bodies: Uint8Array[] = [];
  /** export() calls, including ones whose batch could not be encoded. */
  exportCalls = 0;
  /** Spans per export() call, in call order. */
  readonly batchSizes: number[] = [];
  /** Spans that could not be encoded (no room or corrupt input). */
  encodeFailures = 0;
  shutdownCalls = 0;
  private encoder: BatchEncoder | undefined;

  export(batch: SpanBatch): ExportOutcome {
    this.exportCalls++;
    this.batchSizes.push(batch.count);
    if (this.encoder === undefined || this.encoder.arena !== batch.arena) this.encoder = new BatchEncoder(batch.arena);
    const encoder = this.encoder;
    let start = 0;
    let delivered = 0;
    while (start < batch.count) {
      const taken = encoder.encodeFitting(batch.slots, start, batch.count - start);
      if (taken === 0) {
        this.encodeFailures += batch.count - start;
        break;
      }
      this.bodies.push(encoder.body.slice());
      delivered += taken;
      start += taken;
    }
    return delivered === batch.count
      ? { delivered, dropped: 0 }
      : { delivered, dropped: batch.count - delivered, dropReason: 'encode_failed' };
  }

  async shutdown(): Promise<void> {
    this.shutdownCalls++;
  }

  /** Every captured body, decoded strictly by the oracle. */
  requests(): DecodedExportTraceRequest[] {
    return this.bodies.map((body) => decodeExportTraceRequest(body));
  }

  /** Every span sent so far, in wire order, with its resource and scope. */
  decoded(): LocatedSpan[] {
    return this.requests().flatMap((request) => listSpans(request));
  }

  /** The one span sent under `name`; throws if there is none or more than one. */
  spanNamed(name: string): LocatedSpan {
    const found = this.decoded().filter((located) => located.span.name === name);
    if (found.length !== 1) throw new Error(`expected one span named ${JSON.stringify(name)}, found ${found.length}`);
    return found[0]!;
  }

  reset(): void {
    this.bodies.length = 0;
    this.batchSizes.length = 0;
    this.exportCalls = 0;
    this.encodeFailures = 0;
  }
}
