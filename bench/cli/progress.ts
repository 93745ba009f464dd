// Progress of `spanwire bench` on stderr: one live, rewritten line on a terminal, plain lines otherwise.
// It writes to the stream it is given and must never touch stdout, which carries the report (e.g. --json).

/** The part of a writable stream progress needs (process.stderr, or a fake in tests). */
export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  /** Terminal width; the live line is cut to fit, since `\r` cannot go back over a wrapped line. */
  columns?: number;
}

/** The live line is redrawn this often (the elapsed seconds change). */
const TICK_MS = 250;
const SPINNER = ['|', '/', '-', '\\'] as const;

/** Reports scenario starts and ends; on a TTY also a ticking line with the elapsed time. */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private timer: NodeJS.Timeout | undefined = undefined;
  private label = '';
  private startMs = 0;
  private ticks = 0;

  constructor(stream: ProgressStream, live: boolean = stream.isTTY === true) {
    this.stream = stream;
    this.live = live;
  }

  /** A scenario starts: `label` like `[1/3] codec`. */
  start(label: string): void {
    this.stop();
    this.label = label;
    this.startMs = performance.now();
    this.ticks = 0;
    if (!this.live) {
      this.stream.write(`spanwire bench: ${label} running\n`);
      return;
    }
    this.draw();
    this.timer = setInterval(() => this.draw(), TICK_MS);
    this.timer.unref();
  }

  /** The current scenario ended; `result` like `done` or `FAILED: …`. */
  finish(result: string): void {
    const seconds = ((performance.now() - this.startMs) / 1000).toFixed(1);
    this.stop();
    this.stream.write(`spanwire bench: ${this.label} ${result} (${seconds} s)\n`);
  }

  /** A line outside any scenario (e.g. a missing-package warning), without breaking the live line. */
  note(text: string): void {
    if (this.timer !== undefined) this.stream.write('\r\x1b[K');
    this.stream.write(`spanwire bench: ${text}\n`);
    if (this.timer !== undefined) this.draw();
  }

  /** Stops the ticking and clears the live line. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[K');
  }

  private draw(): void {
    const seconds = ((performance.now() - this.startMs) / 1000).toFixed(1);
    const spin = SPINNER[this.ticks++ % SPINNER.length]!;
    const text = `${spin} spanwire bench: ${this.label} running, ${seconds} s (Ctrl-C: stop and report)`;
    const width = this.stream.columns ?? 0;
    this.stream.write(`\r\x1b[K${width > 1 ? text.slice(0, width - 1) : text}`);
  }
}
