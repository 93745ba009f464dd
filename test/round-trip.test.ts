// Proves that whatever is recorded through the span arena comes back from the OTLP bytes field by field (seeded
// random spans checked against an independent model), and that the debug and release codecs emit identical bytes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { relMsToUnixNanos } from '../src/arena/clock.js';
import {
  type ArenaCapacity, type ArenaLimits, BatchEncoder, GZIP_LEVEL_BETTER, GZIP_LEVEL_FAST, SpanArena, loadCodec,
} from '../src/index.js';
import {
  type DecodedAnyValue, type DecodedInstrumentationScope, type DecodedKeyValue, type DecodedResource, type DecodedSpan,
  WIRE_LEN, decodeExportTraceRequest, listSpans, walkProtobufFields,
} from './support/otlp-decode.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = ['debug', 'release'] as const;
const WASM = BUILDS.map((build) => readFileSync(join(ROOT, `dist/spanwire.${build}.wasm`)));

/** Fixed seeds keep CI deterministic (each failure message names its seed and batch), each with a value-length limit. */
const SEEDS: [number, number][] = [[0x5eed0001, Infinity], [0x00c0ffee, 7], [0x2545f491, 1]];
/** Spans recorded per seed (at least): 3 seeds give 6,000+ spans through 600 recycled slots. */
const SPANS_PER_SEED = 2000;
const CAPACITY: Partial<ArenaCapacity> = {
  spans: 600, attributes: 16384, events: 2048, links: 1024, stringBytes: 64 * 1024, scopes: 8, batchBytes: 1 << 20,
};
/** What the string pool interns (see src/arena/string-pool.ts): longer strings are stored per use. */
const INTERN_MAX_CHARS = 1024;

// ---- Seeded randomness (mulberry32).

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  hex(chars: number, upper = false): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += '0123456789abcdef'[this.int(0, 15)];
    return upper ? out.toUpperCase() : out;
  }
}

// ---- Random inputs: strings of every UTF-8 width plus lone surrogates, values of every attribute kind.

const NAMES = ['GET /api/users/:id', 'SELECT users', 'cache.get', 'ünïcödé span', '数据库查询', '🚀 launch', 'a', ''];
const KEYS = ['http.method', 'http.status_code', 'db.statement', 'user.id', 'ключ', '键', '🔑', 'k', '7', '10', 'dup'];
const INT_EDGES = [
  0, 1, -1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32,
  -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 62, -(2 ** 63), 2 ** 63 - 1024, -0,
];
const DOUBLE_EDGES = [
  NaN, Infinity, -Infinity, 0.5, -0.5, 0.1, -2.75, 5e-324, -1e-300, Number.MAX_VALUE, -Number.MAX_VALUE,
  2 ** 63, -(2 ** 63) - 2048, 1e21, Math.PI,
];
const INVALID_VALUES: readonly unknown[] = [
  {}, { a: 1 }, () => 1, Symbol('s'), 10n, [1, 'a'], [true, 0], [[1]], [{}], null, undefined, new Uint8Array(2),
  new Date(0),
];

function codeUnitOf(rng: Rng, width: number): string {
  switch (width) {
    case 1: return String.fromCharCode(rng.int(0, 0x7f));
    case 2: return String.fromCharCode(rng.int(0x80, 0x7ff));
    case 3: {
      const c = rng.int(0x800, 0xffff);
      return String.fromCharCode(c >= 0xd800 && c <= 0xdfff ? rng.pick([0xfffd, 0xffff, 0xe000, 0x800]) : c);
    }
    case 4: return String.fromCodePoint(rng.int(0x10000, 0x10ffff));
    default: // a lone surrogate: high or low
      return String.fromCharCode(rng.chance(0.5) ? rng.int(0xd800, 0xdbff) : rng.int(0xdc00, 0xdfff));
  }
}

function randomString(rng: Rng): string {
  const r = rng.next();
  if (r < 0.06) return '';
  if (r < 0.3) return rng.pick(NAMES);
  const units = rng.chance(0.02) ? rng.int(200, 3000) : rng.int(1, 24);
  const profile = rng.int(0, 5); // 0-3: one UTF-8 width; 4: mixed widths; 5: mixed with lone surrogates
  let s = '';
  while (s.length < units) {
    s += codeUnitOf(rng, profile < 4 ? profile + 1 : rng.int(1, profile === 4 ? 4 : 5));
  }
  return s;
}

function randomKey(rng: Rng): unknown {
  const r = rng.next();
  if (r < 0.02) return rng.pick([5, undefined, null, Symbol('k')]);
  return r < 0.8 ? rng.pick(KEYS) : randomString(rng);
}

function randomNumber(rng: Rng): number {
  const r = rng.next();
  if (r < 0.3) return rng.pick(INT_EDGES);
  if (r < 0.5) return rng.pick(DOUBLE_EDGES);
  if (r < 0.75) return rng.int(-(2 ** 31), 2 ** 31);
  if (r < 0.9) return (rng.next() - 0.5) * 2 ** rng.int(0, 70);
  return Math.floor((rng.next() - 0.5) * 2 ** 54);
}

function randomValue(rng: Rng): unknown {
  const r = rng.next();
  if (r < 0.3) return randomString(rng);
  if (r < 0.4) return rng.chance(0.5);
  if (r < 0.65) return randomNumber(rng);
  if (r < 0.95) {
    const type = rng.int(0, 2);
    const length = rng.chance(0.1) ? 0 : rng.int(1, 6);
    const allEmpty = rng.chance(0.05);
    const array: unknown[] = [];
    for (let i = 0; i < length; i++) {
      if (allEmpty || rng.chance(0.12)) array.push(rng.chance(0.5) ? null : undefined);
      else array.push(type === 0 ? randomString(rng) : type === 1 ? rng.chance(0.5) : randomNumber(rng));
    }
    return array;
  }
  return rng.pick(INVALID_VALUES);
}

