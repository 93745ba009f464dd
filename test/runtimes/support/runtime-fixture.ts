// Owns the per-file setup of the child-process and workerd runtimes of the matrix: a temp directory for bundles and
// a loopback OTLP/HTTP receiver (test/support), created before the file's tests and removed after them.
import { afterAll, beforeAll } from 'vitest';
import { FakeHttpReceiver } from '../../support/otlp-fake-receiver.js';
import { BundleDir } from './bundle-entry.js';

export interface RuntimeFixture {
  dir: BundleDir;
  receiver: FakeHttpReceiver;
}

/** Registers beforeAll/afterAll hooks in the calling describe block; the fields are set once beforeAll ran. */
export function useRuntimeFixture(): RuntimeFixture {
  const fixture = {} as RuntimeFixture;
  beforeAll(async () => {
    fixture.dir = new BundleDir();
    fixture.receiver = await new FakeHttpReceiver().start();
  });
  afterAll(async () => {
    await fixture.receiver?.close();
    fixture.dir?.dispose();
  });
  return fixture;
}
