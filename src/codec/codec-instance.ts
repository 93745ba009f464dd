// Instantiates the spanwire WASM codec from what a runtime allows: a precompiled WebAssembly.Module (workerd, which
// forbids compiling bytes at run time), bytes, or the default build an entry registered (codec-module.ts registers
// the embedded one). Owns the imported linear memory. Holds no codec bytes itself, so an entry that never imports
// codec-module.ts ships none. Never throws after load; never touches Node-only modules or globals.

/** The codec's exports: all numbers in, numbers out (pointers and lengths are byte offsets in `memory`). */
export interface CodecExports {
  heapBase(): number;
  setColumns(descriptorPtr: number): void;
  setResource(fieldPtr: number, fieldLen: number, schemaPtr: number, schemaLen: number): void;
  encodeBatch(slotsPtr: number, count: number, outPtr: number, outCap: number): number;
  encodeResource(attrHead: number, droppedCount: number, outPtr: number, outCap: number): number;
  encodeScope(
    namePtr: number, nameLen: number, versionPtr: number, versionLen: number,
    attrHead: number, droppedCount: number, outPtr: number, outCap: number,
  ): number;
  gzipScratchBytes(): number;
  gzipBound(srcLen: number): number;
  gzipCompress(srcPtr: number, srcLen: number, dstPtr: number, dstCap: number, scratchPtr: number, level: number): number;
  crc32(ptr: number, len: number, crc: number): number;
}

/** One instantiated codec and the memory it encodes from. */
export interface CodecInstance {
  readonly exports: CodecExports;
  readonly memory: WebAssembly.Memory;
  /** First byte the JS side may lay out (above the module's static data), 16-byte aligned. */
  readonly heapBase: number;
}

/**
 * A codec settled before the provider was built: instantiated asynchronously (browsers refuse synchronous
 * compiles of more than 4 KiB on the main thread), or the reason it could not be. Serves one provider only: an
 * instance's memory holds one arena.
 */
export class PreparedCodec {
  private instance: CodecInstance | undefined;

  private constructor(instance: CodecInstance | undefined, readonly error: string) {
    this.instance = instance;
  }

  static loaded(instance: CodecInstance): PreparedCodec {
    return new PreparedCodec(instance, '');
  }

  /** A codec that could not load: the provider built from it runs in codec-unavailable mode with this message. */
  static failed(message: string): PreparedCodec {
    return new PreparedCodec(undefined, message);
  }

  /** The instance, once; throws the load error (or a reuse error), as loadCodec() reports failures. */
  take(): CodecInstance {
    if (this.error !== '') throw new Error(this.error);
    const instance = this.instance;
    if (instance === undefined) throw new Error('spanwire: a prepared codec serves one provider only');
    this.instance = undefined;
    return instance;
  }
}

/** Where the codec comes from: omitted = the registered default (the embedded release build). */
export type CodecSource = WebAssembly.Module | ArrayBuffer | Uint8Array | PreparedCodec;

const WASM_PAGE_BYTES = 65536;
// Enough for the module's static data; the arena grows the memory once to its configured size.
const INITIAL_PAGES = 4;

/** The default build's bytes, once an entry registered them (codec-module.ts: the embedded release build). */
let defaultCodecBytes: (() => Uint8Array) | undefined;
let defaultModule: WebAssembly.Module | undefined;

/**
 * Makes `bytes()` the codec used when none is given. Called at load by codec-module.ts, which embeds the release
 * build; entries that must not carry it (spanwire/workerd) never import that module and always pass a codec.
 */
export function registerDefaultCodec(bytes: () => Uint8Array): void {
  defaultCodecBytes = bytes;
  defaultModule = undefined;
}

/** The registered default build's bytes; throws, saying what to pass, when no entry registered one. */
export function defaultCodecSource(): Uint8Array {
  if (defaultCodecBytes === undefined) {
    throw new Error("spanwire: no codec was given and this entry embeds none: pass the codec module " +
      "(import codec from 'spanwire/codec.wasm')");
  }
  return defaultCodecBytes();
}

function compile(source: WebAssembly.Module | BufferSource | undefined): WebAssembly.Module {
  if (source instanceof WebAssembly.Module) return source;
  if (source !== undefined) return new WebAssembly.Module(source);
  defaultModule ??= new WebAssembly.Module(defaultCodecSource() as BufferSource);
  return defaultModule;
}

/** The imports the codec module expects: its linear memory, and abort() for the debug build's assertions. */
function codecImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort(_messagePtr: number, _filePtr: number, line: number, column: number): never {
        throw new Error(`spanwire: codec assertion failed at assembly line ${line}:${column} (debug build)`);
      },
    },
  };
}

function toCodecInstance(instance: WebAssembly.Instance, memory: WebAssembly.Memory): CodecInstance {
  const exports = instance.exports as unknown as CodecExports;
  const heapBase = (exports.heapBase() + 15) & ~15;
  if (heapBase > INITIAL_PAGES * WASM_PAGE_BYTES) {
    throw new Error(`spanwire: codec static data (${heapBase} bytes) exceeds its initial memory; rebuild the codec`);
  }
  return { exports, memory, heapBase };
}

function assertWebAssembly(): void {
  if (typeof WebAssembly !== 'object') {
    throw new Error('spanwire: this runtime has no WebAssembly; the OTLP codec cannot run here');
  }
}

/**
 * Instantiates the codec synchronously. Pass a precompiled `WebAssembly.Module` on workerd
 * (`import codec from 'spanwire/codec.wasm'`), or bytes of a specific build (tests load the debug build).
 * Throws `Error('spanwire: ...')` only here, at configuration time, when WebAssembly itself is unavailable or no
 * codec was given where none is registered.
 */
export function loadCodec(source?: CodecSource): CodecInstance {
  if (source instanceof PreparedCodec) return source.take();
  assertWebAssembly();
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES });
  return toCodecInstance(new WebAssembly.Instance(compile(source), codecImports(memory)), memory);
}

/**
 * Compiles and instantiates the codec with the asynchronous WebAssembly API (what browsers require on the main
 * thread for modules over 4 KiB). Default: the registered build (the embedded release build). Rejects when
 * WebAssembly cannot run here (no WebAssembly, or a Content-Security-Policy without 'wasm-unsafe-eval').
 */
export async function loadCodecAsync(source?: WebAssembly.Module | BufferSource): Promise<CodecInstance> {
  assertWebAssembly();
  const module = source instanceof WebAssembly.Module
    ? source : await WebAssembly.compile(source ?? defaultCodecSource() as BufferSource);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES });
  return toCodecInstance(await WebAssembly.instantiate(module, codecImports(memory)), memory);
}

/** Grows `memory` (never shrinks) so that it holds at least `bytes`. Detaches every view over the old buffer. */
export function ensureMemoryBytes(memory: WebAssembly.Memory, bytes: number): void {
  const havePages = memory.buffer.byteLength / WASM_PAGE_BYTES;
  const needPages = Math.ceil(bytes / WASM_PAGE_BYTES);
  if (needPages > havePages) memory.grow(needPages - havePages);
}
