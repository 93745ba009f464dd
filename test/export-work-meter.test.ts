// stats().exportWork: the synchronous slices of export work (processor export() calls, deferred gzip parts,
// request starts) are counted and timed, against a real loopback OTLP/HTTP receiver; odd user exporters cannot
// break stats(). Behaviour only: no timing is asserted beyond "a number, at least 0".
import { describe, expect, it } from 'vitest';
import { OtlpTraceExporter } from '../src/export/otlp-trace-exporter.js';
import type { SpanBatch } from '../src/export/span-exporter.js';
import {
  ExportWorkMeter, SLICE_BUDGET_MS, mergeExportWork, observeExportWorkSlices, sliceClockMs, startSlice,
} from '../src/processing/export-work-meter.js';
import { createHttpTransport } from '../src/runtime/node/create-http-transport.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { useFakeHttpReceiver } from './support/otlp-fake-receiver.js';

describe('ExportWorkMeter', () => {
  it('counts slices, the longest, the total and those over the 1 ms budget', () => {
    const meter = new ExportWorkMeter();
    meter.endSlice(sliceClockMs());
    meter.endSlice(sliceClockMs() - 5 * SLICE_BUDGET_MS);
    meter.endSlice(sliceClockMs() + 1000); // a clock that went backwards: ignored
    expect(meter.slices).toBe(2);
    expect(meter.overBudget).toBe(1);
    expect(meter.maxMs).toBeGreaterThanOrEqual(5);
    expect(meter.totalMs).toBeGreaterThanOrEqual(meter.maxMs);
  });

  it('tells an observer every slice as it starts and ends, ignores one that throws, and stops when unset', () => {
    const seen: string[] = [];
    const meter = new ExportWorkMeter();
    observeExportWorkSlices({
      sliceStarted: () => { seen.push('start'); },
      sliceEnded: (startMs, endMs) => { seen.push(endMs >= startMs ? 'end' : 'end before start'); },
    });
    meter.endSlice(startSlice());
    expect(seen).toEqual(['start', 'end']);
    observeExportWorkSlices({
      sliceStarted: () => { throw new Error('observer bug'); },
      sliceEnded: () => { throw new Error('observer bug'); },
    });
    expect(() => meter.endSlice(startSlice())).not.toThrow();
    observeExportWorkSlices(undefined);
    meter.endSlice(startSlice());
    expect(seen).toEqual(['start', 'end']);
    expect(meter.slices).toBe(3);
  });

  it('merges meters, skipping anything that is not a meter', () => {
    const a = { slices: 2, overBudget: 1, maxMs: 3, totalMs: 4 };
    const b = { slices: 1, overBudget: 0, maxMs: 0.5, totalMs: 0.5 };
    const junk = { slices: '9' } as unknown as typeof a;
    expect(mergeExportWork([a, undefined, junk, null as unknown as typeof a, b]))
      .toEqual({ slices: 3, overBudget: 1, maxMs: 3, totalMs: 4.5 });
  });
});

describe('stats().exportWork', () => {
  const receiver = useFakeHttpReceiver();

  it('times the export() call, every deferred gzip part and the request start of a 512-span batch', async () => {
    const provider = new SpanwireTracerProvider({
      exporter: new OtlpTraceExporter({ transport: createHttpTransport({ url: receiver.url }) }),
      batch: { maxExportBatchSize: 512, scheduledDelayMs: 60_000 },
    });
    expect(provider.stats().exportWork).toEqual({ slices: 0, overBudget: 0, maxMs: 0, totalMs: 0 });
    const tracer = provider.getTracer('work');
    const path = '/api/orders/12345'.padEnd(200, 'x'); // ~450 B of protobuf per span: ~230 KB, several gzip parts
    for (let i = 0; i < 512; i++) tracer.startSpan(`span ${i}`, { attributes: { i, path } }).end();
    await provider.forceFlush();
    expect(provider.stats()).toMatchObject({ exported: 512, droppedTotal: 0 });
    expect(receiver.requests.length).toBe(1);
    // gzip members: 1f 8b 08 00 at every member start; the body is their concatenation.
    const raw = receiver.requests[0]!.raw;
    let members = 0;
    for (let i = 0; i + 3 < raw.length; i++) {
      if (raw[i] === 0x1f && raw[i + 1] === 0x8b && raw[i + 2] === 8 && raw[i + 3] === 0) members++;
    }
    expect(members).toBeGreaterThan(1);
    const work = provider.stats().exportWork;
    // 1 export() call + one slice per deferred part (at least members - 1: the first may be gzipped inline) + start.
    expect(work.slices).toBeGreaterThanOrEqual(members + 1);
    expect(work.maxMs).toBeGreaterThanOrEqual(0);
    expect(work.totalMs).toBeGreaterThanOrEqual(work.maxMs);
    expect(Number.isInteger(work.overBudget)).toBe(true);
    await provider.shutdown();
  });

  it('counts the export() calls of a user exporter whose exportWork getter throws, and never throws itself', async () => {
    const exporter = {
      export: (batch: SpanBatch) => ({ delivered: batch.count, dropped: 0 }),
      shutdown: async () => {},
      get exportWork(): never {
        throw new Error('not today');
      },
    };
    const provider = new SpanwireTracerProvider({ exporter, batch: { maxExportBatchSize: 4 } });
    const tracer = provider.getTracer('work');
    for (let i = 0; i < 8; i++) tracer.startSpan('s').end();
    await provider.forceFlush();
    const stats = provider.stats();
    expect(stats.exported).toBe(8);
    expect(stats.exportWork.slices).toBe(2);
    await provider.shutdown();
  });
});
