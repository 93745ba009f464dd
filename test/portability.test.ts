// Guards the portable core: nothing in src/ outside src/runtime/ may import node:* or touch process, Buffer or
// require, because the same files must run on workerd, Deno, Bun and in browsers.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;
const RUNTIME_ADAPTERS = /^runtime\//;
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:/, "imports a node:* module"],
  [/import\s*\(\s*['"]node:/, 'dynamically imports a node:* module'],
  [/\bprocess\s*\./, 'uses process'],
  [/\bBuffer\s*\./, 'uses Buffer'],
  [/\bnew\s+Buffer\b|\bBuffer\s*\(/, 'uses Buffer'],
  [/\brequire\s*\(/, 'uses require'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Code without comments, so a comment that names `process` does not count. */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
}

describe('portable core', () => {
  it('has no node:*, process, Buffer or require outside src/runtime/', () => {
    const offences: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file);
      if (RUNTIME_ADAPTERS.test(rel)) continue;
      const code = codeOf(readFileSync(file, 'utf8'));
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(code)) offences.push(`src/${rel} ${what}`);
    }
    expect(offences).toEqual([]);
  });

  it('detects an offence (the guard itself works)', () => {
    expect(FORBIDDEN.some(([p]) => p.test(codeOf("import { gzipSync } from 'node:zlib';")))).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test(codeOf('const pid = process.pid;')))).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test(codeOf('// process.pid is not used here')))).toBe(false);
  });
});
