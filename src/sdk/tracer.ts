// The @opentelemetry/api Tracer: parent resolution from the context, the sampling decision (allocation-free fast
// path for built-in samplers), and the start of an arena span. Implements the OTel trace API Tracer and the SDK
// spec's span creation rules. Never throws into user code (startActiveSpan's callback may: it is the user's).
import {
  type Attributes, type Context, type Link, type Span, SpanKind, type SpanOptions, type TimeInput, type Tracer,
  type TraceState, context as contextApi, isSpanContextValid, trace,
} from '@opentelemetry/api';
import { nowMs } from '../arena/clock.js';
import {
  type FastSampler, type ParentSampled, SamplingDecision, type SamplingResult, isFastSampler,
} from '../sampling/sampler.js';
import { bytesToHex, hexToBytes } from './hex-ids.js';
import { NonRecordingSpan } from './non-recording-span.js';
import { RecordingSpan } from './recording-span.js';
import { EXACT_TIME, timeInputToEpoch } from './time-input.js';
import type { TracerCore } from './tracer-core.js';

const TRACE_FLAG_SAMPLED = 1;
const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});
const NO_LINKS: Link[] = [];
/**
 * The key @opentelemetry/core's suppressTracing() sets (createContextKey uses Symbol.for, so the same symbol is
 * reachable without depending on core): exporters use it so their own HTTP calls are not traced.
 */
export const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Marks a context so spans started under it are non-recording (as @opentelemetry/core suppressTracing()). */
export function suppressTracing(ctx: Context): Context {
  return ctx.setValue(SUPPRESS_TRACING_KEY, true);
}

/** A usable Context: anything else given as one is replaced by the active context. */
function isContext(value: unknown): value is Context {
  return value !== null && typeof value === 'object' && typeof (value as Context).getValue === 'function' &&
    typeof (value as Context).setValue === 'function';
}

export class SpanwireTracer implements Tracer {
  /** The sampler when it may decide without strings or objects (built-in samplers), checked once. */
  private readonly fast: FastSampler | undefined;

