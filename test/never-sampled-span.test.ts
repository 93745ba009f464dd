// The never-sampled span (src/sdk/non-recording-span.ts and the tracer's NOT_RECORD path): its ids are made
// lazily and never copied, yet every child agrees with its parent on the trace id, whichever of the two is asked
// first, for every kind of parent; W3C flags lose only the sampled bit; trace state is carried; nothing is exported.
import {
  type Context, ROOT_CONTEXT, type Span, type SpanContext, TraceFlags, context, isSpanContextValid, trace,
} from '@opentelemetry/api';
import { TraceState, suppressTracing } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeContextManager } from '../src/runtime/node/async-local-storage-context.js';
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler,
} from '../src/sampling/builtin-samplers.js';
import { RateLimitingSampler } from '../src/sampling/rate-limiting-sampler.js';
import type { Sampler, SamplingResult } from '../src/sampling/sampler.js';
import { NonRecordingSpan, TraceIdWords } from '../src/sdk/non-recording-span.js';
import { RecordingSpan } from '../src/sdk/recording-span.js';
import { type SpanwireOptions, SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { WireCaptureExporter } from './support/wire-capture-exporter.js';

const REMOTE_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN_ID = 'b7ad6b7169203331';
/** W3C flags: sampled (bit 0) plus the Level 2 random-trace-id flag (bit 1), which must survive. */
const FLAGS_SAMPLED_RANDOM = 0x03;
const FLAGS_RANDOM = 0x02;

function setup(options: SpanwireOptions = {}) {
  const exporter = new WireCaptureExporter();
  const provider = new SpanwireTracerProvider({ exporter, ...options });
  return { exporter, provider, tracer: provider.getTracer('never-sampled', '1.0.0') };
}

function remoteContext(flags: number, traceState?: TraceState): Context {
  const spanContext: SpanContext = { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: flags, isRemote: true };
  if (traceState) spanContext.traceState = traceState;
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

/** A non-recording span's context: valid, local, sampled bit clear, stable across calls. */
function expectNeverSampledContext(span: Span): SpanContext {
  expect(span.isRecording()).toBe(false);
  const ctx = span.spanContext();
  expect(isSpanContextValid(ctx)).toBe(true);
  expect(ctx.isRemote).toBe(false);
  expect(ctx.traceFlags & TraceFlags.SAMPLED).toBe(0);
  expect(span.spanContext()).toBe(ctx);
  return ctx;
}

const under = (parent: Span): Context => trace.setSpan(ROOT_CONTEXT, parent);

const contextManager = createNodeContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
});

