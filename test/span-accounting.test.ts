// Proves the span accounting: started = exported + droppedTotal + live + queueSize + inFlight + endedNotSampled
// holds at every step, whatever the queue, the arena or the exporter does, and that nothing throws or rejects.
import { ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from '../src/export/span-exporter.js';
import type { Sampler } from '../src/sampling/sampler.js';
import { type SpanwireOptions, SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
beforeAll(() => { process.on('unhandledRejection', onUnhandled); });
afterAll(() => { process.off('unhandledRejection', onUnhandled); });
afterEach(async () => {
  // Give rejected promises from the test a turn to surface, then require there were none.
  await new Promise((r) => setTimeout(r, 5));
  expect(unhandled).toEqual([]);
});

/** The invariant, with the stats in the message when it fails. */
function expectBalanced(provider: SpanwireTracerProvider, step = ''): void {
  const s = provider.stats();
  const accounted = s.exported + s.droppedTotal + s.live + s.queueSize + s.inFlight + s.endedNotSampled;
  expect(accounted, `${step} ${JSON.stringify(s)}`).toBe(s.started);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` (bounded wait, not a timing assertion). */
async function waitFor(done: () => boolean, upToMs = 2000): Promise<void> {
  const deadline = Date.now() + upToMs;
  while (!done() && Date.now() < deadline) await sleep(2);
}

function build(options: SpanwireOptions) {
  const provider = new SpanwireTracerProvider(options);
  return { provider, tracer: provider.getTracer('accounting') };
}

/** An exporter whose outcome the test decides per batch, counting calls and concurrency. */
class ScriptedExporter implements SpanwireExporter {
  calls = 0;
  spans = 0;
  inFlight = 0;
  maxInFlight = 0;
  shutdowns = 0;
  constructor(private readonly outcome: (batch: SpanBatch, call: number) => ExportOutcome | Promise<ExportOutcome>) {}

  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome> {
    this.calls++;
    this.spans += batch.count;
    const result = this.outcome(batch, this.calls);
    if (result instanceof Promise) {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      return result.finally(() => { this.inFlight--; });
    }
    return result;
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}

const delivered = (batch: SpanBatch): ExportOutcome => ({ delivered: batch.count, dropped: 0 });

describe('the invariant through a plain life cycle', () => {
  it('holds while spans start, end, queue and export', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, batch: { scheduledDelayMs: 60_000 } });
    expectBalanced(provider, 'empty');
    const spans: Span[] = [];
    for (let i = 0; i < 20; i++) {
      spans.push(tracer.startSpan(`s${i}`));
      expectBalanced(provider, `start ${i}`);
    }
    expect(provider.stats().live).toBe(20);
    for (let i = 0; i < 20; i += 2) {
      spans[i]!.end();
      expectBalanced(provider, `end ${i}`);
    }
    expect(provider.stats()).toMatchObject({ live: 10, queueSize: 10, ended: 10 });
    await provider.forceFlush();
    expectBalanced(provider, 'flushed');
    for (const span of spans) span.end();
    await provider.forceFlush();
    expect(provider.stats()).toMatchObject({ started: 20, exported: 20, live: 0, queueSize: 0, droppedTotal: 0 });
    expect(exporter.decoded()).toHaveLength(20);
    expect(provider.arena.usedSlots).toBe(0);
  });

  it('counts RECORD-only spans as endedNotSampled and non-recording ones apart from started', async () => {
    let call = 0;
    const alternating: Sampler = {
      shouldSample: () => ({ decision: ([0, 1, 2] as const)[call++ % 3]! }),
      toString: () => 'Alternating',
    };
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, sampler: alternating });
    for (let i = 0; i < 30; i++) {
      tracer.startSpan(`a${i}`, {}, ROOT_CONTEXT).end();
      expectBalanced(provider, `span ${i}`);
    }
    await provider.forceFlush();
    expect(provider.stats()).toMatchObject({ started: 20, nonRecording: 10, endedNotSampled: 10, exported: 10 });
    expectBalanced(provider);
    expect(exporter.decoded()).toHaveLength(10);
  });
});

describe('queue and arena limits', () => {
  it('drops spans ended into a full queue as queue_full, within one synchronous loop', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, batch: { maxQueueSize: 8, scheduledDelayMs: 60_000 } });
    const spans = Array.from({ length: 50 }, (_, i) => tracer.startSpan(`q${i}`));
    for (let i = 0; i < spans.length; i++) {
      spans[i]!.end();
      expectBalanced(provider, `end ${i}`);
    }
    expect(provider.stats().dropped).toEqual({ queue_full: 42 });
    expect(provider.stats().queueSize).toBe(8);
    await waitFor(() => provider.stats().exported === 8);
    expectBalanced(provider, 'after eager export');
    expect(exporter.decoded().map((s) => s.span.name)).toEqual(spans.slice(0, 8).map((_, i) => `q${i}`));
    expect(provider.arena.usedSlots).toBe(0);
  });

  it('returns non-recording spans without throwing when arena slots run out, and records again once freed', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, capacity: { spans: 16 } });
    const spans: Span[] = [];
    expect(() => {
      for (let i = 0; i < 40; i++) spans.push(tracer.startSpan(`live-${i}`));
    }).not.toThrow();
    expect(spans.filter((s) => s.isRecording())).toHaveLength(16);
    const overflow = spans.slice(16);
    for (const span of overflow) {
      expect(span.isRecording()).toBe(false);
      expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(() => span.setAttribute('k', 'v').addEvent('e').end()).not.toThrow();
    }
    expect(provider.stats().dropped).toEqual({ slots_exhausted: 24 });
    expect(provider.stats().arena['spanSlotsExhausted']).toBe(24);
    for (const span of spans) span.end();
    await provider.forceFlush();
    expect(tracer.startSpan('after').isRecording()).toBe(true);
    expect(exporter.decoded()).toHaveLength(16);
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('keeps the invariant while arena slots are exhausted', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, capacity: { spans: 16 } });
    const spans: Span[] = [];
    for (let i = 0; i < 40; i++) {
      spans.push(tracer.startSpan(`live-${i}`));
      expectBalanced(provider, `start ${i}`);
    }
    for (const span of spans) span.end();
    await provider.forceFlush();
    expectBalanced(provider, 'flushed');
  });
});

describe('exporter failures', () => {
  it('counts a batch whose export() throws as export_failed and frees its slots', async () => {
    const exporter = new ScriptedExporter(() => { throw new Error('exporter exploded'); });
    const { provider, tracer } = build({ exporter });
    for (let i = 0; i < 10; i++) tracer.startSpan(`t${i}`).end();
    expectBalanced(provider, 'queued');
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    expect(provider.stats().dropped).toEqual({ export_failed: 10 });
    expectBalanced(provider, 'flushed');
    expect(provider.arena.usedSlots).toBe(0);
  });

  it('counts a rejected export as export_failed, with no unhandled rejection', async () => {
    const exporter = new ScriptedExporter(() => Promise.reject(new Error('collector down')));
    const { provider, tracer } = build({ exporter });
    for (let i = 0; i < 10; i++) tracer.startSpan(`r${i}`).end();
    await provider.forceFlush();
    expect(provider.stats().dropped).toEqual({ export_failed: 10 });
    expect(provider.stats().inFlight).toBe(0);
    expectBalanced(provider);
  });

  it('accounts a partial delivery: delivered spans exported, the rest dropped with the given reason', async () => {
    const exporter = new ScriptedExporter((batch) => ({ delivered: batch.count - 3, dropped: 3, dropReason: 'rejected' }));
    const { provider, tracer } = build({ exporter, batch: { maxExportBatchSize: 10, scheduledDelayMs: 60_000 } });
    for (let i = 0; i < 25; i++) tracer.startSpan(`p${i}`).end();
    await provider.forceFlush();
    expect(exporter.calls).toBe(3);
    expect(provider.stats()).toMatchObject({ exported: 16, dropped: { rejected: 9 }, exports: 3 });
    expectBalanced(provider);
  });

  it('counts an export that never settles as export_timeout after exportTimeoutMs', async () => {
    const exporter = new ScriptedExporter(() => new Promise<ExportOutcome>(() => {}));
    const { provider, tracer } = build({ exporter, batch: { exportTimeoutMs: 50, scheduledDelayMs: 60_000 } });
    for (let i = 0; i < 5; i++) tracer.startSpan(`n${i}`).end();
    const flushed = provider.forceFlush(10);
    expect(provider.stats().inFlight).toBe(5);
    expectBalanced(provider, 'in flight');
    await flushed;
    await waitFor(() => provider.stats().inFlight === 0);
    expect(provider.stats().dropped).toEqual({ export_timeout: 5 });
    expectBalanced(provider, 'timed out');
    expect(provider.arena.usedSlots).toBe(0);
  });

  it('a late outcome after a timeout moves delivered spans from export_timeout to exported, never counting twice', async () => {
    let settle: (outcome: ExportOutcome) => void = () => {};
    const exporter = new ScriptedExporter(() => new Promise<ExportOutcome>((resolve) => { settle = resolve; }));
    const { provider, tracer } = build({ exporter, batch: { exportTimeoutMs: 30 } });
    for (let i = 0; i < 4; i++) tracer.startSpan(`late${i}`).end();
    await provider.forceFlush();
    await waitFor(() => provider.stats().inFlight === 0);
    expect(provider.stats()).toMatchObject({ exported: 0, dropped: { export_timeout: 4 } });
    expectBalanced(provider);
    settle({ delivered: 4, dropped: 0 });
    await sleep(5);
    expect(provider.stats()).toMatchObject({ exported: 4, dropped: { export_timeout: 0 } });
    expectBalanced(provider);
  });

  it('bounds concurrent exports by maxConcurrentExports and exports everything from slow exporters', async () => {
    const exporter = new ScriptedExporter((batch) => sleep(15).then(() => delivered(batch)));
    const { provider, tracer } = build({
      exporter, batch: { maxExportBatchSize: 10, maxConcurrentExports: 2, scheduledDelayMs: 60_000, maxQueueSize: 200 },
    });
    for (let i = 0; i < 100; i++) {
      tracer.startSpan(`slow${i}`).end();
      expectBalanced(provider, `end ${i}`);
    }
    await waitFor(() => provider.stats().inFlight > 0);
    expect(provider.stats().inFlight).toBeLessThanOrEqual(20);
    expectBalanced(provider, 'exporting');
    await waitFor(() => provider.stats().exported === 100, 5000);
    expect(exporter.maxInFlight).toBe(2);
    expect(exporter.calls).toBe(10);
    expect(provider.stats()).toMatchObject({ exported: 100, droppedTotal: 0, queueSize: 0, inFlight: 0 });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('treats an export() that returns or resolves to no outcome as a failed export', async () => {
    const sync = build({ exporter: { export: () => undefined as unknown as ExportOutcome, shutdown: async () => {} } });
    sync.tracer.startSpan('sync').end();
    await sync.provider.forceFlush();
    expectBalanced(sync.provider, 'sync');
    expect(sync.provider.stats().dropped).toEqual({ export_failed: 1 });
    const async = build({
      exporter: { export: () => Promise.resolve(undefined as unknown as ExportOutcome), shutdown: async () => {} },
    });
    async.tracer.startSpan('async').end();
    await async.provider.forceFlush();
    expectBalanced(async.provider, 'async');
    expect(async.provider.stats().dropped).toEqual({ export_failed: 1 });
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('ignores a non-numeric bytesSent in an export outcome', async () => {
    const exporter = new ScriptedExporter((batch) => ({ ...delivered(batch), bytesSent: 'abc' as unknown as number }));
    const { provider, tracer } = build({ exporter });
    tracer.startSpan('b').end();
    await provider.forceFlush();
    expect(provider.stats().bytesSent).toBe(0);
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('treats a thenable whose then() throws as a failed export without unhandled rejections', async () => {
    const exporter: SpanwireExporter = {
      export: () => ({ then() { throw new Error('then'); } }) as unknown as Promise<ExportOutcome>,
      shutdown: async () => {},
    };
    const { provider, tracer } = build({ exporter, batch: { exportTimeoutMs: 50 } });
    tracer.startSpan('thenable').end();
    await provider.forceFlush();
    await sleep(80);
    expectBalanced(provider);
    expect(provider.stats().inFlight).toBe(0);
  });
});

describe('flush, schedule and shutdown', () => {
  it('forceFlush exports every queued span without waiting for the schedule', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, batch: { scheduledDelayMs: 60_000, maxExportBatchSize: 7 } });
    for (let i = 0; i < 30; i++) tracer.startSpan(`f${i}`).end();
    await provider.forceFlush();
    expect(exporter.decoded()).toHaveLength(30);
    expect(provider.stats()).toMatchObject({ exported: 30, queueSize: 0, inFlight: 0 });
    expectBalanced(provider);
  });

  it('exports a full batch at once, long before scheduledDelayMs', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, batch: { scheduledDelayMs: 60_000, maxExportBatchSize: 10 } });
    for (let i = 0; i < 10; i++) tracer.startSpan(`eager${i}`).end();
    // Never inside end(): the batch leaves in a later macrotask.
    expect(exporter.exportCalls).toBe(0);
    await waitFor(() => exporter.exportCalls > 0, 500);
    expect(exporter.batchSizes).toEqual([10]);
    expectBalanced(provider);
  });

  it('exports a partial batch when scheduledDelayMs passes, without a flush', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, batch: { scheduledDelayMs: 30, maxExportBatchSize: 100 } });
    for (let i = 0; i < 3; i++) tracer.startSpan(`timer${i}`).end();
    await sleep(0);
    expect(exporter.exportCalls).toBe(0);
    await waitFor(() => exporter.exportCalls > 0, 2000);
    expect(exporter.batchSizes).toEqual([3]);
    expect(provider.stats().exported).toBe(3);
  });

  it('shutdown flushes, then new spans are non-recording and counted, old spans are inert, nothing throws', async () => {
    const exporter = new WireCaptureExporter();
    const { provider, tracer } = build({ exporter, batch: { scheduledDelayMs: 60_000 } });
    const exported = tracer.startSpan('before');
    exported.end();
    const liveAcross = tracer.startSpan('live-across-shutdown');
    await expect(provider.shutdown()).resolves.toBeUndefined();
    expect(exporter.decoded().map((s) => s.span.name)).toEqual(['before']);
    expect(exporter.shutdownCalls).toBe(1);
    expectBalanced(provider, 'shut down');
    const after = tracer.startSpan('after');
    const afterNewTracer = provider.getTracer('new-after-shutdown').startSpan('after2');
    expect(after.isRecording()).toBe(false);
    expect(afterNewTracer.isRecording()).toBe(false);
    expect(provider.stats().nonRecording).toBe(2);
    expect(() => {
      exported.setAttribute('x', 1).addEvent('e').setStatus({ code: 2 }).updateName('renamed').end();
      after.setAttribute('x', 1).end();
      liveAcross.setAttribute('y', 2).end();
    }).not.toThrow();
    expectBalanced(provider, 'after old-span calls');
    expect(provider.stats().dropped).toEqual({ shutdown: 1 });
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    await expect(provider.shutdown()).resolves.toBeUndefined();
    expect(exporter.shutdownCalls).toBe(1);
    expect(exporter.decoded().map((s) => s.span.name)).toEqual(['before']);
    expect(provider.arena.usedSlots).toBe(0);
  });

  it('shutdown resolves even when the exporter never settles, rejects shutdown and throws from forceFlush', async () => {
    const exporter: SpanwireExporter = {
      export: () => new Promise<ExportOutcome>(() => {}),
      forceFlush: () => Promise.reject(new Error('flush failed')),
      shutdown: () => Promise.reject(new Error('shutdown failed')),
    };
    const { provider, tracer } = build({ exporter, batch: { exportTimeoutMs: 40 } });
    for (let i = 0; i < 3; i++) tracer.startSpan(`h${i}`).end();
    await expect(provider.shutdown(40)).resolves.toBeUndefined();
    await waitFor(() => provider.stats().inFlight === 0);
    expect(provider.stats().dropped).toEqual({ export_timeout: 3 });
    expectBalanced(provider);
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('shutdown still shuts the exporter down when its forceFlush() returns no promise', async () => {
    let shutdowns = 0;
    const exporter: SpanwireExporter = {
      export: delivered,
      forceFlush: (() => undefined) as unknown as () => Promise<void>,
      shutdown: async () => { shutdowns++; },
    };
    const { provider, tracer } = build({ exporter });
    tracer.startSpan('s').end();
    await provider.shutdown();
    expect(shutdowns).toBe(1);
  });
});

describe('batch options', () => {
  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('falls back to the default for a batch option given as undefined or NaN', async () => {
    const cases: [string, SpanwireOptions['batch'], SpanwireExporter][] = [
      ['maxQueueSize undefined', { maxQueueSize: undefined }, new WireCaptureExporter()],
      ['maxExportBatchSize NaN', { maxExportBatchSize: NaN }, new WireCaptureExporter()],
      ['exportTimeoutMs undefined', { exportTimeoutMs: undefined },
        new ScriptedExporter((batch) => sleep(5).then(() => delivered(batch)))],
    ];
    for (const [name, batch, exporter] of cases) {
      const { provider, tracer } = build({ exporter, batch });
      for (let i = 0; i < 20; i++) tracer.startSpan(`opt${i}`).end();
      await provider.forceFlush(1000);
      expect(provider.stats(), name).toMatchObject({ exported: 20, droppedTotal: 0, queueSize: 0 });
    }
  });
});

describe('under mixed load', () => {
  it('the queue ring wraps around without losing, duplicating or reordering spans', async () => {
    const capture = new WireCaptureExporter();
    const exporter: SpanwireExporter = {
      export: (batch) => {
        const outcome = capture.export(batch);
        return sleep(2).then(() => outcome);
      },
      shutdown: async () => {},
    };
    const { provider, tracer } = build({
      exporter, batch: { maxQueueSize: 5, maxExportBatchSize: 3, maxConcurrentExports: 1, scheduledDelayMs: 1 },
    });
    for (let i = 0; i < 60; i++) {
      tracer.startSpan(`ring-${i}`).end();
      expectBalanced(provider, `end ${i}`);
      if (i % 2 === 1) await sleep(1);
    }
    await provider.forceFlush();
    await waitFor(() => provider.stats().inFlight === 0 && provider.stats().queueSize === 0);
    const names = capture.decoded().map((s) => Number(s.span.name.slice('ring-'.length)));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort((a, b) => a - b));
    const stats = provider.stats();
    expect(stats.exported).toBe(names.length);
    expect(stats.exported + (stats.dropped['queue_full'] ?? 0)).toBe(60);
    expect(names.length).toBeGreaterThan(5);
    expectBalanced(provider);
    expect(provider.arena.usedSlots).toBe(0);
  });

  it('keeps the invariant through a seeded mix of starts, ends, flushes and every kind of exporter outcome', async () => {
    let seed = 0x2545f491;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const capture = new WireCaptureExporter();
    const exporter: SpanwireExporter = {
      export(batch) {
        const roll = random();
        if (roll < 0.1) throw new Error('sync failure');
        const outcome = capture.export(batch);
        if (roll < 0.3) return outcome;
        if (roll < 0.45) return { delivered: Math.floor(batch.count / 2), dropped: batch.count - Math.floor(batch.count / 2), dropReason: 'rejected' };
        if (roll < 0.75) return sleep(Math.floor(random() * 8)).then(() => outcome);
        if (roll < 0.9) return sleep(Math.floor(random() * 8)).then(() => { throw new Error('async failure'); });
        return new Promise<ExportOutcome>(() => {});
      },
      shutdown: async () => {},
    };
    const sampler: Sampler = {
      shouldSample: () => ({ decision: random() < 0.1 ? 1 : random() < 0.1 ? 0 : 2 }),
      toString: () => 'Random',
    };
    const { provider, tracer } = build({
      exporter, sampler, capacity: { spans: 96 },
      batch: { maxQueueSize: 24, maxExportBatchSize: 6, maxConcurrentExports: 2, scheduledDelayMs: 3, exportTimeoutMs: 20 },
    });
    const live: Span[] = [];
    for (let step = 0; step < 3000; step++) {
      const roll = random();
      // At most 40 live + 24 queued spans: slots never run out (that case is the skipped BUG test above).
      if (roll < 0.5 && live.length < 40) {
        live.push(tracer.startSpan(`mix-${step}`, {}, ROOT_CONTEXT));
      } else if (roll < 0.9 && live.length > 0) {
        live.splice(Math.floor(random() * live.length), 1)[0]!.end();
      } else if (roll < 0.97) {
        await sleep(Math.floor(random() * 3));
      } else {
        await provider.forceFlush(10);
      }
      expectBalanced(provider, `step ${step}`);
    }
    for (const span of live) span.end();
    await provider.shutdown(50);
    await waitFor(() => provider.stats().inFlight === 0, 3000);
    const stats = provider.stats();
    expectBalanced(provider, 'shut down');
    expect(stats).toMatchObject({ live: 0, queueSize: 0, inFlight: 0 });
    expect(stats.started).toBe(stats.exported + stats.droppedTotal + stats.endedNotSampled);
    expect(Object.keys(stats.dropped).sort()).toEqual(
      expect.arrayContaining(['export_failed', 'export_timeout', 'rejected']),
    );
    expect(provider.arena.usedSlots).toBe(0);
  });
});

describe('the simple processor', () => {
  it('exports each span as it ends and keeps the invariant with sync and async exporters', async () => {
    const sync = build({ exporter: new WireCaptureExporter(), processor: 'simple' });
    for (let i = 0; i < 5; i++) {
      sync.tracer.startSpan(`simple${i}`).end();
      expect(sync.provider.stats().exported).toBe(i + 1);
      expectBalanced(sync.provider);
    }
    const exporter = new ScriptedExporter((batch) => sleep(5).then(() => delivered(batch)));
    const async = build({ exporter, processor: 'simple' });
    for (let i = 0; i < 5; i++) async.tracer.startSpan(`async${i}`).end();
    expect(async.provider.stats().inFlight).toBe(5);
    expectBalanced(async.provider, 'in flight');
    await async.provider.forceFlush();
    expect(async.provider.stats()).toMatchObject({ exported: 5, inFlight: 0 });
    expect(async.provider.arena.usedSlots).toBe(0);
  });

  // Regression guard: this input once broke the SDK front end (found by this suite, since fixed).
  it('a span ended inside export() does not leak the slot of the span being exported', async () => {
    const capture = new WireCaptureExporter();
    let provider: SpanwireTracerProvider | undefined;
    let nested = false;
    const exporter: SpanwireExporter = {
      export(batch) {
        const outcome = capture.export(batch);
        if (!nested) {
          nested = true;
          provider!.getTracer('inside-export').startSpan('export-request').end();
        }
        return outcome;
      },
      shutdown: async () => {},
    };
    provider = new SpanwireTracerProvider({ exporter, processor: 'simple' });
    provider.getTracer('app').startSpan('outer').end();
    await provider.forceFlush();
    expectBalanced(provider);
    expect(capture.decoded().map((s) => s.span.name)).toEqual(['outer', 'export-request']);
    expect(provider.arena.usedSlots).toBe(0);
  });
});

describe('self-observability names and request cap', () => {
  it('reports stats under the otel.sdk.* metric names, with drop reasons as error.type', async () => {
    const exporter = new ScriptedExporter((batch) => ({ delivered: batch.count - 1, dropped: 1, dropReason: 'rejected' }));
    const { provider, tracer } = build({ exporter, batch: { maxQueueSize: 64 } });
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();
    const live = tracer.startSpan('live');
    await provider.forceFlush();
    expect(provider.selfObservability()).toEqual({
      'otel.sdk.span.started': 6,
      'otel.sdk.span.live': 1,
      'otel.sdk.processor.span.processed': { '': 4, rejected: 1 },
      'otel.sdk.processor.span.queue.size': 0,
      'otel.sdk.processor.span.queue.capacity': 64,
      'otel.sdk.exporter.span.inflight': 0,
      'otel.sdk.exporter.span.exported': { '': 4, rejected: 1 },
    });
    live.end();
    await provider.shutdown();
  });

  it('never lets a request body exceed the OTLP 64 MiB cap, whatever batchBytes says', () => {
    const provider = new SpanwireTracerProvider({ capacity: { spans: 8, batchBytes: 256 * 1024 * 1024 } });
    expect(provider.arena.capacity.batchBytes).toBe(64 * 1024 * 1024);
  });
});
