// One side of the span-lifecycle benchmark, alone in a worker thread (its own V8 isolate, heap, GCs and JIT
// feedback, as in a process that loads one SDK): records canonical traces through `@opentelemetry/api` when the
// main thread asks, and reports span-call time, wall time and GCs per sample. It must never bypass the API.
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import type { AttributeValue, Attributes, Context, Span, SpanContext, SpanStatus, Tracer } from '@opentelemetry/api';
import { OrderPicker, recordCanonicalTraces } from './canonical-traces.js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler as OfficialAlwaysOffSampler,
  BasicTracerProvider,
  BatchSpanProcessor as OfficialBatchSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchEncoder } from '../src/codec/batch-encoder.js';
import type { ExportOutcome, SpanBatch, SpanwireExporter } from '../src/export/span-exporter.js';
import { AlwaysOffSampler } from '../src/sampling/builtin-samplers.js';
import { SpanwireTracerProvider } from '../src/sdk/tracer-provider.js';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import { GcLog } from './gc-log.js';

/**
 * Which SDK a worker drives. 'floor' is a tracer that does nothing and allocates nothing: what the workload code
 * and the API calls cost by themselves (the context per trace, the event's attribute object), below any SDK.
 * 'minimal' is the least any recording SDK must do on top (see MinimalRecorder): a floor for the recorded ratio.
 */
export type LifecycleSdk = 'spanwire' | 'official' | 'floor' | 'minimal';
/** 'recorded': the default sampler, every span exported; 'never': AlwaysOff, no span recorded. */
export type LifecycleSampling = 'recorded' | 'never';

/** What the main thread passes as `workerData`. */
export interface LifecycleWorkerConfig {
  sdk: LifecycleSdk;
  sampling: LifecycleSampling;
  seed: number;
  /**
   * Traces per synchronous chunk; after each the producer yields one macrotask, as a server yields between
   * requests, so both SDKs' batch exports (macrotasks) run while it records.
   */
  chunkTraces: number;
  /** Ended spans a batch processor may hold (both SDKs). */
  maxQueueSpans: number;
}

/**
 * Requests from the main thread; one at a time, each answered by one message. Before the first, the worker
 * posts `{ op: 'ready' }` once its SDK is set up, so setup never counts as warm-up.
 */
export type LifecycleRequest =
  | { op: 'sample'; traces: number; heapProfile: boolean }
  | { op: 'finish' };

/** One sample: `traces` canonical traces in chunks, a final flush, and what happened meanwhile. */
export interface SampleReport {
  op: 'sample';
  spans: number;
  /** Time inside the workload's synchronous chunks: the span calls only, no yields, no export macrotasks. */
  spanCallMs: number;
  /** Start of the first chunk to the end of the final forceFlush: span calls + yields + export/encode. */
  wallMs: number;
  /**
   * Process CPU time (user + system, all threads: while a sample runs only this worker's thread and its
   * isolate's GC/compiler helpers are busy) inside the chunks. Unlike wall time it does not grow while other
   * processes hold the cores, so it is the steadier number on a shared machine. Includes ~1 µs of
   * process.cpuUsage() per chunk, i.e. ~4 ns per span.
   */
  spanCallCpuMs: number;
  /** Process CPU time over the whole sample (span calls + export/encode + flush + yields). */
  wallCpuMs: number;
  /** GCs that began inside the sample's wall-time window, by `PerformanceEntry.detail.kind`. */
  minorGcs: number;
  majorGcs: number;
  /** Incremental-marking and weak-callback GC entries. */
  otherGcs: number;
  /** V8 heap bytes allocated during the sample (from v8.GCProfiler), or -1 when not asked for. */
  heapBytes: number;
}

/** The delivery check at the end: nothing may be dropped, or the times are not comparable. */
export interface FinishReport {
  op: 'finish';
  /** Spans the workload started over the worker's life (warm-up included). */
  spansRecorded: number;
  /** Spans the exporter received and encoded; -1 for the floor. */
  spansExported: number;
  /** Protobuf bytes the exporter produced. */
  bytesEncoded: number;
  /** spanwire: provider.stats(); official: its exporter's counters. */
  stats: unknown;
  /** Anything that makes the run suspect (drops, arena counters, a failed encode). */
  warnings: string[];
}

/** Slots for spans not yet queued: 4 live per trace at most; the rest is margin. */
const LIVE_SPAN_MARGIN = 1024;
const EXPORT_BATCH_SPANS = CANONICAL_WORKLOAD.batchSpans;

// ---- The workload: identical code for every SDK, through the API only.


// ---- The SDKs under test, each with an exporter that really encodes (outside the span calls).

