// Throwaway TLS certificates for loopback TLS tests, made at test time by the openssl CLI (X.509, P-256 keys).
// Writes only into the directory the caller gives (and removes); never trusted outside the test that made them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether an openssl binary is on PATH (TLS suites are skipped without it). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A certificate and its private key, as PEM text and as the files they were written to. */
export interface Pem {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/** A self-signed P-256 certificate with CN `commonName`, valid for 127.0.0.1 and localhost, for one day. */
export function selfSigned(dir: string, name: string, commonName = name): Pem {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', `/CN=${commonName}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
}
