// The W3C `tracestate` list (Trace Context Level 2, "Tracestate Header"): parse, validate, mutate, serialize.
// Never throws: invalid members are dropped, a 33rd member is cut; parsing a canonical header keeps the header
// string itself as the serialization, so a pass-through trace state costs one scan and no copies.
import type { TraceState } from '@opentelemetry/api';

/** The most members a tracestate may carry ("tracestate Header Field Values"); extras go from the end. */
export const MAX_TRACE_STATE_MEMBERS = 32;

/** Keys and values are at most 256 characters each (same section, "Key" and "Value"). */
const MAX_KEY_CHARS = 256;
const MAX_VALUE_CHARS = 256;

const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;

// Character classes for the ABNF, one table lookup per character instead of a regex:
//   key   = ( lcalpha / DIGIT ) 0*255( keychar )   keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
//   value = 0*255( chr ) nblk-chr                  chr = %x20 / nblk-chr, nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
// Level 2 widened Level 1's key grammar (simple-key / tenant-id "@" system-id) to this one, which contains it,
// and the W3C test suite now expects keys such as `foo@`, `foo@@bar` and `t@vvvvvvvvvvvvvvv` to be accepted.
const KEY_FIRST = 1;
const KEY_CHAR = 2;
const VALUE_CHAR = 4;
const CLASS = new Uint8Array(128);
for (let c = 0x20; c <= 0x7e; c++) if (c !== COMMA && c !== EQUALS) CLASS[c] |= VALUE_CHAR;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] |= KEY_FIRST | KEY_CHAR;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] |= KEY_FIRST | KEY_CHAR;
for (const c of [0x5f, 0x2d, 0x2a, 0x2f, 0x40]) CLASS[c] |= KEY_CHAR; // _ - * / @

function isKeyRange(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > MAX_KEY_CHARS) return false;
  let c = s.charCodeAt(start);
  if (c >= 128 || (CLASS[c] & KEY_FIRST) === 0) return false;
  for (let i = start + 1; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & KEY_CHAR) === 0) return false;
  }
  return true;
}

/** The index of the '=' that ends a valid key starting at `start`, or -1; never looks past `stop`. */
function keyEnd(s: string, start: number, stop: number): number {
  const limit = Math.min(stop, start + MAX_KEY_CHARS + 1);
  let c = s.charCodeAt(start);
  if (c >= 128 || (CLASS[c] & KEY_FIRST) === 0) return -1;
  for (let i = start + 1; i < limit; i++) {
    c = s.charCodeAt(i);
    if (c === EQUALS) return i;
    if (c >= 128 || (CLASS[c] & KEY_CHAR) === 0) return -1;
  }
  return -1;
}

function isValueRange(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > MAX_VALUE_CHARS || s.charCodeAt(end - 1) === SPACE) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & VALUE_CHAR) === 0) return false;
  }
  return true;
}

function sameRange(s: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (s.charCodeAt(aStart + i) !== s.charCodeAt(bStart + i)) return false;
  return true;
}

/**
 * An immutable tracestate. It holds either the canonical serialization (members joined by ',' with no
 * whitespace), the parallel key/value arrays, or both: parsing fills the string, mutation fills the arrays,
 * and each side is derived from the other only when first asked for.
 */
class W3CTraceState implements TraceState {
  private _serialized: string | null;
  private _keys: string[] | null;
  private _values: string[] | null;

  constructor(serialized: string | null, keys: string[] | null, values: string[] | null) {
    this._serialized = serialized;
    this._keys = keys;
    this._values = values;
  }

  set(key: string, value: string): TraceState {
    // The API gives set() no way to fail, so an entry that could not be serialized leaves the state as it is.
    if (typeof key !== 'string' || typeof value !== 'string') return this;
    if (!isKeyRange(key, 0, key.length) || !isValueRange(value, 0, value.length)) return this;
    const keys = this.keysArray();
    const values = this._values as string[];
    const newKeys = [key];
    const newValues = [value];
    for (let i = 0; i < keys.length && newKeys.length < MAX_TRACE_STATE_MEMBERS; i++) {
      if (keys[i] === key) continue;
      newKeys.push(keys[i] as string);
      newValues.push(values[i] as string);
    }
    return new W3CTraceState(null, newKeys, newValues);
  }

