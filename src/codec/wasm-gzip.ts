// gzip (RFC 1952) of bytes that live outside any arena, with a codec instance of its own: what an export thread
// (runtime/node/export-thread.ts) compresses request bodies with, away from the event-loop thread. Lays out its
// own regions above the codec's static data and grows memory only when a body is larger than any before.
// Never touches Node-only modules or globals; never hands out a view into codec memory (results are copies).
import { type CodecInstance, ensureMemoryBytes } from './codec-instance.js';
import { align16 } from './memory-layout.js';

/** Room for a default 256 KiB request at first: one memory growth covers the usual body. */
const INITIAL_INPUT_BYTES = 256 * 1024;

export class WasmGzip {
  private inputPtr = 0;
  private inputBytes = 0;
  private outputPtr = 0;
  private outputBytes = 0;
  private readonly scratchPtr: number;

  constructor(private readonly codec: CodecInstance) {
    this.scratchPtr = align16(codec.heapBase);
  }

  /**
   * gzip of `bytes` at `level` (1: fast, 6: smaller) as one gzip member: a fresh copy the caller owns.
   * Throws RangeError only when the codec reports output past its bound (a codec bug).
   */
  gzip(bytes: Uint8Array, level: number): Uint8Array {
    this.reserve(bytes.byteLength);
    const memory = this.codec.memory;
    new Uint8Array(memory.buffer, this.inputPtr, bytes.byteLength).set(bytes);
    const length = this.codec.exports.gzipCompress(this.inputPtr, bytes.byteLength, this.outputPtr,
      this.outputBytes, this.scratchPtr, level);
    if (length < 0) throw new RangeError('spanwire: gzip output exceeded gzipBound(); this is a codec bug');
    return new Uint8Array(memory.buffer, this.outputPtr, length).slice();
  }

  /**
   * Lays the regions out for inputs of `bytes` (doubling from 256 KiB), growing memory once per new size. The first
   * call always lays them out, whatever its size: an empty body needs 20 output bytes too (10-byte header, a 2-byte
   * empty final block, 8-byte trailer; gzipBound(0) = 23), and with nothing laid out its output region would be
   * at address 0 with room for 0 bytes: the first call with an empty body threw RangeError.
   */
  private reserve(bytes: number): void {
    if (this.outputBytes !== 0 && bytes <= this.inputBytes) return;
    let input = Math.max(this.inputBytes, INITIAL_INPUT_BYTES);
    while (input < bytes) input *= 2;
    const exports = this.codec.exports;
    this.inputPtr = align16(this.scratchPtr + (exports.gzipScratchBytes() >>> 0));
    this.outputPtr = align16(this.inputPtr + input);
    this.outputBytes = exports.gzipBound(input) >>> 0;
    ensureMemoryBytes(this.codec.memory, this.outputPtr + this.outputBytes);
    this.inputBytes = input;
  }
}
