// OTLP/HTTP sent from a worker thread of the exporter's own (Node): each request body crosses to the thread (one
// copy, ~256 KiB per 512-span batch, into a buffer that is transferred there and back and reused, so neither
// thread makes garbage of it), which gzips it with its own instance of the WASM codec and POSTs it with
// NodeHttpTransport (node:http(s), keep-alive, TLS). The event-loop thread keeps the protobuf encode only: gzip
// (~1.5 µs per canonical span here) and node:http (request, socket writes, response parsing) leave it. Retry and
// accounting stay with the exporter (this is one Transport: one request in, one SendResult out).
// While it is behind (BEHIND_REQUESTS on the thread), it asks the exporter for bodies gzipped already
// (prefersCompressedBodies), which it only sends. Started at the first send; unref'd while idle, so it never holds a
// process open on its own.
// Never throws, never rejects: a thread that cannot start, dies or stops answering fails its requests with a
// SendResult that says so (retryable when a fresh thread may succeed).
import { Worker } from 'node:worker_threads';
import { describeError } from '../../export/otlp-http-response.js';
import type { SendOptions, SendResult, Transport } from '../../export/transport.js';
import { MAX_TIMER_MS } from '../../processing/unref-timeout.js';
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

/**
 * One request to the thread: the body is the first `bodyBytes` of `buffer` (transferred: the thread owns it until
 * it hands it back with the answer); `gzip` says whether the body is already compressed.
 */
export interface ExportThreadRequest {
  id: number;
  buffer: ArrayBuffer;
  bodyBytes: number;
  timeoutMs: number;
  gzip: boolean;
}

/** The thread's answer to one request, with the request's buffer transferred back for reuse. */
export interface ExportThreadReply {
  id: number;
  result: SendResult;
  buffer?: ArrayBuffer;
}

/**
 * Requests on the thread at once from which it counts as behind (prefersCompressedBodies): a request holds the thread
 * for its gzip (~0.5-1 ms for 256 KiB here) and then waits ~4 ms for the collector's answer, so at ~200k spans/s
 * (~400 requests/s) about 2 are in flight when the thread keeps up.
 */
const BEHIND_REQUESTS = 2;

/** A thread that dies this many times in a row without answering once is given up: sends then fail at once. */
const MAX_SILENT_DEATHS = 3;
/**
 * How long past a request's own timeout the thread may take to answer before the request is failed here: the
 * thread enforces the timeout itself; this only catches a thread that stopped answering (stuck, or killed).
 */
const ANSWER_GRACE_MS = 2000;
/** How long shutdown() waits for the thread to close its connections before terminating it. */
const SHUTDOWN_WAIT_MS = 5000;
/** Transfer buffers are powers of two from 64 KiB: a 230 KB request body (512 canonical spans) takes 256 KiB. */
const MIN_BUFFER_BYTES = 64 * 1024;
/** Above this a body gets a buffer of its own size: rounding a 20 MiB body up to 32 MiB would waste 12. */
const MAX_ROUNDED_BUFFER_BYTES = 4 * 1024 * 1024;
/**
 * Bytes of transfer buffers kept for reuse: 8 MiB holds the 8 exports the batch processor keeps in flight at
 * 512 KiB each, twice over. Cloned bodies instead (a new ArrayBuffer per request in the thread, freed only when
 * its rarely-collecting heap gets to it) cost ~25 MiB more peak RSS over 1500 sends of 256 KiB, 8 in flight.
 */
