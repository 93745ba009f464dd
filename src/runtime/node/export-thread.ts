// The export thread's entry (a node:worker_threads Worker started by ExportThreadTransport): gzips each plain
// request body with its own instance of the embedded WASM codec and POSTs it with NodeHttpTransport, answering
// every request exactly once with its SendResult. Holds no spans and no accounting (the exporter on the event-loop
// thread keeps both). Must never throw out of a message handler: every failure becomes an answer.
import { parentPort, workerData } from 'node:worker_threads';
import { loadCodec } from '../../codec/codec-module.js';
import { WasmGzip } from '../../codec/wasm-gzip.js';
import { describeError } from '../../export/otlp-http-response.js';
import type { SendResult } from '../../export/transport.js';
import type { ExportThreadConfig, ExportThreadReply, ExportThreadRequest } from './export-thread-transport.js';
import { NodeHttpTransport } from './otlp-http-node-transport.js';

const port = parentPort;
const config = workerData as ExportThreadConfig;
const transport = new NodeHttpTransport(config.http);
let gzip: WasmGzip | undefined;
let gzipError = '';
if (config.compression === 'gzip') {
  try {
    gzip = new WasmGzip(loadCodec());
  } catch (error) {
    gzipError = `spanwire: the export thread cannot load the WASM codec for gzip: ${describeError(error)}`;
  }
}

async function send(request: ExportThreadRequest): Promise<SendResult> {
  let body: Uint8Array = new Uint8Array(request.buffer, 0, request.bodyBytes);
  let compressed = request.gzip;
  if (!compressed && config.compression === 'gzip') {
    if (gzip === undefined) return { status: 'failure', error: gzipError };
    try {
      body = gzip.gzip(body, config.gzipLevel);
      compressed = true;
    } catch (error) {
      return { status: 'failure', error: `spanwire: gzip failed on the export thread: ${describeError(error)}` };
    }
  }
  const result = await transport.send(body, { timeoutMs: request.timeoutMs, gzip: compressed });
  // The exporter handed over the plain body: only here is the wire size known (its stats().bytesSent).
  return result.status === 'success' ? { ...result, sentBytes: body.byteLength } : result;
}

/**
 * Answers a request and hands its buffer back (transferred) for the next body. Only once the send settled: an
 * uncompressed body is written from the buffer itself, and NodeHttpTransport lets go of it only then.
 */
function answer(request: ExportThreadRequest, result: SendResult): void {
  const reply: ExportThreadReply = { id: request.id, result, buffer: request.buffer };
  try {
    port?.postMessage(reply, [request.buffer]);
  } catch {
    // The port is closed (shutdown): the transport has failed this request already, when the thread exited.
  }
}

port?.on('message', (message: ExportThreadRequest | { id: 0; shutdown: true }) => {
  if ('shutdown' in message) {
    // In-flight sends settle as failures when their connections close; then the port closes and the thread ends.
    void transport.shutdown().then(() => port.close(), () => port.close());
    return;
  }
  send(message).then((result) => answer(message, result), (error: unknown) => answer(message, {
    status: 'failure', error: `spanwire: the export thread failed on a request: ${describeError(error)}`,
  }));
});
