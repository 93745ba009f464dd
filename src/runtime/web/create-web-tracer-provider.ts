// Builds a tracer provider for fetch runtimes that may compile WebAssembly (browser pages, Web Workers, Deno, Bun):
// the codec is compiled and instantiated with the asynchronous WebAssembly API, which browsers require on the main
// thread for modules over 4 KiB. Never rejects: when the codec cannot load (a Content-Security-Policy without
// 'wasm-unsafe-eval', no WebAssembly) the provider runs in codec-unavailable mode and says why in codecError.
import { PreparedCodec, loadCodecAsync } from '../../codec/codec-module.js';
import { describeError } from '../../export/otlp-http-response.js';
import { SpanwireTracerProvider } from '../../sdk/tracer-provider.js';
import { type WebTracerOptions, createFetchExporter } from './fetch-exporter-options.js';
import { rememberPageExporter } from './page-exporters.js';

/** The codec instantiated asynchronously, or the reason it could not be. */
async function prepareCodec(source: WebAssembly.Module | BufferSource | undefined): Promise<PreparedCodec> {
  try {
    return PreparedCodec.loaded(await loadCodecAsync(source));
  } catch (error) {
    return PreparedCodec.failed(describeError(error));
  }
}

/**
 * A provider exporting OTLP/HTTP over fetch, gzip-compressed by the WASM codec, to `options.url`. Not registered
 * globally: call `provider.register()` (with a context manager) yourself. Pair it with withRequestFlush() in a
 * Deno or Bun server, or flushOnPageHide() in a page. `options.exporter`, when given, replaces the OTLP exporter.
 */
export async function createWebTracerProvider(options: WebTracerOptions): Promise<SpanwireTracerProvider> {
  const given: WebTracerOptions = options ?? { url: '' };
  const codec = await prepareCodec(given.codec);
  const exporter = given.exporter === undefined ? createFetchExporter(given) : undefined;
  const provider = new SpanwireTracerProvider({ ...given, codec, exporter: given.exporter ?? exporter });
  if (exporter !== undefined) rememberPageExporter(provider, exporter);
  return provider;
}