  unset(key: string): TraceState {
    const keys = this.keysArray();
    const at = keys.indexOf(key);
    if (at < 0) return this;
    const newKeys = keys.slice();
    const newValues = (this._values as string[]).slice();
    newKeys.splice(at, 1);
    newValues.splice(at, 1);
    return new W3CTraceState(null, newKeys, newValues);
  }

  get(key: string): string | undefined {
    const keys = this.keysArray();
    const at = keys.indexOf(key);
    return at < 0 ? undefined : (this._values as string[])[at];
  }

  serialize(): string {
    if (this._serialized === null) {
      const keys = this._keys as string[];
      const values = this._values as string[];
      let out = '';
      for (let i = 0; i < keys.length; i++) out += (i === 0 ? '' : ',') + keys[i] + '=' + values[i];
      this._serialized = out;
    }
    return this._serialized;
  }

  /** Materializes the arrays from the canonical string, which holds only valid members, so splitting is exact. */
  private keysArray(): string[] {
    if (this._keys === null) {
      const s = this._serialized as string;
      const keys: string[] = [];
      const values: string[] = [];
      let pos = 0;
      while (pos < s.length) {
        let end = s.indexOf(',', pos);
        if (end < 0) end = s.length;
        const eq = s.indexOf('=', pos);
        keys.push(s.slice(pos, eq));
        values.push(s.slice(eq + 1, end));
        pos = end + 1;
      }
      this._keys = keys;
      this._values = values;
    }
    return this._keys;
  }
}

/** The tracestate with no members; `set()` on it builds new ones. */
export const EMPTY_TRACE_STATE: TraceState = new W3CTraceState('', [], []);

// Member bounds of the current parse. Parsing is synchronous and never re-entered, so one set suffices.
const memberStart = new Int32Array(MAX_TRACE_STATE_MEMBERS);
const memberEq = new Int32Array(MAX_TRACE_STATE_MEMBERS);
const memberEnd = new Int32Array(MAX_TRACE_STATE_MEMBERS);

/**
 * Parses a `tracestate` header value. Several header lines may be passed as an array (or already joined with
 * ','). Spaces and tabs around members are ignored, empty members skipped, invalid members dropped, a repeated
 * key keeps its first (left-most, most recent) entry, and members past the 32nd valid one are cut. Never throws;
 * anything that is not a string gives the empty trace state.
 */
export function parseTraceState(header: string | readonly string[] | undefined): TraceState {
  let s: string;
  if (typeof header === 'string') s = header;
  else if (Array.isArray(header)) s = header.filter((h) => typeof h === 'string').join(',');
  else return EMPTY_TRACE_STATE;

  const n = s.length;
  let count = 0;
  // Canonical means the serialization would equal the input, so the input string can be kept as is.
  let canonical = true;
  let pos = 0;
  while (pos <= n) {
    let end = s.indexOf(',', pos);
    if (end < 0) end = n;
    let start = pos;
    let stop = end;
    while (start < stop) {
      const c = s.charCodeAt(start);
      if (c !== SPACE && c !== TAB) break;
      start++;
    }
    while (stop > start) {
      const c = s.charCodeAt(stop - 1);
      if (c !== SPACE && c !== TAB) break;
      stop--;
    }
    // Whitespace around a member or an empty member is legal but not canonical.
    if (start !== pos || stop !== end || start === stop) canonical = false;
    pos = end + 1;
    if (start === stop) continue;
    const eq = keyEnd(s, start, stop);
    if (eq < 0 || !isValueRange(s, eq + 1, stop)) {
      canonical = false;
      continue;
    }
    let duplicate = false;
    for (let i = 0; i < count; i++) {
      if (sameRange(s, memberStart[i] as number, memberEq[i] as number, start, eq)) {
        duplicate = true;
        break;
      }
    }
    if (duplicate) {
      canonical = false;
      continue;
    }
    if (count === MAX_TRACE_STATE_MEMBERS) {
      canonical = false;
      break;
    }
    memberStart[count] = start;
    memberEq[count] = eq;
    memberEnd[count] = stop;
    count++;
  }
  if (count === 0) return EMPTY_TRACE_STATE;
  if (canonical) return new W3CTraceState(s, null, null);
  let out = '';
  for (let i = 0; i < count; i++) out += (i === 0 ? '' : ',') + s.slice(memberStart[i], memberEnd[i]);
  return new W3CTraceState(out, null, null);
}
