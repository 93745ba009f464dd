// Turns a list of ended span slots into one OTLP ExportTraceServiceRequest body (and its gzip member) with one
// WASM call each; splits a batch that does not fit the output region and reports spans that can never fit.
// Never emits a partial message; allocates only the returned views.
import type { SpanArena } from '../arena/span-arena.js';
import { OUTPUT_SLACK_BYTES } from './memory-layout.js';

/** Outcome codes of encode() below zero, mirrored from assembly/otlp-encoder.ts. */
export const ENCODE_NO_ROOM = -1;
export const ENCODE_BAD_INPUT = -2;

/** gzip levels: 1 is the fast strategy (greedy, short chains); 6 the better one (lazy matching). */
export const GZIP_LEVEL_FAST = 1;
export const GZIP_LEVEL_BETTER = 6;

export class BatchEncoder {
  /** Byte length of the last successful encode() body; the result of the last call (< 0: an ENCODE_* code). */
  lastResult = 0;
  /** Spans that alone exceed batchBytes: encodeFitting() reported them for dropping. */
  oversizedSpans = 0;

  constructor(readonly arena: SpanArena) {}

  /**
   * Encodes `count` slots (from slots[start]) as one request body. Returns a view into linear memory, valid
   * until the next encode() or gzip(), or null when the batch does not fit (see encodeFitting()) or is corrupt.
   */
  encode(slots: ArrayLike<number>, count: number, start = 0): Uint8Array | null {
    const arena = this.arena;
    arena.refreshViews();
    if (!(count >= 0 && count <= arena.capacity.spans)) {
      this.lastResult = ENCODE_BAD_INPUT;
      return null;
    }
    // Copied into the encoder's own region: the caller's list (often the processor's batch) stays as it was.
    const list = arena.encodeSlots;
    if (slots !== list || start !== 0) {
      for (let i = 0; i < count; i++) list[i] = slots[start + i]!;
    }
    const layout = arena.layout;
    const batchBytes = arena.capacity.batchBytes;
    let len = arena.codec.exports.encodeBatch(layout.encodeSlotsPtr, count, layout.outputPtr,
      batchBytes + OUTPUT_SLACK_BYTES);
    if (len > batchBytes) len = ENCODE_NO_ROOM; // it fit only thanks to the slack: over the cap all the same
    this.lastResult = len;
    if (len < 0) return null;
    return new Uint8Array(arena.codec.memory.buffer, layout.outputPtr, len);
  }

  /**
   * Encodes the longest run of slots[start..start+count) that fits one request, halving on overflow.
   * Returns how many spans the body in `body` holds; 0 means slots[start] alone does not fit (counted in
   * oversizedSpans: drop it) or the input is corrupt (lastResult is ENCODE_BAD_INPUT).
   */
  encodeFitting(slots: ArrayLike<number>, start: number, count: number): number {
    let take = count;
    while (take > 0) {
      if (this.encode(slots, take, start) !== null) return take;
      if (this.lastResult !== ENCODE_NO_ROOM) return 0;
      take = take >> 1;
    }
    if (count > 0) this.oversizedSpans++;
    return 0;
  }

  /** The body of the last successful encode() (a fresh view of the output region). */
  get body(): Uint8Array {
    const arena = this.arena;
    return new Uint8Array(arena.codec.memory.buffer, arena.layout.outputPtr, Math.max(this.lastResult, 0));
  }

  /**
   * gzip of bytes that live outside the codec (a body copied out earlier): they are copied into the output region
   * first, so call it only between encodes (the region's previous body is overwritten). Returns a view.
   */
  gzipCopy(bytes: Uint8Array, level = GZIP_LEVEL_FAST): Uint8Array {
    const arena = this.arena;
    arena.refreshViews();
    if (bytes.byteLength > arena.capacity.batchBytes) {
      throw new RangeError('spanwire: gzipCopy() takes at most batchBytes bytes');
    }
    const region = new Uint8Array(arena.codec.memory.buffer, arena.layout.outputPtr, bytes.byteLength);
    region.set(bytes);
    return this.gzip(region, level);
  }

  /**
   * gzip (RFC 1952) of `input`, which must be a view into the codec's memory (an encode() result).
   * Returns a view of the gzip region, valid until the next gzip(). Output never exceeds gzipBound(batchBytes).
   */
  gzip(input: Uint8Array, level = GZIP_LEVEL_FAST): Uint8Array {
    const arena = this.arena;
    const layout = arena.layout;
    const exports = arena.codec.exports;
    if (input.buffer !== arena.codec.memory.buffer || input.byteLength > arena.capacity.batchBytes) {
      throw new RangeError('spanwire: gzip() takes a body returned by encode() on the same arena');
    }
    const len = exports.gzipCompress(input.byteOffset, input.byteLength, layout.gzipOutputPtr,
      layout.gzipOutputBytes, layout.gzipScratchPtr, level);
    if (len < 0) throw new RangeError('spanwire: gzip output exceeded gzipBound(); this is a codec bug');
    return new Uint8Array(arena.codec.memory.buffer, layout.gzipOutputPtr, len);
  }
}
