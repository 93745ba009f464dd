// Owns the one tracing scenario every runtime of the matrix runs (Node, Deno, Bun, workerd, Chromium page/worker):
// spans through @opentelemetry/api with every attribute kind, multi-byte UTF-8, events, links, status, kinds,
// local and remote parents, and a record of what OTLP (trace/v1, common/v1) must carry for each of them.
// Portable: imports only @opentelemetry/api; never imports spanwire (the expectations are written from the spec).
import {
  type Attributes, type AttributeValue, type Context, type HrTime, type Link, ROOT_CONTEXT, type Span,
  type SpanContext, SpanKind, SpanStatusCode, type TimeInput, type Tracer, type TracerProvider, createTraceState,
  trace,
} from '@opentelemetry/api';

/** An OTLP AnyValue as JSON: int64 as a decimal string (JSON has no 64-bit integers), {} for an empty value. */
export type ExpectedAnyValue =
  | Record<string, never>
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: ExpectedAnyValue[] };

export interface ExpectedKeyValue {
  key: string;
  value: ExpectedAnyValue;
}

/**
 * A time the span must carry: exact Unix nanoseconds (decimal) when the scenario passed one, otherwise the
 * wall-clock window (Date.now() before and after the call, ms) that a "now" time must fall in.
 */
export type ExpectedTime = { exactNs: string } | { afterMs: number; beforeMs: number };

export interface ExpectedEvent {
  name: string;
  time: ExpectedTime;
  attributes: ExpectedKeyValue[];
}

export interface ExpectedLink {
  traceId: string;
  spanId: string;
  traceState: string;
  /** OTLP Span.Link.flags: W3C flags in bits 0-7, bit 8 = "is_remote known", bit 9 = is_remote. */
  flags: number;
  attributes: ExpectedKeyValue[];
}

export interface ExpectedSpan {
  name: string;
  /** trace.v1.Span.SpanKind number (API SpanKind + 1: the API starts at INTERNAL = 0). */
  kind: number;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  /** OTLP Span.flags: W3C flags in bits 0-7, bit 8 = "parent is_remote known", bit 9 = parent is remote. */
  flags: number;
  start: ExpectedTime;
  end: ExpectedTime;
  attributes: ExpectedKeyValue[];
  events: ExpectedEvent[];
  links: ExpectedLink[];
  /** trace.v1.Status.StatusCode number and message ('' unless ERROR). */
  status: { code: number; message: string };
}

/** What a runtime hands back to the test after running the scenario. */
export interface ScenarioRecording {
  runtime: string;
  scope: { name: string; version: string; schemaUrl: string };
  /** Resource attributes the runtime configured and that must be on the wire exactly. */
  resource: ExpectedKeyValue[];
  spans: ExpectedSpan[];
  /** `navigator.userAgent` or the runtime's version string, for the test log. */
  runtimeVersion: string;
}

