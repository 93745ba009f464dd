// Tests bench/cli/interrupt.ts with a fake process: the first SIGINT or SIGTERM stops the run through the command's
// hook (also one that came before the hook existed), a second one exits 130, one after the end exits with the
// command's own code. The real signals are tested on the compiled command in cli.test.ts.
import { describe, expect, it } from 'vitest';
import type { SignalTarget } from '../bench/cli/interrupt.js';
import { Interrupt, INTERRUPTED_EXIT_CODE, STOP_SIGNALS } from '../bench/cli/interrupt.js';

/** A process stand-in: records listeners and exit calls; `send` delivers a signal. */
class FakeProcess implements SignalTarget {
  readonly listeners = new Map<string, ((signal: NodeJS.Signals) => void)[]>();
  readonly exits: number[] = [];

  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  removeListener(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }

  exit(code: number): never {
    this.exits.push(code);
    return undefined as never;
  }

  send(signal: NodeJS.Signals): void {
    for (const listener of this.listeners.get(signal) ?? []) listener(signal);
  }
}

describe('Interrupt', () => {
  it('listens to SIGINT and SIGTERM from construction, and stops listening on dispose', () => {
    const fake = new FakeProcess();
    const interrupt = new Interrupt(fake);
    expect(STOP_SIGNALS).toEqual(['SIGINT', 'SIGTERM']);
    for (const signal of STOP_SIGNALS) expect(fake.listeners.get(signal)).toHaveLength(1);
    interrupt.dispose();
    for (const signal of STOP_SIGNALS) expect(fake.listeners.get(signal)).toHaveLength(0);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops the run through the hook, once; a second signal exits 130', (signal) => {
    const fake = new FakeProcess();
    const interrupt = new Interrupt(fake);
    const stops: string[] = [];
    interrupt.onStop((s) => stops.push(s));
    expect(interrupt.interrupted).toBe(false);
    fake.send(signal);
    expect(interrupt.interrupted).toBe(true);
    expect(interrupt.signal).toBe(signal);
    expect(stops).toEqual([signal]);
    expect(fake.exits).toEqual([]);
    fake.send('SIGINT');
    expect(stops).toEqual([signal]);
    expect(fake.exits).toEqual([INTERRUPTED_EXIT_CODE]);
    expect(INTERRUPTED_EXIT_CODE).toBe(130);
  });

  it('a signal before the command set its hook (module loading) stops the run as soon as the hook is set', () => {
    const fake = new FakeProcess();
    const interrupt = new Interrupt(fake);
    fake.send('SIGTERM');
    const stops: string[] = [];
    interrupt.onStop((s) => stops.push(s));
    expect(stops).toEqual(['SIGTERM']);
    expect(fake.exits).toEqual([]);
  });

  it('after the command finished, a signal ends the process with the command\'s exit code', () => {
    const fake = new FakeProcess();
    const interrupt = new Interrupt(fake);
    const stops: string[] = [];
    interrupt.onStop((s) => stops.push(s));
    interrupt.finish(1);
    fake.send('SIGTERM');
    expect(stops).toEqual([]);
    expect(fake.exits).toEqual([1]);
  });
});
