// Streams each finished benchmark round to the `spanwire` CLI over the child's IPC channel (one message per round),
// so a scenario interrupted mid-run still reports the rounds it finished. A script run by hand has no IPC channel
// and sends nothing. It must never write to stdout (which carries the script's --json document) nor throw.

/** One finished round of one scenario, as the CLI receives it; a stable shape (spanwire bench --help). */
export interface RoundMessage {
  op: 'round';
  scenario: 'codec' | 'lifecycle' | 'e2e';
  /** 0-based index of the round that finished. */
  round: number;
  /** Rounds the run was asked for. */
  rounds: number;
  /** Unit of `values`: `ns/span` (codec, lifecycle) or `spans/s` (e2e, delivered). */
  unit: string;
  /** Subject name -> its value in this round. */
  values: Record<string, number>;
  /** Ratio name (the same names as the script's final `ratios`) -> numerator / denominator in this round. */
  ratios: Record<string, number>;
}

/** A same-round ratio: its name as the script's final document spells it, and the two subjects it divides. */
export type RatioPair = readonly [name: string, numerator: string, denominator: string];

/** The round message for `values`, with every ratio whose two subjects are present. */
export function roundMessageOf(
  scenario: RoundMessage['scenario'], round: number, rounds: number, unit: string,
  values: Record<string, number>, ratioPairs: readonly RatioPair[],
): RoundMessage {
  const ratios: Record<string, number> = {};
  for (const [name, numerator, denominator] of ratioPairs) {
    const num = values[numerator];
    const den = values[denominator];
    if (num !== undefined && den !== undefined) ratios[name] = num / den;
  }
  return { op: 'round', scenario, round, rounds, unit, values, ratios };
}

/**
 * Sends `message` to the parent when there is one listening over IPC. libuv writes an IPC message at once when
 * nothing is queued before it, so a round sent from a synchronous measuring loop (the codec bench) is out before
 * the loop goes on, and a SIGTERM that ends the script later does not lose it.
 */
export function sendRound(message: RoundMessage): void {
  if (process.send === undefined || !process.connected) return;
  try {
    process.send(message);
  } catch {
    // The CLI went away: nobody to tell; the script's own --json document is unaffected.
  }
}
