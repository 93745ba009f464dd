// Chromium pagehide entry of the matrix: ends the scenario's spans and leaves them queued (60 s batch delay), with
// flushOnPageHide installed, so only leaving the page can send them. The keepalive spy reports each request's flag to
// the receiver. Also opens POST /control/plain, a plain fetch the test watches being cut when the page goes.
import { trace } from '@opentelemetry/api';
import type { ScenarioRecording } from '../scenario/trace-scenario.js';
import { runTraceScenario } from '../scenario/trace-scenario.js';
import { createBrowserProvider } from './browser-scenario.js';
import { flushOnPageHide } from 'spanwire/web';
import { installKeepaliveSpy } from './keepalive-spy.js';

declare global {
  interface Window {
    queueScenarioUntilPagehide(): Promise<ScenarioRecording>;
  }
}

const realFetch = installKeepaliveSpy();

window.queueScenarioUntilPagehide = async () => {
  const provider = await createBrowserProvider('chromium-pagehide');
  flushOnPageHide(provider);
  const recording = runTraceScenario(trace.getTracerProvider(), 'chromium-pagehide', navigator.userAgent);
  void realFetch('/control/plain', { method: 'POST', body: 'plain fetch, no keepalive' }).catch(() => {});
  return recording;
};
