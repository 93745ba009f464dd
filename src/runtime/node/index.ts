// spanwire/node: the portable core plus the Node adapter (register(), AsyncLocalStorage context, resource
// detection). Import this on Node (and on Bun/Deno through their Node compatibility).
export * from '../../index.js';
export { register, type NodeRegisterOptions } from './register.js';
export { createNodeContextManager } from './async-local-storage-context.js';
export { defaultServiceName, detectNodeResource } from './resource-detectors.js';
export { GrpcTransport, type GrpcTransportOptions } from './otlp-grpc-transport.js';
export { createOtlpExporterFromEnv, type NodeSendingOptions, type OtlpExporterOverrides } from './otlp-exporter-from-env.js';
export { ExportThreadTransport, type ExportThreadTransportOptions } from './export-thread-transport.js';
export { createHttpTransport, type CreateHttpTransportOptions } from './create-http-transport.js';
export { ThreadpoolGzipTransport, type ThreadpoolGzipOptions } from './threadpool-gzip-transport.js';
// OTLP/HTTP JSON (http/json): until the portable index exports it, spanwire/node does.
export { OtlpJsonTraceExporter, type OtlpJsonExporterOptions } from '../../export/otlp-json-trace-exporter.js';
export type { OtlpHttpContentType } from './otlp-http-node-transport.js';