function randomAttributes(rng: Rng, maxCount: number): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const count = rng.int(0, maxCount);
  for (let i = 0; i < count; i++) {
    const key = randomKey(rng);
    if (typeof key === 'string') attributes[key] = randomValue(rng);
  }
  return attributes;
}

// ---- The model: what the OTLP bytes must say, built from the inputs alone with the OTel SDK rules.

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** A JS string as it reads back from UTF-8: lone surrogates become U+FFFD. */
function wire(s: string): string {
  return textDecoder.decode(textEncoder.encode(s));
}

/** Keeps whole code points while they fit in maxUnits UTF-16 units (a lone surrogate is one unit). */
function truncate(s: string, maxUnits: number): string {
  if (s.length <= maxUnits) return s;
  let out = '';
  for (const codePoint of s) {
    if (out.length + codePoint.length > maxUnits) break;
    out += codePoint;
  }
  return out;
}

const HEX_ID = { 16: /^[0-9a-fA-F]{16}$/, 32: /^[0-9a-fA-F]{32}$/ };

function isValidHexId(hex: unknown, chars: 16 | 32): hex is string {
  return typeof hex === 'string' && HEX_ID[chars].test(hex) && !/^0+$/.test(hex);
}

/** Every ArenaCounters field, predicted. */
function zeroCounters(): Record<string, number> {
  return {
    spansStarted: 0, spansEnded: 0, spansFreed: 0, spanSlotsExhausted: 0, staleHandleCalls: 0, callsAfterEnd: 0,
    invalidNames: 0, invalidAttributes: 0, attributesOverLimit: 0, attributePoolFull: 0, valuesTruncated: 0,
    stringPoolFull: 0, eventsOverLimit: 0, eventPoolFull: 0, linksOverLimit: 0, linkPoolFull: 0, invalidLinks: 0, invalidIds: 0,
    invalidTimes: 0, invalidStatus: 0, scopesExhausted: 0, constantRegionFull: 0,
  };
}

class ModelAttributes {
  readonly values = new Map<string, DecodedAnyValue>();
  dropped = 0;
  constructor(readonly limit: number) {}

  toWire(): DecodedKeyValue[] {
    return [...this.values].map(([key, value]) => ({ key: wire(key), value }));
  }
}

interface ModelEvent { timeMs: number; name: string; attributes: ModelAttributes }
interface ModelLink { traceId: string; spanId: string; traceState: string; flags: number; attributes: ModelAttributes }
interface ModelSpan {
  scope: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: ModelAttributes;
  events: ModelEvent[];
  droppedEvents: number;
  links: ModelLink[];
  droppedLinks: number;
  status: { code: number; message: string };
}

class Model {
  readonly counters = zeroCounters();
  constructor(readonly limits: ArenaLimits) {}

  /** The AnyValue a valid attribute value encodes to, or undefined for a value the SDK must refuse. */
  anyValue(value: unknown): { value: DecodedAnyValue; truncations: number } | undefined {
    const scalar = (v: unknown): { value: DecodedAnyValue; truncations: number } => {
      if (typeof v === 'string') {
        const kept = truncate(v, this.limits.attributeValueLength);
        return { value: { stringValue: wire(kept) }, truncations: kept.length === v.length ? 0 : 1 };
      }
      if (typeof v === 'boolean') return { value: { boolValue: v }, truncations: 0 };
      if (typeof v === 'number') {
        const isInt64 = Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63;
        return { value: isInt64 ? { intValue: BigInt(v) } : { doubleValue: v }, truncations: 0 };
      }
      return { value: {}, truncations: 0 }; // null / undefined inside an array
    };
    if (!Array.isArray(value)) {
      return ['string', 'boolean', 'number'].includes(typeof value) ? scalar(value) : undefined;
    }
    const types = new Set(value.filter((v) => v !== null && v !== undefined).map((v) => typeof v));
    if (types.size > 1 || [...types].some((t) => !['string', 'boolean', 'number'].includes(t))) return undefined;
    const elements = value.map(scalar);
    return {
      value: { arrayValue: elements.map((e) => e.value) },
      truncations: elements.reduce((sum, e) => sum + e.truncations, 0),
    };
  }

  /** OTel rules: refuse invalid keys/values, last write wins for a key, new keys over the limit are dropped. */
  put(list: ModelAttributes, key: unknown, value: unknown): void {
    const any = typeof key === 'string' && key.length > 0 ? this.anyValue(value) : undefined;
    if (any === undefined) {
      this.counters.invalidAttributes!++;
      return;
    }
    const name = key as string;
    if (!list.values.has(name) && list.values.size >= list.limit) {
      list.dropped++;
      this.counters.attributesOverLimit!++;
      return;
    }
    list.values.set(name, any.value);
    this.counters.valuesTruncated! += any.truncations;
  }

  putAll(list: ModelAttributes, attributes: unknown): void {
    if (attributes === null || typeof attributes !== 'object') return;
    for (const key in attributes) this.put(list, key, (attributes as Record<string, unknown>)[key]);
  }
}

