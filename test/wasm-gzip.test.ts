// WasmGzip (src/codec/wasm-gzip.ts): every member it returns inflates with node:zlib (the oracle) to exactly the
// input, for empty, tiny, random, repetitive and 1 MiB+ bodies (memory growth), at levels 1 and 6, over the debug
// (checked) and release builds, in any order of sizes; every result is a copy that later calls never touch.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCodec } from '../src/codec/codec-module.js';
import { WasmGzip } from '../src/codec/wasm-gzip.js';

const MIB = 1024 * 1024;
const BUILDS = ['debug', 'release'] as const;

function codecBytes(build: (typeof BUILDS)[number]): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../dist/spanwire.${build}.wasm`, import.meta.url)));
}

/** Repetitive text with some variety, like an OTLP body (attribute keys repeat, values vary). */
function repetitive(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const phrase = new TextEncoder().encode('http.route=/orders/{id} http.response.status_code=200 ');
  for (let i = 0; i < bytes; i++) out[i] = phrase[i % phrase.length]! ^ (i % 997 === 0 ? 1 : 0);
  return out;
}

function random(bytes: number): Uint8Array {
  return new Uint8Array(randomBytes(bytes));
}

/** The member is one gzip member (RFC 1952 magic) and node:zlib inflates it to exactly `input`. */
function expectInflatesTo(member: Uint8Array, input: Uint8Array): void {
  expect(Array.from(member.subarray(0, 3))).toEqual([0x1f, 0x8b, 8]);
  const inflated = new Uint8Array(gunzipSync(member));
  expect(inflated.byteLength).toBe(input.byteLength);
  expect(Buffer.compare(inflated, input)).toBe(0);
}

describe.each(BUILDS)('WasmGzip over the %s build', (build) => {
  const fresh = (): { gzip: WasmGzip; memory: WebAssembly.Memory } => {
    const codec = loadCodec(codecBytes(build));
    return { gzip: new WasmGzip(codec), memory: codec.memory };
  };

  it.each([1, 6])('level %i: empty, 1 byte, random, repetitive and 1 MiB+ bodies inflate byte-exact', (level) => {
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['1 byte', Uint8Array.of(0x2a)],
      ['random 10 KiB', random(10 * 1024)],
      ['repetitive 100 KiB', repetitive(100 * 1024)],
      ['random 1 MiB + 3', random(MIB + 3)],
      ['repetitive 1.5 MiB', repetitive(1.5 * MIB)],
    ];
    for (const [name, input] of cases) {
      // A fresh instance per case: each size is also the first call (the layout starts from nothing).
      const member = fresh().gzip.gzip(input, level);
      expectInflatesTo(member, input);
      if (name.startsWith('repetitive')) expect(member.byteLength, name).toBeLessThan(input.byteLength / 4);
    }
  });

  it('an empty body as the very first call gives a valid member (nothing laid out yet)', () => {
    const { gzip } = fresh();
    expectInflatesTo(gzip.gzip(new Uint8Array(0), 1), new Uint8Array(0));
    expectInflatesTo(gzip.gzip(Uint8Array.of(7), 1), Uint8Array.of(7));
  });

  it('consecutive calls of growing and shrinking sizes on one instance all inflate; memory grows only for larger bodies', () => {
    const { gzip, memory } = fresh();
    const sizes = [0, 1, 300, 64 * 1024, 256 * 1024, 256 * 1024 + 1, 5, 2 * MIB + 17, 0, 1000, MIB, 3, 2 * MIB];
    const grownTo: number[] = [];
    for (const [i, size] of sizes.entries()) {
      const input = i % 2 === 0 ? repetitive(size) : random(size);
      expectInflatesTo(gzip.gzip(input, i % 3 === 0 ? 6 : 1), input);
      grownTo.push(memory.buffer.byteLength);
    }
    // Memory never shrinks, and after the largest body (2 MiB + 17, index 7) no smaller one grows it again.
    for (let i = 1; i < grownTo.length; i++) expect(grownTo[i]).toBeGreaterThanOrEqual(grownTo[i - 1]!);
    expect(new Set(grownTo.slice(7)).size).toBe(1);
  });

  it('a view into a larger buffer is compressed as the view only', () => {
    const { gzip } = fresh();
    const whole = repetitive(50_000);
    const view = whole.subarray(1234, 40_000);
    expectInflatesTo(gzip.gzip(view, 1), view.slice());
  });

  it('the result is a copy: not codec memory, untouched by later calls and by memory growth', () => {
    const { gzip, memory } = fresh();
    const firstInput = repetitive(20_000);
    const first = gzip.gzip(firstInput, 1);
    const firstBytes = first.slice();
    expect(first.buffer).not.toBe(memory.buffer);
    const second = gzip.gzip(random(20_000), 1); // same size: same regions, overwritten
    expect(first).toEqual(firstBytes);
    gzip.gzip(random(3 * MIB), 6); // grows memory: would detach a view
    expect(first.byteLength).toBe(firstBytes.byteLength);
    expect(first).toEqual(firstBytes);
    expectInflatesTo(first, firstInput);
    expect(second.byteLength).toBeGreaterThan(20_000); // random bytes do not compress; still intact after growth
  });

  it('levels 1 and 6 agree on the content; each is deterministic for the same input', () => {
    const { gzip } = fresh();
    const input = repetitive(200_000);
    const l1 = gzip.gzip(input, 1);
    const l6 = gzip.gzip(input, 6);
    expect(gzip.gzip(input, 1)).toEqual(l1);
    expect(gzip.gzip(input, 6)).toEqual(l6);
    expectInflatesTo(l1, input);
    expectInflatesTo(l6, input);
    expect(l6.byteLength).toBeLessThanOrEqual(l1.byteLength);
  });
});

describe('WasmGzip with the embedded default codec', () => {
  it('two instances side by side each compress correctly (separate memories)', () => {
    const a = new WasmGzip(loadCodec());
    const b = new WasmGzip(loadCodec());
    const x = repetitive(70_000);
    const y = random(70_000);
    const ax = a.gzip(x, 1);
    const by = b.gzip(y, 1);
    expectInflatesTo(ax, x);
    expectInflatesTo(by, y);
  });
});
