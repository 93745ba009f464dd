// Protobuf wire-format writer over a caller-owned output region: varints, fixed32/64, length-delimited fields.
// Implements the encoding rules of protobuf's wire format (https://protobuf.dev/programming-guides/encoding/).
// Never allocates and never writes past `end`: callers reserve room once per value with room(), then write freely.

/** Next byte to write. */
export let pos: usize = 0;
/** One past the last writable byte of the output region. */
export let end: usize = 0;

export function resetWriter(startPtr: usize, capacityBytes: usize): void {
  pos = startPtr;
  end = startPtr + capacityBytes;
}

/** True when `bytes` more bytes fit: the one bound check every writer below relies on. */
@inline export function room(bytes: usize): bool {
  return pos + bytes <= end;
}

@inline export function varintSize32(value: u32): u32 {
  // 7 payload bits per byte: 1 byte < 2^7, 2 < 2^14, 3 < 2^21, 4 < 2^28, else 5.
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

@inline export function varintSize64(value: u64): u32 {
  if (value < 0x100000000) return varintSize32(<u32>value);
  // 64 significant bits at most: ceil(bits / 7), so a negative int64 takes 10 bytes.
  return (70 - <u32>clz(value)) / 7;
}

@inline export function writeByte(value: u32): void {
  store<u8>(pos, <u8>value); // safe: caller checked room()
  pos += 1;
}

export function writeVarint32(value: u32): void {
  while (value >= 0x80) {
    store<u8>(pos, <u8>(value | 0x80)); // safe: caller checked room(varintSize32(value))
    pos += 1;
    value >>>= 7;
  }
  store<u8>(pos, <u8>value);
  pos += 1;
}

export function writeVarint64(value: u64): void {
  while (value >= 0x80) {
    store<u8>(pos, <u8>(value | 0x80)); // safe: caller checked room(varintSize64(value))
    pos += 1;
    value >>>= 7;
  }
  store<u8>(pos, <u8>value);
  pos += 1;
}

@inline export function writeFixed32(value: u32): void {
  store<u32>(pos, value); // wasm is little-endian, as protobuf fixed32 is; safe: caller checked room(4)
  pos += 4;
}

@inline export function writeFixed64(value: u64): void {
  store<u64>(pos, value); // little-endian; safe: caller checked room(8)
  pos += 8;
}

@inline export function writeDouble(value: f64): void {
  store<f64>(pos, value); // IEEE 754 little-endian, NaN payload kept; safe: caller checked room(8)
  pos += 8;
}

/**
 * Copies len bytes to the cursor. Most OTLP strings are short (keys, "GET", ids): up to 32 bytes are moved with
 * overlapping word loads/stores, because memory.copy is an out-of-line call in V8 that costs more than the copy.
 * Every load/store stays inside [srcPtr, srcPtr + len) and [pos, pos + len): the caller checked room(len).
 */
@inline export function writeBytes(srcPtr: usize, len: usize): void {
  const dst = pos;
  if (len >= 8) {
    if (len <= 16) {
      store<u64>(dst, load<u64>(srcPtr));
      store<u64>(dst + len - 8, load<u64>(srcPtr + len - 8));
    } else if (len <= 32) {
      store<u64>(dst, load<u64>(srcPtr));
      store<u64>(dst + 8, load<u64>(srcPtr + 8));
      store<u64>(dst + len - 16, load<u64>(srcPtr + len - 16));
      store<u64>(dst + len - 8, load<u64>(srcPtr + len - 8));
    } else {
      memory.copy(dst, srcPtr, len);
    }
  } else if (len >= 4) {
    store<u32>(dst, load<u32>(srcPtr));
    store<u32>(dst + len - 4, load<u32>(srcPtr + len - 4));
  } else {
    for (let i: usize = 0; i < len; i++) store<u8>(dst + i, load<u8>(srcPtr + i));
  }
  pos = dst + len;
}

/** Tag + length + bytes of a LEN field whose size is known: returns false (writing nothing) if it does not fit. */
export function writeLenField(tag: u32, srcPtr: usize, len: u32): bool {
  if (!room(<usize>(1 + varintSize32(len) + len))) return false;
  writeByte(tag);
  writeVarint32(len);
  writeBytes(srcPtr, len);
  return true;
}

/**
 * Reserves `reserveBytes` for a length prefix whose value is not known yet and returns where it starts.
 * Bytes of the body are written once, right after the reservation; endLen() moves them only when the
 * guess was wrong (protobuf-es fork/join style), so the common case costs no copy.
 */
@inline export function beginLen(reserveBytes: u32): usize {
  const start = pos;
  pos += reserveBytes; // safe: caller checked room(reserveBytes)
  return start;
}

/** Writes the length prefix reserved by beginLen(); false if shifting the body right would overflow. */
export function endLen(start: usize, reserveBytes: u32): bool {
  const bodyStart = start + reserveBytes;
  const bodyLen = <u32>(pos - bodyStart);
  const need = varintSize32(bodyLen);
  if (need != reserveBytes) {
    if (need > reserveBytes && !room(<usize>(need - reserveBytes))) return false;
    memory.copy(start + need, bodyStart, bodyLen); // memmove semantics; target range checked just above
    pos = start + need + bodyLen;
  }
  const bodyEnd = pos;
  pos = start;
  writeVarint32(bodyLen);
  pos = bodyEnd;
  return true;
}
