// The pipeline floor `spanwire bench` reports (bench/cli/pipeline-floor.ts): the minimal recorder, spanwire's encode,
// the e2e probe's gzip-and-send client and the sink, summed per span, and cores / that sum; null when any part is
// missing (a scenario not run, --endpoint, gRPC only), never a throw on odd documents.
import { describe, expect, it } from 'vitest';
import { pipelineFloorOf } from '../bench/cli/pipeline-floor.js';
import type { ScenarioReport } from '../bench/cli/report-format.js';

function scenario(name: ScenarioReport['name'], summary: { subject: string; median: number }[], results: unknown = {}): ScenarioReport {
  return {
    name, ran: true, partial: false, durationMs: 1, results,
    summary: summary.map((row) => ({ ...row, unit: 'ns/span', ratioVsOfficial: null, ratioName: null, target: null, met: null })),
  };
}

const CODEC = scenario('codec', [{ subject: 'encode spanwire', median: 250 }]);
const LIFECYCLE = scenario('lifecycle', [{ subject: 'floor: minimal recorder', median: 750 }]);
const E2E = scenario('e2e', [], { httpGzipFloor: { clientUsPerSpan: 2.5, clientThreadUsPerSpan: 2, sinkUsPerSpan: 1.5, cores: 2, spansPerS: 400000 } });

describe('pipelineFloorOf', () => {
  it('sums record + encode + gzip-and-send + sink per span and divides the cores by it', () => {
    expect(pipelineFloorOf([CODEC, LIFECYCLE, E2E])).toEqual({
      recordUsPerSpan: 0.75, encodeUsPerSpan: 0.25, gzipAndSendUsPerSpan: 2.5, sinkUsPerSpan: 1.5, cores: 2,
      spansPerS: 2e6 / 5,
    });
  });

  it('is null when a scenario or the probe is missing or malformed', () => {
    expect(pipelineFloorOf([CODEC, LIFECYCLE])).toBeNull();
    expect(pipelineFloorOf([LIFECYCLE, E2E])).toBeNull();
    expect(pipelineFloorOf([CODEC, LIFECYCLE, scenario('e2e', [], { httpGzipFloor: null })])).toBeNull();
    expect(pipelineFloorOf([CODEC, LIFECYCLE, scenario('e2e', [], 'garbage')])).toBeNull();
    expect(pipelineFloorOf([CODEC, scenario('lifecycle', [{ subject: 'floor: minimal recorder', median: NaN }]), E2E]))
      .toBeNull();
  });
});
