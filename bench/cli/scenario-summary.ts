// Pulls the headline rows (subject, median, same-round ratio vs the reference, target met) out of one bench
// script's --json document. Read-only over untyped JSON: it must never throw on a field it does not find.
import type { ScenarioName } from './parse-args.js';

/** One row of the summary: a measured subject, or a DESIGN.md target no subject row carries. */
export interface SummaryRow {
  /** Subject name as the script reports it, or the target's description for a target-only row. */
  subject: string;
  /** Median over rounds in `unit`; null when the script did not report it. */
  median: number | null;
  /** `ns/span`, `spans/s`, or '' for a target-only row (its unit is in `subject`). */
  unit: string;
  /** Median of same-round ratios spanwire / reference; null when the row has none. */
  ratioVsOfficial: number | null;
  /** The script's name for that ratio (says what the reference is); null with ratioVsOfficial. */
  ratioName: string | null;
  /** The DESIGN.md target as the script states it (e.g. `<= 0.05`), or null. */
  target: string | null;
  /** Whether the script judged the target met; null when the row has no target. */
  met: boolean | null;
}

/** A target entry as every bench script writes it (`targets: [{ what, value, target, met, unit? }]`). */
interface TargetEntry {
  what: string;
  value: number;
  target: number | string;
  met: boolean;
  unit: string;
}

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(doc: Json, key: string): Json[] {
  const value = doc[key];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `entry[spreadKey].median`, the shape of bench-stats' Spread. */
function medianOf(entry: Json, spreadKey: string): number | null {
  const spread = entry[spreadKey];
  return isObject(spread) ? numberOr(spread['median']) : null;
}

function targetsOf(doc: Json): TargetEntry[] {
  return arrayOf(doc, 'targets').flatMap((t) => {
    const target = t['target'];
    if (typeof t['what'] !== 'string' || typeof t['met'] !== 'boolean') return [];
    if (typeof target !== 'number' && typeof target !== 'string') return [];
    return [{
      what: t['what'], value: numberOr(t['value']) ?? NaN, target, met: t['met'],
      unit: typeof t['unit'] === 'string' ? t['unit'] : '',
    }];
  });
}

/** How a target reads in the table: scripts give strings (`>= 500000`) or numeric upper bounds. */
function targetText(t: TargetEntry): string {
  return typeof t.target === 'string' ? t.target : `<= ${formatCompact(t.target)}${t.unit}`;
}

/** Three significant digits, like bench-stats' formatNumber, for the target column. */
function formatCompact(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(3))) : String(value);
}

/** Per scenario: where its subjects live, their unit, and how a subject maps to its ratio and target. */
interface ScenarioShape {
  subjectsKey: string;
  nameKey: string;
  spreadKey: string;
  unit: string;
  /** Ratio name for a subject, or null when it is not a spanwire subject. */
  ratioName(subject: string): string | null;
  /** Prefix of the target description that belongs to a subject, or null. */
  targetPrefix(subject: string): string | null;
}

const SHAPES: Record<ScenarioName, ScenarioShape> = {
  codec: {
    subjectsKey: 'subjects', nameKey: 'name', spreadKey: 'nsPerUnit', unit: 'ns/span',
    ratioName: (subject) => {
      if (subject === 'encode spanwire') return 'encode time spanwire / official';
      const level = /^gzip spanwire level (\d+)$/.exec(subject);
      return level === null ? null : `gzip time spanwire L${level[1]} / zlib L1`;
    },
    targetPrefix(subject) {
      return this.ratioName(subject);
    },
  },
  lifecycle: {
    subjectsKey: 'spanCalls', nameKey: 'name', spreadKey: 'nsPerUnit', unit: 'ns/span',
    ratioName: (subject) => {
      const kind = /^(recorded|never-sampled) spanwire$/.exec(subject);
      return kind === null ? null : `${kind[1]} span calls spanwire / official`;
    },
    targetPrefix: (subject) => {
      const kind = /^(recorded|never-sampled) spanwire$/.exec(subject);
      return kind === null ? null : `${kind[1]} span calls spanwire`;
    },
  },
  e2e: {
    subjectsKey: 'summaries', nameKey: 'subject', spreadKey: 'deliveredSpansPerS', unit: 'spans/s',
    ratioName: (subject) => {
      const protocol = /^spanwire-(\w+)$/.exec(subject);
      return protocol === null ? null : `${subject} / official-${protocol[1]}: delivered spans/s`;
    },
    targetPrefix: (subject) => (subject === 'spanwire-http' ? 'spanwire OTLP/HTTP+gzip delivered spans/s' : null),
  },
};

/** Where a scenario's document keeps its subjects: the list, each entry's name and its median spread. */
export function subjectKeysOf(name: ScenarioName): { subjectsKey: string; nameKey: string; spreadKey: string } {
  const { subjectsKey, nameKey, spreadKey } = SHAPES[name];
  return { subjectsKey, nameKey, spreadKey };
}

/**
 * Summary rows for one scenario's --json document: one per subject (in the script's order), then one per
 * target that no subject row carries. Unknown or malformed documents give the rows that could be read.
 */
export function summarizeScenario(name: ScenarioName, results: unknown): SummaryRow[] {
  if (!isObject(results)) return [];
  const shape = SHAPES[name];
  const ratios = arrayOf(results, 'ratios');
  const targets = targetsOf(results);
  const used = new Set<TargetEntry>();
  const rows: SummaryRow[] = arrayOf(results, shape.subjectsKey).map((entry) => {
    const subject = typeof entry[shape.nameKey] === 'string' ? (entry[shape.nameKey] as string) : '?';
    const ratioName = shape.ratioName(subject);
    const ratio = ratioName === null ? undefined : ratios.find((r) => r['name'] === ratioName);
    const prefix = shape.targetPrefix(subject);
    const target = prefix === null ? undefined : targets.find((t) => !used.has(t) && t.what.startsWith(prefix));
    if (target !== undefined) used.add(target);
    return {
      subject,
      median: medianOf(entry, shape.spreadKey),
      unit: shape.unit,
      ratioVsOfficial: ratio === undefined ? null : medianOf(ratio, 'ratio'),
      ratioName: ratio === undefined ? null : ratioName,
      target: target === undefined ? null : targetText(target),
      met: target === undefined ? null : target.met,
    };
  });
  for (const t of targets) {
    if (used.has(t)) continue;
    rows.push({
      subject: t.what, median: Number.isNaN(t.value) ? null : t.value, unit: '', ratioVsOfficial: null,
      ratioName: null, target: targetText(t), met: t.met,
    });
  }
  return rows;
}

/** The script's `warnings: string[]`, if any. */
export function warningsOf(results: unknown): string[] {
  if (!isObject(results) || !Array.isArray(results['warnings'])) return [];
  return results['warnings'].filter((w): w is string => typeof w === 'string');
}
