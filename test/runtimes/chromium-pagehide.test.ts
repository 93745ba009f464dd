// Runtime matrix, Chromium pagehide: spans left queued when the page is left are sent by flushOnPageHide with fetch
// keepalive. Proven three ways: the SDK asked fetch for keepalive (the page's spy reports the flag), the export is
// still open at the receiver and answered after the page is gone while a plain fetch from the same page was cut,
// and every request fits the Fetch spec's 64 KiB keepalive budget.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KEEPALIVE_HEADER } from './entries/keepalive-spy.js';
import { checkDelivery, checkRequests } from './support/check-delivery.js';
import { missingChromium } from './support/chromium-browser.js';
import { ChromiumFixture } from './support/chromium-fixture.js';
import { describeRuntime } from './support/runtime-gate.js';
import { until } from './support/wait-until.js';

describeRuntime('chromium', missingChromium, () => {
  let fixture: ChromiumFixture;

  beforeAll(async () => {
    fixture = await ChromiumFixture.start([{ name: 'browser-pagehide' }]);
  }, 120_000);

  afterAll(async () => {
    await fixture?.close();
  });

  it('sends queued spans on pagehide with keepalive: the request outlives the page, a plain fetch does not', async () => {
    const { receiver, front } = fixture;
    await fixture.withPage('browser-pagehide', async (page) => {
      // Hold every export at the receiver: it is answered only after the page is gone.
      receiver.script = () => ({ stall: true });
      const recording = await page.evaluate(() => window.queueScenarioUntilPagehide());
      await until(() => front.controlArrived.get('plain') === 1, 'the plain control fetch');
      expect(receiver.attempts, 'nothing sent before the page is left (60 s batch delay)').toBe(0);

      await page.goto(`${front.origin}/gone.html`);
      // The plain fetch dies with its document; the pagehide export is still open at the receiver, then delivered.
      await until(() => front.controlDropped.get('plain') === 1, 'the browser cutting the plain fetch of the departed page');
      await until(() => receiver.stalledCount > 0, 'the export sent on pagehide');
      receiver.release();
      await until(() => receiver.accepted.size >= recording.spans.length, 'every span accepted after the page left');

      checkRequests(receiver.requests);
      checkDelivery(recording, [...receiver.accepted.values()]);
      for (const request of receiver.requests) {
        expect(request.headers[KEEPALIVE_HEADER], `request ${request.index} asked for keepalive`).toBe('true');
        expect(request.raw.length, `request ${request.index} body within the keepalive budget`).toBeLessThanOrEqual(65536);
      }
    });
  });
});
