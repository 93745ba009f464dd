#!/usr/bin/env node
// Entry of the `spanwire` command (package.json bin): parses the command line, runs `bench` (or hands `load` to
// load-command.ts), handles Ctrl-C and SIGTERM from the first line on (interrupt.ts) and maps outcomes to exit codes
// (0 ok, 1 failed, 2 bad usage, 130 interrupted).
// It must never measure anything itself (the bench scripts do, as children).
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_HELP, LOAD_HELP, MAIN_HELP } from './help-text.js';
import { Interrupt } from './interrupt.js';
import { checkOfficialPackages, missingFor } from './official-packages.js';
import type { BenchCommand } from './parse-args.js';
import { parseCommandLine, UsageError } from './parse-args.js';
import { pipelineFloorOf } from './pipeline-floor.js';
import { Progress } from './progress.js';
import type { BenchReport, ScenarioReport } from './report-format.js';
import {
  exitCodeOf, notRunReport, renderJson, renderMarkdown, renderText, scenarioReportOf,
} from './report-format.js';
import type { ScenarioRun } from './run-scenario.js';
import { startScenario } from './run-scenario.js';
import { renderSvg } from './svg-chart.js';

/** The `version` of the nearest package.json named spanwire above this file (dist/bench/cli -> the repo root). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'spanwire' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No readable package.json here: look one level up.
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/**
 * Runs the scenarios one after another; Ctrl-C or SIGTERM stops the running one and reports what finished (a
 * second signal quits at once; run-scenario's exit hook then kills the child group).
 */
async function runBench(command: BenchCommand, interrupt: Interrupt): Promise<number> {
  const progress = new Progress(process.stderr);
  let current: ScenarioRun | null = null;
  interrupt.onStop((signal) => {
    progress.note(`${signal}: stopping the running scenario, then reporting what finished (Ctrl-C again: quit now)`);
    current?.stop();
  });
  const official = await checkOfficialPackages(command.scenarios);
  if (!official.present) {
    progress.note(`official OpenTelemetry SDK packages missing: ${official.missing.join(', ')} ` +
      '(devDependencies of spanwire: run npm install); scenarios that need them are skipped');
  }

  const scenarios: ScenarioReport[] = [];
  try {
    for (let i = 0; i < command.scenarios.length; i++) {
      const name = command.scenarios[i]!;
      if (interrupt.interrupted) {
        scenarios.push(notRunReport(name, 'not started: interrupted', false));
        continue;
      }
      const missing = missingFor(name, official);
      if (missing.length > 0) {
        scenarios.push(notRunReport(name, `official SDK packages missing: ${missing.join(', ')}`, false));
        continue;
      }
      progress.start(`[${i + 1}/${command.scenarios.length}] ${name}`);
      current = startScenario(name, {
        quick: command.quick, rounds: command.rounds, endpoint: command.endpoint, protocol: command.protocol,
      },
        (round) => progress.note(`${name} round ${round.round + 1}/${round.rounds} done`));
      const outcome = await current.done;
      current = null;
      progress.finish(outcome.ran ? 'done' : outcome.partial ? 'interrupted' : `FAILED: ${outcome.error ?? ''}`);
      scenarios.push(scenarioReportOf(outcome));
    }
  } finally {
    progress.stop();
  }

  const report: BenchReport = {
    spanwire: packageVersion(),
    node: process.version,
    partial: interrupt.interrupted,
    options: { quick: command.quick, rounds: command.rounds, endpoint: command.endpoint, protocol: command.protocol },
    officialSdk: { present: official.present, missing: official.missing },
    scenarios,
    pipelineFloor: pipelineFloorOf(scenarios),
  };
  const render = command.format === 'json' ? renderJson : command.format === 'markdown' ? renderMarkdown : renderText;
  process.stdout.write(render(report));
  if (command.svgFile !== null) {
    // Written after every run, interrupted ones too (the chart marks them partial); a write error fails the run.
    try {
      writeFileSync(command.svgFile, renderSvg(report, { date: new Date(), cpuCount: availableParallelism() }));
      progress.note(`chart written to ${command.svgFile}`);
    } catch (error) {
      process.stderr.write(`spanwire: could not write --svg ${command.svgFile}: ` +
        `${error instanceof Error ? error.message : String(error)}\n`);
      return report.partial ? 130 : 1;
    }
  }
  return exitCodeOf(report);
}

/** Parses `argv` and runs what it asks for; resolves to the exit code. */
async function main(argv: readonly string[], interrupt: Interrupt): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`spanwire: ${error.message}\n` +
      `Run 'spanwire ${error.topic === null ? '' : `${error.topic} `}--help' for usage.\n`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(command.topic === 'bench' ? BENCH_HELP : command.topic === 'load' ? LOAD_HELP : MAIN_HELP);
      return 0;
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'bench':
      return runBench(command, interrupt);
    case 'load':
      // Loaded on demand: only `load` needs the SDK and the WASM codec in this process (a signal meanwhile is
      // held by `interrupt` and stops the run as soon as it starts).
      return (await import('./load-command.js')).runLoad(command, interrupt);
  }
}

// Before anything else: a signal during the imports above the command's own handler must still get a report.
const interrupt = new Interrupt(process);
process.exitCode = await main(process.argv.slice(2), interrupt).catch((error: unknown) => {
  process.stderr.write(`spanwire: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 1;
});
interrupt.finish(process.exitCode);
