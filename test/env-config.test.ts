// readEnvConfig: every variable's default, a valid value, empty/whitespace (= unset), invalid values (warned once,
// naming variable, value and what is kept), the per-signal override rule, OTLP/HTTP endpoint path rules, and the
// percent-decoding of headers and resource attributes. Expected values are written from the spec, not the code.
import { describe, expect, it } from 'vitest';
import { type EnvConfig, TIMEOUT_NO_LIMIT_MS, readEnvConfig } from '../src/config/env-config.js';

function read(env: Record<string, string | undefined>): { config: EnvConfig; warnings: string[] } {
  const warnings: string[] = [];
  const config = readEnvConfig(env, (message) => warnings.push(message));
  return { config, warnings };
}

const DEFAULTS: EnvConfig = {
  sdkDisabled: false,
  serviceName: undefined,
  resourceAttributes: {},
  exporter: {
    endpoint: 'http://localhost:4318/v1/traces',
    protocol: 'http/protobuf',
    headers: {},
    timeoutMs: 10000,
    compression: undefined,
    certificate: undefined,
    clientKey: undefined,
    clientCertificate: undefined,
    insecure: false,
  },
  batch: { scheduleDelayMs: 5000, exportTimeoutMs: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
  tracesSampler: undefined,
  tracesSamplerArg: undefined,
  spanLimits: {
    attributeCount: 128, eventCount: 128, linkCount: 128, attributePerEventCount: 128, attributePerLinkCount: 128,
    attributeValueLength: Infinity,
  },
  propagators: 'tracecontext,baggage',
};

/** Every variable readEnvConfig reads. */
const ALL_VARIABLES = [
  'OTEL_SDK_DISABLED', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES',
  ...['ENDPOINT', 'HEADERS', 'TIMEOUT', 'COMPRESSION', 'PROTOCOL', 'CERTIFICATE', 'CLIENT_KEY', 'CLIENT_CERTIFICATE',
    'INSECURE'].flatMap((o) => [`OTEL_EXPORTER_OTLP_${o}`, `OTEL_EXPORTER_OTLP_TRACES_${o}`]),
  'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_BSP_EXPORT_TIMEOUT', 'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_EVENT_COUNT_LIMIT', 'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_PROPAGATORS',
];

/** Integer variables: where the value lands, whether 0 is valid, and the default. */
const INTEGERS: { name: string; pick: (c: EnvConfig) => number; positive: boolean; fallback: number }[] = [
  { name: 'OTEL_EXPORTER_OTLP_TIMEOUT', pick: (c) => c.exporter.timeoutMs, positive: false, fallback: 10000 },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', pick: (c) => c.exporter.timeoutMs, positive: false, fallback: 10000 },
  { name: 'OTEL_BSP_SCHEDULE_DELAY', pick: (c) => c.batch.scheduleDelayMs, positive: false, fallback: 5000 },
  { name: 'OTEL_BSP_EXPORT_TIMEOUT', pick: (c) => c.batch.exportTimeoutMs, positive: false, fallback: 30000 },
  { name: 'OTEL_BSP_MAX_QUEUE_SIZE', pick: (c) => c.batch.maxQueueSize, positive: true, fallback: 2048 },
  { name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', pick: (c) => c.batch.maxExportBatchSize, positive: true, fallback: 512 },
  { name: 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', pick: (c) => c.spanLimits.attributeCount, positive: false, fallback: 128 },
  { name: 'OTEL_SPAN_EVENT_COUNT_LIMIT', pick: (c) => c.spanLimits.eventCount, positive: false, fallback: 128 },
  { name: 'OTEL_SPAN_LINK_COUNT_LIMIT', pick: (c) => c.spanLimits.linkCount, positive: false, fallback: 128 },
  { name: 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', pick: (c) => c.spanLimits.attributePerEventCount, positive: false,
    fallback: 128 },
  { name: 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', pick: (c) => c.spanLimits.attributePerLinkCount, positive: false,
    fallback: 128 },
  { name: 'OTEL_ATTRIBUTE_COUNT_LIMIT', pick: (c) => c.spanLimits.attributeCount, positive: false, fallback: 128 },
  { name: 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', pick: (c) => c.spanLimits.attributeValueLength, positive: false,
    fallback: Infinity },
  { name: 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', pick: (c) => c.spanLimits.attributeValueLength, positive: false,
    fallback: Infinity },
];

describe('defaults', () => {
  it('gives the spec defaults for an empty environment, without warnings', () => {
    const { config, warnings } = read({});
    expect(config).toEqual(DEFAULTS);
    expect(warnings).toEqual([]);
  });

  it('treats empty and whitespace-only values of every variable as unset', () => {
    for (const blank of ['', '   ', '\t\n']) {
      const env = Object.fromEntries(ALL_VARIABLES.map((name) => [name, blank]));
      const { config, warnings } = read(env);
      expect(config).toEqual(DEFAULTS);
      expect(warnings).toEqual([]);
    }
    expect(read(Object.fromEntries(ALL_VARIABLES.map((name) => [name, undefined]))).config).toEqual(DEFAULTS);
  });

  it('ignores unrelated variables and never throws on odd input', () => {
    const { config, warnings } = read({ PATH: '/bin', OTEL_UNKNOWN: 'x', otel_sdk_disabled: 'true' });
    expect(config).toEqual(DEFAULTS);
    expect(warnings).toEqual([]);
  });
});

describe('integers', () => {
  it('accepts decimal digits in range, trimmed', () => {
    for (const { name, pick } of INTEGERS) {
      expect(pick(read({ [name]: '42' }).config), name).toBe(42);
      expect(pick(read({ [name]: ' 007 ' }).config), name).toBe(7);
      // (A batch size is also clamped to the queue size, so raise that too.)
      const max = read({ OTEL_BSP_MAX_QUEUE_SIZE: '2147483647', [name]: '2147483647' });
      expect(pick(max.config), name).toBe(2147483647);
      expect(max.warnings).toEqual([]);
    }
  });

  it('warns once (variable, value, kept default) and keeps the default for invalid values', () => {
    for (const { name, pick, fallback } of INTEGERS) {
      for (const bad of ['-1', '1.5', '1e3', 'abc', '0x10', '+5', '12 ms', '2147483648', 'Infinity']) {
        const { config, warnings } = read({ [name]: bad });
        expect(pick(config), `${name}=${bad}`).toBe(fallback);
        expect(warnings, `${name}=${bad}`).toHaveLength(1);
        expect(warnings[0]).toContain(name);
        expect(warnings[0]).toContain(`"${bad}"`);
        expect(warnings[0]).toContain(fallback === Infinity ? 'keeping no limit' : `keeping ${fallback}`);
      }
    }
  });

  it('accepts 0 where the spec allows it: 0 means no limit for timeouts, no items for limits', () => {
    const { config, warnings } = read({
      OTEL_EXPORTER_OTLP_TIMEOUT: '0', OTEL_BSP_EXPORT_TIMEOUT: '0', OTEL_BSP_SCHEDULE_DELAY: '0',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '0', OTEL_SPAN_EVENT_COUNT_LIMIT: '0', OTEL_SPAN_LINK_COUNT_LIMIT: '0',
      OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '0', OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '0',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0',
    });
    expect(warnings).toEqual([]);
    expect(config.exporter.timeoutMs).toBe(TIMEOUT_NO_LIMIT_MS);
    expect(config.batch.exportTimeoutMs).toBe(TIMEOUT_NO_LIMIT_MS);
    expect(config.batch.scheduleDelayMs).toBe(0);
    expect(config.spanLimits).toEqual({
      attributeCount: 0, eventCount: 0, linkCount: 0, attributePerEventCount: 0, attributePerLinkCount: 0,
      attributeValueLength: 0,
    });
  });

  it('rejects 0 for the queue and batch sizes (the spec says positive)', () => {
    for (const name of ['OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE']) {
      const { config, warnings } = read({ [name]: '0' });
      expect(config.batch).toEqual(DEFAULTS.batch);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`${name}="0" is not a positive integer; keeping \\d+ \\(the default\\)`));
    }
  });
});

describe('batch span processor', () => {
  it('reads all four', () => {
    const { config, warnings } = read({
      OTEL_BSP_SCHEDULE_DELAY: '1000', OTEL_BSP_EXPORT_TIMEOUT: '2000', OTEL_BSP_MAX_QUEUE_SIZE: '8192',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1024',
    });
    expect(config.batch).toEqual({ scheduleDelayMs: 1000, exportTimeoutMs: 2000, maxQueueSize: 8192,
      maxExportBatchSize: 1024 });
    expect(warnings).toEqual([]);
  });

  it('clamps a batch size above the queue size to the queue size, with a warning', () => {
    const both = read({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' });
    expect(both.config.batch.maxExportBatchSize).toBe(100);
    expect(both.warnings).toHaveLength(1);
    expect(both.warnings[0]).toContain('OTEL_BSP_MAX_EXPORT_BATCH_SIZE 512');
    expect(both.warnings[0]).toContain('OTEL_BSP_MAX_QUEUE_SIZE 100');
    const defaultBatch = read({ OTEL_BSP_MAX_QUEUE_SIZE: '256' });
    expect(defaultBatch.config.batch).toMatchObject({ maxQueueSize: 256, maxExportBatchSize: 256 });
    expect(defaultBatch.warnings).toHaveLength(1);
    const equal = read({ OTEL_BSP_MAX_QUEUE_SIZE: '512', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' });
    expect(equal.config.batch.maxExportBatchSize).toBe(512);
    expect(equal.warnings).toEqual([]);
  });
});

describe('span limits', () => {
  it('falls back to OTEL_ATTRIBUTE_COUNT_LIMIT for span, event and link attribute counts', () => {
    const { config } = read({ OTEL_ATTRIBUTE_COUNT_LIMIT: '16' });
    expect(config.spanLimits).toEqual({
      attributeCount: 16, eventCount: 128, linkCount: 128, attributePerEventCount: 16, attributePerLinkCount: 16,
      attributeValueLength: Infinity,
    });
  });

  it('prefers the model-specific limit over the general one', () => {
    const { config } = read({
      OTEL_ATTRIBUTE_COUNT_LIMIT: '16', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '32', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '4',
      OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_SPAN_EVENT_COUNT_LIMIT: '8', OTEL_SPAN_LINK_COUNT_LIMIT: '1',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '200',
    });
    expect(config.spanLimits).toEqual({
      attributeCount: 32, eventCount: 8, linkCount: 1, attributePerEventCount: 4, attributePerLinkCount: 2,
      attributeValueLength: 200,
    });
    expect(read({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100' }).config.spanLimits.attributeValueLength).toBe(100);
  });

  it('warns once for an invalid general limit used three times, and keeps a valid fallback for a bad specific one', () => {
    const general = read({ OTEL_ATTRIBUTE_COUNT_LIMIT: 'many' });
    expect(general.warnings).toHaveLength(1);
    expect(general.config.spanLimits).toEqual(DEFAULTS.spanLimits);
    const specific = read({ OTEL_ATTRIBUTE_COUNT_LIMIT: '16', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '-3' });
    expect(specific.config.spanLimits.attributeCount).toBe(16);
    expect(specific.warnings).toEqual([
      'spanwire: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="-3" is not a non-negative integer; keeping 16 '
      + '(from OTEL_ATTRIBUTE_COUNT_LIMIT)',
    ]);
  });
});

describe('booleans', () => {
  it('only case-insensitive "true" is true; "false" is silent; anything else is false with a warning', () => {
    for (const value of ['true', 'TRUE', 'True', ' true ']) {
      const { config, warnings } = read({ OTEL_SDK_DISABLED: value, OTEL_EXPORTER_OTLP_INSECURE: value });
      expect(config.sdkDisabled).toBe(true);
      expect(config.exporter.insecure).toBe(true);
      expect(warnings).toEqual([]);
    }
    for (const value of ['false', 'FALSE']) {
      const { config, warnings } = read({ OTEL_SDK_DISABLED: value });
      expect(config.sdkDisabled).toBe(false);
      expect(warnings).toEqual([]);
    }
    for (const value of ['1', 'yes', 'on', 't', 'truee']) {
      const { config, warnings } = read({ OTEL_SDK_DISABLED: value });
      expect(config.sdkDisabled).toBe(false);
      expect(warnings).toEqual([
        `spanwire: OTEL_SDK_DISABLED="${value}" is not "true" or "false"; treating it as false`,
      ]);
    }
  });
});

describe('service name and resource attributes', () => {
  it('parses k=v pairs, percent-decoded and trimmed, values may contain "="', () => {
    const { config, warnings } = read({
      OTEL_RESOURCE_ATTRIBUTES: ' service.version = 1.4.2 ,deployment.environment.name=prod,'
        + 'note=a%2Cb%3Dc%20d,formula=x=y+1,unicode=caf%C3%A9,empty=,',
    });
    expect(warnings).toEqual([]);
    expect({ ...config.resourceAttributes }).toEqual({
      'service.version': '1.4.2', 'deployment.environment.name': 'prod', note: 'a,b=c d', formula: 'x=y+1',
      unicode: 'café', empty: '',
    });
    expect(config.serviceName).toBeUndefined();
  });

  it('skips invalid members with a single warning and keeps the rest', () => {
    const { config, warnings } = read({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,novalue,=2,bad=%E2%82,b=%zz,c=3' });
    expect({ ...config.resourceAttributes }).toEqual({ a: '1', c: '3' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('OTEL_RESOURCE_ATTRIBUTES');
    for (const member of ['"novalue"', '"=2"', '"bad=%E2%82"', '"b=%zz"']) expect(warnings[0]).toContain(member);
    expect(warnings[0]).toContain('keeping the other 2');
  });

  it('lets OTEL_SERVICE_NAME win over service.name in OTEL_RESOURCE_ATTRIBUTES', () => {
    const both = read({ OTEL_SERVICE_NAME: ' orders ', OTEL_RESOURCE_ATTRIBUTES: 'service.name=legacy,host.name=web-7' });
    expect(both.config.serviceName).toBe('orders');
    expect({ ...both.config.resourceAttributes }).toEqual({ 'service.name': 'orders', 'host.name': 'web-7' });
    const onlyAttributes = read({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=legacy' });
    expect(onlyAttributes.config.resourceAttributes['service.name']).toBe('legacy');
  });

  it('keeps a "__proto__" key as a plain key', () => {
    const { config } = read({ OTEL_RESOURCE_ATTRIBUTES: '__proto__=x,constructor=y' });
    expect(Object.keys(config.resourceAttributes)).toEqual(['__proto__', 'constructor']);
    expect(config.resourceAttributes['__proto__']).toBe('x');
  });
});

describe('OTLP exporter options', () => {
  it('reads every generic option', () => {
    const { config, warnings } = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc,x-tenant=acme',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/ca.pem',
      OTEL_EXPORTER_OTLP_CLIENT_KEY: '/etc/key.pem',
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: '/etc/cert.pem',
      OTEL_EXPORTER_OTLP_INSECURE: 'true',
    });
    expect(warnings).toEqual([]);
    expect({ ...config.exporter, headers: { ...config.exporter.headers } }).toEqual({
      endpoint: 'https://collector.example.com:4318/v1/traces', protocol: 'http/json',
      headers: { 'api-key': 'abc', 'x-tenant': 'acme' }, timeoutMs: 2500, compression: 'gzip',
      certificate: '/etc/ca.pem', clientKey: '/etc/key.pem', clientCertificate: '/etc/cert.pem', insecure: true,
    });
  });

  it('lets each _TRACES_ option override the generic one', () => {
    const options: [string, string, string, (c: EnvConfig) => unknown, unknown][] = [
      ['TIMEOUT', '1000', '2000', (c) => c.exporter.timeoutMs, 2000],
      ['COMPRESSION', 'gzip', 'none', (c) => c.exporter.compression, 'none'],
      ['PROTOCOL', 'grpc', 'http/json', (c) => c.exporter.protocol, 'http/json'],
      ['CERTIFICATE', '/a.pem', '/b.pem', (c) => c.exporter.certificate, '/b.pem'],
      ['CLIENT_KEY', '/a.key', '/b.key', (c) => c.exporter.clientKey, '/b.key'],
      ['CLIENT_CERTIFICATE', '/a.crt', '/b.crt', (c) => c.exporter.clientCertificate, '/b.crt'],
      ['INSECURE', 'true', 'false', (c) => c.exporter.insecure, false],
      ['INSECURE', 'false', 'true', (c) => c.exporter.insecure, true],
      ['HEADERS', 'a=1,b=2', 'c=3', (c) => ({ ...c.exporter.headers }), { c: '3' }],
      ['ENDPOINT', 'http://generic:4318', 'http://traces:4318/custom', (c) => c.exporter.endpoint,
        'http://traces:4318/custom'],
    ];
    for (const [option, generic, specific, pick, expected] of options) {
      const { config, warnings } = read({
        [`OTEL_EXPORTER_OTLP_${option}`]: generic, [`OTEL_EXPORTER_OTLP_TRACES_${option}`]: specific,
      });
      expect(pick(config), option).toEqual(expected);
      expect(warnings).toEqual([]);
      // The generic value applies when the per-signal one is unset or blank.
      const fallback = read({ [`OTEL_EXPORTER_OTLP_${option}`]: generic, [`OTEL_EXPORTER_OTLP_TRACES_${option}`]: ' ' });
      const genericOnly = read({ [`OTEL_EXPORTER_OTLP_${option}`]: generic });
      expect(pick(fallback.config), option).toEqual(pick(genericOnly.config));
    }
  });

  it('falls back to the generic value when the per-signal value is invalid, saying so', () => {
    const { config, warnings } = read({
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 'soon',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'brotli',
    });
    expect(config.exporter).toMatchObject({ timeoutMs: 5000, protocol: 'http/json', compression: 'gzip' });
    expect(warnings).toEqual([
      'spanwire: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="thrift" is not one of http/protobuf, http/json, grpc; '
      + 'keeping "http/json" (from OTEL_EXPORTER_OTLP_PROTOCOL)',
      'spanwire: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="soon" is not a non-negative integer; keeping 5000 '
      + '(from OTEL_EXPORTER_OTLP_TIMEOUT)',
      'spanwire: OTEL_EXPORTER_OTLP_TRACES_COMPRESSION="brotli" is not one of gzip, none; keeping "gzip" '
      + '(from OTEL_EXPORTER_OTLP_COMPRESSION)',
    ]);
  });

  it('matches protocol and compression case-insensitively and warns on unknown ones', () => {
    expect(read({ OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC', OTEL_EXPORTER_OTLP_COMPRESSION: 'GZip' }).config.exporter)
      .toMatchObject({ protocol: 'grpc', compression: 'gzip' });
    const bad = read({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http', OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' });
    expect(bad.config.exporter).toMatchObject({ protocol: 'http/protobuf', compression: undefined });
    expect(bad.warnings).toEqual([
      'spanwire: OTEL_EXPORTER_OTLP_PROTOCOL="http" is not one of http/protobuf, http/json, grpc; '
      + 'keeping "http/protobuf" (the default)',
      'spanwire: OTEL_EXPORTER_OTLP_COMPRESSION="zstd" is not one of gzip, none; keeping no value (the default)',
    ]);
  });
});

describe('OTLP endpoint', () => {
  const endpoint = (env: Record<string, string>): string => read(env).config.exporter.endpoint;

  it('appends v1/traces to the generic endpoint for OTLP/HTTP, with or without a trailing slash', () => {
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces');
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/mycollector/' }))
      .toBe('http://collector:4318/mycollector/v1/traces'); // spec example 3
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/mycollector' }))
      .toBe('http://collector:4318/mycollector/v1/traces');
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }))
      .toBe('https://otlp.example.com/v1/traces');
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base?tenant=a' }))
      .toBe('http://collector:4318/base/v1/traces?tenant=a');
  });

  it('uses the per-signal endpoint as is, also without a path (spec example 2)', () => {
    for (const url of ['http://collector:4318', 'https://collector.example.com/v1/traces/', 'http://c:1/x/v1/traces']) {
      expect(endpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' }))
        .toBe(url);
    }
  });

  it('uses either endpoint as is for gRPC, with the gRPC default port', () => {
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe('http://localhost:4317');
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' }))
      .toBe('http://collector:4317');
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }))
      .toBe('collector:4317');
    expect(endpoint({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4317/' })).toBe('https://collector:4317/');
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4317',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4317' })).toBe('http://b:4317');
  });

  it('defaults by the resolved protocol', () => {
    expect(endpoint({})).toBe('http://localhost:4318/v1/traces');
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http://localhost:4318/v1/traces');
    expect(endpoint({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toBe('http://localhost:4317');
  });

  it('rejects endpoints that are not http(s) URLs for OTLP/HTTP, falling back with a warning', () => {
    const generic = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    expect(generic.config.exporter.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(generic.warnings).toEqual(['spanwire: OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" is not an http:// or '
      + 'https:// URL; keeping "http://localhost:4318/v1/traces" (the default)']);
    const specific = read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' });
    expect(specific.config.exporter.endpoint).toBe('http://c:4318/v1/traces');
    expect(specific.warnings).toHaveLength(1);
    expect(specific.warnings[0]).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="not a url"');
    expect(specific.warnings[0]).toContain('from OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});

describe('OTLP headers', () => {
  const headers = (value: string): { headers: Record<string, string>; warnings: string[] } => {
    const { config, warnings } = read({ OTEL_EXPORTER_OTLP_HEADERS: value });
    return { headers: { ...config.exporter.headers }, warnings };
  };

  it('parses and percent-decodes k=v lists', () => {
    expect(headers('api-key=abc%3D%3D,Authorization=Bearer%20t0k3n, x-empty= ,x-b64=YWJj==')).toEqual({
      headers: { 'api-key': 'abc==', Authorization: 'Bearer t0k3n', 'x-empty': '', 'x-b64': 'YWJj==' },
      warnings: [],
    });
    expect(headers('a=1,,b=2,').headers).toEqual({ a: '1', b: '2' });
    expect(headers('a=1,a=2').headers).toEqual({ a: '2' });
  });

  it('skips members fetch would refuse, in one warning', () => {
    const { headers: parsed, warnings } = headers(
      'ok=1,bad name=2,x=%0D%0Aevil,y=%E2%82%AC,=3,justkey,z=%G1,fine=%C3%A9');
    expect(parsed).toEqual({ ok: '1', fine: 'é' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    for (const member of ['"bad name=2"', '"x=%0D%0Aevil"', '"y=%E2%82%AC"', '"=3"', '"justkey"', '"z=%G1"']) {
      expect(warnings[0]).toContain(member);
    }
  });

  it('replaces the generic list with the per-signal one as a whole', () => {
    const { config } = read({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3' });
    expect({ ...config.exporter.headers }).toEqual({ b: '3' });
  });
});

describe('sampler and propagators', () => {
  it('passes OTEL_TRACES_SAMPLER(_ARG) and OTEL_PROPAGATORS through trimmed, uninterpreted', () => {
    const { config, warnings } = read({
      OTEL_TRACES_SAMPLER: ' ParentBased_TraceIdRatio ', OTEL_TRACES_SAMPLER_ARG: ' 0.25 ',
      OTEL_PROPAGATORS: 'tracecontext,baggage,b3',
    });
    expect(config.tracesSampler).toBe('ParentBased_TraceIdRatio');
    expect(config.tracesSamplerArg).toBe('0.25');
    expect(config.propagators).toBe('tracecontext,baggage,b3');
    expect(warnings).toEqual([]);
  });
});

describe('warn once per variable', () => {
  it('emits exactly one warning per invalid variable in a fully broken environment', () => {
    const env: Record<string, string> = {
      OTEL_SDK_DISABLED: 'maybe', OTEL_RESOURCE_ATTRIBUTES: 'x,y,z', OTEL_EXPORTER_OTLP_HEADERS: 'p,q',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'nope', OTEL_EXPORTER_OTLP_PROTOCOL: 'smoke', OTEL_EXPORTER_OTLP_TIMEOUT: '-5',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'lz4', OTEL_EXPORTER_OTLP_INSECURE: 'sure',
      OTEL_ATTRIBUTE_COUNT_LIMIT: 'lots', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'long',
    };
    for (const name of INTEGERS.map((i) => i.name)) env[name] ??= '1.0';
    const { config, warnings } = read(env);
    const named = Object.keys(env).map((name) => warnings.filter((w) => w.includes(`${name}=`) || w.includes(`${name} `)));
    for (const [i, name] of Object.keys(env).entries()) expect(named[i], name).toHaveLength(1);
    expect(warnings).toHaveLength(Object.keys(env).length);
    expect(config).toEqual(DEFAULTS);
  });
});
