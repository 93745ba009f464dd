// Tests how a scenario interrupted mid-run keeps its finished rounds: bench-stats' round listener (the source),
// round-stream's message (what crosses IPC), and partial-results' document (what the CLI reports). The process-level
// test (SIGINT a running scenario after a round) is in cli.test.ts.
import { describe, expect, it } from 'vitest';
import type { BenchSubject } from '../bench/bench-stats.js';
import { runInterleaved, runInterleavedAsync } from '../bench/bench-stats.js';
import { partialResultsOf, roundMessageFrom } from '../bench/cli/partial-results.js';
import { summarizeScenario } from '../bench/cli/scenario-summary.js';
import type { RoundMessage } from '../bench/round-stream.js';
import { roundMessageOf } from '../bench/round-stream.js';

const OPTIONS = { rounds: 3, warmupMs: 1, minSampleMs: 1, gcBetweenSamples: false };

/** A subject doing a little arithmetic, so a sample takes measurable time. */
function busySubject(name: string): BenchSubject {
  let sink = 0;
  return {
    name, unitsPerRun: 10,
    run: () => {
      for (let i = 0; i < 1000; i++) sink += Math.sqrt(i + sink);
    },
  };
}

describe('round listener (bench-stats)', () => {
  it('runInterleaved tells of every round once all subjects sampled it, with the same numbers as the results', () => {
    const heard: { round: number; names: string[]; values: number[] }[] = [];
    const results = runInterleaved([busySubject('a'), busySubject('b')], OPTIONS, (round, samples) => {
      heard.push({ round, names: samples.map((s) => s.name), values: samples.map((s) => s.nsPerUnit) });
    });
    expect(heard.map((h) => h.round)).toEqual([0, 1, 2]);
    for (const h of heard) {
      expect(h.names).toEqual(['a', 'b']);
      expect(h.values).toEqual([results[0]!.nsPerUnitSamples[h.round], results[1]!.nsPerUnitSamples[h.round]]);
    }
  });

  it('runInterleavedAsync does the same, in subject order whatever the round order', async () => {
    const heard: string[][] = [];
    const subject = (name: string, ms: number) => ({
      name, unitsPerRun: 1, runSample: async (_first: number, runs: number) => ms * runs,
    });
    const results = await runInterleavedAsync([subject('x', 2), subject('y', 4)], OPTIONS,
      (_round, samples) => heard.push(samples.map((s) => `${s.name}=${s.nsPerUnit}`)));
    expect(heard).toEqual([['x=2000000', 'y=4000000'], ['x=2000000', 'y=4000000'], ['x=2000000', 'y=4000000']]);
    expect(results.map((r) => r.nsPerUnitSamples.length)).toEqual([3, 3]);
  });
});

describe('round messages', () => {
  it('carry the values and every same-round ratio whose subjects are present', () => {
    const message = roundMessageOf('codec', 1, 9, 'ns/span', { 'encode spanwire': 50, 'encode official': 1000 }, [
      ['encode time spanwire / official', 'encode spanwire', 'encode official'],
      ['gzip time spanwire L1 / zlib L1', 'gzip spanwire level 1', 'gzip node:zlib level 1'],
    ]);
    expect(message).toEqual({
      op: 'round', scenario: 'codec', round: 1, rounds: 9, unit: 'ns/span',
      values: { 'encode spanwire': 50, 'encode official': 1000 },
      ratios: { 'encode time spanwire / official': 0.05 },
    });
    expect(roundMessageFrom('codec', JSON.parse(JSON.stringify(message)))).toEqual(message);
  });

  it('are refused when malformed or from another scenario', () => {
    const good = roundMessageOf('e2e', 0, 5, 'spans/s', {}, []);
    expect(roundMessageFrom('codec', good)).toBeNull();
    for (const bad of [null, 'round', 7, { ...good, op: 'counts' }, { ...good, round: '0' }, { ...good, values: null },
      { ...good, ratios: undefined }]) {
      expect(roundMessageFrom('e2e', bad)).toBeNull();
    }
  });
});

describe('partialResultsOf', () => {
  const pairs = [['recorded span calls spanwire / official', 'recorded spanwire', 'recorded official']] as const;
  const rounds: RoundMessage[] = [[4000, 20000], [5000, 18000]].map(([ours, theirs], round) =>
    roundMessageOf('lifecycle', round, 9, 'ns/span', { 'recorded spanwire': ours!, 'recorded official': theirs! }, pairs));

  it('is null when no round finished', () => {
    expect(partialResultsOf('lifecycle', [])).toBeNull();
  });

  it('keeps every finished round and gives spreads in the script\'s own document shape', () => {
    const doc = partialResultsOf('lifecycle', rounds)!;
    expect(doc).toMatchObject({
      benchmark: 'lifecycle', partial: true, roundsCompleted: 2, roundsRequested: 9, unit: 'ns/span',
      rounds: [
        { round: 0, values: { 'recorded spanwire': 4000, 'recorded official': 20000 },
          ratios: { 'recorded span calls spanwire / official': 0.2 } },
        { round: 1, values: { 'recorded spanwire': 5000, 'recorded official': 18000 } },
      ],
      spanCalls: [
        { name: 'recorded spanwire', nsPerUnit: { median: 4500, min: 4000, max: 5000 }, perRound: [4000, 5000] },
        { name: 'recorded official', nsPerUnit: { median: 19000, min: 18000, max: 20000 } },
      ],
    });
    // Read by the same summary as a finished run: medians and the median same-round ratio, no targets.
    const rows = summarizeScenario('lifecycle', doc);
    expect(rows[0]).toMatchObject({ subject: 'recorded spanwire', median: 4500, unit: 'ns/span', target: null });
    expect(rows[0]!.ratioVsOfficial).toBeCloseTo((0.2 + 5000 / 18000) / 2, 12);
  });

  it('uses the e2e document shape (summaries, subject, deliveredSpansPerS)', () => {
    const doc = partialResultsOf('e2e', [roundMessageOf('e2e', 0, 5, 'spans/s', { 'spanwire-http': 80000 }, [])])!;
    expect(doc['summaries']).toEqual([
      { subject: 'spanwire-http', deliveredSpansPerS: { median: 80000, min: 80000, max: 80000 }, perRound: [80000] },
    ]);
    expect(summarizeScenario('e2e', doc)[0]).toMatchObject({ subject: 'spanwire-http', median: 80000, unit: 'spans/s' });
  });
});
