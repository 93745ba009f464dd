// Chromium page entry of the matrix: exposes the scenario to the test (page.evaluate) and, for the worker case,
// runs it in a module Web Worker and relays the recording.
import type { ScenarioRecording } from '../scenario/trace-scenario.js';
import { runFlushedScenario } from './browser-scenario.js';

declare global {
  interface Window {
    runPageScenario(): Promise<ScenarioRecording>;
    runWorkerScenario(): Promise<ScenarioRecording>;
  }
}

window.runPageScenario = () => runFlushedScenario('chromium-page');

window.runWorkerScenario = () => new Promise((resolve, reject) => {
  const worker = new Worker('/browser-worker.js', { type: 'module' });
  worker.onmessage = (event: MessageEvent<ScenarioRecording | { error: string }>) => {
    worker.terminate();
    if ('error' in event.data) reject(new Error(event.data.error));
    else resolve(event.data);
  };
  worker.onerror = (event) => reject(new Error(`worker failed: ${event.message}`));
  worker.postMessage('run');
});
