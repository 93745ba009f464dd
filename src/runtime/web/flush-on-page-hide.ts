// Sends a page's ended spans before it goes away: on visibilitychange to hidden and on pagehide (the last events
// a page reliably gets, per the Page Lifecycle API; unload/beforeunload are not fired on mobile or with bfcache),
// everything queued is exported at once as fetch keepalive requests, which outlive the page. Fetch spec: at most
// 64 KiB of keepalive bodies in flight per page, so bodies are gzipped and split to fit; what does not fit is
// counted as dropped ('keepalive_budget'). Never throws; a no-op where there is no page (Web Workers, servers).
import { diag } from '@opentelemetry/api';
import { pageExporterOf } from './page-exporters.js';
import type { Flushable } from './with-request-flush.js';

/** The part of window / document this needs. */
export interface PageEventTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Where the page's lifecycle events come from (defaults: the global window and document). */
export interface PageHideFlushOptions {
  /** Fires pagehide; default `globalThis` (the window). */
  window?: PageEventTarget;
  /** Fires visibilitychange and has visibilityState; default `globalThis.document`. */
  document?: PageEventTarget & { readonly visibilityState?: string };
}

let warnedNotWeb = false;

function isEventTarget(value: unknown): value is PageEventTarget {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PageEventTarget).addEventListener === 'function' &&
    typeof (value as PageEventTarget).removeEventListener === 'function';
}

/**
 * Exports what `provider` has queued whenever the page is hidden or hidden for good: on `visibilitychange` to
 * hidden and on `pagehide`. With a provider from createWebTracerProvider the requests are `fetch(url,
 * { keepalive: true })`, gzipped, at most ~32 KiB of protobuf each, all within the 64 KiB keepalive budget; spans
 * beyond the budget are dropped and counted ('keepalive_budget'). Any other provider is just flushed.
 * Returns a function that removes the listeners.
 *
 * ```ts
 * const provider = await createWebTracerProvider({ url: 'https://collector.example.com/v1/traces' });
 * const stop = flushOnPageHide(provider);
 * ```
 */
export function flushOnPageHide(provider: Flushable, options: PageHideFlushOptions = {}): () => void {
  try {
    const global = globalThis as { document?: unknown };
    const win = options?.window ?? (globalThis as unknown);
    const doc = options?.document ?? global.document;
    const exporter = pageExporterOf(provider);
    if (exporter === undefined && !warnedNotWeb) {
      warnedNotWeb = true;
      diag.warn('spanwire: flushOnPageHide() got a provider not built by createWebTracerProvider(); its spans ' +
        'are flushed on pagehide without fetch keepalive and may be lost with the page');
    }
    const flushNow = (): void => {
      try {
        // forceFlush() starts every export (and so every fetch) before its first await: inside withKeepalive.
        if (exporter !== undefined) void exporter.withKeepalive(() => provider.forceFlush());
        else void provider.forceFlush();
      } catch { /* never into the page's event dispatch */ }
    };
    const onVisibilityChange = (): void => {
      try {
        if ((doc as { visibilityState?: string }).visibilityState === 'hidden') flushNow();
      } catch { /* a throwing getter: nothing to do */ }
    };
    const listening: [PageEventTarget, string, () => void][] = [];
    if (isEventTarget(doc)) listening.push([doc, 'visibilitychange', onVisibilityChange]);
    if (isEventTarget(win)) listening.push([win, 'pagehide', flushNow]);
    for (const [target, type, listener] of listening) target.addEventListener(type, listener);
    return () => {
      for (const [target, type, listener] of listening) {
        try {
          target.removeEventListener(type, listener);
        } catch { /* already gone */ }
      }
      listening.length = 0;
    };
  } catch {
    return () => {};
  }
}
