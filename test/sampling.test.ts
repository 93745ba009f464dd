// Samplers: every built-in decision, the TraceIdRatioBased threshold rule and its exact boundary (checked against
// a BigInt oracle written from the spec text), ParentBased routing, fast path == slow path, the rate limiter
// under a fake clock, and OTEL_TRACES_SAMPLER parsing. Seeded PRNG: every run sees the same ids.
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import {
  AlwaysOnSampler as OfficialAlwaysOn, SamplingDecision as OfficialDecision,
  TraceIdRatioBasedSampler as OfficialRatio,
} from '@opentelemetry/sdk-trace-base';
import type { Sampler as OfficialSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler,
} from '../src/sampling/builtin-samplers.js';
import { RateLimitingSampler } from '../src/sampling/rate-limiting-sampler.js';
import { samplerFromEnv } from '../src/sampling/sampler-from-env.js';
import {
  type FastSampler, type ParentSampled, type Sampler, SamplingDecision, type SamplingResult, isFastSampler,
  samplingResultOf,
} from '../src/sampling/sampler.js';

const { NOT_RECORD, RECORD, RECORD_AND_SAMPLED } = SamplingDecision;
const TWO_POW_56 = 1n << 56n;

/** xorshift32, seeded: reproducible "random" ids. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = next() & 0xff;
  return bytes;
}

function hex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let out = '';
  for (let i = offset; i < offset + length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/** A trace id with the given 9 high bytes and the low 56 bits set to `low56`. */
function idWithLow56(high9: Uint8Array, low56: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes.set(high9.subarray(0, 9), 0);
  for (let i = 15, v = low56; i >= 9; i--, v >>= 8n) bytes[i] = Number(v & 0xffn);
  return bytes;
}

/** The spec's rule, independently: R = last 14 hex digits, T = 2^56 - round(ratio * 2^56), sample iff R >= T. */
function oracle(traceIdHex: string, ratio: number): SamplingDecision {
  const r = BigInt(`0x${traceIdHex.slice(18)}`);
  const t = TWO_POW_56 - BigInt(Math.round(ratio * 2 ** 56));
  return r >= t ? RECORD_AND_SAMPLED : NOT_RECORD;
}

function contextWithParent(parentSampled: ParentSampled, remote: boolean, traceId: string): Context {
  if (parentSampled === -1) return ROOT_CONTEXT;
  const parent: SpanContext = {
    traceId, spanId: '00f067aa0ba902b7', isRemote: remote,
    traceFlags: parentSampled === 1 ? TraceFlags.SAMPLED : TraceFlags.NONE,
  };
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}

function slow(sampler: Sampler, parentSampled: ParentSampled, remote: boolean, traceId: string): SamplingResult {
  return sampler.shouldSample(contextWithParent(parentSampled, remote, traceId), traceId, 'span', SpanKind.INTERNAL,
    {}, []);
}

/** A user sampler (not fast) that returns a fixed decision and remembers its calls. */
class SpySampler implements Sampler {
  calls: { context: Context; traceId: string; spanName: string }[] = [];
  constructor(private readonly decision: SamplingDecision, readonly name: string) {}
  shouldSample(context: Context, traceId: string, spanName: string): SamplingResult {
    this.calls.push({ context, traceId, spanName });
    return { decision: this.decision, attributes: { 'sampler.name': this.name } };
  }
  toString(): string { return this.name; }
}

