// Node only: a Transport decorator that gzips request bodies on libuv's thread pool (node:zlib, async) instead of
// in the WASM codec on the event-loop thread, then hands the compressed body to the wrapped transport. Use it with
// an exporter set to compression 'none': the producer thread then pays the protobuf encode only (about 0.5 µs per
// canonical span) and not the ~1.6 µs of gzip. Must never compress a body that is already compressed, never
// reject, and never read `body` after send() settles (the caller owns it again).
import { constants, gzip } from 'node:zlib';
import type { SendOptions, SendResult, Transport } from '../../export/transport.js';

/** zlib level 1: the speed of the WASM codec's default level; 4 % larger output than level 6 on OTLP here. */
const DEFAULT_LEVEL = 1;

export interface ThreadpoolGzipOptions {
  /** zlib level 1-9 (default 1). */
  level?: number;
}

function gzipOnThreadPool(body: Uint8Array, level: number): Promise<Uint8Array | Error> {
  return new Promise((resolve) => {
    try {
      gzip(body, { level, strategy: constants.Z_DEFAULT_STRATEGY }, (error, result) => {
        resolve(error ? error : new Uint8Array(result.buffer, result.byteOffset, result.byteLength));
      });
    } catch (error) {
      resolve(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export class ThreadpoolGzipTransport implements Transport {
  private readonly level: number;

  constructor(private readonly inner: Transport, options: ThreadpoolGzipOptions = {}) {
    const level = options.level ?? DEFAULT_LEVEL;
    this.level = Number.isInteger(level) && level >= 1 && level <= 9 ? level : DEFAULT_LEVEL;
  }

  async send(body: Uint8Array, options: SendOptions): Promise<SendResult> {
    if (options.gzip) return this.inner.send(body, options);
    const compressed = await gzipOnThreadPool(body, this.level);
    if (compressed instanceof Error) {
      return { status: 'failure', error: `gzip failed: ${compressed.message}` };
    }
    return this.inner.send(compressed, { ...options, gzip: true });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
