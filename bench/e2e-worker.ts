// One producer of the end-to-end benchmark, alone in a fresh child process forked by e2e-bench (one SDK per process,
// so its RSS and CPU are the producer's own): canonical traces through @opentelemetry/api for a fixed time, exported
// over OTLP to the loopback sink, then flushed, with RSS, event-loop and export timing, answered over IPC.
// It must never bypass the API, talk to anything but 127.0.0.1 (or --endpoint), nor write to stdout.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Tracer } from '@opentelemetry/api';
import { OrderPicker, recordCanonicalTraces } from './canonical-traces.js';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import type { ProbeResult } from './e2e-sink-probe.js';
import { ExportSliceLog } from './export-slice-log.js';
import { GcLog } from './gc-log.js';
import { ThreadSchedClock } from './thread-sched-clock.js';

/**
 * The four sides, SDK x OTLP protocol, all with gzip; and, on request (--only), spanwire over OTLP/HTTP with gzip
 * in libuv's thread pool (ThreadpoolGzipTransport) instead of the WASM codec on the producer thread.
 */
export type E2eSubject = 'spanwire-http' | 'official-http' | 'spanwire-grpc' | 'official-grpc' | 'spanwire-pool-http'
  | 'spanwire-thread-http';

/** What the runner sends with `run` (e2e-bench.ts). */
export interface E2eWorkerConfig {
  /**
   * A producer, or a sink probe: no SDK, pre-encoded requests at the sink (e2e-sink-probe.ts); sink-probe-http-gzip
   * gzips each request's body in the probe client (spanwire's WASM gzip, level 1) instead of sending it pre-gzipped.
   */
  subject: E2eSubject | E2eProbeSubject;
  /** http://127.0.0.1:<port>/v1/traces for HTTP subjects, http://127.0.0.1:<port> for gRPC ones. */
  url: string;
  /** Requests in flight, for a sink probe. */
  probeInFlight: number;
  seed: number;
  /** Production time; the flush that follows is measured apart. */
  produceMs: number;
  /** Traces per synchronous chunk; after each the producer yields one macrotask (setImmediate). */
  chunkTraces: number;
  /** Both SDKs' batch queue bound, or 0 for each SDK's defaults (2048 spans on both). */
  queueSpans: number;
  /** Both SDKs' maxExportBatchSize, or 0 for the defaults (512 on both, OTEL_BSP_MAX_EXPORT_BATCH_SIZE's). */
  batchSpans: number;
  /** memoryUsage() sampling period (ms). */
  rssSampleMs: number;
  /** Longest wait for the final forceFlush. */
  flushTimeoutMs: number;
  /** When set, a V8 CPU profile of this thread (production + flush) is written here (.cpuprofile JSON). */
  cpuProfilePath: string;
}

/** The sink probes, by protocol and by who gzips the HTTP body (pre-gzipped once, or by the client per request). */
export type E2eProbeSubject = 'sink-probe-http' | 'sink-probe-http-gzip' | 'sink-probe-grpc';

/** A tracer with its flush and its own account of what happened; e2e-spanwire-side / e2e-official-side build one. */
export interface E2eSide {
  tracer: Tracer;
  /** forceFlush, resolved after at most `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
  /** Spans queued or handed to the exporter without an outcome yet (after a flush: what it left behind). */
  pending(): number;
  account(): { delivered: number; dropped: Record<string, number>; stats: Record<string, unknown> };
  shutdown(): Promise<void>;
  /** spanwire only: stats().exportWork (synchronous slices of export work, cumulative). */
  exportWork?(): { slices: number; overBudget: number; maxMs: number };
}

/**
 * What a side reports back while it runs: `spansEnded` for the official side's drop inference, and the timing of
 * every export call (its synchronous part, and the time to its outcome: encode/serialize + gzip + request +
 * response). With E exports allowed in flight, a processor drains at most E x 512 spans per outcome latency.
 */
