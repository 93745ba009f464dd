// Chromium Web Worker entry of the matrix: runs the scenario inside a dedicated module worker on message.
import { runFlushedScenario } from './browser-scenario.js';

addEventListener('message', () => {
  runFlushedScenario('chromium-worker').then(
    (recording) => postMessage(recording),
    (error: unknown) => postMessage({ error: String(error) }),
  );
});