function spanToWire(span: ModelSpan): DecodedSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    traceState: span.traceState,
    parentSpanId: span.parentSpanId,
    flags: span.flags,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: relMsToUnixNanos(span.startMs),
    endTimeUnixNano: relMsToUnixNanos(span.endMs),
    attributes: span.attributes.toWire(),
    droppedAttributesCount: span.attributes.dropped,
    events: span.events.map((event) => ({
      timeUnixNano: relMsToUnixNanos(event.timeMs),
      name: event.name,
      attributes: event.attributes.toWire(),
      droppedAttributesCount: event.attributes.dropped,
    })),
    droppedEventsCount: span.droppedEvents,
    links: span.links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      traceState: link.traceState,
      attributes: link.attributes.toWire(),
      droppedAttributesCount: link.attributes.dropped,
      flags: link.flags,
    })),
    droppedLinksCount: span.droppedLinks,
    status: span.status,
  };
}

// ---- Two arenas (debug and release codec) fed the same calls; ids of the release arena are forced to the debug one's.

interface Handle { slot: number; gen: number }
interface BatchSpan extends Handle {
  model: ModelSpan;
  eventIds: number[];
  linkIds: number[];
  ended: boolean;
  ops: number;
  /** Calls this span gets before it ends: most spans are small, some heavy enough to pass every limit. */
  opsBudget: number;
}

/** Walks a private free list (record ids chained through `next`); -1 if it runs longer than the pool. */
function freeListLength(arena: SpanArena, headField: string, next: Uint32Array, capacity: number): number {
  let id = (arena as unknown as Record<string, number>)[headField]!;
  let length = 0;
  while (id !== 0) {
    if (++length > capacity) return -1;
    id = next[id]!;
  }
  return length;
}

class Workload {
  readonly rng: Rng;
  readonly arenas: SpanArena[];
  readonly encoders: BatchEncoder[];
  readonly model: Model;
  readonly scopes: { id: number; scope: DecodedInstrumentationScope; schemaUrl: string }[] = [];
  resource!: DecodedResource;
  resourceSchemaUrl = '';
  spansRecorded = 0;
  batches = 0;
  batchSizes: number[] = [];
  halfSwitches = 0;
  /** What the checked spans contained: proves the generator did not quietly stop producing a case. */
  readonly features = new Set<string>();
  private stale: Handle[] = [];
  private batch: BatchSpan[] = [];
  private batchStrings = new Set<string>();
  private stringBudget: number;
  private stringBytes = 0;
  private attrRecords = 0;
  private eventRecords = 0;
  private linkRecords = 0;
  private batchBaseMs = 0;
  private epochAtBatchStart = 0;

  constructor(readonly seed: number, attributeValueLength: number) {
    this.rng = new Rng(seed);
    const rng = this.rng;
    const limits: ArenaLimits = {
      attributeCount: rng.int(2, 8), eventCount: rng.int(1, 4), linkCount: rng.int(1, 3),
      attributePerEventCount: rng.int(1, 5), attributePerLinkCount: rng.int(1, 5),
      attributeValueLength,
    };
    this.model = new Model(limits);
    this.arenas = WASM.map((bytes) => new SpanArena(loadCodec(bytes), CAPACITY, limits));
    this.encoders = this.arenas.map((arena) => new BatchEncoder(arena));
    // A batch never stores more new string bytes than one pool half holds, so the pool never has to refuse.
    this.stringBudget = Math.floor(CAPACITY.stringBytes! / 2) - 64;
    this.setUpResourceAndScopes();
  }

  /** Runs one call on both arenas and requires the same result. */
  private both<R>(call: (arena: SpanArena) => R): R {
    const first = call(this.arenas[0]!);
    const second = call(this.arenas[1]!);
    same(second, first, 'debug and release arenas disagree on a call result');
    return first;
  }

  private setUpResourceAndScopes(): void {
    const { rng, model } = this;
    for (let round = 0; round < 2; round++) { // setResource twice: the last call wins
      const attributes = randomAttributes(rng, model.limits.attributeCount + 4);
      const schemaUrl = round === 0 ? 'https://example.com/replaced'
        : rng.pick(['https://opentelemetry.io/schemas/1.26.0', 'https://example.com/schémas/🚀']);
      this.both((arena) => arena.setResource(attributes, schemaUrl));
      const list = new ModelAttributes(model.limits.attributeCount);
      model.putAll(list, attributes);
      this.resource = { attributes: list.toWire(), droppedAttributesCount: list.dropped, entityRefs: [] };
      this.resourceSchemaUrl = wire(schemaUrl);
    }
    const specs: [string, string, string, Record<string, unknown> | undefined][] = [
      ['spanwire.test/http', '1.2.3', 'https://opentelemetry.io/schemas/1.26.0', undefined],
      ['ünï/数据/🚀', '', '', { 'scope.attr': 'v', n: 42, flags: [true, null, false] }],
      [randomString(rng), randomString(rng), randomString(rng), randomAttributes(rng, model.limits.attributeCount + 3)],
      ['', 'v0', 'https://example.com/schema', undefined],
      ['spanwire.test/db', '\uD800lone', '', randomAttributes(rng, 3)],
    ];
    for (const [name, version, schemaUrl, attributes] of specs) {
      const id = this.both((arena) => arena.addScope(name, version, schemaUrl, attributes));
      expect(id).toBe(this.scopes.length);
      const list = new ModelAttributes(model.limits.attributeCount);
      model.putAll(list, attributes ?? {});
      this.scopes.push({
        id,
        scope: { name: wire(name), version: wire(version), attributes: list.toWire(), droppedAttributesCount: list.dropped },
        schemaUrl: wire(schemaUrl),
      });
    }
    // The same (name, version, schemaUrl) without attributes is the same scope.
    expect(this.both((arena) => arena.addScope(specs[0]![0], specs[0]![1], specs[0]![2]))).toBe(0);
  }

  // -- Budgets: what one batch may use of each pool, so that every drop in this workload is a limit drop.

