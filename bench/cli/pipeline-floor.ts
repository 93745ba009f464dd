// The floor of the whole OTLP/HTTP + gzip pipeline from one `spanwire bench` run: the cheapest span recording
// (the lifecycle scenario's "floor: minimal recorder": three clock reads, the parent lookup, keys and values kept
// by reference; no ids, sampling, span objects or export), spanwire's WASM encode (codec scenario), and the e2e
// probe that gzips and sends pre-encoded bodies with no SDK, plus the loopback sink's CPU for them. No SDK records,
// encodes, compresses and sends a canonical span for less here, so cores / that sum bounds the delivered spans/s
// any SDK can reach on this machine. Read-only over the scenario documents; never throws on a missing field.
import type { ScenarioReport } from './report-format.js';
import { isObject } from './scenario-summary.js';

/** The floor's parts (µs of CPU per span) and the most spans/s the cores could deliver at that cost. */
export interface PipelineFloor {
  recordUsPerSpan: number;
  encodeUsPerSpan: number;
  gzipAndSendUsPerSpan: number;
  sinkUsPerSpan: number;
  cores: number;
  spansPerS: number;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** A summary row's median (ns/span) by subject name, or null. */
function medianNs(report: ScenarioReport | undefined, subject: string): number | null {
  return finite(report?.summary.find((row) => row.subject === subject)?.median);
}

/** The floor when codec, lifecycle and e2e (embedded sink, OTLP/HTTP probe) all ran in this report; else null. */
export function pipelineFloorOf(scenarios: readonly ScenarioReport[]): PipelineFloor | null {
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const recordNs = medianNs(byName.get('lifecycle'), 'floor: minimal recorder');
  const encodeNs = medianNs(byName.get('codec'), 'encode spanwire');
  const e2e = byName.get('e2e')?.results;
  const probe = isObject(e2e) && isObject(e2e['httpGzipFloor']) ? e2e['httpGzipFloor'] : null;
  const client = finite(probe?.['clientUsPerSpan']);
  const sink = finite(probe?.['sinkUsPerSpan']);
  const cores = finite(probe?.['cores']);
  if (recordNs === null || encodeNs === null || client === null || sink === null || cores === null) return null;
  const totalUs = recordNs / 1000 + encodeNs / 1000 + client + sink;
  return {
    recordUsPerSpan: recordNs / 1000, encodeUsPerSpan: encodeNs / 1000, gzipAndSendUsPerSpan: client,
    sinkUsPerSpan: sink, cores, spansPerS: (cores * 1e6) / totalUs,
  };
}
