// The benchmark harness every bench/ script shares: warm-up, interleaved rounds, per-round ratios, medians, a
// table printer and flag parsing. It times with `performance.now()` only and must never assert on a time: the
// machine is shared and noisy, so it reports medians and same-round ratios, never one absolute number.
/** One thing to time. `run` is the timed work; `unitsPerRun` (e.g. 512 spans) turns time into ns per unit. */
export interface BenchSubject {
  readonly name: string;
  readonly unitsPerRun: number;
  /** The timed work. `iteration` counts up across the whole benchmark, e.g. to rotate through inputs. */
  run(iteration: number): void;
  /**
   * Optional untimed work before each `run` (e.g. re-recording a batch). When present, each `run` is timed
   * on its own (adds ~0.1 µs of clock reads per run, negligible above ~100 µs per run).
   */
  prepare?(iteration: number): void;
}

/** Harness settings; `benchOptionsFromArgs` fills them from the command line. */
export interface BenchOptions {
  /** Interleaved rounds; each round takes one sample of every subject. */
  rounds: number;
  /** Untimed warm-up per subject, long enough for V8 to tier the JS side up to optimized code. */
  warmupMs: number;
  /** Timed work per sample; ≥ 50 ms keeps clock granularity and scheduler blips below ~1 %. */
  minSampleMs: number;
  /**
   * Full GC before every sample (needs `--expose-gc`). Off by default: on this machine it made the allocating
   * official serializer 2-3x slower (7 µs -> 15-25 µs per span) with the same scavenge count, i.e. it measures
   * recovery from a forced GC, not steady state. Interleaving already spreads GC debt over both sides.
   */
  gcBetweenSamples: boolean;
}

/** Median, minimum and maximum of a sample set. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Per-subject result: nanoseconds per unit, one sample per round. */
export interface SubjectResult {
  name: string;
  runsPerSample: number;
  nsPerUnitSamples: number[];
  nsPerUnit: Spread;
}

/** Same-round ratio numerator/denominator: noise that slows a whole round cancels out. */
export interface RatioResult {
  name: string;
  perRound: number[];
  ratio: Spread;
}

/** Median/min/max of `values` (median of an even count is the mean of the middle two). */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN };
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** `globalThis.gc` when Node runs with `--expose-gc`; throws otherwise, since a silently skipped GC would skew. */
function exposedGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('gcBetweenSamples needs node --expose-gc');
  return gc;
}

/** Total ms spent in `runs` timed runs starting at `firstIteration`. */
function timeRuns(subject: BenchSubject, firstIteration: number, runs: number): number {
  if (subject.prepare === undefined) {
    const start = performance.now();
    for (let i = 0; i < runs; i++) subject.run(firstIteration + i);
    return performance.now() - start;
  }
  let totalMs = 0;
  for (let i = 0; i < runs; i++) {
    subject.prepare(firstIteration + i);
    const start = performance.now();
    subject.run(firstIteration + i);
    totalMs += performance.now() - start;
  }
  return totalMs;
}

/** Told after each complete round: its index and one ns-per-unit sample per subject, in `subjects` order. */
export type RoundListener = (round: number, nsPerUnit: readonly { name: string; nsPerUnit: number }[]) => void;

/** One timed sample to take: subject `s` in `round`, `runs` runs from iteration `firstIteration`. */
interface RoundStep {
  round: number;
  s: number;
  firstIteration: number;
  runs: number;
}

/**
 * The measuring phase shared by runInterleaved and runInterleavedAsync (the caller times each step, synchronously
 * or not): the round order (A B, B A, ...), a full GC before each sample when asked, the samples in ns per unit,
 * the round listener and the results.
 */
class InterleavedRounds {
  private readonly samples: number[][];
  private readonly gc: (() => void) | null;

  constructor(
    private readonly subjects: readonly { name: string; unitsPerRun: number }[],
    private readonly runsPerSample: readonly number[],
    private readonly iterations: number[],
    private readonly options: BenchOptions,
    private readonly onRound: RoundListener | undefined,
  ) {
    this.samples = subjects.map(() => []);
    this.gc = options.gcBetweenSamples ? exposedGc() : null;
  }

  /** Every sample of every round, in order; the GC (if any) runs as each step is handed out. */
  *steps(): Generator<RoundStep> {
    const count = this.subjects.length;
    for (let round = 0; round < this.options.rounds; round++) {
      for (let k = 0; k < count; k++) {
        const s = round % 2 === 0 ? k : count - 1 - k;
        if (this.gc !== null) this.gc();
        yield { round, s, firstIteration: this.iterations[s]!, runs: this.runsPerSample[s]! };
      }
    }
  }

  /** The step's timed milliseconds; after a round's last step, tells the listener. */
  record(step: RoundStep, ms: number): void {
    this.iterations[step.s]! += step.runs;
    this.samples[step.s]!.push((ms * 1e6) / (step.runs * this.subjects[step.s]!.unitsPerRun));
    if (this.onRound !== undefined && this.samples.every((taken) => taken.length === step.round + 1)) {
      this.onRound(step.round, this.subjects.map((subject, s) => ({
        name: subject.name, nsPerUnit: this.samples[s]![step.round]!,
      })));
    }
  }

  results(): SubjectResult[] {
    return this.subjects.map((subject, s) => ({
      name: subject.name,
      runsPerSample: this.runsPerSample[s]!,
      nsPerUnitSamples: this.samples[s]!,
      nsPerUnit: spreadOf(this.samples[s]!),
    }));
  }
}

