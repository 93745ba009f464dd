// The @opentelemetry/api Tracer: parent resolution from the context, the sampling decision (allocation-free fast
// path for built-in samplers), and the start of an arena span. Implements the OTel trace API Tracer and the SDK
// spec's span creation rules. Never throws into user code (startActiveSpan's callback may, as it is the user's).
import {
  type Context, type Link, type Span, SpanKind, type SpanOptions, type Tracer, type TraceState,
  context as contextApi, isSpanContextValid, trace,
} from '@opentelemetry/api';
import { nowMs } from '../arena/clock.js';
import {
  type FastSampler, type ParentSampled, SamplingDecision, type SamplingResult, isFastSampler,
} from '../sampling/sampler.js';
import { bytesToHex, hexToBytes } from './hex-ids.js';
import { NonRecordingSpan } from './non-recording-span.js';
import { RecordingSpan } from './recording-span.js';
import { timeInputToRelMs } from './time-input.js';
import type { TracerCore } from './tracer-core.js';

const TRACE_FLAG_SAMPLED = 1;
const EMPTY_ATTRIBUTES = Object.freeze({});
const NO_LINKS: Link[] = [];

export class SpanwireTracer implements Tracer {
  /** The sampler when it may decide without strings or objects (built-in samplers), checked once. */
  private readonly fast: FastSampler | undefined;

  constructor(private readonly core: TracerCore, readonly scope: number) {
    this.fast = isFastSampler(core.sampler) ? core.sampler : undefined;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    const core = this.core;
    try {
      const active = context ?? contextApi.active();
      // root: the parent must vanish for custom samplers too (they look it up in the context themselves).
      const ctx = options?.root === true ? trace.deleteSpan(active) : active;
      const parent = trace.getSpan(ctx);
      if (core.isShutdown) {
        core.accounting.nonRecording++;
        return new NonRecordingSpan(core, parent, undefined, 0, undefined);
      }
      return this.start(name, options, ctx, parent);
    } catch {
      core.accounting.nonRecording++;
      return new NonRecordingSpan(core, undefined, undefined, 0, undefined);
    }
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string, a?: F | SpanOptions, b?: F | Context, c?: F): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') { options = a; fn = b; }
    else if (typeof c === 'function') { options = a; ctx = b; fn = c; }
    else return undefined;
    const parentContext = ctx ?? contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }

  private start(name: string, options: SpanOptions | undefined, ctx: Context, parent: Span | undefined): Span {
    const core = this.core;
    const arena = core.arena;
    const scratch = core.scratchTraceId;
    // Parent: a span of this provider whose slot still holds it (fast), any other valid span context, or none.
    let localParent: RecordingSpan | undefined;
    let parentSampled: ParentSampled = -1;
    let parentIsRemote = false;
    let parentState: TraceState | undefined;
    if (parent instanceof RecordingSpan && parent.core === core) {
      localParent = parent;
      parentSampled = (parent.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
      parentState = parent.traceState;
      parent.copyTraceId(scratch, 0);
    } else if (parent !== undefined) {
      const parentContext = parent.spanContext();
      if (isSpanContextValid(parentContext)) {
        parentSampled = (parentContext.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
        parentIsRemote = parentContext.isRemote === true;
        parentState = parentContext.traceState;
        hexToBytes(parentContext.traceId, scratch, 0);
      }
    }
    if (parentSampled === -1) arena.randomId(scratch, 0, 16);

    const kind = options?.kind ?? SpanKind.INTERNAL;
    let result: SamplingResult | undefined;
    let decision: number;
    if (this.fast !== undefined) {
      decision = this.fast.decideFast(parentSampled, parentIsRemote, scratch, 0);
    } else {
      result = core.sampler.shouldSample(ctx, bytesToHex(scratch, 0, 16), name, kind,
        options?.attributes ?? EMPTY_ATTRIBUTES, options?.links ?? NO_LINKS);
      decision = result?.decision ?? SamplingDecision.NOT_RECORD;
    }
    const traceState = result?.traceState ?? parentState;
    if (decision === SamplingDecision.NOT_RECORD) {
      core.accounting.nonRecording++;
      // A root keeps the trace id the sampler decided on, so every service that sees it decides the same.
      return parentSampled === -1
        ? new NonRecordingSpan(core, undefined, scratch, 0, traceState)
        : new NonRecordingSpan(core, parent, undefined, parentFlagsUnsampled(parent), traceState);
    }

    const startMs = options?.startTime === undefined ? nowMs() : timeInputToRelMs(options.startTime);
    const parentSlot = localParent !== undefined && arena.holds(localParent.slot, localParent.gen) ? localParent.slot : -1;
    const slot = arena.startSpan(this.scope, name, kind + 1, startMs, parentSlot, scratch, 0);
    if (slot < 0) {
      core.accounting.drop('slots_exhausted', 1);
      return new NonRecordingSpan(core, undefined, scratch, 0, traceState);
    }
    core.accounting.started++;
    const gen = arena.generationOf(slot);
    const sampled = decision === SamplingDecision.RECORD_AND_SAMPLED;
    const traceFlags = sampled ? TRACE_FLAG_SAMPLED : 0;
    if (parentSlot < 0 && parent !== undefined && parentSampled !== -1) {
      // A remote parent, or a local one whose slot was already recycled: take its ids from its span context.
      const pc = parent.spanContext();
      arena.setParentContext(slot, gen, pc.traceId, pc.spanId, traceFlags, parentIsRemote, '');
    }
    arena.setTraceFlags(slot, gen, traceFlags);
    // startSpan() already copied a local parent's trace state; write it only when it differs or has no source.
    if (traceState !== undefined && (traceState !== parentState || parentSlot < 0)) {
      arena.setTraceState(slot, gen, traceState.serialize());
    }
    const span = new RecordingSpan(core, slot, gen, traceFlags, traceState);
    const samplerAttributes = result?.attributes;
    if (samplerAttributes !== undefined) span.setAttributes(samplerAttributes);
    const attributes = options?.attributes;
    if (attributes !== undefined) span.setAttributes(attributes);
    const links = options?.links;
    if (links !== undefined) span.addLinks(links);
    return span;
  }
}

/** W3C trace flags for a non-recording child: the parent's, with the sampled bit cleared. */
function parentFlagsUnsampled(parent: Span | undefined): number {
  return parent === undefined ? 0 : parent.spanContext().traceFlags & ~TRACE_FLAG_SAMPLED & 0xff;
}
