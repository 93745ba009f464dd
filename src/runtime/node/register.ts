// The Node adapter's one-call setup (spanwire/node): reads OTEL_* from process.env, detects the host/process
// resource, installs AsyncLocalStorage context, the OTEL_PROPAGATORS propagators and the global provider.
// Node-only (this folder may use node:* and process); never throws after the provider is built.
import { diag } from '@opentelemetry/api';
import { readEnvConfig } from '../../config/env-config.js';
import { propagatorFromEnv } from '../../propagation/composite-propagator.js';
import { AlwaysOffSampler } from '../../sampling/builtin-samplers.js';
import { samplerFromEnv } from '../../sampling/sampler-from-env.js';
import { type SpanwireOptions, SpanwireTracerProvider } from '../../sdk/tracer-provider.js';
import { createNodeContextManager } from './async-local-storage-context.js';
import { type NodeSendingOptions, createOtlpExporterFromEnv } from './otlp-exporter-from-env.js';
import { defaultServiceName, detectNodeResource } from './resource-detectors.js';

/** register() options: every SpanwireOptions field (code wins over the environment), plus Node specifics. */
export interface NodeRegisterOptions extends SpanwireOptions, NodeSendingOptions {
  /** The environment to read instead of process.env (tests, or a config object). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Flush and shut down when the event loop empties ('beforeExit'), so short scripts lose nothing. Default true. */
  flushOnExit?: boolean;
}

/** Extra span slots beyond the queue, for spans still running: 2048 live spans at once is a busy process. */
const LIVE_SPAN_HEADROOM = 2048;

/**
 * Builds a provider from options and OTEL_* variables and registers it globally; spans go over OTLP as the
 * OTEL_EXPORTER_OTLP_* variables say unless `exporter` is given. Precedence, highest first:
 * options, OTEL_* variables, detected resource, defaults (`service.name` = `unknown_service:<process>`).
 * With OTEL_SDK_DISABLED=true nothing is registered and the returned provider records nothing.
 */
export function register(options: NodeRegisterOptions = {}): SpanwireTracerProvider {
  const warn = (message: string): void => diag.warn(message);
  const config = readEnvConfig(options.env ?? process.env, warn);
  const resource: Record<string, unknown> = {
    'service.name': defaultServiceName(),
    ...detectNodeResource({ commandArgs: false }), // argv may carry secrets: semconv says not by default
    ...config.resourceAttributes,
    ...options.resource,
  };
  if (config.serviceName !== undefined) resource['service.name'] = config.serviceName;
  const batch = {
    maxQueueSize: config.batch.maxQueueSize,
    maxExportBatchSize: config.batch.maxExportBatchSize,
    scheduledDelayMs: config.batch.scheduleDelayMs,
    exportTimeoutMs: config.batch.exportTimeoutMs,
    ...options.batch,
  };
  const provider = new SpanwireTracerProvider({
    ...options,
    // Default: OTLP per OTEL_EXPORTER_OTLP_* (http/protobuf to localhost:4318 with gzip unless told otherwise).
    exporter: options.exporter ?? (config.sdkDisabled ? undefined
      : createOtlpExporterFromEnv(config.exporter, {}, { exportThread: options.exportThread })),
    resource,
    sdkLanguage: options.sdkLanguage ?? 'nodejs',
    sampler: config.sdkDisabled ? new AlwaysOffSampler()
      : options.sampler ?? samplerFromEnv(config.tracesSampler, config.tracesSamplerArg, warn),
    spanLimits: { ...config.spanLimits, ...options.spanLimits },
    batch,
    capacity: { spans: (batch.maxQueueSize ?? 2048) + LIVE_SPAN_HEADROOM, ...options.capacity },
  });
  if (config.sdkDisabled) return provider;
  provider.register({
    contextManager: createNodeContextManager(),
    propagator: propagatorFromEnv(config.propagators, warn),
  });
  if (options.flushOnExit !== false) process.once('beforeExit', () => void provider.shutdown());
  return provider;
}
