// Proves the arena's UTF-8 encoder equals TextEncoder (the WHATWG reference, lone surrogates -> U+FFFD) on edge
// and random strings, and that truncation never splits a surrogate pair.
import { describe, expect, it } from 'vitest';
import { encodeUtf8, maxUtf8Bytes, truncationIndex, utf8Length } from '../src/arena/utf8.js';

const reference = new TextEncoder();

function ours(str: string, endIndex = str.length): Uint8Array {
  const out = new Uint8Array(maxUtf8Bytes(endIndex) + 8);
  const written = encodeUtf8(str, endIndex, out, 4); // a non-zero offset, as in the pool
  return out.slice(4, 4 + written);
}

/** Seeded xorshift32: deterministic random strings mixing every UTF-16 class. */
function randomString(seed: number, length: number): string {
  let x = seed | 1;
  const next = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = next() % 6;
    if (r === 0) s += String.fromCharCode(next() % 0x80);
    else if (r === 1) s += String.fromCharCode(0x80 + (next() % 0x780));
    else if (r === 2) s += String.fromCharCode(0x800 + (next() % 0xd000)); // may land on surrogates: lone ones
    else if (r === 3) s += String.fromCodePoint(0x10000 + (next() % 0xfffff));
    else if (r === 4) s += String.fromCharCode(0xd800 + (next() % 0x800)); // a lone surrogate, high or low
    else s += String.fromCharCode(0xe000 + (next() % 0x2000));
  }
  return s;
}

describe('UTF-8 encoding', () => {
  const EDGES = ['', 'a', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud7ff', '\ue000', '😀', '\uD800', '\uDFFF',
    '\uDC00\uD800', 'a\uD83D', '\uD83Da', '\uD83D\uD83D\uDE00', 'x'.repeat(31) + '😀', 'x'.repeat(32) + '\uD800',
    '漢'.repeat(100)];
  it.each(EDGES.map((s, i) => [i, s] as const))('matches TextEncoder on edge string #%i', (_i, str) => {
    expect(ours(str)).toEqual(reference.encode(str));
    expect(utf8Length(str, str.length)).toBe(reference.encode(str).length);
  });

  it('matches TextEncoder on 2,000 random strings of 0..100 units across both encode paths', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const str = randomString(seed, seed % 101);
      expect(ours(str), `seed ${seed}`).toEqual(reference.encode(str));
    }
  });

  it('truncates on code-point boundaries: never splits a surrogate pair', () => {
    expect(truncationIndex('abc', 5)).toBe(3);
    expect(truncationIndex('abc', 2)).toBe(2);
    expect(truncationIndex('a😀b', 2)).toBe(1); // cutting after the high surrogate would split the pair
    expect(truncationIndex('a😀b', 3)).toBe(3);
    expect(truncationIndex('😀', 0)).toBe(0);
    expect(truncationIndex('\uD800\uD800x', 1)).toBe(1); // a lone high surrogate is a whole code point
    const cut = 'ab😀'.repeat(10);
    for (let max = 0; max <= cut.length; max++) {
      const end = truncationIndex(cut, max);
      expect(end).toBeLessThanOrEqual(max);
      expect(ours(cut, end)).toEqual(reference.encode(cut.slice(0, end)));
    }
  });
});