  /** Strings as the pool stores them: interned ones once per batch, long ones per use. */
  private afford(strings: string[], attrRecords = 0, events = 0, links = 0): boolean {
    let bytes = 0;
    const fresh = new Set<string>();
    for (const s of strings) {
      if (s.length > INTERN_MAX_CHARS) bytes += textEncoder.encode(s).length;
      else if (!this.batchStrings.has(s) && !fresh.has(s)) {
        fresh.add(s);
        bytes += textEncoder.encode(s).length;
      }
    }
    if (this.stringBytes + bytes > this.stringBudget || this.attrRecords + attrRecords > CAPACITY.attributes! ||
      this.eventRecords + events > CAPACITY.events! || this.linkRecords + links > CAPACITY.links!) {
      return false;
    }
    for (const s of fresh) this.batchStrings.add(s);
    this.stringBytes += bytes;
    this.attrRecords += attrRecords;
    this.eventRecords += events;
    this.linkRecords += links;
    return true;
  }

  private valueStrings(value: unknown): string[] {
    const limit = this.model.limits.attributeValueLength;
    if (typeof value === 'string') return [truncate(value, limit)];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => truncate(v, limit));
    return [];
  }

  private attributeCost(attributes: Record<string, unknown>): { strings: string[]; records: number } {
    const strings: string[] = [];
    let records = 0;
    for (const key in attributes) {
      const value = attributes[key];
      strings.push(key, ...this.valueStrings(value));
      records += 1 + (Array.isArray(value) ? value.length : 0);
    }
    return { strings, records };
  }

  // -- Recording.

  private startSpan(): boolean {
    const { rng, model } = this;
    const scope = rng.int(0, this.scopes.length - 1);
    const name: unknown = rng.chance(0.02) ? rng.pick([42, null, undefined, {}]) : randomString(rng);
    if (!this.afford(typeof name === 'string' ? [name] : [])) return false;
    const kind = rng.chance(0.05) ? rng.pick([6, -1, NaN, 99]) : rng.int(0, 5);
    const startMs = this.batchBaseMs + rng.next() * 10_000;
    let parentSlot = -1;
    let parent: BatchSpan | undefined;
    const r = rng.next();
    if (r < 0.3 && this.batch.length > 0) {
      parent = rng.pick(this.batch);
      parentSlot = parent.slot;
    } else if (r < 0.32) {
      parentSlot = rng.pick([CAPACITY.spans!, 1e9, -5]); // not a slot: a new trace
    }
    const slot = this.both((arena) => arena.startSpan(scope, name as string, kind, startMs, parentSlot));
    same(slot >= 0, true, 'startSpan found a free slot');
    const gen = this.both((arena) => arena.generationOf(slot));
    const [debug, release] = this.arenas as [SpanArena, SpanArena];
    same(release.setIds(slot, gen, debug.traceIdHex(slot), debug.spanIdHex(slot)), true, 'setIds on the release arena');
    if (typeof name !== 'string') model.counters.invalidNames!++;
    model.counters.spansStarted!++;
    const span: ModelSpan = {
      scope,
      traceId: parent ? parent.model.traceId : debug.traceIdHex(slot),
      spanId: debug.spanIdHex(slot),
      parentSpanId: parent ? parent.model.spanId : '',
      traceState: parent ? parent.model.traceState : '',
      flags: parent ? (parent.model.flags & 0xff) | 0x100 : 0x101,
      name: typeof name === 'string' ? wire(name) : '',
      kind: kind >= 0 && kind <= 5 ? kind : 1,
      startMs,
      endMs: startMs,
      attributes: new ModelAttributes(model.limits.attributeCount),
      events: [],
      droppedEvents: 0,
      links: [],
      droppedLinks: 0,
      status: { code: 0, message: '' },
    };
    // Record-time ids: a child carries its parent's trace id and span id (an independent check of the copy).
    same(debug.traceIdHex(slot), span.traceId, 'trace id at start');
    same(debug.parentSpanIdHex(slot), span.parentSpanId || '0000000000000000', 'parent span id at start');
    same(span.spanId === '0000000000000000', false, 'a random span id is never all zero');
    const entry: BatchSpan = {
      slot, gen, model: span, eventIds: [], linkIds: [], ended: false, ops: 0,
      opsBudget: rng.chance(0.15) ? rng.int(20, 50) : rng.int(0, 10),
    };
    this.batch.push(entry);
    if (rng.chance(0.1)) this.setParentContext(entry);
    return true;
  }

  private setParentContext(entry: BatchSpan): void {
    const { rng, model } = this;
    const traceId = rng.chance(0.1) ? rng.pick(['0'.repeat(32), rng.hex(31), `${rng.hex(31)}g`, 42])
      : rng.hex(32, rng.chance(0.3));
    const parentId = rng.chance(0.05) ? rng.pick(['0'.repeat(16), rng.hex(17), null]) : rng.hex(16, rng.chance(0.3));
    const flags = rng.int(0, 0x3ff);
    const isRemote = rng.chance(0.7);
    const traceState = rng.pick(['', 'vendor=value', 'a=1,b=2', randomString(rng)]);
    if (!this.afford([traceState])) return;
    const stored = this.both((arena) => arena.setParentContext(entry.slot, entry.gen, traceId as string, parentId as string,
      flags, isRemote, traceState));
    const valid = isValidHexId(traceId, 32) && isValidHexId(parentId, 16);
    same(stored, valid, 'setParentContext result');
    if (!valid) {
      model.counters.invalidIds!++;
      return;
    }
    entry.model.traceId = (traceId as string).toLowerCase();
    entry.model.parentSpanId = (parentId as string).toLowerCase();
    entry.model.flags = (flags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
    entry.model.traceState = wire(traceState);
  }

  /** One random call on a live span of the batch, applied to the model by the OTel rules. */
  private mutate(entry: BatchSpan): void {
    const { rng, model } = this;
    const span = entry.model;
    const { slot, gen } = entry;
    const limits = model.limits;
    const r = rng.next();
    if (r < 0.35) {
      const key = randomKey(rng);
      const value = randomValue(rng);
      const keyStrings = typeof key === 'string' ? [key] : [];
      if (!this.afford([...keyStrings, ...this.valueStrings(value)], 1 + (Array.isArray(value) ? value.length : 0))) return;
      this.both((arena) => arena.setAttribute(slot, gen, key as string, value));
      model.put(span.attributes, key, value);
    } else if (r < 0.47) {
      const name: unknown = rng.chance(0.03) ? 7 : randomString(rng);
      const timeMs = span.startMs + rng.next() * 3000 - 500;
      const attributes = rng.chance(0.6) ? randomAttributes(rng, limits.attributePerEventCount + 2) : undefined;
      const cost = attributes ? this.attributeCost(attributes) : { strings: [], records: 0 };
      if (!this.afford([...(typeof name === 'string' ? [name] : []), ...cost.strings], cost.records, 1)) return;
      const id = this.both((arena) => arena.addEvent(slot, gen, name as string, timeMs, attributes));
      if (span.events.length >= limits.eventCount) {
        same(id, -1, 'addEvent over the limit');
        span.droppedEvents++;
        model.counters.eventsOverLimit!++;
        return;
      }
      same(id > 0, true, 'addEvent record id');
      if (typeof name !== 'string') model.counters.invalidNames!++;
      const event: ModelEvent = {
        timeMs,
        name: typeof name === 'string' ? wire(name) : '',
        attributes: new ModelAttributes(limits.attributePerEventCount),
      };
      span.events.push(event);
      entry.eventIds.push(id);
      model.putAll(event.attributes, attributes);
    } else if (r < 0.55) {
      if (entry.eventIds.length === 0) return;
      const index = rng.int(0, entry.eventIds.length - 1);
      const key = randomKey(rng);
      const value = randomValue(rng);
      const keyStrings = typeof key === 'string' ? [key] : [];
      if (!this.afford([...keyStrings, ...this.valueStrings(value)], 1 + (Array.isArray(value) ? value.length : 0))) return;
      this.both((arena) => arena.setEventAttribute(slot, gen, entry.eventIds[index]!, key as string, value));
      model.put(span.events[index]!.attributes, key, value);
    } else if (r < 0.63) {
      const other = rng.pick(this.batch).model;
      const valid = rng.chance(0.9);
      const traceId = valid ? (rng.chance(0.5) ? other.traceId : rng.hex(32, rng.chance(0.2))) :
        rng.pick(['0'.repeat(32), rng.hex(30), `z${rng.hex(31)}`, 7]);
      const spanId = rng.chance(0.5) ? other.spanId : rng.hex(16, rng.chance(0.2));
      const flags = rng.chance(0.1) ? rng.pick([-1, 0x1ff, 2 ** 32 + 3]) : rng.int(0, 255);
      const isRemote = rng.chance(0.5);
      const traceState = rng.pick(['', 'vendor=value', randomString(rng)]);
      const attributes = rng.chance(0.6) ? randomAttributes(rng, limits.attributePerLinkCount + 2) : undefined;
      const cost = attributes ? this.attributeCost(attributes) : { strings: [], records: 0 };
      if (!this.afford([traceState, ...cost.strings], cost.records, 0, 1)) return;
      const id = this.both((arena) => arena.addLink(slot, gen, traceId as string, spanId, flags, isRemote, traceState,
        attributes));
      if (!isValidHexId(traceId, 32) || !isValidHexId(spanId, 16)) {
        same(id, -1, 'addLink with invalid ids');
        model.counters.invalidLinks!++;
        return;
      }
      if (span.links.length >= limits.linkCount) {
        same(id, -1, 'addLink over the limit');
        span.droppedLinks++;
        model.counters.linksOverLimit!++;
        return;
      }
      same(id > 0, true, 'addLink record id');
      const link: ModelLink = {
        traceId: traceId.toLowerCase(), spanId: spanId.toLowerCase(), traceState: wire(traceState),
        flags: ((flags | 0) & 0xff) | 0x100 | (isRemote ? 0x200 : 0),
        attributes: new ModelAttributes(limits.attributePerLinkCount),
      };
      span.links.push(link);
      entry.linkIds.push(id);
      model.putAll(link.attributes, attributes);
    } else if (r < 0.68) {
      if (entry.linkIds.length === 0) return;
      const index = rng.int(0, entry.linkIds.length - 1);
      const key = randomKey(rng);
      const value = randomValue(rng);
      const keyStrings = typeof key === 'string' ? [key] : [];
      if (!this.afford([...keyStrings, ...this.valueStrings(value)], 1 + (Array.isArray(value) ? value.length : 0))) return;
      this.both((arena) => arena.setLinkAttribute(slot, gen, entry.linkIds[index]!, key as string, value));
      model.put(span.links[index]!.attributes, key, value);
    } else if (r < 0.76) {
      const code = rng.pick([0, 1, 2, 2, 2, 3, -1]);
      const message: unknown = rng.chance(0.1) ? rng.pick([42, null]) : rng.chance(0.2) ? undefined : randomString(rng);
      if (!this.afford(typeof message === 'string' ? [message] : [])) return;
      this.both((arena) => arena.setStatus(slot, gen, code, message as string));
      if (code !== 1 && code !== 2) {
        if (code !== 0) model.counters.invalidStatus!++;
      } else if (span.status.code !== 1) {
        span.status = { code, message: code === 2 && typeof message === 'string' ? wire(message) : '' };
      }
    } else if (r < 0.8) {
      const name: unknown = rng.chance(0.1) ? rng.pick([1, null, undefined]) : randomString(rng);
      if (!this.afford(typeof name === 'string' ? [name] : [])) return;
      this.both((arena) => arena.updateName(slot, gen, name as string));
      if (typeof name === 'string') span.name = wire(name);
      else model.counters.invalidNames!++;
    } else if (r < 0.83) {
      const flags = rng.int(0, 0x3ff);
      this.both((arena) => arena.setTraceFlags(slot, gen, flags));
      span.flags = (span.flags & ~0xff) | (flags & 0xff);
    } else {
      this.setParentContext(entry);
    }
  }

  private end(entry: BatchSpan): void {
    const { rng } = this;
    const span = entry.model;
    const r = rng.next();
    const endMs = r < 0.7 ? span.startMs + rng.next() * 2000 : r < 0.9 ? span.startMs - rng.next() * 100 : span.startMs;
    same(this.both((arena) => arena.endSpan(entry.slot, entry.gen, endMs)), true, 'endSpan of a live span');
    span.endMs = Math.max(endMs, span.startMs); // an end before the start is clamped to the start
    entry.ended = true;
    this.model.counters.spansEnded!++;
  }

  /** A call with a handle that must be refused: stale (slot recycled) or after endSpan. Changes nothing. */
  private refusedCall(handle: Handle, counter: 'staleHandleCalls' | 'callsAfterEnd'): void {
    const { rng } = this;
    const { slot, gen } = handle;
    const calls: ((arena: SpanArena) => unknown)[] = [
      (a) => a.setAttribute(slot, gen, 'refused', 'x'),
      (a) => a.addEvent(slot, gen, 'refused', 1, { k: 1 }),
      (a) => a.setEventAttribute(slot, gen, 1, 'refused', 1),
      (a) => a.addLink(slot, gen, '1'.repeat(32), '2'.repeat(16), 1, true),
      (a) => a.setLinkAttribute(slot, gen, 1, 'refused', 1),
      (a) => a.setStatus(slot, gen, 2, 'refused'),
      (a) => a.updateName(slot, gen, 'refused'),
      (a) => a.setTraceFlags(slot, gen, 0),
      (a) => a.setParentContext(slot, gen, '3'.repeat(32), '4'.repeat(16), 0, true),
      (a) => a.endSpan(slot, gen, 1e9),
    ];
    const result = this.both(rng.pick(calls));
    same(result === false || result === -1, true, `refused call returned ${String(result)}`);
    this.model.counters[counter]!++;
  }

  /** Records one batch of about `target` spans, all ended, under this batch's pool budgets. */
  recordBatch(target: number): BatchSpan[] {
    const { rng } = this;
    this.batch = [];
    this.batchStrings.clear();
    this.stringBytes = 0;
    this.attrRecords = 0;
    this.eventRecords = 0;
    this.linkRecords = 0;
    this.epochAtBatchStart = this.arenas[0]!.strings.epoch;
    this.batchBaseMs = rng.chance(0.1) ? -rng.next() * 1e6 : rng.next() * 1e9;
    let starting = true;
    const open: BatchSpan[] = [];
    const ended: BatchSpan[] = [];
    for (;;) {
      if (starting && this.batch.length >= target) starting = false;
      if (!starting && open.length === 0) break;
      if (starting && (open.length === 0 || rng.chance(0.3))) {
        if (this.startSpan()) open.push(this.batch[this.batch.length - 1]!);
        else starting = false;
        continue;
      }
      const r = rng.next();
      if (r < 0.03 && this.stale.length > 0) {
        this.refusedCall(rng.pick(this.stale), 'staleHandleCalls');
      } else if (r < 0.05 && ended.length > 0) {
        this.refusedCall(rng.pick(ended), 'callsAfterEnd');
      } else {
        const index = rng.int(0, open.length - 1);
        const entry = open[index]!;
        if (++entry.ops > entry.opsBudget) {
          this.end(entry);
          open[index] = open[open.length - 1]!;
          open.pop();
          ended.push(entry);
        } else {
          this.mutate(entry);
        }
      }
    }
    return this.batch;
  }

  /** Encodes the batch on both builds, checks every span against the model, then frees every slot. */
  encodeAndCheck(batch: BatchSpan[]): void {
    const { rng, model } = this;
    const where = `seed 0x${this.seed.toString(16)} batch ${this.batches} (${batch.length} spans)`;
    const order = [...batch];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const slots = order.map((entry) => entry.slot);
    const views = this.encoders.map((encoder) => encoder.encode(slots, slots.length));
    expect(views[0], `${where}: encode failed (${this.encoders[0]!.lastResult})`).not.toBeNull();
    expect(views[1], `${where}: release encode failed`).not.toBeNull();
    const bodies = views.map((view) => view!.slice());
    expect(firstDifference(bodies[0]!, bodies[1]!), `${where}: debug and release bodies differ`).toBe(-1);
    for (const level of [GZIP_LEVEL_FAST, GZIP_LEVEL_BETTER]) {
      const members = this.encoders.map((encoder, i) => encoder.gzip(views[i]!, level).slice());
      expect(firstDifference(members[0]!, members[1]!), `${where}: gzip level ${level} differs`).toBe(-1);
      expect(firstDifference(new Uint8Array(gunzipSync(members[0]!)), bodies[0]!), `${where}: gunzip level ${level}`).toBe(-1);
    }

    const request = decodeExportTraceRequest(bodies[0]!);
    expect(request.resourceSpans.length, where).toBe(1);
    const resourceSpans = request.resourceSpans[0]!;
    expect(resourceSpans.resource, `${where}: resource`).toEqual(this.resource);
    expect(resourceSpans.schemaUrl, `${where}: resource schema URL`).toBe(this.resourceSchemaUrl);
    // One ScopeSpans per scope present, in scope-id order; spans keep the batch order within a scope.
    const expected = [...order].sort((a, b) => a.model.scope - b.model.scope);
    const presentScopes = [...new Set(expected.map((entry) => entry.model.scope))];
    expect(resourceSpans.scopeSpans.map((ss) => ss.scope), `${where}: scopes`).toEqual(
      presentScopes.map((id) => this.scopes[id]!.scope));
    expect(resourceSpans.scopeSpans.map((ss) => ss.schemaUrl), `${where}: scope schema URLs`).toEqual(
      presentScopes.map((id) => this.scopes[id]!.schemaUrl));
    const decoded = listSpans(request);
    expect(decoded.length, where).toBe(batch.length);
    for (let i = 0; i < expected.length; i++) {
      const span = spanToWire(expected[i]!.model);
      expect(decoded[i]!.span, `${where}: span ${i} (slot ${expected[i]!.slot})`).toEqual(span);
      noteFeatures(span, this.features);
    }

    for (const entry of batch) {
      this.both((arena) => arena.freeSpan(entry.slot));
      model.counters.spansFreed!++;
    }
    this.stale = batch.filter(() => rng.chance(0.2)).map(({ slot, gen }) => ({ slot, gen }));
    if (this.arenas[0]!.strings.epoch !== this.epochAtBatchStart) this.halfSwitches++;
    this.spansRecorded += batch.length;
    this.batchSizes.push(batch.length);
    this.batches++;
    for (const arena of this.arenas) this.expectNothingLeaked(arena, where);
  }

  private expectNothingLeaked(arena: SpanArena, where: string): void {
    const capacity = arena.capacity;
    expect(arena.usedSlots, `${where}: used slots after freeing the batch`).toBe(0);
    expect([...arena.strings.halfRefs], `${where}: string-pool half references`).toEqual([0, 0]);
    expect(freeListLength(arena, 'attrFreeHead', arena.attrNext, capacity.attributes),
      `${where}: free attribute records`).toBe(capacity.attributes);
    expect(freeListLength(arena, 'eventFreeHead', arena.eventNext, capacity.events), `${where}: free event records`)
      .toBe(capacity.events);
    expect(freeListLength(arena, 'linkFreeHead', arena.linkNext, capacity.links), `${where}: free link records`)
      .toBe(capacity.links);
    const counters: Record<string, number> = { ...arena.counters };
    for (const name in counters) {
      same(counters[name], this.model.counters[name] ?? 0, `${where}: counter ${name}`);
    }
  }
}

