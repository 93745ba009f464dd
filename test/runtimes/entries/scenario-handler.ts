// Owns the fetch-style handler every server-shaped runtime entry serves (Deno.serve, Bun.serve, workerd, Node): it
// runs the trace scenario on the registered global provider and answers with the recording as JSON. Portable.
import { trace } from '@opentelemetry/api';
import { runTraceScenario } from '../scenario/trace-scenario.js';

/** A handler answering every request with a fresh run of the scenario (the spans end before the response). */
export function scenarioHandler(runtime: string, runtimeVersion: string): (request: Request) => Response {
  return () => Response.json(runTraceScenario(trace.getTracerProvider(), runtime, runtimeVersion));
}
