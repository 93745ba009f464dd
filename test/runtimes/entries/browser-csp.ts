// Chromium entry for a page whose Content-Security-Policy lacks 'wasm-unsafe-eval': the codec cannot compile, the
// provider must still work (spans recorded, context propagated) and count every ended span as dropped.
import { trace } from '@opentelemetry/api';
import { runTraceScenario } from '../scenario/trace-scenario.js';
import { createBrowserProvider } from './browser-scenario.js';

declare global {
  interface Window {
    runWithoutWasm(): Promise<{ codecError: string | undefined; spans: number; stats: unknown }>;
  }
}

window.runWithoutWasm = async () => {
  const provider = await createBrowserProvider('chromium-csp');
  const recording = runTraceScenario(trace.getTracerProvider(), 'chromium-csp', navigator.userAgent);
  await provider.forceFlush();
  return {
    codecError: provider.codecError, spans: recording.spans.length, stats: provider.stats(),
  };
};