const FEATURES = [
  'child', 'remote parent', 'trace state', 'kind 0', 'kind 5', 'event', 'event attribute', 'link', 'link attribute',
  'link trace state', 'string', 'bool', 'int', 'negative int', 'double', 'NaN', 'array', 'empty array',
  'empty array element', 'U+FFFD', '4-byte UTF-8', 'empty name', 'ERROR with message', 'OK', 'dropped attributes',
  'dropped events', 'dropped links', 'dropped event attributes', 'dropped link attributes', 'end clamped to start',
];

function noteFeatures(span: DecodedSpan, seen: Set<string>): void {
  const text = (s: string): void => {
    if (s.includes('\uFFFD')) seen.add('U+FFFD');
    if (/[\u{10000}-\u{10FFFF}]/u.test(s)) seen.add('4-byte UTF-8');
  };
  const values = (list: DecodedKeyValue[]): void => {
    for (const { key, value } of list) {
      text(key);
      const scalars: DecodedAnyValue[] = 'arrayValue' in value ? value.arrayValue : [value];
      if ('arrayValue' in value) seen.add(value.arrayValue.length === 0 ? 'empty array' : 'array');
      for (const v of scalars) {
        if ('stringValue' in v) {
          seen.add('string');
          text(v.stringValue);
        } else if ('boolValue' in v) seen.add('bool');
        else if ('intValue' in v) seen.add(v.intValue < 0n ? 'negative int' : 'int');
        else if ('doubleValue' in v) seen.add(Number.isNaN(v.doubleValue) ? 'NaN' : 'double');
        else seen.add('empty array element');
      }
    }
  };
  if (span.parentSpanId !== '') seen.add((span.flags & 0x200) !== 0 ? 'remote parent' : 'child');
  if (span.traceState !== '') seen.add('trace state');
  seen.add(`kind ${span.kind}`);
  if (span.name === '') seen.add('empty name');
  text(span.name);
  if (span.status.code === 2 && span.status.message !== '') seen.add('ERROR with message');
  if (span.status.code === 1) seen.add('OK');
  if (span.droppedAttributesCount > 0) seen.add('dropped attributes');
  if (span.droppedEventsCount > 0) seen.add('dropped events');
  if (span.droppedLinksCount > 0) seen.add('dropped links');
  if (span.endTimeUnixNano === span.startTimeUnixNano) seen.add('end clamped to start');
  values(span.attributes);
  for (const event of span.events) {
    seen.add('event');
    if (event.attributes.length > 0) seen.add('event attribute');
    if (event.droppedAttributesCount > 0) seen.add('dropped event attributes');
    values(event.attributes);
  }
  for (const link of span.links) {
    seen.add('link');
    if (link.attributes.length > 0) seen.add('link attribute');
    if (link.droppedAttributesCount > 0) seen.add('dropped link attributes');
    if (link.traceState !== '') seen.add('link trace state');
    values(link.attributes);
  }
}

