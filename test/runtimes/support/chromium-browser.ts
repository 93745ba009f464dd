// Owns launching Debian's Chromium (/usr/bin/chromium, installed by apt in .ci/run, never `playwright install`)
// through playwright-core, headless with a fresh profile directory, and closing it with its profile.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { REPO_ROOT } from './bundle-entry.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline-capable headless run in a container (no sandbox: CI runs as root). */
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Why Chromium cannot run here ('' when it can). */
export function missingChromium(): string {
  if (!existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} missing (.ci/run installs Debian's chromium with apt-get)`;
  try {
    createRequire(import.meta.url).resolve('playwright-core', { paths: [REPO_ROOT] });
  } catch {
    return 'playwright-core is not installed (npm ci installs the pinned version)';
  }
  return '';
}

export class ChromiumBrowser {
  private constructor(readonly context: BrowserContext, private readonly profileDir: string) {}

  static async launch(): Promise<ChromiumBrowser> {
    const { chromium } = await import('playwright-core');
    const profileDir = mkdtempSync(join(tmpdir(), 'spanwire-chromium-profile-'));
    // launchPersistentContext: the fresh --user-data-dir is ours (playwright refuses it as a plain flag).
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000,
    });
    return new ChromiumBrowser(context, profileDir);
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}
