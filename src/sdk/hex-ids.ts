// W3C hex ids <-> bytes, 16-bit words and little-endian 32-bit words, for span contexts built on the slow path
// (spanContext(), remote parents). Never throws; allocation only in the functions that return strings.

const HEX = '0123456789abcdef';

/** Lowercase hex of `count` 16-bit words. */
export function wordsToHex(words: readonly number[] | Uint16Array, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const w = words[i]!;
    out += HEX[(w >> 12) & 15]! + HEX[(w >> 8) & 15]! + HEX[(w >> 4) & 15]! + HEX[w & 15]!;
  }
  return out;
}

/** Writes a trace id kept as eight big-endian 16-bit words into target[offset..+16). */
export function writeTraceIdWords(target: Uint8Array, offset: number, w0: number, w1: number, w2: number,
  w3: number, w4: number, w5: number, w6: number, w7: number): void {
  target[offset] = w0 >> 8; target[offset + 1] = w0 & 0xff;
  target[offset + 2] = w1 >> 8; target[offset + 3] = w1 & 0xff;
  target[offset + 4] = w2 >> 8; target[offset + 5] = w2 & 0xff;
  target[offset + 6] = w3 >> 8; target[offset + 7] = w3 & 0xff;
  target[offset + 8] = w4 >> 8; target[offset + 9] = w4 & 0xff;
  target[offset + 10] = w5 >> 8; target[offset + 11] = w5 & 0xff;
  target[offset + 12] = w6 >> 8; target[offset + 13] = w6 & 0xff;
  target[offset + 14] = w7 >> 8; target[offset + 15] = w7 & 0xff;
}

/** Lowercase hex of the 4 bytes of a little-endian 32-bit word, in memory order (byte 0 first). */
export function leWordHex(word: number): string {
  return HEX[(word >> 4) & 15]! + HEX[word & 15]! + HEX[(word >> 12) & 15]! + HEX[(word >> 8) & 15]! +
    HEX[(word >> 20) & 15]! + HEX[(word >> 16) & 15]! + HEX[(word >>> 28) & 15]! + HEX[(word >> 24) & 15]!;
}

/** Writes the 4 bytes of a little-endian 32-bit word into target[offset..+4), in memory order. */
export function writeLeWord(target: Uint8Array, offset: number, word: number): void {
  target[offset] = word & 0xff;
  target[offset + 1] = (word >> 8) & 0xff;
  target[offset + 2] = (word >> 16) & 0xff;
  target[offset + 3] = (word >>> 24) & 0xff;
}

/** Lowercase hex of bytes[offset, offset + len). */
export function bytesToHex(bytes: Uint8Array, offset: number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) {
    const b = bytes[offset + i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return 0;
}

/** Writes a hex id (validated by the caller) into target[offset...]. */
export function hexToBytes(hex: string, target: Uint8Array, offset: number): void {
  for (let i = 0; i + 1 < hex.length; i += 2) {
    target[offset + (i >> 1)] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
  }
}
