// Tests the `spanwire` command (bench/cli/): the argument parser and report formatters directly, then the compiled
// entry as a process: --help, exit code 2 on bad usage, one well-formed --json document (bench and load), and Ctrl-C.
// It never asserts on a time; the process tests compile the project with tsc first (about 10-20 s).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkOfficialPackages, missingFor, OFFICIAL_PACKAGES } from '../bench/cli/official-packages.js';
import type { LoadReport } from '../bench/cli/load-command.js';
import { loadExitCodeOf } from '../bench/cli/load-command.js';
import {
  DEFAULT_LOAD_DURATION_S, DEFAULT_LOAD_RATE, parseCommandLine, SCENARIOS, UsageError,
} from '../bench/cli/parse-args.js';
import { Progress } from '../bench/cli/progress.js';
import type { BenchReport } from '../bench/cli/report-format.js';
import {
  alignTable, exitCodeOf, notRunReport, renderJson, renderMarkdown, renderText, scenarioReportOf,
} from '../bench/cli/report-format.js';
import { childArgsOf } from '../bench/cli/run-scenario.js';
import { summarizeScenario } from '../bench/cli/scenario-summary.js';
import { FakeGrpcReceiver, FakeHttpReceiver } from './support/otlp-fake-receiver.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/bench/cli/spanwire.js');