  constructor(private readonly core: TracerCore, readonly scope: number) {
    this.fast = isFastSampler(core.sampler) ? core.sampler : undefined;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    const core = this.core;
    try {
      const active = context !== undefined && isContext(context) ? context : contextApi.active();
      if (core.isShutdown || active.getValue(SUPPRESS_TRACING_KEY) === true) {
        core.accounting.nonRecording++;
        return new NonRecordingSpan(core, undefined, 0, undefined);
      }
      // Read every option once, up front: a throwing getter must fail here, before an arena slot is taken.
      let kind: SpanKind = SpanKind.INTERNAL;
      let startTime: TimeInput | undefined;
      let attributes: Attributes | undefined;
      let links: Link[] | undefined;
      let ctx = active;
      if (options !== undefined && options !== null) {
        kind = options.kind ?? SpanKind.INTERNAL;
        startTime = options.startTime;
        attributes = options.attributes;
        links = options.links;
        // root: the parent must vanish for custom samplers too (they look it up in the context themselves).
        if (options.root === true) ctx = trace.deleteSpan(active);
      }
      return this.start(name, kind, startTime, attributes, links, ctx);
    } catch {
      core.accounting.nonRecording++;
      return new NonRecordingSpan(core, undefined, 0, undefined);
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
    const parentContext = ctx !== undefined && isContext(ctx) ? ctx : contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }

  private start(name: string, kind: SpanKind, startTime: TimeInput | undefined, attributes: Attributes | undefined,
    links: Link[] | undefined, ctx: Context): Span {
    const core = this.core;
    const arena = core.arena;
    const scratch = core.scratchTraceId;
    const parent = trace.getSpan(ctx);
    // Parent: a span of this provider (its trace id copied from words, no strings), any other valid span
    // context (hex parsed once), or none (a new random trace id).
    let localParent: RecordingSpan | undefined;
    let parentSampled: ParentSampled = -1;
    let parentIsRemote = false;
    let parentState: TraceState | undefined;
    if (parent instanceof RecordingSpan && parent.core === core) {
      localParent = parent;
      parentSampled = (parent.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
      parentState = parent.traceState;
      parent.copyTraceId(scratch, 0);
    } else if (parent instanceof NonRecordingSpan && parent.core === core && parent.copyTraceId(scratch, 0)) {
      parentSampled = (parent.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
      parentState = parent.traceState;
    } else if (parent !== undefined) {
      const parentContext = parent.spanContext();
      if (isSpanContextValid(parentContext)) {
        parentSampled = (parentContext.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
        parentIsRemote = parentContext.isRemote === true;
        parentState = parentContext.traceState;
        hexToBytes(parentContext.traceId, scratch, 0);
      }
    }
    if (parentSampled === -1) arena.randomScratchTraceId();

    let result: SamplingResult | undefined;
    let decision: number;
    if (this.fast !== undefined) {
      decision = this.fast.decideFast(parentSampled, parentIsRemote, scratch, 0);
    } else {
      const traceIdHex = bytesToHex(scratch, 0, 16);
      result = core.sampler.shouldSample(ctx, traceIdHex, name, kind, attributes ?? EMPTY_ATTRIBUTES, links ?? NO_LINKS);
      decision = result?.decision ?? SamplingDecision.NOT_RECORD;
      // The sampler may have started spans itself, reusing the scratch: restore the id it decided on.
      hexToBytes(traceIdHex, scratch, 0);
    }
    const traceState = result?.traceState ?? parentState;
    if (decision !== SamplingDecision.RECORD && decision !== SamplingDecision.RECORD_AND_SAMPLED) {
      core.accounting.nonRecording++;
      // Children of this span must agree on its trace id and see the parent's flags, sampled bit clear.
      const flags = parentSampled === -1 || parent === undefined ? 0 : unsampledFlags(parent);
      return new NonRecordingSpan(core, scratch, flags, traceState);
    }
    // Anything that can throw (foreign TraceStates and spans) runs before a slot is taken.
    const traceStateText = traceState !== undefined && traceState !== parentState ? traceState.serialize() : undefined;
    const parentSlot = localParent !== undefined && arena.holds(localParent.slot, localParent.gen) ? localParent.slot : -1;
    // A remote or foreign parent, or a local one whose slot was already recycled: ids from its span context.
    const parentContext = parentSlot < 0 && parent !== undefined && parentSampled !== -1 ? parent.spanContext() : undefined;
    const parentStateText = parentContext !== undefined && parentState !== undefined ? parentState.serialize() : '';

    // An explicit start time is set exactly after the span exists; garbage (NaN) is counted and becomes now.
    let startEpochMs = NaN;
    let startNs = 0;
    if (startTime !== undefined && timeInputToEpoch(startTime, EXACT_TIME)) {
      startEpochMs = EXACT_TIME[0]!;
      startNs = EXACT_TIME[1]!;
    }
    const startMs = startTime === undefined || startEpochMs === startEpochMs ? nowMs() : NaN;
    const slot = arena.startSpan(this.scope, name, kind + 1, startMs, parentSlot, scratch, 0);
    core.accounting.started++;
    if (slot < 0) {
      core.accounting.droppedAtStart++;
      core.accounting.drop('slots_exhausted', 1);
      return new NonRecordingSpan(core, scratch, 0, traceState);
    }
    const gen = arena.generationOf(slot);
    if (startEpochMs === startEpochMs) arena.setStartTime(slot, gen, startEpochMs, startNs);
    const traceFlags = decision === SamplingDecision.RECORD_AND_SAMPLED ? TRACE_FLAG_SAMPLED : 0;
    if (parentContext !== undefined) {
      arena.setParentContext(slot, gen, parentContext.traceId, parentContext.spanId, traceFlags, parentIsRemote,
        parentStateText);
    }
    arena.setTraceFlags(slot, gen, traceFlags);
    if (traceStateText !== undefined) arena.setTraceState(slot, gen, traceStateText);
    const span = new RecordingSpan(core, slot, gen, traceFlags, traceState);
    if (attributes !== undefined) span.setAttributes(attributes);
    // The sampler's attributes win over SpanOptions.attributes with the same key, as in the official SDK.
    const samplerAttributes = result?.attributes;
    if (samplerAttributes !== undefined) span.setAttributes(samplerAttributes);
    if (links !== undefined) span.addLinks(links);
    if (core.officialProcessors !== undefined) core.officialProcessors.onStart(span, ctx);
    return span;
  }
}

/** W3C trace flags for a non-recording child: the parent's, with the sampled bit cleared. */
function unsampledFlags(parent: Span): number {
  const flags = parent instanceof NonRecordingSpan || parent instanceof RecordingSpan
    ? parent.traceFlags : parent.spanContext().traceFlags;
  return flags & ~TRACE_FLAG_SAMPLED & 0xff;
}
