// Keeps encoded request parts inside the codec's linear memory until their deferred gzip runs: a ring over the
// layout's staging region (memory-layout.ts STAGING_BYTES). The exporter copies a part within linear memory
// (copyWithin: ~2.5 µs per 64 KiB part here) instead of out to a fresh ArrayBuffer and back for gzip (~30 µs, and
// 256 KiB of ArrayBuffers per 512-span batch for the collector to reclaim). One per arena (the region is the
// arena's), shared by every exporter on it. Parts may be released in any order; space comes back from the oldest
// end. Never throws: a part that finds no room is refused (-1) and the caller copies it out as before.
import type { SpanArena } from '../arena/span-arena.js';
import { BatchEncoder } from './batch-encoder.js';

/** Parts staged at once at most: 8 fill the default region; the rest is headroom for smaller parts. */
const MAX_PARTS = 64;

const stagingByArena = new WeakMap<SpanArena, PartStaging>();

export class PartStaging {
  private readonly starts = new Int32Array(MAX_PARTS);
  private readonly ends = new Int32Array(MAX_PARTS);
  /** 1 while the entry's part waits for its gzip; released entries are dropped from the oldest end. */
  private readonly held = new Uint8Array(MAX_PARTS);
  private oldest = 0;
  private count = 0;
  private readonly base: number;
  private readonly limit: number;
  private readonly encoder: BatchEncoder;

  /** The arena's staging (one per arena, made on first use). */
  static of(arena: SpanArena): PartStaging {
    let staging = stagingByArena.get(arena);
    if (staging === undefined) {
      staging = new PartStaging(arena);
      stagingByArena.set(arena, staging);
    }
    return staging;
  }

  private constructor(private readonly arena: SpanArena) {
    this.base = arena.layout.stagingPtr;
    this.limit = arena.layout.stagingPtr + arena.layout.stagingBytes;
    this.encoder = new BatchEncoder(arena);
  }

  /** Parts staged and not yet released. */
  get staged(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += this.held[(this.oldest + i) % MAX_PARTS]!;
    return n;
  }

  /**
   * Copies `body` (a view into this arena's codec memory, e.g. an encode() result) into the region. Returns its
   * ticket, or -1 when it is empty, not in this memory, or finds no room.
   */
  stage(body: Uint8Array): number {
    const len = body.byteLength;
    const buffer = this.arena.codec.memory.buffer;
    if (len === 0 || body.buffer !== buffer || this.count === MAX_PARTS) return -1;
    let at: number;
    if (this.count === 0) {
      this.oldest = 0;
      if (this.base + len > this.limit) return -1;
      at = this.base;
    } else {
      const oldestStart = this.starts[this.oldest]!;
      const newestEnd = this.ends[(this.oldest + this.count - 1) % MAX_PARTS]!;
      if (newestEnd > oldestStart) {
        // Not wrapped: behind the newest part, else from the region's start up to the oldest one.
        if (newestEnd + len <= this.limit) at = newestEnd;
        else if (this.base + len <= oldestStart) at = this.base;
        else return -1;
      } else if (newestEnd + len <= oldestStart) {
        at = newestEnd; // wrapped: between the newest and the oldest
      } else {
        return -1;
      }
    }
    const ticket = (this.oldest + this.count) % MAX_PARTS;
    this.starts[ticket] = at;
    this.ends[ticket] = at + len;
    this.held[ticket] = 1;
    this.count++;
    new Uint8Array(buffer).copyWithin(at, body.byteOffset, body.byteOffset + len);
    return ticket;
  }

  /** A view of a staged part, valid until it is released. */
  view(ticket: number): Uint8Array {
    const start = this.starts[ticket]!;
    return new Uint8Array(this.arena.codec.memory.buffer, start, this.ends[ticket]! - start);
  }

  /** gzip of a staged part as a fresh copy; the part stays staged (release it). Throws as BatchEncoder.gzip. */
  gzipCopy(ticket: number, level: number): Uint8Array {
    return this.encoder.gzip(this.view(ticket), level).slice();
  }

  /** Gives a part's room back (once per ticket; a second call for a ticket not held is ignored). */
  release(ticket: number): void {
    if (this.held[ticket] !== 1) return;
    this.held[ticket] = 0;
    while (this.count > 0 && this.held[this.oldest] === 0) {
      this.oldest = (this.oldest + 1) % MAX_PARTS;
      this.count--;
    }
  }
}
