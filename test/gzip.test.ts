// Tests the WASM gzip compressor (assembly/gzip.ts, deflate.ts, crc32.ts) against independent oracles: every
// member must inflate with node:zlib to the exact input, and crc32 must equal zlib's CRC-32. Both the debug
// (checked, asserts on) and release builds are exercised and must agree byte for byte.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WASM_PAGE_BYTES = 65536;
const TARGETS = ['debug', 'release'] as const;
type Target = (typeof TARGETS)[number];

interface GzipExports {
  heapBase(): number;
  gzipScratchBytes(): number;
  gzipBound(srcLen: number): number;
  gzipCompress(srcPtr: number, srcLen: number, dstPtr: number, dstCap: number, scratchPtr: number, level: number): number;
  crc32(ptr: number, len: number, crc: number): number;
}

/** One instance per build, with its own memory grown on demand: scratch, then src, then dst, 16-byte aligned. */
class Codec {
  private memory: WebAssembly.Memory;
  readonly exports: GzipExports;
  readonly scratchPtr: number;
  private readonly srcBase: number;

  constructor(target: Target) {
    this.memory = new WebAssembly.Memory({ initial: 16 });
    const module = new WebAssembly.Module(readFileSync(join(ROOT, `dist/spanwire.${target}.wasm`)));
    const instance = new WebAssembly.Instance(module, {
      env: {
        memory: this.memory,
        abort() {
          throw new Error('wasm abort');
        },
      },
    });
    this.exports = instance.exports as unknown as GzipExports;
    this.scratchPtr = align16(this.exports.heapBase());
    this.srcBase = align16(this.scratchPtr + this.exports.gzipScratchBytes());
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / WASM_PAGE_BYTES));
  }

  /** Copies src into memory and returns the pointers for a compress call with room for dstCap bytes. */
  place(src: Uint8Array, dstCap: number): { srcPtr: number; dstPtr: number } {
    const srcPtr = this.srcBase;
    const dstPtr = align16(srcPtr + src.length);
    this.ensure(dstPtr + dstCap + 16);
    new Uint8Array(this.memory.buffer).set(src, srcPtr);
    return { srcPtr, dstPtr };
  }

  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, len).slice();
  }

  /** Compresses with dstCap (default gzipBound); returns the member, or null when the call returned -1. */
  gzip(src: Uint8Array, level: number, dstCap = this.exports.gzipBound(src.length)): Uint8Array | null {
    const { srcPtr, dstPtr } = this.place(src, dstCap);
    const n = this.exports.gzipCompress(srcPtr, src.length, dstPtr, dstCap, this.scratchPtr, level);
    if (n === -1) return null;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(dstCap);
    return this.bytes(dstPtr, n);
  }

  /** As gzip(), and checks that the 16 bytes past dstCap still hold the canary written before the call. */
  gzipWithinCap(src: Uint8Array, level: number, dstCap: number): Uint8Array | null {
    const { dstPtr } = this.place(src, dstCap);
    new Uint8Array(this.memory.buffer, dstPtr + dstCap, 16).fill(0xa5);
    const out = this.gzip(src, level, dstCap);
    expect(Array.from(new Uint8Array(this.memory.buffer, dstPtr + dstCap, 16))).toEqual(new Array(16).fill(0xa5));
    return out;
  }

  crc(src: Uint8Array, crc = 0): number {
    const { srcPtr } = this.place(src, 0);
    return this.exports.crc32(srcPtr, src.length, crc) >>> 0;
  }

  /** Fills the scratch region with a byte pattern, to show its prior contents do not matter. */
  dirtyScratch(seed: number): void {
    const scratch = new Uint8Array(this.memory.buffer, this.scratchPtr, this.exports.gzipScratchBytes());
    scratch.set(randomBytes(scratch.length, seed));
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/** xorshift32: deterministic pseudo-random bytes, so failures reproduce. */
function randomBytes(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function repeatRecord(record: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(record.length * times);
  for (let i = 0; i < times; i++) out.set(record, i * record.length);
  return out;
}

/** English-like text from a small vocabulary: compressible, but with literals and short matches everywhere. */
function textLike(len: number, seed: number): Uint8Array {
  const words = 'the span trace export batch collector service latency error retry queue gzip deflate window'
    .split(' ');
  const rnd = randomBytes(len, seed);
  let s = '';
  for (let i = 0; s.length < len; i++) {
    s += words[rnd[i % len] % words.length];
    s += rnd[(i * 7) % len] % 11 === 0 ? '.\n' : ' ';
  }
  return new TextEncoder().encode(s.slice(0, len));
}

/** OTLP-shaped records: per span random ids (trace id shared by 4), fixed keys and values, varying timestamps. */
function otlpLike(spans: number, seed: number): Uint8Array {
  const enc = new TextEncoder();
  const rnd = randomBytes(spans * 32, seed);
  const parts: Uint8Array[] = [];
  const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  for (let i = 0; i < spans; i++) {
    const traceId = rnd.subarray((i >> 2) * 32, (i >> 2) * 32 + 16);
    const spanId = rnd.subarray(i * 32 + 16, i * 32 + 24);
    const ts = new Uint8Array(8);
    new DataView(ts.buffer).setBigUint64(0, 1_700_000_000_000_000_000n + BigInt(i) * 1_234_567n, true);
    parts.push(
      Uint8Array.of(0x0a, 16), traceId, Uint8Array.of(0x12, 8), spanId, Uint8Array.of(0x39), ts,
      enc.encode(`*\x13GET /api/orders/:id:\x13http.request.method\x12\x03GET:\x08url.path\x12\x11/api/orders/12345`),
      enc.encode(`:\x13user_agent.original\x12F${ua}:\x0eserver.address\x12\x17orders.internal.example`),
    );
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Distances at both ends of every DEFLATE distance code (RFC 1951 3.2.5), 1..32768, plus 32769 (out of window). */
const DISTANCE_EDGES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24, 25, 32, 33, 48, 49, 64, 65, 96, 97, 128, 129,
  192, 193, 256, 257, 384, 385, 512, 513, 768, 769, 1024, 1025, 1536, 1537, 2048, 2049, 3072, 3073, 4096, 4097, 6144,
  6145, 8192, 8193, 12288, 12289, 16384, 16385, 24576, 24577, 32767, 32768, 32769];
/** Lengths at both ends of every length code, 4 (our shortest match) to 258. */
const LENGTH_EDGES = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 22, 23, 26, 27, 30, 31, 34, 35, 42, 43,
  50, 51, 58, 59, 66, 67, 82, 83, 98, 99, 114, 115, 130, 131, 162, 163, 194, 195, 226, 227, 257, 258];

/**
 * Random bytes in which each (distance, length) pair appears once as a copy: `distance` random bytes, then
 * `length` bytes each equal to the byte `distance` before, then one byte that is not, so the only match there has
 * exactly that distance and length. Every length code's bounds at distance 300 and every distance code's bounds
 * at length 258 and 5: each symbol's extra bits at their smallest and largest values.
 */
function matchEdges(): Uint8Array {
  const rnd = randomBytes(1 << 22, 8);
  const pairs: Array<[number, number]> = [
    ...LENGTH_EDGES.map((len): [number, number] => [300, len]),
    ...DISTANCE_EDGES.flatMap((d): Array<[number, number]> => [[d, 258], [d, 5]]),
  ];
  const out: number[] = [];
  let r = 0;
  for (const [distance, length] of pairs) {
    for (let i = 0; i < distance; i++) out.push(rnd[r++]!);
    for (let i = 0; i < length; i++) out.push(out[out.length - distance]!);
    out.push((out[out.length - distance]! + 1) & 0xff);
  }
  return Uint8Array.from(out);
}

const codecs = Object.fromEntries(TARGETS.map((t) => [t, new Codec(t)])) as Record<Target, Codec>;
const LEVELS = [1, 6];

const INPUTS: Array<[string, () => Uint8Array]> = [
  ['empty input', () => new Uint8Array(0)],
  ['a single byte', () => Uint8Array.of(0x41)],
  ['two bytes', () => Uint8Array.of(0, 255)],
  ['three equal bytes', () => Uint8Array.of(7, 7, 7)],
  ['all 256 byte values', () => Uint8Array.from({ length: 256 }, (_, i) => i)],
  ['1 MiB of incompressible random bytes', () => randomBytes(1 << 20, 1)],
  ['1 MiB of one byte value', () => new Uint8Array(1 << 20).fill(0x5a)],
  ['a 450-byte record repeated 2000 times', () => repeatRecord(randomBytes(450, 2), 2000)],
  ['200 KB of text-like data', () => textLike(200_000, 3)],
  ['512 OTLP-like spans', () => otlpLike(512, 4)],
  ['65535 random bytes (one full stored block)', () => randomBytes(65535, 5)],
  ['65536 random bytes (one byte past a stored block)', () => randomBytes(65536, 6)],
  ['65537 bytes of text', () => textLike(65537, 7)],
  ['every length and distance code at both ends of its extra-bit range', matchEdges],
  ['3 MiB mixing random, text and runs', () => {
    const out = new Uint8Array(3 << 20);
    for (let o = 0, k = 0; o < out.length; o += 100_000, k++) {
      const chunk = k % 3 === 0 ? randomBytes(100_000, k) : k % 3 === 1 ? textLike(100_000, k) : new Uint8Array(100_000).fill(k);
      out.set(chunk.subarray(0, Math.min(100_000, out.length - o)), o);
    }
    return out;
  }],
];

describe('gzipCompress output inflates with node:zlib to the exact input', () => {
  for (const [name, make] of INPUTS) {
    for (const level of LEVELS) {
      it(`${name}, level ${level}, debug and release builds giving identical bytes`, () => {
        const src = make();
        const release = codecs.release.gzip(src, level)!;
        const debug = codecs.debug.gzip(src, level)!;
        expect(release).not.toBeNull();
        expect(Buffer.from(zlib.gunzipSync(release)).equals(Buffer.from(src))).toBe(true);
        expect(Buffer.from(debug).equals(Buffer.from(release))).toBe(true);
      });
    }
  }

  it('every level from 0 to 9 and a negative (default) level round-trip text-like and OTLP-like data', () => {
    const srcs = [textLike(70_000, 11), otlpLike(300, 12)];
    for (const src of srcs) {
      for (let level = -1; level <= 9; level++) {
        const out = codecs.release.gzip(src, level)!;
        expect(Buffer.from(zlib.gunzipSync(out)).equals(Buffer.from(src))).toBe(true);
        expect(Buffer.from(codecs.debug.gzip(src, level)!).equals(Buffer.from(out))).toBe(true);
      }
    }
  });

  it('writes a gzip header with deflate, no flags, MTIME 0, XFL by level and OS 255, and a CRC-32 + ISIZE trailer', () => {
    const src = textLike(5000, 13);
    const out = codecs.release.gzip(src, 6)!;
    expect([...out.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    expect(out[8]).toBe(0); // XFL: neither fastest nor slowest
    expect(out[9]).toBe(255);
    expect(codecs.release.gzip(src, 1)![8]).toBe(4); // XFL 4: fastest
    expect(codecs.release.gzip(src, 9)![8]).toBe(2); // XFL 2: maximum compression
    const trailer = new DataView(out.buffer, out.byteOffset + out.length - 8, 8);
    expect(trailer.getUint32(0, true)).toBe(zlib.crc32(src));
    expect(trailer.getUint32(4, true)).toBe(src.length);
  });

  it('gives the same bytes whatever the scratch region held before the call', () => {
    const src = otlpLike(512, 14);
    for (const level of [1, 6]) {
      const codec = codecs.release;
      codec.dirtyScratch(99);
      const a = codec.gzip(src, level)!;
      codec.dirtyScratch(12345);
      const b = codec.gzip(src, level)!;
      codec.gzip(randomBytes(300_000, 15), level);
      const c = codec.gzip(src, level)!;
      expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
      expect(Buffer.from(c).equals(Buffer.from(a))).toBe(true);
    }
  });

  it('compresses repetitive OTLP-like data to well under a tenth of its size', () => {
    const src = otlpLike(512, 16);
    const out = codecs.release.gzip(src, 1)!;
    expect(out.length).toBeLessThan(src.length / 10);
  });
});

describe('gzipBound', () => {
  it('holds on incompressible input of many sizes at every level', () => {
    for (const len of [0, 1, 2, 100, 16383, 16384, 16385, 32768, 65535, 65536, 65537, 200_000, 1 << 20]) {
      const src = randomBytes(len, len + 17);
      const bound = codecs.release.exports.gzipBound(len);
      for (const level of [0, 1, 6, 9]) {
        const out = codecs.release.gzip(src, level, bound);
        expect(out).not.toBeNull();
        expect(out!.length).toBeLessThanOrEqual(bound);
        expect(Buffer.from(zlib.gunzipSync(out!)).equals(Buffer.from(src))).toBe(true);
      }
    }
  });

  it('is refused (u32 max) above the 2 GiB input limit', () => {
    expect(codecs.release.exports.gzipBound(0x7ff00001) >>> 0).toBe(0xffffffff);
  });
});

describe('gzipCompress with too little room', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['random', randomBytes(100_000, 21)],
    ['text', textLike(100_000, 22)],
    ['OTLP-like', otlpLike(512, 23)],
  ];
  for (const [name, src] of cases) {
    for (const level of [0, 1, 6]) {
      it(`returns -1 for ${name} input at level ${level} when dstCap is one byte short, and succeeds at the exact size`, () => {
        for (const target of TARGETS) {
          const codec = codecs[target];
          const full = codec.gzip(src, level)!;
          expect(codec.gzip(src, level, full.length - 1)).toBeNull();
          const exact = codec.gzip(src, level, full.length)!;
          expect(Buffer.from(exact).equals(Buffer.from(full))).toBe(true);
        }
      });
    }
  }

  // Symbols go out 8 bytes per store while the output has 8 bytes of room past the block, a byte at a time
  // otherwise: every cap across that switch must give the same member and leave the bytes past dstCap alone.
  const nearFull: Array<[string, Uint8Array]> = [
    ['short text (one fixed block)', textLike(300, 24)],
    ['100 KB of text (several blocks)', textLike(100_000, 25)],
    ['OTLP-like', otlpLike(256, 26)],
  ];
  for (const [name, src] of nearFull) {
    it(`gives the same bytes for ${name} at every dstCap from the exact size to 10 bytes more, writing nothing past it`, () => {
      for (const level of [1, 2, 6]) {
        for (const target of TARGETS) {
          const codec = codecs[target];
          const full = codec.gzip(src, level)!;
          expect(codec.gzipWithinCap(src, level, full.length - 1)).toBeNull();
          for (let extra = 0; extra <= 10; extra++) {
            const out = codec.gzipWithinCap(src, level, full.length + extra)!;
            expect(Buffer.from(out).equals(Buffer.from(full))).toBe(true);
          }
        }
      }
    });
  }

  it('returns -1 when dstCap cannot even hold the 18-byte header and trailer', () => {
    expect(codecs.release.gzip(new Uint8Array(0), 1, 17)).toBeNull();
  });
});

describe('crc32 equals zlib.crc32', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0xa5)],
    ['7 bytes (tail only)', randomBytes(7, 31)],
    ['all 256 byte values', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['1 MiB incompressible', randomBytes(1 << 20, 32)],
    ['repetitive data', repeatRecord(randomBytes(450, 33), 200)],
    ['3 MiB of text', textLike(3 << 20, 34)],
  ];
  for (const [name, src] of cases) {
    it(`on ${name}, in both builds`, () => {
      for (const target of TARGETS) expect(codecs[target].crc(src)).toBe(zlib.crc32(src));
    });
  }

  it('chains: crc32(b, crc32(a)) is the CRC of a followed by b, at every split point of a short input', () => {
    const src = randomBytes(40, 35);
    const whole = zlib.crc32(src);
    for (let split = 0; split <= src.length; split++) {
      const first = codecs.release.crc(src.subarray(0, split));
      expect(codecs.release.crc(src.subarray(split), first)).toBe(whole);
    }
  });

  it('chains across a large input split into unequal pieces', () => {
    const src = randomBytes(1_500_000, 36);
    let crc = 0;
    for (const [a, b] of [[0, 3], [3, 700_001], [700_001, 1_500_000]]) crc = codecs.release.crc(src.subarray(a, b), crc);
    expect(crc).toBe(zlib.crc32(src));
  });
});