/** spanwire's production path minus the network: every batch is encoded to OTLP protobuf in WASM memory. */
class EncodingExporter implements SpanwireExporter {
  spans = 0;
  bytes = 0;
  failedBatches = 0;
  private encoder: BatchEncoder | undefined;

  export(batch: SpanBatch): ExportOutcome {
    // batch.arena is provider.arena; the encoder is made on the first batch because the provider owns the arena.
    this.encoder ??= new BatchEncoder(batch.arena);
    const body = this.encoder.encode(batch.slots, batch.count);
    if (body === null) {
      this.failedBatches++;
      return { delivered: 0, dropped: batch.count, dropReason: 'encode_failed' };
    }
    this.spans += batch.count;
    this.bytes += body.length;
    return { delivered: batch.count, dropped: 0 };
  }

  async shutdown(): Promise<void> {}
}

/**
 * The official side of the same path: ProtobufTraceSerializer.serializeRequest per batch, then success.
 * The official BatchSpanProcessor calls export() synchronously inside the end() that fills a batch (and the
 * real OTLPTraceExporter serializes inside export()), which would put ~8 µs per span of encoding inside the
 * span calls; deferring it one macrotask keeps encoding outside them, as on spanwire's side, and inside wallMs.
 */
class SerializingExporter implements SpanExporter {
  spans = 0;
  bytes = 0;
  failedBatches = 0;

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    setImmediate(() => {
      const body = ProtobufTraceSerializer.serializeRequest(spans);
      if (body === undefined) {
        this.failedBatches++;
        resultCallback({ code: ExportResultCode.FAILED });
        return;
      }
      this.spans += spans.length;
      this.bytes += body.length;
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
  }

  async shutdown(): Promise<void> {}
}

/** A tracer plus how to flush it and how to account for it at the end. */
interface Side {
  tracer: Tracer;
  flush(): Promise<void>;
  finish(spansRecorded: number): Promise<FinishReport>;
}

function spanwireSide(sampling: LifecycleSampling, maxQueueSpans: number): Side {
  const exporter = new EncodingExporter();
  const slots = maxQueueSpans + LIVE_SPAN_MARGIN;
  const provider = new SpanwireTracerProvider({
    resource: { ...CANONICAL_WORKLOAD.resourceAttributes },
    sdkLanguage: 'nodejs',
    exporter,
    // 9 attribute records per canonical span (8 + the event's 1); 12 is the default ratio.
    capacity: { spans: slots, attributes: slots * 12, events: slots },
    batch: { maxQueueSize: maxQueueSpans, maxExportBatchSize: EXPORT_BATCH_SPANS },
    ...(sampling === 'never' ? { sampler: new AlwaysOffSampler() } : {}),
  });
  return {
    tracer: provider.getTracer(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion),
    flush: () => provider.forceFlush(),
    async finish(spansRecorded) {
      await provider.forceFlush();
      const stats = provider.stats();
      const warnings: string[] = [];
      if (stats.droppedTotal !== 0) warnings.push(`spanwire dropped spans: ${JSON.stringify(stats.dropped)}`);
      const expectExported = sampling === 'recorded' ? spansRecorded : 0;
      if (stats.exported !== expectExported || exporter.spans !== expectExported) {
        warnings.push(`spanwire exported ${stats.exported} (exporter saw ${exporter.spans}), expected ${expectExported}`);
      }
      const expectStarted = sampling === 'recorded' ? spansRecorded : 0;
      if (stats.started !== expectStarted) warnings.push(`spanwire started ${stats.started}, expected ${expectStarted}`);
      if (sampling === 'never' && stats.nonRecording !== spansRecorded) {
        warnings.push(`spanwire non-recording ${stats.nonRecording}, expected ${spansRecorded}`);
      }
      if (exporter.failedBatches !== 0) warnings.push(`spanwire encode failed on ${exporter.failedBatches} batches`);
      // Every arena counter but spans* counts something dropped, refused or sanitised: all must stay 0.
      const { arena, ...accounting } = stats;
      const arenaProblems: Record<string, number> = {};
      for (const [counter, value] of Object.entries(arena)) {
        if (counter.startsWith('spans') || value === 0) continue;
        arenaProblems[counter] = value;
        warnings.push(`spanwire arena counter ${counter} = ${value}`);
      }
      await provider.shutdown();
      return {
        op: 'finish', spansRecorded, spansExported: exporter.spans, bytesEncoded: exporter.bytes,
        stats: { ...accounting, arenaProblemCounters: arenaProblems }, warnings,
      };
    },
  };
}

function officialSide(sampling: LifecycleSampling, maxQueueSpans: number): Side {
  const exporter = new SerializingExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...CANONICAL_WORKLOAD.resourceAttributes }),
    spanProcessors: [
      new OfficialBatchSpanProcessor(exporter, {
        maxQueueSize: maxQueueSpans, maxExportBatchSize: EXPORT_BATCH_SPANS,
      }),
    ],
    ...(sampling === 'never' ? { sampler: new OfficialAlwaysOffSampler() } : {}),
  });
  return {
    tracer: provider.getTracer(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion),
    flush: () => provider.forceFlush(),
    async finish(spansRecorded) {
      await provider.forceFlush();
      const warnings: string[] = [];
      const expectExported = sampling === 'recorded' ? spansRecorded : 0;
      if (exporter.spans !== expectExported) {
        warnings.push(`official exporter received ${exporter.spans} spans, expected ${expectExported} ` +
          '(its BatchSpanProcessor drops silently when maxQueueSize is reached)');
      }
      if (exporter.failedBatches !== 0) warnings.push(`official serializer failed on ${exporter.failedBatches} batches`);
      await provider.shutdown();
      return {
        op: 'finish', spansRecorded, spansExported: exporter.spans, bytesEncoded: exporter.bytes,
        stats: { exporterSpans: exporter.spans, exporterBytes: exporter.bytes, failedBatches: exporter.failedBatches },
        warnings,
      };
    },
  };
}