/** Instrumentation scope of every scenario span. */
export const SCENARIO_SCOPE = { name: 'runtime-matrix/scenario ✓', version: '1.2.3', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' };
export const SCENARIO_SERVICE_NAME = 'runtime-matrix';

/** The resource each runtime entry configures (plus service.name), so it can be checked exactly. */
export function scenarioResource(runtime: string): Record<string, string> {
  return { 'runtime.name': runtime, 'deployment.environment.name': 'ci-ümgebung' };
}

/** Resource attributes the scenario expects on the wire (the SDK adds telemetry.sdk.*, checked separately). */
export function expectedResource(runtime: string): ExpectedKeyValue[] {
  return [
    { key: 'service.name', value: { stringValue: SCENARIO_SERVICE_NAME } },
    ...Object.entries(scenarioResource(runtime)).map(([key, value]) => ({ key, value: { stringValue: value } })),
  ];
}

// Multi-byte UTF-8: 2 bytes (ü, é), 3 bytes (世界, —, ✓), 4 bytes (🚀, 𝄞), a combining mark (e + U+0301).
const UTF8_TEXT = 'Grüße, 世界 🚀 — naïve café 𝄞 e\u0301';

/** One attribute of every kind the OTel API allows: scalar string/bool/int/double and homogeneous arrays. */
const EVERY_KIND: Attributes = {
  'str': 'plain ascii',
  'str.utf8': UTF8_TEXT,
  'str.empty': '',
  'bool.true': true,
  'bool.false': false,
  'int': 42,
  'int.negative': -7,
  'int.zero': 0,
  'int.max_safe': Number.MAX_SAFE_INTEGER,
  'int.2^62': 2 ** 62,
  'double': 3.25,
  'double.negative': -0.5,
  'double.tiny': 5e-324,
  // An integer-valued double beyond int64: OTLP int_value cannot hold it, so it stays a double.
  'double.beyond_int64': 1e300,
  'arr.str': ['a', 'ü', '🚀', ''],
  'arr.bool': [true, false, true],
  'arr.int': [1, -2, 3],
  'arr.double': [1.5, -2.25],
  'arr.empty': [],
  // null entries of an array are empty AnyValues (as the official OTLP transformer writes them).
  'arr.with_null': ['x', null, 'y'] as unknown as AttributeValue,
  'clé.名前.🔑': 'value under a multi-byte key',
};

const INT64_LIMIT = 2 ** 63;

/** The OTLP AnyValue of one API attribute value, from the OTLP/OTel JS convention (integer numbers are int_value). */
export function expectedAnyValue(value: unknown): ExpectedAnyValue {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT) return { intValue: BigInt(value).toString() };
    return { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: value.map(expectedAnyValue) };
  throw new Error(`scenario bug: no OTLP value for ${String(value)}`);
}

function expectedAttributes(attributes: Attributes): ExpectedKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: expectedAnyValue(value) }));
}

