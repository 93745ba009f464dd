// Node resource detection: host.*, os.*, process.* and process.runtime.* attributes named and valued per the
// OpenTelemetry resource semantic conventions (host, os, process), plus the spec's default service.name.
// Must never throw: every attribute is read in its own guard and simply left out when Node cannot report it.
import { arch, hostname, platform, release, userInfo } from 'node:os';
import { basename } from 'node:path';

/** Resource attribute values as detected: strings, the pid, and the argv list. */
export type DetectedResource = Record<string, string | number | string[]>;

/** Node's `os.arch()` names mapped to the semconv `host.arch` well-known values; others pass through unchanged. */
const HOST_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm32',
  ia32: 'x86',
  ppc: 'ppc32',
  ppc64: 'ppc64',
  s390x: 's390x',
};

/** Node's `os.platform()` names mapped to the semconv `os.type` well-known values; others pass through unchanged. */
const OS_TYPE: Readonly<Record<string, string>> = {
  win32: 'windows',
  sunos: 'solaris',
  os390: 'z_os',
  linux: 'linux',
  darwin: 'darwin',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  aix: 'aix',
};

/**
 * The semconv `host.arch` value for a Node `os.arch()` name (`x64` -> `amd64`, `ia32` -> `x86`, `arm` -> `arm32`,
 * `ppc` -> `ppc32`); names without a well-known value (`riscv64`, `loong64`, `s390` ...) are returned as they are.
 */
export function hostArchFromNode(nodeArch: string): string {
  return Object.hasOwn(HOST_ARCH, nodeArch) ? HOST_ARCH[nodeArch]! : nodeArch;
}

/**
 * The semconv `os.type` value for a Node `os.platform()` name (`win32` -> `windows`, `sunos` -> `solaris`,
 * `os390` -> `z_os`); names without a well-known value (`android`, `cygwin` ...) are returned as they are.
 */
export function osTypeFromNode(nodePlatform: string): string {
  return Object.hasOwn(OS_TYPE, nodePlatform) ? OS_TYPE[nodePlatform]! : nodePlatform;
}

/**
 * `process.executable.name`: the base name of `process.execPath` (`node`, `node.exe`), which is what the semconv
 * asks for (the base name of /proc/[pid]/exe, of GetProcessImageFileNameW on Windows). Not `process.title`: Node
 * starts it as argv[0] verbatim (`/usr/bin/node` when launched by path) and applications overwrite it freely.
 * Falls back to the base name of `process.argv0`; undefined if neither is available.
 */
function executableName(): string | undefined {
  for (const read of [() => process.execPath, () => process.argv0]) {
    try {
      const path = read();
      const name = typeof path === 'string' ? basename(path) : '';
      if (name.length > 0) return name;
    } catch {
      // Try the next source.
    }
  }
  return undefined;
}

/** `process.argv` with Node's own options (`--inspect`, `-r x`) put back where they were on the command line. */
function commandArgs(): string[] {
  const argv = process.argv;
  return argv.length === 0 ? [] : [argv[0]!, ...process.execArgv, ...argv.slice(1)];
}

/** Sets `resource[key]` to `read()` unless it throws or yields undefined, null or an empty string. */
function put(resource: DetectedResource, key: string, read: () => string | number | string[] | undefined): void {
  try {
    const value = read();
    if (value === undefined || value === null || value === '') return;
    resource[key] = value;
  } catch {
    // A detector that cannot read its source is skipped: resource detection must never fail the SDK.
  }
}

/**
 * Detects the Node host, OS, process and runtime attributes with their semconv keys: `host.name`, `host.arch`,
 * `os.type`, `os.version` (kernel release), `process.pid`, `process.executable.name`, `process.executable.path`,
 * `process.command_args` (see below), `process.runtime.name` (`nodejs`),
 * `process.runtime.version`, `process.runtime.description` (`Node.js`) and `process.owner`. An attribute Node
 * cannot report is left out; this function never throws.
 *
 * `process.command_args` is the argument vector as the process received it: `process.argv[0]`, then Node's own
 * options (`process.execArgv`), then the script and its arguments. The semantic conventions say it SHOULD NOT be
 * collected by default unless sensitive data is removed, since argv can carry secrets; pass
 * `{ commandArgs: false }` to leave it out.
 */
export function detectNodeResource(options: { commandArgs?: boolean } = {}): DetectedResource {
  const resource: DetectedResource = {};
  put(resource, 'host.name', () => hostname());
  put(resource, 'host.arch', () => hostArchFromNode(arch()));
  put(resource, 'os.type', () => osTypeFromNode(platform()));
  put(resource, 'os.version', () => release());
  put(resource, 'process.pid', () => process.pid);
  put(resource, 'process.executable.name', executableName);
  put(resource, 'process.executable.path', () => process.execPath);
  if (options.commandArgs !== false) put(resource, 'process.command_args', commandArgs);
  put(resource, 'process.runtime.name', () => 'nodejs');
  put(resource, 'process.runtime.version', () => process.versions.node);
  put(resource, 'process.runtime.description', () => 'Node.js');
  // userInfo() throws (SystemError) when the uid has no passwd entry, common in containers run as an arbitrary uid.
  put(resource, 'process.owner', () => userInfo().username);
  return resource;
}

/**
 * The spec's fallback `service.name`: `unknown_service:` followed by `process.executable.name` (as detected above,
 * e.g. `unknown_service:node`), or just `unknown_service` when the executable name is not available.
 */
export function defaultServiceName(): string {
  const name = executableName();
  return name === undefined ? 'unknown_service' : `unknown_service:${name}`;
}
