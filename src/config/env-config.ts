// Reads the OTEL_* environment variables spanwire honours into one typed object (OpenTelemetry spec
// configuration/sdk-environment-variables.md, configuration/common.md, protocol/exporter.md, resource/sdk.md).
// The environment is always passed in as a plain record; this never reads a runtime global and never throws.
import type { ArenaLimits } from '../arena/span-arena.js';

/** OTLP transport protocol (OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL). */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
/** OTLP compression (OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION). */
export type OtlpCompression = 'gzip' | 'none';

/**
 * What a timeout of 0 becomes: the spec says 0 means no limit and allows "a very long time" instead; 2^31-1 ms
 * (24.8 days) is the largest delay setTimeout honours (larger values fire after 1 ms).
 */
export const TIMEOUT_NO_LIMIT_MS = 2147483647;
/** Largest integer accepted from the environment (the spec's required range is 0..2^31-1). */
const MAX_ENV_INTEGER = 2147483647;

/** The trace exporter settings, after the per-signal override rule (`_TRACES_` variable first, then generic). */
export interface OtlpTraceExporterEnv {
  /**
   * Where to send traces. OTLP/HTTP: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is; else OTEL_EXPORTER_OTLP_ENDPOINT
   * with `v1/traces` appended to its path (a `/` is added first unless the path ends with one); else
   * `http://localhost:4318/v1/traces`. Must be an http: or https: URL. gRPC: either variable as is, else
   * `http://localhost:4317`.
   */
  endpoint: string;
  /** Default `http/protobuf`. Matched case-insensitively. */
  protocol: OtlpProtocol;
  /**
   * `k=v,k2=v2`, keys and values trimmed and percent-decoded; members fetch would refuse (not an RFC 9110 token
   * name; CR, LF, NUL or chars above U+00FF in the value) are skipped with a warning. A set
   * OTEL_EXPORTER_OTLP_TRACES_HEADERS replaces OTEL_EXPORTER_OTLP_HEADERS as a whole (no merging).
   */
  headers: Readonly<Record<string, string>>;
  /** Per export, default 10000; 0 (no limit) becomes {@link TIMEOUT_NO_LIMIT_MS}. */
  timeoutMs: number;
  /** `gzip` or `none`; undefined when neither variable is set, leaving the choice to the exporter. */
  compression: OtlpCompression | undefined;
  /** Path of the trusted CA certificate (PEM), if set. */
  certificate: string | undefined;
  /** Path of the client private key for mTLS (PEM), if set. */
  clientKey: string | undefined;
  /** Path of the client certificate chain for mTLS (PEM), if set. */
  clientCertificate: string | undefined;
  /** gRPC only, for endpoints without an http/https scheme: plaintext when true. Default false. */
  insecure: boolean;
}

/** Batch span processor settings (OTEL_BSP_*). */
export interface BatchProcessorEnv {
  /** OTEL_BSP_SCHEDULE_DELAY, ms between exports; default 5000, 0 allowed. */
  scheduleDelayMs: number;
  /** OTEL_BSP_EXPORT_TIMEOUT, ms; default 30000; 0 (no limit) becomes {@link TIMEOUT_NO_LIMIT_MS}. */
  exportTimeoutMs: number;
  /** OTEL_BSP_MAX_QUEUE_SIZE, spans; default 2048, must be positive. */
  maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE, spans; default 512, positive, clamped (with a warning) to maxQueueSize. */
  maxExportBatchSize: number;
}

/** Every OTEL_* variable spanwire honours, parsed; see each field for its variable and default. */
export interface EnvConfig {
  /** OTEL_SDK_DISABLED: only case-insensitive "true" disables the SDK. Default false. */
  sdkDisabled: boolean;
  /** OTEL_SERVICE_NAME, if set. It is also already in `resourceAttributes['service.name']`, where it wins. */
  serviceName: string | undefined;
  /**
   * OTEL_RESOURCE_ATTRIBUTES parsed from `k=v,k2=v2` (split at the first `=`, so values may contain `=`; keys and
   * values trimmed and percent-decoded; an empty key or a bad percent escape skips that member with a warning),
   * with OTEL_SERVICE_NAME as `service.name` on top. A prototype-free record. Note: resource/sdk.md says a
   * decoding error SHOULD discard the whole variable; spanwire keeps the valid members (losing one attribute
   * beats losing service.version and the rest over one typo) and names the skipped ones in the warning.
   */
  resourceAttributes: Readonly<Record<string, string>>;
  /** OTEL_EXPORTER_OTLP_[TRACES_]{ENDPOINT,HEADERS,TIMEOUT,COMPRESSION,PROTOCOL,CERTIFICATE,CLIENT_KEY,...}. */
  exporter: OtlpTraceExporterEnv;
  /** OTEL_BSP_*. */
  batch: BatchProcessorEnv;
  /** OTEL_TRACES_SAMPLER, trimmed, uninterpreted (samplerFromEnv interprets it); undefined when unset. */
  tracesSampler: string | undefined;
  /** OTEL_TRACES_SAMPLER_ARG, trimmed, uninterpreted; undefined when unset. */
  tracesSamplerArg: string | undefined;
  /**
   * Span limits, ready for SpanArena. Each count: its OTEL_SPAN_* / OTEL_EVENT_* / OTEL_LINK_* variable, else
   * (for the three attribute counts) OTEL_ATTRIBUTE_COUNT_LIMIT, else 128. Value length:
   * OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, else Infinity (no limit).
   */
  spanLimits: ArenaLimits;
  /** OTEL_PROPAGATORS, trimmed, uninterpreted; default `tracecontext,baggage`. */
  propagators: string;
}

