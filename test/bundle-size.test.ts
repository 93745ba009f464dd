// Bundle-size budget for the public entries: each is bundled as an application would ship it (esbuild, ESM,
// minified; @opentelemetry/api external, reported on its own), gzipped at level 9, and must stay under its budget.
// The budgets are about 15 % above the sizes measured when they were set (README "Bundle size"); raise one only
// with a reason. Also checks that the browser/worker entries import nothing from node:*. A test of size, not time.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

interface Entry {
  /** The package export an application imports. */
  name: string;
  source: string;
  platform: 'browser' | 'neutral';
  /** Largest allowed minified + gzipped size. */
  budgetBytes: number;
}

// Measured 2026-11-22 03:16 UTC (esbuild 0.28.2): spanwire 38,443 B, spanwire/web 39,180 B gzipped; about 9 KB of
// each is the embedded codec (16 KB of WASM as base64). spanwire/workerd, which loads the .wasm as a module and
// imports core-api.ts (no embedded codec), 29,687 B.
const ENTRIES: Entry[] = [
  { name: 'spanwire', source: 'src/index.ts', platform: 'neutral', budgetBytes: 44_000 },
  { name: 'spanwire/web', source: 'src/runtime/web/index.ts', platform: 'browser', budgetBytes: 45_000 },
  { name: 'spanwire/workerd', source: 'src/runtime/workerd/index.ts', platform: 'browser', budgetBytes: 34_000 },
];

interface Measured {
  minifiedBytes: number;
  gzipBytes: number;
  inputs: string[];
  imports: string[];
}

async function measure(entryPoint: string, platform: 'browser' | 'neutral', external: string[]): Promise<Measured> {
  const result = await build({
    absWorkingDir: ROOT, entryPoints: [entryPoint], bundle: true, minify: true, format: 'esm', platform,
    target: 'es2022', external, write: false, metafile: true, logLevel: 'silent',
    mainFields: ['module', 'main'],
  });
  const code = result.outputFiles[0]!.contents;
  const output = Object.values(result.metafile.outputs)[0]!;
  return {
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs),
    imports: output.imports.map((i) => i.path),
  };
}

describe('bundle size', () => {
  it('every entry, minified and gzipped, stays under its budget and imports nothing from node:*', async () => {
    const rows: string[] = [];
    const failures: string[] = [];
    for (const entry of ENTRIES) {
      const measured = await measure(entry.source, entry.platform, ['@opentelemetry/api']);
      const embedded = measured.inputs.some((path) => path.endsWith('codec-wasm.generated.ts'));
      rows.push(`${entry.name}: ${measured.minifiedBytes} B minified, ${measured.gzipBytes} B gzip ` +
        `(budget ${entry.budgetBytes} B; embedded codec ${embedded ? 'included' : 'not included'})`);
      if (measured.gzipBytes > entry.budgetBytes) failures.push(`${entry.name} ${measured.gzipBytes} > ${entry.budgetBytes}`);
      expect(measured.imports.filter((path) => path.startsWith('node:')), entry.name).toEqual([]);
      expect(measured.imports.filter((path) => path !== '@opentelemetry/api'), entry.name).toEqual([]);
    }
    const api = await measure('node_modules/@opentelemetry/api/build/esm/index.js', 'browser', []);
    rows.push(`@opentelemetry/api (peer dependency, shared with other instrumentation): ${api.minifiedBytes} B ` +
      `minified, ${api.gzipBytes} B gzip`);
    console.log(`bundle sizes (esbuild, minified, gzip -9):\n  ${rows.join('\n  ')}`);
    expect(failures).toEqual([]);
  });
});