/** The parse of `argv`, or the UsageError it throws. */
function usageErrorOf(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('defaults bench to every scenario, text output, the scripts\' own rounds', () => {
    expect(parseCommandLine(['bench'])).toEqual({
      kind: 'bench', scenarios: [...SCENARIOS], quick: false, rounds: null, format: 'text', svgFile: null,
      endpoint: null, protocol: null,
    });
  });

  it('reads --scenario as a name, all, a comma list, repeated, or --scenario=…, in canonical order', () => {
    const scenariosOf = (argv: string[]): unknown => {
      const command = parseCommandLine(['bench', ...argv]);
      return command.kind === 'bench' ? command.scenarios : command;
    };
    expect(scenariosOf(['--scenario', 'codec'])).toEqual(['codec']);
    expect(scenariosOf(['--scenario=all'])).toEqual(['codec', 'lifecycle', 'e2e']);
    expect(scenariosOf(['-s', 'e2e,codec'])).toEqual(['codec', 'e2e']);
    expect(scenariosOf(['--scenario', 'e2e', '--scenario', 'lifecycle', '-s', 'e2e'])).toEqual(['lifecycle', 'e2e']);
  });

  it('reads --quick, --rounds N, --json and --markdown', () => {
    expect(parseCommandLine(['bench', '--quick', '--rounds', '3', '--json'])).toEqual({
      kind: 'bench', scenarios: [...SCENARIOS], quick: true, rounds: 3, format: 'json', svgFile: null,
      endpoint: null, protocol: null,
    });
    expect(parseCommandLine(['bench', '--rounds=7', '--markdown'])).toMatchObject({ rounds: 7, format: 'markdown' });
  });

  it('reads --svg FILE and --svg=FILE alongside the text, --json or --markdown output', () => {
    expect(parseCommandLine(['bench', '--svg', 'out.svg'])).toMatchObject({ svgFile: 'out.svg', format: 'text' });
    expect(parseCommandLine(['bench', '--json', '--svg=a b.svg'])).toMatchObject({ svgFile: 'a b.svg', format: 'json' });
    expect(parseCommandLine(['bench', '--svg', 'x.svg', '--markdown'])).toMatchObject({ format: 'markdown' });
  });

  it('reads --endpoint URL and --protocol for the e2e scenario; an endpoint alone means OTLP/HTTP', () => {
    expect(parseCommandLine(['bench', '--endpoint', 'http://127.0.0.1:4318/v1/traces'])).toMatchObject({
      scenarios: [...SCENARIOS], endpoint: 'http://127.0.0.1:4318/v1/traces', protocol: 'http',
    });
    expect(parseCommandLine(['bench', '-s', 'e2e', '--endpoint=https://collector:4317', '--protocol', 'grpc']))
      .toMatchObject({ scenarios: ['e2e'], endpoint: 'https://collector:4317', protocol: 'grpc' });
    expect(parseCommandLine(['bench', '--protocol=grpc', '-s', 'codec,e2e'])).toMatchObject({
      scenarios: ['codec', 'e2e'], endpoint: null, protocol: 'grpc',
    });
  });

  it('answers help in every spelling', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', topic: null });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help', topic: null });
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help', topic: null });
    expect(parseCommandLine(['help', 'bench'])).toEqual({ kind: 'help', topic: 'bench' });
    expect(parseCommandLine(['bench', '--quick', '--help'])).toEqual({ kind: 'help', topic: 'bench' });
    expect(parseCommandLine(['bench', '-h', '--bogus'])).toEqual({ kind: 'help', topic: 'bench' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });

  it('rejects bad command lines with a UsageError naming the problem', () => {
    const cases: [string[], RegExp, 'bench' | null][] = [
      [[], /missing command/, null],
      [['frobnicate'], /unknown command 'frobnicate'/, null],
      [['--bogus'], /unknown option '--bogus'/, null],
      [['help', 'nope'], /no help topic 'nope'/, null],
      [['bench', '--bogus'], /unknown option '--bogus' for 'spanwire bench'/, 'bench'],
      [['bench', 'codec'], /unexpected argument 'codec'/, 'bench'],
      [['bench', '--scenario', 'gzip'], /unknown scenario 'gzip'/, 'bench'],
      [['bench', '--scenario'], /--scenario needs a value/, 'bench'],
      [['bench', '--scenario', '--quick'], /--scenario needs a value/, 'bench'],
      [['bench', '--rounds', '0'], /positive integer, got '0'/, 'bench'],
      [['bench', '--rounds', '2.5'], /positive integer/, 'bench'],
      [['bench', '--rounds=abc'], /positive integer/, 'bench'],
      [['bench', '--quick=yes'], /--quick takes no value/, 'bench'],
      [['bench', '--json', '--markdown'], /cannot be combined/, 'bench'],
      [['bench', '--svg'], /--svg needs a value/, 'bench'],
      [['bench', '--svg', '--quick'], /--svg needs a value/, 'bench'],
      [['bench', '--svg='], /--svg needs a file name/, 'bench'],
      [['bench', '--endpoint'], /--endpoint needs a value/, 'bench'],
      [['bench', '--endpoint', 'collector:4318'], /http: or https: URL, got 'collector:4318'/, 'bench'],
      [['bench', '--endpoint', 'not a url'], /--endpoint needs a URL/, 'bench'],
      [['bench', '--endpoint', 'http://127.0.0.1:4318'], /full URL with its path, e\.g\. http:\/\/127/, 'bench'],
      [['bench', '--endpoint', 'http://127.0.0.1:4317/v1/traces', '--protocol', 'grpc'], /without a path/, 'bench'],
      [['bench', '--protocol', 'udp'], /--protocol must be http or grpc, got 'udp'/, 'bench'],
      [['bench', '-s', 'codec', '--endpoint', 'http://h:4318/v1/traces'], /--endpoint applies to the e2e scenario/,
        'bench'],
      [['bench', '-s', 'codec,lifecycle', '--protocol', 'grpc'], /--protocol applies to the e2e scenario/, 'bench'],
    ];
    for (const [argv, message, topic] of cases) {
      const error = usageErrorOf(argv);
      expect(error.message, argv.join(' ')).toMatch(message);
      expect(error.topic, argv.join(' ')).toBe(topic);
    }
  });
});

