// Span-lifecycle benchmark: the canonical trace through `@opentelemetry/api`, spanwire vs the official SDK, recorded
// and never sampled: ns per span, GCs and heap bytes per span, interleaved rounds in one run, each side alone in a
// worker (lifecycle-worker.ts). It reports medians and same-round ratios; it never fails on a time.
import { Worker } from 'node:worker_threads';
import type { AsyncBenchSubject, RatioResult, Spread, SubjectResult } from './bench-stats.js';
import { benchArgsFrom, formatNumber, formatTable, ratioOf, runInterleavedAsync, spreadOf } from './bench-stats.js';
import type { RatioPair } from './round-stream.js';
import { roundMessageOf, sendRound } from './round-stream.js';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import type {
  FinishReport, LifecycleRequest, LifecycleSampling, LifecycleSdk, LifecycleWorkerConfig, SampleReport,
} from './lifecycle-worker.js';

const SEED = 0x2545f491;
/** 64 traces = 256 spans per synchronous chunk, then one macrotask yield (see LifecycleWorkerConfig). */
const CHUNK_TRACES = 64;
/**
 * Queue bound for both SDKs' batch processors. spanwire exports from a setTimeout(0), which Node runs no sooner
 * than 1 ms later, so the queue must absorb over 1 ms of full-speed production: 4k spans at the ~250 ns per span
 * spanwire aims for, 4x that here. No side may drop a span (checked at the end), or times are not comparable.
 */
const MAX_QUEUE_SPANS = 16384;
/** Spans of the untimed heap-allocation pass per subject (one sample with v8.GCProfiler on). */
const HEAP_PASS_SPANS = 200_000;
const HEAP_PASS_SPANS_QUICK = 40_000;

/** Targets from DESIGN.md "Targets". */
const TARGET_RECORDED_TIME_RATIO = 1 / 15;
const TARGET_NEVER_SAMPLED_NS = 50;
const TARGET_MINOR_GC_RATIO = 1 / 50;

const METHOD =
  'Canonical trace (SERVER root + 3 CLIENT children, explicit parent via trace.setSpan(context.active(), root); ' +
  'each span 8 setAttribute, addEvent(cache.lookup, {cache.key}), setStatus(OK), end(); SDK clocks) through ' +
  '@opentelemetry/api only, the same code for every side; each side alone in a worker thread (own isolate, heap, ' +
  `GCs, JIT feedback). ${CHUNK_TRACES} traces per synchronous chunk, then one setImmediate yield; forceFlush at ` +
  'the end of every sample. Exporters encode every batch outside the span calls: spanwire BatchEncoder.encode, ' +
  'official ProtobufTraceSerializer.serializeRequest (deferred one macrotask: the official BatchSpanProcessor ' +
  `calls export() inside the end() that fills a batch). Queues ${MAX_QUEUE_SPANS} spans on both sides, batches ` +
  `${CANONICAL_WORKLOAD.batchSpans}. "span calls" = time inside the chunks only; "wall" = whole sample incl. ` +
  'yields, export+encode and the final flush; "CPU time" = process.cpuUsage() over the same spans (steadier ' +
  'when other processes hold the cores). GCs: PerformanceObserver gc entries inside each sample. Rounds ' +
  'interleaved A B / B A.';

/** One benchmarked side. */
interface SubjectSpec {
  name: string;
  sdk: LifecycleSdk;
  sampling: LifecycleSampling;
}

const SUBJECTS: readonly SubjectSpec[] = [
  { name: 'recorded spanwire', sdk: 'spanwire', sampling: 'recorded' },
  { name: 'recorded official', sdk: 'official', sampling: 'recorded' },
  { name: 'never-sampled spanwire', sdk: 'spanwire', sampling: 'never' },
  { name: 'never-sampled official', sdk: 'official', sampling: 'never' },
  { name: 'floor: tracer doing nothing', sdk: 'floor', sampling: 'never' },
  { name: 'floor: minimal recorder', sdk: 'minimal', sampling: 'recorded' },
];
/** The span-call ratios streamed after every round (the final document has these and more). */
const ROUND_RATIO_PAIRS: readonly RatioPair[] = [
  ['recorded span calls spanwire / official', 'recorded spanwire', 'recorded official'],
  ['never-sampled span calls spanwire / official', 'never-sampled spanwire', 'never-sampled official'],
];

