// Runtime matrix, Node: the scenario bundled for Node and run by the Node that runs this test (Node 20 in CI's first
// pass, Node 24 in the second), exporting through the web entry over fetch with gzip; the flush is awaited at the
// end of the handler, so every span is at the loopback receiver when the process prints its recording.
import { expect, it } from 'vitest';
import type { ScenarioRecording } from './scenario/trace-scenario.js';
import { checkDelivery, checkRequests } from './support/check-delivery.js';
import { ChildRuntime } from './support/child-runtime.js';
import { describeRuntime } from './support/runtime-gate.js';
import { useRuntimeFixture } from './support/runtime-fixture.js';

describeRuntime('node', () => '', () => {
  const fixture = useRuntimeFixture();

  it(`delivers every field of every span on Node ${process.version} (web entry, fetch, gzip, awaited flush)`, async () => {
    const { dir, receiver } = fixture;
    const bundle = await dir.bundle('node-main.ts', 'node-main.mjs', { platform: 'node' });
    const child = new ChildRuntime(process.execPath, [bundle.path, receiver.url], { cwd: dir.path });
    try {
      const recording = JSON.parse(await child.line('recording ')) as ScenarioRecording;
      expect(recording.runtimeVersion).toBe(`node ${process.version}`);
      checkRequests(receiver.requests);
      checkDelivery(recording, receiver.allSpans());
      expect(await child.exited(), child.output).toBe(0);
    } finally {
      await child.dispose();
    }
  });
});
