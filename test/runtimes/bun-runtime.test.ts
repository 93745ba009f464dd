// Runtime matrix, Bun (npm package `bun`, pinned in package.json): the scenario served by Bun.serve through the web
// entry, flushed at the end of the handler; every field of every span checked at the loopback receiver, including
// a child started after `await` under the AsyncLocalStorage context manager.
import { expect, it } from 'vitest';
import { BUN, bunEnv, missingBun } from './support/runtime-binaries.js';
import { describeRuntime } from './support/runtime-gate.js';
import { useRuntimeFixture } from './support/runtime-fixture.js';
import { runServedScenario } from './support/served-scenario.js';

describeRuntime('bun', missingBun, () => {
  const fixture = useRuntimeFixture();

  it('delivers every field of every span from a Bun.serve handler (web entry, fetch, gzip, awaited flush)', async () => {
    const { dir, receiver } = fixture;
    const bundle = await dir.bundle('bun-main.ts', 'bun-main.mjs', { platform: 'browser', external: ['node:async_hooks'] });
    const recording = await runServedScenario(BUN, [bundle.path, receiver.url], dir.path, receiver, bunEnv(dir.path));
    expect(recording.runtimeVersion).toMatch(/^bun \d+\.\d+\.\d+/);
  });
});
