// The @opentelemetry/api Tracer: parent resolution from the context, the sampling decision (allocation-free fast
// path for built-in samplers), and the start of an arena span or of a NonRecordingSpan (one small object, no id
// made or copied unless read). Implements the OTel trace API Tracer and the SDK spec's span creation rules.
// Never throws into user code (startActiveSpan's callback may: it is the user's).
import {
  type Attributes, type Context, type Link, type Span, SpanKind, type SpanOptions, type TimeInput, type Tracer,
  type TraceState, ROOT_CONTEXT, context as contextApi, isSpanContextValid, trace,
} from '@opentelemetry/api';
import type { SpanArena } from '../arena/span-arena.js';
import {
  type FastSampler, type ParentSampled, SamplingDecision, type SamplingResult, isFastSampler,
} from '../sampling/sampler.js';
import { bytesToHex, hexToBytes } from './hex-ids.js';
import { NonRecordingSpan, type TraceIdSource, TraceIdWords, copyTraceIdOf } from './non-recording-span.js';
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
  /** Bit {@link parentStateBit}: the fast sampler reads the trace id for that parent state (asked once here). */
  private readonly fastReadsTraceId: number;
  /**
   * The last context a span of this tracer started under and what it held (Contexts are immutable): siblings
   * started under one parent context (3 of the canonical trace's 4 spans) skip two Map lookups, ~13 ns each.
   * Keeps that one context and its span reachable until the next start, nothing more.
   */
  private lastContext: Context | undefined = undefined;
  private lastParent: Span | undefined = undefined;
  private lastSuppressed = false;

  constructor(private readonly core: TracerCore, readonly scope: number) {
    this.fast = isFastSampler(core.sampler) ? core.sampler : undefined;
    let reads = 0;
    if (this.fast !== undefined) {
      for (const parentSampled of [-1, 0, 1] as const) {
        for (const parentIsRemote of [false, true]) {
          if (this.fast.readsTraceId(parentSampled, parentIsRemote)) {
            reads |= parentStateBit(parentSampled, parentIsRemote);
          }
        }
      }
    }
    this.fastReadsTraceId = reads;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    const core = this.core;
    try {
      let ctx = context !== undefined && isContext(context) ? context : contextApi.active();
      // Read every option once, up front: a throwing getter must fail here, before an arena slot is taken.
      let kind: SpanKind = SpanKind.INTERNAL;
      let startTime: TimeInput | undefined;
      let attributes: Attributes | undefined;
      let links: Link[] | undefined;
      if (options !== undefined && options !== null) {
        kind = options.kind ?? SpanKind.INTERNAL;
        startTime = options.startTime;
        attributes = options.attributes;
        links = options.links;
        // root: the parent must vanish for custom samplers too (they look it up in the context themselves).
        if (options.root === true) ctx = trace.deleteSpan(ctx);
      }
      return this.start(name, kind, startTime, attributes, links, ctx);
    } catch {
      core.accounting.nonRecording++;
      return new NonRecordingSpan(core, undefined, undefined);
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
    const parent = this.lookUp(ctx);
    // Suppressed or shut down: not recorded, but still a child of its parent (same trace id, flags, trace state).
    const suppressed = this.lastSuppressed || core.isShutdown;
    // Parent: where its trace id lives (nothing is copied until someone reads it), its W3C flags and trace state.
    // Spanwire's own spans are told by their brands (instanceof an imported class is a generic call in V8, ~2 ns
    // more per span here), a non-recording one first: it is the never-sampled path. No valid parent: idSource
    // stays undefined (root).
    let idSource: TraceIdSource | undefined;
    let localParent: RecordingSpan | undefined;
    let parentSampled: ParentSampled = -1;
    let parentIsRemote = false;
    let parentState: TraceState | undefined;
    if (parent !== undefined) {
      if ((parent as Partial<NonRecordingSpan>).isSpanwireNonRecording === true) {
        const nonRecording = parent as NonRecordingSpan;
        idSource = nonRecording.traceIdSource();
        parentSampled = 0; // its sampled bit is always clear
        parentState = nonRecording.traceState;
      } else if ((parent as Partial<RecordingSpan>).isSpanwireRecording === true &&
        (parent as RecordingSpan).core === core) {
        const recording = parent as RecordingSpan;
        idSource = localParent = recording;
        parentSampled = (recording.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
        parentState = recording.traceState;
      } else {
        const parentContext = parent.spanContext();
        if (isSpanContextValid(parentContext)) {
          idSource = parentContext;
          parentSampled = (parentContext.traceFlags & TRACE_FLAG_SAMPLED) !== 0 ? 1 : 0;
          parentIsRemote = parentContext.isRemote === true;
          parentState = parentContext.traceState;
        }
      }
    }

    // The trace id goes into the scratch only when read: by the sampler, or by the arena for a recorded span.
    let idInScratch = false;
    let result: SamplingResult | undefined;
    let decision: number;
    if (suppressed) {
      decision = SamplingDecision.NOT_RECORD;
    } else if (this.fast !== undefined) {
      if ((this.fastReadsTraceId & parentStateBit(parentSampled, parentIsRemote)) !== 0) {
        loadTraceId(arena, idSource, scratch);
        idInScratch = true;
      }
      decision = this.fast.decideFast(parentSampled, parentIsRemote, scratch, 0);
    } else {
      result = this.decideSlow(ctx, idSource, name, kind, attributes, links);
      decision = result?.decision ?? SamplingDecision.NOT_RECORD;
      idInScratch = true;
    }
    const traceState = result?.traceState ?? parentState;
    if (decision !== SamplingDecision.RECORD && decision !== SamplingDecision.RECORD_AND_SAMPLED) {
      core.accounting.nonRecording++;
      return new NonRecordingSpan(core, droppedIdSource(idSource, idInScratch, scratch), traceState);
    }
    // Anything that can throw (foreign TraceStates and spans) runs before a slot is taken.
    const traceStateText = traceState !== undefined && traceState !== parentState ? traceState.serialize() : undefined;
    const parentSlot = localParent !== undefined && arena.holds(localParent.slot, localParent.gen) ? localParent.slot : -1;
    // A remote or foreign parent, or a local one whose slot was already recycled: ids from its span context.
    const parentContext = parentSlot < 0 && parent !== undefined && idSource !== undefined
      ? parent.spanContext() : undefined;
    const parentStateText = parentContext !== undefined && parentState !== undefined ? parentState.serialize() : '';
    // The arena finds the trace id itself for a held local parent (slot to slot) and a root no sampler read
    // (random, with its span id): the scratch is passed only when it holds the id, or must (any other parent).
    let traceIdBytes: Uint8Array | undefined;
    if (parentSlot < 0 && (idInScratch || idSource !== undefined)) {
      if (!idInScratch) loadTraceId(arena, idSource, scratch);
      traceIdBytes = scratch;
    }

    // An explicit start time is set exactly after the span exists; garbage (NaN) is counted there and the span
    // keeps the start the arena read from the clock.
    let startEpochMs = NaN;
    let startNs = 0;
    if (startTime !== undefined && timeInputToEpoch(startTime, EXACT_TIME)) {
      startEpochMs = EXACT_TIME[0]!;
      startNs = EXACT_TIME[1]!;
    }
    const traceFlags = decision === SamplingDecision.RECORD_AND_SAMPLED ? TRACE_FLAG_SAMPLED : 0;
    const slot = arena.startSpanNow(this.scope, name, kind + 1, parentSlot, traceFlags, traceIdBytes);
    core.accounting.started++;
    if (slot < 0) {
      core.accounting.droppedAtStart++;
      core.accounting.drop('slots_exhausted', 1);
      return new NonRecordingSpan(core, droppedIdSource(idSource, idInScratch, scratch), traceState);
    }
    const gen = arena.generationOf(slot);
    if (startTime !== undefined) arena.setStartTime(slot, gen, startEpochMs, startNs);
    if (parentContext !== undefined) {
      arena.setParentContext(slot, gen, parentContext.traceId, parentContext.spanId, traceFlags, parentIsRemote,
        parentStateText);
    }
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

  /**
   * The span in ctx (and, in lastSuppressed, whether ctx suppresses tracing), remembered for the next start.
   * ROOT_CONTEXT holds nothing: a root started outside any context looks nothing up.
   */
  private lookUp(ctx: Context): Span | undefined {
    if (ctx !== this.lastContext) {
      const isRoot = ctx === ROOT_CONTEXT;
      const suppressed = !isRoot && ctx.getValue(SUPPRESS_TRACING_KEY) === true;
      const parent = isRoot ? undefined : trace.getSpan(ctx);
      this.lastSuppressed = suppressed;
      this.lastParent = parent;
      this.lastContext = ctx;
    }
    return this.lastParent;
  }

  /** A custom sampler's decision: it gets the trace id as hex, left in the scratch afterwards. */
  private decideSlow(ctx: Context, idSource: TraceIdSource | undefined, name: string, kind: SpanKind,
    attributes: Attributes | undefined, links: Link[] | undefined): SamplingResult | undefined {
    const core = this.core;
    const scratch = core.scratchTraceId;
    loadTraceId(core.arena, idSource, scratch);
    const traceIdHex = bytesToHex(scratch, 0, 16);
    const result = core.sampler.shouldSample(ctx, traceIdHex, name, kind, attributes ?? EMPTY_ATTRIBUTES,
      links ?? NO_LINKS);
    // The sampler may have started spans itself, reusing the scratch: restore the id it decided on.
    hexToBytes(traceIdHex, scratch, 0);
    return result;
  }
}

/** One bit per parent state a sampler tells apart: none, local or remote, sampled or not. */
function parentStateBit(parentSampled: ParentSampled, parentIsRemote: boolean): number {
  return parentSampled === -1 ? 1 : 1 << (1 + parentSampled + (parentIsRemote ? 2 : 0));
}

/**
 * Where a span not recorded finds its trace id: its parent's, or for a root the id its sampler read (copied out
 * of the scratch); a root no sampler read gets its id when first asked for.
 */
function droppedIdSource(idSource: TraceIdSource | undefined, idInScratch: boolean,
  scratch: Uint8Array): TraceIdSource | undefined {
  return idSource ?? (idInScratch ? new TraceIdWords(scratch, 0) : undefined);
}

/** Puts the trace id into scratch[0..16): the parent's, or a new random one for a root. */
function loadTraceId(arena: SpanArena, idSource: TraceIdSource | undefined, scratch: Uint8Array): void {
  if (idSource === undefined) arena.randomScratchTraceId();
  else copyTraceIdOf(idSource, scratch, 0);
}