/** A cheap assertion for hot loops: expect() runs (and reports) only when the values differ. */
function same(actual: unknown, expected: unknown, message: string): void {
  if (!Object.is(actual, expected)) expect(actual, message).toBe(expected);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

describe('seeded random round trip through the arena, the codec and the OTLP oracle', () => {
  for (const [seed, valueLength] of SEEDS) {
    it(`seed 0x${seed.toString(16)} (value length limit ${valueLength}): ${SPANS_PER_SEED}+ random spans in batches of `
      + '1..512 decode to exactly what was recorded, with identical debug/release bytes and gzip', () => {
      const workload = new Workload(seed, valueLength);
      const rng = new Rng(seed ^ 0x9e3779b9);
      const sizes = [512, 1]; // the largest and the smallest batch first, then random sizes
      while (workload.spansRecorded < SPANS_PER_SEED) {
        const r = rng.next();
        const target = sizes.shift() ?? (r < 0.4 ? rng.int(1, 16) : r < 0.7 ? rng.int(17, 128) : rng.int(129, 512));
        workload.encodeAndCheck(workload.recordBatch(target));
      }
      // The workload really recycled slots, records and pool halves, and hit every limit it models.
      expect(workload.spansRecorded).toBeGreaterThan(3 * CAPACITY.spans!);
      expect(Math.max(...workload.batchSizes)).toBeGreaterThanOrEqual(200);
      expect(Math.min(...workload.batchSizes)).toBe(1);
      expect(workload.halfSwitches).toBeGreaterThanOrEqual(2);
      const counters = workload.model.counters;
      for (const name of ['staleHandleCalls', 'callsAfterEnd', 'invalidAttributes', 'attributesOverLimit',
        'eventsOverLimit', 'linksOverLimit', 'invalidLinks', 'invalidNames', 'invalidStatus']) {
        expect(counters[name], name).toBeGreaterThan(0);
      }
      if (valueLength !== Infinity) expect(counters.valuesTruncated).toBeGreaterThan(0);
      expect(FEATURES.filter((feature) => !workload.features.has(feature)), 'features never produced').toEqual([]);
    }, 30_000);
  }
});

describe('length prefixes at their varint boundaries', () => {
  /** Records one span with a string attribute of `units` ASCII chars and, if eventUnits >= 0, one event. */
  function recordOne(arena: SpanArena, units: number, eventUnits: number): number {
    const scope = arena.addScope('boundary');
    const slot = arena.startSpan(scope, 'p', 1, 1000);
    const gen = arena.generationOf(slot);
    arena.setAttribute(slot, gen, 'k', 'x'.repeat(units));
    if (eventUnits >= 0) arena.addEvent(slot, gen, 'e'.repeat(eventUnits), 1001);
    arena.endSpan(slot, gen, 1002);
    // Fixed ids, so that both builds must produce the same bytes.
    arena.spanSpanId.fill(7, slot * 8, slot * 8 + 8);
    arena.spanTraceId.fill(9, slot * 16, slot * 16 + 16);
    return slot;
  }

  function encodeOnBoth(arenas: SpanArena[], encoders: BatchEncoder[], units: number, eventUnits: number): Uint8Array {
    const bodies = arenas.map((arena, i) => {
      const slot = recordOne(arena, units, eventUnits);
      const body = encoders[i]!.encode([slot], 1)!.slice();
      arena.freeSpan(slot);
      return body;
    });
    expect(firstDifference(bodies[0]!, bodies[1]!), `${units} units: debug and release differ`).toBe(-1);
    return bodies[0]!;
  }

  /** Payload lengths along ResourceSpans > ScopeSpans > Span > KeyValue > AnyValue > string_value. */
  function nestedLengths(body: Uint8Array): number[] {
    const path: [number, number][] = [[1, 0], [2, 0], [2, 0], [9, 0], [2, 0], [1, 0]];
    const lengths: number[] = [];
    let bytes = body;
    for (const [field] of path) {
      const found = walkProtobufFields(bytes).find((f) => f.field === field);
      if (found?.wireType !== WIRE_LEN) throw new Error(`field ${field} missing or not LEN`);
      bytes = found.bytes;
      lengths.push(bytes.length);
    }
    return lengths;
  }

  const varintBytes = (n: number): number => (n < 2 ** 7 ? 1 : n < 2 ** 14 ? 2 : n < 2 ** 21 ? 3 : 4);

  it('every length prefix decodes across 127/128 and 16383/16384 body bytes, identically on both builds', () => {
    const arenas = WASM.map((bytes) => new SpanArena(loadCodec(bytes), {
      spans: 4, stringBytes: 256 * 1024, batchBytes: 1 << 18,
    }));
    const encoders = arenas.map((arena) => new BatchEncoder(arena));
    const widthsSeen = new Set<string>();
    for (const units of [...range(0, 300), ...range(16240, 16420)]) {
      const body = encodeOnBoth(arenas, encoders, units, units % 300);
      nestedLengths(body).forEach((length, level) => widthsSeen.add(`${level}:${varintBytes(length)}`));
      const span = listSpans(decodeExportTraceRequest(body))[0]!.span;
      expect(span.attributes, `${units} units`).toEqual([{ key: 'k', value: { stringValue: 'x'.repeat(units) } }]);
      expect(span.events.map((event) => event.name), `${units} units`).toEqual(['e'.repeat(units % 300)]);
    }
    // Every level (ResourceSpans .. string) was seen with 1-, 2- and 3-byte length prefixes.
    for (let level = 0; level < 6; level++) {
      for (const width of [1, 2, 3]) {
        if (level < 3 && width === 1) continue; // a span with ids and times is never under 128 bytes
        expect(widthsSeen.has(`${level}:${width}`), `level ${level} with a ${width}-byte length`).toBe(true);
      }
    }
  });
});

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
