// Owns which runtimes of the matrix run here and what happens when one is missing. SPANWIRE_RUNTIMES (a comma list
// of node,deno,bun,workerd,chromium; unset = all) selects them; .ci/run runs the Node scenario on both Node passes
// and the other runtimes once. A selected runtime that is missing fails under CI=true and is skipped, with the
// reason in the test name, elsewhere: in CI a runtime is never skipped silently.
import { describe, it } from 'vitest';

export const RUNTIME_NAMES = ['node', 'deno', 'bun', 'workerd', 'chromium'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

function selectedRuntimes(): Set<string> {
  const raw = process.env['SPANWIRE_RUNTIMES'];
  if (raw === undefined || raw.trim() === '') return new Set(RUNTIME_NAMES);
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(RUNTIME_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`SPANWIRE_RUNTIMES names unknown runtimes: ${unknown.join(', ')} (known: ${RUNTIME_NAMES.join(', ')})`);
  return new Set(names);
}

const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1';

/**
 * Per-test bound: a runtime starting cold (Chromium, workerd, deno) on a loaded 2-core machine takes seconds, and
 * vitest's 5 s default would turn load into failures. It bounds hangs; nothing asserts a duration.
 */
const RUNTIME_TEST_TIMEOUT_MS = 60_000;

/**
 * Declares the tests of one runtime. `missing()` says why the runtime cannot run here ('' when it can). Not selected:
 * skipped, saying so. Missing: under CI one failing test naming the reason, elsewhere skipped with the reason.
 */
export function describeRuntime(runtime: RuntimeName, missing: () => string, body: () => void): void {
  const title = `runtime matrix: ${runtime}`;
  if (!selectedRuntimes().has(runtime)) {
    describe.skip(`${title} (not selected: SPANWIRE_RUNTIMES=${process.env['SPANWIRE_RUNTIMES']})`, body);
    return;
  }
  const reason = missing();
  if (reason === '') {
    describe(title, { timeout: RUNTIME_TEST_TIMEOUT_MS }, body);
  } else if (inCi) {
    describe(title, () => {
      it('is installed (CI=true: a missing runtime fails, never skips)', () => {
        throw new Error(`${runtime} is not available: ${reason}`);
      });
    });
  } else {
    describe.skip(`${title} (skipped, not installed: ${reason})`, body);
  }
}