describe('parseCommandLine: load', () => {
  it('defaults to the default rate over OTLP/HTTP to the embedded sink for the default duration, text output', () => {
    expect(parseCommandLine(['load'])).toEqual({
      kind: 'load', rateSpansPerS: DEFAULT_LOAD_RATE, durationS: DEFAULT_LOAD_DURATION_S, protocol: 'http',
      endpoint: null, format: 'text',
    });
  });

  it('reads --rate, --max, --duration, --protocol, --endpoint and --json, with --flag=value too', () => {
    expect(parseCommandLine(['load', '--rate', '2000', '--duration=2.5', '--protocol', 'grpc', '--json'])).toEqual({
      kind: 'load', rateSpansPerS: 2000, durationS: 2.5, protocol: 'grpc', endpoint: null, format: 'json',
    });
    expect(parseCommandLine(['load', '--max', '--endpoint', 'http://127.0.0.1:4318/v1/traces'])).toMatchObject({
      rateSpansPerS: null, endpoint: 'http://127.0.0.1:4318/v1/traces',
    });
    expect(parseCommandLine(['load', '--json', '--help'])).toEqual({ kind: 'help', topic: 'load' });
    expect(parseCommandLine(['help', 'load'])).toEqual({ kind: 'help', topic: 'load' });
  });

  it('rejects bad load flags with a UsageError pointing at load', () => {
    const cases: [string[], RegExp][] = [
      [['load', '--bogus'], /unknown option '--bogus' for 'spanwire load'/],
      [['load', 'fast'], /unexpected argument 'fast' for 'spanwire load'/],
      [['load', '--rate'], /--rate needs a value/],
      [['load', '--rate', '0'], /positive number, got '0'/],
      [['load', '--rate=abc'], /positive number/],
      [['load', '--duration', '-1'], /--duration needs a value/],
      [['load', '--duration', '1e3'], /positive number/],
      [['load', '--rate', '10', '--max'], /cannot be combined/],
      [['load', '--max=yes'], /--max takes no value/],
      [['load', '--protocol', 'udp'], /http or grpc, got 'udp'/],
      [['load', '--endpoint', 'not a url'], /needs a URL/],
      [['load', '--endpoint', 'ftp://127.0.0.1/'], /http: or https:/],
      [['load', '--endpoint', 'http://collector:4318'], /OTLP\/HTTP is the full URL with its path/],
      [['load', '--protocol', 'grpc', '--endpoint', 'http://collector:4317/v1/traces'], /gRPC is http:\/\/host:port/],
    ];
    for (const [argv, message] of cases) {
      const error = usageErrorOf(argv);
      expect(error.message, argv.join(' ')).toMatch(message);
      expect(error.topic, argv.join(' ')).toBe('load');
    }
  });
});

describe('loadExitCodeOf', () => {
  const clean = {
    partial: false, droppedTotal: 0, unflushed: 0, sinkMatchesExported: true as boolean | null,
  } as Omit<LoadReport, 'exitCode'>;
  it('is 0 when nothing was lost, 1 for drops, leftovers or a sink mismatch, 130 when interrupted', () => {
    expect(loadExitCodeOf(clean)).toBe(0);
    expect(loadExitCodeOf({ ...clean, sinkMatchesExported: null })).toBe(0);
    expect(loadExitCodeOf({ ...clean, droppedTotal: 1 })).toBe(1);
    expect(loadExitCodeOf({ ...clean, unflushed: 4 })).toBe(1);
    expect(loadExitCodeOf({ ...clean, sinkMatchesExported: false })).toBe(1);
    expect(loadExitCodeOf({ ...clean, partial: true, droppedTotal: 1 })).toBe(130);
  });
});

describe('childArgsOf', () => {
  it('always asks the script for --json and passes --quick and --rounds through', () => {
    const args = childArgsOf('lifecycle', { quick: true, rounds: 4, endpoint: null, protocol: null });
    expect(args[0]).toMatch(/bench[\\/]lifecycle-bench\.js$/);
    expect(args.slice(1)).toEqual(['--json', '--quick', '--rounds', '4']);
    expect(childArgsOf('codec', { quick: false, rounds: null, endpoint: null, protocol: null }).slice(1))
      .toEqual(['--json']);
  });

  it('passes --endpoint and --protocol to the e2e script only', () => {
    const flags = { quick: false, rounds: null, endpoint: 'http://h:4317', protocol: 'grpc' as const };
    expect(childArgsOf('e2e', flags).slice(1)).toEqual(['--json', '--endpoint', 'http://h:4317', '--protocol', 'grpc']);
    expect(childArgsOf('codec', flags).slice(1)).toEqual(['--json']);
    expect(childArgsOf('e2e', { ...flags, endpoint: null, protocol: 'http' }).slice(1))
      .toEqual(['--json', '--protocol', 'http']);
  });
});

describe('checkOfficialPackages', () => {
  it('finds the devDependencies present', async () => {
    expect(await checkOfficialPackages(['codec'])).toEqual({ present: true, missing: [], reasons: {} });
  });

  it('names each package that fails to load, once, and which scenarios need it', async () => {
    const tried: string[] = [];
    const status = await checkOfficialPackages([...SCENARIOS], async (name) => {
      tried.push(name);
      if (name.includes('exporter-trace-otlp-grpc')) throw new Error("Cannot find package 'x'\nstack");
    });
    expect(new Set(tried).size).toBe(tried.length);
    expect(tried).toEqual(expect.arrayContaining([...OFFICIAL_PACKAGES.codec, ...OFFICIAL_PACKAGES.e2e]));
    expect(status).toEqual({
      present: false, missing: ['@opentelemetry/exporter-trace-otlp-grpc'],
      reasons: { '@opentelemetry/exporter-trace-otlp-grpc': "Cannot find package 'x'" },
    });
    expect(missingFor('e2e', status)).toEqual(['@opentelemetry/exporter-trace-otlp-grpc']);
    expect(missingFor('codec', status)).toEqual([]);
  });
});

