// Builds the OTLP trace exporter the environment asks for (OTEL_EXPORTER_OTLP_[TRACES_]* as parsed by
// readEnvConfig): OTLP/HTTP protobuf or JSON over node:http with WASM gzip, or OTLP/gRPC with grpc-js gzip. Node only.
// Never throws: unreadable certificate files are warned about and the exporter's sends fail with the reason.
import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import type { OtlpTraceExporterEnv } from '../../config/env-config.js';
import { type OtlpJsonExporterOptions, OtlpJsonTraceExporter } from '../../export/otlp-json-trace-exporter.js';
import { type OtlpExporterOptions, OtlpTraceExporter } from '../../export/otlp-trace-exporter.js';
import { createHttpTransport } from './create-http-transport.js';
import { ExportThreadTransport } from './export-thread-transport.js';
import { GrpcTransport } from './otlp-grpc-transport.js';

/** Exporter options beyond the environment's (code wins over the environment); maxRequestBytes is http/json's. */
export type OtlpExporterOverrides = Partial<Omit<OtlpExporterOptions, 'transport'>>
  & Partial<Omit<OtlpJsonExporterOptions, 'transport'>>;

/** How OTLP/HTTP requests leave the process: what no OTEL_* variable says. */
export interface NodeSendingOptions {
  /**
   * Send OTLP/HTTP from a worker thread of the exporter's own (ExportThreadTransport): gzip and node:http leave the
   * event loop, which keeps only the protobuf encode. `{ threadUrl }` names the thread's entry module when a bundler
   * moved it (default: export-thread.js beside the transport's module). gRPC ignores it. Default false.
   */
  exportThread?: boolean | { threadUrl: URL };
}

/** Reads a PEM file named by an OTEL_* variable; undefined (and a warning) when it cannot be read. */
function readPem(path: string | undefined, variable: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    diag.warn(`spanwire: cannot read ${variable} file ${path} (${(error as Error).message}); TLS will fail`);
    return undefined;
  }
}

/**
 * The exporter for `env`: 'grpc' → GrpcTransport (grpc-js compresses with gzip unless compression is 'none');
 * 'http/protobuf' (the default) → OtlpTraceExporter over node:http with the WASM codec's gzip; 'http/json' →
 * OtlpJsonTraceExporter over node:http (Content-Type application/json) with the same gzip. 'none' turns gzip off.
 */
export function createOtlpExporterFromEnv(
  env: OtlpTraceExporterEnv, overrides: OtlpExporterOverrides = {}, sending: NodeSendingOptions = {},
): OtlpTraceExporter | OtlpJsonTraceExporter {
  const compression = env.compression ?? 'gzip';
  if (env.protocol === 'grpc') {
    const transport = new GrpcTransport({
      url: env.endpoint, headers: env.headers, compression, insecure: env.insecure,
      credentials: {
        ca: readPem(env.certificate, 'OTEL_EXPORTER_OTLP_CERTIFICATE'),
        cert: readPem(env.clientCertificate, 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE'),
        key: readPem(env.clientKey, 'OTEL_EXPORTER_OTLP_CLIENT_KEY'),
      },
    });
    return new OtlpTraceExporter({ timeoutMs: env.timeoutMs, ...overrides, transport, compression: 'none' });
  }
  const json = env.protocol === 'http/json';
  const http = {
    url: env.endpoint, headers: env.headers,
    ...(json && { contentType: 'application/json' as const }),
    ...(env.certificate !== undefined && { ca: env.certificate }),
    ...(env.clientCertificate !== undefined && { cert: env.clientCertificate }),
    ...(env.clientKey !== undefined && { key: env.clientKey }),
  };
  const thread = sending.exportThread;
  // The thread gzips (or not) as the exporter would have (the exporter hands such a transport plain bodies).
  const transport = thread === undefined || thread === false ? createHttpTransport(http)
    : new ExportThreadTransport({
      ...http, compression: overrides.compression ?? compression,
      ...(overrides.gzipLevel !== undefined && { gzipLevel: overrides.gzipLevel }),
      ...(thread !== true && { threadUrl: thread.threadUrl }),
    });
  return json
    ? new OtlpJsonTraceExporter({ timeoutMs: env.timeoutMs, compression, ...overrides, transport })
    : new OtlpTraceExporter({ timeoutMs: env.timeoutMs, compression, ...overrides, transport });
}
