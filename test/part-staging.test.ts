// Encoded parts waiting for their deferred gzip stay in the codec's linear memory (codec/part-staging.ts): the ring
// hands out room in order, takes it back in any order, refuses what does not fit (the exporter then copies the part
// out), and the exporter's requests stay byte-exact either way, with every staged part released after success,
// failure and shutdown.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SpanArena } from '../src/arena/span-arena.js';
import { loadCodec } from '../src/codec/codec-instance.js';
import { GZIP_LEVEL_FAST } from '../src/codec/batch-encoder.js';
import { STAGING_BYTES } from '../src/codec/memory-layout.js';
import { PartStaging } from '../src/codec/part-staging.js';
import { OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { useFakeHttpReceiver } from './support/otlp-fake-receiver.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEBUG_WASM = readFileSync(join(ROOT, 'dist/spanwire.debug.wasm'));
const KIB = 1024;

/** An arena and a view of its output region filled with `len` bytes of a pattern seeded by `seed`. */
function arenaWithOutput(): { arena: SpanArena; output(len: number, seed: number): Uint8Array } {
  const arena = new SpanArena(loadCodec(DEBUG_WASM), { spans: 16, attributes: 256, events: 16, links: 16,
    stringBytes: 16 * KIB, scopes: 4, batchBytes: 1024 * KIB });
  return {
    arena,
    output(len, seed) {
      const view = new Uint8Array(arena.codec.memory.buffer, arena.layout.outputPtr, len);
      for (let i = 0; i < len; i++) view[i] = (i * 31 + seed) & 0xff;
      return view;
    },
  };
}

/** Byte equality without vitest's element-by-element diffing (slow on 128 KiB arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function pattern(len: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(len);
  for (let i = 0; i < len; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

describe('PartStaging ring', () => {
  it('keeps each staged part intact while later parts are staged, and gzips it byte-exact', () => {
    const { arena, output } = arenaWithOutput();
    const staging = PartStaging.of(arena);
    expect(PartStaging.of(arena)).toBe(staging); // one per arena
    const a = staging.stage(output(100 * KIB, 1));
    const b = staging.stage(output(64 * KIB, 2));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(same(staging.view(a), pattern(100 * KIB, 1))).toBe(true);
    expect(same(staging.view(b), pattern(64 * KIB, 2))).toBe(true);
    expect(same(new Uint8Array(gunzipSync(staging.gzipCopy(a, GZIP_LEVEL_FAST))), pattern(100 * KIB, 1))).toBe(true);
    expect(staging.staged).toBe(2);
    staging.release(a);
    staging.release(a); // a second release of the same ticket changes nothing
    expect(staging.staged).toBe(1);
    staging.release(b);
    expect(staging.staged).toBe(0);
  });

  it('refuses empty parts, bytes from another memory, and parts larger than the region', () => {
    const { arena, output } = arenaWithOutput();
    const staging = PartStaging.of(arena);
    expect(staging.stage(output(0, 0))).toBe(-1);
    expect(staging.stage(pattern(1000, 3))).toBe(-1);
    expect(staging.stage(output(STAGING_BYTES + 1, 4))).toBe(-1);
    const whole = staging.stage(output(STAGING_BYTES, 5));
    expect(whole).toBeGreaterThanOrEqual(0);
    expect(staging.stage(output(1, 6))).toBe(-1); // full
    staging.release(whole);
    expect(staging.stage(output(1, 6))).toBeGreaterThanOrEqual(0);
  });

  it('wraps around, takes room back only from the oldest end, and never overlaps a held part', () => {
    const { arena, output } = arenaWithOutput();
    const staging = PartStaging.of(arena);
    const quarter = STAGING_BYTES / 4;
    const t = [1, 2, 3, 4].map((seed) => staging.stage(output(quarter, seed)));
    expect(t.every((x) => x >= 0)).toBe(true);
    expect(staging.stage(output(1, 9))).toBe(-1);
    // Released out of order: the second part's room is not reusable while the first is held.
    staging.release(t[1]!);
    expect(staging.stage(output(quarter, 9))).toBe(-1);
    staging.release(t[0]!); // now the first two quarters come back
    const w1 = staging.stage(output(quarter, 10));
    const w2 = staging.stage(output(quarter, 11));
    expect(w1).toBeGreaterThanOrEqual(0);
    expect(w2).toBeGreaterThanOrEqual(0);
    expect(staging.stage(output(1, 12))).toBe(-1);
    // Every held part still reads back as staged.
    expect(same(staging.view(t[2]!), pattern(quarter, 3))).toBe(true);
    expect(same(staging.view(t[3]!), pattern(quarter, 4))).toBe(true);
    expect(same(staging.view(w1), pattern(quarter, 10))).toBe(true);
    expect(same(staging.view(w2), pattern(quarter, 11))).toBe(true);
    for (const ticket of [t[2]!, t[3]!, w1, w2]) staging.release(ticket);
    expect(staging.staged).toBe(0);
    // Empty again: the next part starts at the region's start.
    const again = staging.stage(output(STAGING_BYTES, 13));
    expect(again).toBeGreaterThanOrEqual(0);
    staging.release(again);
  });

  it('holds at most 64 parts at once', () => {
    const { arena, output } = arenaWithOutput();
    const staging = PartStaging.of(arena);
    const tickets: number[] = [];
    for (let i = 0; i < 64; i++) tickets.push(staging.stage(output(16, i)));
    expect(tickets.every((x) => x >= 0)).toBe(true);
    expect(staging.stage(output(16, 99))).toBe(-1);
    for (const ticket of tickets) staging.release(ticket);
    expect(staging.staged).toBe(0);
  });
});

describe('exporter with staged parts', () => {
  const receiver = useFakeHttpReceiver();
  const path = '/api/orders/12345'.padEnd(200, 'x'); // ~450 B of protobuf per span, as the canonical span

  function provider(): SpanwireTracerProvider {
    return new SpanwireTracerProvider({
      serviceName: 'staging',
      exporter: new OtlpTraceExporter({ transport: createHttpTransport({ url: receiver.url }), retry: { maxAttempts: 1 } }),
      batch: { maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMs: 60_000, maxConcurrentExports: 16 },
      capacity: { spans: 8192 + 256, attributes: (8192 + 256) * 4 },
    });
  }

  it('delivers every span once when many batches leave at once (staging full: later parts copied out)', async () => {
    receiver.reset();
    const p = provider();
    const tracer = p.getTracer('staging-test');
    // 16 batches of ~230 KB each leave in one flush: ~64 parts, far more than the 512 KiB region holds.
    for (let i = 0; i < 8192; i++) tracer.startSpan(`span ${i}`, { attributes: { i, path } }).end();
    await p.forceFlush();
    const names = receiver.requests.flatMap((r) => r.spans.map((s) => s.span.name));
    expect(names.length).toBe(8192);
    expect(new Set(names).size).toBe(8192);
    expect(p.stats()).toMatchObject({ exported: 8192, droppedTotal: 0 });
    const arena = p.arena;
    expect(PartStaging.of(arena).staged).toBe(0);
    await p.shutdown();
  });

  it('releases every staged part when the receiver refuses the requests', async () => {
    receiver.reset();
    receiver.script = () => ({ status: 400 });
    const p = provider();
    const tracer = p.getTracer('staging-test');
    for (let i = 0; i < 2048; i++) tracer.startSpan(`span ${i}`, { attributes: { i, path } }).end();
    await p.forceFlush();
    expect(p.stats()).toMatchObject({ exported: 0, droppedTotal: 2048 });
    const arena = p.arena;
    expect(PartStaging.of(arena).staged).toBe(0);
    await p.shutdown();
  });
});
