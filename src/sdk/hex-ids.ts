// W3C hex ids <-> bytes and little-endian 32-bit words (how spans keep their ids), for span contexts built on the
// slow path (spanContext(), remote parents). Never throws; allocation only in the functions that return strings.

const HEX = '0123456789abcdef';

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
