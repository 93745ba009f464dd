// The Span for sampler decision NOT_RECORD (and for suppressed or shut-down tracing): every method is a no-op.
// It keeps its trace id as 16-bit words (V8 small integers, no boxing) so children copy it without strings, and
// makes its own span id only if someone asks (spanContext()). Implements the OTel trace API Span; never throws.
import type { Span, SpanContext, TraceState } from '@opentelemetry/api';
import { bytesToHex, wordsToHex, writeTraceIdWords } from './hex-ids.js';
import type { TracerCore } from './tracer-core.js';

export class NonRecordingSpan implements Span {
  private cachedContext: SpanContext | undefined = undefined;
  // Trace id words; t0 = -1 means none (a random one is made on demand).
  private readonly t0: number = -1; private readonly t1: number = 0; private readonly t2: number = 0;
  private readonly t3: number = 0; private readonly t4: number = 0; private readonly t5: number = 0;
  private readonly t6: number = 0; private readonly t7: number = 0;

  constructor(
    readonly core: TracerCore,
    /** The trace id (16 bytes at 0), copied now because the buffer is reused; undefined: make one on demand. */
    traceIdBytes: Uint8Array | undefined,
    /** W3C trace flags, sampled bit clear. */
    readonly traceFlags: number,
    readonly traceState: TraceState | undefined,
  ) {
    if (traceIdBytes !== undefined) {
      const b = traceIdBytes;
      this.t0 = (b[0]! << 8) | b[1]!; this.t1 = (b[2]! << 8) | b[3]!; this.t2 = (b[4]! << 8) | b[5]!;
      this.t3 = (b[6]! << 8) | b[7]!; this.t4 = (b[8]! << 8) | b[9]!; this.t5 = (b[10]! << 8) | b[11]!;
      this.t6 = (b[12]! << 8) | b[13]!; this.t7 = (b[14]! << 8) | b[15]!;
    }
  }

  /** Writes the trace id into target[offset..+16) for a child; false when it has none yet. */
  copyTraceId(target: Uint8Array, offset: number): boolean {
    if (this.t0 < 0) return false;
    writeTraceIdWords(target, offset, this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7);
    return true;
  }

  spanContext(): SpanContext {
    if (this.cachedContext === undefined) {
      const scratch = new Uint8Array(16); // slow path: the shared scratch may be in use by the tracer
      const arena = this.core.arena;
      let traceId: string;
      if (this.t0 >= 0) {
        traceId = wordsToHex([this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7], 8);
      } else {
        arena.randomId(scratch, 0, 16);
        traceId = bytesToHex(scratch, 0, 16);
      }
      arena.randomId(scratch, 0, 8);
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