/** Unix ns of an HrTime, exactly (BigInt only here, in the test's own bookkeeping). */
function hrTimeNs(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

function msNs(epochMs: number): string {
  return (BigInt(epochMs) * 1_000_000n).toString();
}

/** Records the wall-clock window around `action` for a time the SDK takes itself. */
function windowAround<T>(action: () => T): { result: T; time: ExpectedTime } {
  const afterMs = Date.now();
  const result = action();
  return { result, time: { afterMs, beforeMs: Date.now() } };
}

// OTLP Span.flags / Link.flags bits (trace/v1 SpanFlags).
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

/** OTLP kind number for an API SpanKind (the API counts from INTERNAL = 0, OTLP from UNSPECIFIED = 0). */
function otlpKind(kind: SpanKind): number {
  return kind + 1;
}

/** A span under construction and what the wire must show for it. */
class RecordedSpan {
  readonly expected: ExpectedSpan;

  constructor(readonly span: Span, name: string, kind: SpanKind, parent: SpanContext | undefined, start: ExpectedTime,
    attributes: Attributes, links: Link[]) {
    const own = span.spanContext();
    this.expected = {
      name, kind: otlpKind(kind), traceId: own.traceId, spanId: own.spanId,
      parentSpanId: parent?.spanId ?? '',
      traceState: own.traceState?.serialize() ?? '',
      flags: (own.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (parent?.isRemote === true ? FLAGS_IS_REMOTE : 0),
      start, end: start,
      attributes: expectedAttributes(attributes),
      events: [],
      links: links.map((link) => ({
        traceId: link.context.traceId, spanId: link.context.spanId,
        traceState: link.context.traceState?.serialize() ?? '',
        flags: (link.context.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (link.context.isRemote === true ? FLAGS_IS_REMOTE : 0),
        attributes: expectedAttributes(link.attributes ?? {}),
      })),
      status: { code: 0, message: '' },
    };
  }

  setAttributes(attributes: Attributes): this {
    this.span.setAttributes(attributes);
    for (const [key, value] of Object.entries(attributes)) {
      const existing = this.expected.attributes.find((kv) => kv.key === key);
      if (existing !== undefined) existing.value = expectedAnyValue(value);
      else this.expected.attributes.push({ key, value: expectedAnyValue(value) });
    }
    return this;
  }

  event(name: string, attributes?: Attributes, time?: HrTime): this {
    if (time !== undefined) {
      this.span.addEvent(name, attributes, time);
      this.expected.events.push({ name, time: { exactNs: hrTimeNs(time) }, attributes: expectedAttributes(attributes ?? {}) });
    } else {
      const { time: window } = windowAround(() => this.span.addEvent(name, attributes));
      this.expected.events.push({ name, time: window, attributes: expectedAttributes(attributes ?? {}) });
    }
    return this;
  }

  status(code: SpanStatusCode, message?: string): this {
    this.span.setStatus(message === undefined ? { code } : { code, message });
    // OTLP carries the message only with ERROR (the API spec ignores it for OK and UNSET).
    this.expected.status = { code, message: code === SpanStatusCode.ERROR ? message ?? '' : '' };
    return this;
  }

  end(time?: TimeInput): ExpectedSpan {
    if (time === undefined) {
      this.expected.end = windowAround(() => this.span.end()).time;
    } else {
      this.span.end(time);
      this.expected.end = { exactNs: timeInputNs(time) };
    }
    return this.expected;
  }
}

function timeInputNs(time: TimeInput): string {
  if (Array.isArray(time)) return hrTimeNs(time as HrTime);
  if (time instanceof Date) return msNs(time.getTime());
  if (typeof time === 'number') return msNs(time);
  throw new Error('scenario bug: unsupported time input');
}

function startSpan(tracer: Tracer, name: string, kind: SpanKind, parentContext: Context, options: {
  startTime?: TimeInput; attributes?: Attributes; links?: Link[];
} = {}): RecordedSpan {
  const parent = trace.getSpanContext(parentContext);
  const attributes = options.attributes ?? {};
  const links = options.links ?? [];
  const spanOptions = { kind, attributes, links, ...(options.startTime === undefined ? {} : { startTime: options.startTime }) };
  if (options.startTime !== undefined) {
    const span = tracer.startSpan(name, spanOptions, parentContext);
    return new RecordedSpan(span, name, kind, parent, { exactNs: timeInputNs(options.startTime) }, attributes, links);
  }
  const { result: span, time } = windowAround(() => tracer.startSpan(name, spanOptions, parentContext));
  return new RecordedSpan(span, name, kind, parent, time, attributes, links);
}

/** A fixed remote parent (as if extracted from a traceparent header) with a tracestate. */
const REMOTE_PARENT: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
  isRemote: true,
  traceState: createTraceState('vendor=abc,other=x-1'),
};

/** A link target in another trace: remote, not sampled, with its own tracestate. */
const LINKED_REMOTE: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 0,
  isRemote: true,
  traceState: createTraceState('congo=t61rcWkgMzE'),
};

/**
 * Runs the scenario on `provider` through @opentelemetry/api and returns what the wire must carry. The spans are
 * only ended here: exporting them (flush, waitUntil, pagehide) is the caller's business.
 */
export function runTraceScenario(provider: TracerProvider, runtime: string, runtimeVersion: string): ScenarioRecording {
  const tracer = provider.getTracer(SCENARIO_SCOPE.name, SCENARIO_SCOPE.version, { schemaUrl: SCENARIO_SCOPE.schemaUrl });
  const spans: ExpectedSpan[] = [];

  // A SERVER root with an exact HrTime start (nanosecond precision), every attribute kind, two events.
  const root = startSpan(tracer, 'GET /api/orders/:id', SpanKind.SERVER, ROOT_CONTEXT, {
    startTime: [1_767_225_600, 123_456_789], attributes: EVERY_KIND,
  });
  root.setAttributes({ 'http.response.status_code': 200, 'str.utf8': `${UTF8_TEXT} (replaced)` });
  root.event('cache.lookup', { 'cache.hit': false, 'cache.key': 'order:42 ✓', 'cache.shards': [1, 2] }, [1_767_225_600, 223_456_789]);
  root.event('no-attributes');
  const rootContext = trace.setSpan(ROOT_CONTEXT, root.span);

  // A CLIENT child (local parent) with a link to a remote span, ERROR status with a multi-byte message.
  const client = startSpan(tracer, 'SELECT orders', SpanKind.CLIENT, rootContext, {
    attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM orders WHERE id = $1', 'arr.int': [7] },
    links: [{ context: LINKED_REMOTE, attributes: { 'link.reason': 'retry of ⟳', 'link.attempt': 2 } }],
  });
  client.event('retry', { attempt: 1, 'backoff.ms': 12.5 });
  client.status(SpanStatusCode.ERROR, 'deadline exceeded ⏱');
  spans.push(client.end());
  // Calls after end() change nothing on the wire.
  client.span.setAttribute('after.end', 'ignored');

  // A PRODUCER child with Date times (millisecond precision) and a link to its sibling (local, sampled).
  const producer = startSpan(tracer, 'orders publish', SpanKind.PRODUCER, rootContext, {
    startTime: new Date(1_767_225_600_300),
    links: [{ context: client.span.spanContext() }],
  });
  producer.status(SpanStatusCode.OK);
  spans.push(producer.end(new Date(1_767_225_600_350)));

  // An INTERNAL grandchild with epoch-millisecond number times. The API reads a number at or below
  // performance.timeOrigin as performance.now() milliseconds, so an unambiguous epoch number lies after now.
  const epochMs = Math.floor(Date.now()) + 60_000;
  const internal = startSpan(tracer, 'render invoice 🧾', SpanKind.INTERNAL, trace.setSpan(rootContext, producer.span), {
    startTime: epochMs,
  });
  internal.setAttributes({ 'invoice.lines': 3, 'invoice.total': 99.95 });
  spans.push(internal.end(epochMs + 10));

  root.status(SpanStatusCode.OK);
  spans.push(root.end([1_767_225_600, 987_654_321]));

  // A CONSUMER span whose parent is remote: inherits the remote trace id and tracestate; flags say "remote".
  const consumer = startSpan(tracer, 'orders process', SpanKind.CONSUMER, trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT), {
    attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': 3 },
    links: [{ context: REMOTE_PARENT, attributes: {} }, { context: root.span.spanContext(), attributes: { 'link.kind': 'origin' } }],
  });
  consumer.event('message', { 'messaging.message.id': 'ß-1' });
  spans.push(consumer.end());

  return {
    runtime, runtimeVersion, scope: SCENARIO_SCOPE, resource: expectedResource(runtime), spans,
  };
}

