// Tests bench/cli/svg-chart.ts (`spanwire bench --svg`): well-formed XML by an independent tag-balance checker,
// every metric of the summary drawn, text escaped, direction-aware ratio wording, partial runs marked.
// Pure function tests: no process, no file system (the end-to-end --svg run is in cli.test.ts).
import { describe, expect, it } from 'vitest';
import { partialResultsOf } from '../bench/cli/partial-results.js';
import type { BenchReport } from '../bench/cli/report-format.js';
import { notRunReport, scenarioReportOf } from '../bench/cli/report-format.js';
import { chartGroupsOf, escapeXml, ratioWording, renderSvg } from '../bench/cli/svg-chart.js';
import { roundMessageOf } from '../bench/round-stream.js';

const OPTIONS = { date: new Date('2026-01-02T03:04:05Z'), cpuCount: 2 };

/**
 * Checks XML well-formedness the way a parser would for what an SVG may hold: one root element, every start tag
 * closed in order, quoted attributes without `<`, no duplicate attribute, and `&` only as a known entity.
 * Returns the element names in document order; throws on the first problem.
 */
function checkXml(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let pos = 0;
  const checkText = (text: string, where: number): void => {
    if (text.includes('<') || text.includes('>')) throw new Error(`raw < or > in text at ${where}`);
    const amp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
    if (amp !== null) throw new Error(`bare & at ${where + amp.index}`);
  };
  if (xml.startsWith('<?xml')) pos = xml.indexOf('?>') + 2;
  while (pos < xml.length) {
    const open = xml.indexOf('<', pos);
    const text = xml.slice(pos, open === -1 ? xml.length : open);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root at ${pos}`);
    checkText(text, pos);
    if (open === -1) break;
    if (xml.startsWith('<!--', open)) {
      const end = xml.indexOf('-->', open);
      if (end === -1) throw new Error('unclosed comment');
      pos = end + 3;
      continue;
    }
    // The tag ends at the first > outside quotes.
    let end = open + 1;
    let quote = '';
    for (; end < xml.length; end++) {
      const c = xml[end]!;
      if (quote !== '') {
        if (c === quote) quote = '';
        else if (c === '<') throw new Error(`< inside an attribute at ${end}`);
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    if (end >= xml.length) throw new Error(`unclosed tag at ${open}`);
    const tag = xml.slice(open + 1, end);
    pos = end + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const top = stack.pop();
      if (top !== name) throw new Error(`</${name}> closes <${top ?? 'nothing'}> at ${open}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const inner = selfClosing ? tag.slice(0, -1) : tag;
    const match = /^([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*$/.exec(inner);
    if (match === null) throw new Error(`malformed tag <${tag}> at ${open}`);
    const attributes = [...match[2]!.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)];
    const seen = new Set<string>();
    for (const a of attributes) {
      if (seen.has(a[1]!)) throw new Error(`duplicate attribute ${a[1]} in <${match[1]}>`);
      seen.add(a[1]!);
      checkText(a[2] ?? a[3] ?? '', open);
    }
    if (stack.length === 0) roots++;
    names.push(match[1]!);
    if (!selfClosing) stack.push(match[1]!);
  }
  if (stack.length !== 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}

/** The text content of every <text> element, unescaped. */
function textsOf(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&'));
}

/** Script documents in the shape each bench script writes (--json), numbers picked by hand. */
const CODEC_DOC = {
  options: { rounds: 9 },
  subjects: [
    { name: 'encode spanwire', nsPerUnit: { median: 450 } },
    { name: 'encode official', nsPerUnit: { median: 13500 } },
    { name: 'gzip spanwire level 1', nsPerUnit: { median: 1500 } },
    { name: 'gzip node:zlib level 1', nsPerUnit: { median: 1800 } },
  ],
  ratios: [
    { name: 'encode time spanwire / official', ratio: { median: 1 / 30 } },
    { name: 'gzip time spanwire L1 / zlib L1', ratio: { median: 0.83 } },
  ],
  targets: [
    { what: 'encode time spanwire / official', value: 0.033, target: 0.05, met: true },
    { what: 'gzip time spanwire L1 / zlib L1', value: 0.83, target: 1, met: true },
    { what: 'gzip size spanwire L1 / zlib L6', value: 1.04, target: 1.05, met: true },
  ],
};
const LIFECYCLE_DOC = {
  options: { rounds: 9 },
  spanCalls: [
    { name: 'recorded spanwire', nsPerUnit: { median: 3800 } },
    { name: 'recorded official', nsPerUnit: { median: 3500 } },
    { name: 'never-sampled spanwire', nsPerUnit: { median: 140 } },
    { name: 'never-sampled official', nsPerUnit: { median: 1000 } },
  ],
  ratios: [
    { name: 'recorded span calls spanwire / official', ratio: { median: 1.17 } },
    { name: 'never-sampled span calls spanwire / official', ratio: { median: 0.14 } },
  ],
  targets: [
    { what: 'never-sampled span calls spanwire, ns per span (median)', value: 140, target: 50, met: false, unit: ' ns' },
  ],
};
const E2E_DOC = {
  settings: { rounds: 5 },
  summaries: [
    { subject: 'spanwire-http', deliveredSpansPerS: { median: 660000 } },
    { subject: 'official-http', deliveredSpansPerS: { median: 300000 } },
    { subject: 'spanwire-grpc', deliveredSpansPerS: { median: 450000 } },
  ],
  ratios: [
    { name: 'spanwire-http / official-http: delivered spans/s', ratio: { median: 2.2 } },
    { name: 'spanwire-grpc / official-grpc: delivered spans/s', ratio: { median: 1.5 } },
  ],
  targets: [{ what: 'spanwire OTLP/HTTP+gzip delivered spans/s (median)', value: 660000, target: '>= 500000', met: true }],
};

function fullReport(): BenchReport {
  return {
    spanwire: '0.1.0', node: 'v20.0.0', partial: false,
    options: { quick: false, rounds: null, endpoint: null, protocol: null },
    officialSdk: { present: true, missing: [] },
    scenarios: [
      scenarioReportOf({ name: 'codec', ran: true, partial: false, durationMs: 1, results: CODEC_DOC }),
      scenarioReportOf({ name: 'lifecycle', ran: true, partial: false, durationMs: 1, results: LIFECYCLE_DOC }),
      scenarioReportOf({ name: 'e2e', ran: true, partial: false, durationMs: 1, results: E2E_DOC }),
    ],
  };
}

describe('renderSvg', () => {
  it('is one well-formed, self-contained SVG document 800 wide with a viewBox and a sans-serif font stack', () => {
    const svg = renderSvg(fullReport(), OPTIONS);
    const names = checkXml(svg);
    expect(names[0]).toBe('svg');
    expect(new Set(names)).toEqual(new Set(['svg', 'title', 'rect', 'text', 'line']));
    expect(svg).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="\d+" viewBox="0 0 800 \d+"/);
    expect(svg).toMatch(/font-family="[^"]*sans-serif"/);
    expect(svg).not.toMatch(/<script|<style|@import|href=|url\(/);
  });

  it('draws a bar pair for every metric with a reference counterpart, with values, units and targets', () => {
    const report = fullReport();
    const texts = textsOf(renderSvg(report, OPTIONS));
    for (const title of [
      'codec: encode spanwire vs encode official', 'codec: gzip spanwire level 1 vs gzip node:zlib level 1',
      'lifecycle: recorded spanwire vs recorded official', 'lifecycle: never-sampled spanwire vs never-sampled official',
      'e2e: spanwire-http vs official-http', 'e2e: spanwire-grpc vs official-grpc',
    ]) expect(texts).toContain(title);
    expect(texts).toContain('450 ns/span');
    expect(texts).toContain('13,500 ns/span');
    expect(texts).toContain('660,000 spans/s');
    expect(texts).toContain('300,000 spans/s');
    // official-grpc is missing from the document: its bar is estimated from the ratio, and says so.
    expect(texts).toContain('official (est.)');
    expect(texts).toContain('300,000 spans/s');
    expect(texts).toContain('target <= 0.05x official (dashed line) ✓ met');
    expect(texts).toContain('target <= 50 ns (dashed line) ✗ missed');
    expect(texts).toContain('target >= 500000 spans/s (dashed line) ✓ met');
    expect(texts[0]).toBe('spanwire 0.1.0 vs OpenTelemetry JS SDK — Node v20.0.0, 2026-01-02');
    expect(texts).toContain('shared 2-core machine; medians of 5-9 rounds; ratios, not absolute times.');
    // Every summary row with a ratio is a group; rows without a reference (size ratios) are not drawn as bars.
    const groups = report.scenarios.flatMap(chartGroupsOf);
    expect(groups.map((g) => g.subject)).toEqual(report.scenarios.flatMap((s) => s.summary)
      .filter((r) => r.ratioVsOfficial !== null).map((r) => r.subject));
  });

  it('words ratios by direction: lower is better for times, higher for throughput', () => {
    expect(ratioWording(1 / 30, 'ns/span')).toBe('30x faster');
    expect(ratioWording(1.17, 'ns/span')).toBe('1.2x slower');
    expect(ratioWording(2.2, 'spans/s')).toBe('2.2x more spans/s');
    expect(ratioWording(0.5, 'spans/s')).toBe('2.0x fewer spans/s');
    expect(ratioWording(1.01, 'ns/span')).toBe('about the same');
    const texts = textsOf(renderSvg(fullReport(), OPTIONS));
    expect(texts).toContain('30x faster (ratio 0.0333)');
    expect(texts).toContain('2.2x more spans/s (ratio 2.2)');
    expect(texts).toContain('1.2x slower (ratio 1.17)');
  });

  it('escapes <&>" and quotes in every label, error text and version included', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    const report = fullReport();
    report.spanwire = '0.1.0-<beta>&"x"';
    report.node = "v20 <'&'>";
    report.scenarios[1] = notRunReport('lifecycle', 'exit <1> & "boom"', false);
    report.scenarios[0]!.summary[0]!.subject = 'encode spanwire';
    report.scenarios[0]!.summary[0]!.target = '<= 0.05 "&<x>"';
    const svg = renderSvg(report, OPTIONS);
    checkXml(svg);
    const texts = textsOf(svg);
    expect(texts[0]).toBe(`spanwire 0.1.0-<beta>&"x" vs OpenTelemetry JS SDK — Node v20 <'&'>, 2026-01-02`);
    expect(texts).toContain('lifecycle: NOT RUN: exit <1> & "boom"');
    expect(texts.some((t) => t.startsWith('target <= 0.05 "&<x>"'))).toBe(true);
    expect(svg).toContain('aria-label="spanwire 0.1.0-&lt;beta&gt;&amp;&quot;x&quot;');
  });

  it('draws what finished of a partial run and marks it partial', () => {
    const report = fullReport();
    report.partial = true;
    report.scenarios[1] = notRunReport('lifecycle', 'interrupted before it finished', true);
    report.scenarios[2] = notRunReport('e2e', 'not started: interrupted', false);
    const svg = renderSvg(report, OPTIONS);
    checkXml(svg);
    const texts = textsOf(svg);
    expect(texts).toContain('PARTIAL: interrupted');
    expect(texts).toContain('lifecycle: PARTIAL: interrupted before it finished, no results');
    expect(texts).toContain('e2e: NOT RUN: not started: interrupted');
    expect(texts).toContain('codec: encode spanwire vs encode official');
    expect(texts).not.toContain('e2e: spanwire-http vs official-http');
    expect(texts).toContain('shared 2-core machine; medians of 9 rounds; ratios, not absolute times.');
  });

  it('draws an interrupted scenario from the rounds it finished, under its status line', () => {
    const report = fullReport();
    report.partial = true;
    const rounds = [0, 1].map((round) => roundMessageOf('e2e', round, 5, 'spans/s',
      { 'spanwire-http': 90_000 + round, 'official-http': 30_000 }, [
        ['spanwire-http / official-http: delivered spans/s', 'spanwire-http', 'official-http'],
      ]));
    report.scenarios[2] = scenarioReportOf({
      name: 'e2e', ran: false, partial: true, durationMs: 1, results: partialResultsOf('e2e', rounds),
      error: 'interrupted after 2 of 5 rounds',
    });
    const svg = renderSvg(report, OPTIONS);
    checkXml(svg);
    const texts = textsOf(svg);
    expect(texts).toContain('e2e: PARTIAL: interrupted after 2 of 5 rounds (bars: medians of the rounds that finished)');
    expect(texts).toContain('e2e: spanwire-http vs official-http');
    expect(texts).toContain('PARTIAL: interrupted (Ctrl-C or SIGTERM); an interrupted scenario shows the rounds it finished.');
  });

  it('still renders well-formed XML for an empty or malformed report', () => {
    const report = fullReport();
    report.scenarios = [scenarioReportOf({ name: 'codec', ran: true, partial: false, durationMs: 1, results: {} })];
    const svg = renderSvg(report, { date: OPTIONS.date, cpuCount: null });
    checkXml(svg);
    expect(textsOf(svg)).toContain('codec: no metric with a reference counterpart');
    expect(textsOf(svg)).toContain('shared machine; medians of rounds; ratios, not absolute times.');
  });

  it('the tag-balance checker rejects what a parser would', () => {
    expect(() => checkXml('<svg><text>a</svg>')).toThrow(/closes/);
    expect(() => checkXml('<svg><text>a & b</text></svg>')).toThrow(/bare &/);
    expect(() => checkXml('<svg a="1" a="2"/>')).toThrow(/duplicate/);
    expect(() => checkXml('<svg><text>1 < 2</text></svg>')).toThrow();
    expect(() => checkXml('<svg/><svg/>')).toThrow(/2 root/);
    expect(checkXml('<?xml version="1.0"?>\n<svg><g x="&amp;"/></svg>\n')).toEqual(['svg', 'g']);
  });
});
