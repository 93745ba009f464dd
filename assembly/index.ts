// Export surface of the spanwire codec: every function the JS side may call, nothing else. Logic lives in the
// files re-exported here. Memory is imported (env.memory) and laid out by the JS side above heapBase(); no export
// allocates (stub runtime, raw loads/stores only).

/** First byte above the module's static data; the JS side places every region at or above it. */
export function heapBase(): usize {
  return __heap_base;
}

export { gzipScratchBytes, gzipBound, gzipCompress, crc32 } from './gzip';
export { setColumns } from './layout';
export { setResource, encodeBatch, encodeResource, encodeScope } from './otlp-encoder';
