// The interned-string pool: each distinct string is UTF-8 encoded once into a region of linear memory that the
// codec copies from. Two halves alternate: when the active half is full the pool switches to the other one,
// but only once no span still references it (spans mark the halves they use; freeing a span releases them).
// Never allocates per string except the Map entry of a newly interned string; never throws.
import { encodeUtf8, maxUtf8Bytes, truncationIndex, utf8Length } from './utf8.js';

/** Strings longer than this are encoded each time, not interned: they are rarely repeated payloads. */
const INTERN_MAX_CHARS = 1024;
/** Interned entries per half: bounds the Map under high-cardinality values (a unique url.path per request). */
const INTERN_MAX_ENTRIES = 65536;
/**
 * A direct-mapped cache of recent strings in front of the Map (span names, event names repeat every span): a hit
 * is one array load and one string compare instead of a hash lookup. 64 entries, indexed by length and end chars.
 */
const RECENT_ENTRIES = 64;

/** Cache index of a non-empty string: cheap to compute, spreads names of equal length apart. */
export function recentIndex(str: string): number {
  const len = str.length;
  return (len * 31 + str.charCodeAt(0) + str.charCodeAt(len - 1)) & (RECENT_ENTRIES - 1);
}

export class StringPool {
  /** Result of the last successful put(): absolute byte offset and UTF-8 length in linear memory. */
  lastPtr = 0;
  lastLen = 0;
  /** Whether the last put() cut the string to the length limit. */
  lastTruncated = false;
  /** Which half (0 or 1) new strings go to. */
  epoch = 0;
  /** Spans still referencing each half. */
  readonly halfRefs = new Int32Array(2);
  /** Half switches so far: a cached pointer stamped with an older value points into recycled bytes. */
  switches = 0;

  private bytes: Uint8Array;
  private readonly halfBytes: number;
  private writePtr: number;
  private limitPtr: number;
  private readonly index = new Map<string, number>();
  private readonly internPtr = new Int32Array(INTERN_MAX_ENTRIES);
  private readonly internLen = new Int32Array(INTERN_MAX_ENTRIES);
  private internCount = 0;
  private readonly recentStr: (string | undefined)[] = new Array<string | undefined>(RECENT_ENTRIES).fill(undefined);
  private readonly recentPtr = new Int32Array(RECENT_ENTRIES);
  private readonly recentLen = new Int32Array(RECENT_ENTRIES);
  private readonly recentStamp = new Int32Array(RECENT_ENTRIES).fill(-1);

  constructor(memoryBuffer: ArrayBuffer, private readonly basePtr: number, capacityBytes: number) {
    this.bytes = new Uint8Array(memoryBuffer);
    this.halfBytes = Math.floor(capacityBytes / 2);
    this.writePtr = basePtr;
    this.limitPtr = basePtr + this.halfBytes;
  }

  /** Which half a pointer returned by put() lies in. */
  halfOf(ptr: number): number {
    return ptr < this.basePtr + this.halfBytes ? 0 : 1;
  }

  /** Re-creates the byte view after linear memory was replaced (memory.grow detaches old views). */
  refreshView(memoryBuffer: ArrayBuffer): void {
    this.bytes = new Uint8Array(memoryBuffer);
  }

  /**
   * Stores `str` (cut to `maxUnits` UTF-16 units on a code-point boundary) and sets lastPtr/lastLen.
   * Returns false when neither half has room (the caller drops the value and counts it).
   */
  put(str: string, maxUnits: number): boolean {
    const recent = str.length > 0 && str.length <= maxUnits ? recentIndex(str) : -1;
    if (recent >= 0 && this.recentStr[recent] === str && this.recentStamp[recent] === this.switches) {
      this.lastPtr = this.recentPtr[recent]!;
      this.lastLen = this.recentLen[recent]!;
      this.lastTruncated = false;
      return true;
    }
    return this.putUncached(str, maxUnits, recent);
  }

  /** put() past the recent-string cache: kept apart so the cached case (span and event names) inlines. */
  private putUncached(str: string, maxUnits: number, recent: number): boolean {
    const endIndex = truncationIndex(str, maxUnits);
    this.lastTruncated = endIndex !== str.length;
    const key = this.lastTruncated ? str.substring(0, endIndex) : str;
    const id = this.index.get(key);
    if (id !== undefined) {
      this.lastPtr = this.internPtr[id]!;
      this.lastLen = this.internLen[id]!;
      if (recent >= 0) this.remember(recent, str);
      return true;
    }
    let need = maxUtf8Bytes(endIndex);
    if (this.writePtr + need > this.limitPtr) {
      need = utf8Length(str, endIndex); // the 3x worst case did not fit: try the exact size
      if (this.writePtr + need > this.limitPtr && !this.switchHalf(need)) return false;
    }
    const len = encodeUtf8(str, endIndex, this.bytes, this.writePtr);
    this.lastPtr = this.writePtr;
    this.lastLen = len;
    this.writePtr += len;
    if (endIndex <= INTERN_MAX_CHARS && this.internCount < INTERN_MAX_ENTRIES) {
      this.internPtr[this.internCount] = this.lastPtr;
      this.internLen[this.internCount] = len;
      this.index.set(key, this.internCount++);
      if (recent >= 0) this.remember(recent, str);
    }
    return true;
  }

  private remember(recent: number, str: string): void {
    this.recentStr[recent] = str;
    this.recentPtr[recent] = this.lastPtr;
    this.recentLen[recent] = this.lastLen;
    this.recentStamp[recent] = this.switches;
  }

  /** Moves writing to the other half if no span references it and `needBytes` fits there. */
  private switchHalf(needBytes: number): boolean {
    const other = this.epoch ^ 1;
    if (this.halfRefs[other] !== 0 || needBytes > this.halfBytes) return false;
    this.epoch = other;
    this.switches++;
    this.writePtr = this.basePtr + other * this.halfBytes;
    this.limitPtr = this.writePtr + this.halfBytes;
    this.index.clear();
    this.internCount = 0;
    return true;
  }
}
