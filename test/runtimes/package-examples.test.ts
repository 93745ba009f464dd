// The README's Deno and Bun examples (test/runtimes/examples/) run unbundled against the package as an app would
// install it: a node_modules folder holding this package (its "exports" map and built dist/) and @opentelemetry/api,
// Deno resolving `npm:` specifiers from it (bring-your-own-node_modules), Bun resolving bare ones. The handler's
// spans, parent and child across an await, must be at the receiver, gzipped, when the response arrives.
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { FakeHttpReceiver } from '../support/otlp-fake-receiver.js';
import { REPO_ROOT } from './support/bundle-entry.js';
import { checkRequests } from './support/check-delivery.js';
import { ChildRuntime } from './support/child-runtime.js';
import { BUN, bunEnv, DENO, denoRun, missingBun, missingDeno } from './support/runtime-binaries.js';
import { describeRuntime } from './support/runtime-gate.js';
import { useRuntimeFixture } from './support/runtime-fixture.js';

const BUILT_WEB_ENTRY = join(REPO_ROOT, 'dist/src/runtime/web/index.js');

/** Lays out `dir` as an installed app: package.json, node_modules/spanwire (this checkout), @opentelemetry/api. */
function installPackageInto(dir: string): void {
  if (!existsSync(BUILT_WEB_ENTRY)) throw new Error(`${BUILT_WEB_ENTRY} missing: run npm run build (npm ci does)`);
  mkdirSync(join(dir, 'node_modules/@opentelemetry'), { recursive: true });
  symlinkSync(REPO_ROOT, join(dir, 'node_modules/spanwire'), 'dir');
  symlinkSync(join(REPO_ROOT, 'node_modules/@opentelemetry/api'), join(dir, 'node_modules/@opentelemetry/api'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'spanwire-example', private: true, type: 'module', dependencies: { 'spanwire': '*', '@opentelemetry/api': '*' },
  }));
}

/** Starts the example, requests /api/orders/42 and checks what the receiver holds when the answer arrives. */
async function checkExample(child: ChildRuntime, receiver: FakeHttpReceiver): Promise<void> {
  try {
    const port = Number(await child.line('listening '));
    const response = await fetch(`http://127.0.0.1:${port}/api/orders/42`);
    expect(await response.text(), child.output).toBe('ok');
    const requests = [...receiver.requests];
    checkRequests(requests);
    const spans = requests.flatMap((request) => request.spans);
    const handler = spans.find((located) => located.span.name === 'GET /api/orders/:id');
    const query = spans.find((located) => located.span.name === 'SELECT orders');
    expect(handler, 'handler span delivered before the response').toBeDefined();
    expect(query, 'child span delivered before the response').toBeDefined();
    expect(handler!.span.attributes).toEqual([{ key: 'url.path', value: { stringValue: '/api/orders/42' } }]);
    expect(handler!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'orders' } });
    expect({ traceId: query!.span.traceId, parentSpanId: query!.span.parentSpanId }, 'child keeps its parent across await')
      .toEqual({ traceId: handler!.span.traceId, parentSpanId: handler!.span.spanId });
  } finally {
    await child.dispose();
  }
}

describeRuntime('deno', missingDeno, () => {
  const fixture = useRuntimeFixture();

  // Regression guard: Deno.serve passes no arguments to a handler of length 0; withRequestFlush keeps the arity.
  it('runs the README Deno example unbundled (npm: specifiers from node_modules, Deno.serve, awaited flush)', async () => {
    const { dir, receiver } = fixture;
    installPackageInto(dir.path);
    copyFileSync(join(REPO_ROOT, 'test/runtimes/examples/deno-server.ts'), join(dir.path, 'deno-server.ts'));
    const deno = denoRun(dir.path);
    const child = new ChildRuntime(DENO, [...deno.args, '--node-modules-dir=manual', 'deno-server.ts', receiver.url],
      { cwd: dir.path, env: deno.env });
    await checkExample(child, receiver);
  });
});

describeRuntime('bun', missingBun, () => {
  const fixture = useRuntimeFixture();

  it('runs the README Bun example unbundled (spanwire/web from node_modules, Bun.serve, awaited flush)', async () => {
    const { dir, receiver } = fixture;
    installPackageInto(dir.path);
    copyFileSync(join(REPO_ROOT, 'test/runtimes/examples/bun-server.ts'), join(dir.path, 'bun-server.ts'));
    const child = new ChildRuntime(BUN, ['bun-server.ts', receiver.url], { cwd: dir.path, env: bunEnv(dir.path) });
    await checkExample(child, receiver);
  });
});
