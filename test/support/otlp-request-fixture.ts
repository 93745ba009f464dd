// A fixed ExportTraceServiceRequest for transport tests, encoded by protobufjs from the spec-written schema (never by
// spanwire), so a transport test checks bytes it did not produce. Must stay deterministic: tests compare it byte for byte.
import { TYPE_NAMES, messageType } from './otlp-trace-schema.js';

/** Spans in the fixture request: 40 spans of near-identical content, repetitive enough that gzip shrinks them. */
export const REQUEST_SPAN_COUNT = 40;

/** The fixture request (spans `span-0` … `span-39`, one trace) under a resource with this service.name. */
export function exportRequestBody(serviceName: string): Uint8Array {
  const type = messageType(TYPE_NAMES.exportTraceServiceRequest);
  const spans = Array.from({ length: REQUEST_SPAN_COUNT }, (_, i) => ({
    traceId: Uint8Array.from({ length: 16 }, (_, b) => b + 1),
    spanId: Uint8Array.from({ length: 8 }, (_, b) => (b === 7 ? i + 1 : 0xaa)),
    name: `span-${i}`,
    kind: 2,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
    endTimeUnixNano: String(1_700_000_000_000_500_000n + BigInt(i)),
    attributes: [{ key: 'http.route', value: { stringValue: '/api/v1/orders/{id}' } }],
  }));
  const request = type.fromObject({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
      scopeSpans: [{ scope: { name: 'spanwire-test' }, spans }],
    }],
  });
  return Uint8Array.from(type.encode(request).finish());
}