/** A worker running one side, asked one thing at a time. */
class SideWorker {
  private readonly worker: Worker;
  private pending: { resolve: (reply: unknown) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  /** Settles when the worker has set its SDK up (its first message). */
  readonly ready: Promise<unknown>;
  /** Settles when the thread has ended (after finish(), once --cpu-prof has written its profile). */
  readonly exited: Promise<void>;

  constructor(config: LifecycleWorkerConfig) {
    this.ready = new Promise((resolve, reject) => { this.pending = { resolve, reject }; });
    this.worker = new Worker(new URL('./lifecycle-worker.js', import.meta.url), { workerData: config });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (reply: { op: string; message?: string }) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.op === 'error') pending?.reject(new Error(`worker ${config.sdk}/${config.sampling}: ${reply.message}`));
      else pending?.resolve(reply);
    });
    this.worker.on('error', (error: Error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (this.pending !== undefined) this.fail(new Error(`worker ${config.sdk}/${config.sampling} exited (${code})`));
    });
  }

  sample(traces: number, heapProfile: boolean): Promise<SampleReport> {
    return this.request({ op: 'sample', traces, heapProfile }) as Promise<SampleReport>;
  }

  /** Flushes, checks delivery and lets the worker exit (so --cpu-prof writes its profile). */
  finish(): Promise<FinishReport> {
    return this.request({ op: 'finish' }) as Promise<FinishReport>;
  }

  /** Stops a worker that failed; a finished one ends by itself (terminating it could lose its profile). */
  terminate(): void {
    if (this.failure !== undefined) void this.worker.terminate();
  }

  private request(request: LifecycleRequest): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/** GC rates for one subject: over its timed samples (per round and in total) and over the untimed heap pass. */
interface GcResult {
  name: string;
  spans: number;
  minorPerMillionSpans: number;
  majorPerMillionSpans: number;
  otherPerMillionSpans: number;
  minorPerMillionSpansPerRound: number[];
  minorPerMillion: Spread;
  /**
   * The heap pass's rate, for comparison only: V8 sizes the young generation from recent survival and shrinks
   * it after idle time, so a side that allocates little can see more GCs per byte in one long sample.
   */
  heapPassMinorPerMillionSpans: number;
}

function gcResultOf(name: string, timed: readonly SampleReport[], heapPass: SampleReport): GcResult {
  let spans = 0;
  let minor = 0;
  let major = 0;
  let other = 0;
  for (const r of timed) {
    spans += r.spans;
    minor += r.minorGcs;
    major += r.majorGcs;
    other += r.otherGcs;
  }
  const perRound = timed.map((r) => (r.minorGcs * 1e6) / r.spans);
  return {
    name, spans,
    minorPerMillionSpans: (minor * 1e6) / spans,
    majorPerMillionSpans: (major * 1e6) / spans,
    otherPerMillionSpans: (other * 1e6) / spans,
    minorPerMillionSpansPerRound: perRound,
    minorPerMillion: spreadOf(perRound),
    heapPassMinorPerMillionSpans: (heapPass.minorGcs * 1e6) / heapPass.spans,
  };
}

/** ns per span of one SampleReport field (e.g. wallMs), as a SubjectResult for ratioOf. */
function resultOf(
  name: string, runsPerSample: number, reports: readonly SampleReport[],
  field: 'wallMs' | 'spanCallCpuMs' | 'wallCpuMs',
): SubjectResult {
  const samples = reports.map((r) => (r[field] * 1e6) / r.spans);
  return { name, runsPerSample, nsPerUnitSamples: samples, nsPerUnit: spreadOf(samples) };
}