describe('trace id agreement', () => {
  it.each(['parent first', 'child first'])('root never sampled, three generations, %s', (order) => {
    const { provider, tracer } = setup({ sampler: new AlwaysOffSampler() });
    const root = tracer.startSpan('root');
    const child = tracer.startSpan('child', {}, under(root));
    const grandchild = tracer.startSpan('grandchild', {}, under(child));
    const sibling = tracer.startSpan('sibling', {}, under(root));
    const spans = order === 'parent first' ? [root, child, grandchild, sibling] : [grandchild, sibling, child, root];
    const contexts = spans.map(expectNeverSampledContext);
    expect(new Set(contexts.map((c) => c.traceId)).size).toBe(1);
    expect(new Set(contexts.map((c) => c.spanId)).size).toBe(4);
    expect(provider.stats()).toMatchObject({ nonRecording: 4, started: 0 });
  });

  it('descendants point at the root, never at a chain of spans (a deep trace keeps one extra object alive)', () => {
    const { tracer } = setup({ sampler: new AlwaysOffSampler() });
    const root = tracer.startSpan('root') as NonRecordingSpan;
    let span: Span = root;
    for (let depth = 0; depth < 50; depth++) {
      span = tracer.startSpan(`depth-${depth}`, {}, under(span));
      expect((span as NonRecordingSpan).traceIdSource()).toBe(root);
    }
    expect(span.spanContext().traceId).toBe(root.spanContext().traceId);
  });

  it('recorded parent, never-sampled child (ParentBased with a ratio-0 local sampled delegate)', async () => {
    const { provider, exporter, tracer } = setup({
      sampler: new ParentBasedSampler({ root: new AlwaysOnSampler(), localParentSampled: new TraceIdRatioBasedSampler(0) }),
    });
    const parent = tracer.startSpan('recorded', {}, remoteContext(FLAGS_SAMPLED_RANDOM, new TraceState('vendor=a')));
    expect(parent.isRecording()).toBe(true);
    const child = tracer.startSpan('dropped', {}, under(parent));
    const grandchild = tracer.startSpan('dropped-too', {}, under(child));
    expect((child as NonRecordingSpan).traceIdSource()).toBe(parent);
    expect((grandchild as NonRecordingSpan).traceIdSource()).toBe(parent);
    // Asked after the parent's slot is gone: the parent keeps its ids, so the children still agree.
    parent.end();
    await provider.forceFlush();
    for (const span of [child, grandchild]) {
      const ctx = expectNeverSampledContext(span);
      expect(ctx.traceId).toBe(REMOTE_TRACE_ID);
      expect(ctx.traceId).toBe(parent.spanContext().traceId);
      expect(ctx.traceFlags).toBe(parent.spanContext().traceFlags & ~TraceFlags.SAMPLED);
      expect(ctx.traceState?.serialize()).toBe('vendor=a');
    }
    expect(exporter.decoded().map((s) => s.span.name)).toEqual(['recorded']);
  });

  it('recorded child of a never-sampled parent gets its trace id and its span id as parent span id', async () => {
    const { provider, exporter, tracer } = setup({
      sampler: new ParentBasedSampler({ root: new AlwaysOffSampler(), localParentNotSampled: new AlwaysOnSampler() }),
    });
    const root = tracer.startSpan('root');
    const child = tracer.startSpan('recorded-child', {}, under(root));
    expect(child.isRecording()).toBe(true);
    child.end();
    await provider.forceFlush();
    const [wire] = exporter.decoded();
    const rootContext = expectNeverSampledContext(root);
    expect(wire!.span).toMatchObject({ traceId: rootContext.traceId, parentSpanId: rootContext.spanId });
    expect(child.spanContext().traceId).toBe(rootContext.traceId);
  });

  it.each([
    ['sampled', FLAGS_SAMPLED_RANDOM],
    ['not sampled', FLAGS_RANDOM],
  ])('remote parent (%s): trace id, flags without the sampled bit and trace state carried', (_name, flags) => {
    const { tracer } = setup({ sampler: new AlwaysOffSampler() });
    const state = new TraceState('vendor=b,other=c');
    const child = tracer.startSpan('child', {}, remoteContext(flags, state));
    const grandchild = tracer.startSpan('grandchild', {}, under(child));
    for (const span of [grandchild, child]) {
      const ctx = expectNeverSampledContext(span);
      expect(ctx).toMatchObject({ traceId: REMOTE_TRACE_ID, traceFlags: FLAGS_RANDOM });
      expect(ctx.spanId).not.toBe(REMOTE_SPAN_ID);
      expect(ctx.traceState).toBe(state);
    }
  });

  it('a root dropped by a ratio sampler keeps the trace id the sampler decided on, and its children share it', () => {
    const sampler = new TraceIdRatioBasedSampler(0.5);
    const { tracer } = setup({ sampler });
    let dropped = 0;
    for (let i = 0; i < 200; i++) {
      const root = tracer.startSpan('root');
      if (root.isRecording()) {
        root.end();
        continue;
      }
      dropped++;
      expect((root as NonRecordingSpan).traceIdSource()).toBeInstanceOf(TraceIdWords);
      const child = tracer.startSpan('child', {}, under(root));
      const { traceId } = child.spanContext();
      expect(root.spanContext().traceId).toBe(traceId);
      expect(sampler.shouldSample(ROOT_CONTEXT, traceId, 'root', 0, {}, []).decision).toBe(0);
    }
    expect(dropped).toBeGreaterThan(50);
  });

  it('a custom (slow-path) sampler that drops a root: the root keeps the id it was shown', () => {
    const shown: string[] = [];
    const sampler: Sampler = {
      shouldSample(_ctx, traceId): SamplingResult {
        shown.push(traceId);
        return { decision: 0 };
      },
      toString: () => 'DropAll',
    };
    const { tracer } = setup({ sampler });
    const root = tracer.startSpan('root');
    const child = tracer.startSpan('child', {}, under(root));
    expect(shown).toHaveLength(2);
    expect(shown[1]).toBe(shown[0]);
    expect(child.spanContext().traceId).toBe(shown[0]);
    expect(root.spanContext().traceId).toBe(shown[0]);
  });

  it('suppressed tracing: not recorded, not counted as started, but still in its parent\'s trace', async () => {
    const { provider, exporter, tracer } = setup();
    const parent = tracer.startSpan('recorded', {}, remoteContext(FLAGS_SAMPLED_RANDOM, new TraceState('vendor=d')));
    const child = tracer.startSpan('suppressed', {}, suppressTracing(under(parent)));
    const grandchild = tracer.startSpan('suppressed-too', {}, suppressTracing(under(child)));
    const suppressedRoot = tracer.startSpan('suppressed-root', {}, suppressTracing(ROOT_CONTEXT));
    for (const span of [grandchild, child]) {
      const ctx = expectNeverSampledContext(span);
      const { traceId, traceFlags } = parent.spanContext();
      expect(ctx).toMatchObject({ traceId, traceFlags: traceFlags & ~TraceFlags.SAMPLED });
      expect(ctx.traceState?.serialize()).toBe('vendor=d');
    }
    expect(expectNeverSampledContext(suppressedRoot).traceFlags).toBe(0);
    parent.end();
    await provider.forceFlush();
    expect(exporter.decoded().map((s) => s.span.name)).toEqual(['recorded']);
    expect(provider.stats()).toMatchObject({ started: 1, nonRecording: 3 });
  });

  it('after shutdown: spans are non-recording and counted, children still share their parent\'s trace id', async () => {
    const { provider, tracer } = setup({ sampler: new AlwaysOnSampler() });
    const parent = tracer.startSpan('before-shutdown');
    parent.end();
    await provider.shutdown();
    const child = tracer.startSpan('after-shutdown', {}, under(parent));
    const grandchild = tracer.startSpan('after-shutdown-too', {}, under(child));
    for (const span of [grandchild, child]) {
      expect(expectNeverSampledContext(span).traceId).toBe(parent.spanContext().traceId);
    }
    expect(tracer.startSpan('after-shutdown-root').isRecording()).toBe(false);
    expect(provider.stats()).toMatchObject({ started: 1, nonRecording: 3 });
  });

  it('a span dropped at start (no free slot) stays in its parent\'s trace', () => {
    const { provider, tracer } = setup({ capacity: { spans: 8 } });
    const parent = tracer.startSpan('parent');
    const spans: Span[] = [];
    for (let i = 0; i < 20; i++) spans.push(tracer.startSpan(`child-${i}`, {}, under(parent)));
    const dropped = spans.filter((s) => !s.isRecording());
    expect(dropped.length).toBeGreaterThan(0);
    for (const span of dropped) expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    // Under a remote parent: its id, and its flags without the sampled bit (the random-id bit is kept).
    const remoteDropped = tracer.startSpan('remote-child', {}, remoteContext(FLAGS_SAMPLED_RANDOM));
    expect(remoteDropped.isRecording()).toBe(false);
    expect(remoteDropped.spanContext()).toMatchObject({ traceId: REMOTE_TRACE_ID, traceFlags: FLAGS_RANDOM });
    expect(provider.stats().dropped).toMatchObject({ slots_exhausted: dropped.length + 1 });
  });

  it('a never-sampled span of one provider is a valid parent for another provider\'s tracer', () => {
    const off = setup({ sampler: new AlwaysOffSampler() });
    const on = setup({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) });
    const root = off.tracer.startSpan('root');
    const child = on.tracer.startSpan('child', {}, under(root));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    const recordedElsewhere = setup({ sampler: new AlwaysOnSampler() }).tracer.startSpan('elsewhere', {}, under(root));
    expect(recordedElsewhere).toBeInstanceOf(RecordingSpan);
    expect(recordedElsewhere.spanContext().traceId).toBe(root.spanContext().traceId);
  });
});

