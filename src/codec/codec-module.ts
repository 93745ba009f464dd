// The embedded release build of the spanwire WASM codec (base64, generated at build time) for runtimes that may
// compile WebAssembly from bytes (Node, Deno, Bun, browsers): registers it as the default codec on import and
// re-exports the loader. Entries for workerd import codec-instance.ts instead and ship no bytes.
// Never touches Node-only modules or globals.
import { CODEC_WASM_BASE64 } from './codec-wasm.generated.js';
import { registerDefaultCodec } from './codec-instance.js';

export * from './codec-instance.js';

/** The embedded release build's bytes (a fresh copy), decoded from base64. */
export function embeddedCodecBytes(): Uint8Array {
  // atob: in every runtime spanwire targets (Node >= 16, Deno, Bun, workerd, browsers).
  const text = atob(CODEC_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

registerDefaultCodec(embeddedCodecBytes);
