// Proves the span arena's contract against the OTLP oracle: slot + generation handles, OTel limits and dropped counts
// on the wire, truncation, sanitising and counting bad input without throwing, pool exhaustion, and a fixed-size codec.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { relMsToUnixNanos } from '../src/arena/clock.js';
import {
  type ArenaCapacity, type ArenaLimits, BatchEncoder, GZIP_LEVEL_BETTER, GZIP_LEVEL_FAST, SpanArena, StatusCodeValue,
  loadCodec, nowMs,
} from '../src/index.js';
import { type DecodedSpan, decodeExportTraceRequest, listSpans } from './support/otlp-decode.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WASM = {
  debug: readFileSync(join(ROOT, 'dist/spanwire.debug.wasm')),
  release: readFileSync(join(ROOT, 'dist/spanwire.release.wasm')),
};
const SMALL: Partial<ArenaCapacity> = {
  spans: 16, attributes: 256, events: 64, links: 64, stringBytes: 16 * 1024, scopes: 4, batchBytes: 1 << 16,
};
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = 'b7ad6b7169203331';

interface Fixture { arena: SpanArena; encoder: BatchEncoder; scope: number }
interface Handle { slot: number; gen: number }

function newArena(capacity: Partial<ArenaCapacity> = {}, limits: Partial<ArenaLimits> = {},
  build: keyof typeof WASM = 'debug'): Fixture {
  const arena = new SpanArena(loadCodec(WASM[build]), { ...SMALL, ...capacity }, limits);
  return { arena, encoder: new BatchEncoder(arena), scope: arena.addScope('spanwire.test') };
}

function start({ arena, scope }: Fixture, name = 'span', startMs = 1000, parentSlot = -1): Handle {
  const slot = arena.startSpan(scope, name, 1, startMs, parentSlot);
  expect(slot).toBeGreaterThanOrEqual(0);
  return { slot, gen: arena.generationOf(slot) };
}

/** Encodes the slots and decodes them with the independent oracle. */
function decode({ encoder }: Fixture, slots: number[]): DecodedSpan[] {
  const body = encoder.encode(slots, slots.length);
  expect(body, `encode failed: ${encoder.lastResult}`).not.toBeNull();
  return listSpans(decodeExportTraceRequest(body!.slice())).map((located) => located.span);
}

function decodeOne(fixture: Fixture, handle: Handle): DecodedSpan {
  return decode(fixture, [handle.slot])[0]!;
}

/** Every mutating call, with valid arguments, on one handle; returns the results. */
function callEverything(arena: SpanArena, { slot, gen }: Handle): unknown[] {
  return [
    arena.setAttribute(slot, gen, 'late', 'x'),
    arena.addEvent(slot, gen, 'late-event', 1500, { k: 1 }),
    arena.setEventAttribute(slot, gen, 1, 'late', 1),
    arena.addLink(slot, gen, TRACE_A, SPAN_A, 1, true, 'k=v', { k: 1 }),
    arena.setLinkAttribute(slot, gen, 1, 'late', 1),
    arena.setStatus(slot, gen, StatusCodeValue.ERROR, 'late'),
    arena.updateName(slot, gen, 'late-name'),
    arena.setTraceFlags(slot, gen, 0),
    arena.setParentContext(slot, gen, TRACE_A, SPAN_A, 0, true, 'k=v'),
    arena.setIds(slot, gen, TRACE_A, SPAN_A),
    arena.endSpan(slot, gen, 99_999),
  ];
}

