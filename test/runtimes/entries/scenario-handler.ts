// Owns the fetch-style handler every server-shaped runtime entry serves (Deno.serve, Bun.serve, workerd, Node): it
// runs the trace scenario (and, with AsyncLocalStorage, its async-context part) on the registered global provider
// and answers with the recording as JSON. Portable.
import { trace } from '@opentelemetry/api';
import { runAsyncContextScenario, runTraceScenario } from '../scenario/trace-scenario.js';

/**
 * A handler answering every request with a fresh run of the scenario (every span ends before the response).
 * `asyncContext`: also run the part that needs an AsyncLocalStorage context manager.
 */
export function scenarioHandler(runtime: string, runtimeVersion: string, asyncContext: boolean):
  (request: Request, ...rest: unknown[]) => Promise<Response> {
  return async () => {
    const recording = runTraceScenario(trace.getTracerProvider(), runtime, runtimeVersion);
    if (asyncContext) recording.spans.push(...await runAsyncContextScenario(trace.getTracerProvider()));
    return Response.json(recording);
  };
}