async function main(): Promise<void> {
  const args = benchArgsFrom(process.argv.slice(2));
  const heapPassSpans = args.quick ? HEAP_PASS_SPANS_QUICK : HEAP_PASS_SPANS;
  const workers = SUBJECTS.map((spec) => new SideWorker({
    sdk: spec.sdk, sampling: spec.sampling, seed: SEED, chunkTraces: CHUNK_TRACES, maxQueueSpans: MAX_QUEUE_SPANS,
  }));
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    const reports: SampleReport[][] = SUBJECTS.map(() => []);
    const subjects: AsyncBenchSubject[] = SUBJECTS.map((spec, s) => ({
      name: spec.name,
      unitsPerRun: CANONICAL_WORKLOAD.spansPerTrace,
      runSample: async (_firstIteration, runs, round) => {
        const report = await workers[s]!.sample(runs, false);
        if (round >= 0) reports[s]![round] = report;
        return report.spanCallMs;
      },
    }));
    const results = await runInterleavedAsync(subjects, args.options, (round, samples) => {
      const values = Object.fromEntries(samples.map((sample) => [sample.name, sample.nsPerUnit]));
      sendRound(roundMessageOf('lifecycle', round, args.options.rounds, 'ns/span', values, ROUND_RATIO_PAIRS));
    });

    // Untimed: heap bytes per span (and more GCs), one large sample per side with v8.GCProfiler on.
    const heapPasses: SampleReport[] = [];
    for (const worker of workers) {
      heapPasses.push(await worker.sample(Math.ceil(heapPassSpans / CANONICAL_WORKLOAD.spansPerTrace), true));
    }
    const finishes: FinishReport[] = [];
    for (const worker of workers) finishes.push(await worker.finish());
    await Promise.all(workers.map((worker) => worker.exited));

    report(args, results, reports, heapPasses, finishes, heapPassSpans);
  } finally {
    for (const worker of workers) worker.terminate();
  }
}