/** The floor's tracer: every span is one shared non-recording span with the invalid span context. */
class NothingTracer implements Tracer {
  private readonly span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

  startSpan(): Span {
    return this.span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    return fn(this.span) as ReturnType<F>;
  }
}

/** Capacity of the minimal recorder's columns: records wrap around (it keeps nothing, it only must write). */
const MINIMAL_RECORDS = 1 << 16;

/**
 * The least a recording SDK must do for a canonical span, and nothing more, as a lower bound (not an SDK): three
 * clock reads (start, event, end: performance.now(), the cheapest clock here), the parent looked up in the given
 * context, every attribute key and value stored by type into preallocated columns (strings by reference: no
 * interning, no UTF-8, no copy), the event's attributes walked the same way, the status code stored. No ids, no sampling, no span object per span (one shared object),
 * no queue, no export. Its span-call time over the official SDK's is the lowest "recorded" ratio any SDK can
 * reach through this workload on this machine.
 */
class MinimalRecorder implements Tracer {
  private readonly span: MinimalSpan = new MinimalSpan();

  startSpan(name: string, options?: { kind?: number }, ctx?: Context): Span {
    const span = this.span;
    span.begin(name, options?.kind ?? 0, ctx === undefined ? undefined : trace.getSpan(ctx));
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    return fn(this.startSpan(String(args[0]))) as ReturnType<F>;
  }
}

class MinimalSpan {
  private readonly keyColumn: (string | undefined)[] = new Array<string | undefined>(MINIMAL_RECORDS).fill(undefined);
  private readonly numberColumn = new Float64Array(MINIMAL_RECORDS);
  private readonly stringColumn: (string | undefined)[] = new Array<string | undefined>(MINIMAL_RECORDS).fill(undefined);
  private readonly timeColumn = new Float64Array(MINIMAL_RECORDS);
  private readonly spanColumn: (string | undefined)[] = new Array<string | undefined>(MINIMAL_RECORDS).fill(undefined);
  private record = 0;
  private parentSeen = 0;

  begin(name: string, kind: number, parent: Span | undefined): void {
    const at = this.next();
    this.spanColumn[at] = name;
    this.numberColumn[at] = kind;
    this.timeColumn[at] = performance.now();
    if (parent !== undefined) this.parentSeen++;
  }