export interface SideHooks {
  spansEnded(): number;
  exportCalled(syncMs: number, spans: number): void;
  exportSettled(latencyMs: number): void;
}

/**
 * Runner -> child over IPC (serialization 'advanced', so NaN survives): the child says `{ op: 'ready' }` once loaded,
 * gets one `run` with its config, answers one `E2eReport` / `E2eProbeReport` (or `{ op: 'error' }`), then exits.
 */
export type E2eRequest = { op: 'run'; config: E2eWorkerConfig };

/** What a sink probe answers. */
export interface E2eProbeReport {
  op: 'probe';
  result: ProbeResult;
}

/** One round of one subject. Times are ms; memory is bytes. */
export interface E2eReport {
  op: 'report';
  spansProduced: number;
  produceMs: number;
  flushMs: number;
  /** True when forceFlush did not settle within flushTimeoutMs. */
  flushTimedOut: boolean;
  /**
   * Spans still queued or in flight when forceFlush returned (0 for a flush that waits for everything), and how
   * long they took to settle after it; the SDK's account is read once they have (bounded by flushTimeoutMs).
   */
  pendingAfterFlush: number;
  settleAfterFlushMs: number;
  /** Spans the SDK reports delivered (spanwire stats().exported; official: spans in SUCCESS callbacks). */
  sdkDelivered: number;
  /** The SDK's own drop counters by reason (official: queue overflow inferred, failed export callbacks). */
  sdkDropped: Record<string, number>;
  /** spanwire: stats() after the flush; official: the counting wrapper's numbers. */
  sdkStats: Record<string, unknown>;
  /**
   * This process's RSS (the producer's own: one child process per subject and round) when the round began, before
   * the SDK was imported (node + the bench harness); just before the first span (SDK set up), at the end of
   * production, after the flush; and the peak.
   */
  rssBeforeSdkBytes: number;
  rssStartBytes: number;
  rssEndProduceBytes: number;
  rssEndBytes: number;
  rssPeakBytes: number;
  /**
   * RSS slope over the second half of production (least squares, bytes/s): ~0 when memory levels off under load.
   * The first half is left out: first touches of the arena's WASM pages, the string pool's halves and socket
   * buffers raise RSS for the first 1-2 s here.
   */
  rssSlopeBytesPerS: number;
  /** Highest RSS in each second of production and flush (MiB), to see whether it levels off. */
  rssBySecondMiB: number[];
  /** This process's V8 heap (used) at its peak, from the same samples. */
  heapUsedPeakBytes: number;
  /**
   * monitorEventLoopDelay({ resolution: 1 }) over production after the warm-up (`warmupMs`): max and p99 (ms),
   * wall clock. Includes one producer chunk, and any time the thread sat preempted.
   */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  /** The same histogram's max over the warm-up alone. */
  loopDelayWarmupMaxMs: number;
  /** First part of production left out of the steady-state block figures (1 s, or a fifth of a short run). */
  warmupMs: number;
  /** After warm-up, wall clock: longest and median producer chunk (span calls + SDK work inside them). */
  chunkMaxMs: number;
  chunkMedianMs: number;
  /** After warm-up, wall clock: longest time between two chunks (what else the loop ran: exports, I/O, GC). */
  gapMaxMs: number;
  /**
   * The same stretches with the thread's run-queue wait taken out (/proc/thread-self/schedstat): how long the
   * thread really ran without yielding, to about ±0.5 ms. NaN where schedstat is missing (not Linux).
   */
  chunkMaxRunMs: number;
  gapMaxRunMs: number;
  /** Longest such stretch (gap or chunk) during the warm-up. */
  warmupBlockMaxRunMs: number;
  /**
   * The 5 longest stretches after warm-up by running time: ms into production, kind, wall ms, running ms, and the
   * GC pause time inside each.
   */
  topBlocks: TopBlock[];
  /** After warm-up: the longest single GC pause (PerformanceObserver 'gc' duration, wall ms) and its kind. */
  gcPauseMaxMs: number;
  gcPauseMaxKind: string;
  /** After warm-up: GC pauses by kind (count, total ms), so blocks can be told apart from collector work. */
  gcPauses: Record<string, { count: number; totalMs: number }>;
  /**
   * The longest stretch's running time with the GC pauses inside it taken out: what the SDK's own work (and the
   * I/O it triggers) blocked the loop for. Taken over the 64 longest stretches by running time.
   */
  blockMaxRunExGcMs: number;
  /**
   * Export calls: count, synchronous part and time to outcome as [p50, p99, max] ms, and the most in flight at
   * once during production (the final flush, which sends everything queued at once, is left out).
   */
  exports: number;
  exportSyncMs: [number, number, number];
  exportLatencyMs: [number, number, number];
  exportsInFlightMax: number;
  /** Largest batch handed to the exporter (spans). */
  exportBatchMaxSpans: number;
  /**
   * spanwire's stats().exportWork over production after warm-up: synchronous slices of export work (export()
   * calls, deferred gzip parts, request starts) and how many took over 1 ms (wall: a GC pause or preemption
   * inside one counts); the longest over the whole round (warm-up included). NaN for the official SDK.
   */
  exportSlices: number;
  exportSlicesOverBudget: number;
  exportSliceMaxMs: number;
  /**
   * The slices over 1 ms after warm-up judged again on CPU (run-queue wait taken out), then with the GC pauses
   * that began inside them taken out too (bench/export-slice-log.ts): how many stay over 1 ms, and the longest.
   * NaN for the official SDK.
   */
  exportSlicesOverBudgetRunning: number;
  exportSliceMaxRunningMs: number;
  exportSlicesOverBudgetExGc: number;
  exportSliceMaxExGcMs: number;
  /** Producer thread on CPU and waiting on a run queue (preempted), over production and over the flush. */
  threadCpuProduceMs: number;
  threadWaitProduceMs: number;
  threadCpuFlushMs: number;
  /** Process CPU (all threads: the idle main, this worker, libuv zlib threads, V8 helpers), production + flush. */
  processCpuMs: number;
  /** Where the CPU profile went, or ''. */
  cpuProfilePath: string;
}