describe('span handles', () => {
  it('a handle kept after freeSpan is a no-op, is counted, and never writes into the span that reuses the slot', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const old = start(fixture, 'old');
    arena.setAttribute(old.slot, old.gen, 'a', 1);
    arena.endSpan(old.slot, old.gen, 1100);
    arena.freeSpan(old.slot);
    const reused = start(fixture, 'new', 2000);
    expect(reused.slot).toBe(old.slot);
    expect(reused.gen).not.toBe(old.gen);
    const ids = { traceId: arena.traceIdHex(reused.slot), spanId: arena.spanIdHex(reused.slot) };

    const results = callEverything(arena, old);
    expect(results.every((result) => result === false || result === -1)).toBe(true);
    expect(arena.counters.staleHandleCalls).toBe(results.length);
    expect(arena.counters.callsAfterEnd).toBe(0);
    expect(arena.isLive(old.slot, old.gen)).toBe(false);
    expect(arena.isLive(reused.slot, reused.gen)).toBe(true);

    arena.endSpan(reused.slot, reused.gen, 2500);
    expect(decodeOne(fixture, reused)).toEqual({
      ...ids, traceState: '', parentSpanId: '', flags: 0x101, name: 'new', kind: 1,
      startTimeUnixNano: relMsToUnixNanos(2000), endTimeUnixNano: relMsToUnixNanos(2500),
      attributes: [], droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
      status: { code: 0, message: '' },
    });
  });

  it('freeSpan is idempotent and ignores slots that hold no span', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    arena.freeSpan(span.slot);
    arena.freeSpan(span.slot);
    for (const slot of [-1, 16, 1e9, NaN, Infinity, undefined]) arena.freeSpan(slot as number);
    expect(arena.counters.spansFreed).toBe(1);
    expect(arena.usedSlots).toBe(0);
    const slots = new Set<number>();
    for (let i = 0; i < 16; i++) slots.add(start(fixture).slot);
    expect(slots.size).toBe(16); // no slot was handed out twice
  });

  it('ignores and counts every call after endSpan, keeping the span as it ended', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture, 'ended');
    arena.setAttribute(span.slot, span.gen, 'kept', true);
    arena.endSpan(span.slot, span.gen, 1200);
    const before = decodeOne(fixture, span);
    const results = callEverything(arena, span);
    expect(results.every((result) => result === false || result === -1)).toBe(true);
    expect(arena.counters.callsAfterEnd).toBe(results.length);
    expect(arena.counters.staleHandleCalls).toBe(0);
    expect(arena.counters.spansEnded).toBe(1);
    expect(arena.isEnded(span.slot)).toBe(true);
    expect(decodeOne(fixture, span)).toEqual(before);
  });

  it('returns -1 and counts spanSlotsExhausted when every slot is in use; a freed slot comes back with a new generation', () => {
    const fixture = newArena({ spans: 4 });
    const { arena, scope } = fixture;
    const handles = [0, 1, 2, 3].map(() => start(fixture));
    expect(new Set(handles.map((h) => h.slot)).size).toBe(4);
    expect(arena.startSpan(scope, 'one too many', 1, 1000)).toBe(-1);
    expect(arena.startSpan(scope, 'and another', 1, 1000)).toBe(-1);
    expect(arena.counters.spanSlotsExhausted).toBe(2);
    expect(arena.counters.spansStarted).toBe(4);
    arena.freeSpan(handles[2]!.slot);
    const again = start(fixture, 'again');
    expect(again.slot).toBe(handles[2]!.slot);
    expect(again.gen).not.toBe(handles[2]!.gen);
    expect(arena.usedSlots).toBe(4);
  });

  it('a child copies its parent\'s trace id, span id, flags and trace state; a slot with no span starts a new trace', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const parent = start(fixture, 'parent');
    arena.setParentContext(parent.slot, parent.gen, TRACE_A, SPAN_A, 0x00, true, 'vendor=1');
    const child = start(fixture, 'child', 1000, parent.slot);
    const freed = start(fixture, 'freed');
    const other = start(fixture, 'other');
    arena.freeSpan(freed.slot);
    const orphans = [freed.slot, -1, 16, 1e9, -7].map((parentSlot) => start(fixture, 'orphan', 1000, parentSlot));
    for (const handle of [parent, child, other, ...orphans]) arena.endSpan(handle.slot, handle.gen, 1001);
    const [p, c, ...roots] = decode(fixture, [parent.slot, child.slot, ...orphans.map((h) => h.slot)]);
    expect(p).toMatchObject({ traceId: TRACE_A, parentSpanId: SPAN_A, flags: 0x300, traceState: 'vendor=1' });
    expect(c).toMatchObject({ traceId: TRACE_A, parentSpanId: p!.spanId, flags: 0x100, traceState: 'vendor=1' });
    // The freed slot was handed to the first orphan (LIFO), which must not become its own child.
    for (const root of roots.slice(1)) {
      expect(root.parentSpanId).toBe('');
      expect(root.flags).toBe(0x101);
      expect(root.traceId).not.toBe(TRACE_A);
    }
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('a parentSlot naming the slot startSpan is about to reuse starts a new trace, not a child of its freed span', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const freed = start(fixture, 'freed');
    const freedIds = { traceId: arena.traceIdHex(freed.slot), spanId: arena.spanIdHex(freed.slot) };
    arena.freeSpan(freed.slot);
    const orphan = start(fixture, 'orphan', 1000, freed.slot);
    expect(orphan.slot).toBe(freed.slot);
    arena.endSpan(orphan.slot, orphan.gen, 1001);
    const span = decodeOne(fixture, orphan);
    expect(span.parentSpanId).toBe('');
    expect(span.traceId).not.toBe(freedIds.traceId);
    expect(span.flags).toBe(0x101);
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('ignores slot arguments that are not integer slot indexes in freeSpan and startSpan', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const live = [start(fixture, 'zero'), start(fixture, 'one')];
    live.forEach((h) => arena.setAttribute(h.slot, h.gen, 'k', h.slot));
    for (const bad of [null, 0.5, 1.5, [], '']) arena.freeSpan(bad as unknown as number);
    expect(arena.counters.spansFreed).toBe(0);
    expect(arena.usedSlots).toBe(2);
    const orphans = [0.5, 1.5, null].map((parentSlot) => start(fixture, 'orphan', 1000, parentSlot as number));
    expect(orphans.map((h) => h.slot).filter((slot) => slot === 0 || slot === 1)).toEqual([]);
    for (const h of [...live, ...orphans]) arena.endSpan(h.slot, h.gen, 1001);
    const decoded = decode(fixture, [...live, ...orphans].map((h) => h.slot));
    expect(decoded.map((span) => span.name)).toEqual(['zero', 'one', 'orphan', 'orphan', 'orphan']);
    for (const orphan of decoded.slice(2)) expect(orphan).toMatchObject({ parentSpanId: '', flags: 0x101 });
  });
});

