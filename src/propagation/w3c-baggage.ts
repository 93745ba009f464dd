// The `baggage` header (W3C Baggage, Candidate Recommendation 2024): `key=value;property` list members with
// percent-encoded values, inject from and extract into the context's Baggage. Never throws and never emits a
// partial list member: invalid members are skipped, members past the limits dropped whole.
import {
  type BaggageEntry,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  baggageEntryMetadataFromString,
  propagation,
} from '@opentelemetry/api';

/** Header name, lowercase as the spec recommends. */
export const BAGGAGE_HEADER = 'baggage';

/**
 * Limits. The spec makes 64 members and 8192 bytes the floor a platform MUST propagate; we take the historical
 * 180 members (the old `0*179` ABNF bound) and 8192 bytes both ways, plus 4096 bytes per member (the
 * OpenTelemetry SDKs' per-pair limit) so one oversized entry cannot starve the rest on inject.
 */
export const MAX_BAGGAGE_MEMBERS = 180;
export const MAX_BAGGAGE_MEMBER_BYTES = 4096;
export const MAX_BAGGAGE_BYTES = 8192;

const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const PERCENT = 0x25;

// Character classes, one table lookup per character:
//   TOKEN      RFC 7230 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA (keys, property keys)
//   OCTET      baggage-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (values: no CTL, space, '"', ',', ';', '\')
//   UNRESERVED what encodeURIComponent leaves alone: ALPHA DIGIT - _ . ! ~ * ' ( ). We encode everything else,
//              more than the spec requires, because some decoders treat a raw '+' as a space.
const TOKEN = 1;
const OCTET = 2;
const UNRESERVED = 4;
const CLASS = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~") CLASS[ch.charCodeAt(0)] |= TOKEN;
for (let c = 0x21; c <= 0x7e; c++) {
  if (c !== 0x22 && c !== COMMA && c !== SEMICOLON && c !== 0x5c) CLASS[c] |= OCTET;
}
for (const ch of "-_.!~*'()") CLASS[ch.charCodeAt(0)] |= UNRESERVED;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] |= TOKEN | UNRESERVED;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] |= TOKEN | UNRESERVED;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] |= TOKEN | UNRESERVED;

/** `%XX` (uppercase, RFC 3986 §2.1) for every byte, built once. */
const PERCENT_BYTE: string[] = [];
for (let b = 0; b < 256; b++) PERCENT_BYTE.push('%' + b.toString(16).toUpperCase().padStart(2, '0'));

/** Nibble of a hex digit in either case (RFC 3986 escapes are case-insensitive), -1 otherwise. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0x30; c <= 0x39; c++) HEX_VALUE[c] = c - 0x30;
for (let c = 0x41; c <= 0x46; c++) HEX_VALUE[c] = c - 0x41 + 10;
for (let c = 0x61; c <= 0x66; c++) HEX_VALUE[c] = c - 0x61 + 10;

// Non-fatal, so invalid UTF-8 becomes U+FFFD as the spec requires; ignoreBOM keeps a leading U+FEFF in the value.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
// Decoded bytes of one value: a value fits in the 8192-byte header and decodes to at most as many bytes.
const decodeScratch = new Uint8Array(MAX_BAGGAGE_BYTES);

function skipOws(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/** Index after the run of characters of class `cls` starting at `i`. */
function runEnd(s: string, i: number, end: number, cls: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & cls) === 0) break;
    i++;
  }
  return i;
}

function isToken(s: string): boolean {
  return s.length > 0 && runEnd(s, 0, s.length, TOKEN) === s.length;
}

