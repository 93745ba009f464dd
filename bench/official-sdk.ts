// The official OpenTelemetry JS side of every comparison: records canonical traces through `@opentelemetry/api`
// on sdk-trace-base's BasicTracerProvider and serializes them with otlp-transformer's ProtobufTraceSerializer.
// It must never time anything (bench-stats does) nor bypass the API, or the baseline would be flattered.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  CANONICAL_WORKLOAD,
  CanonicalTraceSource,
  URL_PATH_ATTRIBUTE_INDEX,
  XorShift32,
} from './canonical-workload.js';

/** Seeded ids so runs are reproducible; the SDK's default RandomIdGenerator would do as well for size. */
class SeededIdGenerator implements IdGenerator {
  constructor(private readonly prng: XorShift32) {}
  generateTraceId(): string {
    return this.prng.hexId(16);
  }
  generateSpanId(): string {
    return this.prng.hexId(8);
  }
}

/**
 * Records canonical batches with the official SDK. Spans reach the InMemorySpanExporter synchronously through
 * SimpleSpanProcessor (its async wrapper runs the export call before its first await), so `recordBatch` returns
 * a complete batch; the processor's bookkeeping promises settle at the caller's next await.
 */
export class OfficialSdkRecorder {
  private readonly exporter = new InMemorySpanExporter();
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly source: CanonicalTraceSource;
  private readonly epochOffsetMs = performance.timeOrigin;

  /** Same `seed` and `clockStartMs` as another recorder gives the same order ids and timestamps. */
  constructor(seed: number, clockStartMs: number) {
    this.source = new CanonicalTraceSource(seed, clockStartMs);
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ ...CANONICAL_WORKLOAD.resourceAttributes }),
      idGenerator: new SeededIdGenerator(new XorShift32(seed ^ 0x5bd1e995)),
      spanProcessors: [new SimpleSpanProcessor(this.exporter)],
    });
    this.tracer = this.provider.getTracer(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion);
  }

  /** Records `CANONICAL_WORKLOAD.batchSpans` spans (whole traces) and returns them as the exporter saw them. */
  recordBatch(): ReadableSpan[] {
    this.exporter.reset();
    for (let t = 0; t < CANONICAL_WORKLOAD.tracesPerBatch; t++) this.recordTrace();
    const spans = this.exporter.getFinishedSpans().slice();
    this.exporter.reset();
    if (spans.length !== CANONICAL_WORKLOAD.batchSpans) {
      throw new Error(`official SDK recorded ${spans.length} spans, expected ${CANONICAL_WORKLOAD.batchSpans}`);
    }
    return spans;
  }

  /** Flushes and stops the provider; call once when done. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  /** One SERVER root and its CLIENT children, parent passed explicitly, then each child and the root end. */
  private recordTrace(): void {
    const source = this.source;
    source.next();
    const epochMs = this.epochOffsetMs;
    const root = this.tracer.startSpan(CANONICAL_WORKLOAD.rootSpanName, {
      kind: SpanKind.SERVER,
      startTime: epochMs + source.rootStartMs,
    });
    const parentContext = trace.setSpan(context.active(), root);
    for (let c = 0; c < CANONICAL_WORKLOAD.childrenPerTrace; c++) {
      const child = this.tracer.startSpan(
        CANONICAL_WORKLOAD.childSpanName,
        { kind: SpanKind.CLIENT, startTime: epochMs + source.childStartMs[c]! },
        parentContext,
      );
      this.decorate(child, epochMs + source.childStartMs[c]!);
      child.end(epochMs + source.childEndMs[c]!);
    }
    this.decorate(root, epochMs + source.rootStartMs);
    root.end(epochMs + source.rootEndMs);
  }

  /** The canonical 8 attributes, the cache.lookup event and status OK, all through the API. */
  private decorate(span: ReturnType<Tracer['startSpan']>, eventEpochMs: number): void {
    const attributes = CANONICAL_WORKLOAD.spanAttributes;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i]!;
      span.setAttribute(attribute.key, i === URL_PATH_ATTRIBUTE_INDEX ? this.source.urlPath : attribute.value);
    }
    span.addEvent(
      CANONICAL_WORKLOAD.eventName,
      { [CANONICAL_WORKLOAD.eventAttributeKey]: this.source.cacheKey },
      eventEpochMs + 0.001,
    );
    span.setStatus({ code: SpanStatusCode.OK });
  }
}

/** The official OTLP protobuf encoding of one batch: `ProtobufTraceSerializer.serializeRequest`. */
export function serializeOfficial(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('ProtobufTraceSerializer.serializeRequest returned undefined');
  return bytes;
}
