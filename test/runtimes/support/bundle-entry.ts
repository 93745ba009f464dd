// Owns bundling a runtime entry of the matrix (test/runtimes/entries/*.ts) with esbuild into one ES module, the way a
// user's bundler would: `spanwire`, `spanwire/web` and `spanwire/workerd` resolve to this checkout's sources, and
// `@opentelemetry/api` is bundled in. Never writes into the work tree (bundles go to a temp dir the caller removes).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

/** The repository root (test/runtimes/support -> ../../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The release codec as workerd imports it (`import codec from 'spanwire/codec.wasm'`), built by `pretest`. */
export const CODEC_WASM_PATH = join(REPO_ROOT, 'dist', 'spanwire.release.wasm');

/** Package subpaths resolved to the checkout's TypeScript sources (so a stale dist/ can never be what is tested). */
const SPANWIRE_SOURCES: Record<string, string> = {
  'spanwire': join(REPO_ROOT, 'src/index.ts'),
  'spanwire/web': join(REPO_ROOT, 'src/runtime/web/index.ts'),
  'spanwire/workerd': join(REPO_ROOT, 'src/runtime/workerd/index.ts'),
};

/** Exact-name resolution (esbuild's `alias` matches prefixes, which would swallow `spanwire/codec.wasm`). */
function spanwireSources(external: readonly string[]): Plugin {
  return {
    name: 'spanwire-sources',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^spanwire(\/|$)/ }, (args) => {
        if (external.includes(args.path)) return { path: args.path, external: true };
        const source = SPANWIRE_SOURCES[args.path];
        return source === undefined ? { errors: [{ text: `no source mapped for ${args.path}` }] } : { path: source };
      });
    },
  };
}

export interface BundleOptions {
  /** 'browser' for browsers, Deno, Bun and workerd (no node:* shims); 'node' only for the Node entry. */
  platform: 'browser' | 'node';
  /** Imports left as they are (workerd: the `.wasm` module the worker imports; Deno/Bun: `node:*` built-ins). */
  external?: string[];
  /** Identifiers replaced by JSON values in the bundle (esbuild `define`), e.g. a URL a worker needs at global scope. */
  values?: Record<string, string>;
}

/** A temp directory for one test file's bundles and pages; `dispose()` removes it. */
export class BundleDir {
  readonly path = mkdtempSync(join(tmpdir(), 'spanwire-runtimes-'));

  /** Bundles `entry` (a file under test/runtimes/entries) to `<dir>/<outName>` and returns its path and text. */
  async bundle(entry: string, outName: string, options: BundleOptions): Promise<{ path: string; code: string }> {
    const result = await build({
      entryPoints: [join(REPO_ROOT, 'test/runtimes/entries', entry)],
      bundle: true,
      format: 'esm',
      platform: options.platform,
      target: 'es2022',
      write: false,
      plugins: [spanwireSources(options.external ?? [])],
      external: options.external ?? [],
      logLevel: 'silent',
      // Browsers and workerd have no `process`: a bundled dependency that reads process.env must not crash there.
      define: {
        ...(options.platform === 'node' ? {} : { 'process.env.NODE_ENV': '"production"' }),
        ...Object.fromEntries(Object.entries(options.values ?? {}).map(([name, value]) => [name, JSON.stringify(value)])),
      },
    });
    const code = result.outputFiles![0]!.text;
    const path = join(this.path, outName);
    writeFileSync(path, code);
    return { path, code };
  }

  /** Writes a plain file (an HTML page) next to the bundles. */
  write(name: string, text: string): string {
    const path = join(this.path, name);
    writeFileSync(path, text);
    return path;
  }

  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
