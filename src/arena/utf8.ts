// UTF-8 encoding of JS strings straight into a byte region (WHATWG Encoding "UTF-8 encode"): lone surrogates
// become U+FFFD (EF BF BD), so output is always valid UTF-8. Never allocates for strings up to SHORT_STRING_CHARS.

/** Below this many UTF-16 units a manual loop beats TextEncoder.encodeInto (measured: ~16 chars; 32 is safe). */
const SHORT_STRING_CHARS = 32;

const encoder = new TextEncoder();

/** Worst case UTF-8 bytes for `units` UTF-16 code units: 3 each (a surrogate pair is 2 units for 4 bytes). */
export function maxUtf8Bytes(units: number): number {
  return units * 3;
}

/** Exact UTF-8 length of str[0, endIndex), counting each lone surrogate as U+FFFD (3 bytes). */
export function utf8Length(str: string, endIndex: number): number {
  let bytes = 0;
  for (let i = 0; i < endIndex; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < endIndex && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Encodes str[0, endIndex) at bytes[at]; the caller guarantees room for utf8Length (or maxUtf8Bytes) bytes.
 * `endIndex` never splits a surrogate pair (see truncationIndex). Returns the number of bytes written.
 */
export function encodeUtf8(str: string, endIndex: number, bytes: Uint8Array, at: number): number {
  if (endIndex > SHORT_STRING_CHARS) {
    const source = endIndex === str.length ? str : str.substring(0, endIndex);
    return encoder.encodeInto(source, bytes.subarray(at)).written;
  }
  const start = at;
  for (let i = 0; i < endIndex; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      bytes[at++] = c;
    } else if (c < 0x800) {
      bytes[at++] = 0xc0 | (c >> 6);
      bytes[at++] = 0x80 | (c & 0x3f);
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < endIndex && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (str.charCodeAt(++i) & 0x3ff);
      bytes[at++] = 0xf0 | (c >> 18);
      bytes[at++] = 0x80 | ((c >> 12) & 0x3f);
      bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[at++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) c = 0xfffd; // lone surrogate
      bytes[at++] = 0xe0 | (c >> 12);
      bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at - start;
}

/**
 * Where to cut `str` to keep at most `maxUnits` UTF-16 code units without splitting a surrogate pair
 * (the official SDK counts code units too, but may split a pair; we step back one unit instead).
 */
export function truncationIndex(str: string, maxUnits: number): number {
  if (str.length <= maxUnits) return str.length;
  if (maxUnits <= 0) return 0;
  const last = str.charCodeAt(maxUnits - 1);
  const next = str.charCodeAt(maxUnits);
  return (last & 0xfc00) === 0xd800 && (next & 0xfc00) === 0xdc00 ? maxUnits - 1 : maxUnits;
}
