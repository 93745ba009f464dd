// Owns raw DEFLATE (RFC 1951): LZ77 over hash chains, then per block the smallest of dynamic Huffman, fixed
// Huffman and stored, so output never exceeds deflateBound(). Works only in the caller's scratch region and the
// static tables below __heap_base: never allocates, never writes outside [dstPtr, dstPtr + dstCap).

// ---- Format limits (RFC 1951 section 3.2.5) ----------------------------------------------------------------

/** Shortest match we emit. DEFLATE allows 3, but a 3-byte minimum (and 3-byte hash) measured 1 % larger on the
 * canonical OTLP batch and 2-5 % larger on JS/JSON text at level 1: without zlib's distance heuristics a far
 * 3-byte match costs more than its literals. The 4-byte hash is also a single load. */
const MIN_MATCH: u32 = 4;
const MAX_MATCH: u32 = 258;
const WINDOW_SIZE: u32 = 32768;
const WINDOW_MASK: u32 = WINDOW_SIZE - 1;
/** Farthest distance we use: one short of the RFC's 32768, so a candidate's chain link prev[c & WINDOW_MASK]
 * can never have been overwritten by a newer position (that one would be >= c + 32768 > the current position). */
const MAX_DIST: u32 = WINDOW_SIZE - 1;
/** Hash heads and chain links hold position + 32768: a zero-filled head then reads as distance >= 32768, i.e.
 * "no candidate", so resetting the heads is one memory.fill(0) and needs no separate validity bit. */
const POS_OFFSET: u32 = WINDOW_SIZE;

const END_OF_BLOCK: u32 = 256;
/** Literal/length alphabet actually used (0..285); 286 and 287 exist only in the fixed code. */
const LIT_SYMBOLS: u32 = 286;
const DIST_SYMBOLS: u32 = 30;
const CL_SYMBOLS: u32 = 19;
const MAX_CODE_BITS: u32 = 15;
const MAX_CL_BITS: u32 = 7;
const STORED_MAX_LEN: u32 = 65535;

/** Symbols per block (zlib's choice too). Every non-final block is cut at exactly this many, so it covers at least
 * this many source bytes; deflateBound() relies on that. 32768 gave the same size on a 512-span OTLP batch (about
 * 12k symbols, one block either way) and 0.1-0.6 % larger output on text, for 64 KiB more scratch. */
const BLOCK_SYMS: u32 = 16384;

/**
 * SYMS entry layout, decoded by writeSymbols with two table lookups and no branch. Both table indexes are stored
 * as byte offsets (index x 4), which saves two shifts per symbol in the write loop:
 *   bits 0..10   LL_WORDS offset:   literal byte x 4, or (256 + length - 3) x 4 for a match
 *   bits 11..17  DIST_WORDS offset: distance code x 4, or 31 x 4 (SYM_NO_DIST) for a literal
 *   bits 18..30  distance extra value (matches only)
 */
const SYM_NO_DIST: u32 = (31 << 2) << 11;

/** Knuth's multiplicative hash constant (2^32 / golden ratio), applied to 4 little-endian bytes. */
const HASH_MUL: u32 = 0x9e3779b1;
const MAX_HASH_BITS: u32 = 15;
const MIN_HASH_BITS: u32 = 10;

/** Inputs longer than this are refused: positions + 32768 must fit in u32 and the gzip length in a positive i32. */
export const MAX_SRC_LEN: u32 = 0x7ff00000;

// ---- Scratch layout (offsets from scratchPtr; caller guarantees DEFLATE_SCRATCH_BYTES) -----------------------
//
//   HEAD      u32 x 2^15   hash bucket -> newest position + 32768 (0 = empty); only 4 << hashBits bytes reset
//   PREV      u32 x 32768  position & 32767 -> previous position + 32768 in the same bucket; never reset
//   SYMS      u32 x 16384  LZ77 symbols of the open block, see SYM_NO_DIST
//   LIT_FREQ  u32 x 288 ┐  symbol counts of the open block; contiguous so one fill resets both
//   DIST_FREQ u32 x 32  ┘
//   CL_FREQ   u32 x 32     code-length-code counts
//   LIT_TABLE u32 x 288    per symbol: bit-reversed code | bit length << 16
//   DIST_TABLE, CL_TABLE   the same for distances and code lengths (u32 x 32 each)
//   LIT_LENS u8 x 288, DIST_LENS u8 x 32, CL_LENS u8 x 32, RLE_IN u8 x 320, RLE_OUT u16 x 320
//   SORT, DEPTH, COUNT u32 x 288 each   Huffman construction work space (COUNT also holds canonical-code counts)
//   LL_WORDS u32 x 512, DIST_WORDS u32 x 32   the open block's codes as writeSymbols reads them (buildWriteTables)
const HEAD_OFFSET: usize = 0;
const PREV_OFFSET: usize = HEAD_OFFSET + (4 << MAX_HASH_BITS);
const SYMS_OFFSET: usize = PREV_OFFSET + 4 * WINDOW_SIZE;
const LIT_FREQ_OFFSET: usize = SYMS_OFFSET + 4 * BLOCK_SYMS;
const DIST_FREQ_OFFSET: usize = LIT_FREQ_OFFSET + 4 * 288;
const CL_FREQ_OFFSET: usize = DIST_FREQ_OFFSET + 4 * 32;
const LIT_TABLE_OFFSET: usize = CL_FREQ_OFFSET + 4 * 32;
const DIST_TABLE_OFFSET: usize = LIT_TABLE_OFFSET + 4 * 288;
const CL_TABLE_OFFSET: usize = DIST_TABLE_OFFSET + 4 * 32;
const LIT_LENS_OFFSET: usize = CL_TABLE_OFFSET + 4 * 32;
const DIST_LENS_OFFSET: usize = LIT_LENS_OFFSET + 288;
const CL_LENS_OFFSET: usize = DIST_LENS_OFFSET + 32;
const RLE_IN_OFFSET: usize = CL_LENS_OFFSET + 32;
const RLE_OUT_OFFSET: usize = RLE_IN_OFFSET + 320;
const SORT_OFFSET: usize = RLE_OUT_OFFSET + 2 * 320;
const DEPTH_OFFSET: usize = SORT_OFFSET + 4 * 288;
const COUNT_OFFSET: usize = DEPTH_OFFSET + 4 * 288;
const LL_WORDS_OFFSET: usize = COUNT_OFFSET + 4 * 288;
const DIST_WORDS_OFFSET: usize = LL_WORDS_OFFSET + 4 * 512;

/** Bytes of scratch deflateRaw needs: 329,408 (about 320 KiB, 256 KiB of it hash heads and chain links). */
export const DEFLATE_SCRATCH_BYTES: u32 = <u32>(DIST_WORDS_OFFSET + 4 * 32);

// ---- Static tables (RFC 1951 section 3.2.5 and 3.2.7) -------------------------------------------------------

