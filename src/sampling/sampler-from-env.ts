// Builds the sampler named by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (OpenTelemetry spec
// configuration/sdk-environment-variables.md, "General SDK Configuration"). Takes the raw strings, never reads an
// environment itself, and never throws: anything unrecognised is warned about and replaced by the default.
import { diag } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } from './builtin-samplers.js';
import type { Sampler } from './sampler.js';

/** The spec's default OTEL_TRACES_SAMPLER. */
export const DEFAULT_TRACES_SAMPLER = 'parentbased_always_on';
/** The spec's default ratio when OTEL_TRACES_SAMPLER_ARG is unset or invalid for the ratio samplers. */
export const DEFAULT_SAMPLER_RATIO = 1;

/** A plain decimal number ("0.25", ".5", "1", "1e-3"); rejects hex, "Infinity", empty and trailing junk. */
const DECIMAL = /^\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The sampler for OTEL_TRACES_SAMPLER (`name`) and OTEL_TRACES_SAMPLER_ARG (`arg`), matched case-insensitively
 * after trimming; empty or whitespace-only strings count as unset:
 * - always_on, always_off: AlwaysOn / AlwaysOff (the argument is not used);
 * - traceidratio: TraceIdRatioBased(ratio); parentbased_traceidratio: ParentBased(root = that);
 * - parentbased_always_on (the default when unset), parentbased_always_off: ParentBased(root = AlwaysOn/Off).
 * The ratio is the argument as a decimal number in [0, 1]; unset means 1.0, anything else invalid (not a number,
 * out of range) is warned about and also means 1.0, as the spec requires ("behave as if the argument is not set").
 * An unknown or unsupported name (e.g. jaeger_remote, xray) is warned about and gives the default.
 */
export function samplerFromEnv(
  name: string | undefined, arg: string | undefined,
  warn: (message: string) => void = (message) => diag.warn(message),
): Sampler {
  const key = name === undefined ? '' : name.trim().toLowerCase();
  switch (key) {
    case '':
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioFromArg(arg, warn), warn);
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioFromArg(arg, warn), warn) });
    default:
      warn(`spanwire: OTEL_TRACES_SAMPLER="${name}" is not a supported sampler (always_on, always_off, traceidratio, `
        + `parentbased_always_on, parentbased_always_off, parentbased_traceidratio); using ${DEFAULT_TRACES_SAMPLER}`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** The ratio in OTEL_TRACES_SAMPLER_ARG, or 1.0 when it is unset or invalid (warned). */
function ratioFromArg(arg: string | undefined, warn: (message: string) => void): number {
  const text = arg === undefined ? '' : arg.trim();
  if (text === '') return DEFAULT_SAMPLER_RATIO;
  const ratio = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(ratio >= 0 && ratio <= 1)) {
    warn(`spanwire: OTEL_TRACES_SAMPLER_ARG="${arg}" is not a ratio in [0, 1]; using ${DEFAULT_SAMPLER_RATIO}`);
    return DEFAULT_SAMPLER_RATIO;
  }
  return ratio;
}
