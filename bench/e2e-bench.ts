// End-to-end export benchmark: the canonical workload through @opentelemetry/api from one producer thread, over real
// OTLP/HTTP and gRPC with gzip to a loopback sink process, spanwire vs the official exporters, interleaved rounds.
// Reports delivered spans/s, drops, RSS and event-loop blocks as medians and same-round ratios; never fails on one.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { connect } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { RatioResult, Spread } from './bench-stats.js';
import { benchArgsFrom, formatNumber, formatTable, spreadOf } from './bench-stats.js';
import { CANONICAL_WORKLOAD } from './canonical-workload.js';
import type { ProbeResult } from './e2e-sink-probe.js';
import type {
  E2eProbeReport, E2eProbeSubject, E2eReport, E2eRequest, E2eSubject, E2eWorkerConfig,
} from './e2e-worker.js';
import type { SinkCounts } from './otlp-sink.js';
import { LoopbackSink } from './otlp-sink-client.js';
import type { RatioPair } from './round-stream.js';
import { roundMessageOf, sendRound } from './round-stream.js';

const SEED = 0x2545f491;
const SUBJECTS: readonly E2eSubject[] = ['spanwire-http', 'official-http', 'spanwire-grpc', 'official-grpc'];
/** Subjects that run only when --only names them. */
const OPTIONAL_SUBJECTS: readonly E2eSubject[] = ['spanwire-pool-http', 'spanwire-thread-http'];
/** Same-round ratios: spanwire over the official exporter on the same protocol (pairs whose sides both ran). */
const PAIRS: readonly (readonly [E2eSubject, E2eSubject])[] = [
  ['spanwire-http', 'official-http'],
  ['spanwire-grpc', 'official-grpc'],
  ['spanwire-pool-http', 'official-http'],
  ['spanwire-pool-http', 'spanwire-http'],
  ['spanwire-thread-http', 'official-http'],
  ['spanwire-thread-http', 'spanwire-http'],
];
/** The delivered-spans/s ratio of each pair, named as in the final document; streamed after every round. */
const ROUND_RATIO_PAIRS: readonly RatioPair[] =
  PAIRS.map(([num, den]) => [`${num} / ${den}: delivered spans/s`, num, den]);

/**
 * 16 traces (64 spans) per synchronous chunk, then one setImmediate, the same N for both SDKs: a server yields
 * between requests, and both SDKs export from macrotasks (spanwire always; the official processor starts an
 * export inside the end() that fills a batch, then waits for I/O). A median chunk took 0.31 ms on spanwire and
 * 0.39 ms on the official SDK here (4.8 and 6.0 µs per span), so a chunk alone stays under the 1 ms block target,
 * and the yield (a few µs) is ~1 % of a chunk.
 */
const DEFAULT_CHUNK_TRACES = 16;
/**
 * Both SDKs' queue default is 2048 spans (OTEL_BSP_MAX_QUEUE_SIZE). 0 = those defaults. See the report for what
 * the defaults do at full speed: pass --queue-spans N to raise both equally.
 */
const DEFAULT_QUEUE_SPANS = 0;
const RSS_SAMPLE_MS = 50;
/** A round's final forceFlush may take this long (both SDKs' export timeouts are 10-30 s; a healthy flush < 1 s). */
const FLUSH_TIMEOUT_MS = 30_000;
/** A child's start (fork, module load) and its exit after answering must each finish within this. */
const CHILD_STEP_TIMEOUT_MS = 30_000;
const SINK_TIMEOUT_MS = 20_000;
/** Sink probe: requests in flight (the node:http transport keeps up to 8 sockets; 8 is plenty on loopback). */
const PROBE_IN_FLIGHT = 8;

const MIB = 1024 * 1024;
/** The child's V8 profiler samples every 100 µs (Profiler.setSamplingInterval in e2e-worker.ts). */
const PROFILE_SAMPLE_MS = 0.1;
/** Targets from DESIGN.md "Targets" (end to end over OTLP/HTTP + gzip, one producer thread). */
const TARGET_DELIVERED_SPANS_PER_S = 500_000;
const TARGET_PEAK_RSS_MIB = 100;
const TARGET_LONGEST_BLOCK_MS = 1;
/** "Flat over time": RSS grows less than this over the second half of production (least-squares slope x time). */
const FLAT_RSS_GROWTH_MIB = 2;

const METHOD =
  'Each round runs every subject once (order A B C D, then D C B A, ...), each in a fresh child process ' +
  '(child_process.fork of e2e-worker.js: one SDK per process; this runner idles meanwhile). The producer ' +
  'records canonical traces (SERVER root + 3 CLIENT children, explicit parent; 8 setAttribute, 1 addEvent, ' +
  'setStatus OK, end; SDK clocks) through ' +
  '@opentelemetry/api only, the same code for both SDKs, in chunks of N traces with one setImmediate between ' +
  'chunks, for a fixed time; then forceFlush. The sink (separate process, 127.0.0.1) counts spans by walking the ' +
  'protobuf of every request it acknowledges. delivered/s = spans the sink counted / (production + flush time, ' +
  'and any time exports left running by an early-returning flush took to settle). ' +
  'dropped = produced - delivered. RSS: process.memoryUsage().rss sampled every 50 ms in the producer\'s own ' +
  'process (node + bench harness + one SDK; measured, not estimated). ' +
  'Longest block: monitorEventLoopDelay({ resolution: 1 }) max over production after a 1 s warm-up (it includes ' +
  'one producer chunk), and the same stretches with the thread\'s run-queue wait taken out ("run"). ' +
  '2 cores are shared by producer, sink, zlib/libuv threads and other tenants: the sink competes with the ' +
  'producer, so medians and same-round ratios, not absolutes.';

interface E2eArgs {
  rounds: number;
  produceSeconds: number;
  chunkTraces: number;
  queueSpans: number;
  batchSpans: number;
  subjects: E2eSubject[];
  json: boolean;
  quick: boolean;
  probeSeconds: number;
  cpuProfileDir: string;
  /** --endpoint: an external collector instead of the embedded sink ('' for the sink). */
  endpoint: string;
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  return value;
}

