// The canonical benchmark workload of DESIGN.md ("Canonical benchmark workload") as one typed object, plus the
// seeded PRNG and per-trace dynamic fields every benchmark records from. It only describes spans; it must never
// time anything or depend on either SDK, so both sides of a comparison record byte-for-byte the same workload.

/** An attribute value as the workload sets it through `Span.setAttribute` (string, int or bool only). */
export type CanonicalAttributeValue = string | number | boolean;

/** One canonical span attribute; `url.path` is the only one whose value changes per trace (see `urlPathFor`). */
export interface CanonicalAttribute {
  readonly key: string;
  readonly value: CanonicalAttributeValue;
}

/** The fixed part of the canonical workload. */
export interface CanonicalWorkload {
  /** Resource attributes, in the order DESIGN.md lists them; `process.pid` is this process's pid. */
  readonly resourceAttributes: Readonly<Record<string, string | number>>;
  readonly scopeName: string;
  readonly scopeVersion: string;
  /** SERVER root span name (one per trace). */
  readonly rootSpanName: string;
  /** CLIENT child span name; each child gets the root as explicit parent. */
  readonly childSpanName: string;
  readonly childrenPerTrace: number;
  readonly spansPerTrace: number;
  /** The 8 attributes every span gets, in call order; `url.path` holds the DESIGN.md example value. */
  readonly spanAttributes: readonly CanonicalAttribute[];
  readonly eventName: string;
  readonly eventAttributeKey: string;
  /** Spans per export batch: 512 = 128 traces of 4 spans. */
  readonly batchSpans: number;
  readonly tracesPerBatch: number;
  /** DESIGN.md's size estimate, printed next to measured bytes so a large gap stands out. */
  readonly expectedProtobufBytesPerSpan: number;
}

/** 70 characters, a current Firefox on Linux; the length is part of the canonical size (~450 bytes/span). */
export const FIREFOX_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

const BATCH_SPANS = 512;
const SPANS_PER_TRACE = 4;

/** The canonical workload of DESIGN.md; every benchmark and comparison uses it. */
export const CANONICAL_WORKLOAD: CanonicalWorkload = {
  resourceAttributes: {
    'service.name': 'orders',
    'service.version': '1.4.2',
    'deployment.environment.name': 'prod',
    'host.name': 'web-7',
    'process.pid': typeof process === 'object' ? process.pid : 4242,
    'telemetry.sdk.language': 'nodejs',
  },
  scopeName: 'bench',
  scopeVersion: '1.0.0',
  rootSpanName: 'GET /api/orders/:id',
  childSpanName: 'SELECT orders',
  childrenPerTrace: SPANS_PER_TRACE - 1,
  spansPerTrace: SPANS_PER_TRACE,
  spanAttributes: [
    { key: 'http.request.method', value: 'GET' },
    { key: 'url.path', value: '/api/orders/12345' },
    { key: 'http.route', value: '/api/orders/:id' },
    { key: 'http.response.status_code', value: 200 },
    { key: 'server.address', value: 'orders.internal.example' },
    { key: 'server.port', value: 8080 },
    { key: 'user_agent.original', value: FIREFOX_USER_AGENT },
    { key: 'app.cache_hit', value: true },
  ],
  eventName: 'cache.lookup',
  eventAttributeKey: 'cache.key',
  batchSpans: BATCH_SPANS,
  tracesPerBatch: BATCH_SPANS / SPANS_PER_TRACE,
  expectedProtobufBytesPerSpan: 450,
};

/** Index of `url.path` in `spanAttributes`: the one attribute whose value the trace source varies. */
export const URL_PATH_ATTRIBUTE_INDEX = 1;

/**
 * Order ids are 5 digits (10000 + n) so `/api/orders/<id>` and `orders:<id>` keep the byte length of the
 * canonical `12345`; 1000 distinct ids is high enough cardinality that no encoder can cache one string, low
 * enough that an intern table sized at configuration time is not flooded by the benchmark alone.
 */