/** Defaults from the spec, used when a variable is unset, empty or invalid. */
export const ENV_DEFAULTS = {
  otlpHttpEndpoint: 'http://localhost:4318',
  otlpGrpcEndpoint: 'http://localhost:4317',
  otlpProtocol: 'http/protobuf' as OtlpProtocol,
  otlpTimeoutMs: 10000,
  bspScheduleDelayMs: 5000,
  bspExportTimeoutMs: 30000,
  bspMaxQueueSize: 2048,
  bspMaxExportBatchSize: 512,
  countLimit: 128,
  propagators: 'tracecontext,baggage',
} as const;

const TRACES_PATH = 'v1/traces';
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const COMPRESSIONS: readonly OtlpCompression[] = ['gzip', 'none'];
/** RFC 9110 token: the characters fetch/Headers accept in a header name. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What fetch/Headers refuse in a header value: NUL, CR, LF, and anything above U+00FF (not a ByteString). */
const BAD_HEADER_VALUE = /[\0\r\n\u0100-\uffff]/;
const DIGITS = /^\d+$/;

/**
 * Reads every variable listed in {@link EnvConfig} from `env`. Rules: leading/trailing whitespace is ignored and
 * an empty value counts as unset; an invalid value is warned about once per variable (naming the variable, the
 * value and what is kept instead) and ignored; per-signal `_TRACES_` variables win over the generic ones, and an
 * invalid per-signal value falls back to the generic one. Integers are decimal digits only, 0..2^31-1.
 */
