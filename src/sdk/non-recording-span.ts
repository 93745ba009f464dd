// The Span for sampler decision NOT_RECORD: every method is a no-op, and its ids are made only if someone asks
// (spanContext() for propagation or log correlation), so a dropped span costs one small object.
// Implements the OTel trace API Span; never throws.
import type { Span, SpanContext, TraceState } from '@opentelemetry/api';
import { bytesToHex, wordsToHex } from './hex-ids.js';
import type { TracerCore } from './tracer-core.js';

export class NonRecordingSpan implements Span {
  private cachedContext: SpanContext | undefined = undefined;
  // The trace id a sampler decided on, as 16-bit words (-1: none, take the parent's or make one).
  private readonly t0: number = -1; private readonly t1: number = 0; private readonly t2: number = 0;
  private readonly t3: number = 0; private readonly t4: number = 0; private readonly t5: number = 0;
  private readonly t6: number = 0; private readonly t7: number = 0;

  constructor(
    private readonly core: TracerCore,
    /** Where the trace id comes from when none is given (the parent span, if any). */
    private readonly parent: Span | undefined,
    /** The trace id the sampler saw (16 bytes at 0), copied now because the buffer is reused. */
    traceIdBytes: Uint8Array | undefined,
    private readonly traceFlags: number,
    private readonly traceState: TraceState | undefined,
  ) {
    if (traceIdBytes !== undefined) {
      const b = traceIdBytes;
      this.t0 = (b[0]! << 8) | b[1]!; this.t1 = (b[2]! << 8) | b[3]!; this.t2 = (b[4]! << 8) | b[5]!;
      this.t3 = (b[6]! << 8) | b[7]!; this.t4 = (b[8]! << 8) | b[9]!; this.t5 = (b[10]! << 8) | b[11]!;
      this.t6 = (b[12]! << 8) | b[13]!; this.t7 = (b[14]! << 8) | b[15]!;
    }
  }

  spanContext(): SpanContext {
    if (this.cachedContext === undefined) {
      const scratch = this.core.scratchTraceId;
      let traceId = this.t0 < 0 ? undefined
        : wordsToHex([this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7], 8);
      if (traceId === undefined && this.parent !== undefined) {
        const parentId = this.parent.spanContext().traceId;
        if (parentId !== '00000000000000000000000000000000') traceId = parentId;
      }
      if (traceId === undefined) {
        this.core.arena.randomId(scratch, 0, 16);
        traceId = bytesToHex(scratch, 0, 16);
      }
      this.core.arena.randomId(scratch, 0, 8);
      const spanId = bytesToHex(scratch, 0, 8);
      this.cachedContext = this.traceState === undefined
        ? { traceId, spanId, traceFlags: this.traceFlags, isRemote: false }
        : { traceId, spanId, traceFlags: this.traceFlags, isRemote: false, traceState: this.traceState };
    }
    return this.cachedContext;
  }

  setAttribute(): this { return this; }
  setAttributes(): this { return this; }
  addEvent(): this { return this; }
  addLink(): this { return this; }
  addLinks(): this { return this; }
  setStatus(): this { return this; }
  updateName(): this { return this; }
  end(): void {}
  isRecording(): boolean { return false; }
  recordException(): void {}
}