  spanContext(): SpanContext {
    return INVALID_SPAN_CONTEXT;
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.store(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.store(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributes?: Attributes): this {
    const at = this.next();
    this.spanColumn[at] = name;
    this.timeColumn[at] = performance.now();
    if (attributes !== undefined) this.setAttributes(attributes);
    return this;
  }

  addLink(): this { return this; }
  addLinks(): this { return this; }

  setStatus(status: SpanStatus): this {
    this.numberColumn[this.next()] = status.code;
    return this;
  }

  updateName(name: string): this {
    this.spanColumn[this.next()] = name;
    return this;
  }

  end(): void {
    this.timeColumn[this.next()] = performance.now();
  }

  isRecording(): boolean {
    return true;
  }

  recordException(): void {}

  private store(key: string, value: unknown): void {
    const at = this.next();
    this.keyColumn[at] = key;
    if (typeof value === 'string') this.stringColumn[at] = value;
    else if (typeof value === 'number') this.numberColumn[at] = value;
    else if (typeof value === 'boolean') this.numberColumn[at] = value ? 1 : 0;
  }

  private next(): number {
    const at = this.record;
    this.record = at + 1 === MINIMAL_RECORDS ? 0 : at + 1;
    return at;
  }
}

/** A side with no SDK behind its tracer (the floors): nothing to flush, nothing exported. */
function noSdkSide(tracer: Tracer): Side {
  return {
    tracer,
    flush: async () => {},
    async finish(spansRecorded) {
      return { op: 'finish', spansRecorded, spansExported: -1, bytesEncoded: 0, stats: {}, warnings: [] };
    },
  };
}

// ---- Sampling: chunks, yields, flush, GC accounting.

/** GC entries, oldest first; observed from serve() on, pruned after each sample. */
let gcLog: GcLog | undefined;

const yieldMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Heap bytes allocated over a GCProfiler window: growth of used heap between GCs, plus the tail after the last. */
function allocatedBytes(usedBeforeBytes: number, profile: v8.GCProfilerResult, usedAfterBytes: number): number {
  let allocated = 0;
  let previousAfter = usedBeforeBytes;
  for (const gc of profile.statistics) {
    allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - previousAfter);
    previousAfter = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return allocated + Math.max(0, usedAfterBytes - previousAfter);
}

async function runSample(
  side: Side, orders: OrderPicker, chunkTraces: number, traces: number, heapProfile: boolean,
): Promise<SampleReport> {
  const profiler = heapProfile ? new v8.GCProfiler() : undefined;
  const usedBeforeBytes = heapProfile ? v8.getHeapStatistics().used_heap_size : 0;
  profiler?.start();
  const sampleCpu = process.cpuUsage();
  const startMs = performance.now();
  let spanCallMs = 0;
  let spanCallCpuUs = 0;
  for (let done = 0; done < traces;) {
    const count = Math.min(chunkTraces, traces - done);
    const chunkCpu = process.cpuUsage();
    const chunkStartMs = performance.now();
    recordCanonicalTraces(side.tracer, orders, count);
    spanCallMs += performance.now() - chunkStartMs;
    const cpu = process.cpuUsage(chunkCpu);
    spanCallCpuUs += cpu.user + cpu.system;
    done += count;
    await yieldMacrotask();
  }
  await side.flush();
  const endMs = performance.now();
  const wallCpu = process.cpuUsage(sampleCpu);
  let heapBytes = -1;
  if (profiler !== undefined) {
    const usedAfterBytes = v8.getHeapStatistics().used_heap_size;
    heapBytes = allocatedBytes(usedBeforeBytes, profiler.stop(), usedAfterBytes);
  }
  // GC entries reach the observer a macrotask or two after the GC; three yields are plenty.
  for (let i = 0; i < 3; i++) await yieldMacrotask();
  const gcs = gcLog?.countWithin(startMs, endMs) ?? { minor: 0, major: 0, other: 0 };
  gcLog?.clear();
  return {
    op: 'sample', spans: traces * CANONICAL_WORKLOAD.spansPerTrace, spanCallMs, wallMs: endMs - startMs,
    spanCallCpuMs: spanCallCpuUs / 1000, wallCpuMs: (wallCpu.user + wallCpu.system) / 1000,
    minorGcs: gcs.minor, majorGcs: gcs.major, otherGcs: gcs.other, heapBytes,
  };
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('lifecycle-worker.ts runs only as a worker thread of lifecycle-bench');
  const config = workerData as LifecycleWorkerConfig;
  const side = config.sdk === 'spanwire' ? spanwireSide(config.sampling, config.maxQueueSpans)
    : config.sdk === 'official' ? officialSide(config.sampling, config.maxQueueSpans)
      : noSdkSide(config.sdk === 'minimal' ? new MinimalRecorder() : new NothingTracer());
  const orders = new OrderPicker(config.seed);
  gcLog = new GcLog();
  let spansRecorded = 0;
  // One request at a time: the main thread awaits each answer before it sends the next.
  let queue = Promise.resolve();
  port.on('message', (request: LifecycleRequest) => {
    queue = queue.then(async () => {
      if (request.op === 'sample') {
        const report = await runSample(side, orders, config.chunkTraces, request.traces, request.heapProfile);
        spansRecorded += report.spans;
        port.postMessage(report);
      } else {
        const report = await side.finish(spansRecorded);
        gcLog?.stop();
        port.postMessage(report);
        port.close();
      }
    }).catch((error: unknown) => {
      port.postMessage({ op: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
    });
  });
  port.postMessage({ op: 'ready' });
}

await serve();
