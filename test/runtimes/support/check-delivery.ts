// Owns the matrix's verdict: every span a runtime recorded (test/runtimes/scenario/trace-scenario.ts) arrived exactly
// once over OTLP/HTTP with gzip, and every field the oracle (test/support/otlp-decode.ts) decoded matches it.
// Never trusts the SDK's own view: only what the loopback receiver took off the wire.
import { expect } from 'vitest';
import type { DecodedAnyValue, DecodedKeyValue, LocatedSpan } from '../../support/otlp-decode.js';
import type { ReceivedRequest } from '../../support/otlp-fake-receiver.js';
import type {
  ExpectedAnyValue, ExpectedKeyValue, ExpectedTime, ScenarioRecording,
} from '../scenario/trace-scenario.js';

/** Slack for "now" times: the SDK's clock (performance.timeOrigin + now()) and Date.now() may disagree a little. */
const NOW_SLACK_MS = 1000;

function toExpected(value: DecodedAnyValue): ExpectedAnyValue {
  if ('stringValue' in value) return { stringValue: value.stringValue };
  if ('boolValue' in value) return { boolValue: value.boolValue };
  if ('intValue' in value) return { intValue: value.intValue.toString() };
  if ('doubleValue' in value) return { doubleValue: value.doubleValue };
  if ('arrayValue' in value) return { arrayValue: value.arrayValue.map(toExpected) };
  if (Object.keys(value).length === 0) return {};
  throw new Error(`unexpected AnyValue on the wire: ${Object.keys(value).join(',')}`);
}

/** Attributes as a key-sorted list (OTLP attributes are a map: order is not meaningful, duplicates are). */
function attributeList(attributes: DecodedKeyValue[], where: string): ExpectedKeyValue[] {
  const keys = attributes.map((kv) => kv.key);
  expect(new Set(keys).size, `${where}: duplicate attribute keys ${keys.join(',')}`).toBe(keys.length);
  return attributes.map((kv) => ({ key: kv.key, value: toExpected(kv.value) })).sort(byKey);
}

function byKey(a: ExpectedKeyValue, b: ExpectedKeyValue): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function checkTime(actualNs: bigint, expected: ExpectedTime, where: string): void {
  if ('exactNs' in expected) {
    expect(actualNs.toString(), where).toBe(expected.exactNs);
    return;
  }
  const actualMs = Number(actualNs / 1_000_000n);
  expect(actualMs, `${where} (${actualNs} ns) after ${expected.afterMs} ms`).toBeGreaterThanOrEqual(expected.afterMs - NOW_SLACK_MS);
  expect(actualMs, `${where} (${actualNs} ns) before ${expected.beforeMs} ms`).toBeLessThanOrEqual(expected.beforeMs + NOW_SLACK_MS);
}

/** What the receiver got, per request: always gzip, always a well-formed OTLP body. */
export function checkRequests(requests: readonly ReceivedRequest[]): void {
  expect(requests.length, 'OTLP requests received').toBeGreaterThan(0);
  for (const request of requests) {
    expect(request.headers['content-type'], `request ${request.index} content-type`).toBe('application/x-protobuf');
    expect(request.headers['content-encoding'], `request ${request.index} content-encoding`).toBe('gzip');
    // RFC 1952 magic: the body really is gzip (not merely labelled so).
    expect([request.raw[0], request.raw[1]], `request ${request.index} gzip magic`).toEqual([0x1f, 0x8b]);
    expect(request.decodeError, `request ${request.index} decodes`).toBeUndefined();
  }
}

/**
 * Asserts that `received` holds exactly the recording's spans, once each, with every field as recorded:
 * ids, parent, trace state, flags, name, kind, times, attributes, events, links, status, dropped counts (0),
 * resource and scope.
 */
export function checkDelivery(recording: ScenarioRecording, received: readonly LocatedSpan[]): void {
  const where = `[${recording.runtime}]`;
  const byId = new Map<string, LocatedSpan>();
  for (const located of received) {
    expect(byId.has(located.span.spanId), `${where} span ${located.span.spanId} delivered twice`).toBe(false);
    byId.set(located.span.spanId, located);
  }
  expect([...byId.keys()].sort(), `${where} delivered span ids`).toEqual(recording.spans.map((s) => s.spanId).sort());

  for (const expected of recording.spans) {
    const located = byId.get(expected.spanId)!;
    const span = located.span;
    const at = `${where} span '${expected.name}'`;

    const resource = attributeList(located.resource.attributes, `${at} resource`);
    for (const kv of recording.resource) expect(resource.find((r) => r.key === kv.key), `${at} resource ${kv.key}`).toEqual(kv);
    expect(resource.find((r) => r.key === 'telemetry.sdk.name'), `${at} telemetry.sdk.name`)
      .toEqual({ key: 'telemetry.sdk.name', value: { stringValue: 'spanwire' } });
    expect(located.resource.droppedAttributesCount, `${at} resource dropped`).toBe(0);
    expect({ name: located.scope.name, version: located.scope.version, schemaUrl: located.scopeSchemaUrl }, `${at} scope`)
      .toEqual(recording.scope);

    expect({
      traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, traceState: span.traceState,
      flags: span.flags, name: span.name, kind: span.kind, status: span.status,
    }, `${at} identity`).toEqual({
      traceId: expected.traceId, spanId: expected.spanId, parentSpanId: expected.parentSpanId,
      traceState: expected.traceState, flags: expected.flags, name: expected.name, kind: expected.kind, status: expected.status,
    });
    checkTime(span.startTimeUnixNano, expected.start, `${at} start`);
    checkTime(span.endTimeUnixNano, expected.end, `${at} end`);
    expect(span.endTimeUnixNano >= span.startTimeUnixNano, `${at} ends after it starts`).toBe(true);
    expect(attributeList(span.attributes, at), `${at} attributes`).toEqual([...expected.attributes].sort(byKey));
    expect([span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount], `${at} dropped counts`).toEqual([0, 0, 0]);

    expect(span.events.map((e) => e.name), `${at} events`).toEqual(expected.events.map((e) => e.name));
    span.events.forEach((event, i) => {
      const want = expected.events[i]!;
      checkTime(event.timeUnixNano, want.time, `${at} event '${want.name}' time`);
      expect(attributeList(event.attributes, `${at} event`), `${at} event '${want.name}' attributes`).toEqual([...want.attributes].sort(byKey));
      expect(event.droppedAttributesCount, `${at} event dropped`).toBe(0);
    });

    expect(span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, flags: l.flags })), `${at} links`)
      .toEqual(expected.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, flags: l.flags })));
    span.links.forEach((link, i) => {
      expect(attributeList(link.attributes, `${at} link`), `${at} link ${i} attributes`).toEqual([...expected.links[i]!.attributes].sort(byKey));
      expect(link.droppedAttributesCount, `${at} link dropped`).toBe(0);
    });
  }
}
