// The README's Deno example, run as is by test/runtimes/package-examples.test.ts: unbundled, `npm:` specifiers
// resolved from a node_modules folder holding this package (its exports map and built dist/), Deno.serve.
// `deno run --allow-net=127.0.0.1 deno-server.ts http://127.0.0.1:4318/v1/traces`
import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from 'npm:@opentelemetry/api';
import { contextManagerForRuntime, createWebTracerProvider, withRequestFlush } from 'npm:spanwire/web';

const provider = await createWebTracerProvider({ url: Deno.args[0] ?? 'http://127.0.0.1:4318/v1/traces', serviceName: 'orders' });
provider.register({ contextManager: contextManagerForRuntime(AsyncLocalStorage) });

Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening ${port}`) },
  withRequestFlush(provider, (request) => trace.getTracer('orders').startActiveSpan('GET /api/orders/:id', async (span) => {
    await Promise.resolve(); // the handler's span stays active across await (AsyncLocalStorage)
    trace.getTracer('orders').startSpan('SELECT orders').end();
    span.setAttribute('url.path', new URL(request.url).pathname);
    span.end();
    return new Response('ok'); // returned once the request's spans were exported
  })));