describe('event and link record ids', () => {
  it('accepts only ids that addEvent/addLink returned, and ignores -1 and out-of-range ids', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    const event = arena.addEvent(span.slot, span.gen, 'e', 1001);
    const link = arena.addLink(span.slot, span.gen, TRACE_A, SPAN_A, 1, true);
    for (const id of [-1, 0, 65, NaN, Infinity, undefined]) {
      expect(arena.setEventAttribute(span.slot, span.gen, id as number, 'bad', 1)).toBe(false);
      expect(arena.setLinkAttribute(span.slot, span.gen, id as number, 'bad', 1)).toBe(false);
    }
    expect(arena.setEventAttribute(span.slot, span.gen, event, 'good', 1)).toBe(true);
    expect(arena.setLinkAttribute(span.slot, span.gen, link, 'good', 2)).toBe(true);
    arena.endSpan(span.slot, span.gen, 1002);
    const decoded = decodeOne(fixture, span);
    expect(decoded.events[0]!.attributes).toEqual([{ key: 'good', value: { intValue: 1n } }]);
    expect(decoded.links[0]!.attributes).toEqual([{ key: 'good', value: { intValue: 2n } }]);
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('refuses fractional event and link record ids instead of looping forever', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    arena.addEvent(span.slot, span.gen, 'e', 1001);
    arena.addLink(span.slot, span.gen, TRACE_A, SPAN_A, 1, true);
    expect(arena.setEventAttribute(span.slot, span.gen, 1.5, 'k', 1)).toBe(false);
    expect(arena.setLinkAttribute(span.slot, span.gen, 0.5, 'k', 1)).toBe(false);
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('refuses an event or link id that belongs to another span', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const a = start(fixture, 'A');
    const event = arena.addEvent(a.slot, a.gen, 'event of A', 1001);
    const link = arena.addLink(a.slot, a.gen, TRACE_A, SPAN_A, 1, true);
    const b = start(fixture, 'B');
    expect(arena.setEventAttribute(b.slot, b.gen, event, 'fromB', 'bbb')).toBe(false);
    expect(arena.setLinkAttribute(b.slot, b.gen, link, 'fromB', 'bbb')).toBe(false);
    arena.endSpan(b.slot, b.gen, 1002);
    arena.freeSpan(b.slot);
    const c = start(fixture, 'C');
    arena.setAttribute(c.slot, c.gen, 'c1', 'ccc');
    arena.setAttribute(c.slot, c.gen, 'c2', 2);
    arena.endSpan(a.slot, a.gen, 1003);
    arena.endSpan(c.slot, c.gen, 1003);
    const [decodedA] = decode(fixture, [a.slot]);
    expect(decodedA!.events[0]!.attributes).toEqual([]);
    expect(decodedA!.links[0]!.attributes).toEqual([]);
  });
});

describe('OTel limits, reported as dropped counts on the wire', () => {
  it('keeps the first attributeCount keys, drops and counts new keys after that, and still replaces existing keys', () => {
    const fixture = newArena({}, { attributeCount: 3 });
    const { arena } = fixture;
    const span = start(fixture);
    for (const key of ['a', 'b', 'c', 'd', 'e']) arena.setAttribute(span.slot, span.gen, key, key);
    expect(arena.setAttribute(span.slot, span.gen, 'b', ['replaced'])).toBe(true); // at the limit: not dropped
    expect(arena.setAttribute(span.slot, span.gen, 'f', 1)).toBe(false);
    arena.endSpan(span.slot, span.gen, 1001);
    const decoded = decodeOne(fixture, span);
    expect(decoded.attributes).toEqual([
      { key: 'a', value: { stringValue: 'a' } },
      { key: 'b', value: { arrayValue: [{ stringValue: 'replaced' }] } },
      { key: 'c', value: { stringValue: 'c' } },
    ]);
    expect(decoded.droppedAttributesCount).toBe(3);
    expect(arena.counters.attributesOverLimit).toBe(3);
  });

  it('replaces by key across more than 32 distinct keys (key ids that share a bit of the per-span key mask)', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    const keys = Array.from({ length: 70 }, (_, i) => `mask.key.${i}`);
    for (const key of keys) arena.setAttribute(span.slot, span.gen, key, 1);
    for (const key of [...keys].reverse()) arena.setAttribute(span.slot, span.gen, key, key);
    arena.endSpan(span.slot, span.gen, 1001);
    const decoded = decodeOne(fixture, span);
    expect(decoded.attributes).toEqual(keys.map((key) => ({ key, value: { stringValue: key } })));
    expect(decoded.droppedAttributesCount).toBe(0);
    // A recycled slot starts with an empty mask: the same keys are new again.
    const next = start(fixture);
    for (const key of keys.slice(0, 3)) arena.setAttribute(next.slot, next.gen, key, true);
    arena.endSpan(next.slot, next.gen, 1002);
    expect(decodeOne(fixture, next).attributes).toEqual(keys.slice(0, 3).map((key) => ({ key, value: { boolValue: true } })));
  });

  it('drops events over eventCount and links over linkCount, counting each on the span', () => {
    const fixture = newArena({}, { eventCount: 2, linkCount: 1 });
    const { arena } = fixture;
    const span = start(fixture);
    const eventIds = [0, 1, 2, 3].map((i) => arena.addEvent(span.slot, span.gen, `e${i}`, 1000 + i));
    expect(eventIds.slice(2)).toEqual([-1, -1]);
    expect(arena.setEventAttribute(span.slot, span.gen, eventIds[3]!, 'k', 1)).toBe(false);
    const linkIds = [1, 2, 3].map((i) => arena.addLink(span.slot, span.gen, TRACE_A, `${i}`.repeat(16), 1, false));
    expect(linkIds.slice(1)).toEqual([-1, -1]);
    arena.endSpan(span.slot, span.gen, 1010);
    const decoded = decodeOne(fixture, span);
    expect(decoded.events.map((e) => e.name)).toEqual(['e0', 'e1']);
    expect(decoded.droppedEventsCount).toBe(2);
    expect(decoded.links.map((l) => l.spanId)).toEqual(['1111111111111111']);
    expect(decoded.droppedLinksCount).toBe(2);
    expect(arena.counters.eventsOverLimit).toBe(2);
    expect(arena.counters.linksOverLimit).toBe(2);
  });

  it('applies attributePerEventCount and attributePerLinkCount per record, with replacement allowed at the limit', () => {
    const fixture = newArena({}, { attributePerEventCount: 2, attributePerLinkCount: 1 });
    const { arena } = fixture;
    const span = start(fixture);
    const event = arena.addEvent(span.slot, span.gen, 'e', 1001, { a: 1, b: 2, c: 3 });
    arena.setEventAttribute(span.slot, span.gen, event, 'a', 'replaced');
    arena.setEventAttribute(span.slot, span.gen, event, 'd', 4);
    const quiet = arena.addEvent(span.slot, span.gen, 'quiet', 1002, { x: true });
    const link = arena.addLink(span.slot, span.gen, TRACE_A, SPAN_A, 1, true, '', { a: 1, b: 2 });
    arena.setLinkAttribute(span.slot, span.gen, link, 'a', 10);
    arena.setLinkAttribute(span.slot, span.gen, link, 'c', 3);
    arena.endSpan(span.slot, span.gen, 1010);
    expect(quiet).toBeGreaterThan(0);
    const decoded = decodeOne(fixture, span);
    expect(decoded.events).toEqual([
      {
        timeUnixNano: relMsToUnixNanos(1001), name: 'e', droppedAttributesCount: 2,
        attributes: [{ key: 'a', value: { stringValue: 'replaced' } }, { key: 'b', value: { intValue: 2n } }],
      },
      {
        timeUnixNano: relMsToUnixNanos(1002), name: 'quiet', droppedAttributesCount: 0,
        attributes: [{ key: 'x', value: { boolValue: true } }],
      },
    ]);
    expect(decoded.links[0]!.attributes).toEqual([{ key: 'a', value: { intValue: 10n } }]);
    expect(decoded.links[0]!.droppedAttributesCount).toBe(2);
    expect(decoded.droppedAttributesCount).toBe(0);
    expect(arena.counters.attributesOverLimit).toBe(4);
  });
});

