// Remembers which OTLP exporter each provider built by spanwire/web sends through, so flushOnPageHide can send
// that provider's last spans as keepalive requests. Weak: a forgotten provider is collected with its entry.
import type { OtlpTraceExporter } from '../../export/otlp-trace-exporter.js';

const exporters = new WeakMap<object, OtlpTraceExporter>();

/** Records that `provider` exports through `exporter`. */
export function rememberPageExporter(provider: object, exporter: OtlpTraceExporter): void {
  exporters.set(provider, exporter);
}

/** The exporter createWebTracerProvider gave `provider`, if it built it. */
export function pageExporterOf(provider: object): OtlpTraceExporter | undefined {
  return exporters.get(provider);
}
