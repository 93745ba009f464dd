// Runs official-style `SpanProcessor`s (@opentelemetry/sdk-trace-base's interface: onStart, onEnding, onEnd,
// forceFlush, shutdown) beside the arena pipeline, so existing processors and exporters (a SimpleSpanProcessor
// around any official exporter, enrichment or filtering processors) keep working. onEnd gets a `ReadableSpan`
// materialised from the arena (span-reader.ts): the slow path, paid only by providers that configure processors.
// Must never let a processor's exception reach user code, and never hold an arena slot after end() returns.
import type { Attributes, Context, HrTime, Link, Span, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { type FinishedSpan, readFinishedSpan } from '../arena/span-reader.js';
import type { SpanArena } from '../arena/span-arena.js';
import { raceTimeout } from '../processing/export-dispatcher.js';

/** The resource as official exporters read it (attributes, schemaUrl; merge and raw attributes for completeness). */
export interface ReadableResource {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  readonly asyncAttributesPending?: boolean;
  merge(other: ReadableResource | null): ReadableResource;
  getRawAttributes(): [string, unknown][];
}

/** Structurally the official SDK's ReadableSpan (sdk-trace-base 2.x), detached from the arena. */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: { time: HrTime; name: string; attributes?: Attributes; droppedAttributesCount?: number }[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: ReadableResource;
  readonly instrumentationScope: { name: string; version?: string; schemaUrl?: string };
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/**
 * Structurally the official SDK's SpanProcessor. onStart and onEnding receive spanwire's API Span (setAttribute
 * and friends work; ReadableSpan fields do not exist before the end).
 */
export interface OfficialSpanProcessor {
  onStart(span: Span, parentContext: Context): void;
  onEnding?(span: Span): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const NS_PER_S = 1_000_000_000;

function hrDuration(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += NS_PER_S;
  }
  return [seconds, nanos];
}

function readableResource(info: FinishedSpan['resource']): ReadableResource {
  const attributes = { ...info.attributes } as Attributes;
  const resource: ReadableResource = {
    attributes,
    schemaUrl: info.schemaUrl === '' ? undefined : info.schemaUrl,
    asyncAttributesPending: false,
    merge: () => resource,
    getRawAttributes: () => Object.entries(attributes),
  };
  return resource;
}

/** A FinishedSpan in the official ReadableSpan shape. */
export function toReadableSpan(span: FinishedSpan): ReadableSpan {
  const context = span.spanContext;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    parentSpanContext: span.parentSpanId === '' ? undefined : {
      traceId: context.traceId, spanId: span.parentSpanId, traceFlags: context.traceFlags,
      isRemote: span.parentIsRemote === true,
    },
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events.map((e) => ({
      time: e.time, name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount,
    })),
    duration: hrDuration(span.startTime, span.endTime),
    ended: true,
    resource: readableResource(span.resource),
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** The configured official processors, each call guarded; failures are counted in `errors` and warned once. */
export class OfficialProcessorSet {
  errors = 0;
  private readonly hasOnEnding: boolean;

  /** @param defaultTimeoutMs bound for forceFlush/shutdown when the caller gives none (the export timeout) */
  constructor(private readonly processors: readonly OfficialSpanProcessor[], private readonly defaultTimeoutMs: number) {
    this.hasOnEnding = processors.some((p) => typeof p.onEnding === 'function');
  }

  private failed(what: string, error: unknown): void {
    if (this.errors++ === 0) {
      diag.warn(`spanwire: an official SpanProcessor threw in ${what} (${String(error)}); it was ignored ` +
        '(further failures are only counted)');
    }
  }

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) {
      try {
        processor.onStart(span, parentContext);
      } catch (error) {
        this.failed('onStart', error);
      }
    }
  }

  /** Before the span ends: it is still writable (sdk-trace-base 2.x onEnding). */
  onEnding(span: Span): void {
    if (!this.hasOnEnding) return;
    for (const processor of this.processors) {
      try {
        processor.onEnding?.(span);
      } catch (error) {
        this.failed('onEnding', error);
      }
    }
  }

  /** After the span ended, while its slot is still the caller's: one ReadableSpan shared by every processor. */
  onEnd(arena: SpanArena, slot: number): void {
    let readable: ReadableSpan;
    try {
      readable = toReadableSpan(readFinishedSpan(arena, slot));
    } catch (error) {
      this.failed('reading the ended span', error);
      return;
    }
    for (const processor of this.processors) {
      try {
        processor.onEnd(readable);
      } catch (error) {
        this.failed('onEnd', error);
      }
    }
  }

  forceFlush(timeoutMs = this.defaultTimeoutMs): Promise<void> {
    return this.settleAll('forceFlush', (p) => p.forceFlush(), timeoutMs);
  }

  shutdown(timeoutMs = this.defaultTimeoutMs): Promise<void> {
    return this.settleAll('shutdown', (p) => p.shutdown(), timeoutMs);
  }

  /**
   * Calls every processor at once; resolves when all settled or after timeoutMs (a processor that never settles
   * must not hold the provider's flush or shutdown forever), counting (never passing on) failures.
   */
  private async settleAll(what: string, call: (p: OfficialSpanProcessor) => Promise<void>, timeoutMs: number): Promise<void> {
    await raceTimeout(Promise.all(this.processors.map(async (p) => {
      try {
        await call(p);
      } catch (error) {
        this.failed(what, error);
      }
    })), timeoutMs);
  }
}
