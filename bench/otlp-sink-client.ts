// The parent's handle on bench/otlp-sink.js, for the end-to-end bench and `spanwire load`: forks it (it listens on
// 127.0.0.1 only), waits for its ports and asks for its counters over IPC. It must never leave the sink running
// after close().
import { fork, type ChildProcess } from 'node:child_process';
import type { SinkCounts, SinkMessage, SinkRequest } from './otlp-sink.js';

/** A forked loopback OTLP sink; one request to it at a time. */
export class LoopbackSink {
  /** Both ports once the servers listen; rejects if the sink fails to start. */
  readonly ready: Promise<{ httpPort: number; grpcPort: number }>;
  private readonly child: ChildProcess;
  private waiting: ((message: SinkMessage) => void) | undefined;
  private failure: Error | undefined;

  /** @param timeoutMs how long the sink may take to start or to answer a counts request */
  constructor(private readonly timeoutMs: number) {
    this.child = fork(new URL('./otlp-sink.js', import.meta.url), [],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (message: SinkMessage) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(message);
    });
    this.child.on('exit', (code) => {
      this.failure ??= new Error(`sink process exited (${code})`);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.({ op: 'error', message: this.failure.message });
    });
    this.ready = this.next().then((message) => {
      if (message.op !== 'ready') throw new Error(`sink: ${describe(message)}`);
      return { httpPort: message.httpPort, grpcPort: message.grpcPort };
    });
  }

  /** The sink's counters since it started. */
  async counts(): Promise<SinkCounts> {
    const reply = this.next();
    this.child.send({ op: 'counts' } satisfies SinkRequest);
    const message = await reply;
    if (message.op !== 'counts') throw new Error(`sink: ${describe(message)}`);
    return message.counts;
  }

  /** Disconnects (the sink exits on disconnect) and kills it in case it does not. */
  close(): void {
    if (this.child.connected) this.child.disconnect();
    this.child.kill();
  }

  private next(): Promise<SinkMessage> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`sink did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }
}

/** A sink message that is not the expected one, as text. */
function describe(message: SinkMessage): string {
  return message.op === 'error' ? message.message : `unexpected message '${message.op}'`;
}
