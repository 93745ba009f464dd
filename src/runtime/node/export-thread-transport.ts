// OTLP/HTTP sent from a worker thread of the exporter's own (Node): each request body crosses to the thread (one
// copy, ~256 KiB per 512-span batch), which gzips it with its own instance of the WASM codec and POSTs it with
// NodeHttpTransport (node:http(s), keep-alive, TLS). The event-loop thread keeps the protobuf encode only: gzip
// (~1.5 µs per canonical span here) and node:http (request, socket writes, response parsing) leave it. Retry and
// accounting stay with the exporter (this is one Transport: one request in, one SendResult out).
// Started at the first send; unref'd while idle, so it never holds a process open on its own.
// Never throws, never rejects: a thread that cannot start, dies or stops answering fails its requests with a
// SendResult that says so (retryable when a fresh thread may succeed).
import { Worker } from 'node:worker_threads';
import { describeError } from '../../export/otlp-http-response.js';
import type { SendOptions, SendResult, Transport } from '../../export/transport.js';
import type { NodeHttpTransportOptions } from './otlp-http-node-transport.js';

export interface ExportThreadTransportOptions extends NodeHttpTransportOptions {
  /** 'gzip' (default): the thread compresses every plain body (Content-Encoding: gzip); 'none' sends them plain. */
  compression?: 'gzip' | 'none';
  /** DEFLATE level of the thread's WASM gzip: 1 (default, fast) or 6 (smaller, about 3x the time). */
  gzipLevel?: number;
  /** The thread's entry module; default: the compiled export-thread.js beside this module. */
  threadUrl?: URL;
}

/** What the thread is built from (structured-cloned into it as workerData). */
export interface ExportThreadConfig {
  http: NodeHttpTransportOptions;
  compression: 'gzip' | 'none';
  gzipLevel: number;
}

/** One request to the thread; `gzip` says whether the body is already compressed. */
export interface ExportThreadRequest {
  id: number;
  body: Uint8Array;
  timeoutMs: number;
  gzip: boolean;
}

/** The thread's answer to one request, or its acknowledgement of a shutdown (id 0). */
export interface ExportThreadReply {
  id: number;
  result: SendResult;
}

/** A thread that dies this many times in a row without answering once is given up: sends then fail at once. */
const MAX_SILENT_DEATHS = 3;
/**
 * How long past a request's own timeout the thread may take to answer before the request is failed here: the
 * thread enforces the timeout itself; this only catches a thread that stopped answering (stuck, or killed).
 */
const ANSWER_GRACE_MS = 2000;
/** How long shutdown() waits for the thread to close its connections before terminating it. */
const SHUTDOWN_WAIT_MS = 5000;
/** setTimeout delays above 2^31-1 ms fire after 1 ms: clamp. */
const MAX_TIMER_MS = 2147483647;

interface Waiting {
  resolve(result: SendResult): void;
  timer: ReturnType<typeof setTimeout>;
}

export class ExportThreadTransport implements Transport {
  /** The exporter sends plain bodies: this transport gzips them on its thread (see Transport.gzipsPlainBodies). */
  readonly gzipsPlainBodies = true;
  private readonly config: ExportThreadConfig;
  private readonly threadUrl: URL;
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;
  private silentDeaths = 0;
  /** Why sends fail at once ('' while the thread can still be started). */
  private failure = '';

  constructor(options: ExportThreadTransportOptions) {
    const { compression, gzipLevel, threadUrl, ...http } = options;
    this.config = {
      http,
      compression: compression === 'none' ? 'none' : 'gzip',
      gzipLevel: gzipLevel === 6 ? 6 : 1,
    };
    this.threadUrl = threadUrl ?? new URL('./export-thread.js', import.meta.url);
  }

  send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ status: 'failure', error: 'spanwire: the export thread transport was shut down' });
    const worker = this.thread();
    if (worker === undefined) return Promise.resolve({ status: 'failure', error: this.failure });
    const id = this.nextId++;
    return new Promise<SendResult>((resolve) => {
      const waitMs = Math.min(Math.max(0, options.timeoutMs) + ANSWER_GRACE_MS, MAX_TIMER_MS);
      const timer = setTimeout(() => this.answer(id, {
        status: 'retryable', error: `spanwire: the export thread did not answer within ${waitMs} ms`,
      }), waitMs);
      timer.unref();
      this.waiting.set(id, { resolve, timer });
      // A request in flight keeps the process alive, as a socket of an in-thread transport would.
      if (this.waiting.size === 1) worker.ref();
      const request: ExportThreadRequest = { id, body, timeoutMs: options.timeoutMs, gzip: options.gzip };
      try {
        worker.postMessage(request); // structured clone: the thread gets a copy, `body` stays the caller's
      } catch (error) {
        this.answer(id, { status: 'failure', error: `spanwire: cannot hand the request to the export thread: ${describeError(error)}` });
      }
    });
  }

  /** Closes the thread's connections (requests still in flight fail), then ends the thread. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      worker.postMessage({ id: 0, shutdown: true });
    } catch {
      // already gone: exit follows
    }
    const timer = setTimeout(() => void worker.terminate(), SHUTDOWN_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** The running thread, started on first use; undefined (with `failure` set) when it cannot run. */
  private thread(): Worker | undefined {
    if (this.worker !== undefined) return this.worker;
    if (this.failure !== '') return undefined;
    let worker: Worker;
    try {
      worker = new Worker(this.threadUrl, { workerData: this.config });
    } catch (error) {
      this.failure = `spanwire: cannot start the export thread from ${this.threadUrl.href}: ${describeError(error)}`;
      return undefined;
    }
    worker.unref();
    worker.on('message', (reply: ExportThreadReply) => {
      this.silentDeaths = 0;
      this.answer(reply.id, reply.result);
    });
    worker.on('error', (error) => this.lost(worker, `the export thread failed: ${describeError(error)}`));
    worker.on('exit', (code) => this.lost(worker, `the export thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private answer(id: number, result: SendResult): void {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return; // answered already (the grace timer, or the thread after it)
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    if (this.waiting.size === 0) this.worker?.unref();
    waiting.resolve(result);
  }

  /** The thread is gone: its requests fail (retryable: a new thread may send them), the next send starts another. */
  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.closed && ++this.silentDeaths >= MAX_SILENT_DEATHS) {
      this.failure = `spanwire: ${why}, ${MAX_SILENT_DEATHS} times without answering; check threadUrl and the process's resource limits`;
    }
    const status = this.closed ? 'failure' : 'retryable';
    for (const id of [...this.waiting.keys()]) this.answer(id, { status, error: `spanwire: ${why}` });
  }
}
