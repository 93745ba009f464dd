// `spanwire bench --svg FILE`: one self-contained SVG (no fonts, scripts or links) with a bar pair per metric that
// has a reference counterpart, spanwire vs official/zlib on a shared per-group scale, ratio, target and partial marks.
// Pure: it turns a BenchReport into a string and must never read the clock, the machine or the file system itself.
import type { BenchReport, ScenarioReport } from './report-format.js';
import type { SummaryRow } from './scenario-summary.js';

/** What the chart needs besides the report; passed in so the function stays pure and testable. */
export interface SvgChartOptions {
  /** Date printed in the title (ISO day). */
  date: Date;
  /** Logical CPUs of the machine, for the footnote ("shared 2-core machine"); null leaves the count out. */
  cpuCount: number | null;
}

/** One bar pair: a spanwire subject and the reference it was compared with in the same rounds. */
export interface ChartGroup {
  scenario: string;
  subject: string;
  /** Name of the reference subject, e.g. `encode official`, `gzip node:zlib level 1`. */
  reference: string;
  unit: string;
  value: number | null;
  /** The reference's median, or value / ratio when the reference row is missing (`referenceDerived`). */
  referenceValue: number | null;
  referenceDerived: boolean;
  /** Median of same-round ratios spanwire / reference. */
  ratio: number | null;
  /** Target in the group's unit (a ratio target is scaled by the reference value), or null. */
  targetValue: number | null;
  targetText: string | null;
  /** True when the target bounds the ratio (`<= 0.05` times the reference), false when it is absolute. */
  targetIsRatio: boolean;
  met: boolean | null;
}

/** Colour-blind-safe pair (Okabe-Ito blue and orange); every bar is also labelled in text. */
const SPANWIRE_FILL = '#0072B2';
const REFERENCE_FILL = '#E69F00';
const INK = '#1a1a1a';
const MUTED = '#555555';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/** 800 px wide at 1:1: labels 140 px, bars up to 440 px, the value text after the bar end. */
const WIDTH = 800;
const MARGIN = 20;
const LABEL_W = 140;
const BAR_X = MARGIN + LABEL_W;
const BAR_MAX_W = 440;
const BAR_H = 18;
const GROUP_H = 98;

/** Escapes text for XML element content and double-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Lower is better for times (`ns/span`), higher for throughput (`spans/s`). */
function higherIsBetter(unit: string): boolean {
  return unit.endsWith('/s');
}

/**
 * Direction-aware wording of a spanwire / reference ratio: `30x faster`, `1.2x slower` for times,
 * `2.2x more spans/s`, `1.5x fewer spans/s` for throughput; `about the same` within 2 %.
 */
export function ratioWording(ratio: number, unit: string): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return 'no ratio';
  if (Math.abs(ratio - 1) < 0.02) return 'about the same';
  const factor = ratio >= 1 ? ratio : 1 / ratio;
  const text = factor >= 10 ? String(Math.round(factor)) : factor.toFixed(1);
  if (higherIsBetter(unit)) return `${text}x ${ratio > 1 ? 'more' : 'fewer'} ${unit}`;
  return `${text}x ${ratio < 1 ? 'faster' : 'slower'}`;
}

/** Three significant digits with thousands separators, e.g. `13,700`, `465`, `0.0337`. */
function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(3));
  return Math.abs(rounded) >= 1000 ? Math.round(rounded).toLocaleString('en-US') : String(rounded);
}

/** The reference subject a spanwire subject was measured against, by the bench scripts' naming. */
function referenceSubjectOf(subject: string, ratioName: string | null): string | null {
  if (subject === 'encode spanwire') return 'encode official';
  const gzip = /^gzip spanwire level \d+$/.exec(subject);
  if (gzip !== null) {
    const level = /zlib L(\d+)/.exec(ratioName ?? '')?.[1] ?? '1';
    return `gzip node:zlib level ${level}`;
  }
  const lifecycle = /^(.+) spanwire$/.exec(subject);
  if (lifecycle !== null) return `${lifecycle[1]} official`;
  const e2e = /^spanwire-(\w+)$/.exec(subject);
  if (e2e !== null) return `official-${e2e[1]}`;
  return null;
}

/** `<= 0.05`, `>= 500000`, `<= 50 ns`: the bound and what follows it; null when the text is not a bound. */
const TARGET_BOUND = /^\s*(?:<=|>=|<|>|=)?\s*([0-9.eE+-]+)\s*(.*)$/;

/**
 * Whether a row's target bounds its ratio. Targets with a unit suffix (`<= 50 ns`) or on a throughput row are
 * absolute; a bare number on a row with a ratio (`<= 0.05`) bounds the ratio (the codec and lifecycle scripts).
 */
