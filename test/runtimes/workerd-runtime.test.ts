// Runtime matrix, workerd (through miniflare, pinned in package.json): the codec loaded as a CompiledWasm module,
// the scenario run in a fetch handler whose flush goes to ctx.waitUntil. Proves the request-end case: the response
// returns while the receiver still holds the export, and the waitUntil flush then delivers every span (the workerd
// provider arms no timers, so nothing else could); the provider's accounting shows nothing dropped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScenarioRecording } from './scenario/trace-scenario.js';
import { CODEC_WASM_PATH, REPO_ROOT } from './support/bundle-entry.js';
import { checkDelivery, checkRequests } from './support/check-delivery.js';
import { until } from './support/wait-until.js';
import { describeRuntime } from './support/runtime-gate.js';
import { useRuntimeFixture } from './support/runtime-fixture.js';

const require = createRequire(import.meta.url);

function missingMiniflare(): string {
  try {
    require.resolve('miniflare', { paths: [REPO_ROOT] });
    return '';
  } catch {
    return 'miniflare is not installed (npm ci installs the pinned version)';
  }
}

describeRuntime('workerd', missingMiniflare, () => {
  const fixture = useRuntimeFixture();
  let miniflare: import('miniflare').Miniflare;
  let workerdVersion: string;

  beforeAll(async () => {
    const { dir, receiver } = fixture;
    workerdVersion = `workerd ${(JSON.parse(readFileSync(require.resolve('workerd/package.json', { paths: [REPO_ROOT] }), 'utf8')) as { version: string }).version}`;
    const bundle = await dir.bundle('workerd-worker.ts', 'worker.mjs', {
      platform: 'browser', external: ['spanwire/codec.wasm'], values: { OTLP_URL: receiver.url, WORKERD_VERSION: workerdVersion },
    });
    const { Miniflare } = await import('miniflare');
    miniflare = new Miniflare({
      modules: [
        { type: 'ESModule', path: join(dir.path, 'worker.mjs'), contents: bundle.code },
        // Named as the worker imports it: `import codec from 'spanwire/codec.wasm'`.
        { type: 'CompiledWasm', path: join(dir.path, 'spanwire/codec.wasm'), contents: readFileSync(CODEC_WASM_PATH) },
      ],
      modulesRoot: dir.path,
      compatibilityDate: '2026-07-01',
    });
    await miniflare.ready;
  }, 60_000);

  afterAll(async () => {
    await miniflare?.dispose();
  });

  it('delivers every span through ctx.waitUntil after the response has returned (no timer, nothing lost)', async () => {
    const { receiver } = fixture;
    // Hold the export at the receiver: the worker's response must not wait for it.
    receiver.script = () => ({ stall: true });
    const response = await miniflare.dispatchFetch('http://worker.test/run');
    expect(response.status).toBe(200);
    const recording = (await response.json()) as ScenarioRecording;
    expect(recording.runtimeVersion).toBe(workerdVersion);
    expect(receiver.accepted.size, 'nothing delivered before the response').toBe(0);

    // After the response: the waitUntil flush's request arrives and, once answered, every span is delivered.
    await until(() => receiver.stalledCount > 0, 'the export request issued by the waitUntil flush');
    receiver.script = () => ({});
    receiver.release();
    await until(() => receiver.accepted.size >= recording.spans.length, 'every span accepted');

    checkRequests(receiver.requests);
    checkDelivery(recording, [...receiver.accepted.values()]);
    expect(receiver.duplicates).toEqual([]);

    const stats = (await (await miniflare.dispatchFetch('http://worker.test/stats')).json()) as {
      started: number; exported: number; droppedTotal: number;
    };
    expect({ started: stats.started, exported: stats.exported, droppedTotal: stats.droppedTotal })
      .toEqual({ started: recording.spans.length, exported: recording.spans.length, droppedTotal: 0 });
  });
});
