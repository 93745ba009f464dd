// Runs one bench script (dist/bench/<name>-bench.js) as a child Node process with --json and collects its document,
// and the rounds it streams over IPC as they finish (round-stream.ts), which become the results of a run stopped
// or failed midway. The child gets its own process group so stop() also ends what it started (e.g. the e2e sink);
// this module must never print or exit: it reports through the returned outcome and the onRound hook only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RoundMessage } from '../round-stream.js';
import type { OtlpProtocol, ScenarioName } from './parse-args.js';
import { partialResultsOf, roundMessageFrom } from './partial-results.js';

/** What became of one scenario; `results` is the child's own --json document, untouched. */
export interface ScenarioOutcome {
  name: ScenarioName;
  /** True when the child exited 0 and printed one JSON document. */
  ran: boolean;
  /** True when stop() ended the child before it finished. */
  partial: boolean;
  durationMs: number;
  /**
   * The child's --json document; for a child stopped or failed midway, the rounds it finished (partial-results.ts),
   * or null when none did.
   */
  results: unknown;
  /** Why `ran` is false. */
  error?: string;
}

/** Flags passed through to the bench scripts. */
export interface ScenarioFlags {
  quick: boolean;
  rounds: number | null;
  /** e2e only: export to this collector instead of the embedded sink. */
  endpoint: string | null;
  /** e2e only: run this protocol's pair only. */
  protocol: OtlpProtocol | null;
}

/** A started scenario: await `done`; `stop()` ends it early (the outcome is then marked partial). */
export interface ScenarioRun {
  readonly done: Promise<ScenarioOutcome>;
  stop(): void;
}

/** After SIGTERM, the child group gets this long to exit before SIGKILL. */
const STOP_GRACE_MS = 2000;
/** Keep only the tail of the child's stderr: the scripts print one line on failure. */
const STDERR_TAIL_CHARS = 4000;

/** Absolute path of a scenario's compiled script, next to this module's own directory. */
export function scriptPathOf(name: ScenarioName): string {
  return fileURLToPath(new URL(`../${name}-bench.js`, import.meta.url));
}

/** The child's argument list: the script, then --json and the pass-through flags (the collector ones to e2e only). */
export function childArgsOf(name: ScenarioName, flags: ScenarioFlags): string[] {
  const args = [scriptPathOf(name), '--json'];
  if (flags.quick) args.push('--quick');
  if (flags.rounds !== null) args.push('--rounds', String(flags.rounds));
  if (name === 'e2e' && flags.endpoint !== null) args.push('--endpoint', flags.endpoint);
  if (name === 'e2e' && flags.protocol !== null) args.push('--protocol', flags.protocol);
  return args;
}

/** Signals a whole process group, ignoring one that is already gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has already exited.
  }
}

/** Last non-empty line of `text`, for an error message. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}

/**
 * Starts `name` now; `onRound` hears of each round the child finishes. Never rejects: spawn failures, non-zero exits
 * and bad JSON become `ran: false`.
 */
export function startScenario(
  name: ScenarioName, flags: ScenarioFlags, onRound?: (round: RoundMessage) => void,
): ScenarioRun {
  const startMs = performance.now();
  const script = scriptPathOf(name);
  const finish = (partial: boolean, results: unknown, error?: string): ScenarioOutcome => {
    const outcome: ScenarioOutcome = {
      name, ran: error === undefined, partial, durationMs: Math.round(performance.now() - startMs), results,
    };
    if (error !== undefined) outcome.error = error;
    return outcome;
  };
  if (!existsSync(script)) {
    return {
      done: Promise.resolve(finish(false, null, `${script} not found: run npm run build first`)),
      stop: () => undefined,
    };
  }
  const child = spawn(process.execPath, childArgsOf(name, flags), {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const rounds: RoundMessage[] = [];
  child.on('message', (message: unknown) => {
    const round = roundMessageFrom(name, message);
    if (round === null) return;
    rounds.push(round);
    onRound?.(round);
  });
  const pid = child.pid;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stdout: Buffer[] = [];
  let stderr = '';
  // Both are pipes (stdio above); the typings cannot tell with an 'ipc' entry in the array.
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  // If this process exits first (an uncaught error, a second Ctrl-C), take the child group with it.
  const onExit = (): void => {
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  };
  process.once('exit', onExit);

  const done = new Promise<ScenarioOutcome>((resolve) => {
    child.once('error', (error) => {
      process.removeListener('exit', onExit);
      resolve(finish(false, null, `could not start ${script}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      process.removeListener('exit', onExit);
      if (killTimer !== undefined) clearTimeout(killTimer);
      const partial = partialResultsOf(name, rounds);
      if (stopped) {
        resolve(finish(true, partial, rounds.length === 0 ? 'interrupted before it finished'
          : `interrupted after ${rounds.length} of ${rounds[0]!.rounds} rounds`));
        return;
      }
      const text = Buffer.concat(stdout).toString('utf8');
      if (code !== 0) {
        const why = lastLine(stderr) || (signal !== null ? `killed by ${signal}` : `exit code ${code}`);
        resolve(finish(false, partial, why));
        return;
      }
      try {
        resolve(finish(false, JSON.parse(text) as unknown));
      } catch {
        resolve(finish(false, null, `printed no valid JSON document (${text.length} bytes on stdout)`));
      }
    });
  });

  return {
    done,
    stop(): void {
      if (stopped || pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      stopped = true;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
    },
  };
}
