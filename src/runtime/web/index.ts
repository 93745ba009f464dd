// spanwire/web: the portable core plus what fetch runtimes that may compile WebAssembly need (browser pages,
// Web Workers, Deno, Bun): an async-compiling provider factory and request/page-scoped flushing.
// Nothing in this entry's import graph imports node:* or touches Node globals.
export * from '../../index.js';
export { createWebTracerProvider } from './create-web-tracer-provider.js';
export { type WebTracerOptions, createFetchExporter } from './fetch-exporter-options.js';
export { withRequestFlush, type Flushable, type RequestFlushOptions } from './with-request-flush.js';
export { flushOnPageHide, type PageEventTarget, type PageHideFlushOptions } from './flush-on-page-hide.js';