/** Length codes 257..285: first length and number of extra bits. */
const LENGTH_BASE: usize = memory.data<u16>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
const LENGTH_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
/** Distance codes 0..29: first distance and number of extra bits. */
const DIST_BASE: usize = memory.data<u16>([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
]);
const DIST_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** Order in which the code-length code lengths are sent (HCLEN section). */
const CL_ORDER: usize = memory.data<u8>([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);
/** Extra bits after code-length symbols 16 (repeat previous 3-6), 17 (zeros 3-10), 18 (zeros 11-138). */
const CL_EXTRA: usize = memory.data<u8>([2, 3, 7]);

/**
 * Per level 0..9, four u16: max chain links walked; nice length (a match this long ends the search); then
 *   greedy levels 1-3: longest match whose inner positions are all hashed; inner positions hashed for longer
 *                      matches, as (first << 8 | last)
 *   lazy levels 4-9:   match length from which we do not try one byte further; length from which the chain is
 *                      cut to a quarter
 * Measured on the canonical 512-span OTLP batch (sizes relative to zlib level 6, times to zlib level 1): level 1
 * 1.026x size at about 0.85x time; level 4 0.999x at 1.7x; level 6 0.997x at 2.5x. On the later 4 x 512-span
 * batches of bench/codec-bench: level 1 1.039x at 0.81-0.89x, level 6 0.99x at 2.7-2.9x.
 */
const LEVEL_CONFIG: usize = memory.data<u16>([
  0, 0, 0, 0, // 0: stored only
  3, 64, 6, 0x0601, // 1 (compiled in as the FAST_* constants)
  8, 258, 32, 0x0604, // 2
  16, 258, 64, 0x0604, // 3
  16, 258, 16, 8, // 4
  32, 258, 32, 16, // 5
  64, 258, 64, 32, // 6
  128, 258, 128, 32, // 7
  1024, 258, 258, 32, // 8
  4096, 258, 258, 32, // 9
]);

/** Level 1's row of LEVEL_CONFIG as constants (see compressFast). */
const FAST_MAX_CHAIN: u32 = 3;
/** 64, not 258: the canonical batch's matches average 61 bytes, and a 64-byte match from the newest candidate
 * seldom loses to an older one: 0.02 % larger output (1.0388x vs 1.0386x zlib-6 on a codec-bench batch, 0.05 % on
 * TypeScript's lib.dom.d.ts) for 1-2 % less level-1 time (median same-round ratio 0.98-0.99, two runs). */
const FAST_NICE_LEN: u32 = 64;
const FAST_MAX_INSERT_LEN: u32 = 6;
const FAST_HEAD_INSERTS: u32 = 6;
const FAST_TAIL_INSERTS: u32 = 1;

/** Level used when the caller passes a negative one. */
export const DEFAULT_LEVEL: i32 = 1;

/** Length - 3 -> length code 0..28 (symbol 257 + code). */
const LENGTH_CODE: usize = memory.data(256);
/** Distance - 1 -> distance code: entries 0..255 for distances 1..256, then 256 + ((dist - 1) >> 7). */
const DIST_CODE: usize = memory.data(512);
/** The fixed Huffman code (section 3.2.6), same entry format as LIT_TABLE / DIST_TABLE. */
const FIXED_LIT_TABLE: usize = memory.data(4 * 288, 4);
const FIXED_DIST_TABLE: usize = memory.data(4 * 32, 4);
/** Work space for building the fixed tables once: lengths (u8 x 288) then COUNT/NEXT_CODE (u32 x 16 each). */
const FIXED_WORK: usize = memory.data(288 + 4 * 32, 4);

let tablesReady: bool = false;

function buildStaticTables(): void {
  // Safe: code < 29, length - 3 < 256; dist code < 30, indexes < 256 and 256 + (32767 >> 7) = 511.
  for (let code: u32 = 0; code < 29; code++) {
    const base = <u32>load<u16>(LENGTH_BASE + (code << 1));
    const n: u32 = 1 << load<u8>(LENGTH_EXTRA + code);
    for (let i: u32 = 0; i < n && base + i <= MAX_MATCH; i++) store<u8>(LENGTH_CODE + base + i - 3, code);
  }
  // Length 258 has its own code 28 (symbol 285), not code 27 with extra bits 31.
  store<u8>(LENGTH_CODE + 255, 28);
  for (let code: u32 = 0; code < 30; code++) {
    const base = <u32>load<u16>(DIST_BASE + (code << 1)) - 1;
    const n: u32 = 1 << load<u8>(DIST_EXTRA + code);
    for (let i: u32 = 0; i < n; i++) {
      const d = base + i;
      if (d < 256) store<u8>(DIST_CODE + d, code);
      else store<u8>(DIST_CODE + 256 + (d >> 7), code);
    }
  }
  // Fixed literal/length lengths: 0-143 -> 8, 144-255 -> 9, 256-279 -> 7, 280-287 -> 8; distances all 5.
  for (let s: u32 = 0; s < 288; s++) store<u8>(FIXED_WORK + s, s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
  assignCodes(FIXED_WORK, 288, FIXED_LIT_TABLE, FIXED_WORK + 288);
  memory.fill(FIXED_WORK, 5, 32);
  assignCodes(FIXED_WORK, 32, FIXED_DIST_TABLE, FIXED_WORK + 288);
  tablesReady = true;
}

// ---- Bit writer --------------------------------------------------------------------------------------------
// Bits go out LSB first (section 3.1.1); Huffman codes are stored pre-reversed so they can be OR-ed in directly.
// The accumulator holds < 32 bits between calls and is flushed 4 whole bytes at a time. Every block's exact size
// is checked against outCap before its first bit is written, so each flush lands inside the output.

let outPtr: usize = 0;
let outLen: u32 = 0;
let outCap: u32 = 0;
let bitBuf: u64 = 0;
let bitCount: u32 = 0;

/** Appends `count` (<= 32) bits. Safe: see the writer note above. */
@inline function putBits(value: u32, count: u32): void {
  bitBuf |= (<u64>value) << bitCount;
  bitCount += count;
  if (bitCount >= 32) {
    store<u32>(outPtr + outLen, <u32>bitBuf);
    outLen += 4;
    bitBuf >>= 32;
    bitCount -= 32;
  }
}

/** Pads with zero bits to a byte boundary and writes every pending byte. Safe: the block check covered them. */
function alignToByte(): void {
  while (bitCount > 0) {
    store<u8>(outPtr + outLen, <u8>bitBuf);
    outLen++;
    bitBuf >>= 8;
    bitCount = bitCount > 8 ? bitCount - 8 : 0;
  }
  bitBuf = 0;
}

// ---- Huffman codes -----------------------------------------------------------------------------------------

@inline function reverseBits(code: u32, bitLen: u32): u32 {
  let x = code;
  x = ((x & 0x5555) << 1) | ((x >> 1) & 0x5555);
  x = ((x & 0x3333) << 2) | ((x >> 2) & 0x3333);
  x = ((x & 0x0f0f) << 4) | ((x >> 4) & 0x0f0f);
  x = ((x & 0x00ff) << 8) | ((x >> 8) & 0x00ff);
  return x >> (16 - bitLen);
}

/**
 * Canonical codes (section 3.2.2) for `symbolCount` lengths (u8, each <= 15) at lensPtr, written as
 * `reversed code | length << 16` (u32) to tablePtr. workPtr: u32 x 32 (bit-length counts, then next codes).
 */
function assignCodes(lensPtr: usize, symbolCount: u32, tablePtr: usize, workPtr: usize): void {
  // Safe: lengths are <= 15, so every count/next index is < 16 of the 32 words at workPtr.
  const nextPtr = workPtr + 4 * 16;
  memory.fill(workPtr, 0, 4 * 16);
  for (let s: u32 = 0; s < symbolCount; s++) {
    const p = workPtr + (<usize>load<u8>(lensPtr + s) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  store<u32>(workPtr, 0);
  let code: u32 = 0;
  for (let bits: u32 = 1; bits <= MAX_CODE_BITS; bits++) {
    code = (code + load<u32>(workPtr + ((bits - 1) << 2))) << 1;
    store<u32>(nextPtr + (bits << 2), code);
  }
  // Every code we build is complete (Kraft sum exactly 1), which inflaters may require; debug builds check it.
  assert(code + load<u32>(workPtr + (MAX_CODE_BITS << 2)) == <u32>1 << MAX_CODE_BITS);
  for (let s: u32 = 0; s < symbolCount; s++) {
    const bitLen = <u32>load<u8>(lensPtr + s);
    let entry: u32 = 0;
    if (bitLen != 0) {
      const p = nextPtr + (bitLen << 2);
      const c = load<u32>(p);
      store<u32>(p, c + 1);
      entry = reverseBits(c, bitLen) | (bitLen << 16);
    }
    store<u32>(tablePtr + (s << 2), entry);
  }
}

/** Ascending shell sort of `n` u32 keys (Ciura gaps; n <= 288, so about 2k compares against 40k for insertion). */
function sortKeys(keysPtr: usize, n: u32): void {
  for (let g = 5; g >= 0; g--) {
    const gap: u32 = g == 5 ? 132 : g == 4 ? 57 : g == 3 ? 23 : g == 2 ? 10 : g == 1 ? 4 : 1;
    for (let i = gap; i < n; i++) {
      const key = load<u32>(keysPtr + (i << 2));
      let j = i;
      // Safe: j >= gap before every read at j - gap, and i < n.
      while (j >= gap && load<u32>(keysPtr + ((j - gap) << 2)) > key) {
        store<u32>(keysPtr + (j << 2), load<u32>(keysPtr + ((j - gap) << 2)));
        j -= gap;
      }
      store<u32>(keysPtr + (j << 2), key);
    }
  }
}

/**
 * Huffman code lengths for `symbolCount` u32 frequencies at freqPtr, limited to maxBits, written as u8 to
 * lensPtr. Fewer than two used symbols still get a complete two-code tree (zlib's inflate rejects a lone
 * incomplete code in some positions), so every emitted table is complete.
 */
function buildCodeLengths(freqPtr: usize, symbolCount: u32, lensPtr: usize, maxBits: u32, scratchPtr: usize): void {
  const sortPtr = scratchPtr + SORT_OFFSET;
  const depthPtr = scratchPtr + DEPTH_OFFSET;
  // Sort keys are freq << 9 | symbol: freq <= BLOCK_SYMS + 1 < 2^16 and symbol < 512, so keys fit 25 bits and
  // are unique, which makes the order (and the output) independent of the sort's stability.
  let used: u32 = 0;
  for (let s: u32 = 0; s < symbolCount; s++) {
    const f = load<u32>(freqPtr + (s << 2));
    store<u8>(lensPtr + s, 0);
    if (f != 0) {
      store<u32>(sortPtr + (used << 2), (f << 9) | s);
      used++;
    }
  }
  if (used < 2) {
    const s: u32 = used == 1 ? load<u32>(sortPtr) & 511 : 0;
    store<u8>(lensPtr + s, 1);
    store<u8>(lensPtr + (s == 0 ? 1 : 0), 1);
    return;
  }
  sortKeys(sortPtr, used);
  for (let i: u32 = 0; i < used; i++) store<u32>(depthPtr + (i << 2), load<u32>(sortPtr + (i << 2)) >> 9);
  minimumRedundancy(depthPtr, <i32>used);
  // depth[0] belongs to the rarest symbol and is the longest.
  if (load<u32>(depthPtr) > maxBits) limitLengths(depthPtr, used, maxBits, scratchPtr + COUNT_OFFSET);
  for (let i: u32 = 0; i < used; i++) {
    const bitLen = load<u32>(depthPtr + (i << 2));
    assert(bitLen >= 1 && bitLen <= maxBits);
    store<u8>(lensPtr + (load<u32>(sortPtr + (i << 2)) & 511), <u8>bitLen);
  }
}

@inline function getA(aPtr: usize, i: i32): u32 {
  return load<u32>(aPtr + (<usize>i << 2));
}
@inline function setA(aPtr: usize, i: i32, v: u32): void {
  store<u32>(aPtr + (<usize>i << 2), v);
}

/**
 * Moffat and Katajainen, "In-place calculation of minimum-redundancy codes" (1995): on n >= 2 ascending weights
 * at aPtr, leaves the code length of each in place (non-increasing). Linear time, no heap, no extra memory.
 * Safe: every index used is in [0, n), as in the paper's proof (root < next < n, leaf < n checked).
 */
function minimumRedundancy(aPtr: usize, n: i32): void {
  // Phase 1: combine weights; A[next] becomes an internal node's weight, A[root] a parent pointer.
  setA(aPtr, 0, getA(aPtr, 0) + getA(aPtr, 1));
  let root: i32 = 0;
  let leaf: i32 = 2;
  for (let next: i32 = 1; next < n - 1; next++) {
    if (leaf >= n || getA(aPtr, root) < getA(aPtr, leaf)) {
      setA(aPtr, next, getA(aPtr, root));
      setA(aPtr, root, <u32>next);
      root++;
    } else {
      setA(aPtr, next, getA(aPtr, leaf));
      leaf++;
    }
    if (leaf >= n || (root < next && getA(aPtr, root) < getA(aPtr, leaf))) {
      setA(aPtr, next, getA(aPtr, next) + getA(aPtr, root));
      setA(aPtr, root, <u32>next);
      root++;
    } else {
      setA(aPtr, next, getA(aPtr, next) + getA(aPtr, leaf));
      leaf++;
    }
  }
  // Phase 2: parent pointers -> internal node depths.
  setA(aPtr, n - 2, 0);
  for (let next: i32 = n - 3; next >= 0; next--) setA(aPtr, next, getA(aPtr, <i32>getA(aPtr, next)) + 1);
  // Phase 3: internal depths -> leaf depths.
  let avail: i32 = 1;
  let usedNodes: i32 = 0;
  let depth: u32 = 0;
  root = n - 2;
  let next: i32 = n - 1;
  while (avail > 0) {
    while (root >= 0 && getA(aPtr, root) == depth) {
      usedNodes++;
      root--;
    }
    while (avail > usedNodes) {
      setA(aPtr, next, depth);
      next--;
      avail--;
    }
    avail = 2 * usedNodes;
    depth++;
    usedNodes = 0;
  }
}

/**
 * Caps the non-increasing lengths at depthPtr to maxBits keeping the code complete (the Kraft-sum repair
 * miniz and zlib use): clamp, then while the sum of 2^(maxBits - len) exceeds 2^maxBits, drop one leaf from
 * maxBits and split the deepest shorter leaf into two one level down (net -1 per step). Then hand the longest
 * lengths back to the rarest symbols. countPtr: u32 x (maxBits + 1).
 */
function limitLengths(depthPtr: usize, n: u32, maxBits: u32, countPtr: usize): void {
  // Safe: every count index is <= maxBits (<= 15) after the clamp; i < n for depth.
  memory.fill(countPtr, 0, (maxBits + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const d = min<u32>(load<u32>(depthPtr + (i << 2)), maxBits);
    store<u32>(countPtr + (d << 2), load<u32>(countPtr + (d << 2)) + 1);
  }
  let kraft: u32 = 0;
  for (let b: u32 = 1; b <= maxBits; b++) kraft += load<u32>(countPtr + (b << 2)) << (maxBits - b);
  const full: u32 = 1 << maxBits;
  while (kraft > full) {
    store<u32>(countPtr + (maxBits << 2), load<u32>(countPtr + (maxBits << 2)) - 1);
    // Some shorter length is populated: all n leaves at maxBits would give kraft = n <= 286 < 2^7 <= full.
    for (let b = maxBits - 1; b > 0; b--) {
      const c = load<u32>(countPtr + (b << 2));
      if (c != 0) {
        store<u32>(countPtr + (b << 2), c - 1);
        store<u32>(countPtr + ((b + 1) << 2), load<u32>(countPtr + ((b + 1) << 2)) + 2);
        break;
      }
    }
    kraft--;
  }
  let i: u32 = 0;
  for (let b = maxBits; b > 0; b--) {
    for (let k = load<u32>(countPtr + (b << 2)); k > 0; k--) {
      store<u32>(depthPtr + (i << 2), b);
      i++;
    }
  }
}

/**
 * Run-length codes the concatenated literal and distance lengths (section 3.2.7) into RLE_OUT as
 * `symbol | extra << 8` (u16) and counts the symbols into CL_FREQ. Returns the number of RLE symbols (<= total,
 * since each covers at least one length, so <= 316 of the 320 reserved).
 */
function encodeLengthRuns(scratchPtr: usize, total: u32): u32 {
  const inPtr = scratchPtr + RLE_IN_OFFSET;
  const outPtr16 = scratchPtr + RLE_OUT_OFFSET;
  const freqPtr = scratchPtr + CL_FREQ_OFFSET;
  memory.fill(freqPtr, 0, 4 * 32);
  let k: u32 = 0;
  let i: u32 = 0;
  // Safe: i + run < total before each read; symbols are < 19; k <= i <= total <= 316.
  while (i < total) {
    const bitLen = <u32>load<u8>(inPtr + i);
    let run: u32 = 1;
    while (i + run < total && <u32>load<u8>(inPtr + i + run) == bitLen) run++;
    i += run;
    if (bitLen == 0) {
      while (run >= 11) {
        const r = min<u32>(run, 138);
        store<u16>(outPtr16 + (k << 1), <u16>(18 | ((r - 11) << 8)));
        k++;
        store<u32>(freqPtr + 18 * 4, load<u32>(freqPtr + 18 * 4) + 1);
        run -= r;
      }
      if (run >= 3) {
        store<u16>(outPtr16 + (k << 1), <u16>(17 | ((run - 3) << 8)));
        k++;
        store<u32>(freqPtr + 17 * 4, load<u32>(freqPtr + 17 * 4) + 1);
        run = 0;
      }
    } else {
      store<u16>(outPtr16 + (k << 1), <u16>bitLen);
      k++;
      store<u32>(freqPtr + (bitLen << 2), load<u32>(freqPtr + (bitLen << 2)) + 1);
      run--;
      while (run >= 3) {
        const r = min<u32>(run, 6);
        store<u16>(outPtr16 + (k << 1), <u16>(16 | ((r - 3) << 8)));
        k++;
        store<u32>(freqPtr + 16 * 4, load<u32>(freqPtr + 16 * 4) + 1);
        run -= r;
      }
    }
    while (run > 0) {
      store<u16>(outPtr16 + (k << 1), <u16>bitLen);
      k++;
      store<u32>(freqPtr + (bitLen << 2), load<u32>(freqPtr + (bitLen << 2)) + 1);
      run--;
    }
  }
  return k;
}

/** Sum of freq x code length over a table (entry length in bits 16..23). */
function codedBits(freqPtr: usize, tablePtr: usize, symbolCount: u32): u64 {
  let bits: u64 = 0;
  for (let s: u32 = 0; s < symbolCount; s++) {
    bits += <u64>load<u32>(freqPtr + (s << 2)) * <u64>(load<u32>(tablePtr + (s << 2)) >>> 16);
  }
  return bits;
}

// ---- Blocks ------------------------------------------------------------------------------------------------

@inline function distCode(distMinus1: u32): u32 {
  // Safe: distMinus1 < 32767, so the index is < 256 or 256 + (32766 >> 7) = 511 < 512.
  // A select, not a branch: near and far distances alternate unpredictably within a block.
  return <u32>load<u8>(DIST_CODE + select<u32>(distMinus1, 256 + (distMinus1 >> 7), distMinus1 < 256));
}

/**
 * Fills the per-block write tables from the chosen Huffman tables, so that writeSymbols needs two loads and no
 * branch per symbol:
 *   LL_WORDS   u32 x 512: index = SYMS bits 0..8; literals 0..255 hold their code, 256 + length - 3 the length
 *              symbol's code followed by the length's extra bits; bit count in bits 24..28 (at most 15 + 5)
 *   DIST_WORDS u32 x 32:  index = distance code; code | code length << 16 | code + extra bit count << 24;
 *              entry 31 (SYM_NO_DIST, literals) is 0 and adds nothing
 */
function buildWriteTables(litTablePtr: usize, distTablePtr: usize, llWordsPtr: usize, distWordsPtr: usize): void {
  // Safe: literal < 256, length code < 29 (symbol < 286 of 288), distance code < 30; indexes < 512 and < 32.
  for (let b: u32 = 0; b < 256; b++) {
    const e = load<u32>(litTablePtr + (b << 2));
    store<u32>(llWordsPtr + (b << 2), (e & 0xffff) | ((e >>> 16) << 24));
  }
  for (let len: u32 = 3; len <= MAX_MATCH; len++) {
    const lc = <u32>load<u8>(LENGTH_CODE + len - 3);
    const e = load<u32>(litTablePtr + ((257 + lc) << 2));
    const codeLen = e >>> 16;
    const extra = len - <u32>load<u16>(LENGTH_BASE + (lc << 1));
    const total = codeLen + <u32>load<u8>(LENGTH_EXTRA + lc);
    store<u32>(llWordsPtr + ((256 + len - 3) << 2), (e & 0xffff) | (extra << codeLen) | (total << 24));
  }
  for (let dc: u32 = 0; dc < 32; dc++) {
    let word: u32 = 0;
    if (dc < DIST_SYMBOLS) {
      const e = load<u32>(distTablePtr + (dc << 2));
      const codeLen = e >>> 16;
      word = (e & 0xffff) | (codeLen << 16) | ((codeLen + <u32>load<u8>(DIST_EXTRA + dc)) << 24);
    }
    store<u32>(distWordsPtr + (dc << 2), word);
  }
}

/**
 * Writes the block's symbols (not its end-of-block). One symbol adds at most 48 bits (15 + 5 length, 15 + 13
 * distance) to an accumulator holding < 8, so <= 55 of 64. `wide`: the caller proved 8 bytes of slack after the
 * block's last byte, so each symbol ends with one unconditional 8-byte store; otherwise whole bytes go out one
 * at a time and no byte past the block's end is touched.
 */
@inline function writeSymbols(symsPtr: usize, symCount: u32, llWordsPtr: usize, distWordsPtr: usize, wide: bool): void {
  let buf = bitBuf;
  let count = bitCount;
  let out = outPtr + outLen;
  // Whole bytes out first: putBits leaves up to 31 bits pending, a symbol must start with < 8.
  while (count >= 8) {
    store<u8>(out, <u8>buf);
    out++;
    buf >>= 8;
    count -= 8;
  }
  const symsEnd = symsPtr + (<usize>symCount << 2);
  for (let p = symsPtr; p < symsEnd; p += 4) {
    // Safe: p walks the symCount <= BLOCK_SYMS entries of SYMS; the offsets are < 2048 (512 words) and < 128.
    const sym = load<u32>(p);
    const lw = load<u32>(llWordsPtr + (sym & 0x7fc));
    const dw = load<u32>(distWordsPtr + ((sym >>> 11) & 0x7c));
    const lBits = lw >>> 24;
    const dPart = (dw & 0xffff) | ((sym >>> 18) << ((dw >>> 16) & 0xff));
    buf |= ((<u64>(lw & 0xffffff)) | ((<u64>dPart) << lBits)) << count;
    count += lBits + (dw >>> 24);
    if (wide) {
      // Safe: the caller's 8-byte slack; out never passes the block's last byte.
      store<u64>(out, buf);
      out += count >> 3;
      buf >>= <u64>(count & 56);
      count &= 7;
    } else {
      while (count >= 8) {
        store<u8>(out, <u8>buf);
        out++;
        buf >>= 8;
        count -= 8;
      }
    }
  }
  bitBuf = buf;
  bitCount = count;
  outLen = <u32>(out - outPtr);
}

/** Writes the open block's symbols and end-of-block with the given Huffman tables; `bits`: the block's size. */
function writeBlockSymbols(scratchPtr: usize, symCount: u32, litTablePtr: usize, distTablePtr: usize, bits: u64): void {
  const llWordsPtr = scratchPtr + LL_WORDS_OFFSET;
  const distWordsPtr = scratchPtr + DIST_WORDS_OFFSET;
  buildWriteTables(litTablePtr, distTablePtr, llWordsPtr, distWordsPtr);
  const symsPtr = scratchPtr + SYMS_OFFSET;
  // Wide whenever 8 bytes past the block's end are inside the output: always but for a nearly full one.
  if (fits(bits + 64)) writeSymbols(symsPtr, symCount, llWordsPtr, distWordsPtr, true);
  else writeSymbols(symsPtr, symCount, llWordsPtr, distWordsPtr, false);
  const eob = load<u32>(litTablePtr + (END_OF_BLOCK << 2));
  putBits(eob & 0xffff, eob >>> 16);
}

/**
 * Stored blocks for src[start, end), split at 65535 bytes (at least one block, even when empty):
 *
 *   bits: BFINAL(1) BTYPE=00(2) pad-to-byte | bytes: LEN u16 LE | NLEN = ~LEN u16 LE | LEN raw bytes
 */
function writeStored(srcPtr: usize, start: u32, end: u32, isLast: bool): void {
  let p = start;
  do {
    const n = min<u32>(end - p, STORED_MAX_LEN);
    putBits(isLast && p + n == end ? 1 : 0, 3);
    alignToByte();
    // Safe: the caller checked storedBits(), which counts these 4 header bytes and n data bytes.
    store<u16>(outPtr + outLen, <u16>n);
    store<u16>(outPtr + outLen + 2, <u16>~n);
    memory.copy(outPtr + outLen + 4, srcPtr + p, n);
    outLen += 4 + n;
    p += n;
  } while (p < end);
}

/** Exact bits writeStored would add from the current bit position for `len` bytes. */
@inline function storedBits(len: u32): u64 {
  const blocks: u64 = len == 0 ? 1 : (<u64>len + STORED_MAX_LEN - 1) / STORED_MAX_LEN;
  // First block: 3 header bits plus padding from the current bit offset; later ones start aligned (3 + 5).
  const firstHeader: u64 = <u64>(((bitCount + 3 + 7) & ~7) - bitCount);
  return firstHeader + 40 * blocks - 8 + 8 * <u64>len;
}

/** True when `bits` more bits (rounded up to a byte) still fit in the output. */
@inline function fits(bits: u64): bool {
  return <u64>outLen + ((<u64>bitCount + bits + 7) >> 3) <= <u64>outCap;
}

const BLOCK_DYNAMIC: u32 = 2;
const BLOCK_FIXED: u32 = 1;
const BLOCK_STORED: u32 = 0;

/**
 * Closes the open block: symbols in SYMS cover src[start, end). Chooses the smallest encoding, checks it fits,
 * writes it and resets the symbol counts. Returns false (nothing written) when the output would overflow.
 */
function flushBlock(srcPtr: usize, start: u32, end: u32, symCount: u32, isLast: bool, scratchPtr: usize, storedOnly: bool): bool {
  const litFreqPtr = scratchPtr + LIT_FREQ_OFFSET;
  const distFreqPtr = scratchPtr + DIST_FREQ_OFFSET;
  const litTablePtr = scratchPtr + LIT_TABLE_OFFSET;
  const distTablePtr = scratchPtr + DIST_TABLE_OFFSET;
  const clTablePtr = scratchPtr + CL_TABLE_OFFSET;
  const litLensPtr = scratchPtr + LIT_LENS_OFFSET;
  const distLensPtr = scratchPtr + DIST_LENS_OFFSET;
  const clLensPtr = scratchPtr + CL_LENS_OFFSET;
  const rleInPtr = scratchPtr + RLE_IN_OFFSET;
  const clFreqPtr = scratchPtr + CL_FREQ_OFFSET;
  const workPtr = scratchPtr + COUNT_OFFSET;

  const stored = storedBits(end - start);
  let kind = BLOCK_STORED;
  let bits = stored;
  let litCount: u32 = 0;
  let distCount: u32 = 0;
  let clCount: u32 = 0;
  let rleCount: u32 = 0;
  if (!storedOnly) {
    store<u32>(litFreqPtr + (END_OF_BLOCK << 2), 1);
    buildCodeLengths(litFreqPtr, LIT_SYMBOLS, litLensPtr, MAX_CODE_BITS, scratchPtr);
    buildCodeLengths(distFreqPtr, DIST_SYMBOLS, distLensPtr, MAX_CODE_BITS, scratchPtr);
    assignCodes(litLensPtr, LIT_SYMBOLS, litTablePtr, workPtr);
    assignCodes(distLensPtr, DIST_SYMBOLS, distTablePtr, workPtr);
    litCount = LIT_SYMBOLS;
    while (litCount > 257 && load<u8>(litLensPtr + litCount - 1) == 0) litCount--;
    distCount = DIST_SYMBOLS;
    while (distCount > 1 && load<u8>(distLensPtr + distCount - 1) == 0) distCount--;
    // Safe: litCount <= 286 and distCount <= 30 fit the 320 bytes of RLE_IN.
    memory.copy(rleInPtr, litLensPtr, litCount);
    memory.copy(rleInPtr + litCount, distLensPtr, distCount);
    rleCount = encodeLengthRuns(scratchPtr, litCount + distCount);
    buildCodeLengths(clFreqPtr, CL_SYMBOLS, clLensPtr, MAX_CL_BITS, scratchPtr);
    assignCodes(clLensPtr, CL_SYMBOLS, clTablePtr, workPtr);
    clCount = CL_SYMBOLS;
    while (clCount > 4 && load<u8>(clLensPtr + load<u8>(CL_ORDER + clCount - 1)) == 0) clCount--;

    // Extra bits are the same under both Huffman codes.
    let extraBits: u64 = 0;
    for (let c: u32 = 0; c < 29; c++) {
      extraBits += <u64>load<u32>(litFreqPtr + ((257 + c) << 2)) * <u64>load<u8>(LENGTH_EXTRA + c);
    }
    for (let c: u32 = 0; c < 30; c++) {
      extraBits += <u64>load<u32>(distFreqPtr + (c << 2)) * <u64>load<u8>(DIST_EXTRA + c);
    }
    let headerBits: u64 = 3 + 5 + 5 + 4 + 3 * <u64>clCount + codedBits(clFreqPtr, clTablePtr, CL_SYMBOLS);
    for (let c: u32 = 0; c < 3; c++) {
      headerBits += <u64>load<u32>(clFreqPtr + ((16 + c) << 2)) * <u64>load<u8>(CL_EXTRA + c);
    }
    const dynamic =
      headerBits + codedBits(litFreqPtr, litTablePtr, LIT_SYMBOLS) + codedBits(distFreqPtr, distTablePtr, DIST_SYMBOLS) + extraBits;
    const fixed =
      3 + codedBits(litFreqPtr, FIXED_LIT_TABLE, LIT_SYMBOLS) + codedBits(distFreqPtr, FIXED_DIST_TABLE, DIST_SYMBOLS) + extraBits;
    // Ties prefer the Huffman encodings; a Huffman block is only ever chosen when it is <= stored, which is what
    // makes deflateBound() hold.
    if (fixed <= dynamic) {
      if (fixed <= stored) {
        kind = BLOCK_FIXED;
        bits = fixed;
      }
    } else if (dynamic <= stored) {
      kind = BLOCK_DYNAMIC;
      bits = dynamic;
    }
  }
  if (!fits(bits)) return false;
  const startBits = (<u64>outLen << 3) + <u64>bitCount;

  if (kind == BLOCK_STORED) {
    writeStored(srcPtr, start, end, isLast);
  } else if (kind == BLOCK_FIXED) {
    putBits(isLast ? 1 : 0, 1);
    putBits(1, 2);
    writeBlockSymbols(scratchPtr, symCount, FIXED_LIT_TABLE, FIXED_DIST_TABLE, bits);
  } else {
    // Dynamic block header (section 3.2.7), LSB first:
    //
    //   BFINAL(1) BTYPE=10(2) HLIT(5)=#lit-257 HDIST(5)=#dist-1 HCLEN(4)=#cl-4
    //   (HCLEN + 4) x 3 bits: code-length code lengths in CL_ORDER
    //   RLE of the HLIT + 257 literal/length and HDIST + 1 distance code lengths, coded with the CL code
    //   then the block's symbols and end-of-block
    putBits(isLast ? 1 : 0, 1);
    putBits(2, 2);
    putBits(litCount - 257, 5);
    putBits(distCount - 1, 5);
    putBits(clCount - 4, 4);
    for (let i: u32 = 0; i < clCount; i++) putBits(load<u8>(clLensPtr + load<u8>(CL_ORDER + i)), 3);
    const rleOutPtr = scratchPtr + RLE_OUT_OFFSET;
    for (let i: u32 = 0; i < rleCount; i++) {
      const r = <u32>load<u16>(rleOutPtr + (i << 1));
      const sym = r & 0xff;
      const e = load<u32>(clTablePtr + (sym << 2));
      putBits(e & 0xffff, e >>> 16);
      if (sym >= 16) putBits(r >> 8, load<u8>(CL_EXTRA + sym - 16));
    }
    writeBlockSymbols(scratchPtr, symCount, litTablePtr, distTablePtr, bits);
  }
  // The size model above is what makes the capacity check safe: debug builds prove it block by block.
  assert((<u64>outLen << 3) + <u64>bitCount == startBits + bits);
  memory.fill(litFreqPtr, 0, 4 * (288 + 32));
  return true;
}

// ---- LZ77 --------------------------------------------------------------------------------------------------

/** Length of the common prefix of a and b, up to maxLen. Reads only [a, a + maxLen) and [b, b + maxLen). */
@inline function matchLength(aPtr: usize, bPtr: usize, maxLen: u32): u32 {
  let n: u32 = 0;
  // Safe: 8-byte loads only while n + 8 <= maxLen; the tail reads single bytes below maxLen.
  while (n + 8 <= maxLen) {
    const x = load<u64>(aPtr + n) ^ load<u64>(bPtr + n);
    if (x != 0) return n + (<u32>ctz(x) >> 3);
    n += 8;
  }
  while (n < maxLen && load<u8>(aPtr + n) == load<u8>(bPtr + n)) n++;
  return n;
}

/** Hash bucket slot for the 4 bytes at p. Safe only when p + 4 <= srcPtr + srcLen (callers check pos < hashEnd). */
@inline function headSlot(headPtr: usize, p: usize, hashShift: u32): usize {
  return headPtr + (<usize>((load<u32>(p) * HASH_MUL) >>> hashShift) << 2);
}

/** Makes `pos` the newest entry of its bucket and returns the previous newest (position + 32768, or stale/0). */
@inline function insertPos(headPtr: usize, prevPtr: usize, srcPtr: usize, pos: u32, hashShift: u32): u32 {
  const slot = headSlot(headPtr, srcPtr + pos, hashShift);
  const cand = load<u32>(slot);
  store<u32>(slot, pos + POS_OFFSET);
  store<u32>(prevPtr + (<usize>(pos & WINDOW_MASK) << 2), cand);
  return cand;
}

let matchDist: u32 = 0;

/**
 * Walks the chain from `cand` for a match at pos longer than bestLen (at most maxLen, stop at niceLen).
 * Returns the best length found (bestLen if none) and leaves its distance in matchDist. Every candidate is a
 * position we inserted: heads and links only ever hold inserted positions or 0, and a link is followed only
 * while dist <= MAX_DIST, when it is still that position's own (see MAX_DIST).
 */
@inline function longestMatch(
  srcPtr: usize,
  prevPtr: usize,
  pos: u32,
  cand: u32,
  bestLen: u32,
  maxLen: u32,
  niceLen: u32,
  maxChain: u32,
): u32 {
  const cur = load<u32>(srcPtr + pos);
  let best = bestLen;
  let chain = maxChain;
  let c = cand;
  while (true) {
    // u32 wrap-free: c <= pos + 32767 + 1 for inserted positions, and 0 gives pos + 32768.
    const dist = pos + POS_OFFSET - c;
    if (dist > MAX_DIST) break;
    const candPos = c - POS_OFFSET;
    // Safe: candPos < pos, so candPos + best < pos + best < pos + maxLen <= srcLen (best < maxLen holds below).
    if (load<u32>(srcPtr + candPos) == cur && load<u8>(srcPtr + candPos + best) == load<u8>(srcPtr + pos + best)) {
      const len = matchLength(srcPtr + candPos, srcPtr + pos, maxLen);
      if (len > best) {
        best = len;
        matchDist = dist;
        if (len >= niceLen) break;
      }
    }
    if (--chain == 0) break;
    c = load<u32>(prevPtr + (<usize>(candPos & WINDOW_MASK) << 2));
  }
  return best;
}

/** Appends literal `byte` to SYMS (see SYM_NO_DIST) and counts it. Safe: symCount < BLOCK_SYMS, byte < 256. */
@inline function recordLiteral(symsPtr: usize, symCount: u32, litFreqPtr: usize, byte: u32): void {
  store<u32>(symsPtr + (<usize>symCount << 2), (byte << 2) | SYM_NO_DIST);
  const p = litFreqPtr + (<usize>byte << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/**
 * Appends a match to SYMS in the layout writeSymbols reads, and counts its length and distance codes.
 * Safe: symCount < BLOCK_SYMS; 4 <= len <= 258 and 1 <= dist <= 32767 (MAX_DIST), so both codes index inside
 * their tables and the distance's extra value (< 2^13) fits bits 18..30.
 */
@inline function recordMatch(symsPtr: usize, symCount: u32, litFreqPtr: usize, distFreqPtr: usize, len: u32, dist: u32): void {
  const d = dist - 1;
  const dc = distCode(d);
  const dExtra = d - (<u32>load<u16>(DIST_BASE + (dc << 1)) - 1);
  store<u32>(symsPtr + (<usize>symCount << 2), ((len - 3 + 256) << 2) | (dc << 13) | (dExtra << 18));
  const lp = litFreqPtr + (<usize>(257 + <u32>load<u8>(LENGTH_CODE + len - 3)) << 2);
  store<u32>(lp, load<u32>(lp) + 1);
  const dp = distFreqPtr + (<usize>dc << 2);
  store<u32>(dp, load<u32>(dp) + 1);
}

/**
 * Fast strategy (levels 1-3): greedy, short chains; of a long match only the first and last few inner positions
 * are hashed. Why those: OTLP timestamps (fixed64) of neighbouring spans share their high bytes, so the match
 * after a varying field starts a few bytes earlier or later from span to span, and its continuation must be
 * findable from any of those starts. On the canonical batch at level 1, hashing no inner positions of long
 * matches gave 1.066x zlib-6 size, the first 6 and last 4 gave 1.026x, hashing every position also 1.026x but
 * at 1.6x the time. Level 1 now hashes matches up to 6 bytes whole and the first 6 and last 1 of longer ones,
 * and walks 3 links instead of 4: the same size on the codec-bench batches (1.039x) with 17 % fewer inserts,
 * about 5 % less gzip time; on text 1-2 % larger than 6 + 4 and 4 links, still 8-10 % under zlib level 1.
 */
@inline function greedyLoop(
  srcPtr: usize,
  srcLen: u32,
  scratchPtr: usize,
  hashShift: u32,
  maxChain: u32,
  niceLen: u32,
  maxInsertLen: u32,
  headInserts: u32,
  tailInserts: u32,
): bool {
  const headPtr = scratchPtr + HEAD_OFFSET;
  const prevPtr = scratchPtr + PREV_OFFSET;
  const symsPtr = scratchPtr + SYMS_OFFSET;
  const litFreqPtr = scratchPtr + LIT_FREQ_OFFSET;
  const distFreqPtr = scratchPtr + DIST_FREQ_OFFSET;
  // Positions below hashEnd have 4 readable bytes.
  const hashEnd: u32 = srcLen >= MIN_MATCH ? srcLen - MIN_MATCH + 1 : 0;
  let pos: u32 = 0;
  let blockStart: u32 = 0;
  let symCount: u32 = 0;
  while (pos < hashEnd) {
    // Each iteration adds one symbol, so checking here keeps symCount <= BLOCK_SYMS.
    if (symCount == BLOCK_SYMS) {
      if (!flushBlock(srcPtr, blockStart, pos, symCount, false, scratchPtr, false)) return false;
      blockStart = pos;
      symCount = 0;
    }
    const cand = insertPos(headPtr, prevPtr, srcPtr, pos, hashShift);
    const maxLen = min<u32>(MAX_MATCH, srcLen - pos);
    const len = longestMatch(srcPtr, prevPtr, pos, cand, MIN_MATCH - 1, maxLen, min<u32>(niceLen, maxLen), maxChain);
    if (len >= MIN_MATCH) {
      recordMatch(symsPtr, symCount, litFreqPtr, distFreqPtr, len, matchDist);
      symCount++;
      const end = pos + len;
      const insertEnd = min<u32>(end, hashEnd);
      if (len <= maxInsertLen) {
        for (let p = pos + 1; p < insertEnd; p++) insertPos(headPtr, prevPtr, srcPtr, p, hashShift);
      } else {
        // The two ranges never overlap: a position inserted twice would link to itself.
        const headEnd = min<u32>(pos + 1 + headInserts, insertEnd);
        for (let p = pos + 1; p < headEnd; p++) insertPos(headPtr, prevPtr, srcPtr, p, hashShift);
        for (let p = max<u32>(headEnd, end - tailInserts); p < insertEnd; p++) insertPos(headPtr, prevPtr, srcPtr, p, hashShift);
      }
      pos = end;
    } else {
      const byte = <u32>load<u8>(srcPtr + pos);
      recordLiteral(symsPtr, symCount, litFreqPtr, byte);
      symCount++;
      pos++;
    }
  }
  while (pos < srcLen) {
    if (symCount == BLOCK_SYMS) {
      if (!flushBlock(srcPtr, blockStart, pos, symCount, false, scratchPtr, false)) return false;
      blockStart = pos;
      symCount = 0;
    }
    const byte = <u32>load<u8>(srcPtr + pos);
    recordLiteral(symsPtr, symCount, litFreqPtr, byte);
    symCount++;
    pos++;
  }
  return flushBlock(srcPtr, blockStart, srcLen, symCount, true, scratchPtr, false);
}

/** Levels 2-3: greedyLoop with the parameters of LEVEL_CONFIG row `cfg`. */
function compressGreedy(srcPtr: usize, srcLen: u32, scratchPtr: usize, hashShift: u32, cfg: usize): bool {
  // Safe: cfg is one of LEVEL_CONFIG's rows of 4 u16.
  const inserts = <u32>load<u16>(cfg, 6);
  const maxChain = <u32>load<u16>(cfg);
  const niceLen = <u32>load<u16>(cfg, 2);
  return greedyLoop(srcPtr, srcLen, scratchPtr, hashShift, maxChain, niceLen, <u32>load<u16>(cfg, 4), inserts >> 8, inserts & 0xff);
}

/**
 * Level 1: greedyLoop with LEVEL_CONFIG row 1 compiled in as constants, which frees registers in the match loop.
 * (Binaryen keeps the insert loops as loops; written out by hand, the six head inserts measured no faster.)
 * Keep FAST_* and row 1 equal.
 */
function compressFast(srcPtr: usize, srcLen: u32, scratchPtr: usize, hashShift: u32): bool {
  return greedyLoop(srcPtr, srcLen, scratchPtr, hashShift, FAST_MAX_CHAIN, FAST_NICE_LEN, FAST_MAX_INSERT_LEN, FAST_HEAD_INSERTS, FAST_TAIL_INSERTS);
}

/**
 * Better strategy (levels 4-9): zlib-style lazy matching. A match found at pos is held back one byte; if pos + 1
 * has a longer one, pos goes out as a literal instead. Every position is hashed.
 */
function compressLazy(
  srcPtr: usize,
  srcLen: u32,
  scratchPtr: usize,
  hashShift: u32,
  maxChain: u32,
  niceLen: u32,
  maxLazyLen: u32,
  goodLen: u32,
): bool {
  const headPtr = scratchPtr + HEAD_OFFSET;
  const prevPtr = scratchPtr + PREV_OFFSET;
  const symsPtr = scratchPtr + SYMS_OFFSET;
  const litFreqPtr = scratchPtr + LIT_FREQ_OFFSET;
  const distFreqPtr = scratchPtr + DIST_FREQ_OFFSET;
  const hashEnd: u32 = srcLen >= MIN_MATCH ? srcLen - MIN_MATCH + 1 : 0;
  let pos: u32 = 0;
  let blockStart: u32 = 0;
  let symCount: u32 = 0;
  // pending: the byte at pos - 1 is not emitted yet; prevLen/prevDist is its match (prevLen < 4: none).
  let pending = false;
  let prevLen: u32 = 0;
  let prevDist: u32 = 0;
  while (pos < hashEnd) {
    if (symCount == BLOCK_SYMS) {
      const covered = pending ? pos - 1 : pos;
      if (!flushBlock(srcPtr, blockStart, covered, symCount, false, scratchPtr, false)) return false;
      blockStart = covered;
      symCount = 0;
    }
    const cand = insertPos(headPtr, prevPtr, srcPtr, pos, hashShift);
    const maxLen = min<u32>(MAX_MATCH, srcLen - pos);
    let len: u32 = 0;
    let dist: u32 = 0;
    const floor = max<u32>(prevLen, MIN_MATCH - 1);
    if (prevLen < maxLazyLen && floor < maxLen) {
      const chain = prevLen >= goodLen ? max<u32>(maxChain >> 2, 1) : maxChain;
      const found = longestMatch(srcPtr, prevPtr, pos, cand, floor, maxLen, min<u32>(niceLen, maxLen), chain);
      if (found > floor) {
        len = found;
        dist = matchDist;
      }
    }
    if (prevLen >= MIN_MATCH && len <= prevLen) {
      recordMatch(symsPtr, symCount, litFreqPtr, distFreqPtr, prevLen, prevDist);
      symCount++;
      const end = pos - 1 + prevLen;
      const insertEnd = min<u32>(end, hashEnd);
      for (let p = pos + 1; p < insertEnd; p++) insertPos(headPtr, prevPtr, srcPtr, p, hashShift);
      pos = end;
      pending = false;
      prevLen = 0;
    } else {
      if (pending) {
        const byte = <u32>load<u8>(srcPtr + pos - 1);
        recordLiteral(symsPtr, symCount, litFreqPtr, byte);
        symCount++;
      }
      pending = true;
      prevLen = len;
      prevDist = dist;
      pos++;
    }
  }
  if (pending) {
    if (symCount == BLOCK_SYMS) {
      if (!flushBlock(srcPtr, blockStart, pos - 1, symCount, false, scratchPtr, false)) return false;
      blockStart = pos - 1;
      symCount = 0;
    }
    if (prevLen >= MIN_MATCH) {
      recordMatch(symsPtr, symCount, litFreqPtr, distFreqPtr, prevLen, prevDist);
      pos = pos - 1 + prevLen;
    } else {
      const byte = <u32>load<u8>(srcPtr + pos - 1);
      recordLiteral(symsPtr, symCount, litFreqPtr, byte);
    }
    symCount++;
  }
  while (pos < srcLen) {
    if (symCount == BLOCK_SYMS) {
      if (!flushBlock(srcPtr, blockStart, pos, symCount, false, scratchPtr, false)) return false;
      blockStart = pos;
      symCount = 0;
    }
    const byte = <u32>load<u8>(srcPtr + pos);
    recordLiteral(symsPtr, symCount, litFreqPtr, byte);
    symCount++;
    pos++;
  }
  return flushBlock(srcPtr, blockStart, srcLen, symCount, true, scratchPtr, false);
}

/** Level 0: stored blocks only. */
function compressStored(srcPtr: usize, srcLen: u32, scratchPtr: usize): bool {
  let start: u32 = 0;
  // Cut at BLOCK_SYMS like the LZ paths so deflateBound() covers this level with the same proof.
  while (srcLen - start > BLOCK_SYMS) {
    if (!flushBlock(srcPtr, start, start + BLOCK_SYMS, 0, false, scratchPtr, true)) return false;
    start += BLOCK_SYMS;
  }
  return flushBlock(srcPtr, start, srcLen, 0, true, scratchPtr, true);
}

// ---- Entry points ------------------------------------------------------------------------------------------

/**
 * Worst-case raw DEFLATE size for srcLen bytes. Every block is encoded as stored whenever that is smaller, and
 * stored cost only grows with the starting bit offset, so the stream ends no later than an all-stored one:
 * srcLen plus 5 bytes per stored block (3 header bits padded to a byte, LEN, NLEN). A non-final block covers
 * len >= BLOCK_SYMS (16384) bytes and splits into ceil(len / 65535) <= len / 16384 stored blocks; the final
 * block adds at most one more than len / 65535. So at most srcLen / 16384 + 1 stored blocks in all, about
 * 0.03 % overhead. Requires srcLen <= MAX_SRC_LEN (no u32 overflow: 0x7ff00000 + 5 * 131009 < 2^32).
 */
export function deflateBound(srcLen: u32): u32 {
  return srcLen + 5 * (srcLen / BLOCK_SYMS + 1);
}

/**
 * Compresses src[0, srcLen) into a raw DEFLATE stream at dstPtr. Returns the bytes written, or -1 when
 * dstCap is too small (the bytes at dst are then unspecified). `level`: 0 stored, 1-3 greedy, 4-9 lazy,
 * negative = DEFAULT_LEVEL, above 9 = 9. scratchPtr: DEFLATE_SCRATCH_BYTES bytes, any contents.
 */
export function deflateRaw(srcPtr: usize, srcLen: u32, dstPtr: usize, dstCap: u32, scratchPtr: usize, level: i32): i32 {
  if (srcLen > MAX_SRC_LEN) return -1;
  if (!tablesReady) buildStaticTables();
  const lvl: i32 = level < 0 ? DEFAULT_LEVEL : min<i32>(level, 9);
  outPtr = dstPtr;
  outLen = 0;
  outCap = dstCap;
  bitBuf = 0;
  bitCount = 0;
  // Only the symbol counts and the hash heads need a known state; PREV is read only where written this call.
  memory.fill(scratchPtr + LIT_FREQ_OFFSET, 0, 4 * (288 + 32));
  let ok: bool;
  if (lvl == 0) {
    ok = compressStored(srcPtr, srcLen, scratchPtr);
  } else {
    // Size the hash to the input: the smallest power of two >= srcLen within [2^10, 2^15], so a 2 KiB input
    // resets 8 KiB of heads rather than 128 KiB. The full 128 KiB fill measured about 5 us here, under 1 % of a
    // 231 KB batch; it is what makes the output independent of whatever the scratch held before.
    let hashBits = MIN_HASH_BITS;
    while (hashBits < MAX_HASH_BITS && (<u32>1 << hashBits) < srcLen) hashBits++;
    memory.fill(scratchPtr + HEAD_OFFSET, 0, <usize>4 << hashBits);
    const hashShift = 32 - hashBits;
    const cfg = LEVEL_CONFIG + (<usize>lvl << 3);
    // Safe: lvl is in [0, 9], 10 rows of 4 u16.
    if (lvl == 1) {
      ok = compressFast(srcPtr, srcLen, scratchPtr, hashShift);
    } else if (lvl <= 3) {
      ok = compressGreedy(srcPtr, srcLen, scratchPtr, hashShift, cfg);
    } else {
      const maxChain = <u32>load<u16>(cfg);
      const niceLen = <u32>load<u16>(cfg, 2);
      ok = compressLazy(srcPtr, srcLen, scratchPtr, hashShift, maxChain, niceLen, <u32>load<u16>(cfg, 4), <u32>load<u16>(cfg, 6));
    }
  }
  if (!ok) return -1;
  // The final block's check counted this padding byte.
  alignToByte();
  return <i32>outLen;
}
