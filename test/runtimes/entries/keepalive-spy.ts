// Owns the pagehide test's view of fetch's `keepalive` flag, which no request header or DevTools event exposes: a
// wrapper around globalThis.fetch copies the flag into a request header the receiver reads. Side-effect free on import.

/** The header that tells the receiver whether the caller asked fetch for keepalive ('true' / 'false'). */
export const KEEPALIVE_HEADER = 'x-test-fetch-keepalive';

/**
 * Wraps globalThis.fetch (spanwire's fetch transport looks it up at each send) and returns the unwrapped one.
 * Call before the provider exists.
 */
export function installKeepaliveSpy(): typeof fetch {
  const realFetch = globalThis.fetch.bind(globalThis);
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set(KEEPALIVE_HEADER, String(init?.keepalive === true));
    return realFetch(input, { ...init, headers });
  };
  return realFetch;
}