const POOL_MAX_BYTES = 8 * 1024 * 1024;

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

  /**
   * True while BEHIND_REQUESTS or more requests are on the thread: the exporter then gzips on the event loop and
   * hands over bodies the thread only sends, which also slows a producer on that loop to what the export can carry
   * (on 2 cores shared with a collector, a thread that only took work let the producer fill the queue: 200k spans
   * per 5 s round dropped). Never true with compression 'none'.
   */
  prefersCompressedBodies(): boolean {
    return this.config.compression === 'gzip' && this.waiting.size >= BEHIND_REQUESTS;
  }
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
  /** Transfer buffers back from the thread, ready for the next bodies (at most POOL_MAX_BYTES in all). */
  private readonly pool: ArrayBuffer[] = [];
  private pooledBytes = 0;

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
    // Counted as 'export_thread_unavailable', not 'not_retryable': the collector never saw these spans.
    if (worker === undefined) {
      return Promise.resolve({ status: 'failure', error: this.failure, reason: 'export_thread_unavailable' });
    }
    const id = this.nextId++;
    return new Promise<SendResult>((resolve) => {
      // NaN or a negative timeout is 0 here, as in the thread's NodeHttpTransport: NaN would make the grace timer
      // fire after 1 ms and end a healthy thread.
      const timeoutMs = options.timeoutMs > 0 ? options.timeoutMs : 0;
      const waitMs = Math.min(timeoutMs + ANSWER_GRACE_MS, MAX_TIMER_MS);
      // The thread enforces the timeout itself, so silence past it plus the grace means the thread is stuck (a
      // busy loop, a lost message): it is ended, its requests fail retryable, and the next send starts a new one.
      // Left running, it would keep every later request waiting out the whole grace as well.
      const timer = setTimeout(
        () => this.lost(worker, `the export thread did not answer within ${waitMs} ms`, true), waitMs);
      timer.unref();
      this.waiting.set(id, { resolve, timer });
      // A request in flight keeps the process alive, as a socket of an in-thread transport would.
      if (this.waiting.size === 1) worker.ref();
      // One copy into a buffer of our own, transferred (not cloned: a clone of a view would also carry its whole
      // ArrayBuffer, 64 MiB for a 1 KiB view into 64 MiB); `body` stays the caller's, untouched. What send() costs
      // the event loop for a 256 KiB body, 8 in flight (median of 1500, 3 interleaved rounds): 207 µs as a
      // structured clone (serialize, then a second copy), 53 µs this way.
      try {
        // Inside the try: a buffer that cannot be allocated (RangeError) must fail this request, not reject it.
        const buffer = this.takeBuffer(body.byteLength);
        new Uint8Array(buffer, 0, body.byteLength).set(body);
        const request: ExportThreadRequest = {
          id, buffer, bodyBytes: body.byteLength, timeoutMs: options.timeoutMs, gzip: options.gzip,
        };
        worker.postMessage(request, [buffer]);
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
    this.pool.length = 0;
    this.pooledBytes = 0;
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
      this.reuseBuffer(reply.buffer);
      this.answer(reply.id, reply.result);
    });
    worker.on('error', (error) => this.lost(worker, `the export thread failed: ${describeError(error)}`));
    worker.on('exit', (code) => this.lost(worker, `the export thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  /** The smallest pooled buffer that holds `bytes`, or a new one (the next power of two from 64 KiB, to 4 MiB). */
  private takeBuffer(bytes: number): ArrayBuffer {
    const pool = this.pool;
    let best = -1;
    for (let i = 0; i < pool.length; i++) {
      const size = pool[i]!.byteLength;
      if (size >= bytes && (best < 0 || size < pool[best]!.byteLength)) best = i;
    }
    if (best < 0) {
      if (bytes > MAX_ROUNDED_BUFFER_BYTES) return new ArrayBuffer(bytes);
      let size = MIN_BUFFER_BYTES;
      while (size < bytes) size *= 2;
      return new ArrayBuffer(size);
    }
    const buffer = pool[best]!;
    pool[best] = pool[pool.length - 1]!;
    pool.pop();
    this.pooledBytes -= buffer.byteLength;
    return buffer;
  }

  /** Keeps a buffer the thread handed back, while the pool has room for it. */
  private reuseBuffer(buffer: ArrayBuffer | undefined): void {
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
    if (this.pooledBytes + buffer.byteLength > POOL_MAX_BYTES) return;
    this.pool.push(buffer);
    this.pooledBytes += buffer.byteLength;
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
