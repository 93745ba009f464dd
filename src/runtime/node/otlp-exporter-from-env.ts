// Builds the OTLP trace exporter the environment asks for (OTEL_EXPORTER_OTLP_[TRACES_]* as parsed by
// readEnvConfig): OTLP/HTTP protobuf or JSON over node:http with WASM gzip, or OTLP/gRPC with grpc-js gzip. Node only.
// Never throws: unreadable certificate files are warned about and the exporter's sends fail with the reason.
import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import type { OtlpTraceExporterEnv } from '../../config/env-config.js';
import { type OtlpJsonExporterOptions, OtlpJsonTraceExporter } from '../../export/otlp-json-trace-exporter.js';
import { type OtlpExporterOptions, OtlpTraceExporter } from '../../export/otlp-trace-exporter.js';
import { createHttpTransport } from './create-http-transport.js';
import { GrpcTransport } from './otlp-grpc-transport.js';

/** Exporter options beyond the environment's (code wins over the environment); maxRequestBytes is http/json's. */
export type OtlpExporterOverrides = Partial<Omit<OtlpExporterOptions, 'transport'>>
  & Partial<Omit<OtlpJsonExporterOptions, 'transport'>>;

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
export function createOtlpExporterFromEnv(env: OtlpTraceExporterEnv, overrides: OtlpExporterOverrides = {}):
OtlpTraceExporter | OtlpJsonTraceExporter {
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
  const transport = createHttpTransport({
    url: env.endpoint, headers: env.headers,
    ...(json && { contentType: 'application/json' as const }),
    ...(env.certificate !== undefined && { ca: env.certificate }),
    ...(env.clientCertificate !== undefined && { cert: env.clientCertificate }),
    ...(env.clientKey !== undefined && { key: env.clientKey }),
  });
  return json
    ? new OtlpJsonTraceExporter({ timeoutMs: env.timeoutMs, compression, ...overrides, transport })
    : new OtlpTraceExporter({ timeoutMs: env.timeoutMs, compression, ...overrides, transport });
}