function report(
  args: ReturnType<typeof benchArgsFrom>, results: SubjectResult[], reports: SampleReport[][],
  heapPasses: SampleReport[], finishes: FinishReport[], heapPassSpans: number,
): void {
  const bySdk = (sdk: LifecycleSdk, sampling: LifecycleSampling): number =>
    SUBJECTS.findIndex((spec) => spec.sdk === sdk && spec.sampling === sampling);
  const [SW_REC, OF_REC, SW_NEVER, OF_NEVER, FLOOR, MINIMAL] = [
    bySdk('spanwire', 'recorded'), bySdk('official', 'recorded'), bySdk('spanwire', 'never'),
    bySdk('official', 'never'), bySdk('floor', 'never'), bySdk('minimal', 'recorded'),
  ] as const;
  const walls = results.map((r, s) => resultOf(r.name, r.runsPerSample, reports[s]!, 'wallMs'));
  const cpus = results.map((r, s) => resultOf(r.name, r.runsPerSample, reports[s]!, 'spanCallCpuMs'));
  const wallCpus = results.map((r, s) => resultOf(r.name, r.runsPerSample, reports[s]!, 'wallCpuMs'));
  const gcs = results.map((r, s) => gcResultOf(r.name, reports[s]!, heapPasses[s]!));
  const heapBytesPerSpan = heapPasses.map((p) => p.heapBytes / p.spans);
  const warnings = finishes.flatMap((f) => f.warnings);

  const ratios: RatioResult[] = [
    ratioOf('recorded span calls spanwire / official', results[SW_REC]!, results[OF_REC]!),
    ratioOf('recorded span calls, CPU time, spanwire / official', cpus[SW_REC]!, cpus[OF_REC]!),
    ratioOf('recorded wall (incl. export+encode) spanwire / official', walls[SW_REC]!, walls[OF_REC]!),
    ratioOf('recorded CPU (incl. export+encode) spanwire / official', wallCpus[SW_REC]!, wallCpus[OF_REC]!),
    ratioOf('never-sampled span calls spanwire / official', results[SW_NEVER]!, results[OF_NEVER]!),
    ratioOf('never-sampled span calls, CPU time, spanwire / official', cpus[SW_NEVER]!, cpus[OF_NEVER]!),
  ];
  // Not per round: a 50 ms sample sees 0-4 minor GCs, so a same-round GC ratio is mostly 0/n or n/0.
  const minorGcTotalsRatio = gcs[SW_REC]!.minorPerMillionSpans / gcs[OF_REC]!.minorPerMillionSpans;
  // What a tracer doing nothing gets on the same measure: no SDK can beat it through this workload.
  const floorTimeRatio = ratioOf('floor / official', results[FLOOR]!, results[OF_REC]!).ratio.median;
  const floorGcRatio = gcs[FLOOR]!.minorPerMillionSpans / gcs[OF_REC]!.minorPerMillionSpans;
  const floorCpuRatio = ratioOf('floor / official', cpus[FLOOR]!, cpus[OF_REC]!).ratio.median;
  // What the least possible recording (clock reads + stores, see MinimalRecorder) gets: the recorded ratio's floor.
  const minimalTimeRatio = ratioOf('minimal / official', results[MINIMAL]!, results[OF_REC]!).ratio.median;
  const minimalCpuRatio = ratioOf('minimal / official', cpus[MINIMAL]!, cpus[OF_REC]!).ratio.median;
  // What the SDK adds to a never-sampled span: its time minus the do-nothing floor's in the same round.
  const aboveFloor = (a: SubjectResult, b: SubjectResult): number =>
    spreadOf(a.nsPerUnitSamples.map((ns, i) => ns - b.nsPerUnitSamples[i]!)).median;
  // Wall-clock span calls decide; the CPU-time value is printed next to it as the check against a busy machine.
  const targets = [
    { what: 'recorded span calls spanwire / official (median of rounds)', value: ratios[0]!.ratio.median,
      cpuValue: ratios[1]!.ratio.median, target: TARGET_RECORDED_TIME_RATIO, floor: floorTimeRatio,
      cpuFloor: floorCpuRatio, recordingFloor: minimalTimeRatio, recordingCpuFloor: minimalCpuRatio, unit: '' },
    { what: 'never-sampled span calls spanwire, ns per span (median)', value: results[SW_NEVER]!.nsPerUnit.median,
      cpuValue: cpus[SW_NEVER]!.nsPerUnit.median, target: TARGET_NEVER_SAMPLED_NS,
      floor: results[FLOOR]!.nsPerUnit.median, cpuFloor: cpus[FLOOR]!.nsPerUnit.median, recordingFloor: NaN,
      recordingCpuFloor: NaN, unit: ' ns' },
    { what: 'never-sampled span calls spanwire minus the floor, same round, ns per span (median)',
      value: aboveFloor(results[SW_NEVER]!, results[FLOOR]!), cpuValue: aboveFloor(cpus[SW_NEVER]!, cpus[FLOOR]!),
      target: TARGET_NEVER_SAMPLED_NS, floor: 0, cpuFloor: 0, recordingFloor: NaN, recordingCpuFloor: NaN,
      unit: ' ns' },
    { what: 'recorded minor GCs spanwire / official (all spans)', value: minorGcTotalsRatio,
      cpuValue: minorGcTotalsRatio, target: TARGET_MINOR_GC_RATIO, floor: floorGcRatio, cpuFloor: floorGcRatio,
      recordingFloor: NaN, recordingCpuFloor: NaN, unit: '' },
  ].map((t) => ({ ...t, met: t.value <= t.target }));
  const delivery = finishes.map((f, s) => ({ name: SUBJECTS[s]!.name, sdk: SUBJECTS[s]!.sdk, ...f }));

  if (args.json) {
    const doc = {
      benchmark: 'lifecycle', node: process.version, method: METHOD, options: args.options,
      chunkTraces: CHUNK_TRACES, maxQueueSpans: MAX_QUEUE_SPANS, heapPassSpans,
      spanCalls: results, spanCallsCpu: cpus, wall: walls, wallCpu: wallCpus, gc: gcs,
      heapBytesPerSpan: SUBJECTS.map((spec, s) => ({
        name: spec.name, bytes: heapBytesPerSpan[s]!, aboveFloor: heapBytesPerSpan[s]! - heapBytesPerSpan[FLOOR]!,
      })),
      ratios, minorGcTotalsRatio, targets, delivery, warnings,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }

  const out: string[] = [];
  out.push(`spanwire span-lifecycle benchmark — Node ${process.version}, ${args.options.rounds} rounds` +
    `${args.quick ? ' (--quick: smoke run, not a measurement)' : ''}`);
  out.push(METHOD);
  for (const warning of warnings) out.push(`WARNING: ${warning}`);
  out.push('');
  out.push(formatTable(
    ['span calls, per span', 'median ns', 'min ns', 'max ns', 'spans/sample'],
    results.map((r) => [r.name, r.nsPerUnit.median, r.nsPerUnit.min, r.nsPerUnit.max,
      String(r.runsPerSample * CANONICAL_WORKLOAD.spansPerTrace)]),
  ));
  out.push('');
  out.push(formatTable(
    ['span calls, CPU time per span', 'median ns', 'min ns', 'max ns'],
    cpus.map((r) => [r.name, r.nsPerUnit.median, r.nsPerUnit.min, r.nsPerUnit.max]),
  ));
  out.push('');
  out.push(formatTable(
    ['whole sample (+ yields, export, flush)', 'wall median ns', 'min ns', 'max ns', 'CPU median ns'],
    walls.map((r, s) => [r.name, r.nsPerUnit.median, r.nsPerUnit.min, r.nsPerUnit.max,
      wallCpus[s]!.nsPerUnit.median]),
  ));
  out.push('');
  out.push(formatTable(
    ['garbage', 'minor GC/M spans', 'round med', 'major GC/M', 'other GC/M', 'spans', 'heap pass minor/M',
      'heap B/span', 'above floor'],
    gcs.map((g, s) => [g.name, g.minorPerMillionSpans, g.minorPerMillion.median, g.majorPerMillionSpans,
      g.otherPerMillionSpans, String(g.spans), g.heapPassMinorPerMillionSpans, heapBytesPerSpan[s]!,
      s === FLOOR ? '-' : heapBytesPerSpan[s]! - heapBytesPerSpan[FLOOR]!]),
  ));
  out.push('(GC/M spans: GCs that began inside the timed samples, all rounds together; "round med": median of ' +
    `rounds. Heap pass: one untimed sample of ${heapPassSpans} spans per side after the rounds; heap B/span: ` +
    'V8 heap bytes allocated in it (v8.GCProfiler used-heap growth between GCs; approximate; ArrayBuffer backing ' +
    'stores excluded). GC counts follow V8\'s young-generation sizing, which grows with survival: a side that ' +
    'allocates little can see more GCs per byte. "other" = incremental marking, weak callbacks. The floor is a ' +
    'tracer that does nothing: what the workload and the API allocate alone, e.g. a Context + Map per trace.)');
  out.push('');
  out.push(formatTable(
    ['same-round ratio', 'median', 'min', 'max'],
    ratios.map((r) => [r.name, r.ratio.median, r.ratio.min, r.ratio.max]),
  ));
  out.push('');
  out.push(formatTable(
    ['delivery (whole run)', 'spans recorded', 'spans encoded', 'protobuf B/span'],
    delivery.map((d) => [d.name, String(d.spansRecorded), d.spansExported < 0 ? '-' : String(d.spansExported),
      d.spansExported > 0 ? d.bytesEncoded / d.spansExported : '-']),
  ));
  for (const d of delivery) {
    if (d.sdk !== 'floor' && d.sdk !== 'minimal') out.push(`${d.name}: ${JSON.stringify(d.stats)}`);
  }
  out.push('');
  out.push(formatTable(
    ['target', 'value', 'target', 'met', 'by CPU time', 'floor', 'floor by CPU', 'recording floor', 'by CPU'],
    targets.map((t) => [t.what, `${formatNumber(t.value)}${t.unit}`, `<= ${formatNumber(t.target)}${t.unit}`,
      t.met ? 'yes' : 'NO', `${formatNumber(t.cpuValue)}${t.unit}`, `${formatNumber(t.floor)}${t.unit}`,
      `${formatNumber(t.cpuFloor)}${t.unit}`, Number.isNaN(t.recordingFloor) ? '-' : formatNumber(t.recordingFloor),
      Number.isNaN(t.recordingCpuFloor) ? '-' : formatNumber(t.recordingCpuFloor)]),
  ));
  out.push('("met" judges the wall-clock value. "floor": the same measure for the tracer doing nothing; no SDK can ' +
    'get below it with this workload. "recording floor": the minimal recorder (three clock reads, the parent ' +
    'lookup, every key and value stored by reference; no interning, no ids, no sampling, no span objects, ' +
    'no export): no SDK that records the canonical span can get below it on this machine. GC counts have no CPU ' +
    'variant: both columns repeat them.)');
  if (warnings.length > 0) out.push('Results are suspect: see WARNING lines above.');
  process.stdout.write(out.join('\n') + '\n');
}

// Bad flags or a broken side end the run with one line on stderr and exit code 1; timings never fail it.
await main().catch((error: unknown) => {
  process.stderr.write(`lifecycle-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
