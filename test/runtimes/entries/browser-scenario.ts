// Owns the browser side of the matrix (page and Web Worker): a web-entry provider posting same-origin to
// /v1/traces, the scenario run through the global @opentelemetry/api, and an explicit flush. Browser-only globals.
import { trace } from '@opentelemetry/api';
import { StackContextManager, createWebTracerProvider } from 'spanwire/web';
import { SCENARIO_SERVICE_NAME, type ScenarioRecording, runTraceScenario, scenarioResource } from '../scenario/trace-scenario.js';

/** The provider every browser entry uses: 60 s batch delay, so only an explicit flush or pagehide delivers. */
export async function createBrowserProvider(runtime: string): Promise<Awaited<ReturnType<typeof createWebTracerProvider>>> {
  const provider = await createWebTracerProvider({
    url: new URL('/v1/traces', location.href).href, serviceName: SCENARIO_SERVICE_NAME, resource: scenarioResource(runtime),
    batch: { scheduledDelayMs: 60_000 },
  });
  // A page (or worker) has no AsyncLocalStorage: the stack context manager, as the README's page example registers.
  return provider.register({ contextManager: new StackContextManager() });
}

/** Runs the scenario and waits for its export; resolves with the recording. */
export async function runFlushedScenario(runtime: string): Promise<ScenarioRecording> {
  const provider = await createBrowserProvider(runtime);
  const recording = runTraceScenario(trace.getTracerProvider(), runtime, navigator.userAgent);
  await provider.forceFlush();
  return recording;
}
