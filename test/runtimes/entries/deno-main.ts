// Deno entry of the runtime matrix, written as the README's Deno example: the web entry registered with the
// AsyncLocalStorage context manager, Deno.serve with the scenario handler wrapped in withRequestFlush (the flush is
// awaited before the response), exporting to the receiver URL given as the first argument. Prints the port.
import { AsyncLocalStorage } from 'node:async_hooks';
import { contextManagerForRuntime, createWebTracerProvider, withRequestFlush } from 'spanwire/web';
import { scenarioHandler } from './scenario-handler.js';
import { SCENARIO_SERVICE_NAME, scenarioResource } from '../scenario/trace-scenario.js';

declare const Deno: {
  args: string[];
  version: { deno: string };
  serve(options: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: (request: Request) => Promise<Response>): unknown;
};

// A minute-long batch delay: spans reach the receiver only through the request-scoped flush, never the timer.
const provider = await createWebTracerProvider({
  url: Deno.args[0]!, serviceName: SCENARIO_SERVICE_NAME, resource: scenarioResource('deno'), batch: { scheduledDelayMs: 60_000 },
});
provider.register({ contextManager: contextManagerForRuntime(AsyncLocalStorage) });

Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening ${port}`) },
  withRequestFlush(provider, scenarioHandler('deno', `deno ${Deno.version.deno}`, true)));
