// The codec loader without the embedded build (what spanwire/workerd ships): with nothing registered it loads only
// a codec it is given, and says what to pass otherwise; PreparedCodec hands over an async-loaded codec once.
// This file must not import codec-module.ts (directly or through an entry): that would register the embedded build.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PreparedCodec, loadCodec, loadCodecAsync, registerDefaultCodec } from '../src/codec/codec-instance.js';

const releaseBytes = new Uint8Array(readFileSync(new URL('../dist/spanwire.release.wasm', import.meta.url)));

describe('codec-instance without a registered default', () => {
  it('loadCodec() and loadCodecAsync() without a source say to pass spanwire/codec.wasm', async () => {
    expect(() => loadCodec()).toThrow(/spanwire\/codec\.wasm/);
    await expect(loadCodecAsync()).rejects.toThrow(/spanwire\/codec\.wasm/);
  });

  it('loads a given module or bytes', async () => {
    expect(loadCodec(new WebAssembly.Module(releaseBytes)).heapBase).toBeGreaterThan(0);
    expect(loadCodec(releaseBytes).heapBase).toBeGreaterThan(0);
    expect((await loadCodecAsync(releaseBytes)).heapBase).toBeGreaterThan(0);
  });

  it('a PreparedCodec serves one provider: the instance once, then an error; a failed one throws its reason', async () => {
    const instance = await loadCodecAsync(releaseBytes);
    const prepared = PreparedCodec.loaded(instance);
    expect(loadCodec(prepared)).toBe(instance);
    expect(() => loadCodec(prepared)).toThrow(/one provider only/);
    expect(() => loadCodec(PreparedCodec.failed('CSP refused it'))).toThrow('CSP refused it');
  });

  it('uses the registered default once an entry registers one', () => {
    registerDefaultCodec(() => releaseBytes);
    expect(loadCodec().heapBase).toBeGreaterThan(0);
  });
});
