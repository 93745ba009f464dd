// Public entry of spanwire's portable core: no node:* imports, nothing runtime-specific. The embedded codec is the
// default (importing codec-module.ts registers it); core-api.ts is the same surface without it (spanwire/workerd).
import './codec/codec-module.js';

export * from './core-api.js';
