// Tests src/propagation/*: W3C Trace Context (cases after the W3C test suite, w3c/trace-context test/test.py),
// W3C Baggage, the composite propagator and OTEL_PROPAGATORS. Oracles: reference parsers written separately from
// the spec ABNF as regular expressions, encodeURIComponent/decodeURIComponent, and Node's own http header handling.
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Context,
  type SpanContext,
  type TextMapPropagator,
  ROOT_CONTEXT,
  baggageEntryMetadataFromString,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { CompositePropagator, propagatorFromEnv } from '../src/propagation/composite-propagator.js';
import { EMPTY_TRACE_STATE, MAX_TRACE_STATE_MEMBERS, parseTraceState } from '../src/propagation/trace-state.js';
import {
  BAGGAGE_HEADER,
  MAX_BAGGAGE_BYTES,
  MAX_BAGGAGE_MEMBERS,
  MAX_BAGGAGE_MEMBER_BYTES,
  W3CBaggagePropagator,
  encodeBaggageValue,
} from '../src/propagation/w3c-baggage.js';
import { W3CTraceContextPropagator, parseTraceParent } from '../src/propagation/w3c-trace-context.js';

type Carrier = Record<string, unknown>;

const TRACE_ID = '12345678901234567890123456789012';
const SPAN_ID = '1234567890123456';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

const traceContext = new W3CTraceContextPropagator();
const baggagePropagator = new W3CBaggagePropagator();

function extractWith(p: TextMapPropagator, carrier: Carrier, context: Context = ROOT_CONTEXT): Context {
  return p.extract(context, carrier, defaultTextMapGetter);
}

function extractSpan(carrier: Carrier): SpanContext | undefined {
  return trace.getSpanContext(extractWith(traceContext, carrier));
}

function injectSpan(spanContext: SpanContext): Carrier {
  const carrier: Carrier = {};
  traceContext.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, defaultTextMapSetter);
  return carrier;
}

function extractBaggage(header: unknown): Record<string, { value: string; metadata?: string }> | undefined {
  const baggage = propagation.getBaggage(extractWith(baggagePropagator, { baggage: header }));
  if (baggage === undefined) return undefined;
  // fromEntries defines own properties, so a `__proto__` key is kept as data rather than setting the prototype.
  return Object.fromEntries(
    baggage
      .getAllEntries()
      .map(([key, e]) => [key, e.metadata === undefined ? { value: e.value } : { value: e.value, metadata: e.metadata.toString() }]),
  );
}

function injectBaggage(entries: Record<string, { value: string; metadata?: string }>): string | undefined {
  let baggage = propagation.createBaggage();
  for (const [key, e] of Object.entries(entries)) {
    baggage = baggage.setEntry(
      key,
      e.metadata === undefined ? { value: e.value } : { value: e.value, metadata: baggageEntryMetadataFromString(e.metadata) },
    );
  }
  const carrier: Carrier = {};
  baggagePropagator.inject(propagation.setBaggage(ROOT_CONTEXT, baggage), carrier, defaultTextMapSetter);
  return carrier[BAGGAGE_HEADER] as string | undefined;
}

/** xorshift32, seeded, so a fuzz failure reproduces. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reference parsers, written from the ABNF as regular expressions: deliberately a different technique from the
// charCode loops under test, so the two agreeing means something.

/** W3C Trace Context traceparent ABNF plus "Versioning of traceparent" and HTTP OWS trimming. */
function referenceTraceParent(header: string): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const trimmed = header.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/.exec(trimmed);
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}

/** Level 2 tracestate grammar as in the W3C test suite's tracestate.py; first duplicate kept; first 32 kept. */
function referenceTraceState(header: string): [string, string][] {
  const member = /^([0-9a-z][_0-9a-z\-*/@]{0,255})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/;
  const out: [string, string][] = [];
  for (const part of header.split(',')) {
    const m = member.exec(part.replace(/^[ \t]+/, '').replace(/[ \t]+$/, ''));
    if (m === null || out.some(([k]) => k === m[1])) continue;
    if (out.length === 32) break;
    out.push([m[1] as string, m[2] as string]);
  }
  return out;
}

afterEach(() => {
  propagation.disable();
});

