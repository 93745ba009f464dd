// The stand-in codec used when the real one cannot load (a browser page whose Content-Security-Policy lacks
// 'wasm-unsafe-eval', a runtime without WebAssembly): plain linear memory with exports that encode nothing.
// Lets the arena, sampling and context propagation keep working while every batch is dropped and counted
// ('codec_unavailable'). Decision (issue 6): no JS twin of the encoder; an explicit, counted, documented mode.
// Must never throw and never pretend to encode: every batch/gzip export reports failure (-1).
import type { CodecExports, CodecInstance } from './codec-module.js';

const WASM_PAGE_BYTES = 65536;
const HEAP_BASE = 16;

/** Growable memory without WebAssembly, over an ArrayBuffer: the same surface the arena uses (buffer, grow). */
class ArrayBufferMemory {
  buffer = new ArrayBuffer(WASM_PAGE_BYTES);

  grow(deltaPages: number): number {
    const oldPages = this.buffer.byteLength / WASM_PAGE_BYTES;
    const next = new ArrayBuffer((oldPages + deltaPages) * WASM_PAGE_BYTES);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    return oldPages;
  }
}

function memoryAnywhere(): WebAssembly.Memory {
  try {
    // Creating Memory is allowed under CSP without 'wasm-unsafe-eval' (only compiling is refused).
    if (typeof WebAssembly === 'object') return new WebAssembly.Memory({ initial: 1 });
  } catch { /* fall through to plain memory */ }
  return new ArrayBufferMemory() as unknown as WebAssembly.Memory;
}

const FAIL = (): number => -1;

/** A codec instance that stores but never encodes: the provider's fallback, with the load error kept by the caller. */
export function unavailableCodec(): CodecInstance {
  const exports: CodecExports = {
    heapBase: () => HEAP_BASE,
    setColumns: () => {},
    setResource: () => {},
    encodeBatch: FAIL,
    // Resource and scope are pre-encoded at setup: nothing to write, and no 'region full' counted for it.
    encodeResource: () => 0,
    encodeScope: () => 0,
    gzipScratchBytes: () => 0,
    gzipBound: FAIL,
    gzipCompress: FAIL,
    crc32: () => 0,
  };
  return { exports, memory: memoryAnywhere(), heapBase: HEAP_BASE };
}