function positiveNumber(argv: readonly string[], flag: string, fallback: number, integer: boolean): number {
  const raw = flagValue(argv, flag);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/**
 * --rounds N (default 5; --quick 2), --seconds S of production per round (default 5; --quick 1), --quick (a CI
 * smoke run, not a measurement), --json, --chunk-traces N (16), --queue-spans N (both SDKs; default: their own
 * 2048), --batch-spans N (both SDKs' maxExportBatchSize; default 512; at most the queue), --only a,b (subjects;
 * spanwire-pool-http, gzip in libuv's thread pool, runs only when named), --probe-seconds S (each sink ceiling
 * probe: HTTP pre-gzipped, HTTP gzipped by the client, gRPC; 2, --quick 0.5),
 * --cpu-profile DIR (a V8 profile of every producer, summarised at the end), --protocol http|grpc (that
 * protocol's subjects only), --endpoint URL (export there, not to the embedded sink: the full /v1/traces URL for
 * http, http://host:port for grpc; one protocol, http unless --protocol grpc).
 */
function parseArgs(argv: readonly string[]): E2eArgs {
  const shared = benchArgsFrom(argv);
  const quick = shared.quick;
  const rounds = argv.includes('--rounds') ? shared.options.rounds : quick ? 2 : 5;
  const onlyRaw = flagValue(argv, '--only');
  const subjects = onlyRaw === undefined ? [...SUBJECTS] : onlyRaw.split(',').map((name) => {
    if (!(SUBJECTS as readonly string[]).includes(name) && !(OPTIONAL_SUBJECTS as readonly string[]).includes(name)) {
      throw new Error(`--only: unknown subject '${name}' (${[...SUBJECTS, ...OPTIONAL_SUBJECTS].join(', ')})`);
    }
    return name as E2eSubject;
  });
  const queueRaw = flagValue(argv, '--queue-spans');
  const endpoint = flagValue(argv, '--endpoint') ?? '';
  const protocolRaw = flagValue(argv, '--protocol') ?? (endpoint === '' ? undefined : 'http');
  if (protocolRaw !== undefined && protocolRaw !== 'http' && protocolRaw !== 'grpc') {
    throw new Error(`--protocol must be http or grpc, got '${protocolRaw}'`);
  }
  if (endpoint !== '') {
    const url = URL.canParse(endpoint) ? new URL(endpoint) : null;
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(`--endpoint needs an http: or https: URL, got '${endpoint}'`);
    }
  }
  const protocolSubjects = protocolRaw === undefined ? subjects : subjects.filter((s) => s.endsWith(`-${protocolRaw}`));
  if (protocolSubjects.length === 0) throw new Error(`--only ${onlyRaw} has no ${protocolRaw} subject`);
  return {
    rounds,
    produceSeconds: positiveNumber(argv, '--seconds', quick ? 1 : 5, false),
    chunkTraces: positiveNumber(argv, '--chunk-traces', DEFAULT_CHUNK_TRACES, true),
    queueSpans: queueRaw === undefined || queueRaw === 'default' ? DEFAULT_QUEUE_SPANS
      : positiveNumber(argv, '--queue-spans', 0, true),
    batchSpans: flagValue(argv, '--batch-spans') === undefined ? 0 : positiveNumber(argv, '--batch-spans', 0, true),
    subjects: protocolSubjects,
    json: shared.json,
    quick,
    probeSeconds: positiveNumber(argv, '--probe-seconds', quick ? 0.5 : 2, false),
    cpuProfileDir: flagValue(argv, '--cpu-profile') ?? '',
    endpoint,
  };
}

// ---- The sink's counters.

function countsDelta(after: SinkCounts, before: SinkCounts): SinkCounts {
  return {
    spans: after.spans - before.spans,
    httpRequests: after.httpRequests - before.httpRequests,
    httpConnections: after.httpConnections - before.httpConnections,
    grpcRequests: after.grpcRequests - before.grpcRequests,
    httpWireBytes: after.httpWireBytes - before.httpWireBytes,
    protobufBytes: after.protobufBytes - before.protobufBytes,
    badRequests: after.badRequests - before.badRequests,
    cpuUs: after.cpuUs - before.cpuUs,
  };
}

/**
 * What stands in for the sink's counters with an external collector (--endpoint): the SDK's own count of spans
 * acknowledged, nothing else known (NaN prints as '-' / null).
 */
function sdkCountsOf(report: E2eReport): SinkCounts {
  return {
    spans: report.sdkDelivered, httpRequests: NaN, httpConnections: NaN, grpcRequests: NaN, httpWireBytes: NaN,
    protobufBytes: NaN, badRequests: 0, cpuUs: NaN,
  };
}

// ---- One child process, one job.

/** A child's answer and how long it took from `run` to the answer (fork and module load left out). */
interface ChildAnswer<T> {
  reply: T;
  runMs: number;
}

/**
 * Forks e2e-worker.js, waits for it to load, calls `beforeRun` (e.g. a sink counter snapshot), sends `run` with
 * `config` and waits for one answer, then for the child to exit (bounded at every step; a child that does not exit
 * is killed). A fresh process per job: its RSS and CPU are its own, and nothing of an earlier SDK is left in it.
 * Its stdout goes to this process's stderr, so a stray console.log of an SDK never lands in the --json document;
 * 'advanced' serialization keeps NaN (a value nobody measured) as NaN.
 */
