// Owns the setup every Chromium test file of the matrix shares: the entries bundled and served as pages of one
// same-origin front server, the loopback OTLP receiver behind it, and one headless Chromium; torn down together.
import { FakeHttpReceiver } from '../../support/otlp-fake-receiver.js';
import { BundleDir } from './bundle-entry.js';
import { BrowserFrontServer } from './browser-front-server.js';
import { ChromiumBrowser } from './chromium-browser.js';

/** One page of the fixture: `/<name>.html` loading the bundle of `entries/<name>.ts` as `/<name>.js`. */
export interface FixturePage {
  name: string;
  /** Content-Security-Policy of the page, if any. */
  csp?: string;
}

function pageHtml(script: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>spanwire</title>
<script type="module" src="${script}"></script></head><body>spanwire runtime matrix</body></html>`;
}

export class ChromiumFixture {
  private constructor(
    readonly dir: BundleDir, readonly receiver: FakeHttpReceiver, readonly front: BrowserFrontServer,
    readonly browser: ChromiumBrowser,
  ) {}

  /** Bundles `pages` and `workers` (entries served as `/<name>.js` only), starts the servers and the browser. */
  static async start(pages: FixturePage[], workers: string[] = []): Promise<ChromiumFixture> {
    const dir = new BundleDir();
    const receiver = await new FakeHttpReceiver().start();
    const front = await new BrowserFrontServer(receiver.port).start();
    for (const name of [...pages.map((page) => page.name), ...workers]) {
      const { code } = await dir.bundle(`${name}.ts`, `${name}.js`, { platform: 'browser' });
      front.serve(`/${name}.js`, { contentType: 'text/javascript; charset=utf-8', body: code });
    }
    for (const page of pages) {
      front.serve(`/${page.name}.html`, {
        contentType: 'text/html; charset=utf-8', body: pageHtml(`/${page.name}.js`),
        ...(page.csp === undefined ? {} : { headers: { 'Content-Security-Policy': page.csp } }),
      });
    }
    front.serve('/gone.html', { contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>gone</title>' });
    return new ChromiumFixture(dir, receiver, front, await ChromiumBrowser.launch());
  }

  /** A new tab showing `/<name>.html`, for `use`, closed afterwards. */
  async withPage<T>(name: string, use: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
    const page = await this.browser.context.newPage();
    try {
      await page.goto(`${this.front.origin}/${name}.html`);
      return await use(page);
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.front.close();
    await this.receiver.close();
    this.dir.dispose();
  }
}