// ---- The workload: the same code drives both SDKs, through @opentelemetry/api only (as in lifecycle-worker.ts).


// ---- Measuring one round.

const yieldMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One long stretch without yielding to the event loop. */
export interface TopBlock {
  atMs: number;
  kind: 'gap' | 'chunk';
  wallMs: number;
  runMs: number;
  /** GC pause time (wall ms) that began inside this stretch. */
  gcMs: number;
}

/**
 * The 64 longest stretches by running time, longest first; allocates only when one enters the list. 64, not 5:
 * GC pauses are attributed at the end, and the longest stretch without its GC may not be among the top 5.
 */
class TopBlocks {
  readonly entries: TopBlock[] = [];

  add(atMs: number, kind: 'gap' | 'chunk', wallMs: number, runMs: number): void {
    const entries = this.entries;
    const capacity = 64;
    if (entries.length === capacity && runMs <= entries[capacity - 1]!.runMs) return;
    if (entries.length === capacity) entries.pop();
    let i = entries.length;
    while (i > 0 && entries[i - 1]!.runMs < runMs) i--;
    entries.splice(i, 0, { atMs, kind, wallMs, runMs, gcMs: 0 });
  }
}


/** Up to 2^16 durations (a 5 s round makes ~1-3k exports), for percentiles at the end; allocated once. */
class LatencyRecorder {
  private readonly values = new Float64Array(1 << 16);
  count = 0;

  add(ms: number): void {
    if (this.count < this.values.length) this.values[this.count++] = ms;
  }

