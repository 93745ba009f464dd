// The tracer provider with the embedded codec as its default (importing codec-module.ts registers it). The class
// itself lives in spanwire-tracer-provider.ts, which holds no codec bytes (spanwire/workerd imports that one).
import '../codec/codec-module.js';

export * from './spanwire-tracer-provider.js';
