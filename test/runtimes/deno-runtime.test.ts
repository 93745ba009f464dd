// Runtime matrix, Deno (npm package `deno`, pinned in package.json): the scenario served by Deno.serve through the
// web entry, flushed at the end of the handler; every field of every span checked at the loopback receiver,
// including a child started after `await` under the AsyncLocalStorage context manager.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './support/bundle-entry.js';
import { describeRuntime } from './support/runtime-gate.js';
import { useRuntimeFixture } from './support/runtime-fixture.js';
import { runServedScenario } from './support/served-scenario.js';

const DENO = join(REPO_ROOT, 'node_modules/.bin/deno');

describeRuntime('deno', () => (existsSync(DENO) ? '' : `${DENO} missing (npm ci installs the pinned deno)`), () => {
  const fixture = useRuntimeFixture();

  it('delivers every field of every span from a Deno.serve handler (web entry, fetch, gzip, awaited flush)', async () => {
    const { dir, receiver } = fixture;
    const bundle = await dir.bundle('deno-main.ts', 'deno-main.mjs', { platform: 'browser', external: ['node:async_hooks'] });
    // No config, lock file or remote imports: the bundle is self-contained; network only to loopback.
    const recording = await runServedScenario(DENO, [
      'run', '--no-config', '--no-lock', '--no-remote', '--no-prompt', '--allow-net=127.0.0.1', bundle.path, receiver.url,
    ], dir.path, receiver, { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(dir.path, '.deno') });
    expect(recording.runtimeVersion).toMatch(/^deno \d+\.\d+\.\d+/);
  });
});