  /** [p50, p99, max] in ms (NaN when empty). */
  percentiles(): [number, number, number] {
    if (this.count === 0) return [NaN, NaN, NaN];
    const sorted = this.values.slice(0, this.count).sort();
    const at = (q: number): number => sorted[Math.min(this.count - 1, Math.floor(q * this.count))]!;
    return [at(0.5), at(0.99), sorted[this.count - 1]!];
  }
}

/** Production left out of steady-state block figures: 1 s, or a fifth of a shorter (--quick) production. */
function warmupMsFor(produceMs: number): number {
  return Math.min(1000, produceMs / 5);
}

/**
 * Chunk durations in 1 µs bins up to 50 ms (longer ones land in the last bin, and chunkMaxMs keeps the exact
 * maximum): a median without storing every chunk, ~200 KB allocated before production starts, same on both sides.
 */
class ChunkHistogram {
  private readonly bins = new Uint32Array(50_000);
  count = 0;
  maxMs = 0;

  add(ms: number): void {
    const bin = Math.min(this.bins.length - 1, Math.floor(ms * 1000));
    this.bins[bin]!++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  reset(): void {
    this.bins.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }

  medianMs(): number {
    let seen = 0;
    const half = this.count / 2;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= half) return (i + 0.5) / 1000;
    }
    return NaN;
  }
}

/** memoryUsage() every `periodMs`: this process's RSS and V8 heap, peaks and a time series. */
class MemorySampler {
  rssPeakBytes = 0;
  heapUsedPeakBytes = 0;
  readonly timesMs: number[] = [];
  readonly rssBytes: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(periodMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), periodMs);
  }

  sample(): number {
    const usage = process.memoryUsage();
    if (usage.rss > this.rssPeakBytes) this.rssPeakBytes = usage.rss;
    if (usage.heapUsed > this.heapUsedPeakBytes) this.heapUsedPeakBytes = usage.heapUsed;
    this.timesMs.push(performance.now());
    this.rssBytes.push(usage.rss);
    return usage.rss;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Highest RSS in each whole second from `fromMs` to `toMs` (MiB). */
  peaksBySecondMiB(fromMs: number, toMs: number): number[] {
    const peaks: number[] = [];
    for (let i = 0; i < this.timesMs.length; i++) {
      const t = this.timesMs[i]!;
      if (t < fromMs || t > toMs) continue;
      const second = Math.floor((t - fromMs) / 1000);
      const mib = this.rssBytes[i]! / (1024 * 1024);
      while (peaks.length <= second) peaks.push(0);
      if (mib > peaks[second]!) peaks[second] = mib;
    }
    return peaks;
  }

  /** Least-squares RSS slope (bytes/s) over samples in [fromMs, toMs]. */
  slopeBytesPerS(fromMs: number, toMs: number): number {
    let n = 0;
    let sumT = 0;
    let sumR = 0;
    let sumTT = 0;
    let sumTR = 0;
    for (let i = 0; i < this.timesMs.length; i++) {
      const t = this.timesMs[i]!;
      if (t < fromMs || t > toMs) continue;
      const ts = t / 1000;
      const r = this.rssBytes[i]!;
      n++;
      sumT += ts;
      sumR += r;
      sumTT += ts * ts;
      sumTR += ts * r;
    }
    const denominator = n * sumTT - sumT * sumT;
    return n < 3 || denominator === 0 ? NaN : (n * sumTR - sumT * sumR) / denominator;
  }
}

/** Starts the V8 profiler on this thread (node:inspector works per isolate); resolves a stop-and-write function. */
async function startCpuProfile(path: string): Promise<() => Promise<void>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> => new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result)));
  });
  await post('Profiler.enable');
  // 100 µs sampling: a 0.5 ms block shows up as ~5 samples; V8's default is 1000 µs.
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return async () => {
    const result = await post('Profiler.stop') as { profile: unknown };
    writeFileSync(path, JSON.stringify(result.profile));
    session.disconnect();
  };
}

