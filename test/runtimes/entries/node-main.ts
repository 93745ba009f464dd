// Node entry of the runtime matrix (Node 20 and 24): the web entry over Node's fetch, registered with the
// AsyncLocalStorage context manager, the scenario handler wrapped in withRequestFlush and called in-process (Node
// has no fetch-style server), the recording printed as JSON.
import { AsyncLocalStorage } from 'node:async_hooks';
import { contextManagerForRuntime, createWebTracerProvider, withRequestFlush } from 'spanwire/web';
import { scenarioHandler } from './scenario-handler.js';
import { SCENARIO_SERVICE_NAME, scenarioResource } from '../scenario/trace-scenario.js';

// A minute-long batch delay: spans reach the receiver only through the request-scoped flush, never the timer.
const provider = await createWebTracerProvider({
  url: process.argv[2]!, serviceName: SCENARIO_SERVICE_NAME, resource: scenarioResource('node'), batch: { scheduledDelayMs: 60_000 },
});
provider.register({ contextManager: contextManagerForRuntime(AsyncLocalStorage) });

const handle = withRequestFlush(provider, scenarioHandler('node', `node ${process.version}`, true));
const response = await handle(new Request('http://in-process/run'));
console.log(`recording ${await response.text()}`);
await provider.shutdown();