export function readEnvConfig(
  env: Readonly<Record<string, string | undefined>>, warn: (message: string) => void,
): EnvConfig {
  const reader = new EnvReader(env, warn);

  const serviceName = reader.text('OTEL_SERVICE_NAME');
  const resourceAttributes = reader.keyValues('OTEL_RESOURCE_ATTRIBUTES', 'resource attribute', resourceMemberProblem);
  if (serviceName !== undefined) resourceAttributes['service.name'] = serviceName;

  const queueSize = reader.integer(['OTEL_BSP_MAX_QUEUE_SIZE'], 1, ENV_DEFAULTS.bspMaxQueueSize);
  let batchSize = reader.integer(['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], 1, ENV_DEFAULTS.bspMaxExportBatchSize);
  if (batchSize > queueSize) {
    warn(`spanwire: OTEL_BSP_MAX_EXPORT_BATCH_SIZE ${batchSize} is larger than OTEL_BSP_MAX_QUEUE_SIZE ${queueSize}; `
      + `using ${queueSize}`);
    batchSize = queueSize;
  }

  const general = 'OTEL_ATTRIBUTE_COUNT_LIMIT';
  return {
    sdkDisabled: reader.boolean('OTEL_SDK_DISABLED') ?? false,
    serviceName,
    resourceAttributes,
    exporter: readExporter(reader),
    batch: {
      scheduleDelayMs: reader.integer(['OTEL_BSP_SCHEDULE_DELAY'], 0, ENV_DEFAULTS.bspScheduleDelayMs),
      exportTimeoutMs: timeout(reader.integer(['OTEL_BSP_EXPORT_TIMEOUT'], 0, ENV_DEFAULTS.bspExportTimeoutMs)),
      maxQueueSize: queueSize,
      maxExportBatchSize: batchSize,
    },
    tracesSampler: reader.text('OTEL_TRACES_SAMPLER'),
    tracesSamplerArg: reader.text('OTEL_TRACES_SAMPLER_ARG'),
    spanLimits: {
      attributeCount: reader.integer(['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', general], 0, ENV_DEFAULTS.countLimit),
      eventCount: reader.integer(['OTEL_SPAN_EVENT_COUNT_LIMIT'], 0, ENV_DEFAULTS.countLimit),
      linkCount: reader.integer(['OTEL_SPAN_LINK_COUNT_LIMIT'], 0, ENV_DEFAULTS.countLimit),
      attributePerEventCount: reader.integer(['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', general], 0, ENV_DEFAULTS.countLimit),
      attributePerLinkCount: reader.integer(['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', general], 0, ENV_DEFAULTS.countLimit),
      attributeValueLength: reader.integer(
        ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'], 0, Infinity),
    },
    propagators: reader.text('OTEL_PROPAGATORS') ?? ENV_DEFAULTS.propagators,
  };
}

function readExporter(reader: EnvReader): OtlpTraceExporterEnv {
  /** [per-signal, generic]: the per-signal variable wins. */
  const names = (option: string): [string, string] =>
    [`OTEL_EXPORTER_OTLP_TRACES_${option}`, `OTEL_EXPORTER_OTLP_${option}`];
  const text = (option: string): string | undefined => {
    const [specific, generic] = names(option);
    return reader.text(specific) ?? reader.text(generic);
  };
  const protocol = reader.choice(names('PROTOCOL'), PROTOCOLS, ENV_DEFAULTS.otlpProtocol);
  const genericHeaders = reader.keyValues('OTEL_EXPORTER_OTLP_HEADERS', 'header', headerMemberProblem);
  const tracesHeaders = reader.keyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'header', headerMemberProblem);
  const [tracesInsecure, genericInsecure] = names('INSECURE');
  return {
    endpoint: readEndpoint(reader, protocol),
    protocol,
    // The per-signal list replaces the generic one as a whole, like every other option (spec: "overridable").
    headers: reader.text('OTEL_EXPORTER_OTLP_TRACES_HEADERS') === undefined ? genericHeaders : tracesHeaders,
    timeoutMs: timeout(reader.integer(names('TIMEOUT'), 0, ENV_DEFAULTS.otlpTimeoutMs)),
    compression: reader.choice<OtlpCompression | undefined>(names('COMPRESSION'), COMPRESSIONS, undefined),
    certificate: text('CERTIFICATE'),
    clientKey: text('CLIENT_KEY'),
    clientCertificate: text('CLIENT_CERTIFICATE'),
    insecure: reader.boolean(tracesInsecure) ?? reader.boolean(genericInsecure) ?? false,
  };
}

/** The traces endpoint for `protocol` (see {@link OtlpTraceExporterEnv.endpoint}). */
function readEndpoint(reader: EnvReader, protocol: OtlpProtocol): string {
  const grpc = protocol === 'grpc';
  const fallback = grpc ? ENV_DEFAULTS.otlpGrpcEndpoint : appendTracesPath(ENV_DEFAULTS.otlpHttpEndpoint);
  const generic = reader.text('OTEL_EXPORTER_OTLP_ENDPOINT');
  let fromGeneric: string | undefined;
  if (generic !== undefined) {
    if (grpc) fromGeneric = generic;
    else if (isHttpUrl(generic)) fromGeneric = appendTracesPath(generic);
    else reader.invalid('OTEL_EXPORTER_OTLP_ENDPOINT', 'is not an http:// or https:// URL', fallback, 'the default');
  }
  const kept = fromGeneric ?? fallback;
  const specific = reader.text('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (specific !== undefined) {
    if (grpc || isHttpUrl(specific)) return specific;
    reader.invalid('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'is not an http:// or https:// URL', kept,
      fromGeneric === undefined ? 'the default' : 'from OTEL_EXPORTER_OTLP_ENDPOINT');
  }
  return kept;
}

/** `base` with `v1/traces` appended to its path, after a `/` unless the path already ends with one. */
function appendTracesPath(base: string): string {
  const url = new URL(base);
  url.pathname = url.pathname.endsWith('/') ? url.pathname + TRACES_PATH : `${url.pathname}/${TRACES_PATH}`;
  return url.href;
}

function isHttpUrl(text: string): boolean {
  let scheme: string;
  try {
    scheme = new URL(text).protocol;
  } catch {
    return false;
  }
  return scheme === 'http:' || scheme === 'https:';
}

/** Timeout semantics: 0 means no limit. */
function timeout(ms: number): number {
  return ms === 0 ? TIMEOUT_NO_LIMIT_MS : ms;
}

/** Why a decoded resource attribute member is unusable, or undefined when it is fine. */
function resourceMemberProblem(key: string): string | undefined {
  return key === '' ? 'empty key' : undefined;
}

/** Why a decoded header member cannot be sent by fetch, or undefined when it is fine. */
function headerMemberProblem(key: string, value: string): string | undefined {
  if (!HEADER_NAME.test(key)) return 'not a valid header name';
  if (BAD_HEADER_VALUE.test(value)) return 'value has CR, LF, NUL or characters above U+00FF';
  return undefined;
}

/** Formats a kept value for a warning. */
function shown(value: unknown): string {
  if (value === Infinity) return 'no limit';
  if (value === undefined) return 'no value';
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** Reads variables from one env record, warning at most once per variable. */
class EnvReader {
  private readonly warned = new Set<string>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly warn: (message: string) => void,
  ) {}

  /** The trimmed value, or undefined when unset, empty or whitespace only. */
  text(name: string): string | undefined {
    const raw = this.env[name];
    if (typeof raw !== 'string') return undefined;
    const text = raw.trim();
    return text === '' ? undefined : text;
  }

  /** Warns once for `name`: its raw value, the problem, and what is kept instead. */
  invalid(name: string, problem: string, kept: unknown, keptFrom: string): void {
    this.warnOnce(name, `spanwire: ${name}="${this.env[name]}" ${problem}; keeping ${shown(kept)} (${keptFrom})`);
  }

  /** Emits `message` unless `name` was already warned about. */
  warnOnce(name: string, message: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.warn(message);
  }

  /**
   * Spec boolean: case-insensitive "true" is true, anything else false; a value other than true/false warns.
   * Undefined when unset, so per-signal lookups can fall through.
   */
  boolean(name: string): boolean | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const lower = text.toLowerCase();
    if (lower === 'true') return true;
    if (lower !== 'false') {
      this.warnOnce(name, `spanwire: ${name}="${this.env[name]}" is not "true" or "false"; treating it as false`);
    }
    return false;
  }

  /**
   * An integer in [min, 2^31-1] from the first valid variable of `names` (highest precedence first), else
   * `fallback`. Each invalid one warns, naming the value that is kept instead.
   */
  integer(names: readonly string[], min: 0 | 1, fallback: number): number {
    return this.firstValid(names, fallback, min === 1 ? 'is not a positive integer' : 'is not a non-negative integer',
      (text) => {
        if (!DIGITS.test(text)) return undefined;
        const value = Number(text);
        return value >= min && value <= MAX_ENV_INTEGER ? value : undefined;
      });
  }

  /** A case-insensitive enum value from the first valid variable of `names`, else `fallback`. */
  choice<T extends string | undefined>(names: readonly string[], allowed: readonly T[], fallback: T): T {
    return this.firstValid<T>(names, fallback, `is not one of ${allowed.join(', ')}`, (text) => {
      const lower = text.toLowerCase();
      return allowed.find((value) => value === lower);
    });
  }

  /**
   * `k=v,k2=v2` (W3C baggage-like): members split at the first `=`, key and value trimmed and percent-decoded.
   * Empty members are ignored; unusable members are skipped and reported in one warning for the variable.
   * Returns a prototype-free record (so a key like `__proto__` is just a key); later duplicates win.
   */
  keyValues(
    name: string, what: string, problemOf: (key: string, value: string) => string | undefined,
  ): Record<string, string> {
    const result: Record<string, string> = Object.create(null) as Record<string, string>;
    const text = this.text(name);
    if (text === undefined) return result;
    const skipped: string[] = [];
    for (const member of text.split(',')) {
      if (member.trim() === '') continue;
      const eq = member.indexOf('=');
      if (eq < 0) {
        skipped.push(`"${member.trim()}" (no "=")`);
        continue;
      }
      const key = percentDecode(member.slice(0, eq).trim());
      const value = percentDecode(member.slice(eq + 1).trim());
      if (key === undefined || value === undefined) {
        skipped.push(`"${member.trim()}" (bad percent-encoding)`);
        continue;
      }
      const problem = problemOf(key, value);
      if (problem !== undefined) {
        skipped.push(`"${member.trim()}" (${problem})`);
        continue;
      }
      result[key] = value;
    }
    if (skipped.length > 0) {
      this.warnOnce(name, `spanwire: ${name} has invalid ${what} member(s) ${skipped.join(', ')}; skipped them, `
        + `keeping the other ${Object.keys(result).length}`);
    }
    return result;
  }

  /**
   * The parsed value of the highest-precedence variable in `names` that is set and valid. Lower-precedence ones
   * are read first so a bad higher-precedence value can say which value it falls back to.
   */
  private firstValid<T>(
    names: readonly string[], fallback: T, problem: string, parse: (text: string) => T | undefined,
  ): T {
    let value = fallback;
    let from = 'the default';
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!;
      const text = this.text(name);
      if (text === undefined) continue;
      const parsed = parse(text);
      if (parsed === undefined) {
        this.invalid(name, problem, value, from);
        continue;
      }
      value = parsed;
      from = `from ${name}`;
    }
    return value;
  }
}

/** decodeURIComponent without throwing: undefined for a malformed escape such as `%zz` or a lone `%E2`. */
function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