async function runChild<T>(
  config: E2eWorkerConfig, replyTimeoutMs: number, beforeRun: () => Promise<void>,
): Promise<ChildAnswer<T>> {
  const child = fork(new URL('./e2e-worker.js', import.meta.url), [],
    { stdio: ['ignore', 2, 'inherit', 'ipc'], serialization: 'advanced' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  type Reply = { op: string; message?: string };
  let onMessage: ((message: Reply) => void) | undefined;
  let onFailure: ((error: Error) => void) | undefined;
  child.on('message', (message: Reply) => onMessage?.(message));
  child.on('error', (error: Error) => onFailure?.(error));
  void exited.then((code) => onFailure?.(new Error(`child ${config.subject} exited (${code}) before answering`)));
  const nextMessage = (timeoutMs: number): Promise<Reply> => new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child ${config.subject}: no answer within ${timeoutMs} ms`)), timeoutMs);
    onMessage = (message) => {
      clearTimeout(timer);
      onMessage = undefined;
      onFailure = undefined;
      if (message.op === 'error') reject(new Error(`child ${config.subject}: ${message.message}`));
      else resolve(message);
    };
    onFailure = (error) => {
      clearTimeout(timer);
      onMessage = undefined;
      onFailure = undefined;
      reject(error);
    };
  });
  try {
    await nextMessage(CHILD_STEP_TIMEOUT_MS); // ready
    await beforeRun();
    const reply = nextMessage(replyTimeoutMs);
    const startMs = performance.now();
    child.send({ op: 'run', config } satisfies E2eRequest);
    const answer = await reply as T;
    const runMs = performance.now() - startMs;
    // The child exits by itself once its answer is out (after its SDK shut down); bounded all the same.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), CHILD_STEP_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (!ended) child.kill('SIGKILL');
    return { reply: answer, runMs };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

// ---- Rounds.

/**
 * One subject in one round: the child's report (its RSS is the producer process's own) and the sink's view of the
 * same time.
 */
interface RoundResult {
  subject: E2eSubject;
  round: number;
  report: E2eReport;
  sink: SinkCounts;
  deliveredSpansPerS: number;
  producedSpansPerS: number;
  droppedSpans: number;
  sdkDroppedTotal: number;
  /** Sink CPU / wall of the round (from `run` to the child's answer): the share of a core the sink took. */
  sinkCpuShare: number;
  /** Delivered spans per second of producer-thread CPU (production + flush): the rate with a core to itself. */
  deliveredPerThreadCpuS: number;
  /** Producer process CPU (all its threads, incl. zlib in libuv) per delivered span, µs. */
  processCpuUsPerSpan: number;
  /** Sink CPU per span it counted, µs. */
  sinkCpuUsPerSpan: number;
  /** Share of production the producer thread spent runnable but waiting for a core (preempted). */
  preemptedShare: number;
  /** Longest stretch the thread ran without yielding, preemption taken out: max(gap, chunk) after warm-up. */
  longestRunBlockMs: number;
  /** From `run` to the child's answer (SDK import, production, flush, shutdown; not the fork). */
  wallMs: number;
}

async function runSubjectRound(
  sink: LoopbackSink | null, urls: { http: string; grpc: string }, args: E2eArgs, subject: E2eSubject, round: number,
): Promise<RoundResult> {
  const config: E2eWorkerConfig = {
    subject,
    url: subject.endsWith('-http') ? urls.http : urls.grpc,
    probeInFlight: 0,
    seed: SEED + round,
    produceMs: args.produceSeconds * 1000,
    chunkTraces: args.chunkTraces,
    queueSpans: args.queueSpans,
    batchSpans: args.batchSpans,
    rssSampleMs: RSS_SAMPLE_MS,
    flushTimeoutMs: FLUSH_TIMEOUT_MS,
    cpuProfilePath: args.cpuProfileDir === ''
      ? '' : resolvePath(args.cpuProfileDir, `${subject}-round${round}.cpuprofile`),
  };
  let before: SinkCounts | null = null;
  const { reply: report, runMs: wallMs } = await runChild<E2eReport>(
    config, config.produceMs + FLUSH_TIMEOUT_MS + CHILD_STEP_TIMEOUT_MS,
    async () => { before = sink === null ? null : await sink.counts(); });
  // With an external collector nothing independent counts: the SDK's own account stands in for the sink's.
  const sinkDelta = sink === null || before === null ? sdkCountsOf(report) : countsDelta(await sink.counts(), before);
  let sdkDroppedTotal = 0;
  for (const reason in report.sdkDropped) sdkDroppedTotal += report.sdkDropped[reason]!;
  return {
    subject, round, report, sink: sinkDelta,
    // A flush that returns early leaves exports running: the time until they settled counts as flush time.
    deliveredSpansPerS: sinkDelta.spans / ((report.produceMs + report.flushMs + report.settleAfterFlushMs) / 1000),
    producedSpansPerS: report.spansProduced / (report.produceMs / 1000),
    droppedSpans: report.spansProduced - sinkDelta.spans,
    sdkDroppedTotal,
    sinkCpuShare: sinkDelta.cpuUs / 1000 / wallMs,
    deliveredPerThreadCpuS: sinkDelta.spans / ((report.threadCpuProduceMs + report.threadCpuFlushMs) / 1000),
    processCpuUsPerSpan: (report.processCpuMs * 1000) / sinkDelta.spans,
    sinkCpuUsPerSpan: sinkDelta.cpuUs / sinkDelta.spans,
    preemptedShare: report.threadWaitProduceMs / report.produceMs,
    longestRunBlockMs: Math.max(report.gapMaxRunMs, report.chunkMaxRunMs),
    wallMs,
  };
}

/** One probe's sink ceiling: the sink's own count over the probe, and how busy the sink and the client were. */
interface ProbeSummary {
  result: ProbeResult;
  spansPerS: number;
  /** Sink CPU / wall over the probe: near 1.0 means the sink, not the client, set the ceiling. */
  sinkCpuShare: number;
  sinkSpans: number;
  /** Sink CPU over the probe, µs. */
  sinkCpuUs: number;
}

/** The probes, in the order they run and print: HTTP pre-gzipped, HTTP gzipped by the client, gRPC. */
const PROBES: readonly (readonly [E2eProbeSubject, 'http' | 'grpc'])[] = [
  ['sink-probe-http', 'http'], ['sink-probe-http-gzip', 'http'], ['sink-probe-grpc', 'grpc'],
];

/** The HTTP probe whose client gzips every body (the "HTTP + gzip" floor), or the pre-gzipped one. */
function httpProbeOf(probes: readonly ProbeSummary[], clientGzip: boolean): ProbeSummary | undefined {
  return probes.find((p) => p.result.protocol === 'http' && p.result.clientGzip === clientGzip);
}

/** A probe's row name: protocol, and who gzips. */
function probeLabelOf(result: ProbeResult): string {
  if (result.protocol === 'grpc') return 'OTLP/gRPC + gzip (grpc-js)';
  return result.clientGzip ? 'OTLP/HTTP, client gzips (WASM L1)' : 'OTLP/HTTP, pre-gzipped';
}

/** Client-thread CPU per span the sink acknowledged, µs (NaN off Linux). */
function probeClientUsPerSpan(p: ProbeSummary): number {
  return (p.result.clientThreadCpuMs * 1000) / p.result.spansAcked;
}

/** Client-process CPU (every thread) per span the sink acknowledged, µs: counted as the sink's CPU is. */
function probeClientProcessUsPerSpan(p: ProbeSummary): number {
  return (p.result.clientProcessCpuMs * 1000) / p.result.spansAcked;
}

async function probe(sink: LoopbackSink, subject: E2eProbeSubject, url: string, args: E2eArgs): Promise<ProbeSummary> {
  let before: SinkCounts | undefined;
  const { reply, runMs: wallMs } = await runChild<E2eProbeReport>({
    subject, url, probeInFlight: PROBE_IN_FLIGHT,
    seed: SEED, produceMs: args.probeSeconds * 1000, chunkTraces: 0, queueSpans: 0, batchSpans: 0, rssSampleMs: 0,
    flushTimeoutMs: 0, cpuProfilePath: '',
  }, args.probeSeconds * 1000 + 2 * CHILD_STEP_TIMEOUT_MS, async () => { before = await sink.counts(); });
  const delta = countsDelta(await sink.counts(), before!);
  return {
    result: reply.result,
    spansPerS: delta.spans / (reply.result.ms / 1000),
    sinkCpuShare: delta.cpuUs / 1000 / wallMs,
    sinkSpans: delta.spans,
    sinkCpuUs: delta.cpuUs,
  };
}

// ---- Summaries.

/**
 * The floor of "OTLP/HTTP + gzip" here: the probe whose client gzips every pre-encoded body (no span creation, no
 * encode) costs client + sink µs per span, both as process CPU (every thread), so `cores` fully used cores deliver
 * at most cores / that per second, whatever an SDK does. Null without that probe (gRPC only, --endpoint).
 */
interface HttpGzipFloor {
  /** Client process CPU per span (every thread); the client thread alone is `clientThreadUsPerSpan`. */
  clientUsPerSpan: number;
  clientThreadUsPerSpan: number;
  sinkUsPerSpan: number;
  cores: number;
  spansPerS: number;
}

function httpGzipFloorOf(probes: readonly ProbeSummary[]): HttpGzipFloor | null {
  const p = httpProbeOf(probes, true);
  if (p === undefined || p.sinkSpans === 0 || p.result.spansAcked === 0) return null;
  const clientUsPerSpan = probeClientProcessUsPerSpan(p);
  const sinkUsPerSpan = p.sinkCpuUs / p.sinkSpans;
  const cores = availableParallelism();
  return {
    clientUsPerSpan, clientThreadUsPerSpan: probeClientUsPerSpan(p), sinkUsPerSpan, cores,
    spansPerS: (cores * 1e6) / (clientUsPerSpan + sinkUsPerSpan),
  };
}

/**
 * What the delivered-spans target costs in CPU here: the machine's cores give cores / target seconds of CPU per
 * span, shared by the producer process and the sink (both on these cores). Measured costs per span set a ceiling
 * no scheduling can beat: cores / (producer + sink); the gzip probe sets the same ceiling with no SDK at all.
 */
function cpuBudgetLines(summaries: readonly SubjectSummary[], probes: readonly ProbeSummary[]): string[] {
  const http = summaries.find((s) => s.subject === 'spanwire-http');
  const floor = httpGzipFloorOf(probes);
  if (http === undefined && floor === null) return [];
  const cores = availableParallelism();
  const budgetUs = (cores * 1e6) / TARGET_DELIVERED_SPANS_PER_S;
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  if (http !== undefined) {
    const producerUs = http.processCpuUsPerSpan.median;
    const sinkUs = http.sinkCpuUsPerSpan.median;
    rows.push(
      ['spanwire-http producer process (all threads), median of rounds', producerUs],
      ['sink (gunzip + protobuf walk) for those spans, median of rounds', sinkUs],
      ['together', producerUs + sinkUs],
    );
    notes.push(`At these costs ${cores} fully used cores deliver at most ` +
      `${formatNumber((cores * 1e6) / (producerUs + sinkUs))} spans/s: the producer and the sink share the machine.`);
  }
  const preGzipped = httpProbeOf(probes, false);
  if (preGzipped !== undefined && preGzipped.sinkSpans > 0) {
    rows.push(['probe, no SDK: sink per span', preGzipped.sinkCpuUs / preGzipped.sinkSpans]);
    rows.push(['probe, no SDK: HTTP client thread per span (pre-encoded, pre-gzipped)',
      probeClientUsPerSpan(preGzipped)]);
  }
  if (floor !== null) {
    rows.push(['probe with gzip, no SDK: HTTP client thread per span (pre-encoded, WASM gzip L1 per request)',
      floor.clientThreadUsPerSpan]);
    rows.push(['probe with gzip, no SDK: HTTP client process (all threads) per span', floor.clientUsPerSpan]);
    rows.push(['probe with gzip, no SDK: sink per span', floor.sinkUsPerSpan]);
    rows.push([`floor of HTTP + gzip: client process ${formatNumber(floor.clientUsPerSpan)} + sink ` +
      `${formatNumber(floor.sinkUsPerSpan)} µs/span -> ${cores} cores deliver at most ` +
      `${formatNumber(floor.spansPerS)} spans/s`,
    floor.clientUsPerSpan + floor.sinkUsPerSpan]);
    notes.push(`With no SDK work at all besides gzip (no span calls, no encode), ${cores} fully used cores deliver ` +
      `at most ${formatNumber(floor.spansPerS)} spans/s over OTLP/HTTP + gzip to this sink: the floor no SDK beats ` +
      `here (target ${TARGET_DELIVERED_SPANS_PER_S}).`);
  }
  notes.push('The probe rows are the HTTP path alone.');
  return [
    '',
    formatTable([`CPU per delivered span, µs (${cores} cores at ${TARGET_DELIVERED_SPANS_PER_S} spans/s: ` +
      `${formatNumber(budgetUs)} µs per span in all)`, 'µs/span'], rows),
    `(${notes.join(' ')})`,
  ];
}

/** Per-subject medians (and spreads) over rounds. */
interface SubjectSummary {
  subject: E2eSubject;
  rounds: number;
  deliveredSpansPerS: Spread;
  producedSpansPerS: Spread;
  droppedSpans: Spread;
  droppedSpansTotal: number;
  sdkDroppedTotal: number;
  sdkDroppedByReason: Record<string, number>;
  /** The producer process's own peak RSS (one child process per subject and round). */
  rssPeakMiB: Spread;
  /** The same process before the SDK was imported: node + the bench harness. */
  rssBeforeSdkMiB: Spread;
  rssStartMiB: Spread;
  rssEndProduceMiB: Spread;
  rssEndMiB: Spread;
  rssSlopeMiBPerS: Spread;
  heapUsedPeakMiB: Spread;
  loopDelayMaxMs: Spread;
  loopDelayP99Ms: Spread;
  chunkMaxMs: Spread;
  chunkMedianMs: Spread;
  gapMaxMs: Spread;
  flushMs: Spread;
  sinkCpuShare: Spread;
  deliveredPerThreadCpuS: Spread;
  processCpuUsPerSpan: Spread;
  sinkCpuUsPerSpan: Spread;
  preemptedShare: Spread;
  longestRunBlockMs: Spread;
  /** The longest stretch (running) with the GC pauses inside it taken out. */
  blockMaxRunExGcMs: Spread;
  gcPauseMaxMs: Spread;
  exportSlicesOverBudget: Spread;
  exportSlicesOverBudgetRunning: Spread;
  exportSlicesOverBudgetExGc: Spread;
  exportSliceMaxExGcMs: Spread;
  chunkMaxRunMs: Spread;
  gapMaxRunMs: Spread;
  warmupBlockMaxRunMs: Spread;
  loopDelayWarmupMaxMs: Spread;
  wireBytesPerSpan: Spread;
  protobufBytesPerSpan: Spread;
  requests: Spread;
  /** OTLP/HTTP only: TCP connections the sink accepted in a round (NaN for gRPC). */
  httpConnections: Spread;
}

function summarize(subject: E2eSubject, rows: RoundResult[]): SubjectSummary {
  const of = (pick: (r: RoundResult) => number): Spread => spreadOf(rows.map(pick));
  const byReason: Record<string, number> = {};
  for (const r of rows) {
    for (const reason in r.report.sdkDropped) byReason[reason] = (byReason[reason] ?? 0) + r.report.sdkDropped[reason]!;
  }
  return {
    subject,
    rounds: rows.length,
    deliveredSpansPerS: of((r) => r.deliveredSpansPerS),
    producedSpansPerS: of((r) => r.producedSpansPerS),
    droppedSpans: of((r) => r.droppedSpans),
    droppedSpansTotal: rows.reduce((sum, r) => sum + r.droppedSpans, 0),
    sdkDroppedTotal: rows.reduce((sum, r) => sum + r.sdkDroppedTotal, 0),
    sdkDroppedByReason: byReason,
    rssPeakMiB: of((r) => r.report.rssPeakBytes / MIB),
    rssBeforeSdkMiB: of((r) => r.report.rssBeforeSdkBytes / MIB),
    rssStartMiB: of((r) => r.report.rssStartBytes / MIB),
    rssEndProduceMiB: of((r) => r.report.rssEndProduceBytes / MIB),
    rssEndMiB: of((r) => r.report.rssEndBytes / MIB),
    rssSlopeMiBPerS: of((r) => r.report.rssSlopeBytesPerS / MIB),
    heapUsedPeakMiB: of((r) => r.report.heapUsedPeakBytes / MIB),
    loopDelayMaxMs: of((r) => r.report.loopDelayMaxMs),
    loopDelayP99Ms: of((r) => r.report.loopDelayP99Ms),
    chunkMaxMs: of((r) => r.report.chunkMaxMs),
    chunkMedianMs: of((r) => r.report.chunkMedianMs),
    gapMaxMs: of((r) => r.report.gapMaxMs),
    flushMs: of((r) => r.report.flushMs),
    sinkCpuShare: of((r) => r.sinkCpuShare),
    deliveredPerThreadCpuS: of((r) => r.deliveredPerThreadCpuS),
    processCpuUsPerSpan: of((r) => r.processCpuUsPerSpan),
    sinkCpuUsPerSpan: of((r) => r.sinkCpuUsPerSpan),
    preemptedShare: of((r) => r.preemptedShare),
    longestRunBlockMs: of((r) => r.longestRunBlockMs),
    blockMaxRunExGcMs: of((r) => r.report.blockMaxRunExGcMs),
    gcPauseMaxMs: of((r) => r.report.gcPauseMaxMs),
    exportSlicesOverBudget: of((r) => r.report.exportSlicesOverBudget),
    exportSlicesOverBudgetRunning: of((r) => r.report.exportSlicesOverBudgetRunning),
    exportSlicesOverBudgetExGc: of((r) => r.report.exportSlicesOverBudgetExGc),
    exportSliceMaxExGcMs: of((r) => r.report.exportSliceMaxExGcMs),
    chunkMaxRunMs: of((r) => r.report.chunkMaxRunMs),
    gapMaxRunMs: of((r) => r.report.gapMaxRunMs),
    warmupBlockMaxRunMs: of((r) => r.report.warmupBlockMaxRunMs),
    loopDelayWarmupMaxMs: of((r) => r.report.loopDelayWarmupMaxMs),
    wireBytesPerSpan: of((r) => (r.sink.httpRequests > 0 ? r.sink.httpWireBytes / r.sink.spans : NaN)),
    protobufBytesPerSpan: of((r) => r.sink.protobufBytes / r.sink.spans),
    requests: of((r) => r.sink.httpRequests + r.sink.grpcRequests),
    httpConnections: of((r) => (r.subject.endsWith('-http') ? r.sink.httpConnections : NaN)),
  };
}

/** Same-round ratio of one metric, spanwire over official; rounds where either side is missing are skipped. */
function ratio(name: string, num: RoundResult[], den: RoundResult[], pick: (r: RoundResult) => number): RatioResult {
  const perRound: number[] = [];
  for (let i = 0; i < Math.min(num.length, den.length); i++) perRound.push(pick(num[i]!) / pick(den[i]!));
  return { name, perRound, ratio: spreadOf(perRound) };
}

// ---- CPU profile summary (V8 .cpuprofile: nodes with callFrame, samples, timeDeltas).

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The parts of a V8 .cpuprofile read here; samples[i] is a node id, timeDeltas[i] the µs before it. */
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Single calls of one function, from the sample timeline. */
interface ProfileStretch {
  name: string;
  calls: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
}

/** Where a profiled function belongs, by its script URL (and name for native frames). */
const PROFILE_CATEGORIES: readonly (readonly [string, RegExp])[] = [
  ['encode + gzip (spanwire WASM, official otlp-transformer)', /^wasm:|otlp-transformer|\/src\/codec\//],
  ['export pipeline JS (processors, exporters, transports, grpc-js)',
    new RegExp('/src/(processing|export|runtime)/|otlp-exporter-base|otlp-grpc-exporter-base|exporter-trace-otlp|' +
      'sdk-trace/build/src/export/|@grpc/')],
  ['span front end (API calls into the SDK)', /\/src\/|@opentelemetry\//],
  ['benchmark workload and harness', /\/dist\/bench\//],
  ['Node internals (node:http, streams, zlib binding, timers)', /^node:/],
];

/** A frame's category; native frames (no URL) are Node/V8 built-ins such as writev or a timer's now(). */
function categoryOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') {
    if (frame.functionName === '(garbage collector)') return 'garbage collector';
    if (frame.functionName === '(idle)') return 'idle (waiting in epoll)';
    if (frame.functionName === '(program)') return '(program): V8/Node native, unattributed';
    return 'native built-ins (writev, now, ...)';
  }
  for (const [name, pattern] of PROFILE_CATEGORIES) if (pattern.test(frame.url)) return name;
  return 'other';
}

/** Functions whose single calls are worth timing from the profile (matched on "<functionName> <url>"). */
const PROFILE_STRETCHES: readonly (readonly [string, RegExp])[] = [
  ['spanwire encode (BatchEncoder.encodeFitting)', /^encodeFitting /],
  ['spanwire WASM gzip (BatchEncoder.gzipCopy, its own macrotask)', /^gzipCopy /],
  ['official serialize (serializeRequest, inside span.end())', /^serializeRequest .*otlp-transformer/],
  ['transport send call',
    /^send .*(otlp-http-node-transport|otlp-grpc-transport|http-exporter-transport|grpc-exporter-transport)/],
  ['producer chunk (recordTraces)', /^recordTraces /],
  ['garbage collector', /^\(garbage collector\)/],
];

/**
 * Single calls of PROFILE_STRETCHES from the sample timeline: a maximal run of consecutive samples whose stack
 * holds the function is one call (or back-to-back calls); its length is the sum of the runs' timeDeltas (wall,
 * so a preempted call looks longer). Returns count, p50, p90 and max per function present.
 */
function profileStretches(profile: CpuProfile): ProfileStretch[] {
  const parentOf = new Map<number, number>();
  const frameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    frameOf.set(node.id, `${node.callFrame.functionName} ${node.callFrame.url}`);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const result: ProfileStretch[] = [];
  for (const [name, pattern] of PROFILE_STRETCHES) {
    const holds = new Map<number, boolean>();
    const stackHolds = (id: number): boolean => {
      let known = holds.get(id);
      if (known === undefined) {
        known = false;
        // Bounded by the tree's depth: every step goes to a parent.
        for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
          if (pattern.test(frameOf.get(cur) ?? '')) {
            known = true;
            break;
          }
        }
        holds.set(id, known);
      }
      return known;
    };
    const lengths: number[] = [];
    let runUs = -1;
    for (let i = 0; i < profile.samples.length; i++) {
      if (stackHolds(profile.samples[i]!)) runUs = (runUs < 0 ? 0 : runUs) + (profile.timeDeltas[i] ?? 0);
      else if (runUs >= 0) {
        lengths.push(runUs / 1000);
        runUs = -1;
      }
    }
    if (runUs >= 0) lengths.push(runUs / 1000);
    if (lengths.length === 0) continue;
    lengths.sort((a, b) => a - b);
    const at = (q: number): number => lengths[Math.min(lengths.length - 1, Math.floor(q * lengths.length))]!;
    result.push({ name, calls: lengths.length, p50Ms: at(0.5), p90Ms: at(0.9), maxMs: lengths[lengths.length - 1]! });
  }
  return result;
}

/**
 * Self time per function and per category, heaviest first. Shares count samples, not timeDeltas: the sampler's
 * signal waits while the thread is preempted and the whole wait would land on one sample, whereas the count of
 * samples follows running time (100 µs per sample).
 */
function profileSummary(path: string, top: number): {
  functions: { name: string; ms: number; share: number }[];
  categories: { name: string; ms: number; share: number }[];
  stretches: ReturnType<typeof profileStretches>;
} {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nameOf = new Map<number, string>();
  const categoryOfNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const file = frame.url.replace(/^.*\/(node_modules\/|dist\/)/, '$1');
    nameOf.set(node.id, `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`);
    categoryOfNode.set(node.id, categoryOf(frame));
  }
  const bySample = (keyOf: Map<number, string>): { name: string; ms: number; share: number }[] => {
    const counts = new Map<string, number>();
    for (const id of profile.samples) {
      const key = keyOf.get(id) ?? '?';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])
      .map(([name, n]) => ({ name, ms: n * PROFILE_SAMPLE_MS, share: n / profile.samples.length }));
  };
  return {
    functions: bySample(nameOf).slice(0, top),
    categories: bySample(categoryOfNode),
    stretches: profileStretches(profile),
  };
}

/** Whole counts print as integers; formatNumber would show 0 as 0.000. */
function countCell(value: number): string | number {
  return Number.isInteger(value) ? String(value) : value;
}

/** '-' for a value nobody measured (NaN: gRPC has no TCP count; an external collector no sink counters). */
function knownCell(value: number): string | number {
  return Number.isNaN(value) ? '-' : value;
}

/** RSS of a bare `node` process (nothing loaded) on this machine, to estimate a producer in its own process. */
function bareNodeRss(): number {
  const out = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.memoryUsage().rss))'],
    { timeout: CHILD_STEP_TIMEOUT_MS, encoding: 'utf8' });
  return Number(out);
}

/** How long an external collector (--endpoint) may take to accept a TCP connection before the run gives up. */
const COLLECTOR_CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens (and closes) one TCP connection to the collector at `url`, so an unreachable --endpoint fails the run at
 * once with the reason instead of after rounds of retried, dropped exports.
 */
async function checkReachable(url: string): Promise<void> {
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const portNumber = port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port);
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port: portNumber });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP connection to the collector at ${url} within ${COLLECTOR_CONNECT_TIMEOUT_MS} ms`));
    }, COLLECTOR_CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the collector at ${url}: ${error.message}`));
    });
  });
}

// ---- Main.

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.cpuProfileDir !== '') mkdirSync(args.cpuProfileDir, { recursive: true });
  // --endpoint: an external collector; else the embedded sink, which also counts what it acknowledged.
  const sink = args.endpoint === '' ? new LoopbackSink(SINK_TIMEOUT_MS) : null;
  try {
    let urls = { http: args.endpoint, grpc: args.endpoint };
    if (sink === null) await checkReachable(args.endpoint);
    const probes: ProbeSummary[] = [];
    if (sink !== null) {
      const ports = await sink.ready;
      urls = { http: `http://127.0.0.1:${ports.httpPort}/v1/traces`, grpc: `http://127.0.0.1:${ports.grpcPort}` };
      for (const [subject, protocol] of PROBES) {
        if (args.subjects.some((s) => s.endsWith(`-${protocol}`))) {
          probes.push(await probe(sink, subject, urls[protocol], args));
        }
      }
    }
    const bareNodeRssBytes = bareNodeRss();
    const rows = new Map<E2eSubject, RoundResult[]>(args.subjects.map((s) => [s, []]));
    for (let round = 0; round < args.rounds; round++) {
      const order = round % 2 === 0 ? args.subjects : [...args.subjects].reverse();
      for (const subject of order) {
        const row = await runSubjectRound(sink, urls, args, subject, round);
        rows.get(subject)!.push(row);
        if (!args.json) {
          process.stderr.write(`round ${round + 1}/${args.rounds} ${subject}: ` +
            `${formatNumber(row.deliveredSpansPerS / 1000)}k spans/s delivered, ${row.droppedSpans} dropped, ` +
            `peak RSS ${formatNumber(row.report.rssPeakBytes / MIB)} MiB, ` +
            `block ${formatNumber(row.report.loopDelayMaxMs)} ms\n`);
        }
      }
      const values = Object.fromEntries(args.subjects.map((s) => [s, rows.get(s)![round]!.deliveredSpansPerS]));
      sendRound(roundMessageOf('e2e', round, args.rounds, 'spans/s', values, ROUND_RATIO_PAIRS));
    }
    report(args, probes, rows, bareNodeRssBytes);
  } finally {
    sink?.close();
  }
}

