// Runtime matrix, Chromium (Debian's /usr/bin/chromium driven by playwright-core): the scenario in a page and in a
// module Web Worker, same-origin OTLP/HTTP with gzip, every field checked; and a page whose CSP forbids compiling
// WebAssembly, where the provider still runs and counts every ended span as dropped ('codec_unavailable').
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { checkDelivery, checkRequests } from './support/check-delivery.js';
import { missingChromium } from './support/chromium-browser.js';
import { ChromiumFixture } from './support/chromium-fixture.js';
import { describeRuntime } from './support/runtime-gate.js';

describeRuntime('chromium', missingChromium, () => {
  let fixture: ChromiumFixture;

  beforeAll(async () => {
    fixture = await ChromiumFixture.start([
      { name: 'browser-page' },
      // script-src without 'wasm-unsafe-eval': the page may run scripts but not compile WebAssembly.
      { name: 'browser-csp', csp: "default-src 'self'; script-src 'self'" },
    ], ['browser-worker']);
  }, 120_000);

  afterAll(async () => {
    await fixture?.close();
  });

  beforeEach(() => {
    fixture.receiver.reset();
  });

  it('delivers every field of every span from a page (web entry, fetch, gzip)', async () => {
    const recording = await fixture.withPage('browser-page', (page) => page.evaluate(() => window.runPageScenario()));
    expect(recording.runtimeVersion).toContain('Chrome/');
    checkRequests(fixture.receiver.requests);
    checkDelivery(recording, fixture.receiver.allSpans());
  });

  it('delivers every field of every span from a module Web Worker', async () => {
    const recording = await fixture.withPage('browser-page', (page) => page.evaluate(() => window.runWorkerScenario()));
    expect(recording.runtime).toBe('chromium-worker');
    checkRequests(fixture.receiver.requests);
    checkDelivery(recording, fixture.receiver.allSpans());
  });

  it('runs without WebAssembly under a CSP lacking wasm-unsafe-eval: spans counted as dropped, codecError set', async () => {
    const result = await fixture.withPage('browser-csp', (page) => page.evaluate(() => window.runWithoutWasm()));
    expect(result.codecError).toMatch(/\S/);
    const stats = result.stats as { started: number; exported: number; dropped: Record<string, number> };
    expect({ started: stats.started, exported: stats.exported, codecUnavailable: stats.dropped['codec_unavailable'] })
      .toEqual({ started: result.spans, exported: 0, codecUnavailable: result.spans });
    expect(fixture.receiver.attempts, 'nothing on the wire without the codec').toBe(0);
  });
});
