// Builds a tracer provider for workerd (Cloudflare Workers), which refuses to compile WebAssembly from bytes: the
// codec is the precompiled module imported from 'spanwire/codec.wasm', instantiated synchronously (allowed at
// global scope). Timer-free: batches leave when full or on flush, never from a timer a finished request would
// leave behind; pair it with withRequestFlush. Never throws.
import { PreparedCodec } from '../../codec/codec-instance.js';
import { SpanwireTracerProvider } from '../../sdk/spanwire-tracer-provider.js';
import { type WebTracerOptions, createFetchExporter } from '../web/fetch-exporter-options.js';

/** WebTracerOptions with the codec module workerd requires. */
export interface WorkerdTracerOptions extends WebTracerOptions {
  /** `import codec from 'spanwire/codec.wasm'` (wrangler and miniflare import .wasm files as modules). */
  codec: WebAssembly.Module;
}

/**
 * A timer-free provider exporting OTLP/HTTP with gzip over fetch to `options.url`. Wrap the fetch handler with
 * withRequestFlush(provider, handler) so each request's spans leave through ctx.waitUntil. Not registered
 * globally: call `provider.register()` yourself. Without a `WebAssembly.Module` as `codec` the provider runs in
 * codec-unavailable mode (every span counted as dropped, `codecError` says why).
 */
export function createWorkerdTracerProvider(options: WorkerdTracerOptions): SpanwireTracerProvider {
  const given: Partial<WorkerdTracerOptions> = options ?? {};
  const codec = typeof WebAssembly === 'object' && given.codec instanceof WebAssembly.Module
    ? given.codec
    : PreparedCodec.failed("spanwire/workerd needs the codec module: import codec from 'spanwire/codec.wasm' " +
      'and pass { codec } (workerd cannot compile WebAssembly from bytes)');
  return new SpanwireTracerProvider({
    ...given,
    codec,
    exporter: given.exporter ?? createFetchExporter({ ...given, url: given.url ?? '' }),
    batch: { ...given.batch, timerFree: true },
  });
}
