// Owns where the matrix finds the runtimes npm installs (the pinned `deno` and `bun` packages' binaries) and why one
// is unusable here ('' when it can run).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bundle-entry.js';

export const DENO = join(REPO_ROOT, 'node_modules/.bin/deno');
export const BUN = join(REPO_ROOT, 'node_modules/.bin/bun');

export function missingDeno(): string {
  return existsSync(DENO) ? '' : `${DENO} missing (npm ci installs the pinned deno)`;
}

export function missingBun(): string {
  return existsSync(BUN) ? '' : `${BUN} missing (npm ci installs the pinned bun)`;
}

/** Deno without config files, lock file, update check or prompts, its cache inside `dir`; network only to loopback. */
export function denoRun(dir: string): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: ['run', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1'],
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(dir, '.deno') },
  };
}

/** Bun with its install cache inside `dir` and no telemetry. */
export function bunEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, BUN_INSTALL_CACHE_DIR: join(dir, '.bun-cache'), DO_NOT_TRACK: '1' };
}
