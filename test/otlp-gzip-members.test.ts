// Requests made of several gzip members (otlp-trace-exporter.ts: parts of ~64 KiB of protobuf, each gzipped in its
// own macrotask, gathered into ~256 KiB requests): each member is a whole ExportTraceServiceRequest, the body
// inflates (node:zlib reads every member) to their concatenation, which protobuf parses as their merge, and a
// receiver decoding it with the independent decoder sees every span once.
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { decodeExportTraceRequest, listSpans } from './support/otlp-decode.js';
import { useFakeHttpReceiver } from './support/otlp-fake-receiver.js';

/** Splits a gzip body into its members' inflated bytes (our members carry no optional header fields). */
function inflateMembers(raw: Uint8Array): Uint8Array[] {
  const members: Uint8Array[] = [];
  let at = 0;
  while (at < raw.length) {
    expect([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]).toEqual([0x1f, 0x8b, 8, 0]);
    const { buffer, engine } = inflateRawSync(raw.subarray(at + 10), { info: true }) as unknown as {
      buffer: Buffer; engine: { bytesWritten: number };
    };
    members.push(new Uint8Array(buffer));
    at += 10 + engine.bytesWritten + 8;
  }
  expect(at).toBe(raw.length);
  return members;
}

describe('multi-member gzip requests', () => {
  const receiver = useFakeHttpReceiver();

  it('sends a 512-span batch as one request of several members, each a whole request, every span once', async () => {
    const provider = new SpanwireTracerProvider({
      serviceName: 'members',
      exporter: new OtlpTraceExporter({ transport: createHttpTransport({ url: receiver.url }) }),
      batch: { maxExportBatchSize: 512, scheduledDelayMs: 60_000 },
    });
    const tracer = provider.getTracer('members-test');
    const path = '/api/orders/12345'.padEnd(200, 'x'); // ~450 B of protobuf per span, as the canonical span
    for (let i = 0; i < 512; i++) tracer.startSpan(`span ${i}`, { attributes: { i, path } }).end();
    await provider.forceFlush();
    expect(receiver.requests.length).toBe(1);
    const [request] = receiver.requests;
    const members = inflateMembers(request!.raw);
    expect(members.length).toBeGreaterThan(1);
    const perMember = members.map((member) => listSpans(decodeExportTraceRequest(member)).map((s) => s.span.name));
    expect(perMember.flat()).toEqual(request!.spans.map((s) => s.span.name));
    expect(new Set(perMember.flat()).size).toBe(512);
    expect(provider.stats()).toMatchObject({ exported: 512, droppedTotal: 0 });
    await provider.shutdown();
  });

  it('sends single-member bodies when gzipPartBytes equals requestTargetBytes', async () => {
    receiver.reset();
    const provider = new SpanwireTracerProvider({
      exporter: new OtlpTraceExporter({
        transport: createHttpTransport({ url: receiver.url }), requestTargetBytes: 32 * 1024, gzipPartBytes: 32 * 1024,
      }),
      batch: { maxExportBatchSize: 512, scheduledDelayMs: 60_000 },
    });
    const tracer = provider.getTracer('members-test');
    for (let i = 0; i < 512; i++) tracer.startSpan(`span ${i}`, { attributes: { i, pad: 'y'.repeat(300) } }).end();
    await provider.forceFlush();
    expect(receiver.requests.length).toBeGreaterThan(1);
    for (const request of receiver.requests) expect(inflateMembers(request.raw)).toHaveLength(1);
    expect(receiver.requests.flatMap((r) => r.spans)).toHaveLength(512);
    await provider.shutdown();
  });
});