/**
 * The async-context part, for runtimes with an AsyncLocalStorage context manager (Node, Deno, Bun): a SERVER span
 * made active by startActiveSpan, then, after a macrotask and a microtask hop, a child started with NO explicit
 * context. The expectation names the active span as parent, so a context manager that loses it across `await`
 * (the stack fallback) fails the check instead of agreeing with itself.
 */
export async function runAsyncContextScenario(provider: TracerProvider): Promise<ExpectedSpan[]> {
  const tracer = provider.getTracer(SCENARIO_SCOPE.name, SCENARIO_SCOPE.version, { schemaUrl: SCENARIO_SCOPE.schemaUrl });
  const afterMs = Date.now();
  return tracer.startActiveSpan('handle request (async)', { kind: SpanKind.SERVER }, async (active) => {
    const handler = new RecordedSpan(active, 'handle request (async)', SpanKind.SERVER, undefined,
      { afterMs, beforeMs: Date.now() }, {}, []);
    await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.resolve();
    const { result: span, time } = windowAround(() => tracer.startSpan('after await', { attributes: { 'await.hops': 2 } }));
    const child = new RecordedSpan(span, 'after await', SpanKind.INTERNAL, active.spanContext(), time, { 'await.hops': 2 }, []);
    return [child.end(), handler.end()];
  });
}
