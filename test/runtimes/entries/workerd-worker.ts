// workerd entry of the runtime matrix (run by miniflare): the codec arrives as a precompiled WebAssembly.Module
// (workerd refuses to compile bytes), the provider is made once per isolate, and every request runs the scenario
// through withRequestFlush, which hands the flush to ctx.waitUntil: the response leaves at once, delivery follows.
// GET /stats answers the provider's span accounting (for the test's no-loss check).
import { trace } from '@opentelemetry/api';
import codec from 'spanwire/codec.wasm';
import { createWorkerdTracerProvider, withRequestFlush } from 'spanwire/workerd';
import { scenarioHandler } from './scenario-handler.js';
import { SCENARIO_SERVICE_NAME, scenarioResource } from '../scenario/trace-scenario.js';

interface Env { OTLP_URL: string; WORKERD_VERSION: string }
interface ExecutionContext { waitUntil(promise: Promise<unknown>): void }

let provider: ReturnType<typeof createWorkerdTracerProvider> | undefined;
let handle: ((request: Request, env: Env, ctx: ExecutionContext) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    if (provider === undefined) {
      // Timer-free provider: only the waitUntil flush can deliver the request's spans.
      provider = createWorkerdTracerProvider({
        codec, url: env.OTLP_URL, serviceName: SCENARIO_SERVICE_NAME, resource: scenarioResource('workerd'),
      });
      trace.setGlobalTracerProvider(provider);
      handle = withRequestFlush(provider, scenarioHandler('workerd', env.WORKERD_VERSION));
    }
    if (new URL(request.url).pathname === '/stats') return Response.json(provider.stats());
    return handle!(request, env, ctx);
  },
};
