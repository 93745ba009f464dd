// Ties span export to a request in fetch-handler runtimes: after the handler settles, the spans it ended are
// flushed, via ctx.waitUntil() on workerd (the response leaves at once, the isolate stays until the export
// settled) or by awaiting the flush before the response is returned (Deno.serve, Bun.serve). Never throws
// anything of its own; the handler's result and errors pass through unchanged.

/** What withRequestFlush needs of a provider. */
export interface Flushable {
  forceFlush(timeoutMs?: number): Promise<void>;
}

/** How the flush after each request behaves. */
export interface RequestFlushOptions {
  /**
   * The longest the flush may take (default: the provider's export timeout, 30000 ms). With an awaited flush
   * (Deno, Bun) it bounds the delay added to each response; spans still in flight then are counted when they settle.
   */
  timeoutMs?: number;
}

/** workerd's ExecutionContext, as far as it matters here. */
interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

function hasWaitUntil(value: unknown): value is WaitUntilContext {
  try {
    return value !== null && typeof value === 'object' &&
      typeof (value as { waitUntil?: unknown }).waitUntil === 'function';
  } catch {
    return false; // a throwing getter: not a context we can use
  }
}

/**
 * The request's waitUntil owner: the handler's third argument (workerd module syntax `fetch(request, env, ctx)`),
 * else `this.ctx` (a WorkerEntrypoint class method), else none.
 */
function waitUntilContext(self: unknown, args: readonly unknown[]): WaitUntilContext | undefined {
  if (hasWaitUntil(args[2])) return args[2];
  try {
    const ctx = self !== null && typeof self === 'object' ? (self as { ctx?: unknown }).ctx : undefined;
    if (hasWaitUntil(ctx)) return ctx;
  } catch { /* a throwing getter: no context */ }
  return undefined;
}

/** provider.forceFlush() that never throws or rejects, whatever the provider does. */
async function flushQuietly(provider: Flushable, timeoutMs: number | undefined): Promise<void> {
  try {
    await provider.forceFlush(timeoutMs);
  } catch { /* a flush failure is counted by the provider; it must not become the request's failure */ }
}

/**
 * Wraps a fetch-style handler `(request, ...rest) => Response | Promise<Response>` so that, once it has settled
 * (returned, resolved, thrown or rejected), the spans ended during the request are exported before the runtime
 * may freeze or end: `ctx.waitUntil(provider.forceFlush())` when the third argument (or `this.ctx`) has
 * waitUntil (workerd), otherwise an awaited flush before the response is returned (Deno, Bun).
 *
 * ```ts
 * export default { fetch: withRequestFlush(provider, async (request, env, ctx) => new Response('ok')) };
 * Deno.serve(withRequestFlush(provider, (request) => new Response('ok')));
 * ```
 */
export function withRequestFlush<Args extends unknown[], Result>(
  provider: Flushable,
  handler: (...args: Args) => Result,
  options: RequestFlushOptions = {},
): (...args: Args) => Promise<Awaited<Result>> {
  const timeoutMs = options?.timeoutMs;
  const wrapped = async function flushingHandler(this: unknown, ...args: Args): Promise<Awaited<Result>> {
    try {
      return await handler.apply(this, args);
    } finally {
      const ctx = waitUntilContext(this, args);
      let handedOver = false;
      if (ctx !== undefined) {
        try {
          ctx.waitUntil(flushQuietly(provider, timeoutMs));
          handedOver = true;
        } catch { /* waitUntil refused (the request already ended): flush before answering instead */ }
      }
      if (!handedOver) await flushQuietly(provider, timeoutMs);
    }
  };
  // Runtimes read a handler's arity: Deno.serve calls a handler of length 0 with no arguments at all (it skips
  // building the Request), and a rest-parameter wrapper has length 0. Keep the handler's, and at least the request.
  try {
    Object.defineProperty(wrapped, 'length', { value: Math.max(1, handler.length | 0) });
  } catch { /* a frozen Function.prototype: the wrapper keeps length 0 (only Deno's zero-argument path cares) */ }
  return wrapped;
}
