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

function ignore(): void {}

/**
 * The thread's Node options: the process's own (a Worker's default), minus --input-type. A process started as
 * `node --input-type=module -e ...` or with a script on stdin passes it on, and every thread then dies at load
 * ("--input-type can only be used with string input via --eval, --print, or STDIN"): the transport would never send.
 * Undefined (inherit) when there is nothing to drop.
 */
function threadExecArgv(execArgv: readonly string[]): string[] | undefined {
  if (!execArgv.some((arg) => arg === '--input-type' || arg.startsWith('--input-type='))) return undefined;
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--input-type') i++; // its value is the next argument
    else if (!arg.startsWith('--input-type=')) kept.push(arg);
  }
  return kept;
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
  private shuttingDown: Promise<void> | undefined;

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
      // The thread enforces the timeout itself, so silence past it plus the grace means the thread is stuck (a
      // busy loop, a lost message): it is ended, its requests fail retryable, and the next send starts a new one.
      // Left running, it would keep every later request waiting out the whole grace as well.
      const timer = setTimeout(
        () => this.lost(worker, `the export thread did not answer within ${waitMs} ms`, true), waitMs);
      timer.unref();
      this.waiting.set(id, { resolve, timer });
      // A request in flight keeps the process alive, as a socket of an in-thread transport would.
      if (this.waiting.size === 1) worker.ref();
      // Structured clone copies a view's whole ArrayBuffer: a 1 KiB view into a 64 MiB buffer (a pooled Buffer, codec
      // memory) would cross as 64 MiB. Only the body's own bytes go.
      const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : body.slice();
      const request: ExportThreadRequest = { id, body: own, timeoutMs: options.timeoutMs, gzip: options.gzip };
      try {
        worker.postMessage(request); // structured clone: the thread gets a copy, `body` stays the caller's
      } catch (error) {
        this.answer(id, { status: 'failure', error: `spanwire: cannot hand the request to the export thread: ${describeError(error)}` });
      }
    });
  }

  /** Closes the thread's connections (requests still in flight fail), then ends the thread. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= this.close();
    return this.shuttingDown;
  }

  /** shutdown()'s one run: every caller waits for the same exit. */
  private async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      worker.postMessage({ id: 0, shutdown: true });
    } catch {
      // already gone: exit follows
    }
    const timer = setTimeout(() => void worker.terminate().then(ignore, ignore), SHUTDOWN_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** The running thread, started on first use; undefined (with `failure` set) when it cannot run. */
  private thread(): Worker | undefined {
    if (this.worker !== undefined) return this.worker;
    if (this.failure !== '') return undefined;
    let worker: Worker;
    try {
      const execArgv = threadExecArgv(process.execArgv);
      worker = new Worker(this.threadUrl,
        execArgv === undefined ? { workerData: this.config } : { workerData: this.config, execArgv });
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

  /**
   * The thread is gone (or stuck: `terminate` ends it): its requests fail (retryable: a new thread may send them),
   * the next send starts another.
   */
  private lost(worker: Worker, why: string, terminate = false): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (terminate) void worker.terminate().then(ignore, ignore);
    if (!this.closed && ++this.silentDeaths >= MAX_SILENT_DEATHS) {
      this.failure = `spanwire: ${why}, ${MAX_SILENT_DEATHS} times without answering; check threadUrl and the process's resource limits`;
    }
    const status = this.closed ? 'failure' : 'retryable';
    for (const id of [...this.waiting.keys()]) this.answer(id, { status, error: `spanwire: ${why}` });
  }
}