describe('Progress', () => {
  /** A stream that records what is written. */
  const recorder = (isTTY: boolean, columns?: number): { writes: string[]; isTTY: boolean; columns?: number;
    write(text: string): boolean; } => ({
    writes: [], isTTY, ...(columns === undefined ? {} : { columns }),
    write(text: string) { this.writes.push(text); return true; },
  });

  it('writes plain lines when not on a terminal', () => {
    const stream = recorder(false);
    const progress = new Progress(stream);
    progress.start('[1/2] codec');
    progress.finish('done');
    expect(stream.writes.join('')).toMatch(/^spanwire bench: \[1\/2\] codec running\nspanwire bench: \[1\/2\] codec done \(\d+\.\d s\)\n$/);
    expect(stream.writes.join('')).not.toContain('\r');
  });

  it('redraws one line on a terminal, cut to its width, and clears it when done', () => {
    const stream = recorder(true, 30);
    const progress = new Progress(stream);
    progress.start('[1/1] lifecycle');
    const live = stream.writes[0]!;
    expect(live.startsWith('\r\x1b[K')).toBe(true);
    expect(live.length - '\r\x1b[K'.length).toBe(29);
    progress.finish('interrupted');
    expect(stream.writes.slice(-2)).toEqual(['\r\x1b[K', expect.stringMatching(/lifecycle interrupted/)]);
  });
});

/** A codec --json document cut down to the fields the summary reads (numbers invented). */
const CODEC_DOC = {
  benchmark: 'codec',
  subjects: [
    { name: 'encode spanwire', nsPerUnit: { median: 400, min: 390, max: 420 } },
    { name: 'encode official', nsPerUnit: { median: 8000, min: 7900, max: 8100 } },
    { name: 'gzip spanwire level 1', nsPerUnit: { median: 1200, min: 1100, max: 1300 } },
  ],
  ratios: [
    { name: 'encode time spanwire / official', ratio: { median: 0.05, min: 0.04, max: 0.06 } },
    { name: 'gzip time spanwire L1 / zlib L1', ratio: { median: 0.9, min: 0.8, max: 1 } },
  ],
  targets: [
    { what: 'encode time spanwire / official', value: 0.05, target: 0.05, met: true },
    { what: 'gzip time spanwire L1 / zlib L1', value: 0.9, target: 1, met: true },
    { what: 'gzip size spanwire L1 / zlib L6', value: 1.1, target: 1.05, met: false },
  ],
  warnings: ['something odd'],
};

describe('summarizeScenario', () => {
  it('gives one row per subject with its ratio and target, then one per target left over', () => {
    const rows = summarizeScenario('codec', CODEC_DOC);
    expect(rows.map((r) => r.subject)).toEqual([
      'encode spanwire', 'encode official', 'gzip spanwire level 1', 'gzip size spanwire L1 / zlib L6',
    ]);
    expect(rows[0]).toEqual({
      subject: 'encode spanwire', median: 400, unit: 'ns/span', ratioVsOfficial: 0.05,
      ratioName: 'encode time spanwire / official', target: '<= 0.05', met: true,
    });
    expect(rows[1]).toMatchObject({ median: 8000, ratioVsOfficial: null, target: null, met: null });
    expect(rows[2]).toMatchObject({ ratioVsOfficial: 0.9, ratioName: 'gzip time spanwire L1 / zlib L1', met: true });
    expect(rows[3]).toMatchObject({ median: 1.1, unit: '', target: '<= 1.05', met: false });
  });

  it('reads the lifecycle and e2e shapes, string targets included', () => {
    const lifecycle = summarizeScenario('lifecycle', {
      spanCalls: [{ name: 'never-sampled spanwire', nsPerUnit: { median: 40 } }],
      ratios: [{ name: 'never-sampled span calls spanwire / official', ratio: { median: 0.03 } }],
      targets: [{ what: 'never-sampled span calls spanwire, ns per span (median)', value: 40, target: 50,
        met: true, unit: ' ns' }],
    });
    expect(lifecycle).toEqual([{ subject: 'never-sampled spanwire', median: 40, unit: 'ns/span',
      ratioVsOfficial: 0.03, ratioName: 'never-sampled span calls spanwire / official', target: '<= 50 ns',
      met: true }]);
    const e2e = summarizeScenario('e2e', {
      summaries: [{ subject: 'spanwire-http', deliveredSpansPerS: { median: 600000 } }],
      ratios: [{ name: 'spanwire-http / official-http: delivered spans/s', ratio: { median: 12 } }],
      targets: [{ what: 'spanwire OTLP/HTTP+gzip delivered spans/s (median)', value: 600000, target: '>= 500000',
        met: true }],
    });
    expect(e2e[0]).toMatchObject({ unit: 'spans/s', ratioVsOfficial: 12, target: '>= 500000', met: true });
  });

  it('returns what it can read from malformed documents and never throws', () => {
    expect(summarizeScenario('codec', null)).toEqual([]);
    expect(summarizeScenario('e2e', 'nonsense')).toEqual([]);
    expect(summarizeScenario('lifecycle', { spanCalls: [7, { name: 3 }], targets: [{ what: 1 }] })).toEqual([
      { subject: '?', median: null, unit: 'ns/span', ratioVsOfficial: null, ratioName: null, target: null,
        met: null },
    ]);
  });
});

