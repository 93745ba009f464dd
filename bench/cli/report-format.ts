// The `spanwire bench` report: the JSON document's shape (a stable interface, documented in help-text.ts) and
// its text and Markdown renderings. Pure: it formats what it is given and must never run or print anything.
import { formatNumber } from '../bench-stats.js';
import type { OfficialSdkStatus } from './official-packages.js';
import { type PipelineFloor, pipelineFloorOf } from './pipeline-floor.js';
import type { OtlpProtocol, ScenarioName } from './parse-args.js';
import type { SummaryRow } from './scenario-summary.js';
import { summarizeScenario, warningsOf } from './scenario-summary.js';
import type { ScenarioOutcome } from './run-scenario.js';

/** One scenario in the report. */
export interface ScenarioReport {
  name: ScenarioName;
  ran: boolean;
  partial: boolean;
  durationMs: number;
  /** The script's own --json document; null when it did not finish. */
  results: unknown;
  summary: SummaryRow[];
  error?: string;
}

/** The document `spanwire bench --json` prints; field names are a stable interface. */
export interface BenchReport {
  spanwire: string;
  node: string;
  /** True when interrupted before every requested scenario finished. */
  partial: boolean;
  /** endpoint/protocol: the e2e scenario's collector and protocol (null: embedded sink, both protocols). */
  options: { quick: boolean; rounds: number | null; endpoint: string | null; protocol: OtlpProtocol | null };
  officialSdk: { present: boolean; missing: string[] };
  scenarios: ScenarioReport[];
  /** The OTLP/HTTP + gzip pipeline's floor from this run (pipeline-floor.ts), null unless all three scenarios ran. */
  pipelineFloor?: PipelineFloor | null;
}

/** Turns a scenario outcome into its report entry (adds the summary rows). */
export function scenarioReportOf(outcome: ScenarioOutcome): ScenarioReport {
  const entry: ScenarioReport = {
    name: outcome.name,
    ran: outcome.ran,
    partial: outcome.partial,
    durationMs: outcome.durationMs,
    results: outcome.results ?? null,
    summary: outcome.results === null ? [] : summarizeScenario(outcome.name, outcome.results),
  };
  if (outcome.error !== undefined) entry.error = outcome.error;
  return entry;
}

/** A report entry for a scenario that never started (skipped, or not reached before Ctrl-C). */
export function notRunReport(name: ScenarioName, error: string, partial: boolean): ScenarioReport {
  return { name, ran: false, partial, durationMs: 0, results: null, summary: [], error };
}

/** Exit code for a finished report: 130 when interrupted, 1 when a scenario did not run, else 0. */
export function exitCodeOf(report: BenchReport): number {
  if (report.partial) return 130;
  return report.scenarios.every((s) => s.ran) ? 0 : 1;
}

