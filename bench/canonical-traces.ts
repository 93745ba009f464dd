// Records the canonical workload (DESIGN.md) through @opentelemetry/api only: the same code drives every SDK in
// every benchmark. Owns the per-request strings and the span decoration; never touches an SDK directly.
import { type Span, SpanKind, type SpanOptions, type SpanStatus, SpanStatusCode, type Tracer, context, trace }
  from '@opentelemetry/api';
import {
  CANONICAL_WORKLOAD, ORDER_ID_CARDINALITY, URL_PATH_ATTRIBUTE_INDEX, XorShift32, cacheKeyFor, urlPathFor,
} from './canonical-workload.js';

const [A_METHOD, A_PATH, A_ROUTE, A_STATUS, A_ADDRESS, A_PORT, A_AGENT, A_CACHE_HIT] =
  CANONICAL_WORKLOAD.spanAttributes;
if (A_PATH !== CANONICAL_WORKLOAD.spanAttributes[URL_PATH_ATTRIBUTE_INDEX] || A_CACHE_HIT === undefined ||
  CANONICAL_WORKLOAD.eventAttributeKey !== 'cache.key') {
  throw new Error('canonical-workload.ts changed shape: update decorate() in canonical-traces.ts');
}
// Constant options and status are hoisted, as instrumentations do; the event's attributes carry a per-span value,
// so they stay an object literal per call, which is what instrumentation code allocates.
const SERVER_OPTIONS: SpanOptions = { kind: SpanKind.SERVER };
const CLIENT_OPTIONS: SpanOptions = { kind: SpanKind.CLIENT };
const STATUS_OK: SpanStatus = { code: SpanStatusCode.OK };

/**
 * The per-trace dynamic strings, built once: a request's url.path and cache key are the application's strings,
 * not the SDK's, so building them inside the timed loop would charge both SDKs ~40 bytes per trace of garbage
 * that is not theirs. 1000 order ids, as in CanonicalTraceSource. Flattened, as the strings an HTTP parser hands
 * out are: '/api/orders/' + id is a V8 cons string, which cost spanwire's interning ~25 ns more per Map lookup
 * here (73 vs 50 ns) and the official SDK nothing (it only keeps the reference).
 */
export class OrderPicker {
  readonly urlPaths: string[] = [];
  readonly cacheKeys: string[] = [];
  private readonly prng: XorShift32;

  constructor(seed: number) {
    this.prng = new XorShift32(seed);
    const flat = (str: string): string => JSON.parse(JSON.stringify(str)) as string;
    for (let i = 0; i < ORDER_ID_CARDINALITY; i++) {
      this.urlPaths.push(flat(urlPathFor(10000 + i)));
      this.cacheKeys.push(flat(cacheKeyFor(10000 + i)));
    }
  }

  next(): number {
    return this.prng.nextBelow(ORDER_ID_CARDINALITY);
  }
}

/** The 8 canonical attributes, the cache.lookup event and status OK: what every canonical span gets. */
function decorate(span: Span, urlPath: string, cacheKey: string): void {
  span.setAttribute(A_METHOD!.key, A_METHOD!.value);
  span.setAttribute(A_PATH!.key, urlPath);
  span.setAttribute(A_ROUTE!.key, A_ROUTE!.value);
  span.setAttribute(A_STATUS!.key, A_STATUS!.value);
  span.setAttribute(A_ADDRESS!.key, A_ADDRESS!.value);
  span.setAttribute(A_PORT!.key, A_PORT!.value);
  span.setAttribute(A_AGENT!.key, A_AGENT!.value);
  span.setAttribute(A_CACHE_HIT!.key, A_CACHE_HIT!.value);
  span.addEvent(CANONICAL_WORKLOAD.eventName, { 'cache.key': cacheKey });
  span.setStatus(STATUS_OK);
}

/**
 * `traces` canonical traces on `tracer`: a SERVER root, then 3 CLIENT children whose parent is passed explicitly
 * (`trace.setSpan(context.active(), root)`), each ended in turn, then the root ends. Times come from each SDK's
 * own clock, as in production instrumentation.
 */
export function recordCanonicalTraces(tracer: Tracer, orders: OrderPicker, traces: number): void {
  const rootName = CANONICAL_WORKLOAD.rootSpanName;
  const childName = CANONICAL_WORKLOAD.childSpanName;
  const children = CANONICAL_WORKLOAD.childrenPerTrace;
  for (let t = 0; t < traces; t++) {
    const order = orders.next();
    const urlPath = orders.urlPaths[order]!;
    const cacheKey = orders.cacheKeys[order]!;
    const root = tracer.startSpan(rootName, SERVER_OPTIONS);
    decorate(root, urlPath, cacheKey);
    const parent = trace.setSpan(context.active(), root);
    for (let c = 0; c < children; c++) {
      const child = tracer.startSpan(childName, CLIENT_OPTIONS, parent);
      decorate(child, urlPath, cacheKey);
      child.end();
    }
    root.end();
  }
}
