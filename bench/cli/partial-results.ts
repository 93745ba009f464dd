// The results of a scenario stopped mid-run, rebuilt from the rounds its script streamed (round-stream.ts): per
// subject the median/min/max over the finished rounds and the same-round ratios, in the script's own document
// shape so the summary, table and chart read them as they read a finished run. Pure; it must never invent a round.
import { spreadOf } from '../bench-stats.js';
import type { RoundMessage } from '../round-stream.js';
import type { ScenarioName } from './parse-args.js';
import { subjectKeysOf } from './scenario-summary.js';

/** A round message from an untyped IPC payload, or null when it is not one for `scenario`. */
export function roundMessageFrom(scenario: ScenarioName, message: unknown): RoundMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Partial<RoundMessage>;
  if (m.op !== 'round' || m.scenario !== scenario || typeof m.round !== 'number' || typeof m.rounds !== 'number' ||
    typeof m.unit !== 'string' || typeof m.values !== 'object' || m.values === null ||
    typeof m.ratios !== 'object' || m.ratios === null) return null;
  return m as RoundMessage;
}

/**
 * The partial document of `scenario` from its finished `rounds` (in order): `partial: true`, `roundsCompleted`,
 * `roundsRequested`, the rounds themselves, the subjects with a spread over those rounds, and the ratios. Null when
 * no round finished.
 */
export function partialResultsOf(scenario: ScenarioName, rounds: readonly RoundMessage[]): Record<string, unknown> | null {
  if (rounds.length === 0) return null;
  const { subjectsKey, nameKey, spreadKey } = subjectKeysOf(scenario);
  const seriesOf = (pick: (round: RoundMessage) => Record<string, number>): Map<string, number[]> => {
    const series = new Map<string, number[]>();
    for (const round of rounds) {
      for (const [name, value] of Object.entries(pick(round))) {
        if (typeof value === 'number') series.set(name, [...(series.get(name) ?? []), value]);
      }
    }
    return series;
  };
  return {
    benchmark: scenario,
    partial: true,
    roundsCompleted: rounds.length,
    roundsRequested: rounds[0]!.rounds,
    unit: rounds[0]!.unit,
    rounds: rounds.map(({ round, values, ratios }) => ({ round, values, ratios })),
    [subjectsKey]: [...seriesOf((r) => r.values)].map(([name, values]) => ({
      [nameKey]: name, [spreadKey]: spreadOf(values), perRound: values,
    })),
    ratios: [...seriesOf((r) => r.ratios)].map(([name, perRound]) => ({ name, perRound, ratio: spreadOf(perRound) })),
  };
}
