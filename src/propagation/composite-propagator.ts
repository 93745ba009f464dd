// Several propagators as one, and the `OTEL_PROPAGATORS` selection (OpenTelemetry SDK environment variables).
// Never throws at the caller: a failing member propagator is skipped and reported once, a bad name warned once.
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from './w3c-baggage.js';
import { W3CTraceContextPropagator } from './w3c-trace-context.js';

/**
 * Runs its propagators in order: `inject` into all of them, `extract` through each in turn (so a later one can
 * refine what an earlier one set), `fields()` the union of their header names. A propagator that throws is
 * skipped for that call; the first such failure is passed to `warn`.
 */
export class CompositePropagator implements TextMapPropagator {
  private readonly propagators: readonly TextMapPropagator[];
  private readonly fieldNames: readonly string[];
  private readonly warn: (message: string) => void;
  private warned: boolean;

  constructor(propagators: readonly TextMapPropagator[], warn: (message: string) => void = () => {}) {
    this.propagators = propagators.slice();
    const names = new Set<string>();
    for (const p of this.propagators) {
      try {
        for (const name of p.fields()) names.add(name);
      } catch (error) {
        warn(`spanwire: a propagator threw from fields() and lists no header names: ${String(error)}`);
      }
    }
    this.fieldNames = [...names];
    this.warn = warn;
    this.warned = false;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (let i = 0; i < this.propagators.length; i++) {
      try {
        (this.propagators[i] as TextMapPropagator).inject(context, carrier, setter);
      } catch (error) {
        this.failed('inject', error);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    for (let i = 0; i < this.propagators.length; i++) {
      try {
        result = (this.propagators[i] as TextMapPropagator).extract(result, carrier, getter);
      } catch (error) {
        this.failed('extract', error);
      }
    }
    return result;
  }

  fields(): string[] {
    return this.fieldNames.slice();
  }

  private failed(operation: string, error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(`spanwire: a propagator threw during ${operation} and was skipped (reported once): ${String(error)}`);
  }
}

/** The `OTEL_PROPAGATORS` default. */
export const DEFAULT_PROPAGATORS = 'tracecontext,baggage';

/** Well-known propagator names that live in separate packages, with the package to install. */
const EXTERNAL_PROPAGATORS: ReadonlyMap<string, string> = new Map([
  ['b3', '@opentelemetry/propagator-b3'],
  ['b3multi', '@opentelemetry/propagator-b3'],
  ['jaeger', '@opentelemetry/propagator-jaeger'],
  ['xray', '@opentelemetry/propagator-aws-xray'],
  ['ottrace', '@opentelemetry/propagator-ot-trace'],
]);

/**
 * Builds the propagator named by `OTEL_PROPAGATORS`: a comma-separated, case-insensitive list of `tracecontext`,
 * `baggage` and `none`. Unset, empty or whitespace-only means `tracecontext,baggage`. Repeats count once.
 * Unknown names (including `b3`, `b3multi`, `jaeger`, `xray`, `ottrace`, which need an extra package) are
 * warned about once each and skipped; if no known name is left, the default is used, with a warning.
 * `none` gives a propagator that does nothing, and wins over any other name listed with it (with a warning).
 */
export function propagatorFromEnv(value: string | undefined, warn: (message: string) => void): TextMapPropagator {
  const names = typeof value === 'string' && value.trim() !== '' ? value : DEFAULT_PROPAGATORS;
  const selected: TextMapPropagator[] = [];
  const seen = new Set<string>();
  let none = false;
  let recognized = false;
  for (const part of names.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    if (name === 'tracecontext') {
      selected.push(new W3CTraceContextPropagator());
      recognized = true;
    } else if (name === 'baggage') {
      selected.push(new W3CBaggagePropagator());
      recognized = true;
    } else if (name === 'none') {
      none = true;
      recognized = true;
    } else if (EXTERNAL_PROPAGATORS.has(name)) {
      warn(
        `OTEL_PROPAGATORS: '${name}' is not built into spanwire; install ${EXTERNAL_PROPAGATORS.get(name)} ` +
          `and register it with propagation.setGlobalPropagator(). Skipped.`,
      );
    } else {
      warn(`OTEL_PROPAGATORS: unknown propagator '${name}'. Skipped.`);
    }
  }
  if (none) {
    if (selected.length > 0) warn(`OTEL_PROPAGATORS: 'none' is listed with other propagators; propagating nothing.`);
    return new CompositePropagator([]);
  }
  if (!recognized) {
    warn(`OTEL_PROPAGATORS: no usable propagator in '${value}'; using the default '${DEFAULT_PROPAGATORS}'.`);
    return propagatorFromEnv(DEFAULT_PROPAGATORS, warn);
  }
  return selected.length === 1 ? (selected[0] as TextMapPropagator) : new CompositePropagator(selected, warn);
}
