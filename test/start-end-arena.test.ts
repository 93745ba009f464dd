// Proves the recorded span's start and end shortcuts keep the general path's rules: startSpanNow() (the clock read
// in the arena, the span's own trace flags in the one flags store, a root's ids drawn in one step, a local
// child's trace id copied slot to slot) and freeSpan() clearing only non-empty lists (tails never), so a recycled
// slot starts clean. Checked on the wire with the independent OTLP decoder and through the tracer.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  type ArenaCapacity, type ArenaLimits, BatchEncoder, SpanArena, StatusCodeValue, loadCodec,
} from '../src/index.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { type DecodedSpan, decodeExportTraceRequest, listSpans } from './support/otlp-decode.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WASM = readFileSync(join(ROOT, 'dist/spanwire.debug.wasm'));
const SMALL: Partial<ArenaCapacity> = {
  spans: 4, attributes: 64, events: 16, links: 16, stringBytes: 8 * 1024, scopes: 2, batchBytes: 1 << 16,
};
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = 'b7ad6b7169203331';
const FLAG_HAS_IS_REMOTE = 0x100;

function newArena(limits: Partial<ArenaLimits> = {}) {
  const arena = new SpanArena(loadCodec(WASM), SMALL, limits);
  const encoder = new BatchEncoder(arena);
  const scope = arena.addScope('start-end');
  const decode = (slot: number): DecodedSpan => {
    const body = encoder.encode([slot], 1);
    expect(body, `encode failed: ${encoder.lastResult}`).not.toBeNull();
    return listSpans(decodeExportTraceRequest(body!.slice()))[0]!.span;
  };
  return { arena, scope, decode };
}

