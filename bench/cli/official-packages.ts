// Checks that the official OpenTelemetry JS packages each benchmark compares against can be imported.
// It only imports them to see whether they load; it must never install anything or run a benchmark.
import type { ScenarioName } from './parse-args.js';

/** The official packages each scenario's scripts import (see bench/official-sdk.ts, lifecycle-worker.ts, e2e-*). */
export const OFFICIAL_PACKAGES: Record<ScenarioName, readonly string[]> = {
  codec: ['@opentelemetry/sdk-trace-base', '@opentelemetry/otlp-transformer', '@opentelemetry/resources'],
  lifecycle: [
    '@opentelemetry/sdk-trace-base', '@opentelemetry/otlp-transformer', '@opentelemetry/resources',
    '@opentelemetry/core',
  ],
  e2e: [
    '@opentelemetry/sdk-trace-base', '@opentelemetry/resources', '@opentelemetry/core',
    '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/exporter-trace-otlp-grpc',
  ],
};

/** Result of the check: `missing` lists every package that failed to import, with the reason. */
export interface OfficialSdkStatus {
  present: boolean;
  missing: string[];
  /** Package -> import error message, for the ones in `missing`. */
  reasons: Record<string, string>;
}

/** Loads one package by name; `import()` by default, a fake in tests. */
export type PackageLoader = (name: string) => Promise<unknown>;

/** Tries `load` (by default `import()`) on every package the given scenarios need, once each. */
export async function checkOfficialPackages(
  scenarios: readonly ScenarioName[], load: PackageLoader = (name) => import(name),
): Promise<OfficialSdkStatus> {
  const names = [...new Set(scenarios.flatMap((s) => OFFICIAL_PACKAGES[s]))];
  const missing: string[] = [];
  const reasons: Record<string, string> = {};
  for (const name of names) {
    try {
      await load(name);
    } catch (error) {
      missing.push(name);
      reasons[name] = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    }
  }
  return { present: missing.length === 0, missing, reasons };
}

/** The packages `scenario` needs that the check found missing. */
export function missingFor(scenario: ScenarioName, status: OfficialSdkStatus): string[] {
  return OFFICIAL_PACKAGES[scenario].filter((name) => status.missing.includes(name));
}
