// Runtime matrix, Deno (npm package `deno`, pinned in package.json): the scenario served by Deno.serve through the
// web entry, flushed at the end of the handler; every field of every span checked at the loopback receiver,
// including a child started after `await` under the AsyncLocalStorage context manager.
import { expect, it } from 'vitest';
import { denoRun, DENO, missingDeno } from './support/runtime-binaries.js';
import { describeRuntime } from './support/runtime-gate.js';
import { useRuntimeFixture } from './support/runtime-fixture.js';
import { runServedScenario } from './support/served-scenario.js';

describeRuntime('deno', missingDeno, () => {
  const fixture = useRuntimeFixture();

  it('delivers every field of every span from a Deno.serve handler (web entry, fetch, gzip, awaited flush)', async () => {
    const { dir, receiver } = fixture;
    const bundle = await dir.bundle('deno-main.ts', 'deno-main.mjs', { platform: 'browser', external: ['node:async_hooks'] });
    const deno = denoRun(dir.path);
    // --no-config: the bundle is self-contained, nothing to resolve.
    const recording = await runServedScenario(DENO, [...deno.args, '--no-config', '--no-remote', bundle.path, receiver.url],
      dir.path, receiver, deno.env);
    expect(recording.runtimeVersion).toMatch(/^deno \d+\.\d+\.\d+/);
  });
});
