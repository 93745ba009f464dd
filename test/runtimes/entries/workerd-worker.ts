// workerd entry of the runtime matrix (run by miniflare), written as the README's workerd example: the codec arrives
// as a precompiled WebAssembly.Module (workerd refuses to compile bytes), the provider is created and registered at
// global scope (it arms no timer and draws no random numbers there, which workerd forbids), and every request runs
// the scenario through withRequestFlush, which hands the flush to ctx.waitUntil: the response leaves at once,
// delivery follows. GET /stats answers the provider's span accounting (for the test's no-loss check).
import codec from 'spanwire/codec.wasm';
import { createWorkerdTracerProvider, withRequestFlush } from 'spanwire/workerd';
import { scenarioHandler } from './scenario-handler.js';
import { SCENARIO_SERVICE_NAME, scenarioResource } from '../scenario/trace-scenario.js';

/** The receiver's URL and workerd's version, written into the bundle by the test (esbuild `define`). */
declare const OTLP_URL: string;
declare const WORKERD_VERSION: string;

const provider = createWorkerdTracerProvider({
  codec, url: OTLP_URL, serviceName: SCENARIO_SERVICE_NAME, resource: scenarioResource('workerd'),
}).register();

const runScenario = scenarioHandler('workerd', WORKERD_VERSION, false);

// The wrapped handler is the module's fetch itself, as in the README: workerd must hand it (request, env, ctx) for
// withRequestFlush to find ctx.waitUntil.
export default {
  fetch: withRequestFlush(provider, async (request: Request) => (new URL(request.url).pathname === '/stats'
    ? Response.json(provider.stats())
    : runScenario(request))),
};