async function runRound(config: E2eWorkerConfig): Promise<E2eReport> {
  const rssBeforeSdkBytes = process.memoryUsage().rss;
  let spansEnded = 0;
  const exportSync = new LatencyRecorder();
  const exportLatency = new LatencyRecorder();
  let exportsInFlight = 0;
  let exportsInFlightMax = 0;
  // Only production counts for the most in flight: a final forceFlush sends whatever is queued at once.
  let producing = true;
  let exportedSpansMax = 0;
  const hooks: SideHooks = {
    spansEnded: () => spansEnded,
    exportCalled(syncMs, spans) {
      exportSync.add(syncMs);
      if (spans > exportedSpansMax) exportedSpansMax = spans;
      exportsInFlight++;
      if (producing && exportsInFlight > exportsInFlightMax) exportsInFlightMax = exportsInFlight;
    },
    exportSettled(latencyMs) {
      exportsInFlight--;
      exportLatency.add(latencyMs);
    },
  };
  // Dynamic imports: each child process loads one SDK only, so its heap and RSS hold that SDK alone.
  const side: E2eSide = config.subject.startsWith('spanwire')
    ? (await import('./e2e-spanwire-side.js')).createSide(config, hooks)
    : (await import('./e2e-official-side.js')).createSide(config, hooks);
  const orders = new OrderPicker(config.seed);
  const chunkTraces = config.chunkTraces;
  const spansPerChunk = chunkTraces * CANONICAL_WORKLOAD.spansPerTrace;
  const chunkWall = new ChunkHistogram();
  const topBlocks = new TopBlocks();
  const gcLog = new GcLog();
  const sliceLog = config.subject.startsWith('spanwire') ? new ExportSliceLog() : undefined;
  sliceLog?.start();
  const stopProfile = config.cpuProfilePath !== '' ? await startCpuProfile(config.cpuProfilePath) : undefined;

  const memory = new MemorySampler(config.rssSampleMs);
  const rssStartBytes = memory.sample();
  const sched = new ThreadSchedClock();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpuStart = process.cpuUsage();
  const startMs = performance.now();
  sched.read();
  const runStartNs = sched.runNs;
  const waitStartNs = sched.waitNs;
  const endMs = startMs + config.produceMs;
  const warmupEndMs = startMs + warmupMsFor(config.produceMs);
  let warm = false;
  let workAtWarm: { slices: number; overBudget: number; maxMs: number } | undefined;
  let loopDelayWarmupMaxMs = 0;
  let warmupBlockMaxMs = 0;
  let gapMaxMs = 0;
  let gapMaxRunMs = 0;
  let chunkMaxRunMs = 0;
  let previousEndMs = startMs;
  let previousEndWaitNs = waitStartNs;
  // Bounded by time: one clock read per chunk decides.
  for (;;) {
    const chunkStartMs = performance.now();
    if (chunkStartMs >= endMs) break;
    if (!warm && chunkStartMs >= warmupEndMs) {
      // Warm-up over (JIT and WASM tier-up, first connection, pools filling): blocks from here on are steady state.
      warm = true;
      workAtWarm = side.exportWork?.();
      loopDelayWarmupMaxMs = delay.max / 1e6;
      delay.reset();
      chunkWall.reset();
    }
    sched.read();
    const chunkStartWaitNs = sched.waitNs;
    const gapMs = chunkStartMs - previousEndMs;
    const gapRunMs = Math.max(0, gapMs - (chunkStartWaitNs - previousEndWaitNs) / 1e6);
    recordCanonicalTraces(side.tracer, orders, chunkTraces);
    previousEndMs = performance.now();
    sched.read();
    previousEndWaitNs = sched.waitNs;
    const chunkMs = previousEndMs - chunkStartMs;
    const chunkRunMs = Math.max(0, chunkMs - (previousEndWaitNs - chunkStartWaitNs) / 1e6);
    if (warm) {
      if (gapMs > gapMaxMs) gapMaxMs = gapMs;
      if (gapRunMs > gapMaxRunMs) gapMaxRunMs = gapRunMs;
      if (chunkRunMs > chunkMaxRunMs) chunkMaxRunMs = chunkRunMs;
      topBlocks.add(chunkStartMs - gapMs - startMs, 'gap', gapMs, gapRunMs);
      topBlocks.add(chunkStartMs - startMs, 'chunk', chunkMs, chunkRunMs);
    } else {
      warmupBlockMaxMs = Math.max(warmupBlockMaxMs, gapRunMs, chunkRunMs);
    }
    chunkWall.add(chunkMs);
    spansEnded += spansPerChunk;
    await yieldMacrotask();
  }
  const produceEndMs = performance.now();
  const workAtEnd = side.exportWork?.();
  producing = false;
  delay.disable();
  sched.read();
  const runProduceNs = sched.runNs - runStartNs;
  const waitProduceNs = sched.waitNs - waitStartNs;
  const rssEndProduceBytes = memory.sample();

  await side.flush(config.flushTimeoutMs);
  const flushEndMs = performance.now();
  const flushMs = flushEndMs - produceEndMs;
  const pendingAfterFlush = side.pending();
  // Bounded: polls every 5 ms until nothing is pending or flushTimeoutMs has passed since production ended.
  while (side.pending() > 0 && performance.now() - produceEndMs < config.flushTimeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const settleAfterFlushMs = performance.now() - flushEndMs;
  const cpu = process.cpuUsage(cpuStart);
  sched.read();
  const runFlushNs = sched.runNs - runStartNs - runProduceNs;
  sched.close();
  const rssEndBytes = memory.sample();
  memory.stop();
  if (stopProfile !== undefined) await stopProfile();

  // GC attribution (after warm-up): the observer has its entries a macrotask or two after each GC.
  for (let i = 0; i < 3; i++) await yieldMacrotask();
  gcLog.stop();
  sliceLog?.stop();
  const slicesExGc = sliceLog?.withoutGc(gcLog, warmupEndMs, produceEndMs);
  let gcPauseMaxMs = 0;
  let gcPauseMaxKind = '';
  const gcPauses: Record<string, { count: number; totalMs: number }> = {};
  for (let i = 0; i < gcLog.startMs.length; i++) {
    const at = gcLog.startMs[i]!;
    if (at < warmupEndMs || at >= produceEndMs) continue;
    const ms = gcLog.durationMs[i]!;
    const kind = gcLog.kind[i]!;
    const byKind = gcPauses[kind] ??= { count: 0, totalMs: 0 };
    byKind.count++;
    byKind.totalMs += ms;
    if (ms > gcPauseMaxMs) { gcPauseMaxMs = ms; gcPauseMaxKind = kind; }
  }
  let blockMaxRunExGcMs = 0;
  for (const block of topBlocks.entries) {
    const from = startMs + block.atMs;
    block.gcMs = gcLog.pauseMsWithin(from, from + block.wallMs);
    blockMaxRunExGcMs = Math.max(blockMaxRunExGcMs, block.runMs - Math.min(block.runMs, block.gcMs));
  }

  const account = side.account();
  await side.shutdown();
  return {
    op: 'report',
    spansProduced: spansEnded,
    produceMs: produceEndMs - startMs,
    flushMs,
    flushTimedOut: flushMs >= config.flushTimeoutMs,
    pendingAfterFlush,
    settleAfterFlushMs,
    sdkDelivered: account.delivered,
    sdkDropped: account.dropped,
    sdkStats: account.stats,
    rssBeforeSdkBytes,
    rssStartBytes,
    rssEndProduceBytes,
    rssEndBytes,
    rssPeakBytes: memory.rssPeakBytes,
    rssSlopeBytesPerS: memory.slopeBytesPerS(startMs + (produceEndMs - startMs) / 2, produceEndMs),
    heapUsedPeakBytes: memory.heapUsedPeakBytes,
    rssBySecondMiB: memory.peaksBySecondMiB(startMs, flushEndMs),
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayWarmupMaxMs,
    warmupMs: warmupEndMs - startMs,
    chunkMaxMs: chunkWall.maxMs,
    chunkMedianMs: chunkWall.medianMs(),
    gapMaxMs,
    chunkMaxRunMs: sched.available ? chunkMaxRunMs : NaN,
    gapMaxRunMs: sched.available ? gapMaxRunMs : NaN,
    warmupBlockMaxRunMs: sched.available ? warmupBlockMaxMs : NaN,
    topBlocks: topBlocks.entries.slice(0, 5),
    gcPauseMaxMs,
    gcPauseMaxKind,
    gcPauses,
    blockMaxRunExGcMs: sched.available ? blockMaxRunExGcMs : NaN,
    exports: exportSync.count,
    exportSyncMs: exportSync.percentiles(),
    exportLatencyMs: exportLatency.percentiles(),
    exportsInFlightMax,
    exportSlices: workAtEnd !== undefined ? workAtEnd.slices - (workAtWarm?.slices ?? 0) : NaN,
    exportSlicesOverBudget: workAtEnd !== undefined ? workAtEnd.overBudget - (workAtWarm?.overBudget ?? 0) : NaN,
    exportSliceMaxMs: workAtEnd?.maxMs ?? NaN,
    exportSlicesOverBudgetRunning: slicesExGc?.overBudgetRunning ?? NaN,
    exportSliceMaxRunningMs: slicesExGc?.maxRunningMs ?? NaN,
    exportSlicesOverBudgetExGc: slicesExGc?.overBudget ?? NaN,
    exportSliceMaxExGcMs: slicesExGc?.maxMs ?? NaN,
    exportBatchMaxSpans: exportedSpansMax,
    threadCpuProduceMs: sched.available ? runProduceNs / 1e6 : NaN,
    threadWaitProduceMs: sched.available ? waitProduceNs / 1e6 : NaN,
    threadCpuFlushMs: sched.available ? runFlushNs / 1e6 : NaN,
    processCpuMs: (cpu.user + cpu.system) / 1000,
    cpuProfilePath: config.cpuProfilePath,
  };
}

/** The probe's protocol and whether its client gzips, from the probe subject. */
function probeKindOf(subject: E2eProbeSubject): { protocol: 'http' | 'grpc'; clientGzip: boolean } {
  return { protocol: subject === 'sink-probe-grpc' ? 'grpc' : 'http', clientGzip: subject === 'sink-probe-http-gzip' };
}

function isProbe(subject: E2eWorkerConfig['subject']): subject is E2eProbeSubject {
  return subject.startsWith('sink-probe-');
}

/**
 * Answers the runner over IPC: ready, then one run. Exits once the answer is written, or at once when the runner
 * goes away (disconnect), so a child never outlives its round; the CPU profile is written before the answer.
 */
function serve(): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('e2e-worker.js runs only as a child process forked by e2e-bench');
  process.once('disconnect', () => process.exit(0));
  process.once('message', (request: E2eRequest) => {
    if (request.op !== 'run') return;
    const config = request.config;
    const subject = config.subject;
    const work: Promise<E2eReport | E2eProbeReport> = isProbe(subject)
      ? import('./e2e-sink-probe.js').then(async (probe) => {
        const { protocol, clientGzip } = probeKindOf(subject);
        return {
          op: 'probe' as const,
          result: await probe.probeSink(protocol, clientGzip, config.url, config.produceMs, config.probeInFlight),
        };
      })
      : runRound(config);
    const answer = (message: E2eReport | E2eProbeReport | { op: 'error'; message: string }): void => {
      send(message, undefined, {}, () => process.disconnect());
    };
    work.then(answer, (error: unknown) => answer({
      op: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error),
    }));
  });
  send({ op: 'ready' });
}

serve();