/** The byte escaped as `%XX` at `i` (hex digits in either case), or -1 when there is no valid escape there. */
function escapedByte(s: string, i: number, end: number): number {
  if (i + 2 >= end) return -1;
  const high = s.charCodeAt(i + 1);
  const low = s.charCodeAt(i + 2);
  const h = high < 128 ? (HEX_VALUE[high] as number) : -1;
  const l = low < 128 ? (HEX_VALUE[low] as number) : -1;
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/**
 * Percent-decodes a run of baggage-octets. Lenient by choice: a '%' not followed by two hex digits stays a
 * literal '%' (the member is kept), and byte sequences that are not UTF-8 become U+FFFD (required by the spec).
 * Escapes of ASCII bytes only (`%20`, the common case) are decoded without the UTF-8 decoder, which costs a few
 * hundred nanoseconds per call.
 */
function decodeValue(s: string, start: number, end: number): string {
  let i = s.indexOf('%', start);
  if (i < 0 || i >= end) return s.slice(start, end);
  let out = '';
  let runStart = start;
  for (; i < end; i++) {
    if (s.charCodeAt(i) !== PERCENT) continue;
    const byte = escapedByte(s, i, end);
    if (byte < 0) continue;
    if (byte >= 0x80) return decodeUtf8(s, start, end);
    out += s.slice(runStart, i) + String.fromCharCode(byte);
    i += 2;
    runStart = i + 1;
  }
  return out + s.slice(runStart, end);
}

/** decodeValue for values with escaped non-ASCII bytes: collect the bytes, then decode them as UTF-8. */
function decodeUtf8(s: string, start: number, end: number): string {
  let len = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const byte = c === PERCENT ? escapedByte(s, i, end) : -1;
    if (byte >= 0) {
      decodeScratch[len++] = byte;
      i += 2;
    } else {
      // Safe as a byte: the caller validated the run as baggage-octets, all ASCII.
      decodeScratch[len++] = c;
    }
  }
  return UTF8.decode(decodeScratch.subarray(0, len));
}

/**
 * Percent-encodes a value: UTF-8 bytes outside the UNRESERVED set become `%XX`. A lone surrogate cannot be UTF-8
 * and becomes U+FFFD rather than throwing as encodeURIComponent does. Returns the input when nothing needs it.
 */
export function encodeBaggageValue(value: string): string {
  const n = value.length;
  let i = 0;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & UNRESERVED) === 0) break;
    i++;
  }
  if (i === n) return value;
  let out = value.slice(0, i);
  let runStart = i;
  for (; i < n; i++) {
    let c = value.charCodeAt(i);
    if (c < 128 && (CLASS[c] & UNRESERVED) !== 0) continue;
    if (runStart < i) out += value.slice(runStart, i);
    if (c < 0x80) {
      out += PERCENT_BYTE[c];
    } else if (c < 0x800) {
      out += (PERCENT_BYTE[0xc0 | (c >> 6)] as string) + PERCENT_BYTE[0x80 | (c & 0x3f)];
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          out +=
            (PERCENT_BYTE[0xf0 | (cp >> 18)] as string) +
            PERCENT_BYTE[0x80 | ((cp >> 12) & 0x3f)] +
            PERCENT_BYTE[0x80 | ((cp >> 6) & 0x3f)] +
            PERCENT_BYTE[0x80 | (cp & 0x3f)];
          i++;
          runStart = i + 1;
          continue;
        }
        c = 0xfffd;
      }
      out +=
        (PERCENT_BYTE[0xe0 | (c >> 12)] as string) +
        PERCENT_BYTE[0x80 | ((c >> 6) & 0x3f)] +
        PERCENT_BYTE[0x80 | (c & 0x3f)];
    }
    runStart = i + 1;
  }
  if (runStart < n) out += value.slice(runStart);
  return out;
}

/**
 * Parses `property *( OWS ";" OWS property )` in [i, end) into the canonical `k=v;k2` form (OWS removed, empty
 * properties skipped, values left percent-encoded because the API treats metadata as an opaque string), or
 * undefined when a property is malformed.
 */