describe('startSpanNow', () => {
  it('starts at the clock\'s now, with end = start until end(), and counts no invalid time', () => {
    const { arena, scope } = newArena();
    const beforeMs = Date.now();
    const slot = arena.startSpanNow(scope, 'now', 1, -1, 1, undefined);
    const afterMs = Date.now();
    expect(slot).toBeGreaterThanOrEqual(0);
    // performance.timeOrigin + now() and Date.now() may differ by a clock step: a generous second either side.
    expect(arena.spanStartMs[slot]!).toBeGreaterThanOrEqual(beforeMs - 1000);
    expect(arena.spanStartMs[slot]!).toBeLessThanOrEqual(afterMs + 1000);
    expect(Number.isInteger(arena.spanStartNs[slot]!)).toBe(true);
    expect([arena.spanEndMs[slot], arena.spanEndNs[slot]]).toEqual([arena.spanStartMs[slot], arena.spanStartNs[slot]]);
    expect(arena.counters.invalidTimes).toBe(0);
  });

  it('a root without trace id bytes gets random, non-zero, distinct ids; with the scratch it keeps that id', () => {
    const { arena, scope, decode } = newArena();
    const a = arena.startSpanNow(scope, 'a', 1, -1, 1, undefined);
    const b = arena.startSpanNow(scope, 'b', 1, -1, 1, undefined);
    expect(arena.traceIdHex(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(arena.traceIdHex(a)).not.toBe('0'.repeat(32));
    expect(arena.spanIdHex(a)).not.toBe('0'.repeat(16));
    expect(arena.traceIdHex(a)).not.toBe(arena.traceIdHex(b));
    expect(arena.spanIdHex(a)).not.toBe(arena.spanIdHex(b));
    expect(arena.parentSpanIdHex(a)).toBe('0'.repeat(16));
    Buffer.from(TRACE_A, 'hex').forEach((byte, i) => { arena.scratchTraceId[i] = byte; });
    const c = arena.startSpanNow(scope, 'c', 3, -1, 1, arena.scratchTraceId);
    expect(arena.traceIdHex(c)).toBe(TRACE_A);
    const sent = decode(c);
    expect(sent.traceId).toBe(TRACE_A);
    expect(sent.kind).toBe(3);
    expect(sent.flags).toBe(1 | FLAG_HAS_IS_REMOTE);
    expect(sent.name).toBe('c');
  });

  it('writes the span\'s own trace flags, never its local parent\'s; a child copies the parent\'s trace id', () => {
    const { arena, scope, decode } = newArena();
    const parent = arena.startSpanNow(scope, 'parent', 1, -1, 1, undefined);
    const child = arena.startSpanNow(scope, 'child', 1, parent, 0, undefined);
    expect(arena.flagsOf(child)).toBe(FLAG_HAS_IS_REMOTE);
    expect(arena.traceIdHex(child)).toBe(arena.traceIdHex(parent));
    expect(arena.parentSpanIdHex(child)).toBe(arena.spanIdHex(parent));
    expect(arena.spanIdHex(child)).not.toBe(arena.spanIdHex(parent));
    const unsampledRoot = arena.startSpanNow(scope, 'root', 1, -1, 0, undefined);
    expect(arena.flagsOf(unsampledRoot)).toBe(FLAG_HAS_IS_REMOTE);
    // startSpan() keeps its own rule: a child inherits the parent's flags, a root is sampled.
    const old = arena.startSpan(scope, 'old', 1, 1000, unsampledRoot);
    expect(arena.flagsOf(old)).toBe(FLAG_HAS_IS_REMOTE);
    expect(decode(child).flags).toBe(FLAG_HAS_IS_REMOTE);
  });
});

describe('handle checks without an index check', () => {
  it('a slot that is not an integer index of a live span writes nothing and is counted, whatever its gen', () => {
    const { arena, scope } = newArena();
    const slot = arena.startSpanNow(scope, 'live', 1, -1, 1, undefined);
    const gen = arena.generationOf(slot);
    const bad: unknown[] = [slot + 0.5, -1, 4, 1e9, Number.NaN, String(slot), null, undefined, [slot]];
    for (const badSlot of bad) {
      for (const badGen of [gen, undefined]) {
        expect(arena.endSpan(badSlot as number, badGen as number, 2000)).toBe(false);
        expect(arena.setStatus(badSlot as number, badGen as number, StatusCodeValue.ERROR, 'x')).toBe(false);
      }
      arena.freeSpan(badSlot as number);
    }
    expect(arena.counters.staleHandleCalls).toBe(bad.length * 4);
    expect(arena.counters.spansFreed).toBe(0);
    expect(arena.isLive(slot, gen)).toBe(true);
    // A bad parent slot starts a root, never a child of whatever the index reads.
    for (const parentSlot of [slot + 0.5, String(slot), -1, 99]) {
      const child = arena.startSpanNow(scope, 'orphan', 1, parentSlot as number, 1, undefined);
      expect(arena.parentSpanIdHex(child)).toBe('0'.repeat(16));
      arena.endSpanNow(child, arena.generationOf(child));
      arena.freeSpan(child);
    }
    expect(arena.endSpanNow(slot, gen)).toBe(true);
    expect(arena.endSpanNow(slot, gen)).toBe(false);
    expect(arena.counters.callsAfterEnd).toBe(1);
  });
});

describe('freeSpan: a recycled slot starts clean', () => {
  it('after attributes, events, links, status, trace state and dropped counts, the next span is empty', () => {
    const { arena, scope, decode } = newArena({ attributeCount: 2, eventCount: 1, linkCount: 1 });
    const slot = arena.startSpanNow(scope, 'full', 1, -1, 1, undefined);
    const gen = arena.generationOf(slot);
    for (const key of ['a', 'b', 'c']) arena.setAttribute(slot, gen, key, [1, 2]);
    arena.addEvent(slot, gen, 'e1', NaN, { k: 'v' });
    arena.addEvent(slot, gen, 'e2', NaN);
    arena.addLink(slot, gen, TRACE_A, SPAN_A, 1, true, 'k=v', { k: 1 });
    arena.addLink(slot, gen, TRACE_A, SPAN_A, 1, true, '', {});
    arena.setStatus(slot, gen, StatusCodeValue.ERROR, 'broken');
    arena.setTraceState(slot, gen, 'vendor=1');
    arena.endSpanNow(slot, gen);
    const full = decode(slot);
    expect([full.droppedAttributesCount, full.droppedEventsCount, full.droppedLinksCount]).toEqual([1, 1, 1]);
    arena.freeSpan(slot);

    // The free list is a stack: the next span gets the same slot.
    const again = arena.startSpanNow(scope, 'again', 1, -1, 1, undefined);
    expect(again).toBe(slot);
    const clean = decode(again);
    expect(clean.attributes).toEqual([]);
    expect(clean.events).toEqual([]);
    expect(clean.links).toEqual([]);
    expect([clean.droppedAttributesCount, clean.droppedEventsCount, clean.droppedLinksCount]).toEqual([0, 0, 0]);
    expect(clean.status).toEqual({ code: 0, message: '' });
    expect(clean.traceState).toBe('');

    // Lists built again from empty chain right (their tails were left as they were).
    const gen2 = arena.generationOf(again);
    arena.setAttribute(again, gen2, 'x', 1);
    arena.setAttribute(again, gen2, 'y', [3]);
    arena.addEvent(again, gen2, 'only', NaN, { n: 2 });
    arena.addLink(again, gen2, TRACE_A, SPAN_A, 0, false, '', { m: 3 });
    const rebuilt = decode(again);
    expect(rebuilt.attributes.map((kv) => kv.key)).toEqual(['x', 'y']);
    expect(rebuilt.events.map((event) => [event.name, event.attributes.map((kv) => kv.key)])).toEqual([['only', ['n']]]);
    expect(rebuilt.links.map((link) => link.attributes.map((kv) => kv.key))).toEqual([['m']]);
  });

  it('clears dropped counts a span made with empty lists (limits of 0)', () => {
    const { arena, scope, decode } = newArena({ attributeCount: 0, eventCount: 0, linkCount: 0 });
    const slot = arena.startSpanNow(scope, 'limited', 1, -1, 1, undefined);
    const gen = arena.generationOf(slot);
    arena.setAttribute(slot, gen, 'a', 1);
    arena.addEvent(slot, gen, 'e', NaN);
    arena.addLink(slot, gen, TRACE_A, SPAN_A, 1, false, '');
    expect([decode(slot).droppedAttributesCount, decode(slot).droppedEventsCount]).toEqual([1, 1]);
    arena.endSpanNow(slot, gen);
    arena.freeSpan(slot);
    const again = arena.startSpanNow(scope, 'again', 1, -1, 1, undefined);
    const clean = decode(again);
    expect([clean.droppedAttributesCount, clean.droppedEventsCount, clean.droppedLinksCount]).toEqual([0, 0, 0]);
  });
});

describe('the tracer\'s start', () => {
  function provider(sampler?: ConstructorParameters<typeof SpanwireTracerProvider>[0]['sampler'], spans = 64) {
    const exporter = new WireCaptureExporter();
    const p = new SpanwireTracerProvider({ exporter, sampler, capacity: { spans }, batch: { scheduledDelayMs: 60_000 } });
    return { p, exporter, tracer: p.getTracer('start-end') };
  }

  it('a garbage startTime is counted once and the span starts now; a valid one is exact', async () => {
    const { p, exporter, tracer } = provider();
    const before = p.stats().arena.invalidTimes;
    const beforeMs = Date.now();
    tracer.startSpan('garbage', { startTime: Number.NaN }, ROOT_CONTEXT).end();
    tracer.startSpan('exact', { startTime: [1_700_000_000, 123_456_789] }, ROOT_CONTEXT).end(1_700_000_001_000);
    expect(p.stats().arena.invalidTimes - before).toBe(1);
    await p.forceFlush();
    const sent = new Map(exporter.decoded().map((located) => [located.span.name, located.span]));
    const garbageStartMs = Number(sent.get('garbage')!.startTimeUnixNano / 1_000_000n);
    expect(garbageStartMs).toBeGreaterThanOrEqual(beforeMs - 1000);
    expect(sent.get('exact')!.startTimeUnixNano).toBe(1_700_000_000_123_456_789n);
  });

  it('a child of a local parent, and of a parent whose slot was recycled, is in the parent\'s trace', async () => {
    const { p, exporter, tracer } = provider(undefined, 4);
    const parent = tracer.startSpan('parent', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent));
    child.end();
    parent.end();
    await p.forceFlush();
    // parent's slot is free now: a child started later takes its ids from parent's SpanContext.
    const late = tracer.startSpan('late', {}, trace.setSpan(ROOT_CONTEXT, parent));
    late.end();
    await p.forceFlush();
    const sent = new Map(exporter.decoded().map((located) => [located.span.name, located.span]));
    expect(sent.get('child')!.traceId).toBe(parent.spanContext().traceId);
    expect(sent.get('child')!.parentSpanId).toBe(parent.spanContext().spanId);
    expect(sent.get('late')!.traceId).toBe(parent.spanContext().traceId);
    expect(sent.get('late')!.parentSpanId).toBe(parent.spanContext().spanId);
  });

  it('a root dropped for want of slots still has a valid trace id and span id', () => {
    const { p, tracer } = provider(undefined, 1);
    const holder = tracer.startSpan('holder', {}, ROOT_CONTEXT);
    const dropped = tracer.startSpan('dropped', {}, ROOT_CONTEXT);
    expect(dropped.isRecording()).toBe(false);
    expect(p.stats().arena.spanSlotsExhausted).toBe(1);
    expect(dropped.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(dropped.spanContext().traceId).not.toBe(holder.spanContext().traceId);
    holder.end();
  });
});