describe('the never-sampled path reads no trace id it does not need', () => {
  it.each([
    ['AlwaysOff', new AlwaysOffSampler()],
    ['ParentBased(root AlwaysOff)', new ParentBasedSampler({ root: new AlwaysOffSampler() })],
    ['RateLimiting(0)', new RateLimitingSampler(0)],
  ])('%s: the root gets its id only when asked, and keeps it', (_name, sampler) => {
    const { tracer } = setup({ sampler });
    const root = tracer.startSpan('root') as NonRecordingSpan;
    expect(root.traceIdSource()).toBe(root);
    const child = tracer.startSpan('child', {}, under(root));
    expect((child as NonRecordingSpan).traceIdSource()).toBe(root);
    const first = root.spanContext();
    expect(isSpanContextValid(first)).toBe(true);
    expect(child.spanContext().traceId).toBe(first.traceId);
  });

  it('startActiveSpan and the active context give the same trace to nested spans', () => {
    const { tracer } = setup({ sampler: new AlwaysOffSampler() });
    const ids = tracer.startActiveSpan('outer', (outer) => tracer.startActiveSpan('inner', (inner) => {
      const innermost = tracer.startSpan('innermost');
      return [outer, inner, innermost].map((s) => expectNeverSampledContext(s).traceId);
    }));
    expect(new Set(ids).size).toBe(1);
  });
});

describe('the tracer remembers the last context it looked into', () => {
  it('siblings under one context, interleaved with other contexts, each get the right parent', () => {
    const { tracer } = setup({ sampler: new AlwaysOnSampler() });
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const underA = under(a);
    const underB = under(b);
    const suppressedA = suppressTracing(underA);
    const order = [underA, underA, underB, underA, ROOT_CONTEXT, underB, underB, suppressedA, suppressedA, underA];
    const expected = [a, a, b, a, undefined, b, b, a, a, a];
    order.forEach((ctx, i) => {
      const span = tracer.startSpan(`span-${i}`, {}, ctx);
      expect(span.isRecording(), `span ${i}`).toBe(ctx !== suppressedA);
      const parent = expected[i];
      if (parent === undefined) expect(span.spanContext().traceId).not.toBe(a.spanContext().traceId);
      else expect(span.spanContext().traceId, `span ${i}`).toBe(parent.spanContext().traceId);
    });
  });

  it('a context reused after shutdown gives a non-recording span', async () => {
    const { provider, tracer } = setup({ sampler: new AlwaysOnSampler() });
    const parent = tracer.startSpan('parent');
    const ctx = under(parent);
    expect(tracer.startSpan('before', {}, ctx).isRecording()).toBe(true);
    await provider.shutdown();
    const after = tracer.startSpan('after', {}, ctx);
    expect(after.isRecording()).toBe(false);
    expect(after.spanContext().traceId).toBe(parent.spanContext().traceId);
  });
});