const PARENT_STATES: { label: string; parentSampled: ParentSampled; remote: boolean }[] = [
  { label: 'no parent', parentSampled: -1, remote: false },
  { label: 'remote sampled parent', parentSampled: 1, remote: true },
  { label: 'remote unsampled parent', parentSampled: 0, remote: true },
  { label: 'local sampled parent', parentSampled: 1, remote: false },
  { label: 'local unsampled parent', parentSampled: 0, remote: false },
];
const SLOTS = ['root', 'remoteParentSampled', 'remoteParentNotSampled', 'localParentSampled',
  'localParentNotSampled'] as const;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('sampler contract', () => {
  it('uses the official SDK decision numbers', () => {
    expect(SamplingDecision.NOT_RECORD).toBe(OfficialDecision.NOT_RECORD);
    expect(SamplingDecision.RECORD).toBe(OfficialDecision.RECORD);
    expect(SamplingDecision.RECORD_AND_SAMPLED).toBe(OfficialDecision.RECORD_AND_SAMPLED);
    expect([NOT_RECORD, RECORD, RECORD_AND_SAMPLED]).toEqual([0, 1, 2]);
  });

  it('shares one frozen result per decision, with no attributes or trace state', () => {
    for (const decision of [NOT_RECORD, RECORD, RECORD_AND_SAMPLED]) {
      const result = samplingResultOf(decision);
      expect(result).toEqual({ decision });
      expect(Object.isFrozen(result)).toBe(true);
      expect(samplingResultOf(decision)).toBe(result);
    }
  });

  it('is structurally the official Sampler both ways', () => {
    // Compile-time checks (tsc): our samplers go where official ones are expected and the other way round.
    const ours: OfficialSampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) });
    const theirs: Sampler = new OfficialRatio(0.5);
    expect(ours.toString()).toContain('TraceIdRatioBased{0.5}');
    expect(theirs.toString()).toBe('TraceIdRatioBased{0.5}');
  });

  it('offers the fast path only on built-in samplers whose delegates all have it', () => {
    expect(isFastSampler(new AlwaysOnSampler())).toBe(true);
    expect(isFastSampler(new AlwaysOffSampler())).toBe(true);
    expect(isFastSampler(new TraceIdRatioBasedSampler(0.3))).toBe(true);
    expect(isFastSampler(new RateLimitingSampler(5, () => 0))).toBe(true);
    expect(isFastSampler(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.3) }))).toBe(true);
    expect(isFastSampler(new OfficialAlwaysOn())).toBe(false);
    expect(isFastSampler(new SpySampler(RECORD, 'spy'))).toBe(false);
    for (const slot of SLOTS) {
      const config = { root: new AlwaysOnSampler(), [slot]: new SpySampler(RECORD, 'spy') };
      expect(isFastSampler(new ParentBasedSampler(config))).toBe(false);
    }
  });
});

describe('AlwaysOnSampler / AlwaysOffSampler', () => {
  it('always samples / always drops, whatever the parent', () => {
    const on = new AlwaysOnSampler();
    const off = new AlwaysOffSampler();
    const id = new Uint8Array(16).fill(7);
    for (const { parentSampled, remote } of PARENT_STATES) {
      expect(slow(on, parentSampled, remote, TRACE_ID)).toEqual({ decision: RECORD_AND_SAMPLED });
      expect(slow(off, parentSampled, remote, TRACE_ID)).toEqual({ decision: NOT_RECORD });
      expect(on.decideFast()).toBe(RECORD_AND_SAMPLED);
      expect(off.decideFast()).toBe(NOT_RECORD);
      expect((on as FastSampler).decideFast(parentSampled, remote, id, 0)).toBe(RECORD_AND_SAMPLED);
    }
    expect(on.toString()).toBe('AlwaysOnSampler');
    expect(off.toString()).toBe('AlwaysOffSampler');
  });
});