function parseProperties(s: string, i: number, end: number): string | undefined {
  let out = '';
  for (;;) {
    i = skipOws(s, i, end);
    const keyStart = i;
    i = runEnd(s, i, end, TOKEN);
    const keyEnd = i;
    i = skipOws(s, i, end);
    if (keyEnd > keyStart) {
      let property = s.slice(keyStart, keyEnd);
      if (i < end && s.charCodeAt(i) === EQUALS) {
        const valueStart = skipOws(s, i + 1, end);
        i = runEnd(s, valueStart, end, OCTET);
        property += '=' + s.slice(valueStart, i);
        i = skipOws(s, i, end);
      }
      out += out === '' ? property : ';' + property;
    }
    if (i >= end) return out;
    if (s.charCodeAt(i) !== SEMICOLON) return undefined;
    i++;
  }
}

/**
 * W3C Baggage propagator. `inject` writes the context's baggage as one `baggage` header (keys that are not RFC 7230
 * tokens are skipped: the spec gives keys no encoding); `extract` replaces the context's baggage with the header's
 * valid members, last duplicate winning, or returns the context unchanged when there are none.
 */
export class W3CBaggagePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined) return;
    const entries = baggage.getAllEntries();
    let header = '';
    let count = 0;
    for (let e = 0; e < entries.length && count < MAX_BAGGAGE_MEMBERS; e++) {
      const [key, entry] = entries[e] as [string, BaggageEntry];
      if (typeof key !== 'string' || !isToken(key) || entry == null || typeof entry.value !== 'string') continue;
      let member = key + '=' + encodeBaggageValue(entry.value);
      if (entry.metadata !== undefined) {
        const raw = String(entry.metadata);
        // Metadata that is not a property list would corrupt the member; the entry goes without it.
        const properties = parseProperties(raw, 0, raw.length);
        if (properties) member += ';' + properties;
      }
      // All ASCII from here on, so length is bytes.
      if (member.length > MAX_BAGGAGE_MEMBER_BYTES) continue;
      if (header.length + member.length + (count === 0 ? 0 : 1) > MAX_BAGGAGE_BYTES) continue;
      header = count === 0 ? member : header + ',' + member;
      count++;
    }
    if (count > 0) setter.set(carrier, BAGGAGE_HEADER, header);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, BAGGAGE_HEADER);
    let s: string;
    if (typeof raw === 'string') s = raw;
    // Limits apply to all baggage headers together, so several lines are read as one list.
    else if (Array.isArray(raw)) s = raw.filter((h) => typeof h === 'string').join(',');
    else return context;

    const entries: Record<string, BaggageEntry> = Object.create(null);
    let count = 0;
    let pos = 0;
    while (pos < s.length && count < MAX_BAGGAGE_MEMBERS) {
      let end = s.indexOf(',', pos);
      if (end < 0) end = s.length;
      // A member that crosses the byte limit is dropped whole, and everything after it.
      if (end > MAX_BAGGAGE_BYTES) break;
      const start = pos;
      pos = end + 1;

      let i = skipOws(s, start, end);
      if (i === end) continue;
      const keyStart = i;
      i = runEnd(s, i, end, TOKEN);
      const keyEnd = i;
      i = skipOws(s, i, end);
      if (keyEnd === keyStart || i === end || s.charCodeAt(i) !== EQUALS) continue;
      const valueStart = skipOws(s, i + 1, end);
      const valueEnd = runEnd(s, valueStart, end, OCTET);
      i = skipOws(s, valueEnd, end);
      let properties = '';
      if (i < end) {
        if (s.charCodeAt(i) !== SEMICOLON) continue;
        const parsed = parseProperties(s, i + 1, end);
        if (parsed === undefined) continue;
        properties = parsed;
      }
      const entry: BaggageEntry = { value: decodeValue(s, valueStart, valueEnd) };
      if (properties !== '') entry.metadata = baggageEntryMetadataFromString(properties);
      entries[s.slice(keyStart, keyEnd)] = entry;
      count++;
    }
    if (count === 0) return context;
    return propagation.setBaggage(context, propagation.createBaggage(entries));
  }

  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
