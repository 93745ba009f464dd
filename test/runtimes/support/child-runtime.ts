// Owns running one runtime of the matrix as a child process (node, deno, bun): collects its output line by line,
// waits for a line with a given prefix, and kills it on dispose. Never leaves a process behind a finished test.
import { type ChildProcess, spawn } from 'node:child_process';

export class ChildRuntime {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private stderr = '';
  private exitCode: number | null | undefined;
  private readonly waiters: Array<() => void> = [];

  constructor(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.child.on('error', (error) => {
      this.stderr += `\nspawn error: ${error.message}`;
      this.exitCode = null;
      this.wake();
    });
    this.child.on('exit', (code) => {
      this.exitCode = code;
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The rest of the first stdout line starting with `prefix` (rejects if the process exits first). */
  async line(prefix: string): Promise<string> {
    for (;;) {
      const found = this.lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return found.slice(prefix.length);
      if (this.exitCode !== undefined) {
        throw new Error(`process exited (${this.exitCode}) without printing '${prefix}'.\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves with the exit code once the process is gone. */
  async exited(): Promise<number | null> {
    while (this.exitCode === undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.exitCode;
  }

  get output(): string {
    return `stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`;
  }

  /** Kills the process (if still running) and waits for it to go. */
  async dispose(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    await this.exited();
  }
}