describe('attributeValueLength', () => {
  it('truncates string values (and each string of an array) on code-point boundaries, never splitting a surrogate pair', () => {
    const fixture = newArena({}, { attributeValueLength: 3 });
    const { arena } = fixture;
    const span = start(fixture, 'a name longer than three');
    const cases: [unknown, unknown][] = [
      ['abcdef', { stringValue: 'abc' }],
      ['abc', { stringValue: 'abc' }], // exactly at the limit: kept whole, not counted
      ['ab😀', { stringValue: 'ab' }], // the pair would straddle the limit: both halves go
      ['a😀b', { stringValue: 'a😀' }],
      ['😀😀', { stringValue: '😀' }],
      ['ab\uD800cd', { stringValue: 'ab\uFFFD' }], // a lone surrogate is one unit and becomes U+FFFD
      ['€€€€', { stringValue: '€€€' }],
      [['abcdef', 'ab😀', 'x', null],
        { arrayValue: [{ stringValue: 'abc' }, { stringValue: 'ab' }, { stringValue: 'x' }, {}] }],
      [12345678, { intValue: 12345678n }], // numbers and booleans are never truncated
    ];
    cases.forEach(([value], i) => arena.setAttribute(span.slot, span.gen, `key-longer-than-three-${i}`, value));
    const event = arena.addEvent(span.slot, span.gen, 'an event name', 1001, { e: 'event value' });
    arena.addLink(span.slot, span.gen, TRACE_A, SPAN_A, 1, true, 'state=longer', { l: 'link value' });
    arena.setStatus(span.slot, span.gen, StatusCodeValue.ERROR, 'a long message');
    arena.endSpan(span.slot, span.gen, 1010);
    expect(event).toBeGreaterThan(0);
    const decoded = decodeOne(fixture, span);
    expect(decoded.attributes).toEqual(cases.map(([, value], i) => ({ key: `key-longer-than-three-${i}`, value })));
    expect(decoded.events[0]!.attributes).toEqual([{ key: 'e', value: { stringValue: 'eve' } }]);
    expect(decoded.links[0]!.attributes).toEqual([{ key: 'l', value: { stringValue: 'lin' } }]);
    // Names, keys, trace state and the status message are not attribute values: never truncated.
    expect(decoded.name).toBe('a name longer than three');
    expect(decoded.events[0]!.name).toBe('an event name');
    expect(decoded.links[0]!.traceState).toBe('state=longer');
    expect(decoded.status.message).toBe('a long message');
    expect(arena.counters.valuesTruncated).toBe(10);
  });

  it('a limit of 0 keeps every string value empty; a pair that does not fit a limit of 1 is dropped whole', () => {
    for (const [limit, input, output] of [[0, 'abc', ''], [1, '😀', ''], [1, 'é😀', 'é'], [2, '😀x', '😀']] as const) {
      const fixture = newArena({}, { attributeValueLength: limit });
      const span = start(fixture);
      fixture.arena.setAttribute(span.slot, span.gen, 'k', input);
      fixture.arena.endSpan(span.slot, span.gen, 1001);
      expect(decodeOne(fixture, span).attributes, `limit ${limit}, ${input}`)
        .toEqual([{ key: 'k', value: { stringValue: output } }]);
    }
  });
});