function report(
  args: E2eArgs, probes: ProbeSummary[], rows: Map<E2eSubject, RoundResult[]>, bareNodeRssBytes: number,
): void {
  const summaries = args.subjects.map((s) => summarize(s, rows.get(s)!));
  const external = args.endpoint !== '';
  const ratios: RatioResult[] = [];
  for (const [num, den] of PAIRS) {
    const a = rows.get(num);
    const b = rows.get(den);
    if (a === undefined || b === undefined) continue;
    ratios.push(ratio(`${num} / ${den}: delivered spans/s`, a, b, (r) => r.deliveredSpansPerS));
    ratios.push(ratio(`${num} / ${den}: delivered per producer-thread CPU s`, a, b, (r) => r.deliveredPerThreadCpuS));
    ratios.push(ratio(`${num} / ${den}: producer process CPU per span`, a, b, (r) => r.processCpuUsPerSpan));
    ratios.push(ratio(`${num} / ${den}: peak RSS`, a, b, (r) => r.report.rssPeakBytes));
    ratios.push(ratio(`${num} / ${den}: longest block (wall)`, a, b, (r) => r.report.loopDelayMaxMs));
    ratios.push(ratio(`${num} / ${den}: longest block (running)`, a, b, (r) => r.longestRunBlockMs));
  }
  const http = summaries.find((s) => s.subject === 'spanwire-http');
  const targets = http === undefined ? [] : [
    { what: 'spanwire OTLP/HTTP+gzip delivered spans/s (median)', value: http.deliveredSpansPerS.median,
      target: `>= ${TARGET_DELIVERED_SPANS_PER_S}`,
      met: http.deliveredSpansPerS.median >= TARGET_DELIVERED_SPANS_PER_S },
    { what: `spanwire OTLP/HTTP+gzip spans dropped (all rounds; ${external ? 'SDK' : 'sink'} count)`,
      value: http.droppedSpansTotal,
      target: '0', met: http.droppedSpansTotal === 0 && http.sdkDroppedTotal === 0 },
    { what: 'spanwire OTLP/HTTP producer peak RSS, MiB, its own process (median)', value: http.rssPeakMiB.median,
      target: `<= ${TARGET_PEAK_RSS_MIB}`, met: http.rssPeakMiB.median <= TARGET_PEAK_RSS_MIB },
    { what: 'spanwire OTLP/HTTP RSS growth over the 2nd half of production, MiB (median)',
      value: (http.rssSlopeMiBPerS.median * args.produceSeconds) / 2,
      target: `< ${FLAT_RSS_GROWTH_MIB}`,
      met: (http.rssSlopeMiBPerS.median * args.produceSeconds) / 2 < FLAT_RSS_GROWTH_MIB },
    { what: 'spanwire OTLP/HTTP longest event-loop block after warm-up, wall ms (median of round maxima)',
      value: http.loopDelayMaxMs.median, target: `<= ${TARGET_LONGEST_BLOCK_MS}`,
      met: http.loopDelayMaxMs.median <= TARGET_LONGEST_BLOCK_MS },
    { what: 'the same with preemption taken out (running ms, ±0.5; median of round maxima)',
      value: http.longestRunBlockMs.median, target: `<= ${TARGET_LONGEST_BLOCK_MS}`,
      met: http.longestRunBlockMs.median <= TARGET_LONGEST_BLOCK_MS },
    { what: 'the same with GC pauses inside the stretch taken out (SDK work + I/O; median of round maxima)',
      value: http.blockMaxRunExGcMs.median, target: `<= ${TARGET_LONGEST_BLOCK_MS}`,
      met: http.blockMaxRunExGcMs.median <= TARGET_LONGEST_BLOCK_MS },
    { what: 'spanwire export work: slices over 1 ms after warm-up (stats().exportWork; wall; median of rounds)',
      value: http.exportSlicesOverBudget.median, target: '0', met: http.exportSlicesOverBudget.median === 0 },
    { what: 'the same on CPU: preemption inside each slice taken out (schedstat; median of rounds)',
      value: http.exportSlicesOverBudgetRunning.median, target: '0', met: http.exportSlicesOverBudgetRunning.median === 0 },
    { what: 'the same on CPU with the GC pauses inside each slice taken out too (median of rounds)',
      value: http.exportSlicesOverBudgetExGc.median, target: '0', met: http.exportSlicesOverBudgetExGc.median === 0 },
  ];
  const settings = {
    produceSeconds: args.produceSeconds, rounds: args.rounds, chunkTraces: args.chunkTraces,
    chunkSpans: args.chunkTraces * CANONICAL_WORKLOAD.spansPerTrace,
    queueSpans: args.queueSpans === 0 ? 'SDK defaults (2048 on both)' : args.queueSpans,
    batchSpans: args.batchSpans === 0 ? 'SDK defaults (512 on both)' : args.batchSpans,
    spanwire: 'SpanwireTracerProvider defaults (BatchSpanProcessor: batch 512, 8 exports in flight, delay 5000 ms, ' +
      'export timeout 30 s; arena 4096 span slots, raised to queue + 2048 with attributes x12 and events x1 when ' +
      'the queue is raised) + OtlpTraceExporter defaults (gzip level 1 in WASM, requests of ~256 KiB whose ~64 KiB ' +
      'parts are gzipped one per macrotask, 16 batches in flight, 10 s timeout, 5 attempts); HTTP: createHttpTransport({ url }) ' +
      '(node:http, keep-alive, 8 sockets); gRPC: GrpcTransport({ url, compression: "gzip" }) with exporter ' +
      'compression "none" (grpc-js compresses)',
    official: 'sdk-trace-base 2.12.1 BatchSpanProcessor defaults (batch 512, one export at a time, delay 5000 ms, ' +
      'export timeout 30 s) + OTLPTraceExporter 0.223.1 (exporter-trace-otlp-proto / -grpc) with compression ' +
      '"gzip" (zlib default level, libuv thread pool), other options default (30 requests in flight, 10 s timeout)',
    sink: external ? `none: exported to the collector at ${args.endpoint} (--endpoint)`
      : 'separate process; OTLP/HTTP node:http + gunzipSync; OTLP/gRPC grpc-js passthrough; empty responses',
  };
  const countedBy = external
    ? `delivered = spans each SDK counts as acknowledged by the collector at ${args.endpoint} (spanwire: ` +
      'stats().exported; official: spans in SUCCESS export callbacks); the embedded sink, which counts what ' +
      'arrives, is not running, so nothing checks those counts, and the sink columns are empty'
    : 'delivered = spans the embedded sink counted';

  // The sink's count is the truth; an SDK that counts differently, a refused request or a flush that never
  // finished makes a round suspect.
  const warnings: string[] = [];
  for (const subjectRows of rows.values()) {
    for (const r of subjectRows) {
      const where = `${r.subject} round ${r.round + 1}`;
      if (!external && r.report.sdkDelivered !== r.sink.spans) {
        warnings.push(`${where}: the SDK counts ${r.report.sdkDelivered} spans delivered, the sink ${r.sink.spans}`);
      }
      if (r.sink.badRequests > 0) warnings.push(`${where}: the sink refused ${r.sink.badRequests} malformed requests`);
      if (r.report.flushTimedOut) warnings.push(`${where}: forceFlush did not finish within ${FLUSH_TIMEOUT_MS} ms`);
      if (r.report.pendingAfterFlush > 0) {
        warnings.push(`${where}: forceFlush returned with ${r.report.pendingAfterFlush} spans still queued or in ` +
          `flight; they settled ${formatNumber(r.report.settleAfterFlushMs)} ms later (delivered/s counts them)`);
      }
    }
  }

  if (args.json) {
    const doc = {
      benchmark: 'e2e', node: process.version, method: METHOD, settings,
      endpoint: external ? args.endpoint : null, deliveredCountedBy: external ? 'sdk' : 'sink',
      sinkCeiling: probes, httpGzipFloor: httpGzipFloorOf(probes), bareNodeRssBytes,
      rounds: Object.fromEntries([...rows.entries()].map(([s, r]) => [s, r])),
      summaries, ratios, targets, warnings,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }

  const out: string[] = [];
  for (const warning of warnings) out.push(`WARNING: ${warning}`);
  if (warnings.length > 0) out.push('');
  out.push(`spanwire end-to-end export benchmark — Node ${process.version}, ${args.rounds} rounds x ` +
    `${args.produceSeconds} s${args.quick ? ' (--quick: smoke run, not a measurement)' : ''}`);
  out.push(METHOD);
  if (external) out.push(`COLLECTOR ${args.endpoint}: ${countedBy}.`);
  out.push(`Producer: ${settings.chunkSpans} spans (${args.chunkTraces} traces) per chunk; ` +
    `queue: ${settings.queueSpans}; export batch: ${settings.batchSpans}.`);
  out.push(`spanwire: ${settings.spanwire}.`);
  out.push(`official: ${settings.official}.`);
  out.push('');
  if (probes.length > 0) {
    out.push(formatTable(
      [`sink ceiling (no SDK: pre-encoded 512-span requests, ${PROBE_IN_FLIGHT} in flight)`, 'spans/s', 'requests',
        'failed', 'acked spans', 'sink counted', 'sink CPU %', 'client CPU %', 'client µs/span',
        'client proc. µs/span', 'wire B/req'],
      probes.map((p) => [probeLabelOf(p.result), p.spansPerS,
        String(p.result.requestsOk), String(p.result.requestsFailed), String(p.result.spansAcked),
        String(p.sinkSpans), p.sinkCpuShare * 100, knownCell((p.result.clientThreadCpuMs / p.result.ms) * 100),
        knownCell(probeClientUsPerSpan(p)), probeClientProcessUsPerSpan(p), p.result.wireBytesPerRequest]),
    ));
    out.push('(sink CPU %: of one core, over the probe. The probe client runs on the other core: a sink below ~90 % ' +
      'was held back by the client or the protocol stack, not by its own work. HTTP pre-gzipped: one body gzipped ' +
      'before the probe, sent again and again; HTTP, client gzips: every request\'s body gzipped by the client ' +
      'thread with spanwire\'s WASM gzip, level 1 (WasmGzip, as the SDK\'s export thread): the ceiling of ' +
      '"HTTP + gzip" with no span creation and no encode. client: the probe process\'s main thread (schedstat); ' +
      'client proc.: every thread of the probe process (process.cpuUsage, as the sink\'s CPU is counted).)');
    out.push('');
  }
  out.push(formatTable(
    ['throughput (median of rounds)', 'delivered/s', 'min', 'max', 'produced/s', 'dropped/round', 'dropped all',
      'SDK dropped', 'flush ms', 'sink CPU %', 'wire B/span', 'pb B/span', 'requests', 'TCP conns'],
    summaries.map((s) => [s.subject, s.deliveredSpansPerS.median, s.deliveredSpansPerS.min, s.deliveredSpansPerS.max,
      s.producedSpansPerS.median, countCell(s.droppedSpans.median), String(s.droppedSpansTotal), String(s.sdkDroppedTotal),
      s.flushMs.median, knownCell(s.sinkCpuShare.median * 100), knownCell(s.wireBytesPerSpan.median),
      knownCell(s.protobufBytesPerSpan.median), knownCell(s.requests.median), knownCell(s.httpConnections.median)]),
  ));
  out.push('(TCP conns: connections the sink accepted per round over OTLP/HTTP; a keep-alive client needs a few. ' +
    'wire B/span: OTLP/HTTP bytes as sent (gzip); pb B/span: protobuf after decompression.)');
  out.push('');
  out.push(formatTable(
    ['CPU (median of rounds)', 'deliv./thread-CPU-s', 'process CPU µs/span', 'preempted %', 'chunk µs/span'],
    summaries.map((s) => [s.subject, s.deliveredPerThreadCpuS.median, s.processCpuUsPerSpan.median,
      s.preemptedShare.median * 100,
      (s.chunkMedianMs.median * 1000) / (args.chunkTraces * CANONICAL_WORKLOAD.spansPerTrace)]),
  ));
  out.push('(deliv./thread-CPU-s: spans delivered per second the producer thread was on a CPU (production + flush), ' +
    'i.e. the rate if it had a core to itself; the sink and zlib threads are not in it. process CPU: every thread ' +
    'of the producer process, incl. libuv zlib (the official HTTP exporter gzips there) and V8 helpers. ' +
    'preempted: runnable but waiting for a core (/proc/thread-self/schedstat). chunk µs/span: the median chunk, ' +
    'wall clock, per span: span calls + SDK work inside them.)');
  out.push(...cpuBudgetLines(summaries, probes));
  for (const s of summaries) {
    if (s.sdkDroppedTotal > 0) {
      out.push(`${s.subject} SDK drop counters (all rounds): ${JSON.stringify(s.sdkDroppedByReason)}`);
    }
  }
  out.push('');
  out.push(formatTable(
    ['memory, MiB (median of rounds)', 'peak RSS', 'max', 'before SDK', 'start', 'end prod.', 'after flush',
      '2nd-half slope MiB/s', 'heap peak'],
    summaries.map((s) => [s.subject, s.rssPeakMiB.median, s.rssPeakMiB.max, s.rssBeforeSdkMiB.median,
      s.rssStartMiB.median, s.rssEndProduceMiB.median, s.rssEndMiB.median, s.rssSlopeMiBPerS.median,
      s.heapUsedPeakMiB.median]),
  ));
  out.push('(RSS is the producer\'s own process, measured: each subject runs in a child process of its own, ' +
    'forked per round, sampled every 50 ms. before SDK = that process when the round began (node + this bench\'s ' +
    `harness), a bare node process here: ${formatNumber(bareNodeRssBytes / MIB)} MiB; start = after SDK setup, ` +
    'before the first span; slope = least squares over the second half of production; heap peak = its used V8 ' +
    'heap.)');
  for (const s of summaries) {
    const median = rows.get(s.subject)!.slice().sort((a, b) => a.report.rssPeakBytes - b.report.rssPeakBytes)[
      (rows.get(s.subject)!.length - 1) >> 1]!;
    out.push(`${s.subject} round ${median.round + 1} (median peak), highest RSS per second, MiB: ` +
      median.report.rssBySecondMiB.map((v) => formatNumber(v)).join(' '));
  }
  out.push('');
  out.push(formatTable(
    ['export calls (median of rounds)', 'exports', 'call p50 ms', 'call p99', 'call max', 'outcome p50 ms',
      'outcome p99', 'outcome max', 'most in flight', 'drain ceiling spans/s'],
    summaries.map((s) => {
      const med = (pick: (r: RoundResult) => number): number => spreadOf(rows.get(s.subject)!.map(pick)).median;
      const inFlight = med((r) => r.report.exportsInFlightMax);
      const latencyP50 = med((r) => r.report.exportLatencyMs[0]);
      return [s.subject, med((r) => r.report.exports), med((r) => r.report.exportSyncMs[0]),
        med((r) => r.report.exportSyncMs[1]), med((r) => r.report.exportSyncMs[2]), latencyP50,
        med((r) => r.report.exportLatencyMs[1]), med((r) => r.report.exportLatencyMs[2]), inFlight,
        (inFlight * CANONICAL_WORKLOAD.batchSpans * 1000) / latencyP50];
    }),
  ));
  out.push('(call: the synchronous export() call (spanwire: WASM encode, gzip deferred to a later macrotask; ' +
    'official: serialization, inside the span.end() that filled the batch). outcome: call to result (encode/' +
    'serialize + gzip + request + response). drain ceiling = most in flight x 512 spans / outcome p50: above ' +
    'it the queue grows, and a full queue drops.)');
  const sliced = summaries.filter((s) => rows.get(s.subject)!.some((r) => Number.isFinite(r.report.exportSlices)));
  if (sliced.length > 0) {
    out.push(formatTable(
      ['export work slices (median of rounds)', 'slices', 'over 1 ms', 'share over 1 ms', 'longest ms',
        'over 1 ms running', 'longest running', 'over 1 ms run w/o GC', 'longest run w/o GC'],
      sliced.map((s) => {
        const med = (pick: (r: RoundResult) => number): number => spreadOf(rows.get(s.subject)!.map(pick)).median;
        return [s.subject, med((r) => r.report.exportSlices), med((r) => r.report.exportSlicesOverBudget),
          med((r) => r.report.exportSlicesOverBudget / r.report.exportSlices), med((r) => r.report.exportSliceMaxMs),
          med((r) => r.report.exportSlicesOverBudgetRunning), med((r) => r.report.exportSliceMaxRunningMs),
          med((r) => r.report.exportSlicesOverBudgetExGc), med((r) => r.report.exportSliceMaxExGcMs)];
      }),
    ));
    out.push('(spanwire stats().exportWork: every synchronous slice of export work (export() call with the WASM ' +
      'encode, each deferred gzip part, each request start), wall clock, so a GC pause or preemption inside one ' +
      'counts; slices and over 1 ms after warm-up, longest over the whole round incl. warm-up (JIT). running: ' +
      'the slices over 1 ms after warm-up with the thread\'s run-queue wait inside them taken out (schedstat, ' +
      '±0.5 ms); run w/o GC: the GC pauses that began inside them taken out too (a scavenge runs when new space ' +
      'fills, in whichever code allocates then); longest: 0 when none was over 1 ms wall.)');
  }
  out.push('');
  out.push(formatTable(
    ['event loop, ms (median of rounds)', 'block max', 'worst round', 'delay p99', 'chunk max', 'chunk med.',
      'gap max', 'run block max', 'run chunk max', 'run gap max', 'GC pause max', 'run block w/o GC',
      'warm-up block', 'warm-up run'],
    summaries.map((s) => [s.subject, s.loopDelayMaxMs.median, s.loopDelayMaxMs.max, s.loopDelayP99Ms.median,
      s.chunkMaxMs.median, s.chunkMedianMs.median, s.gapMaxMs.median, s.longestRunBlockMs.median,
      s.chunkMaxRunMs.median, s.gapMaxRunMs.median, s.gcPauseMaxMs.median, s.blockMaxRunExGcMs.median,
      s.loopDelayWarmupMaxMs.median, s.warmupBlockMaxRunMs.median]),
  ));
  out.push('(After a warm-up of the first second (a fifth of a --quick production). block max / delay p99: ' +
    'monitorEventLoopDelay, wall clock, incl. one producer chunk and any time the thread sat preempted. chunk: one ' +
    'synchronous chunk of span calls (incl. SDK work inside them); gap: between two chunks (export macrotasks, I/O, ' +
    'GC). run: the same with run-queue wait taken out (schedstat), ±0.5 ms; run block max = max(run chunk max, ' +
    'run gap max). GC pause max: the longest single GC pause (PerformanceObserver gc entry, wall). run block w/o GC: ' +
    'the longest stretch (running) with the GC pauses that began inside it taken out, over the 64 longest: the ' +
    'SDK\'s own work and the I/O it triggers. warm-up: block max / run block max over the first second.)');
  for (const s of summaries) {
    const worst = rows.get(s.subject)!.reduce((a, b) => (b.longestRunBlockMs > a.longestRunBlockMs ? b : a));
    const blocks = worst.report.topBlocks.map((b) =>
      `${b.kind} ${formatNumber(b.runMs)} run/${formatNumber(b.wallMs)} wall (GC ${formatNumber(b.gcMs)}) ` +
      `at ${formatNumber(b.atMs)}`).join(', ');
    const pauses = Object.entries(worst.report.gcPauses)
      .map(([kind, p]) => `${kind} ${p.count} (${formatNumber(p.totalMs)} ms)`).join(', ');
    out.push(`${s.subject} round ${worst.round + 1}, longest stretches after warm-up ` +
      `(ms; at ms into production): ${blocks}; GC pauses after warm-up: ${pauses || 'none'}`);
  }
  out.push('');
  if (ratios.length > 0) {
    out.push(formatTable(
      ['same-round ratio', 'median', 'min', 'max'],
      ratios.map((r) => [r.name, r.ratio.median, r.ratio.min, r.ratio.max]),
    ));
    out.push('');
  }
  if (targets.length > 0) {
    out.push(formatTable(
      ['target (DESIGN.md)', 'value', 'target', 'met'],
      targets.map((t) => [t.what, countCell(t.value), t.target, t.met ? 'yes' : 'NO']),
    ));
  }
  if (args.cpuProfileDir !== '') {
    for (const s of args.subjects) {
      const path = rows.get(s)![0]?.report.cpuProfilePath;
      if (path === undefined || path === '') continue;
      const summary = profileSummary(path, 15);
      out.push('');
      out.push(formatTable(
        [`profile ${s} round 1 (${path}), by category`, 'ms', '%'],
        summary.categories.map((c) => [c.name, c.ms, c.share * 100]),
      ));
      out.push(formatTable(
        ['heaviest functions (self)', 'ms', '%'],
        summary.functions.map((f) => [f.name, f.ms, f.share * 100]),
      ));
      out.push(formatTable(
        ['single calls, from the sample timeline', 'calls', 'p50 ms', 'p90 ms', 'max ms'],
        summary.stretches.map((c) => [c.name, String(c.calls), c.p50Ms, c.p90Ms, c.maxMs]),
      ));
    }
    out.push('(ms = samples x 0.1 ms, production + flush: the sampler often fires late here, so ms undercount and ' +
      'only the % compare. Single calls: wall time of back-to-back samples inside the function; a call preempted ' +
      'by another process looks longer, so trust p50/p90 over max. spanwire\'s WASM functions are unnamed in ' +
      'the release build: build it with --debug to a scratch file for the index -> name map.)');
  }
  process.stdout.write(out.join('\n') + '\n');
}

// Bad flags or a broken subject end the run with one line on stderr and exit code 1; numbers never fail it.
await main().catch((error: unknown) => {
  process.stderr.write(`e2e-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