export const ORDER_ID_CARDINALITY = 1000;
const ORDER_ID_BASE = 10000;

/** `url.path` for an order id, e.g. `/api/orders/10042`. */
export function urlPathFor(orderId: number): string {
  return '/api/orders/' + orderId;
}

/** `cache.key` event attribute for an order id, e.g. `orders:10042`. */
export function cacheKeyFor(orderId: number): string {
  return 'orders:' + orderId;
}

/**
 * Marsaglia xorshift32 (13, 17, 5): deterministic ids and dynamic fields from a seed, so two recorders given
 * the same seed see the same traces. Not cryptographic; period 2^32 - 1, far beyond any benchmark.
 */
export class XorShift32 {
  private state: number;

  /** `seed` 0 would be a fixed point of xorshift, so it is replaced by a constant. */
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Integer in [0, bound); modulo bias is below 2^-22 for the bounds used here (≤ 1000). */
  nextBelow(bound: number): number {
    return this.nextU32() % bound;
  }

  /** Fills `bytes` with pseudo-random bytes, 4 per step. */
  fillBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += 4) {
      const word = this.nextU32();
      for (let b = 0; b < 4 && i + b < bytes.length; b++) bytes[i + b] = (word >>> (b * 8)) & 0xff;
    }
  }

  /**
   * Lower-case hex id of `byteLen` bytes, never all zero (W3C trace context forbids all-zero ids).
   * Allocates a string: for the official SDK's `IdGenerator`, which recording calls outside any timed section.
   */
  hexId(byteLen: number): string {
    let hex = '';
    for (let i = 0; i < byteLen; i += 4) hex += ((this.nextU32() | 1) >>> 0).toString(16).padStart(8, '0');
    return hex.slice(0, byteLen * 2);
  }
}

/**
 * Per-trace dynamic fields, regenerated by `next()` into the same fields (no allocation beyond the two strings):
 * an order id, and start/end times on a synthetic clock that advances 20–84 µs between traces. Times are
 * milliseconds on the `performance.now()` scale; add `performance.timeOrigin` for epoch milliseconds.
 *
 *   root      |rootStartMs ------------------------------------------------------------ rootEndMs|
 *   child i        |childStartMs[i] --- childEndMs[i]|   (children in sequence, each 30–285 µs)
 */
export class CanonicalTraceSource {
  orderId = ORDER_ID_BASE;
  urlPath = urlPathFor(ORDER_ID_BASE);
  cacheKey = cacheKeyFor(ORDER_ID_BASE);
  rootStartMs = 0;
  rootEndMs = 0;
  readonly childStartMs: Float64Array;
  readonly childEndMs: Float64Array;
  private clockMs: number;
  private readonly prng: XorShift32;

  /** `startMs` is where the synthetic clock begins, e.g. `performance.now()` at setup. */
  constructor(seed: number, startMs: number) {
    this.prng = new XorShift32(seed);
    this.clockMs = startMs;
    this.childStartMs = new Float64Array(CANONICAL_WORKLOAD.childrenPerTrace);
    this.childEndMs = new Float64Array(CANONICAL_WORKLOAD.childrenPerTrace);
  }

  /** Advances to the next trace's order id and timestamps. */
  next(): void {
    const prng = this.prng;
    this.orderId = ORDER_ID_BASE + prng.nextBelow(ORDER_ID_CARDINALITY);
    this.urlPath = urlPathFor(this.orderId);
    this.cacheKey = cacheKeyFor(this.orderId);
    this.clockMs += 0.02 + prng.nextBelow(64) / 1000;
    this.rootStartMs = this.clockMs;
    let t = this.clockMs + 0.005 + prng.nextBelow(16) / 1000;
    for (let i = 0; i < this.childStartMs.length; i++) {
      this.childStartMs[i] = t;
      t += 0.03 + prng.nextBelow(256) / 1000;
      this.childEndMs[i] = t;
      t += 0.002;
    }
    this.rootEndMs = t + 0.01;
    this.clockMs = this.rootEndMs;
  }
}