describe('bad input is dropped and counted, never thrown', () => {
  const INVALID_VALUES: [string, unknown][] = [
    ['an object', { a: 1 }], ['a function', () => 1], ['a symbol', Symbol('s')], ['a bigint', 10n], ['null', null],
    ['undefined', undefined], ['a mixed array', [1, 'a']], ['a bool/number array', [true, 0]], ['a nested array', [[1]]],
    ['an array of objects', [{}]], ['a typed array', new Uint8Array(2)], ['a Date', new Date(0)], ['a Map', new Map()],
  ];

  it.each(INVALID_VALUES)('refuses %s as an attribute value on spans, events, links and resources', (_, value) => {
    const fixture = newArena();
    const { arena } = fixture;
    arena.setResource({ bad: value, good: 1 });
    const span = start(fixture);
    expect(() => arena.setAttribute(span.slot, span.gen, 'bad', value)).not.toThrow();
    expect(arena.setAttribute(span.slot, span.gen, 'bad', value)).toBe(false);
    arena.addEvent(span.slot, span.gen, 'e', 1001, { bad: value });
    arena.addLink(span.slot, span.gen, TRACE_A, SPAN_A, 1, true, '', { bad: value });
    arena.endSpan(span.slot, span.gen, 1002);
    const request = decodeExportTraceRequest(fixture.encoder.encode([span.slot], 1)!.slice());
    const decoded = listSpans(request)[0]!;
    expect(decoded.resource.attributes).toEqual([{ key: 'good', value: { intValue: 1n } }]);
    expect(decoded.span.attributes).toEqual([]);
    expect(decoded.span.events[0]!.attributes).toEqual([]);
    expect(decoded.span.links[0]!.attributes).toEqual([]);
    // Refused values are not "dropped by a limit": no dropped counts on the wire.
    expect([decoded.span.droppedAttributesCount, decoded.span.events[0]!.droppedAttributesCount,
      decoded.span.links[0]!.droppedAttributesCount, decoded.resource.droppedAttributesCount]).toEqual([0, 0, 0, 0]);
    expect(arena.counters.invalidAttributes).toBe(5);
  });

  it('refuses empty and non-string keys', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    for (const key of ['', 5, undefined, null, Symbol('k'), {}, ['k']]) {
      expect(arena.setAttribute(span.slot, span.gen, key as string, 'v')).toBe(false);
    }
    arena.endSpan(span.slot, span.gen, 1001);
    expect(decodeOne(fixture, span).attributes).toEqual([]);
    expect(arena.counters.invalidAttributes).toBe(7);
  });

  it('counts non-string names: the span or event still starts, unnamed; updateName keeps the old name', () => {
    const fixture = newArena();
    const { arena, scope } = fixture;
    const names: unknown[] = [42, null, undefined, {}, Symbol('n'), 7n];
    const slots = names.map((name) => arena.startSpan(scope, name as string, 1, 1000));
    expect(slots.every((slot) => slot >= 0)).toBe(true);
    const named = start(fixture, 'kept');
    for (const name of names) arena.updateName(named.slot, named.gen, name as string);
    for (const name of names) arena.addEvent(named.slot, named.gen, name as string, 1001);
    for (const slot of slots) arena.endSpan(slot, arena.generationOf(slot), 1002);
    arena.endSpan(named.slot, named.gen, 1002);
    const decoded = decode(fixture, [...slots, named.slot]);
    expect(decoded.map((span) => span.name)).toEqual([...names.map(() => ''), 'kept']);
    expect(decoded.at(-1)!.events.map((event) => event.name)).toEqual(names.map(() => ''));
    expect(arena.counters.invalidNames).toBe(3 * names.length);
  });

  it('replaces NaN, ±Infinity and non-number times with now, counting each; an end before the start is clamped to it', () => {
    const fixture = newArena();
    const { arena, scope } = fixture;
    const badTimes: unknown[] = [NaN, Infinity, -Infinity, '1000', undefined, null, {}, 5n];
    const before = nowMs();
    const spans = badTimes.map((time) => {
      const slot = arena.startSpan(scope, 'bad start', 1, time as number);
      const gen = arena.generationOf(slot);
      arena.addEvent(slot, gen, 'bad event time', time as number);
      arena.endSpan(slot, gen, time as number);
      return slot;
    });
    const after = nowMs();
    const clamped = start(fixture, 'clamped', 5000);
    arena.endSpan(clamped.slot, clamped.gen, 4000);
    expect(arena.counters.invalidTimes).toBe(3 * badTimes.length);
    const [low, high] = [relMsToUnixNanos(before), relMsToUnixNanos(after)];
    const decoded = decode(fixture, [...spans, clamped.slot]);
    for (const span of decoded.slice(0, -1)) {
      for (const t of [span.startTimeUnixNano, span.endTimeUnixNano, span.events[0]!.timeUnixNano]) {
        expect(t >= low && t <= high, `${t} within [${low}, ${high}]`).toBe(true);
      }
      expect(span.endTimeUnixNano >= span.startTimeUnixNano).toBe(true);
    }
    expect(decoded.at(-1)!.endTimeUnixNano).toBe(relMsToUnixNanos(5000));
  });

  it('refuses links with ids of the wrong length, non-hex, all-zero or not strings, and accepts upper-case hex', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    const badTraceIds: unknown[] = [TRACE_A.slice(1), `${TRACE_A}0`, `g${TRACE_A.slice(1)}`, ` ${TRACE_A.slice(1)}`,
      `0x${TRACE_A.slice(2)}`, '0'.repeat(32), 42, null, undefined, ''];
    const badSpanIds: unknown[] = [SPAN_A.slice(1), `${SPAN_A}0`, `${SPAN_A.slice(1)}z`, '0'.repeat(16), 7, null, ''];
    for (const traceId of badTraceIds) {
      expect(arena.addLink(span.slot, span.gen, traceId as string, SPAN_A, 1, true)).toBe(-1);
    }
    for (const spanId of badSpanIds) {
      expect(arena.addLink(span.slot, span.gen, TRACE_A, spanId as string, 1, true)).toBe(-1);
    }
    expect(arena.addLink(span.slot, span.gen, TRACE_A.toUpperCase(), SPAN_A.toUpperCase(), 0x101, false)).toBeGreaterThan(0);
    arena.endSpan(span.slot, span.gen, 1001);
    const decoded = decodeOne(fixture, span);
    expect(decoded.links).toEqual([{
      traceId: TRACE_A, spanId: SPAN_A, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0x101,
    }]);
    expect(decoded.droppedLinksCount).toBe(0);
    expect(arena.counters.invalidLinks).toBe(badTraceIds.length + badSpanIds.length);
  });

  it('refuses invalid ids in setParentContext and setIds, counting them and keeping the span\'s own ids', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const span = start(fixture);
    const ids = { traceId: arena.traceIdHex(span.slot), spanId: arena.spanIdHex(span.slot) };
    const bad: [unknown, unknown][] = [['0'.repeat(32), SPAN_A], [TRACE_A, '0'.repeat(16)], [TRACE_A.slice(2), SPAN_A],
      [TRACE_A, `${SPAN_A}00`], [null, SPAN_A], [TRACE_A, 12]];
    for (const [traceId, spanId] of bad) {
      expect(arena.setParentContext(span.slot, span.gen, traceId as string, spanId as string, 1, true)).toBe(false);
      expect(arena.setIds(span.slot, span.gen, traceId as string, spanId as string)).toBe(false);
    }
    expect(arena.counters.invalidIds).toBe(2 * bad.length);
    arena.endSpan(span.slot, span.gen, 1001);
    expect(decodeOne(fixture, span)).toMatchObject({ ...ids, parentSpanId: '', flags: 0x101 });
  });

  it('sets the status by the OTel rules: UNSET ignored, OK final, a message only with ERROR, other codes counted', () => {
    const fixture = newArena();
    const { arena } = fixture;
    const status = (calls: [unknown, unknown?][]): DecodedSpan['status'] => {
      const span = start(fixture);
      for (const [code, message] of calls) arena.setStatus(span.slot, span.gen, code as number, message as string);
      arena.endSpan(span.slot, span.gen, 1001);
      return decodeOne(fixture, span).status;
    };
    expect(status([[StatusCodeValue.ERROR, 'boom']])).toEqual({ code: 2, message: 'boom' });
    expect(status([[StatusCodeValue.ERROR, 'boom'], [StatusCodeValue.UNSET]])).toEqual({ code: 2, message: 'boom' });
    expect(status([[StatusCodeValue.ERROR, 'boom'], [StatusCodeValue.ERROR]])).toEqual({ code: 2, message: '' });
    expect(status([[StatusCodeValue.OK, 'ignored']])).toEqual({ code: 1, message: '' });
    expect(status([[StatusCodeValue.OK], [StatusCodeValue.ERROR, 'too late']])).toEqual({ code: 1, message: '' });
    expect(status([[StatusCodeValue.ERROR, 'x'], [StatusCodeValue.OK]])).toEqual({ code: 1, message: '' });
    expect(status([[StatusCodeValue.ERROR, 42]])).toEqual({ code: 2, message: '' });
    expect(arena.counters.invalidStatus).toBe(0);
    expect(status([[3, 'x'], [-1], ['2', 'x'], [NaN], [1.5], [null]])).toEqual({ code: 0, message: '' });
    expect(arena.counters.invalidStatus).toBe(6);
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('never throws for symbols or bigints passed where numbers or strings belong', () => {
    const calls: [string, (f: Fixture, h: Handle) => unknown][] = [
      ['startSpan scope', (f) => f.arena.startSpan(Symbol() as unknown as number, 'x', 1, 1)],
      ['startSpan kind symbol', (f) => f.arena.startSpan(f.scope, 'x', Symbol() as unknown as number, 1)],
      ['startSpan kind bigint', (f) => f.arena.startSpan(f.scope, 'x', 3n as unknown as number, 1)],
      ['startSpan parentSlot', (f) => f.arena.startSpan(f.scope, 'x', 1, 1, 0n as unknown as number)],
      ['freeSpan symbol', (f) => f.arena.freeSpan(Symbol() as unknown as number)],
      ['freeSpan bigint', (f, h) => f.arena.freeSpan(BigInt(h.slot) as unknown as number)],
      ['setTraceFlags', (f, h) => f.arena.setTraceFlags(h.slot, h.gen, 1n as unknown as number)],
      ['setParentContext flags',
        (f, h) => f.arena.setParentContext(h.slot, h.gen, TRACE_A, SPAN_A, Symbol() as unknown as number, true)],
      ['addLink flags', (f, h) => f.arena.addLink(h.slot, h.gen, TRACE_A, SPAN_A, 1n as unknown as number, true)],
      ['setEventAttribute id', (f, h) => f.arena.setEventAttribute(h.slot, h.gen, Symbol() as unknown as number, 'k', 1)],
      ['setLinkAttribute id', (f, h) => f.arena.setLinkAttribute(h.slot, h.gen, Symbol() as unknown as number, 'k', 1)],
      ['addScope name', (f) => f.arena.addScope(Symbol() as unknown as string)],
      ['addScope version', (f) => f.arena.addScope('n', Symbol() as unknown as string)],
    ];
    for (const [name, call] of calls) {
      const fixture = newArena();
      const handle = start(fixture);
      expect(() => call(fixture, handle), name).not.toThrow();
    }
  });
});

