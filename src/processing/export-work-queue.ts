// One queue for the deferred export work of every processor and exporter in this JavaScript realm (the batch
// processors' drains, each with its WASM encode; the OTLP senders' gzip parts and request starts), run one piece
// per macrotask, in order. The event loop is one per realm, so the queue is too: two separate setImmediate chains
// (processor and sender, as before) landed in the same check phase, and a drain (encode of 512 spans, 0.4-0.8 ms)
// plus a gzip part (0.25-0.4 ms) plus a producer's chunk made loop turns of 1-3 ms with no GC in them.
// Portable (inMacrotask: setImmediate, else setTimeout 0); never lets a throwing piece stop the queue.
import { inMacrotask } from './unref-timeout.js';

export class ExportWorkQueue {
  private readonly pieces: (() => void)[] = [];
  private running = false;
  private readonly runNext = (): void => {
    const piece = this.pieces.shift();
    try {
      piece?.();
    } catch {
      // Each owner settles its own promises inside its piece; a throw here must not strand the pieces behind it.
    }
    if (this.pieces.length > 0) inMacrotask(this.runNext);
    else this.running = false;
  };

  /** Runs `piece` in a macrotask of its own, after every piece queued before it. */
  enqueue(piece: () => void): void {
    this.pieces.push(piece);
    if (!this.running) {
      this.running = true;
      inMacrotask(this.runNext);
    }
  }

  /** Pieces waiting (for tests and stats). */
  get length(): number {
    return this.pieces.length;
  }
}

/** The realm's queue: every processor and sender shares it, so one loop turn holds at most one piece. */
export const exportWorkQueue = new ExportWorkQueue();
