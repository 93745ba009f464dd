// The README's Bun example, run as is by test/runtimes/package-examples.test.ts: unbundled TypeScript, bare
// specifiers resolved from a node_modules folder holding this package (its exports map and built dist/), Bun.serve.
// `bun bun-server.ts http://127.0.0.1:4318/v1/traces`
import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { contextManagerForRuntime, createWebTracerProvider, withRequestFlush } from 'spanwire/web';

const provider = await createWebTracerProvider({ url: Bun.argv[2] ?? 'http://127.0.0.1:4318/v1/traces', serviceName: 'orders' });
provider.register({ contextManager: contextManagerForRuntime(AsyncLocalStorage) });

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: withRequestFlush(provider, (request: Request) => trace.getTracer('orders').startActiveSpan('GET /api/orders/:id', async (span) => {
    await Promise.resolve(); // the handler's span stays active across await (AsyncLocalStorage)
    trace.getTracer('orders').startSpan('SELECT orders').end();
    span.setAttribute('url.path', new URL(request.url).pathname);
    span.end();
    return new Response('ok'); // returned once the request's spans were exported
  })),
});
console.log(`listening ${server.port}`);
