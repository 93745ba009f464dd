// This thread's on-CPU and run-queue-wait counters (Linux /proc/thread-self/schedstat), for telling a thread's own
// work from time it sat preempted on the shared 2-core machine. Bench-only: one pread of a kept fd per read, no
// allocation; `available` is false where the counters do not exist (not Linux).
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * This thread's scheduler counters from /proc/thread-self/schedstat ("<on-cpu ns> <run-queue wait ns> <slices>").
 * The machine's 2 cores are shared by the producer, the sink and other tenants (run queues of 5-9 were seen), so
 * wall time mixes the SDK's work with preemption. The on-CPU counter is booked lazily (scheduler ticks, ~4 ms):
 * good for totals only. Run-queue wait is booked when the thread gets a core back, so wall - wait of a stretch is
 * the time it ran, to about ±0.5 ms (a 0.3 ms spin measured 0.14-0.77 ms when preempted). One pread of a kept fd
 * (~2 µs) per read, parsed from bytes: no allocation.
 */
export class ThreadSchedClock {
  runNs = 0;
  waitNs = 0;
  readonly available: boolean;
  private readonly fd: number;
  private readonly buf = Buffer.alloc(96);

  constructor() {
    let fd = -1;
    try {
      fd = openSync('/proc/thread-self/schedstat', 'r');
    } catch { /* not Linux: CPU columns are NaN */ }
    this.fd = fd;
    this.available = fd >= 0;
    this.read();
  }

  read(): void {
    if (!this.available) return;
    const buf = this.buf;
    const len = readSync(this.fd, buf, 0, buf.length, 0);
    let at = 0;
    let value = 0;
    while (at < len && buf[at] !== 0x20) value = value * 10 + (buf[at++]! - 0x30);
    this.runNs = value;
    value = 0;
    at++;
    while (at < len && buf[at] !== 0x20) value = value * 10 + (buf[at++]! - 0x30);
    this.waitNs = value;
  }

  close(): void {
    if (this.available) closeSync(this.fd);
  }
}