function isRatioTarget(row: SummaryRow): boolean {
  const parsed = TARGET_BOUND.exec(row.target ?? '');
  return parsed !== null && parsed[2]!.trim() === '' && !higherIsBetter(row.unit) && row.ratioVsOfficial !== null;
}

/** A row's target in the row's unit: a ratio bound is scaled by the reference value; null when unreadable. */
function targetValueOf(row: SummaryRow, referenceValue: number | null): number | null {
  const parsed = TARGET_BOUND.exec(row.target ?? '');
  if (parsed === null) return null;
  const bound = Number(parsed[1]);
  if (!Number.isFinite(bound)) return null;
  if (!isRatioTarget(row)) return bound;
  return referenceValue === null ? null : bound * referenceValue;
}

/** The bar pairs of one scenario: every summary row that has a ratio or a known reference row. */
export function chartGroupsOf(scenario: ScenarioReport): ChartGroup[] {
  const groups: ChartGroup[] = [];
  for (const row of scenario.summary) {
    if (row.unit === '') continue;
    const reference = referenceSubjectOf(row.subject, row.ratioName);
    if (reference === null) continue;
    const referenceRow = scenario.summary.find((r) => r.subject === reference);
    if (referenceRow === undefined && row.ratioVsOfficial === null) continue;
    let referenceValue = referenceRow?.median ?? null;
    let referenceDerived = false;
    if (referenceValue === null && row.median !== null && row.ratioVsOfficial !== null && row.ratioVsOfficial > 0) {
      referenceValue = row.median / row.ratioVsOfficial;
      referenceDerived = true;
    }
    groups.push({
      scenario: scenario.name, subject: row.subject, reference, unit: row.unit, value: row.median,
      referenceValue, referenceDerived, ratio: row.ratioVsOfficial,
      targetValue: targetValueOf(row, referenceValue), targetText: row.target,
      targetIsRatio: isRatioTarget(row), met: row.met,
    });
  }
  return groups;
}

