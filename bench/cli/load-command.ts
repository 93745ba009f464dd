// `spanwire load` from parsed flags to exit code: starts the embedded loopback sink unless --endpoint is given, runs
// the LoadGenerator, handles Ctrl-C, compares the sink's count with stats().exported and reports.
// It must never record spans itself (load-generator.ts does) nor start a receiver beyond 127.0.0.1.
import type { Interrupt } from './interrupt.js';
import type { LoadResult, LoadSample } from './load-generator.js';
import { LoadGenerator } from './load-generator.js';
import { LoopbackSink } from '../otlp-sink-client.js';
import type { LoadCommand } from './parse-args.js';

/** How long the embedded sink may take to start or to answer a counts request. */
const SINK_TIMEOUT_MS = 10_000;

/** Flush budget at the end of a run that was not interrupted. */
const FLUSH_TIMEOUT_MS = 10_000;

/** The `spanwire load --json` document; LOAD_HELP documents every field. */
export interface LoadReport {
  command: 'load';
  protocol: 'http' | 'grpc';
  endpoint: string;
  embeddedSink: boolean;
  targetSpansPerS: number | null;
  durationS: number;
  partial: boolean;
  elapsedS: number;
  flushS: number;
  generated: number;
  achievedSpansPerS: number;
  queueWaitS: number;
  exported: number;
  dropped: Record<string, number>;
  droppedTotal: number;
  exportErrors: number;
  unflushed: number;
  sinkSpans: number | null;
  sinkBadRequests: number | null;
  sinkMatchesExported: boolean | null;
  seconds: LoadSample[];
  exitCode: number;
}

/** 130 interrupted, 1 anything lost or miscounted, else 0. */
export function loadExitCodeOf(report: Omit<LoadReport, 'exitCode'>): number {
  if (report.partial) return 130;
  if (report.droppedTotal > 0 || report.unflushed > 0 || report.sinkMatchesExported === false) return 1;
  return 0;
}

/** The report of a finished (or interrupted) run, with the sink's counters when the embedded sink was used. */
export function loadReportOf(
  command: LoadCommand, endpoint: string, result: LoadResult, sink: { spans: number; badRequests: number } | null,
): LoadReport {
  const stats = result.stats;
  const elapsedS = result.elapsedMs / 1000;
  const base: Omit<LoadReport, 'exitCode'> = {
    command: 'load', protocol: command.protocol, endpoint, embeddedSink: command.endpoint === null,
    targetSpansPerS: command.rateSpansPerS, durationS: command.durationS, partial: result.interrupted,
    elapsedS, flushS: result.flushMs / 1000, generated: result.generated,
    achievedSpansPerS: elapsedS > 0 ? result.generated / elapsedS : 0, queueWaitS: result.queueWaitMs / 1000,
    exported: stats.exported, dropped: stats.dropped, droppedTotal: stats.droppedTotal,
    exportErrors: result.exportErrors, unflushed: stats.live + stats.queueSize + stats.inFlight,
    sinkSpans: sink === null ? null : sink.spans, sinkBadRequests: sink === null ? null : sink.badRequests,
    sinkMatchesExported: sink === null ? null : sink.spans === stats.exported,
    seconds: result.samples,
  };
  return { ...base, exitCode: loadExitCodeOf(base) };
}

/** `reason=n, …` or `none`. */
function droppedText(dropped: Readonly<Record<string, number>>): string {
  const parts = Object.entries(dropped).filter(([, n]) => n > 0).map(([reason, n]) => `${reason}=${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** One progress line for stderr. */
export function sampleLine(sample: LoadSample): string {
  return `spanwire load: ${sample.elapsedS.toFixed(1)} s  ${Math.round(sample.intervalSpansPerS)} spans/s  ` +
    `generated ${sample.generated}  exported ${sample.exported}  dropped ${droppedText(sample.dropped)}  ` +
    `errors ${sample.exportErrors}\n`;
}

/** The human-readable summary printed on stdout without --json. */
export function renderLoadText(report: LoadReport): string {
  const lines = [
    `spanwire load${report.partial ? ' (PARTIAL: interrupted)' : ''}: ${report.protocol} to ${report.endpoint}` +
      `${report.embeddedSink ? ' (embedded sink)' : ''}`,
    `  target      ${report.targetSpansPerS === null ? 'max' : `${report.targetSpansPerS} spans/s`} for ` +
      `${report.durationS} s`,
    `  produced    ${report.generated} spans in ${report.elapsedS.toFixed(2)} s ` +
      `(${Math.round(report.achievedSpansPerS)} spans/s), flush ${report.flushS.toFixed(2)} s` +
      (report.targetSpansPerS === null ? `, waited ${report.queueWaitS.toFixed(2)} s for queue room` : ''),
    `  exported    ${report.exported}`,
    `  dropped     ${report.droppedTotal} (${droppedText(report.dropped)}), export errors ${report.exportErrors}, ` +
      `unflushed ${report.unflushed}`,
  ];
  if (report.sinkSpans !== null) {
    lines.push(`  sink        ${report.sinkSpans} spans counted, ${report.sinkBadRequests ?? 0} bad requests: ` +
      `${report.sinkMatchesExported === true ? 'matches exported' : 'DIFFERS from exported'}`);
  }
  lines.push(`  result      ${report.exitCode === 0 ? 'OK' : report.exitCode === 130 ? 'interrupted' : 'SPANS LOST'}`);
  return lines.join('\n') + '\n';
}

/**
 * Runs `spanwire load`; resolves to the exit code. Ctrl-C or SIGTERM (`interrupt`, also one that came while this
 * module loaded) stops production, flushes for up to 1 s and reports; a second signal quits at once (the sink
 * child exits when this process does: it watches its IPC channel).
 */
export async function runLoad(command: LoadCommand, interrupt: Interrupt): Promise<number> {
  const sink = command.endpoint === null ? new LoopbackSink(SINK_TIMEOUT_MS) : null;
  let generator: LoadGenerator | null = null;
  interrupt.onStop((signal) => {
    process.stderr.write(`spanwire load: ${signal}: stopping, flushing for up to 1 s (Ctrl-C again: quit now)\n`);
    generator?.stop();
  });
  try {
    let endpoint: string;
    if (sink === null) endpoint = command.endpoint!;
    else {
      const ports = await sink.ready;
      endpoint = command.protocol === 'http'
        ? `http://127.0.0.1:${ports.httpPort}/v1/traces` : `http://127.0.0.1:${ports.grpcPort}`;
    }
    generator = new LoadGenerator({
      protocol: command.protocol, url: endpoint, rateSpansPerS: command.rateSpansPerS,
      durationMs: command.durationS * 1000, flushTimeoutMs: FLUSH_TIMEOUT_MS,
      onSample: (sample) => process.stderr.write(sampleLine(sample)),
    });
    if (interrupt.interrupted) generator.stop();
    const result = await generator.run();
    const counts = sink === null ? null : await sink.counts();
    const report = loadReportOf(command, endpoint, result, counts);
    process.stdout.write(command.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderLoadText(report));
    return report.exitCode;
  } finally {
    sink?.close();
  }
}
