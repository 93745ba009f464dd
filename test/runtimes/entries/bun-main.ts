// Bun entry of the runtime matrix: Bun.serve with the scenario handler wrapped in withRequestFlush (the flush is
// awaited before the response), exporting to the receiver URL given as the first argument. Prints the port.
import { trace } from '@opentelemetry/api';
import { createWebTracerProvider, withRequestFlush } from 'spanwire/web';
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
trace.setGlobalTracerProvider(provider);

const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: withRequestFlush(provider, scenarioHandler('bun', `bun ${Bun.version}`)) });
console.log(`listening ${server.port}`);
