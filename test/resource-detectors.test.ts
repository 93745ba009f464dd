// Node resource detection: every value equals what Node itself reports, every key is a semconv resource key,
// the official SDK's detectors agree where the two should, and detection never throws when Node's sources do.
import * as os from 'node:os';
import { basename } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  defaultServiceName, detectNodeResource, hostArchFromNode, osTypeFromNode,
} from '../src/runtime/node/resource-detectors.js';

const SEMCONV_KEYS = [
  'host.name', 'host.arch', 'os.type', 'os.version', 'process.pid', 'process.executable.name',
  'process.executable.path', 'process.command_args', 'process.runtime.name', 'process.runtime.version',
  'process.runtime.description', 'process.owner',
];

/** Node's argument vector as the process received it: argv[0], Node's options, then the script and its args. */
function receivedArgv(): string[] {
  return [process.argv[0]!, ...process.execArgv, ...process.argv.slice(1)];
}

describe('detectNodeResource', () => {
  it('reports exactly the semconv keys, with the values Node reports', () => {
    const resource = detectNodeResource();
    expect(Object.keys(resource).sort()).toEqual([...SEMCONV_KEYS].sort());
    expect(resource).toEqual({
      'host.name': os.hostname(),
      'host.arch': hostArchFromNode(os.arch()),
      'os.type': osTypeFromNode(os.platform()),
      'os.version': os.release(),
      'process.pid': process.pid,
      'process.executable.name': basename(process.execPath),
      'process.executable.path': process.execPath,
      'process.command_args': receivedArgv(),
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'process.runtime.description': 'Node.js',
      'process.owner': os.userInfo().username,
    });
    expect(typeof resource['process.pid']).toBe('number');
    expect(resource['process.command_args']).not.toBe(process.argv);
  });

  it('uses the semconv well-known values on this machine', () => {
    const resource = detectNodeResource();
    const archByNode: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'x86', arm: 'arm32' };
    const typeByNode: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
    if (os.arch() in archByNode) expect(resource['host.arch']).toBe(archByNode[os.arch()]);
    if (os.platform() in typeByNode) expect(resource['os.type']).toBe(typeByNode[os.platform()]);
    expect(resource['process.runtime.version']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('leaves process.command_args out on request (the semconv says not to collect it by default)', () => {
    const resource = detectNodeResource({ commandArgs: false });
    expect(resource).not.toHaveProperty('process.command_args');
    expect(Object.keys(resource)).toHaveLength(SEMCONV_KEYS.length - 1);
  });

  it('agrees with the official SDK detectors on every shared key but process.executable.name', async () => {
    let official: typeof import('@opentelemetry/resources');
    try {
      official = await import('@opentelemetry/resources');
    } catch {
      return; // The official package is a comparison oracle only; without it there is nothing to compare.
    }
    const attributes = {
      ...official.hostDetector.detect().attributes,
      ...official.osDetector.detect().attributes,
      ...official.processDetector.detect().attributes,
    };
    const ours = detectNodeResource();
    // The official SDK reports process.title (argv[0] verbatim, e.g. /usr/bin/node) and leaves ia32 unmapped.
    const compared = SEMCONV_KEYS.filter((key) => key !== 'process.executable.name'
      && !(key === 'host.arch' && os.arch() === 'ia32'));
    for (const key of compared) expect([key, ours[key]]).toEqual([key, await attributes[key]]);
  });
});

describe('semconv value mapping', () => {
  it('maps Node architectures to host.arch values', () => {
    expect(['x64', 'arm64', 'arm', 'ia32', 'ppc', 'ppc64', 's390x'].map(hostArchFromNode))
      .toEqual(['amd64', 'arm64', 'arm32', 'x86', 'ppc32', 'ppc64', 's390x']);
    expect(['riscv64', 'loong64', 's390', 'mips'].map(hostArchFromNode)).toEqual(['riscv64', 'loong64', 's390', 'mips']);
    expect(hostArchFromNode('toString')).toBe('toString');
  });

  it('maps Node platforms to os.type values', () => {
    expect(['linux', 'darwin', 'win32', 'sunos', 'os390', 'freebsd', 'openbsd', 'netbsd', 'aix'].map(osTypeFromNode))
      .toEqual(['linux', 'darwin', 'windows', 'solaris', 'z_os', 'freebsd', 'openbsd', 'netbsd', 'aix']);
    expect(['android', 'cygwin', 'haiku'].map(osTypeFromNode)).toEqual(['android', 'cygwin', 'haiku']);
    expect(osTypeFromNode('__proto__')).toBe('__proto__');
  });
});

describe('defaultServiceName', () => {
  it('is unknown_service: followed by process.executable.name, as the spec says', () => {
    expect(defaultServiceName()).toBe(`unknown_service:${detectNodeResource()['process.executable.name']}`);
    expect(defaultServiceName()).toBe(`unknown_service:${basename(process.execPath)}`);
  });
});

describe('when Node cannot report', () => {
  const saved = new Map<string, PropertyDescriptor>();
  /** Makes `process[key]` throw on read until restore(); only for the synchronous span of one call. */
  function sabotage(key: 'execPath' | 'argv' | 'execArgv' | 'title' | 'versions' | 'pid'): void {
    saved.set(key, Object.getOwnPropertyDescriptor(process, key)!);
    Object.defineProperty(process, key, { configurable: true, get() { throw new Error(`no ${key}`); } });
  }
  function restore(): void {
    for (const [key, descriptor] of saved) Object.defineProperty(process, key, descriptor);
    saved.clear();
  }
  afterEach(() => {
    restore();
    vi.doUnmock('node:os');
    vi.resetModules();
  });

  it('never throws and leaves out what it could not read', async () => {
    const userInfoError = Object.assign(new Error('ENOENT: no such file or directory, uv_os_get_passwd'),
      { code: 'ERR_SYSTEM_ERROR' });
    vi.resetModules();
    vi.doMock('node:os', async (importOriginal) => ({
      ...(await importOriginal<typeof import('node:os')>()),
      hostname: () => { throw new Error('no hostname'); },
      arch: () => { throw new Error('no arch'); },
      platform: () => { throw new Error('no platform'); },
      release: () => { throw new Error('no release'); },
      userInfo: () => { throw userInfoError; },
    }));
    const detectors = await import('../src/runtime/node/resource-detectors.js');

    for (const key of ['execPath', 'argv', 'execArgv', 'versions', 'pid'] as const) sabotage(key);
    let resource: Record<string, unknown>;
    let serviceName: string;
    try {
      resource = detectors.detectNodeResource();
      serviceName = detectors.defaultServiceName();
    } finally {
      restore();
    }
    expect(resource).toEqual({
      // argv0 is read-only in Node, so the executable name falls back to it.
      'process.executable.name': basename(process.argv0),
      'process.runtime.name': 'nodejs',
      'process.runtime.description': 'Node.js',
    });
    expect(serviceName).toBe(`unknown_service:${basename(process.argv0)}`);
  });

  it('omits process.owner alone when os.userInfo() throws, as it does for a uid without a passwd entry', async () => {
    vi.resetModules();
    vi.doMock('node:os', async (importOriginal) => ({
      ...(await importOriginal<typeof import('node:os')>()),
      userInfo: () => { throw new Error('uv_os_get_passwd returned ENOENT'); },
    }));
    const detectors = await import('../src/runtime/node/resource-detectors.js');
    const resource = detectors.detectNodeResource();
    expect(resource).not.toHaveProperty('process.owner');
    expect(Object.keys(resource)).toHaveLength(SEMCONV_KEYS.length - 1);
    expect(resource['host.name']).toBe(os.hostname());
  });
});
