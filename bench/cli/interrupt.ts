// SIGINT (Ctrl-C) and SIGTERM (`kill <pid>`, a supervisor, `timeout`) for the `spanwire` command: both mean "stop
// cleanly and report what was measured". Installed before anything slow (module imports, the WASM compile, the
// sink fork), so no signal finds the process without a handler: one that did exited 143 with no report. It must
// never print a report itself: the running command does, after its stop hook returns.

/** Exit code of a run stopped by SIGINT or SIGTERM (128 + SIGINT, the shell convention for Ctrl-C). */
export const INTERRUPTED_EXIT_CODE = 130;

/** The signals that stop a run. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** The part of `process` the handler needs (a fake in tests). */
export interface SignalTarget {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): never;
}

/**
 * One per process. The first signal marks the run interrupted and calls the command's stop hook (now, or as soon
 * as one is set); a second one exits at once with INTERRUPTED_EXIT_CODE. A signal after the command finished (its
 * report is out, sockets may still be closing) ends the process with the command's own exit code.
 */
export class Interrupt {
  /** The first signal received, or null. */
  signal: NodeJS.Signals | null = null;
  private stopHook: ((signal: NodeJS.Signals) => void) | null = null;
  /** The finished command's exit code, or null while it runs. */
  private finishedCode: number | null = null;
  private readonly listener = (signal: NodeJS.Signals): void => this.receive(signal);

  constructor(private readonly target: SignalTarget) {
    for (const name of STOP_SIGNALS) target.on(name, this.listener);
  }

  /** True once a stop signal arrived. */
  get interrupted(): boolean {
    return this.signal !== null;
  }

  /**
   * Sets what the first signal does (stop the running scenario, the load generator, ...). A signal that came
   * before the hook was set (during module loading) calls it at once.
   */
  onStop(hook: (signal: NodeJS.Signals) => void): void {
    this.stopHook = hook;
    if (this.signal !== null) hook(this.signal);
  }

  /** The command is done (report printed) with `exitCode`: a later signal only ends the process with it. */
  finish(exitCode: number): void {
    this.finishedCode = exitCode;
    this.stopHook = null;
  }

  /** Removes the process listeners (tests; the command itself keeps them until the process exits). */
  dispose(): void {
    for (const name of STOP_SIGNALS) this.target.removeListener(name, this.listener);
  }

  private receive(signal: NodeJS.Signals): void {
    if (this.finishedCode !== null) {
      this.target.exit(this.finishedCode);
      return;
    }
    if (this.signal !== null) {
      this.target.exit(INTERRUPTED_EXIT_CODE);
      return;
    }
    this.signal = signal;
    this.stopHook?.(signal);
  }
}