/** A report with one finished and one interrupted scenario. */
function sampleReport(partial: boolean): BenchReport {
  return {
    spanwire: '0.1.0', node: 'v20.0.0', partial,
    options: { quick: true, rounds: null, endpoint: null, protocol: null },
    officialSdk: { present: true, missing: [] },
    scenarios: [
      scenarioReportOf({ name: 'codec', ran: true, partial: false, durationMs: 1000, results: CODEC_DOC }),
      partial ? notRunReport('lifecycle', 'interrupted before it finished', true)
        : notRunReport('lifecycle', 'exit code 1', false),
    ],
  };
}

describe('report formats', () => {
  it('text: one aligned table with a status row for a scenario that did not run, and the warnings', () => {
    const text = renderText(sampleReport(false));
    expect(text).toMatch(/^scenario +subject +median +ratio vs official +target +met$/m);
    expect(text).toMatch(/^codec +encode spanwire +400 ns\/span +0\.050x +<= 0\.05 +yes$/m);
    expect(text).toMatch(/gzip spanwire level 1 .* 0\.900x \(vs zlib L1\)/);
    expect(text).toMatch(/^lifecycle +NOT RUN: exit code 1/m);
    expect(text).toContain('WARNING (codec): something odd');
    expect(renderText(sampleReport(true))).toMatch(/PARTIAL: interrupted/);
  });

  it('markdown: a pipe table with an alignment row and escaped cells', () => {
    const md = renderMarkdown(sampleReport(false)).split('\n');
    const header = md.findIndex((l) => l.startsWith('| scenario |'));
    expect(md[header + 1]).toBe('| --- | --- | ---: | ---: | --- | :---: |');
    expect(md[header + 2]).toBe('| codec | encode spanwire | 400 ns/span | 0.050x | <= 0.05 | yes |');
    const piped = sampleReport(false);
    piped.scenarios[1] = notRunReport('lifecycle', 'bad | pipe', false);
    expect(renderMarkdown(piped)).toContain('| lifecycle | NOT RUN: bad \\| pipe | - |');
  });

  it('json: parses back to the same report, results included', () => {
    const report = sampleReport(true);
    expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('exit codes: 0 all ran, 1 one failed, 130 interrupted', () => {
    const ok = sampleReport(false);
    ok.scenarios = ok.scenarios.slice(0, 1);
    expect(exitCodeOf(ok)).toBe(0);
    expect(exitCodeOf(sampleReport(false))).toBe(1);
    expect(exitCodeOf(sampleReport(true))).toBe(130);
  });

  it('alignTable left-aligns the name columns and right-aligns the rest', () => {
    expect(alignTable(['a', 'b', 'n'], [['xx', 'y', '1'], ['x', 'yy', '10']], 2)).toBe(
      'a   b    n\n--  --  --\nxx  y    1\nx   yy  10',
    );
  });
});

/** Runs the compiled CLI to completion. */
function runCli(args: string[], timeoutMs = 30_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The compiled CLI started in the background: its output so far, and when it printed `readyText` or exited. */
interface BackgroundCli {
  child: ReturnType<typeof spawn>;
  output: { stdout: string; stderr: string };
  /** Resolves once stderr contains `readyText`, or the process exited. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startCli(args: string[], readyText: string): BackgroundCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output.stdout += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const printed = new Promise<void>((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output.stderr += chunk;
      if (output.stderr.includes(readyText)) resolve();
    });
  });
  return { child, output, ready: Promise.race([printed, exited.then(() => undefined)]), exited };
}

describe('the spanwire process', () => {
  beforeAll(() => {
    // npm test builds only the WASM (pretest); compile the TypeScript so dist/ holds this CLI and the bench scripts.
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  }, 130_000);

  it('prints help for the command and for bench, exit 0', () => {
    const main = runCli(['--help']);
    expect(main.status).toBe(0);
    expect(main.stdout).toMatch(/^Usage: spanwire <command>/);
    const bench = runCli(['bench', '--help']);
    expect(bench.status).toBe(0);
    expect(bench.stdout).toMatch(/^Usage: spanwire bench/);
    expect(bench.stdout).toContain('"scenarios"');
    expect(runCli(['help', 'bench']).stdout).toBe(bench.stdout);
  });

  it('exits 2 with a one-line reason on stderr for a bad flag or subcommand', () => {
    const flag = runCli(['bench', '--bogus']);
    expect(flag.status).toBe(2);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toContain("unknown option '--bogus' for 'spanwire bench'");
    expect(flag.stderr).toContain("Run 'spanwire bench --help'");
    const command = runCli(['frobnicate']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain("unknown command 'frobnicate'");
  });

  it('bench --scenario codec --quick --json prints one well-formed JSON document', () => {
    const run = runCli(['bench', '--scenario', 'codec', '--quick', '--json'], 60_000);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as BenchReport;
    expect(Object.keys(doc)).toEqual(['spanwire', 'node', 'partial', 'options', 'officialSdk', 'scenarios', 'pipelineFloor']);
    expect(doc.pipelineFloor).toBeNull(); // codec alone: no lifecycle floor, no e2e probe
    expect(doc).toMatchObject({
      spanwire: '0.1.0', node: process.version, partial: false,
      options: { quick: true, rounds: null, endpoint: null, protocol: null },
      officialSdk: { present: true, missing: [] },
    });
    expect(doc.scenarios).toHaveLength(1);
    const codec = doc.scenarios[0]!;
    expect(codec).toMatchObject({ name: 'codec', ran: true, partial: false, results: { benchmark: 'codec' } });
    expect(codec.error).toBeUndefined();
    expect(codec.summary.find((r) => r.subject === 'encode spanwire')).toMatchObject({
      unit: 'ns/span', ratioName: 'encode time spanwire / official',
    });
    expect(codec.summary.every((r) => r.median === null || Number.isFinite(r.median))).toBe(true);
  }, 70_000);

  it('bench --scenario codec --quick --svg FILE writes a chart with the codec bar pairs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanwire-svg-'));
    try {
      const file = join(dir, 'bench.svg');
      const run = runCli(['bench', '--scenario', 'codec', '--quick', '--svg', file], 60_000);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain(`chart written to ${file}`);
      const svg = readFileSync(file, 'utf8');
      expect(svg).toContain('<svg');
      expect(svg).toContain('codec: encode spanwire vs encode official');
      expect(svg).toContain('codec: gzip spanwire level 1 vs gzip node:zlib level 1');
      expect(svg).toMatch(/ns\/span<\/text>/);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);

  it('Ctrl-C during lifecycle after a round: stops its process group, keeps finished scenarios and rounds, exits 130',
    async () => {
      const { child, output, ready, exited } = startCli(
        ['bench', '--scenario', 'codec,lifecycle', '--quick', '--rounds', '60', '--json'], 'lifecycle round 1/60 done');
      await ready;
      // The CLI's own children (the lifecycle script), read before the signal: they must be gone afterwards.
      const childrenFile = `/proc/${child.pid}/task/${child.pid}/children`;
      const grandchildren = existsSync(childrenFile)
        ? readFileSync(childrenFile, 'utf8').trim().split(/\s+/).filter((p) => p !== '').map(Number) : [];
      if (existsSync(childrenFile)) expect(grandchildren).toHaveLength(1);
      child.kill('SIGINT');
      const code = await exited;
      expect(code, output.stderr).toBe(130);
      expect(output.stderr).toContain('lifecycle interrupted');
      const doc = JSON.parse(output.stdout) as BenchReport;
      expect(doc.partial).toBe(true);
      expect(doc.scenarios.map((s) => [s.name, s.ran, s.partial])).toEqual([['codec', true, false],
        ['lifecycle', false, true]]);
      expect(doc.scenarios[0]!.summary.length).toBeGreaterThan(0);
      // The rounds lifecycle finished before Ctrl-C, streamed as they finished, are in the partial report.
      const lifecycle = doc.scenarios[1]!;
      const results = lifecycle.results as { partial: boolean; roundsCompleted: number; roundsRequested: number;
        rounds: { round: number; values: Record<string, number> }[] };
      expect(results).toMatchObject({ partial: true, roundsRequested: 60 });
      expect(results.roundsCompleted).toBeGreaterThanOrEqual(1);
      expect(results.roundsCompleted).toBeLessThan(60);
      expect(results.rounds.map((r) => r.round)).toEqual([...Array(results.roundsCompleted).keys()]);
      expect(Object.keys(results.rounds[0]!.values)).toContain('recorded spanwire');
      expect(lifecycle.error).toBe(`interrupted after ${results.roundsCompleted} of 60 rounds`);
      expect(lifecycle.summary.find((r) => r.subject === 'recorded spanwire')).toMatchObject({ unit: 'ns/span' });
      expect(lifecycle.summary.every((r) => r.median !== null && Number.isFinite(r.median))).toBe(true);
      for (const pid of grandchildren) {
        expect(() => process.kill(pid, 0), `child ${pid} still running`).toThrow();
      }
    }, 60_000);

  it('SIGTERM during a scenario still reports the scenarios that finished and exits 130', async () => {
    const { child, output, ready, exited } = startCli(['bench', '--scenario', 'codec,lifecycle', '--quick'],
      '[2/2] lifecycle running');
    await ready;
    child.kill('SIGTERM');
    expect(await exited, output.stderr).toBe(130);
    expect(output.stderr).toContain('SIGTERM: stopping the running scenario');
    expect(output.stdout).toMatch(/^codec +encode spanwire +[\d.]+ ns\/span/m);
    expect(output.stdout).toMatch(/^lifecycle +PARTIAL: interrupted/m);
  }, 60_000);

  it.each([
    ['http', () => new FakeHttpReceiver()],
    ['grpc', () => new FakeGrpcReceiver()],
  ] as const)('bench -s e2e --endpoint URL --protocol %s exports both SDKs to that collector; their counts = its count',
    async (protocol, makeReceiver) => {
      // A real loopback collector in this process, decoding every span with the test oracle; the CLI runs
      // asynchronously so this event loop stays free to answer it.
      const receiver = await makeReceiver().start();
      try {
        const { output, exited } = startCli(['bench', '-s', 'e2e', '--quick', '--rounds', '1', '--endpoint', receiver.url,
          '--protocol', protocol, '--json'], '\0');
        expect(await exited, output.stderr).toBe(0);
        const doc = JSON.parse(output.stdout) as BenchReport;
        expect(doc.options).toEqual({ quick: true, rounds: 1, endpoint: receiver.url, protocol });
        const e2e = doc.scenarios[0]!;
        expect(e2e).toMatchObject({ name: 'e2e', ran: true, partial: false });
        const results = e2e.results as { endpoint: string; deliveredCountedBy: string; sinkCeiling: unknown[];
          rounds: Record<string, { report: { sdkDelivered: number; spansProduced: number } }[]>; warnings: string[] };
        expect(results).toMatchObject({ endpoint: receiver.url, deliveredCountedBy: 'sdk', sinkCeiling: [] });
        expect(Object.keys(results.rounds).sort()).toEqual([`official-${protocol}`, `spanwire-${protocol}`]);
        // Nothing was sent to the embedded sink: every span either SDK counts as delivered reached this collector,
        // once, and nothing else did.
        const delivered = Object.values(results.rounds).flat().reduce((sum, r) => sum + r.report.sdkDelivered, 0);
        expect(delivered).toBeGreaterThan(0);
        expect(receiver.accepted.size).toBe(delivered);
        expect(receiver.duplicates).toEqual([]);
        expect(receiver.requests.every((r) => r.decodeError === undefined)).toBe(true);
        expect(e2e.summary.find((r) => r.subject === `spanwire-${protocol}`)).toMatchObject({ unit: 'spans/s' });
        const text = renderText(doc);
        expect(text).toContain(`to the collector at ${receiver.url}: its delivered counts are each SDK's own`);
      } finally {
        await receiver.close();
      }
    }, 90_000);

  it('bench --endpoint to a collector nobody listens at fails e2e at once with the reason, exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = runCli(['bench', '-s', 'e2e', '--quick', '--endpoint', `http://127.0.0.1:${port}/v1/traces`,
      '--json'], 30_000);
    expect(run.status, run.stderr).toBe(1);
    const e2e = (JSON.parse(run.stdout) as BenchReport).scenarios[0]!;
    expect(e2e).toMatchObject({ name: 'e2e', ran: false, partial: false, results: null });
    expect(e2e.error).toContain(`cannot reach the collector at http://127.0.0.1:${port}/v1/traces`);
  }, 35_000);

  it('bench --endpoint without a path for http exits 2 before running anything', () => {
    const run = runCli(['bench', '--endpoint', 'http://127.0.0.1:4318']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--endpoint for OTLP/HTTP is the full URL with its path');
    expect(run.stderr).toContain("Run 'spanwire bench --help'");
  });

  it('load --help documents the JSON fields; a bad load flag exits 2', () => {
    const help = runCli(['load', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spanwire load/);
    expect(help.stdout).toContain('"sinkMatchesExported"');
    const bad = runCli(['load', '--rate', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Run 'spanwire load --help'");
  });

  it('load --rate 2000 --duration 2 --json against the embedded sink: every exported span counted, none dropped', () => {
    const run = runCli(['load', '--rate', '2000', '--duration', '2', '--json'], 20_000);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as LoadReport;
    expect(doc).toMatchObject({
      command: 'load', protocol: 'http', embeddedSink: true, targetSpansPerS: 2000, durationS: 2, partial: false,
      generated: 4000, queueWaitS: 0, droppedTotal: 0, exportErrors: 0, unflushed: 0, sinkBadRequests: 0,
      sinkMatchesExported: true, exitCode: 0,
    });
    expect(doc.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
    expect(doc.sinkSpans).toBe(doc.exported);
    expect(doc.exported).toBe(doc.generated);
    expect(doc.dropped).toEqual({});
    expect(doc.seconds.length).toBeGreaterThanOrEqual(1);
    expect(run.stderr).toMatch(/spanwire load: 1\.\d s +\d+ spans\/s/);
  }, 25_000);

  it('load --max --duration 1 --json: as fast as the exporter drains, nothing dropped, the sink counted it all', () => {
    const run = runCli(['load', '--max', '--duration', '1', '--json'], 30_000);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as LoadReport;
    expect(doc).toMatchObject({
      targetSpansPerS: null, partial: false, droppedTotal: 0, unflushed: 0, sinkMatchesExported: true, exitCode: 0,
    });
    expect(doc.generated).toBeGreaterThan(0);
    expect(doc.generated % 4).toBe(0);
    expect(doc.exported).toBe(doc.generated);
    expect(doc.queueWaitS).toBeGreaterThanOrEqual(0);
    expect(doc.queueWaitS).toBeLessThanOrEqual(doc.elapsedS);
  }, 35_000);

  it('Ctrl-C during load stops, flushes, prints the partial summary and exits 130', async () => {
    const { child, output, ready, exited } = startCli(['load', '--rate', '4000', '--duration', '20', '--json'],
      'spans/s');
    await ready;
    child.kill('SIGINT');
    expect(await exited, output.stderr).toBe(130);
    const doc = JSON.parse(output.stdout) as LoadReport;
    expect(doc).toMatchObject({ partial: true, exitCode: 130, sinkMatchesExported: true, droppedTotal: 0 });
    expect(doc.generated).toBeLessThan(4000 * 20);
  }, 15_000);

  it('SIGTERM from a shell (kill -TERM <pid>) during load behaves like Ctrl-C: flush, partial summary, exit 130', async () => {
    const { child, output, ready, exited } = startCli(['load', '--rate', '4000', '--duration', '20'], 'spans/s');
    await ready;
    const kill = spawnSync('sh', ['-c', `kill -TERM ${child.pid}`], { encoding: 'utf8' });
    expect(kill.status, kill.stderr).toBe(0);
    expect(await exited, output.stderr).toBe(130);
    expect(output.stderr).toContain('SIGTERM: stopping');
    expect(output.stdout).toMatch(/^spanwire load \(PARTIAL: interrupted\)/);
    expect(output.stdout).toMatch(/sink +\d+ spans counted, 0 bad requests: matches exported/);
    expect(output.stdout).toMatch(/result +interrupted/);
  }, 15_000);
});