/** `<text>` with escaped content; `attrs` are trusted attribute text built here. */
function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs === '' ? '' : ` ${attrs}`}>${escapeXml(content)}</text>`;
}

/** Rounds counted per scenario (scripts write `options.rounds`, e2e `settings.rounds`), distinct, sorted. */
function roundsOf(report: BenchReport): number[] {
  if (report.options.rounds !== null) return [report.options.rounds];
  const found = new Set<number>();
  for (const s of report.scenarios) {
    const results = s.results as { options?: { rounds?: unknown }; settings?: { rounds?: unknown } } | null;
    const rounds = results?.options?.rounds ?? results?.settings?.rounds;
    if (s.ran && typeof rounds === 'number') found.add(rounds);
  }
  return [...found].sort((a, b) => a - b);
}

/** Short bar label for a reference subject: `official`, `node:zlib L1`. */
function barLabelOf(reference: string): string {
  if (reference.includes('official')) return 'official';
  const zlib = /zlib level (\d+)/.exec(reference);
  return zlib === null ? reference : `node:zlib L${zlib[1]}`;
}

/** The SVG of one bar pair, its top edge at `y`. */
function groupSvg(group: ChartGroup, y: number): string {
  const out: string[] = [];
  const scale = Math.max(group.value ?? 0, group.referenceValue ?? 0, group.targetValue ?? 0);
  const widthOf = (value: number | null): number => (value === null || scale <= 0 ? 0 : (value / scale) * BAR_MAX_W);
  const ratioText = group.ratio === null ? '' : `${ratioWording(group.ratio, group.unit)} ` +
    `(ratio ${formatValue(group.ratio)})`;
  out.push(text(MARGIN, y + 14, `${group.scenario}: ${group.subject} vs ${group.reference}`,
    `font-weight="600" fill="${INK}"`));
  if (ratioText !== '') {
    out.push(text(WIDTH - MARGIN, y + 14, ratioText, `text-anchor="end" font-weight="600" fill="${INK}"`));
  }
  const bars: [string, number | null, string, string][] = [
    ['spanwire', group.value, SPANWIRE_FILL, ''],
    [`${barLabelOf(group.reference)}${group.referenceDerived ? ' (est.)' : ''}`, group.referenceValue,
      REFERENCE_FILL, ''],
  ];
  bars.forEach(([label, value, fill], i) => {
    const barY = y + 24 + i * (BAR_H + 6);
    out.push(text(BAR_X - 8, barY + 13, label.length > 22 ? `${label.slice(0, 21)}…` : label,
      `text-anchor="end" fill="${MUTED}"`));
    const w = widthOf(value);
    out.push(`<rect x="${BAR_X}" y="${barY}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${fill}" rx="2">` +
      `<title>${escapeXml(`${label}: ${value === null ? 'no value' : `${formatValue(value)} ${group.unit}`}`)}` +
      '</title></rect>');
    out.push(text(BAR_X + w + 6, barY + 13, value === null ? 'no value' : `${formatValue(value)} ${group.unit}`,
      `fill="${INK}"`));
  });
  if (group.targetValue !== null && group.targetText !== null) {
    const x = BAR_X + widthOf(group.targetValue);
    const mark = group.met === null ? '' : group.met ? ' ✓ met' : ' ✗ missed';
    out.push(`<line x1="${x.toFixed(1)}" y1="${y + 20}" x2="${x.toFixed(1)}" y2="${y + 24 + 2 * BAR_H + 10}" ` +
      `stroke="${INK}" stroke-width="2" stroke-dasharray="4 3"/>`);
    out.push(text(BAR_X, y + 24 + 2 * BAR_H + 22,
      `target ${group.targetText}${group.targetIsRatio ? `x ${barLabelOf(group.reference)}`
        : /\d$/.test(group.targetText) ? ` ${group.unit}` : ''} (dashed line)${mark}`, `fill="${MUTED}" font-size="12"`));
  }
  return out.join('\n');
}

/**
 * The bench report as one SVG document: title (spanwire and Node versions, date), a bar pair per metric with a
 * reference counterpart, a status line for each scenario that did not run, and a footnote. Width 800 (viewBox).
 */
export function renderSvg(report: BenchReport, options: SvgChartOptions): string {
  const body: string[] = [];
  let y = 58;
  for (const scenario of report.scenarios) {
    const groups = chartGroupsOf(scenario);
    if (!scenario.ran) {
      // A scenario stopped midway is drawn from the rounds it finished (its summary), under this status line.
      const drawn = groups.length > 0 ? ' (bars: medians of the rounds that finished)' : ', no results';
      const status = scenario.partial ? `PARTIAL: ${scenario.error ?? 'interrupted'}${drawn}`
        : `NOT RUN: ${scenario.error ?? 'unknown'}${groups.length > 0 ? drawn : ''}`;
      body.push(text(MARGIN, y + 16, `${scenario.name}: ${status}`, `fill="${MUTED}" font-style="italic"`));
      y += 30;
    } else if (groups.length === 0) {
      body.push(text(MARGIN, y + 16, `${scenario.name}: no metric with a reference counterpart`,
        `fill="${MUTED}" font-style="italic"`));
      y += 30;
    }
    for (const group of groups) {
      body.push(groupSvg(group, y));
      y += GROUP_H;
    }
  }
  const rounds = roundsOf(report);
  const roundsText = rounds.length === 0 ? 'medians of rounds'
    : `medians of ${rounds.length === 1 ? rounds[0] : `${rounds[0]}-${rounds[rounds.length - 1]}`} rounds`;
  const machine = options.cpuCount === null ? 'shared machine' : `shared ${options.cpuCount}-core machine`;
  const footnotes = [
    `${machine}; ${roundsText}; ratios, not absolute times.`,
    'ratio = median of same-round ratios spanwire / reference.',
    'Times (ns/span): the shorter bar is better. Throughput (spans/s): the longer bar is better.',
  ];
  if (report.options.quick) footnotes.push('--quick: a smoke run, not a measurement.');
  if (report.partial) {
    footnotes.push('PARTIAL: interrupted (Ctrl-C or SIGTERM); an interrupted scenario shows the rounds it finished.');
  }
  y += 10;
  for (const note of footnotes) {
    body.push(text(MARGIN, y + 12, note, `fill="${MUTED}" font-size="12"`));
    y += 18;
  }
  const height = y + MARGIN;
  const title = `spanwire ${report.spanwire} vs OpenTelemetry JS SDK — Node ${report.node}, ` +
    `${options.date.toISOString().slice(0, 10)}`;
  const legendY = 46;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="${FONT}" font-size="13" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(MARGIN, 26, title, `font-size="17" font-weight="700" fill="${INK}"`),
    `<rect x="${MARGIN}" y="${legendY - 10}" width="12" height="12" fill="${SPANWIRE_FILL}"/>`,
    text(MARGIN + 18, legendY, 'spanwire', `fill="${INK}"`),
    `<rect x="${MARGIN + 90}" y="${legendY - 10}" width="12" height="12" fill="${REFERENCE_FILL}"/>`,
    text(MARGIN + 108, legendY, 'reference (official SDK, node:zlib)', `fill="${INK}"`),
    report.partial ? text(WIDTH - MARGIN, legendY, 'PARTIAL: interrupted', `text-anchor="end" font-weight="700" ` +
      `fill="${INK}"`) : '',
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
