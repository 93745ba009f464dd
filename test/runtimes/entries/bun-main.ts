// Bun entry of the runtime matrix, written as the README's Bun example: the web entry registered with the
// AsyncLocalStorage context manager, Bun.serve with the scenario handler wrapped in withRequestFlush (the flush is
// awaited before the response), exporting to the receiver URL given as the first argument. Prints the port.
import { AsyncLocalStorage } from 'node:async_hooks';
import { contextManagerForRuntime, createWebTracerProvider, withRequestFlush } from 'spanwire/web';
import { scenarioHandler } from './scenario-handler.js';
import { SCENARIO_SERVICE_NAME, scenarioResource } from '../scenario/trace-scenario.js';

declare const Bun: {
  argv: string[];
  version: string;
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): { port: number };
};

// A minute-long batch delay: spans reach the receiver only through the request-scoped flush, never the timer.
const provider = await createWebTracerProvider({
  url: Bun.argv[2]!, serviceName: SCENARIO_SERVICE_NAME, resource: scenarioResource('bun'), batch: { scheduledDelayMs: 60_000 },
});
provider.register({ contextManager: contextManagerForRuntime(AsyncLocalStorage) });

const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: withRequestFlush(provider, scenarioHandler('bun', `bun ${Bun.version}`, true)) });
console.log(`listening ${server.port}`);
