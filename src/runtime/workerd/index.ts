// spanwire/workerd: the portable core plus the workerd (Cloudflare Workers) provider factory, which takes the
// precompiled codec module and arms no timers, and withRequestFlush for ctx.waitUntil. No node:* imports.
export * from '../../core-api.js';
export { createWorkerdTracerProvider, type WorkerdTracerOptions } from './create-workerd-tracer-provider.js';
export { type WebTracerOptions, createFetchExporter } from '../web/fetch-exporter-options.js';
export { withRequestFlush, type Flushable, type RequestFlushOptions } from '../web/with-request-flush.js';