/**
 * Warms every subject up, sizes its samples to `minSampleMs`, then runs `rounds` rounds that each take one
 * sample of every subject, alternating forward and reverse order (A B, B A, …) so neither side always runs
 * right after the other's garbage or frequency change. Returns results in `subjects` order; `onRound` hears of
 * every round as it completes (e.g. to stream it, so an interrupted run keeps its finished rounds).
 */
export function runInterleaved(
  subjects: readonly BenchSubject[], options: BenchOptions, onRound?: RoundListener,
): SubjectResult[] {
  const iterations = subjects.map(() => 0);
  const runsPerSample = subjects.map((subject, s) => {
    let runs = 0;
    let spentMs = 0;
    const warmupStart = performance.now();
    while (performance.now() - warmupStart < options.warmupMs || runs < 3) {
      spentMs += timeRuns(subject, iterations[s]!, 1);
      iterations[s]!++;
      runs++;
    }
    return Math.max(1, Math.ceil(options.minSampleMs / (spentMs / runs)));
  });
  const rounds = new InterleavedRounds(subjects, runsPerSample, iterations, options, onRound);
  for (const step of rounds.steps()) {
    rounds.record(step, timeRuns(subjects[step.s]!, step.firstIteration, step.runs));
  }
  return rounds.results();
}

/**
 * A subject whose work is asynchronous (it yields to the event loop, or runs in a worker thread). It times
 * itself, so it can leave out what is not the measured work (e.g. its yields or a final flush).
 */
export interface AsyncBenchSubject {
  readonly name: string;
  readonly unitsPerRun: number;
  /**
   * Does `runs` runs from iteration `firstIteration` and resolves to the milliseconds they count for.
   * `round` is the round index, or -1 during warm-up (whose numbers are discarded).
   */
  runSample(firstIteration: number, runs: number, round: number): Promise<number>;
}

/**
 * `runInterleaved` for asynchronous subjects: same warm-up goal, sample sizing, round order (A B, B A, …) and
 * result shape. Warm-up counts the subjects' own timed milliseconds, not wall time: a subject's untimed parts
 * (exports, flushes, a worker round trip of ~0.1 ms) would otherwise eat the warm-up before V8 tiers its code
 * up (the official SDK needed ~5k spans). It doubles the runs per call until one call takes half a sample and
 * ends only after such a call, so the sample size comes from the last, warmest one.
 */
export async function runInterleavedAsync(
  subjects: readonly AsyncBenchSubject[], options: BenchOptions, onRound?: RoundListener,
): Promise<SubjectResult[]> {
  const iterations = subjects.map(() => 0);
  const runsPerSample: number[] = [];
  for (let s = 0; s < subjects.length; s++) {
    const subject = subjects[s]!;
    let runs = 1;
    let calls = 0;
    let msPerRun = 0;
    let fullSize = false;
    let warmMs = 0;
    while (warmMs < options.warmupMs || calls < 3 || !fullSize) {
      const ms = await subject.runSample(iterations[s]!, runs, -1);
      iterations[s]! += runs;
      warmMs += ms;
      calls++;
      msPerRun = ms / runs;
      fullSize = ms >= options.minSampleMs / 2;
      if (!fullSize) runs *= 2;
    }
    runsPerSample.push(msPerRun > 0 ? Math.max(1, Math.ceil(options.minSampleMs / msPerRun)) : runs);
  }
  const rounds = new InterleavedRounds(subjects, runsPerSample, iterations, options, onRound);
  for (const step of rounds.steps()) {
    rounds.record(step, await subjects[step.s]!.runSample(step.firstIteration, step.runs, step.round));
  }
  return rounds.results();
}

/** Per-round ratio `numerator / denominator` of two results from the same `runInterleaved` call. */
export function ratioOf(name: string, numerator: SubjectResult, denominator: SubjectResult): RatioResult {
  const perRound = numerator.nsPerUnitSamples.map((ns, i) => ns / denominator.nsPerUnitSamples[i]!);
  return { name, perRound, ratio: spreadOf(perRound) };
}

/** A table cell: strings print as they are, numbers through `formatNumber`. */
export type Cell = string | number;

/** Three significant digits, no exponent for the magnitudes benchmarks print (0.001 … 10^7). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** Renders rows under a header as aligned columns: first column left-aligned, the rest right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, col) => Math.max(...text.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(text[0]!), rule, ...text.slice(1).map(line)].join('\n');
}

/** Command-line settings shared by every bench script. */
export interface BenchArgs {
  options: BenchOptions;
  /** Print one JSON document on stdout instead of tables. */
  json: boolean;
  quick: boolean;
}

/**
 * Parses `--rounds N`, `--quick` (3 rounds, 20 ms samples, 150 ms warm-up: a smoke run, not a measurement) and
 * `--json`. Defaults: 9 rounds (odd, so the median is one real sample), 50 ms samples, 500 ms warm-up.
 */
export function benchArgsFrom(argv: readonly string[]): BenchArgs {
  const quick = argv.includes('--quick');
  const options: BenchOptions = quick
    ? { rounds: 3, warmupMs: 150, minSampleMs: 20, gcBetweenSamples: false }
    : { rounds: 9, warmupMs: 500, minSampleMs: 50, gcBetweenSamples: false };
  const roundsAt = argv.indexOf('--rounds');
  if (roundsAt >= 0) {
    const rounds = Number(argv[roundsAt + 1]);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a positive integer');
    options.rounds = rounds;
  }
  return { options, json: argv.includes('--json'), quick };
}