/** The JSON document, one line per field level (2-space indent), ending in a newline. */
export function renderJson(report: BenchReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

const HEADER = ['scenario', 'subject', 'median', 'ratio vs official', 'target', 'met'] as const;

/** Table cells of one summary row, as strings. */
function cellsOf(scenario: string, row: SummaryRow): string[] {
  return [
    scenario,
    row.subject,
    row.median === null ? '-' : `${formatNumber(row.median)}${row.unit === '' ? '' : ` ${row.unit}`}`,
    row.ratioVsOfficial === null ? '-' : `${formatNumber(row.ratioVsOfficial)}x${referenceOf(row.ratioName)}`,
    row.target ?? '-',
    row.met === null ? '-' : row.met ? 'yes' : 'NO',
  ];
}

/** ` (vs zlib L1)` when a ratio's reference is not the official SDK, else ''. */
function referenceOf(ratioName: string | null): string {
  const reference = ratioName === null ? '' : (/\/ ([^:]+)/.exec(ratioName)?.[1] ?? '');
  return reference === '' || reference.startsWith('official') ? '' : ` (vs ${reference})`;
}

/**
 * All table rows: the summary of every scenario that ran; for one that did not, a status row, then the summary of
 * the rounds it finished (if any) under `<name> (partial)`.
 */
function tableRows(report: BenchReport): string[][] {
  const rows: string[][] = [];
  for (const s of report.scenarios) {
    if (!s.ran) {
      rows.push([s.name, s.partial ? `PARTIAL: ${s.error ?? 'interrupted'}` : `NOT RUN: ${s.error ?? 'unknown error'}`,
        '-', '-', '-', '-']);
    }
    for (const row of s.summary) rows.push(cellsOf(s.ran ? s.name : `${s.name} (partial)`, row));
  }
  return rows;
}

/** Lines under the table: interruption, missing packages, script warnings, how to read "ratio". */
function notesOf(report: BenchReport): string[] {
  const notes: string[] = [];
  if (report.partial) {
    notes.push('PARTIAL: interrupted (Ctrl-C or SIGTERM); rows marked (partial) are medians over the rounds that ' +
      'finished, without the targets the script judges at the end.');
  }
  if (!report.officialSdk.present) {
    notes.push(`Official OpenTelemetry SDK packages missing: ${report.officialSdk.missing.join(', ')}. ` +
      'They are devDependencies: run npm install. Scenarios that need them were skipped.');
  }
  if (report.options.quick) notes.push('--quick: a smoke run, not a measurement.');
  if (report.options.endpoint !== null) {
    notes.push(`e2e exported over ${report.options.protocol === 'grpc' ? 'OTLP/gRPC' : 'OTLP/HTTP'} to the collector ` +
      `at ${report.options.endpoint}: its delivered counts are each SDK's own accounting (spans the collector ` +
      'acknowledged), not an independent count; the embedded sink, which counts what arrives, was not used.');
  }
  for (const s of report.scenarios) {
    for (const warning of warningsOf(s.results)) notes.push(`WARNING (${s.name}): ${warning}`);
  }
  const floor = pipelineFloorOf(report.scenarios);
  if (floor !== null) {
    const us = (n: number): string => formatNumber(n);
    notes.push(`floor of the OTLP/HTTP + gzip pipeline, this run: minimal recorder ${us(floor.recordUsPerSpan)} + ` +
      `encode ${us(floor.encodeUsPerSpan)} + gzip and send with no SDK ${us(floor.gzipAndSendUsPerSpan)} + sink ` +
      `${us(floor.sinkUsPerSpan)} µs of CPU per span: ${floor.cores} fully used cores deliver at most ` +
      `${formatNumber(floor.spansPerS)} spans/s, whatever the SDK.`);
  }
  notes.push('ratio: median of same-round ratios spanwire / reference (times: lower is better; e2e spans/s: ' +
    'higher is better). Full numbers: run with --json, or the scenario script itself.');
  return notes;
}

/** Aligned columns: the first `leftColumns` left-aligned (names), the rest right-aligned (numbers). */
export function alignTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns: number): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]): string => row
    .map((cell, col) => (col < leftColumns ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
    .join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The report for people: a title line, one aligned table, then notes. */
export function renderText(report: BenchReport): string {
  const title = `spanwire ${report.spanwire} benchmarks — Node ${report.node}` +
    `${report.options.rounds === null ? '' : `, ${report.options.rounds} rounds`}`;
  const rows = tableRows(report);
  return [title, '', alignTable(HEADER, rows, 2), '', ...notesOf(report)].join('\n') + '\n';
}

/** Escapes a Markdown table cell. */
function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The same report as a Markdown table (GitHub-flavoured), numbers right-aligned. */
export function renderMarkdown(report: BenchReport): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  const align = HEADER.map((_, i) => (i >= 2 && i <= 3 ? '---:' : i === 5 ? ':---:' : '---'));
  const out = [
    `**spanwire ${report.spanwire} benchmarks**, Node ${report.node}` +
      `${report.options.rounds === null ? '' : `, ${report.options.rounds} rounds`}`,
    '',
    line(HEADER),
    `| ${align.join(' | ')} |`,
    ...tableRows(report).map(line),
    '',
    ...notesOf(report).map((n) => `- ${markdownCell(n)}`),
  ];
  return out.join('\n') + '\n';
}
