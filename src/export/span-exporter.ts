// The seam between span processing and transports: an exporter receives a batch of ended span slots and must
// consume them synchronously (encode or read them) because their slots are recycled as soon as export() returns;
// the returned outcome may settle later. Never throws (an exporter that throws counts as a failed export).
import type { SpanArena } from '../arena/span-arena.js';
import type { ExportWorkStats } from '../processing/export-work-meter.js';

/** A batch handed to an exporter: `count` ended span slots of `arena`, valid only during the export() call. */
export interface SpanBatch {
  readonly arena: SpanArena;
  readonly slots: Uint32Array;
  readonly count: number;
  /** The processor's export timeout: settle within it (the processor counts a later outcome as it comes). */
  readonly timeoutMs: number;
}

/** How an export ended, for accounting: every span of the batch is either delivered or dropped with a reason. */
export interface ExportOutcome {
  /** Spans the receiver accepted. */
  delivered: number;
  /** Spans lost, with the reason (a key of the stats' dropped table, e.g. 'export_failed'). */
  dropped: number;
  dropReason?: string;
  /** When spans were lost for several reasons (a split batch): the count per reason; the rest is dropReason's. */
  droppedBy?: Readonly<Record<string, number>>;
  /** Request bytes sent on the wire (after compression), for stats. */
  bytesSent?: number;
}

/** Receives batches of spans. Implementations: OTLP over HTTP/gRPC, in-memory (tests), console (debugging). */
export interface SpanwireExporter {
  /** Consume the batch now (its slots are recycled when this returns); report the outcome when known. */
  export(batch: SpanBatch): ExportOutcome | Promise<ExportOutcome>;
  /** Waits for work the exporter itself buffers; optional. */
  forceFlush?(): Promise<void>;
  /** Releases connections; after it, export() should report every span as dropped ('shutdown'). */
  shutdown(): Promise<void>;
  /**
   * The exporter's own synchronous work outside export() calls (deferred gzip parts, request starts), timed;
   * optional. stats().exportWork adds it to the processor's export() calls.
   */
  readonly exportWork?: ExportWorkStats;
}