describe('TraceIdRatioBasedSampler', () => {
  it('computes T = 2^56 - round(ratio * 2^56) and its th value', () => {
    const cases: [number, bigint, string | undefined][] = [
      [1, 0n, '0'],
      [0.5, 0x80000000000000n, '8'], // spec example: th:8 is 50 %
      [0.25, 0xc0000000000000n, 'c'], // spec example: ot=th:c is 25 %
      [0.125, 0xe0000000000000n, 'e'],
      [0.01, TWO_POW_56 - BigInt(Math.round(0.01 * 2 ** 56)), undefined],
      [2 ** -56, TWO_POW_56 - 1n, 'ffffffffffffff'],
      [0, TWO_POW_56, undefined],
      [2 ** -58, TWO_POW_56, undefined], // rounds to "never"
    ];
    for (const [ratio, threshold, th] of cases) {
      const sampler = new TraceIdRatioBasedSampler(ratio);
      expect(sampler.threshold).toBe(threshold);
      if (th !== undefined) expect(sampler.thresholdTValue).toBe(th);
    }
    // 1 % at full precision starts fd70a3d70a3d70/71 (the spec's table rounds it to fd70a4 at 6 digits).
    expect(new TraceIdRatioBasedSampler(0.01).thresholdTValue).toMatch(/^fd70a3d70a3d7[01]$/);
    expect(new TraceIdRatioBasedSampler(0).thresholdTValue).toBeUndefined();
  });

  it('samples exactly from the threshold up: low 56 bits = T, T - 1, T + 1', () => {
    const next = prng(0x5eed);
    const ratios = [0.5, 0.25, 0.3, 0.1, 0.01, 1e-9, 2 ** -56, 1 - 2 ** -53, 0.999999];
    for (const ratio of ratios) {
      const sampler = new TraceIdRatioBasedSampler(ratio);
      const t = sampler.threshold;
      const high = randomBytes(next, 9);
      const at = idWithLow56(high, t);
      const below = idWithLow56(high, t - 1n);
      expect(sampler.shouldSample(ROOT_CONTEXT, hex(at), 's', SpanKind.SERVER, {}, []).decision,
        `ratio ${ratio} at T`).toBe(RECORD_AND_SAMPLED);
      expect(sampler.decideFast(-1, false, at, 0)).toBe(RECORD_AND_SAMPLED);
      expect(sampler.shouldSample(ROOT_CONTEXT, hex(below), 's', SpanKind.SERVER, {}, []).decision,
        `ratio ${ratio} at T-1`).toBe(NOT_RECORD);
      expect(sampler.decideFast(-1, false, below, 0)).toBe(NOT_RECORD);
      if (t + 1n < TWO_POW_56) {
        const above = idWithLow56(high, t + 1n);
        expect(sampler.shouldSample(ROOT_CONTEXT, hex(above), 's', SpanKind.SERVER, {}, []).decision)
          .toBe(RECORD_AND_SAMPLED);
        expect(sampler.decideFast(-1, false, above, 0)).toBe(RECORD_AND_SAMPLED);
      }
    }
  });

  it('at 0.5 splits on the top bit of byte 9 (the 24/32-bit split boundary)', () => {
    const sampler = new TraceIdRatioBasedSampler(0.5);
    expect(sampler.shouldSample(ROOT_CONTEXT, '0000000000000000007fffffffffffff', 's', 0, {}, []).decision)
      .toBe(NOT_RECORD);
    expect(sampler.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffff80000000000000', 's', 0, {}, []).decision)
      .toBe(RECORD_AND_SAMPLED);
  });

  it('ratio 0 never samples (not even all-ones low bits); ratio 1 samples all-zero low bits', () => {
    const never = new TraceIdRatioBasedSampler(0);
    const always = new TraceIdRatioBasedSampler(1);
    const maxLow = 'ffffffffffffffffffffffffffffffff';
    const minLow = '01000000000000000000000000000000';
    expect(never.shouldSample(ROOT_CONTEXT, maxLow, 's', 0, {}, []).decision).toBe(NOT_RECORD);
    expect(never.decideFast(-1, false, new Uint8Array(16).fill(0xff), 0)).toBe(NOT_RECORD);
    expect(always.shouldSample(ROOT_CONTEXT, minLow, 's', 0, {}, []).decision).toBe(RECORD_AND_SAMPLED);
    expect(always.decideFast(-1, false, new Uint8Array(16), 0)).toBe(RECORD_AND_SAMPLED);
  });

  it('agrees with the BigInt oracle on random ids and ratios, and only the low 56 bits matter', () => {
    const next = prng(42);
    for (let i = 0; i < 5000; i++) {
      const ratio = (next() % 1000001) / 1000000;
      const sampler = new TraceIdRatioBasedSampler(ratio);
      const bytes = randomBytes(next, 16);
      const id = hex(bytes);
      expect(sampler.shouldSample(ROOT_CONTEXT, id, 's', 0, {}, []).decision).toBe(oracle(id, ratio));
      const otherHigh = hex(randomBytes(next, 9)) + id.slice(18);
      expect(sampler.shouldSample(ROOT_CONTEXT, otherHigh, 's', 0, {}, []).decision).toBe(oracle(id, ratio));
    }
  });

  it('is monotonic: a higher ratio samples every id a lower one samples', () => {
    const next = prng(7);
    const ratios = [0, 0.001, 0.01, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.999, 1].map(
      (r) => new TraceIdRatioBasedSampler(r));
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(next, 16);
      let sampledBelow = false;
      for (const sampler of ratios) {
        const sampled = sampler.decideFast(-1, false, bytes, 0) === RECORD_AND_SAMPLED;
        if (sampledBelow) expect(sampled).toBe(true);
        sampledBelow = sampled;
      }
    }
  });

  it('samples the expected fraction of 100k random ids (within 5 standard deviations)', () => {
    const n = 100_000;
    for (const ratio of [0, 0.01, 0.1, 0.5, 1]) {
      const sampler = new TraceIdRatioBasedSampler(ratio);
      const next = prng(1000 + Math.round(ratio * 100));
      const bytes = new Uint8Array(16);
      let sampled = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 16; j++) bytes[j] = next() & 0xff;
        if (sampler.decideFast(-1, false, bytes, 0) === RECORD_AND_SAMPLED) sampled++;
      }
      const tolerance = 5 * Math.sqrt(n * ratio * (1 - ratio));
      expect(Math.abs(sampled - n * ratio), `ratio ${ratio}: ${sampled}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('ignores the parent sampled flag and reads ids at an offset', () => {
    const sampler = new TraceIdRatioBasedSampler(0.5);
    const column = new Uint8Array(64);
    column.set(idWithLow56(new Uint8Array(9), 0x80000000000000n), 32); // slot 2 of a 16-byte column
    for (const { parentSampled, remote } of PARENT_STATES) {
      expect(sampler.decideFast(parentSampled, remote, column, 32)).toBe(RECORD_AND_SAMPLED);
      expect(sampler.decideFast(parentSampled, remote, column, 16)).toBe(NOT_RECORD);
      expect(slow(sampler, parentSampled, remote, '000000000000000000ffffffffffffff').decision)
        .toBe(RECORD_AND_SAMPLED);
      expect(slow(sampler, parentSampled, remote, 'ffffffffffffffffff00000000000001').decision).toBe(NOT_RECORD);
    }
  });

  it('does not sample strings that are not 32 hex digits; accepts upper case', () => {
    const sampler = new TraceIdRatioBasedSampler(1);
    for (const bad of ['', 'abc', `${TRACE_ID}0`, TRACE_ID.slice(1), `g${TRACE_ID.slice(1)}`,
      `${TRACE_ID.slice(0, 31)} `]) {
      expect(sampler.shouldSample(ROOT_CONTEXT, bad, 's', 0, {}, []).decision).toBe(NOT_RECORD);
    }
    const half = new TraceIdRatioBasedSampler(0.5);
    const upper = 'ABCDEF0123456789ABCDEF0123456789';
    expect(half.shouldSample(ROOT_CONTEXT, upper, 's', 0, {}, []).decision)
      .toBe(half.shouldSample(ROOT_CONTEXT, upper.toLowerCase(), 's', 0, {}, []).decision);
  });

  it('clamps out-of-range ratios and NaN with a warning; valid ratios do not warn', () => {
    const warnings: string[] = [];
    const warn = (message: string): void => { warnings.push(message); };
    expect(new TraceIdRatioBasedSampler(1.5, warn).ratio).toBe(1);
    expect(new TraceIdRatioBasedSampler(-0.2, warn).ratio).toBe(0);
    expect(new TraceIdRatioBasedSampler(Number.NaN, warn).ratio).toBe(0);
    expect(new TraceIdRatioBasedSampler('0.5' as unknown as number, warn).ratio).toBe(0);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/1\.5.*clamped to 1/);
    expect(warnings[1]).toMatch(/-0\.2.*clamped to 0/);
    expect(warnings[2]).toMatch(/NaN/);
    warnings.length = 0;
    for (const ok of [0, 1, 0.5, 2 ** -56]) new TraceIdRatioBasedSampler(ok, warn);
    expect(warnings).toEqual([]);
    expect(new TraceIdRatioBasedSampler(2, warn).toString()).toBe('TraceIdRatioBased{1}');
    expect(new TraceIdRatioBasedSampler(0.0001).toString()).toBe('TraceIdRatioBased{0.0001}');
  });
});

describe('ParentBasedSampler', () => {
  it('routes each parent state to its delegate (each of the five slots, with the parent context and id)', () => {
    for (const [index, slot] of SLOTS.entries()) {
      const spy = new SpySampler(RECORD, `spy-${slot}`);
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler(), [slot]: spy });
      for (const [stateIndex, { label, parentSampled, remote }] of PARENT_STATES.entries()) {
        spy.calls.length = 0;
        const context = contextWithParent(parentSampled, remote, TRACE_ID);
        const result = sampler.shouldSample(context, TRACE_ID, 'op', SpanKind.CLIENT, {}, []);
        if (stateIndex === index) {
          expect(result, `${slot} for ${label}`).toEqual({ decision: RECORD, attributes: { 'sampler.name': spy.name } });
          expect(spy.calls).toEqual([{ context, traceId: TRACE_ID, spanName: 'op' }]);
        } else {
          expect(spy.calls, `${slot} not for ${label}`).toHaveLength(0);
        }
      }
    }
  });

  it('applies the spec defaults: follow the parent, root decides without one', () => {
    for (const root of [new AlwaysOnSampler(), new AlwaysOffSampler()]) {
      const sampler = new ParentBasedSampler({ root });
      const rootDecision = root.decideFast();
      const expected = [rootDecision, RECORD_AND_SAMPLED, NOT_RECORD, RECORD_AND_SAMPLED, NOT_RECORD];
      for (const [i, { parentSampled, remote }] of PARENT_STATES.entries()) {
        expect(slow(sampler, parentSampled, remote, TRACE_ID).decision).toBe(expected[i]);
        expect(sampler.decideFast(parentSampled, remote, new Uint8Array(16), 0)).toBe(expected[i]);
      }
    }
  });

  it('gives each delegate kind in each slot the decision of that delegate', () => {
    const id = idWithLow56(new Uint8Array(9), 0x90000000000000n); // sampled at 0.5, not at 0.25
    const kinds = (): [string, Sampler][] => [
      ['AlwaysOn', new AlwaysOnSampler()], ['AlwaysOff', new AlwaysOffSampler()],
      ['Ratio 0.5', new TraceIdRatioBasedSampler(0.5)], ['Ratio 0.25', new TraceIdRatioBasedSampler(0.25)],
      ['official AlwaysOn', new OfficialAlwaysOn()],
    ];
    const expected: Record<string, SamplingDecision> = {
      AlwaysOn: RECORD_AND_SAMPLED, AlwaysOff: NOT_RECORD, 'Ratio 0.5': RECORD_AND_SAMPLED, 'Ratio 0.25': NOT_RECORD,
      'official AlwaysOn': RECORD_AND_SAMPLED,
    };
    for (const [index, slot] of SLOTS.entries()) {
      for (const [kind, delegate] of kinds()) {
        // The other four slots get the opposite of what we expect, so a misroute shows.
        const other = expected[kind] === RECORD_AND_SAMPLED ? new AlwaysOffSampler() : new AlwaysOnSampler();
        const config = Object.fromEntries(SLOTS.map((s) => [s, s === slot ? delegate : other]));
        const sampler = new ParentBasedSampler(config as { root: Sampler });
        const { parentSampled, remote } = PARENT_STATES[index]!;
        expect(slow(sampler, parentSampled, remote, hex(id)).decision, `${kind} as ${slot}`).toBe(expected[kind]);
        if (sampler.canDecideFast) expect(sampler.decideFast(parentSampled, remote, id, 0)).toBe(expected[kind]);
      }
    }
  });

  it('treats an invalid parent span context as no parent', () => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const invalid = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: TraceFlags.SAMPLED,
    });
    expect(sampler.shouldSample(invalid, TRACE_ID, 's', 0, {}, []).decision).toBe(NOT_RECORD);
  });

  it('accepts official samplers as delegates', () => {
    const sampler = new ParentBasedSampler({ root: new OfficialRatio(1) });
    expect(sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, 's', 0, {}, []).decision).toBe(RECORD_AND_SAMPLED);
    expect(sampler.canDecideFast).toBe(false);
  });

  it('warns and uses AlwaysOn when the root is missing; describes itself like the official SDK', () => {
    const warnings: string[] = [];
    const sampler = new ParentBasedSampler({} as { root: Sampler }, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, 's', 0, {}, []).decision).toBe(RECORD_AND_SAMPLED);
    expect(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) }).toString()).toBe(
      'ParentBased{root=TraceIdRatioBased{0.5}, remoteParentSampled=AlwaysOnSampler, '
      + 'remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, '
      + 'localParentNotSampled=AlwaysOffSampler}');
  });
});

describe('fast path == slow path', () => {
  it('gives the same decision on 10k random ids and parent states for every built-in configuration', () => {
    const configurations: FastSampler[] = [
      new AlwaysOnSampler(), new AlwaysOffSampler(),
      new TraceIdRatioBasedSampler(0), new TraceIdRatioBasedSampler(0.001), new TraceIdRatioBasedSampler(0.37),
      new TraceIdRatioBasedSampler(0.5), new TraceIdRatioBasedSampler(1),
      new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      new ParentBasedSampler({ root: new AlwaysOffSampler() }),
      new ParentBasedSampler({
        root: new TraceIdRatioBasedSampler(0.2), remoteParentSampled: new TraceIdRatioBasedSampler(0.9),
        remoteParentNotSampled: new TraceIdRatioBasedSampler(0.1), localParentSampled: new AlwaysOffSampler(),
        localParentNotSampled: new AlwaysOnSampler(),
      }),
    ];
    for (const sampler of configurations) expect(sampler.canDecideFast).toBe(true);
    const next = prng(2024);
    const column = new Uint8Array(16 * 8);
    const mismatches: string[] = [];
    let compared = 0;
    for (let i = 0; i < 10_000; i++) {
      const offset = (next() % 8) * 16;
      for (let j = 0; j < 16; j++) column[offset + j] = next() & 0xff;
      const id = hex(column, offset, 16);
      const { parentSampled, remote } = PARENT_STATES[next() % PARENT_STATES.length]!;
      const context = contextWithParent(parentSampled, remote, id);
      for (const sampler of configurations) {
        const result = sampler.shouldSample(context, id, 'span', SpanKind.INTERNAL, {}, []);
        const fast = sampler.decideFast(parentSampled, remote, column, offset);
        compared++;
        if (fast !== result.decision || result.attributes !== undefined || result.traceState !== undefined) {
          mismatches.push(`${sampler} id=${id} parent=${parentSampled} remote=${remote}: fast ${fast}, slow `
            + JSON.stringify(result));
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(10_000 * configurations.length);
  });

  it('readsTraceId: only the ratio delegates read the id, and where none reads it the bytes change nothing', () => {
    const pick = (r: number): TraceIdRatioBasedSampler => new TraceIdRatioBasedSampler(r);
    const mixed = new ParentBasedSampler({
      root: pick(0.2), remoteParentSampled: new AlwaysOnSampler(), remoteParentNotSampled: pick(0.1),
      localParentSampled: new AlwaysOffSampler(), localParentNotSampled: new AlwaysOnSampler(),
    });
    const reads = (sampler: FastSampler): boolean[] =>
      PARENT_STATES.map(({ parentSampled, remote }) => sampler.readsTraceId(parentSampled, remote));
    const expectedMixed = PARENT_STATES.map(({ parentSampled, remote }) =>
      parentSampled === -1 || (remote && parentSampled === 0));
    expect(reads(mixed)).toEqual(expectedMixed);
    expect(reads(pick(0.5)).every(Boolean)).toBe(true);
    const neverRead: FastSampler[] = [
      new AlwaysOnSampler(), new AlwaysOffSampler(), new ParentBasedSampler({ root: new AlwaysOffSampler() }),
      new ParentBasedSampler({ root: new AlwaysOnSampler() }), new RateLimitingSampler(0),
    ];
    for (const sampler of neverRead) expect(reads(sampler).some(Boolean), String(sampler)).toBe(false);
    // Where a configuration does not read the id, any bytes give the decision shouldSample gives for any id.
    const next = prng(77);
    for (const sampler of [...neverRead, mixed]) {
      for (const { parentSampled, remote } of PARENT_STATES) {
        if (sampler.readsTraceId(parentSampled, remote)) continue;
        for (let i = 0; i < 50; i++) {
          const id = randomBytes(next, 16);
          const slowDecision = sampler.shouldSample(contextWithParent(parentSampled, remote, hex(id, 0, 16)),
            hex(randomBytes(next, 16), 0, 16), 'span', SpanKind.INTERNAL, {}, []).decision;
          expect(sampler.decideFast(parentSampled, remote, id, 0)).toBe(slowDecision);
        }
      }
    }
  });

  it('a sampler without readsTraceId is not fast (the tracer would not know which ids to make)', () => {
    const partial = { ...new AlwaysOffSampler(), decideFast: () => NOT_RECORD, shouldSample: () => samplingResultOf(NOT_RECORD) };
    expect(isFastSampler(partial)).toBe(false);
    expect(isFastSampler(new AlwaysOffSampler())).toBe(true);
  });

  it('gives the same decisions for the rate limiter (two buckets on one fake clock)', () => {
    let nowMs = 0;
    const clock = (): number => nowMs;
    const viaFast = new RateLimitingSampler(3, clock);
    const viaSlow = new RateLimitingSampler(3, clock);
    let sampled = 0;
    for (let i = 0; i < 10_000; i++) {
      nowMs += (i * 7919) % 13; // irregular integer steps, about 6 ms on average
      const decision = viaFast.decideFast();
      expect(decision).toBe(slow(viaSlow, -1, false, TRACE_ID).decision);
      if (decision === RECORD_AND_SAMPLED) sampled++;
    }
    expect(sampled).toBeGreaterThan(3); // the comparison saw both decisions
  });
});

describe('RateLimitingSampler', () => {
  it('samples a full bucket, then one span per 1/rate seconds: 109 of 10000 calls over 10 s at 10/s', () => {
    let nowMs = 0;
    const sampler = new RateLimitingSampler(10, () => nowMs);
    let sampled = 0;
    const sampledAt: number[] = [];
    for (nowMs = 0; nowMs < 10_000; nowMs++) {
      if (sampler.decideFast() === RECORD_AND_SAMPLED) {
        sampled++;
        sampledAt.push(nowMs);
      }
    }
    // Burst of 10 at t = 0..9 ms (each call also refills 10 milli-tokens), 90 milli-tokens left, so the next
    // token is whole at t = 100 ms and then every 100 ms up to 9900: 10 + 99.
    expect(sampled).toBe(109);
    expect(sampledAt.slice(0, 11)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100]);
    expect(sampledAt.at(-1)).toBe(9900);
  });

  it('allows exactly `rate` spans per simulated second after the first burst', () => {
    let nowMs = 0;
    const sampler = new RateLimitingSampler(7, () => nowMs);
    const perSecond: number[] = [];
    for (let second = 0; second < 5; second++) {
      let count = 0;
      for (let i = 0; i < 1000; i++) if (sampler.decideFast() === RECORD_AND_SAMPLED) count++; // same instant
      perSecond.push(count);
      nowMs += 1000;
    }
    expect(perSecond).toEqual([7, 7, 7, 7, 7]);
  });

  it('caps the burst at one second of tokens after a long idle', () => {
    let nowMs = 0;
    const sampler = new RateLimitingSampler(5, () => nowMs);
    for (let i = 0; i < 5; i++) expect(sampler.decideFast()).toBe(RECORD_AND_SAMPLED);
    expect(sampler.decideFast()).toBe(NOT_RECORD);
    nowMs = 60_000;
    let count = 0;
    for (let i = 0; i < 100; i++) if (sampler.decideFast() === RECORD_AND_SAMPLED) count++;
    expect(count).toBe(5);
  });

  it('handles rates below 1/s with a one-span bucket: 5 spans in 10 s at 0.5/s', () => {
    let nowMs = 0;
    const sampler = new RateLimitingSampler(0.5, () => nowMs);
    const sampledAt: number[] = [];
    for (nowMs = 0; nowMs < 10_000; nowMs += 10) {
      if (sampler.shouldSample().decision === RECORD_AND_SAMPLED) sampledAt.push(nowMs);
    }
    expect(sampledAt).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('never samples at rate 0; warns on invalid rates and uses 0', () => {
    let nowMs = 0;
    const warnings: string[] = [];
    for (const rate of [0, -1, Number.NaN, Infinity]) {
      const sampler = new RateLimitingSampler(rate, () => nowMs, (m) => warnings.push(m));
      for (let i = 0; i < 100; i++, nowMs += 100) expect(sampler.decideFast()).toBe(NOT_RECORD);
      expect(sampler.targetSpansPerSecond).toBe(0);
    }
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('-1');
  });

  it('mints no tokens when the clock steps back, and shares one bucket between both paths', () => {
    let nowMs = 10_000;
    const sampler = new RateLimitingSampler(2, () => nowMs);
    expect(sampler.shouldSample().decision).toBe(RECORD_AND_SAMPLED);
    expect(sampler.decideFast()).toBe(RECORD_AND_SAMPLED);
    expect(sampler.decideFast()).toBe(NOT_RECORD);
    nowMs = 5_000; // back 5 s
    expect(sampler.decideFast()).toBe(NOT_RECORD);
    nowMs = 10_499; // still before the last seen time + 500 ms
    expect(sampler.decideFast()).toBe(NOT_RECORD);
    nowMs = 10_500;
    expect(sampler.decideFast()).toBe(RECORD_AND_SAMPLED);
    expect(sampler.toString()).toBe('RateLimitingSampler{2}');
  });
});

describe('samplerFromEnv', () => {
  const collect = (): { warnings: string[]; warn: (m: string) => void } => {
    const warnings: string[] = [];
    return { warnings, warn: (m) => warnings.push(m) };
  };
  const parentBased = (root: string): string => `ParentBased{root=${root}, remoteParentSampled=AlwaysOnSampler, `
    + 'remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, '
    + 'localParentNotSampled=AlwaysOffSampler}';

  it('builds each spec sampler, case-insensitively and trimmed', () => {
    const { warnings, warn } = collect();
    const cases: [string | undefined, string | undefined, string][] = [
      [undefined, undefined, parentBased('AlwaysOnSampler')],
      ['', '0.5', parentBased('AlwaysOnSampler')],
      ['   ', undefined, parentBased('AlwaysOnSampler')],
      ['parentbased_always_on', undefined, parentBased('AlwaysOnSampler')],
      ['parentbased_always_off', undefined, parentBased('AlwaysOffSampler')],
      ['always_on', '0.1', 'AlwaysOnSampler'],
      ['ALWAYS_OFF', undefined, 'AlwaysOffSampler'],
      [' traceidratio ', ' 0.25 ', 'TraceIdRatioBased{0.25}'],
      ['traceidratio', undefined, 'TraceIdRatioBased{1}'],
      ['traceidratio', '', 'TraceIdRatioBased{1}'],
      ['traceidratio', '0', 'TraceIdRatioBased{0}'],
      ['traceidratio', '1e-3', 'TraceIdRatioBased{0.001}'],
      ['traceidratio', '.5', 'TraceIdRatioBased{0.5}'],
      ['ParentBased_TraceIdRatio', '0.1', parentBased('TraceIdRatioBased{0.1}')],
    ];
    for (const [name, arg, description] of cases) {
      expect(samplerFromEnv(name, arg, warn).toString(), `${name} ${arg}`).toBe(description);
    }
    expect(warnings).toEqual([]);
  });

  it('warns on an invalid ratio and uses 1.0', () => {
    for (const arg of ['abc', '1.5', '-0.1', '0x1', 'NaN', 'Infinity', '0.5x', '1,0']) {
      const { warnings, warn } = collect();
      expect(samplerFromEnv('traceidratio', arg, warn).toString()).toBe('TraceIdRatioBased{1}');
      expect(warnings, arg).toHaveLength(1);
      expect(warnings[0]).toContain('OTEL_TRACES_SAMPLER_ARG');
      expect(warnings[0]).toContain(arg);
    }
  });

  it('warns on an unknown sampler and uses parentbased_always_on', () => {
    for (const name of ['jaeger_remote', 'xray', 'sometimes']) {
      const { warnings, warn } = collect();
      expect(samplerFromEnv(name, undefined, warn).toString()).toBe(parentBased('AlwaysOnSampler'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(name);
      expect(warnings[0]).toContain('parentbased_always_on');
    }
  });

  it('gives fast samplers', () => {
    for (const name of ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on',
      'parentbased_always_off', 'parentbased_traceidratio']) {
      expect(isFastSampler(samplerFromEnv(name, '0.5'))).toBe(true);
    }
  });
});
