// TEMPORARY stand-in for spanwire/web and spanwire/workerd (issue 6) until those entries land: the same surface
// (createWebTracerProvider, createWorkerdTracerProvider, withRequestFlush) built from the core API.
import {
  type CodecSource, FetchTransport, OtlpTraceExporter, type SpanwireOptions, SpanwireTracerProvider,
} from 'spanwire';

export interface EdgeOptions extends SpanwireOptions {
  url: string;
  headers?: Record<string, string>;
  compression?: 'gzip' | 'none';
  codec?: CodecSource;
}

export function createWorkerdTracerProvider(options: EdgeOptions): SpanwireTracerProvider {
  const transport = new FetchTransport({ url: options.url, headers: options.headers ?? {} });
  return new SpanwireTracerProvider({
    ...options, exporter: new OtlpTraceExporter({ transport, compression: options.compression ?? 'gzip' }),
  });
}

export async function createWebTracerProvider(options: EdgeOptions): Promise<SpanwireTracerProvider> {
  return createWorkerdTracerProvider(options);
}

interface WaitUntil { waitUntil(promise: Promise<unknown>): void }

export function withRequestFlush<A extends unknown[]>(provider: SpanwireTracerProvider,
  handler: (request: Request, ...rest: A) => Response | Promise<Response>) {
  return async (request: Request, ...rest: A): Promise<Response> => {
    try {
      return await handler(request, ...rest);
    } finally {
      const ctx = rest[1] as Partial<WaitUntil> | undefined;
      if (typeof ctx?.waitUntil === 'function') ctx.waitUntil(provider.forceFlush());
      else await provider.forceFlush();
    }
  };
}

export function flushOnPageHide(provider: SpanwireTracerProvider): () => void {
  const listener = (): void => { void provider.forceFlush(); };
  addEventListener('pagehide', listener);
  return () => removeEventListener('pagehide', listener);
}
