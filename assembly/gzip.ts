// Owns the gzip member format (RFC 1952): a fixed 10-byte header, the raw DEFLATE stream from deflate.ts and the
// CRC-32 + ISIZE trailer. Never reports a partial member as success and never writes past dstPtr + dstCap.

import { crc32 } from './crc32';
import { DEFAULT_LEVEL, DEFLATE_SCRATCH_BYTES, MAX_SRC_LEN, deflateBound, deflateRaw } from './deflate';

export { crc32 };

const GZIP_HEADER_BYTES: u32 = 10;
const GZIP_TRAILER_BYTES: u32 = 8;
/** ID1 ID2 CM FLG as one little-endian u32: 1f 8b 08 (deflate) 00 (no name, comment, extra or header CRC). */
const GZIP_MAGIC_CM_FLG: u32 = 0x00088b1f;
/** XFL (section 2.3.1): 2 = slowest/maximum compression, 4 = fastest, 0 otherwise (what zlib writes). */
const XFL_MAX: u8 = 2;
const XFL_FAST: u8 = 4;
/** OS 255 = unknown: the bytes come from WebAssembly and do not depend on the host file system. */
const OS_UNKNOWN: u8 = 255;

/** Bytes of scratch memory gzipCompress needs (hash heads, chain links, symbol buffer, Huffman tables). */
export function gzipScratchBytes(): u32 {
  return DEFLATE_SCRATCH_BYTES;
}

/**
 * Worst-case gzip member size for srcLen input bytes: header + trailer + deflateBound (stored-block overhead of
 * 5 bytes per block). gzipCompress never needs more. Returns u32.MAX_VALUE for inputs above MAX_SRC_LEN
 * (about 2 GiB), which gzipCompress refuses.
 */
export function gzipBound(srcLen: u32): u32 {
  if (srcLen > MAX_SRC_LEN) return u32.MAX_VALUE;
  return GZIP_HEADER_BYTES + deflateBound(srcLen) + GZIP_TRAILER_BYTES;
}

/**
 * Writes one complete gzip member for src[0, srcLen) at dstPtr and returns its length, or -1 when dstCap is
 * too small (dstCap >= gzipBound(srcLen) always suffices) or srcLen is above MAX_SRC_LEN. `level`: 0 stored,
 * 1-3 fast greedy, 4-9 lazy (above 9 = 9), negative = default (1, which meets both targets on OTLP batches:
 * faster than zlib level 1, within 3 % of zlib level 6 size). src and dst must not overlap; scratchPtr points at
 * gzipScratchBytes() bytes whose contents do not matter. The output depends only on the input and level.
 */
export function gzipCompress(srcPtr: usize, srcLen: u32, dstPtr: usize, dstCap: u32, scratchPtr: usize, level: i32): i32 {
  if (srcLen > MAX_SRC_LEN || dstCap < GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES) return -1;
  // Header (section 2.3), all little-endian:
  //
  //   +-----+-----+----+-----+-------------------+-----+----+
  //   | ID1 | ID2 | CM | FLG |  MTIME (u32) = 0   | XFL | OS |
  //   | 1f  | 8b  | 08 | 00  |  00 00 00 00       |     | ff |
  //   +-----+-----+----+-----+-------------------+-----+----+
  //     0     1     2    3     4   5   6   7        8     9
  //
  // Safe: dstCap >= 18 was checked above, so bytes 0..9 are inside dst.
  store<u32>(dstPtr, GZIP_MAGIC_CM_FLG);
  store<u32>(dstPtr, 0, 4);
  const effectiveLevel = level < 0 ? DEFAULT_LEVEL : level;
  store<u8>(dstPtr, effectiveLevel >= 9 ? XFL_MAX : effectiveLevel == 1 ? XFL_FAST : 0, 8);
  store<u8>(dstPtr, OS_UNKNOWN, 9);
  const bodyLen = deflateRaw(
    srcPtr,
    srcLen,
    dstPtr + GZIP_HEADER_BYTES,
    dstCap - GZIP_HEADER_BYTES - GZIP_TRAILER_BYTES,
    scratchPtr,
    level,
  );
  if (bodyLen < 0) return -1;
  // Trailer (section 2.3): CRC32 (u32 LE) of the uncompressed data, then ISIZE = srcLen mod 2^32 (u32 LE).
  // Safe: deflateRaw kept bodyLen <= dstCap - 18, so these 8 bytes end at or before dstPtr + dstCap.
  const trailerPtr = dstPtr + GZIP_HEADER_BYTES + <usize>bodyLen;
  store<u32>(trailerPtr, crc32(srcPtr, srcLen, 0));
  store<u32>(trailerPtr, srcLen, 4);
  return <i32>(GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES) + bodyLen;
}