describe('pools', () => {
  it('drops and counts attributes, events and links when their pools are empty, and serves again once spans are freed', () => {
    const fixture = newArena({ attributes: 4, events: 2, links: 1 });
    const { arena } = fixture;
    const first = start(fixture, 'first');
    const second = start(fixture, 'second');
    for (const key of ['a', 'b', 'c']) arena.setAttribute(first.slot, first.gen, key, 1);
    for (const key of ['a', 'b', 'c']) arena.setAttribute(second.slot, second.gen, key, 2);
    for (const span of [first, second]) arena.addEvent(span.slot, span.gen, 'e', 1001);
    arena.addEvent(second.slot, second.gen, 'e2', 1002);
    for (const span of [first, second]) arena.addLink(span.slot, span.gen, TRACE_A, SPAN_A, 1, true);
    for (const span of [first, second]) arena.endSpan(span.slot, span.gen, 1010);
    const [one, two] = decode(fixture, [first.slot, second.slot]);
    expect([one!.attributes.length, one!.droppedAttributesCount, two!.attributes.length, two!.droppedAttributesCount])
      .toEqual([3, 0, 1, 2]);
    expect([one!.events.length, two!.events.length, two!.droppedEventsCount]).toEqual([1, 1, 1]);
    expect([one!.links.length, two!.links.length, two!.droppedLinksCount]).toEqual([1, 0, 1]);
    expect(arena.counters).toMatchObject({ attributePoolFull: 2, eventPoolFull: 1, linkPoolFull: 1 });
    arena.freeSpan(first.slot);
    arena.freeSpan(second.slot);
    const third = start(fixture, 'third');
    for (const key of ['a', 'b', 'c', 'd']) expect(arena.setAttribute(third.slot, third.gen, key, 3)).toBe(true);
    expect(arena.addEvent(third.slot, third.gen, 'e', 1001)).toBeGreaterThan(0);
    expect(arena.addEvent(third.slot, third.gen, 'e', 1001)).toBeGreaterThan(0);
    expect(arena.addLink(third.slot, third.gen, TRACE_A, SPAN_A, 1, true)).toBeGreaterThan(0);
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('counts on the wire an attribute discarded because array elements or its strings found no room', () => {
    const arrays = newArena({ attributes: 4 });
    const a = start(arrays);
    expect(arrays.arena.setAttribute(a.slot, a.gen, 'arr', [1, 2, 3, 4, 5])).toBe(false);
    arrays.arena.endSpan(a.slot, a.gen, 1001);
    expect(decodeOne(arrays, a).droppedAttributesCount).toBe(1);

    const strings = newArena({ stringBytes: 64 });
    const s = start(strings);
    expect(strings.arena.setAttribute(s.slot, s.gen, 'k', 'x'.repeat(40))).toBe(false);
    strings.arena.endSpan(s.slot, s.gen, 1001);
    expect(strings.arena.counters.stringPoolFull).toBe(1);
    expect(decodeOne(strings, s).droppedAttributesCount).toBe(1);
  });

  it('switches string-pool halves when full, refusing (stringPoolFull) only while a live span holds the other half', () => {
    const fixture = newArena({ stringBytes: 2048 }); // two halves of 1024 bytes
    const { arena } = fixture;
    const pool = arena.strings;
    expect(pool.epoch).toBe(0);
    const a = start(fixture, 'A');
    expect(arena.setAttribute(a.slot, a.gen, 'a1', 'a'.repeat(700))).toBe(true);
    const b = start(fixture, 'B'); // its name lands in half 0: B holds both halves from here on
    expect(arena.setAttribute(b.slot, b.gen, 'b1', 'b'.repeat(700))).toBe(true);
    expect(pool.epoch).toBe(1);
    expect([...pool.halfRefs]).toEqual([2, 1]);

    expect(arena.setAttribute(b.slot, b.gen, 'b2', 'c'.repeat(700))).toBe(false); // half 1 full, half 0 held
    expect(arena.counters.stringPoolFull).toBe(1);
    arena.endSpan(a.slot, a.gen, 1001);
    arena.freeSpan(a.slot);
    expect(arena.setAttribute(b.slot, b.gen, 'b3', 'd'.repeat(700))).toBe(false); // B itself still holds half 0
    expect(arena.counters.stringPoolFull).toBe(2);
    arena.endSpan(b.slot, b.gen, 1002);
    const bDecoded = decodeOne(fixture, b);
    expect(bDecoded.name).toBe('B');
    expect(bDecoded.attributes).toEqual([{ key: 'b1', value: { stringValue: 'b'.repeat(700) } }]);
    arena.freeSpan(b.slot);
    expect([...pool.halfRefs]).toEqual([0, 0]);

    // Nothing holds half 0 now: writing moves back to it and overwrites A's old strings.
    const c = start(fixture, 'C');
    expect(arena.setAttribute(c.slot, c.gen, 'c1', 'e'.repeat(900))).toBe(true);
    expect(pool.epoch).toBe(0);
    // Strings interned before the switch ('A', 'a1', 'b1') must be written again, not served from stale bytes.
    expect(arena.setAttribute(c.slot, c.gen, 'a1', 'A')).toBe(true);
    expect(arena.setAttribute(c.slot, c.gen, 'b1', 'B')).toBe(true);
    arena.endSpan(c.slot, c.gen, 1003);
    expect(decodeOne(fixture, c).attributes).toEqual([
      { key: 'c1', value: { stringValue: 'e'.repeat(900) } },
      { key: 'a1', value: { stringValue: 'A' } },
      { key: 'b1', value: { stringValue: 'B' } },
    ]);
    expect(arena.counters.stringPoolFull).toBe(2);
  });

  it('refuses a string longer than half the pool even when nothing holds either half', () => {
    const fixture = newArena({ stringBytes: 2048 });
    const { arena } = fixture;
    const span = start(fixture);
    expect(arena.setAttribute(span.slot, span.gen, 'k', 'x'.repeat(1025))).toBe(false);
    expect(arena.setAttribute(span.slot, span.gen, 'k', '€'.repeat(400))).toBe(false); // 1200 UTF-8 bytes
    expect(arena.setAttribute(span.slot, span.gen, 'k', 'x'.repeat(1000))).toBe(true);
    expect(arena.counters.stringPoolFull).toBe(2);
  });
});

describe('codec', () => {
  it('keeps linear memory at one size through 10,000 encode + gzip batches', () => {
    const capacity = { spans: 8, attributes: 64, events: 16, links: 16, stringBytes: 8192, batchBytes: 1 << 14 };
    const fixture = newArena(capacity, {}, 'release');
    const { arena, encoder } = fixture;
    const memory = arena.codec.memory;
    const bytes = memory.buffer.byteLength;
    const buffer = memory.buffer;
    const slots: number[] = [];
    for (let batch = 0; batch < 10_000; batch++) {
      slots.length = 0;
      for (let i = 0; i <= batch % 4; i++) {
        const span = start(fixture, `span ${batch % 97}`, batch);
        arena.setAttribute(span.slot, span.gen, 'batch', batch);
        arena.setAttribute(span.slot, span.gen, 'text', `value ${batch} ${'é'.repeat(batch % 50)}`);
        arena.addEvent(span.slot, span.gen, 'tick', batch + 0.5, { i });
        arena.endSpan(span.slot, span.gen, batch + 1);
        slots.push(span.slot);
      }
      const body = encoder.encode(slots, slots.length)!;
      const gz = encoder.gzip(body, batch % 2 === 0 ? GZIP_LEVEL_FAST : GZIP_LEVEL_BETTER);
      if (batch % 1000 === 0) expect(new Uint8Array(gunzipSync(gz))).toEqual(body.slice());
      for (const slot of slots) arena.freeSpan(slot);
    }
    expect(memory.buffer.byteLength).toBe(bytes);
    expect(memory.buffer).toBe(buffer); // never grown: views stay attached
    expect(arena.usedSlots).toBe(0);
    expect(arena.counters.stringPoolFull + arena.counters.attributePoolFull + arena.counters.eventPoolFull).toBe(0);
  }, 30_000);

  it('encodes an empty batch as an empty (0-byte) request', () => {
    const { encoder } = newArena();
    const body = encoder.encode([], 0);
    expect(body).not.toBeNull();
    expect(body!.length).toBe(0);
    expect(decodeExportTraceRequest(body!.slice())).toEqual({ resourceSpans: [] });
    expect(gunzipSync(encoder.gzip(body!, GZIP_LEVEL_FAST)).length).toBe(0);
  });

  it('returns null for a batch over batchBytes; encodeFitting gives a prefix that fits, 0 for a span that never fits', () => {
    const fixture = newArena({ spans: 64, stringBytes: 64 * 1024, batchBytes: 4096 });
    const { arena, encoder, scope } = fixture;
    const slots = Array.from({ length: 40 }, (_, i) => {
      const slot = arena.startSpan(scope, `span-${i}`, 1, 1000);
      arena.setAttribute(slot, arena.generationOf(slot), 'v', 'x'.repeat(100));
      arena.endSpan(slot, arena.generationOf(slot), 1001);
      return slot;
    });
    expect(encoder.encode(slots, slots.length)).toBeNull();
    expect(encoder.lastResult).toBe(-1);
    const names: string[] = [];
    for (let at = 0; at < slots.length;) {
      const taken = encoder.encodeFitting(slots, at, slots.length - at);
      expect(taken).toBeGreaterThan(0);
      expect(encoder.body.length).toBeLessThanOrEqual(4096);
      names.push(...listSpans(decodeExportTraceRequest(encoder.body.slice())).map((s) => s.span.name));
      at += taken;
    }
    expect(names).toEqual(slots.map((_, i) => `span-${i}`));

    const huge = start(fixture, 'huge');
    arena.setAttribute(huge.slot, huge.gen, 'v', 'x'.repeat(5000));
    arena.endSpan(huge.slot, huge.gen, 1001);
    expect(encoder.encodeFitting([huge.slot, slots[0]!], 0, 2)).toBe(0);
    expect(encoder.oversizedSpans).toBe(1);
    expect(encoder.encodeFitting([huge.slot, slots[0]!], 1, 1)).toBe(1);
    expect(listSpans(decodeExportTraceRequest(encoder.body.slice())).map((s) => s.span.name)).toEqual(['span-0']);
  });

  // Regression guard: this input once broke the arena (found by this suite, fixed in span-arena.ts/otlp-encoder.ts).
  it('encodes a batch whose body is exactly batchBytes long', () => {
    const record = (fixture: Fixture): number => {
      const span = start(fixture, 'exact');
      fixture.arena.setAttribute(span.slot, span.gen, 'v', 'x'.repeat(300));
      fixture.arena.endSpan(span.slot, span.gen, 1001);
      return span.slot;
    };
    const roomy = newArena();
    const size = roomy.encoder.encode([record(roomy)], 1)!.length;
    const exact = newArena({ batchBytes: size });
    expect(exact.encoder.encode([record(exact)], 1)?.length).toBe(size);
  });
});

// ---- Fuzz: random calls with garbage arguments. A tiny seeded PRNG (mulberry32) keeps it reproducible.

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz', () => {
  it('survives 60,000 random API calls with garbage arguments without throwing, and is whole afterwards', () => {
    const seed = 0xf0221e;
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const fixture = newArena({ spans: 32, attributes: 512, events: 64, links: 32, stringBytes: 8192, batchBytes: 1 << 15 },
      {
        attributeCount: 8, eventCount: 4, linkCount: 2, attributePerEventCount: 3, attributePerLinkCount: 2,
        attributeValueLength: 16,
      });
    const { arena, encoder } = fixture;
    const handles: Handle[] = [];
    const garbage: unknown[] = [
      undefined, null, true, false, 0, -1, 1, 2.5, NaN, Infinity, -Infinity, -0, 2 ** 53, -(2 ** 63), '', 'x', '€😀',
      '\uD800', 'é'.repeat(40), {}, { a: 1 }, [], [1, 2], [1, 'a'], ['a', null], () => 1, Symbol('g'), 10n, new Date(0),
      TRACE_A, SPAN_A, '0'.repeat(32), TRACE_A.toUpperCase(),
    ];
    // Slot, record-id and flag positions get every kind of garbage too: fractions, null, arrays, symbols, bigints.
    const handleLike = (): Handle => {
      const r = random();
      if (r < 0.6 && handles.length > 0) return pick(handles);
      const slot = pick([0, 1, 5, 31, 32, -1, 1e9, NaN, Infinity, -Infinity, undefined, 1.5, null, [], '', Symbol('s'),
        3n]) as number;
      return { slot, gen: pick([1, 2, 0, -1, undefined, NaN, '1']) as number };
    };
    const id = (): number => pick([1, 2, 3, 63, 64, 65, 0, -1, NaN, Infinity, undefined, 1e9, 1.5, null, [], Symbol('i'),
      2n]) as number;
    const flags = (): number => pick([0, 1, 255, 256, -1, 2 ** 32, NaN, Infinity, undefined, 1.5, Symbol('f'), 1n,
      '1']) as number;
    const any = (): unknown => pick(garbage);
    const attributes = (): unknown => (random() < 0.3 ? any() : { k: any(), [String(any())]: any(), '': 1 });
    const calls: (() => unknown)[] = [
      () => {
        const slot = arena.startSpan(pick([0, 1, -1, 4, NaN, undefined, 0.5, Symbol('s'), 1n]) as number, any() as string,
          any() as number, pick([1000, any()]) as number,
          pick([-1, -1, ...handles.map((h) => h.slot), 99, NaN, undefined, 0.5, null, Symbol('p'), 2n]) as number);
        if (slot >= 0) handles.push({ slot, gen: arena.generationOf(slot) });
      },
      () => { const h = handleLike(); arena.setAttribute(h.slot, h.gen, any() as string, any()); },
      () => { const h = handleLike(); arena.setAttribute(h.slot, h.gen, pick(['k', 'arr', 'n']), any()); },
      () => {
        const h = handleLike();
        arena.addEvent(h.slot, h.gen, any() as string, any() as number, attributes() as Record<string, unknown>);
      },
      () => { const h = handleLike(); arena.setEventAttribute(h.slot, h.gen, id(), any() as string, any()); },
      () => {
        const h = handleLike();
        arena.addLink(h.slot, h.gen, any() as string, any() as string, flags(), any() as boolean, any() as string,
          attributes() as Record<string, unknown>);
      },
      () => { const h = handleLike(); arena.setLinkAttribute(h.slot, h.gen, id(), any() as string, any()); },
      () => { const h = handleLike(); arena.setStatus(h.slot, h.gen, any() as number, any() as string); },
      () => { const h = handleLike(); arena.updateName(h.slot, h.gen, any() as string); },
      () => { const h = handleLike(); arena.setTraceFlags(h.slot, h.gen, flags()); },
      () => {
        const h = handleLike();
        arena.setParentContext(h.slot, h.gen, any() as string, any() as string, flags(), any() as boolean, any() as string);
      },
      () => { const h = handleLike(); arena.setIds(h.slot, h.gen, any() as string, any() as string); },
      () => { const h = handleLike(); arena.endSpan(h.slot, h.gen, any() as number); },
      () => { const h = handleLike(); arena.isLive(h.slot, h.gen); arena.isEnded(h.slot); arena.generationOf(h.slot); },
      () => {
        const h = handleLike();
        arena.freeSpan(h.slot);
        const index = handles.indexOf(h);
        if (index >= 0) handles.splice(index, 1);
      },
      () => {
        const slots = handles.filter((h) => arena.isEnded(h.slot) && arena.generationOf(h.slot) === h.gen).map((h) => h.slot);
        const body = encoder.encode(slots, slots.length);
        if (body !== null && random() < 0.1) {
          decodeExportTraceRequest(body.slice());
          gunzipSync(encoder.gzip(body, pick([GZIP_LEVEL_FAST, GZIP_LEVEL_BETTER])));
        }
      },
    ];
    expect(() => {
      for (let i = 0; i < 60_000; i++) pick(calls)();
    }, `seed 0x${seed.toString(16)}`).not.toThrow();

    // Afterwards: every slot frees, no record leaked (each pool fills to exactly its capacity) and spans round-trip.
    for (let slot = 0; slot < 32; slot++) arena.freeSpan(slot);
    expect(arena.usedSlots).toBe(0);
    expect([...arena.strings.halfRefs]).toEqual([0, 0]);
    const full = { ...arena.counters };
    const probes = Array.from({ length: 16 }, (_, i) => start(fixture, `probe ${i}`));
    probes.slice(0, 4).forEach((probe) => { // 4 spans x 8 attributes x (1 + 15 elements) = 512 records
      for (let k = 0; k < 8; k++) expect(arena.setAttribute(probe.slot, probe.gen, `k${k}`, new Array(15).fill(true))).toBe(true);
    });
    probes.forEach((probe) => { // 16 spans x 4 events = 64, x 2 links = 32
      for (let e = 0; e < 4; e++) expect(arena.addEvent(probe.slot, probe.gen, 'e', 1001)).toBeGreaterThan(0);
      for (let l = 0; l < 2; l++) expect(arena.addLink(probe.slot, probe.gen, TRACE_A, SPAN_A, 1, true)).toBeGreaterThan(0);
    });
    const extra = start(fixture, 'extra');
    expect(arena.setAttribute(extra.slot, extra.gen, 'one more', 1)).toBe(false);
    expect(arena.addEvent(extra.slot, extra.gen, 'one more', 1001)).toBe(-1);
    expect(arena.addLink(extra.slot, extra.gen, TRACE_A, SPAN_A, 1, true)).toBe(-1);
    expect(arena.counters.attributePoolFull - full.attributePoolFull).toBe(1);
    expect(arena.counters.eventPoolFull - full.eventPoolFull).toBe(1);
    expect(arena.counters.linkPoolFull - full.linkPoolFull).toBe(1);
    for (const probe of probes) arena.endSpan(probe.slot, probe.gen, 1002);
    const decoded = decode(fixture, probes.map((probe) => probe.slot));
    expect(decoded.map((span) => span.name)).toEqual(probes.map((_, i) => `probe ${i}`));
    expect(decoded[0]!.attributes.map((kv) => kv.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    expect(decoded.every((span) => span.events.length === 4 && span.links.length === 2)).toBe(true);
    expect(arena.counters.spansStarted).toBeGreaterThan(300);
    expect(arena.counters.staleHandleCalls).toBeGreaterThan(300);
  }, 30_000);
});