// ---------------------------------------------------------------------------------------------------------------
describe('traceparent extract (W3C test suite cases)', () => {
  it('extracts a valid version 00 header as a remote span context', () => {
    expect(extractSpan({ traceparent: VALID })).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
  });

  it.each([
    ['sampled off', `00-${TRACE_ID}-${SPAN_ID}-00`, 0],
    ['sampled + random', `00-${TRACE_ID}-${SPAN_ID}-03`, 3],
    ['unknown flags kept on extract', `00-${TRACE_ID}-${SPAN_ID}-ff`, 0xff],
    ['flags are hex, not decimal', `00-${TRACE_ID}-${SPAN_ID}-10`, 16],
  ])('flags: %s', (_name, header, flags) => {
    expect(extractSpan({ traceparent: header })?.traceFlags).toBe(flags);
  });

  it.each([
    ['leading space', ` ${VALID}`],
    ['leading tab', `\t${VALID}`],
    ['trailing space', `${VALID} `],
    ['trailing tab', `${VALID}\t`],
    ['both', `\t ${VALID} \t`],
  ])('accepts optional whitespace: %s', (_name, header) => {
    expect(extractSpan({ traceparent: header })?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['future version, exact length', `cc-${TRACE_ID}-${SPAN_ID}-01`],
    ['future version, extra fields', `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`],
    ['future version, empty extra field', `01-${TRACE_ID}-${SPAN_ID}-01-`],
  ])('accepts %s', (_name, header) => {
    expect(extractSpan({ traceparent: header })).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['future version, extra data without dash', `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future-will-be-like`],
    ['version 00 with extra fields', `00-${TRACE_ID}-${SPAN_ID}-01-extra`],
    ['version 00 with a trailing dash', `00-${TRACE_ID}-${SPAN_ID}-01-`],
    ['version illegal character (.0)', `.0-${TRACE_ID}-${SPAN_ID}-01`],
    ['version illegal character (0.)', `0.-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too long (000)', `000-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too long (0000)', `0000-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too short', `0-${TRACE_ID}-${SPAN_ID}-01`],
    ['version uppercase', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['trace id all zero', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['trace id illegal character', `00-${TRACE_ID.slice(0, 31)}.-${SPAN_ID}-01`],
    ['trace id non-hex', `00-${TRACE_ID.slice(0, 29)}xyz-${SPAN_ID}-01`],
    ['trace id uppercase', `00-ABCDEF78901234567890123456789012-${SPAN_ID}-01`],
    ['trace id too long', `00-${TRACE_ID}0-${SPAN_ID}-01`],
    ['trace id too short', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['span id all zero', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['span id illegal character', `00-${TRACE_ID}-${SPAN_ID.slice(0, 15)}.-01`],
    ['span id non-hex', `00-${TRACE_ID}-${SPAN_ID.slice(0, 13)}xyz-01`],
    ['span id uppercase', `00-${TRACE_ID}-ABCDEF7890123456-01`],
    ['span id too long', `00-${TRACE_ID}-${SPAN_ID}0-01`],
    ['span id too short', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ['flags illegal character', `00-${TRACE_ID}-${SPAN_ID}-.0`],
    ['flags non-hex', `00-${TRACE_ID}-${SPAN_ID}-0x`],
    ['flags uppercase', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['flags too long', `00-${TRACE_ID}-${SPAN_ID}-001`],
    ['flags too short', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['wrong separator', `00_${TRACE_ID}_${SPAN_ID}_01`],
    ['empty', ''],
    ['whitespace only', ' \t '],
    ['newline is not OWS', `${VALID}\n`],
    ['non-breaking space is not OWS', `\u00a0${VALID}`],
    ['two headers joined by Node', `${VALID}, 00-${TRACE_ID}-${'1'.repeat(16)}-01`],
    ['two future-version headers joined by Node', `cc-${TRACE_ID}-${SPAN_ID}-01, cc-${TRACE_ID}-${SPAN_ID}-01`],
  ])('ignores %s', (_name, header) => {
    const context = ROOT_CONTEXT.setValue(Symbol('marker'), 1);
    expect(traceContext.extract(context, { traceparent: header, tracestate: 'foo=1' }, defaultTextMapGetter)).toBe(context);
  });

  it('reads a string-array header with one value (Node headersDistinct)', () => {
    expect(extractSpan({ traceparent: [VALID], tracestate: ['foo=1', 'bar=2'] })).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    });
  });

  it('ignores duplicated traceparent headers (test_traceparent_duplicated)', () => {
    expect(extractSpan({ traceparent: [`00-${TRACE_ID}-${'1'.repeat(16)}-01`, VALID] })).toBeUndefined();
    expect(extractSpan({ traceparent: [] })).toBeUndefined();
  });

  it('ignores non-string header values', () => {
    for (const value of [42, null, {}, [42], [null], true, Symbol('x')]) {
      expect(extractSpan({ traceparent: value })).toBeUndefined();
    }
  });

  it('does not read tracestate without a valid traceparent, nor a wrongly named one', () => {
    expect(extractSpan({ tracestate: 'foo=1' })).toBeUndefined();
    expect(extractSpan({ traceparent: VALID, 'trace-state': 'foo=1' })?.traceState).toBeUndefined();
  });

  it('attaches tracestate only when it has members (test_tracestate_empty_header)', () => {
    expect(extractSpan({ traceparent: VALID, tracestate: '' })?.traceState).toBeUndefined();
    expect(extractSpan({ traceparent: VALID, tracestate: 'FOO=1' })?.traceState).toBeUndefined();
    expect(extractSpan({ traceparent: VALID, tracestate: ['foo=1', ''] })?.traceState?.get('foo')).toBe('1');
    expect(extractSpan({ traceparent: VALID, tracestate: ['', 'foo=1'] })?.traceState?.get('foo')).toBe('1');
  });

  it('agrees with the reference parser on mutated headers', () => {
    const random = rng(0x7ace);
    const alphabet = '0123456789abcdefABCDEF-xz. \t\n,';
    const seeds = [VALID, `cc-${TRACE_ID}-${SPAN_ID}-01-future`, `00-${'0'.repeat(32)}-${SPAN_ID}-01`, `ff-${TRACE_ID}-${SPAN_ID}-00`];
    let accepted = 0;
    for (let n = 0; n < 5000; n++) {
      let header = seeds[n % seeds.length] as string;
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (header.length + 1));
        const ch = alphabet[Math.floor(random() * alphabet.length)] as string;
        const op = random();
        if (op < 0.4) header = header.slice(0, at) + ch + header.slice(at + 1);
        else if (op < 0.7) header = header.slice(0, at) + ch + header.slice(at);
        else header = header.slice(0, at) + header.slice(at + 1);
      }
      const expected = referenceTraceParent(header);
      const actual = parseTraceParent(header);
      expect(actual, JSON.stringify(header)).toEqual(expected === undefined ? undefined : { ...expected, isRemote: true });
      if (expected !== undefined) accepted++;
    }
    // The mutations must exercise both outcomes, or the comparison proves little.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(4800);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('traceparent inject', () => {
  it('writes version 00 with lowercase hex ids and two-digit flags', () => {
    expect(injectSpan({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 })).toEqual({ traceparent: VALID });
    expect(injectSpan({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`,
    });
  });

  it('keeps sampled and random-trace-id flags, clears the reserved ones (Level 2 "Other Flags")', () => {
    expect(injectSpan({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0xff }).traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
    expect(injectSpan({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0x02 }).traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-02`);
  });

  it('lowercases uppercase ids, which the API accepts but receivers must reject', () => {
    const upper = injectSpan({ traceId: TRACE_ID.replace(/1/g, 'A'), spanId: 'ABCDEF0123456789', traceFlags: 1 });
    expect(upper.traceparent).toBe(`00-${TRACE_ID.replace(/1/g, 'a')}-abcdef0123456789-01`);
  });

  it.each([
    ['all-zero trace id', { traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 }],
    ['all-zero span id', { traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: 1 }],
    ['short trace id', { traceId: TRACE_ID.slice(1), spanId: SPAN_ID, traceFlags: 1 }],
    ['non-hex span id', { traceId: TRACE_ID, spanId: 'zzzzzzzzzzzzzzzz', traceFlags: 1 }],
  ])('writes nothing for an invalid span context: %s', (_name, spanContext) => {
    expect(injectSpan(spanContext)).toEqual({});
  });

  it('writes nothing when the context has no span', () => {
    const carrier: Carrier = {};
    traceContext.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
  });

  it('writes tracestate only when non-empty, from any TraceState implementation', () => {
    const withState = injectSpan({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState: parseTraceState('b=2,a=1') });
    expect(withState).toEqual({ traceparent: VALID, tracestate: 'b=2,a=1' });
    const emptyState = injectSpan({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState: EMPTY_TRACE_STATE });
    expect(emptyState).toEqual({ traceparent: VALID });
  });

  it('lists both header names in fields()', () => {
    expect(traceContext.fields()).toEqual(['traceparent', 'tracestate']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('tracestate', () => {
  const thirtyThree = Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i + 1}`);

  it('parses members in order and serializes canonically', () => {
    const state = parseTraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(state.get('congo')).toBe('t61rcWkgMzE');
    expect(state.get('rojo')).toBe('00f067aa0ba902b7');
    expect(state.get('missing')).toBeUndefined();
    expect(state.serialize()).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
  });

  it('keeps a canonical header string as its own serialization', () => {
    const header = 'a=1,b=2';
    expect(parseTraceState(header).serialize()).toBe(header);
  });

  it('truncates 33 members to the first 32', () => {
    const state = parseTraceState(thirtyThree.join(','));
    expect(state.serialize()).toBe(thirtyThree.slice(0, 32).join(','));
    expect(state.get('bar33')).toBeUndefined();
    expect(MAX_TRACE_STATE_MEMBERS).toBe(32);
  });

  it('combines several headers in order (test_tracestate_multiple_headers_different_keys)', () => {
    const state = parseTraceState(['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3']);
    expect(state.serialize()).toBe('foo=1,bar=2,rojo=1,congo=2,baz=3');
    // 32 members over four headers are all kept; the 33rd is cut.
    const lines = [thirtyThree.slice(0, 10), thirtyThree.slice(10, 20), thirtyThree.slice(20, 30), thirtyThree.slice(30)];
    expect(parseTraceState(lines.map((l) => l.join(','))).get('bar32')).toBe('32');
    expect(parseTraceState(lines.map((l) => l.join(','))).get('bar33')).toBeUndefined();
  });

  it('keeps the first of duplicate keys (test_tracestate_duplicated_keys)', () => {
    expect(parseTraceState('foo=1,foo=2').serialize()).toBe('foo=1');
    expect(parseTraceState(['foo=1', 'foo=2']).serialize()).toBe('foo=1');
    expect(parseTraceState('foo=1,bar=2,foo=3,bar=4').serialize()).toBe('foo=1,bar=2');
  });

  it('ignores whitespace around members and empty members (test_tracestate_ows_handling)', () => {
    expect(parseTraceState('foo=1 \t , \t bar=2, \t baz=3').serialize()).toBe('foo=1,bar=2,baz=3');
    expect(parseTraceState('foo=1\t \t,\t \tbar=2,\t \tbaz=3').serialize()).toBe('foo=1,bar=2,baz=3');
    for (const header of [' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t', ',foo=1,', ' , ,foo=1, ,']) {
      expect(parseTraceState(header).serialize(), JSON.stringify(header)).toBe('foo=1');
    }
    expect(parseTraceState('foo= 1').get('foo')).toBe(' 1');
  });

  it('accepts every allowed character (test_tracestate_all_allowed_characters)', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    let value = '';
    for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) value += String.fromCharCode(c);
    expect(parseTraceState(`${key}=${value}`).get(key)).toBe(value);
    expect(parseTraceState(`${key}@a-z0-9_-*/=${value}`).get(`${key}@a-z0-9_-*/`)).toBe(value);
  });

  it('accepts simple and multi-tenant keys, and the Level 2 key grammar that contains both', () => {
    const keys = [
      'z'.repeat(256),
      'fw529a3039@dt',
      '1tenant@vendor',
      `${'t'.repeat(241)}@${'v'.repeat(14)}`,
      `${'t'.repeat(242)}@v`,
      `t@${'v'.repeat(15)}`,
      'foo@',
      'foo@@bar',
      'foo@bar@baz',
      '0start',
    ];
    for (const key of keys) expect(parseTraceState(`${key}=1,bar=2`).get(key), key).toBe('1');
  });

  it.each([
    ['space in key', 'foo =1'],
    ['uppercase key', 'FOO=1'],
    ['dot in key', 'foo.bar=1'],
    ['key starting with @', '@foo=1'],
    ['key starting with _', '_foo=1'],
    ['key of 257 characters', `${'z'.repeat(257)}=1`],
    ['empty key', '=1'],
    ['no equals sign', 'foo'],
    ['empty value', 'foo='],
    ['space-only value', 'foo=   '],
    ['= in value', 'foo=bar=baz'],
    ['tab inside value', 'foo=a\tb'],
    ['non-ASCII value', 'foo=caf\u00e9'],
    ['control character in value', 'foo=a\u0001b'],
    ['value of 257 characters', `foo=${'v'.repeat(257)}`],
  ])('drops an invalid member, keeps the rest: %s', (_name, member) => {
    const state = parseTraceState(`a=1,${member},b=2`);
    expect(state.serialize()).toBe('a=1,b=2');
  });

  it('accepts a 256-character value', () => {
    const value = 'v'.repeat(255) + 'w';
    expect(parseTraceState(`foo=${value}`).get('foo')).toBe(value);
  });

  it('set() adds in front, moves an existing key to the front, and is immutable', () => {
    const state = parseTraceState('a=1,b=2,c=3');
    const updated = state.set('c', '9');
    expect(updated.serialize()).toBe('c=9,a=1,b=2');
    expect(state.serialize()).toBe('a=1,b=2,c=3');
    expect(updated.set('d', '4').serialize()).toBe('d=4,c=9,a=1,b=2');
    expect(EMPTY_TRACE_STATE.set('x', 'y').serialize()).toBe('x=y');
    expect(EMPTY_TRACE_STATE.serialize()).toBe('');
  });

  it('set() on a full list drops the right-most member', () => {
    const full = parseTraceState(thirtyThree.slice(0, 32).join(','));
    const next = full.set('new', '1');
    expect(next.serialize()).toBe(['new=1', ...thirtyThree.slice(0, 31)].join(','));
    // Replacing a key already present keeps all 32.
    expect(full.set('bar32', 'x').get('bar31')).toBe('31');
  });

  it('set() with an invalid key or value leaves the state unchanged', () => {
    const state = parseTraceState('a=1');
    for (const [k, v] of [['A', '1'], ['a b', '1'], ['', '1'], ['k', ''], ['k', 'x,y'], ['k', 'x=y'], ['k', 'x ']]) {
      expect(state.set(k as string, v as string)).toBe(state);
    }
  });

  it('unset() removes a key and is immutable', () => {
    const state = parseTraceState('a=1,b=2,c=3');
    expect(state.unset('b').serialize()).toBe('a=1,c=3');
    expect(state.unset('missing')).toBe(state);
    expect(state.serialize()).toBe('a=1,b=2,c=3');
    expect(state.unset('a').unset('b').unset('c').serialize()).toBe('');
  });

  it('agrees with the reference parser on random headers', () => {
    const random = rng(0x57a7e);
    const pieces = ['a', 'b', 'foo', 'x@y', '@', 'A', '=', '==', ',', ', ', ' ', '\t', '1', 'v', ' v', 'é', '.', '*', '/', '_'];
    for (let n = 0; n < 4000; n++) {
      let header = '';
      const parts = Math.floor(random() * 40);
      for (let p = 0; p < parts; p++) header += pieces[Math.floor(random() * pieces.length)];
      const expected = referenceTraceState(header);
      const state = parseTraceState(header);
      expect(state.serialize(), JSON.stringify(header)).toBe(expected.map(([k, v]) => `${k}=${v}`).join(','));
      for (const [k, v] of expected) expect(state.get(k)).toBe(v);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('baggage extract', () => {
  it('parses members, with spaces around keys, values and separators', () => {
    expect(extractBaggage('userId=alice,serverNode=DF%2028,isProduction=false')).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
    expect(extractBaggage('userId =   alice , serverNode = DF%2028,\tisProduction = false\t')).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
  });

  it('combines several headers (string array) into one list', () => {
    expect(extractBaggage(['userId=alice', 'serverNode=DF%2028,isProduction=false'])).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
  });

  it('decodes percent-encoded UTF-8 and keeps = in values', () => {
    expect(extractBaggage('userId=Am%C3%A9lie,emoji=%F0%9F%98%80,eq=a=b=c,lower=%e2%82%AC,mixed=a%20b%C3%A9%3d,ascii=%41%2c')).toEqual({
      userId: { value: 'Amélie' },
      emoji: { value: '😀' },
      eq: { value: 'a=b=c' },
      lower: { value: '€' },
      mixed: { value: 'a bé=' },
      ascii: { value: 'A,' },
    });
  });

  it('replaces invalid UTF-8 with U+FFFD and keeps malformed escapes literally', () => {
    expect(extractBaggage('a=%FF,b=%C3,c=%ED%A0%80,d=100%,e=%zz,f=%4,g=%%41,h=%zz%C3%A9%')).toEqual({
      a: { value: '\ufffd' },
      b: { value: '\ufffd' },
      c: { value: '\ufffd\ufffd\ufffd' },
      d: { value: '100%' },
      e: { value: '%zz' },
      f: { value: '%4' },
      g: { value: '%A' },
      h: { value: '%zzé%' },
    });
  });

  it('keeps a leading byte-order mark in a value', () => {
    expect(extractBaggage('bom=%EF%BB%BFx')?.['bom']?.value).toBe('\ufeffx');
  });

  it('keeps properties as metadata, normalized and still encoded', () => {
    expect(extractBaggage('key1=value1;property1;property2, key3=value3; propertyKey=propertyValue ;p=%20')).toEqual({
      key1: { value: 'value1', metadata: 'property1;property2' },
      key3: { value: 'value3', metadata: 'propertyKey=propertyValue;p=%20' },
    });
    expect(extractBaggage('k=v;;p;')).toEqual({ k: { value: 'v', metadata: 'p' } });
  });

  it('accepts an empty value', () => {
    expect(extractBaggage('empty=,also= ;p')).toEqual({ empty: { value: '' }, also: { value: '', metadata: 'p' } });
  });

  it('lets the last duplicate win', () => {
    expect(extractBaggage('k=1,k=2')).toEqual({ k: { value: '2' } });
  });

  it('takes keys literally (not percent-decoded), including __proto__', () => {
    expect(extractBaggage('a%20b=1,__proto__=2')).toEqual({ 'a%20b': { value: '1' }, ['__proto__']: { value: '2' } });
  });

  it.each([
    ['no equals sign', 'novalue'],
    ['empty key', '=v'],
    ['space inside key', 'a b=v'],
    ['non-token key', 'a(b)=v'],
    ['space inside value', 'k=a b'],
    ['double quote in value', 'k=a"b'],
    ['backslash in value', 'k=a\\b'],
    ['raw non-ASCII in value', 'k=caf\u00e9'],
    ['control character in value', 'k=a\u0000b'],
    ['non-token property key', 'k=v;a b'],
    ['property with invalid value', 'k=v;p=a"b'],
    ['garbage after value', 'k=v x'],
  ])('skips an invalid member, keeps the rest: %s', (_name, member) => {
    expect(extractBaggage(`a=1,${member},b=2`)).toEqual({ a: { value: '1' }, b: { value: '2' } });
  });

  it('returns the context unchanged when nothing valid is found', () => {
    const context = ROOT_CONTEXT.setValue(Symbol('marker'), 1);
    for (const header of [undefined, '', ' , ,', 'novalue', 42, null, {}, [], [42]]) {
      expect(baggagePropagator.extract(context, { baggage: header }, defaultTextMapGetter)).toBe(context);
    }
  });

  it(`keeps the first ${MAX_BAGGAGE_MEMBERS} members`, () => {
    const header = Array.from({ length: MAX_BAGGAGE_MEMBERS + 5 }, (_, i) => `k${i}=${i}`).join(',');
    const entries = extractBaggage(header) ?? {};
    expect(Object.keys(entries)).toHaveLength(MAX_BAGGAGE_MEMBERS);
    expect(entries[`k${MAX_BAGGAGE_MEMBERS - 1}`]).toEqual({ value: String(MAX_BAGGAGE_MEMBERS - 1) });
    expect(entries[`k${MAX_BAGGAGE_MEMBERS}`]).toBeUndefined();
  });

  it(`reads only whole members within the first ${MAX_BAGGAGE_BYTES} bytes`, () => {
    const big = `a=${'x'.repeat(MAX_BAGGAGE_BYTES - 10)}`; // 8184 bytes
    expect(extractBaggage(`${big},b=12345`)?.['b']).toEqual({ value: '12345' }); // ends at exactly 8192
    expect(extractBaggage(`${big},b=123456`)?.['b']).toBeUndefined(); // would end at 8193
    expect(extractBaggage(`${big},b=123456`)?.['a']?.value).toHaveLength(MAX_BAGGAGE_BYTES - 10);
    expect(extractBaggage(`${big},b=123456,c=1`)?.['c']).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('baggage inject', () => {
  it('writes members in order, percent-encoding values', () => {
    expect(injectBaggage({ userId: { value: 'Amélie' }, serverNode: { value: 'DF 28' }, isProduction: { value: 'false' } })).toBe(
      'userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false',
    );
  });

  it('encodes values exactly as encodeURIComponent does for well-formed strings', () => {
    const random = rng(0xe2c0de);
    const chars = ['a', 'Z', '0', ' ', '%', '=', ';', ',', '"', '\\', '+', '~', "'", '(', '\u00e9', '\u20ac', '\u{1f600}', '\t', '\u0000', '\u07ff', '\u0800', '\uffff'];
    for (let n = 0; n < 2000; n++) {
      let value = '';
      const len = Math.floor(random() * 12);
      for (let i = 0; i < len; i++) value += chars[Math.floor(random() * chars.length)];
      expect(encodeBaggageValue(value)).toBe(encodeURIComponent(value));
    }
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(encodeBaggageValue('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(encodeBaggageValue('\udc00')).toBe('%EF%BF%BD');
    expect(encodeBaggageValue('x\ud83d')).toBe('x%EF%BF%BD');
  });

  it('returns a value that needs no encoding unchanged', () => {
    const value = "plain-Value_1.2!~*'()";
    expect(encodeBaggageValue(value)).toBe(value);
  });

  it('appends valid metadata as properties and drops invalid metadata', () => {
    expect(injectBaggage({ k: { value: 'v', metadata: 'p1=x;flag' }, j: { value: 'w', metadata: 'not a property;' } })).toBe(
      'k=v;p1=x;flag,j=w',
    );
    expect(injectBaggage({ k: { value: 'v', metadata: ' p = 1 ; q ' } })).toBe('k=v;p=1;q');
    expect(injectBaggage({ k: { value: 'v', metadata: '' } })).toBe('k=v');
  });

  it('skips keys that are not RFC 7230 tokens', () => {
    expect(injectBaggage({ 'bad key': { value: '1' }, 'bad=key': { value: '1' }, 'clé': { value: '1' }, ok: { value: '2' } })).toBe('ok=2');
  });

  it('writes nothing without baggage or when every entry is skipped', () => {
    const carrier: Carrier = {};
    baggagePropagator.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
    expect(injectBaggage({})).toBeUndefined();
    expect(injectBaggage({ 'bad key': { value: '1' } })).toBeUndefined();
  });

  it(`drops a member over ${MAX_BAGGAGE_MEMBER_BYTES} bytes, keeps the rest`, () => {
    const header = injectBaggage({
      a: { value: '1' },
      big: { value: 'x'.repeat(MAX_BAGGAGE_MEMBER_BYTES - 3) }, // 'big=' + 4093 = 4097 bytes
      edge: { value: 'y'.repeat(MAX_BAGGAGE_MEMBER_BYTES - 5) }, // 'edge=' + 4091 = 4096 bytes
      b: { value: '2' },
    });
    expect(header).toBe(`a=1,edge=${'y'.repeat(MAX_BAGGAGE_MEMBER_BYTES - 5)},b=2`);
  });

  it('measures the member after encoding', () => {
    // 1366 × 'é' encodes to 1366 × 6 = 8196 bytes, far over the member limit though the string is short.
    expect(injectBaggage({ a: { value: 'é'.repeat(1366) }, b: { value: '2' } })).toBe('b=2');
  });

  it(`never writes more than ${MAX_BAGGAGE_BYTES} bytes, keeping later members that still fit`, () => {
    const filler = 'x'.repeat(4000);
    const header = injectBaggage({
      a: { value: filler }, // 4002
      b: { value: filler }, // +1+4002 = 8005
      c: { value: filler }, // would be 12008: dropped
      d: { value: 'y'.repeat(184) }, // +1+186 = 8192 exactly
      e: { value: '1' }, // would be 8196: dropped
    });
    expect(header).toBe(`a=${filler},b=${filler},d=${'y'.repeat(184)}`);
    expect(header).toHaveLength(MAX_BAGGAGE_BYTES);
  });

  it(`never writes more than ${MAX_BAGGAGE_MEMBERS} members`, () => {
    const entries: Record<string, { value: string }> = {};
    for (let i = 0; i < MAX_BAGGAGE_MEMBERS + 20; i++) entries[`k${i}`] = { value: '1' };
    expect(injectBaggage(entries)?.split(',')).toHaveLength(MAX_BAGGAGE_MEMBERS);
  });

  it('round-trips values containing UTF-8, =, ;, ,, %, spaces and quotes, with metadata', () => {
    const entries = {
      utf8: { value: 'Amélie 😀 €' },
      separators: { value: 'a=b;c,d' },
      percent: { value: '100% %41' },
      quotes: { value: '"quoted" \\ back' },
      spaces: { value: '  padded  ' },
      empty: { value: '' },
      withMeta: { value: 'v', metadata: 'p1=x;flag' },
    };
    expect(extractBaggage(injectBaggage(entries))).toEqual(entries);
  });

  it('round-trips random strings (lone surrogates become U+FFFD)', () => {
    const random = rng(0xba66);
    for (let n = 0; n < 1000; n++) {
      let value = '';
      const len = Math.floor(random() * 20);
      for (let i = 0; i < len; i++) value += String.fromCharCode(Math.floor(random() * 0x10000));
      const wellFormed = value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
      expect(extractBaggage(injectBaggage({ k: { value } }))?.['k']?.value).toBe(wellFormed);
    }
  });

  it('lists the header name in fields()', () => {
    expect(baggagePropagator.fields()).toEqual(['baggage']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('CompositePropagator and OTEL_PROPAGATORS', () => {
  function collect(): { warn: (m: string) => void; messages: string[] } {
    const messages: string[] = [];
    return { warn: (m) => messages.push(m), messages };
  }

  it('injects into all, extracts in order, and reports the union of fields', () => {
    const composite = new CompositePropagator([traceContext, baggagePropagator, traceContext]);
    expect(composite.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    const carrier: Carrier = { traceparent: VALID, baggage: 'k=v' };
    const context = composite.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    expect(trace.getSpanContext(context)?.spanId).toBe(SPAN_ID);
    expect(propagation.getBaggage(context)?.getEntry('k')?.value).toBe('v');
    const out: Carrier = {};
    composite.inject(context, out, defaultTextMapSetter);
    expect(out).toEqual({ traceparent: VALID, baggage: 'k=v' });
  });

  it('lets a later propagator override an earlier one on extract', () => {
    const override: TextMapPropagator = {
      inject() {},
      extract: (context) => trace.setSpanContext(context, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 }),
      fields: () => [],
    };
    const context = new CompositePropagator([traceContext, override]).extract(ROOT_CONTEXT, { traceparent: VALID }, defaultTextMapGetter);
    expect(trace.getSpanContext(context)?.traceId).toBe('a'.repeat(32));
  });

  it('skips a propagator that throws and warns once', () => {
    const { warn, messages } = collect();
    const broken: TextMapPropagator = {
      inject() {
        throw new Error('inject boom');
      },
      extract() {
        throw new Error('extract boom');
      },
      fields: () => ['x-broken'],
    };
    const composite = new CompositePropagator([broken, traceContext], warn);
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    const carrier: Carrier = {};
    expect(() => composite.inject(context, carrier, defaultTextMapSetter)).not.toThrow();
    expect(carrier).toEqual({ traceparent: VALID });
    expect(trace.getSpanContext(composite.extract(ROOT_CONTEXT, { traceparent: VALID }, defaultTextMapGetter))?.traceId).toBe(TRACE_ID);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('inject boom');
  });

  it.each([
    [undefined, ['traceparent', 'tracestate', 'baggage']],
    ['', ['traceparent', 'tracestate', 'baggage']],
    ['  \t ', ['traceparent', 'tracestate', 'baggage']],
    ['tracecontext,baggage', ['traceparent', 'tracestate', 'baggage']],
    ['baggage,tracecontext', ['baggage', 'traceparent', 'tracestate']],
    ['tracecontext', ['traceparent', 'tracestate']],
    [' Baggage ', ['baggage']],
    ['tracecontext,,tracecontext', ['traceparent', 'tracestate']],
    ['none', []],
  ])('OTEL_PROPAGATORS=%j selects %j without warnings', (value, fields) => {
    const { warn, messages } = collect();
    expect(propagatorFromEnv(value, warn).fields()).toEqual(fields);
    expect(messages).toEqual([]);
  });

  it('warns once per unknown name, pointing at the package for well-known ones, and skips them', () => {
    const { warn, messages } = collect();
    const p = propagatorFromEnv('b3,tracecontext,b3multi,jaeger,xray,ottrace,bogus,b3,bogus', warn);
    expect(p.fields()).toEqual(['traceparent', 'tracestate']);
    expect(messages).toHaveLength(6);
    expect(messages[0]).toContain('@opentelemetry/propagator-b3');
    expect(messages[2]).toContain('@opentelemetry/propagator-jaeger');
    expect(messages[3]).toContain('@opentelemetry/propagator-aws-xray');
    expect(messages[4]).toContain('@opentelemetry/propagator-ot-trace');
    expect(messages[5]).toContain("'bogus'");
  });

  it('treats prototype property names as unknown', () => {
    const { warn, messages } = collect();
    expect(propagatorFromEnv('constructor,baggage', warn).fields()).toEqual(['baggage']);
    expect(messages).toHaveLength(1);
  });

  it('falls back to the default, with a warning, when no name is usable', () => {
    const { warn, messages } = collect();
    expect(propagatorFromEnv('b3', warn).fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toContain('default');
  });

  it("'none' propagates nothing, and wins over other names with a warning", () => {
    const { warn, messages } = collect();
    const p = propagatorFromEnv('tracecontext,none', warn);
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    const carrier: Carrier = {};
    p.inject(context, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
    expect(p.extract(ROOT_CONTEXT, { traceparent: VALID }, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
    expect(p.fields()).toEqual([]);
    expect(messages).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('through the global propagation API', () => {
  function install(value?: string): void {
    expect(propagation.setGlobalPropagator(propagatorFromEnv(value, () => {}))).toBe(true);
  }

  it('round-trips span context, trace state and baggage', () => {
    install();
    const spanContext: SpanContext = {
      traceId: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
      spanId: '0123456789abcdef',
      traceFlags: 1,
      traceState: EMPTY_TRACE_STATE.set('congo', 't61rcWkgMzE').set('fw529a3039@dt', 'x y'),
    };
    let context = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    context = propagation.setBaggage(
      context,
      propagation.createBaggage({
        user: { value: 'Amélie, "the" =boss=;' },
        tier: { value: 'gold', metadata: baggageEntryMetadataFromString('ttl=30;internal') },
      }),
    );
    const carrier: Carrier = {};
    propagation.inject(context, carrier);
    expect(carrier).toEqual({
      traceparent: '00-a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5-0123456789abcdef-01',
      tracestate: 'fw529a3039@dt=x y,congo=t61rcWkgMzE',
      baggage: 'user=Am%C3%A9lie%2C%20%22the%22%20%3Dboss%3D%3B,tier=gold;ttl=30;internal',
    });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);

    const extracted = propagation.extract(ROOT_CONTEXT, carrier);
    const remote = trace.getSpanContext(extracted);
    expect(remote).toMatchObject({ traceId: spanContext.traceId, spanId: spanContext.spanId, traceFlags: 1, isRemote: true });
    expect(remote?.traceState?.serialize()).toBe('fw529a3039@dt=x y,congo=t61rcWkgMzE');
    expect(remote?.traceState?.get('fw529a3039@dt')).toBe('x y');
    const baggage = propagation.getBaggage(extracted);
    expect(baggage?.getEntry('user')?.value).toBe('Amélie, "the" =boss=;');
    expect(baggage?.getEntry('tier')?.metadata?.toString()).toBe('ttl=30;internal');
  });

  it('reads string-array header values', () => {
    install();
    const extracted = propagation.extract(ROOT_CONTEXT, {
      traceparent: [VALID],
      tracestate: ['a=1', 'b=2'],
      baggage: ['k1=v1', 'k2=v%202'],
    });
    expect(trace.getSpanContext(extracted)?.traceState?.serialize()).toBe('a=1,b=2');
    expect(propagation.getBaggage(extracted)?.getEntry('k2')?.value).toBe('v 2');
  });

  it('is a no-op once disabled', () => {
    install();
    propagation.disable();
    const carrier: Carrier = {};
    propagation.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }), carrier);
    expect(carrier).toEqual({});
  });

  it("respects OTEL_PROPAGATORS='baggage'", () => {
    install('baggage');
    const carrier: Carrier = {};
    let context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    context = propagation.setBaggage(context, propagation.createBaggage({ k: { value: 'v' } }));
    propagation.inject(context, carrier);
    expect(carrier).toEqual({ baggage: 'k=v' });
  });

  it('extracts what Node http delivers for repeated headers, joined and distinct', async () => {
    install();
    const seen: { joined: IncomingHttpHeaders; distinct: Record<string, string[]> }[] = [];
    const server = createServer((req, res) => {
      seen.push({ joined: req.headers, distinct: req.headersDistinct as Record<string, string[]> });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          method: 'GET',
          // Raw array form sends each pair as its own header line, as two proxies appending would. It adds no
          // Host header by itself, and Node's server answers 400 without one.
          headers: ['Host', `127.0.0.1:${port}`, 'TraceParent', VALID, 'tracestate', 'rojo=1', 'TRACESTATE', 'congo=2', 'baggage', 'a=1', 'Baggage', 'b=%C3%A9'],
        });
        req.on('response', (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const { joined, distinct } = seen[0] as (typeof seen)[number];
    for (const headers of [joined, distinct]) {
      const context = propagation.extract(ROOT_CONTEXT, headers);
      expect(trace.getSpanContext(context)?.traceState?.serialize()).toBe('rojo=1,congo=2');
      expect(propagation.getBaggage(context)?.getEntry('b')?.value).toBe('é');
      expect(propagation.getBaggage(context)?.getEntry('a')?.value).toBe('1');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('garbage input', () => {
  it('never throws on thousands of random header values', () => {
    const random = rng(0xf022);
    const composite = propagatorFromEnv(undefined, () => {});
    const pieces = [VALID, `cc-${TRACE_ID}-${SPAN_ID}-01-`, 'a=1', 'k=v;p', '%', '%C3', '%zz', ',', ';', '=', ' ', '\t', '@', '\ud800', '😀', '\u0000', 'é', '-', '00', 'ff', '0'.repeat(32)];
    const randomString = (): string => {
      let s = '';
      const parts = Math.floor(random() * 30);
      for (let p = 0; p < parts; p++) {
        s += random() < 0.7 ? pieces[Math.floor(random() * pieces.length)] : String.fromCharCode(Math.floor(random() * 0x10000));
      }
      return s;
    };
    for (let n = 0; n < 5000; n++) {
      const value = (): unknown => (random() < 0.8 ? randomString() : random() < 0.5 ? [randomString(), randomString()] : [randomString()]);
      const carrier: Carrier = { traceparent: value(), tracestate: value(), baggage: value() };
      expect(() => {
        const context = composite.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
        composite.inject(context, {}, defaultTextMapSetter);
        parseTraceState(carrier['tracestate'] as string).set(randomString(), randomString()).serialize();
        encodeBaggageValue(randomString());
      }).not.toThrow();
    }
  });

  it('survives odd carriers and odd values through the default getter', () => {
    const composite = propagatorFromEnv(undefined, () => {});
    for (const carrier of [{}, Object.create(null), [], { traceparent: { toString: () => VALID } }, { baggage: new Array(3) }]) {
      expect(() => composite.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)).not.toThrow();
    }
  });
});
