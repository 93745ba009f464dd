// Command-line grammar of the `spanwire` command: turns argv into one typed Command or throws UsageError.
// Pure: it must never read the environment, touch the file system, print or exit (spanwire.ts does that).

/** The benchmark scenarios `spanwire bench` can run, in the order `all` runs them. */
export const SCENARIOS = ['codec', 'lifecycle', 'e2e'] as const;

/** One benchmark scenario; each is one script in bench/ (`<name>-bench.ts`). */
export type ScenarioName = (typeof SCENARIOS)[number];

/** How `spanwire bench` prints its report: aligned text, one JSON document, or a Markdown table. */
export type OutputFormat = 'text' | 'json' | 'markdown';

/** Settings of `spanwire bench`. */
export interface BenchCommand {
  kind: 'bench';
  /** Scenarios to run, deduplicated, in SCENARIOS order. */
  scenarios: ScenarioName[];
  /** Passed to every child as `--quick` (a smoke run, not a measurement). */
  quick: boolean;
  /** Passed to every child as `--rounds N` when set; null keeps each script's own default. */
  rounds: number | null;
  format: OutputFormat;
  /** `--svg FILE`: also write the comparison chart there (after the run, partial results included); null: none. */
  svgFile: string | null;
  /**
   * `--endpoint URL`: the e2e scenario exports to this collector instead of its embedded loopback sink (delivered
   * counts then come from each SDK's own accounting); null: the embedded sink.
   */
  endpoint: string | null;
  /** `--protocol`: the e2e scenario runs this protocol's pair only; null: both (embedded sink only). */
  protocol: OtlpProtocol | null;
}

/** The OTLP transports spanwire exports over: http (OTLP/HTTP protobuf) and grpc. */
export type OtlpProtocol = 'http' | 'grpc';

/** Settings of `spanwire load`. */
export interface LoadCommand {
  kind: 'load';
  /** Spans per second; null for --max (as fast as possible). */
  rateSpansPerS: number | null;
  durationS: number;
  protocol: OtlpProtocol;
  /** Where to export; null starts the embedded loopback sink. */
  endpoint: string | null;
  format: 'text' | 'json';
}

/** A subcommand with its own help text. */
export type HelpTopic = 'bench' | 'load';

/** A help request: `topic` is null for the command itself, else the subcommand. */
export interface HelpCommand {
  kind: 'help';
  topic: HelpTopic | null;
}

/** `spanwire --version`. */
export interface VersionCommand {
  kind: 'version';
}

/** Everything the command line can ask for. */
export type Command = BenchCommand | LoadCommand | HelpCommand | VersionCommand;

/** A command line the grammar does not accept; the entry prints `message` and exits with code 2. */
export class UsageError extends Error {
  /** The help topic to point the user at. */
  readonly topic: HelpTopic | null;

  constructor(message: string, topic: HelpTopic | null) {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}

const SUBCOMMANDS = ['bench', 'load', 'help'] as const;

/** `spanwire load` spans per second when neither --rate nor --max is given. */
export const DEFAULT_LOAD_RATE = 10_000;
/** `spanwire load` seconds when --duration is not given. */
export const DEFAULT_LOAD_DURATION_S = 10;

/** Splits `--flag=value` into flag and value; a plain `--flag` has value undefined. */
function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

/** `--protocol`'s value, or a UsageError for `topic`. */
function protocolFrom(raw: string, topic: HelpTopic): OtlpProtocol {
  if (raw !== 'http' && raw !== 'grpc') throw new UsageError(`--protocol must be http or grpc, got '${raw}'`, topic);
  return raw;
}

/** `--endpoint`'s value: an http: or https: URL, or a UsageError for `topic`. */
function endpointFrom(raw: string, topic: HelpTopic): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint needs a URL such as http://127.0.0.1:4318/v1/traces, got '${raw}'`, topic);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint must be an http: or https: URL, got '${raw}'`, topic);
  }
  return url;
}

/**
 * The exporters send to the URL as given (nothing appended): OTLP/HTTP needs the full path, gRPC none. Checked
 * here, where a typo costs nothing, not as a 404 or UNIMPLEMENTED from the collector once the run is under way.
 */
function checkEndpointShape(endpoint: URL, protocol: OtlpProtocol, topic: HelpTopic): void {
  const hasPath = endpoint.pathname !== '/' && endpoint.pathname !== '';
  if (protocol === 'http' && !hasPath) {
    throw new UsageError('--endpoint for OTLP/HTTP is the full URL with its path, e.g. ' +
      `http://127.0.0.1:4318/v1/traces, got '${endpoint.href}'`, topic);
  }
  if (protocol === 'grpc' && hasPath) {
    throw new UsageError(`--endpoint for OTLP/gRPC is http://host:port without a path, got '${endpoint.href}'`, topic);
  }
}

/** Parses `--scenario` values: a name, `all`, or a comma-separated list of names. */
function scenariosFrom(raw: string): ScenarioName[] {
  const out: ScenarioName[] = [];
  for (const name of raw.split(',')) {
    if (name === 'all') out.push(...SCENARIOS);
    else if ((SCENARIOS as readonly string[]).includes(name)) out.push(name as ScenarioName);
    else {
      throw new UsageError(`unknown scenario '${name}' (expected ${SCENARIOS.join(', ')} or all)`, 'bench');
    }
  }
  return out;
}

/** Parses the arguments after `bench`. */
function parseBench(args: readonly string[]): Command {
  const picked = new Set<ScenarioName>();
  let quick = false;
  let rounds: number | null = null;
  let json = false;
  let markdown = false;
  let svgFile: string | null = null;
  let endpoint: URL | null = null;
  let endpointRaw: string | null = null;
  let protocol: OtlpProtocol | null = null;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]!);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${flag} needs a value`, 'bench');
      i++;
      return next;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`, 'bench');
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help', topic: 'bench' };
      case '--scenario':
      case '-s':
        for (const name of scenariosFrom(takeValue())) picked.add(name);
        break;
      case '--quick':
        noValue();
        quick = true;
        break;
      case '--rounds': {
        const raw = takeValue();
        const value = Number(raw);
        if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
          throw new UsageError(`--rounds needs a positive integer, got '${raw}'`, 'bench');
        }
        rounds = value;
        break;
      }
      case '--json':
        noValue();
        json = true;
        break;
      case '--markdown':
        noValue();
        markdown = true;
        break;
      case '--svg': {
        const raw = takeValue();
        if (raw === '') throw new UsageError('--svg needs a file name', 'bench');
        svgFile = raw;
        break;
      }
      case '--endpoint':
        endpointRaw = takeValue();
        endpoint = endpointFrom(endpointRaw, 'bench');
        break;
      case '--protocol':
        protocol = protocolFrom(takeValue(), 'bench');
        break;
      default:
        throw new UsageError(
          flag.startsWith('-') ? `unknown option '${flag}' for 'spanwire bench'`
            : `unexpected argument '${flag}' for 'spanwire bench'`,
          'bench',
        );
    }
  }
  if (json && markdown) throw new UsageError('--json and --markdown cannot be combined', 'bench');
  const scenarios = picked.size === 0 ? [...SCENARIOS] : SCENARIOS.filter((name) => picked.has(name));
  if ((endpoint !== null || protocol !== null) && !scenarios.includes('e2e')) {
    throw new UsageError(`${endpoint !== null ? '--endpoint' : '--protocol'} applies to the e2e scenario, which ` +
      `--scenario ${scenarios.join(',')} leaves out`, 'bench');
  }
  if (endpoint !== null) {
    // One URL is one protocol: http unless told otherwise.
    protocol ??= 'http';
    checkEndpointShape(endpoint, protocol, 'bench');
  }
  return {
    kind: 'bench', scenarios, quick, rounds, format: json ? 'json' : markdown ? 'markdown' : 'text', svgFile,
    endpoint: endpointRaw, protocol,
  };
}

/** A positive finite number from `raw`, or a UsageError naming `flag`. */
function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} needs a positive number, got '${raw}'`, 'load');
  }
  return value;
}

/** Parses the arguments after `load`. */
function parseLoad(args: readonly string[]): Command {
  let rate: number | null = null;
  let max = false;
  let durationS = DEFAULT_LOAD_DURATION_S;
  let protocol: OtlpProtocol = 'http';
  let endpoint: string | null = null;
  let endpointUrl: URL | null = null;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]!);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${flag} needs a value`, 'load');
      i++;
      return next;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`, 'load');
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help', topic: 'load' };
      case '--rate':
        rate = positiveNumber(flag, takeValue());
        break;
      case '--max':
        noValue();
        max = true;
        break;
      case '--duration':
        durationS = positiveNumber(flag, takeValue());
        break;
      case '--protocol':
        protocol = protocolFrom(takeValue(), 'load');
        break;
      case '--endpoint':
        endpoint = takeValue();
        endpointUrl = endpointFrom(endpoint, 'load');
        break;
      case '--json':
        noValue();
        json = true;
        break;
      default:
        throw new UsageError(
          flag.startsWith('-') ? `unknown option '${flag}' for 'spanwire load'`
            : `unexpected argument '${flag}' for 'spanwire load'`,
          'load',
        );
    }
  }
  if (max && rate !== null) throw new UsageError('--rate and --max cannot be combined', 'load');
  if (endpointUrl !== null) checkEndpointShape(endpointUrl, protocol, 'load');
  return {
    kind: 'load', rateSpansPerS: max ? null : rate ?? DEFAULT_LOAD_RATE, durationS, protocol, endpoint,
    format: json ? 'json' : 'text',
  };
}

/**
 * Parses `process.argv.slice(2)`. Accepts `bench [flags]`, `load [flags]`, `help [bench|load]`, `--help`/`-h`
 * anywhere before or inside a subcommand, and `--version`/`-V`. Throws UsageError for anything else, including an empty line.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const first = argv[0];
  if (first === undefined) throw new UsageError('missing command', null);
  if (first === '--help' || first === '-h') return { kind: 'help', topic: null };
  if (first === '--version' || first === '-V') {
    if (argv.length > 1) throw new UsageError(`unexpected argument '${argv[1]}' after ${first}`, null);
    return { kind: 'version' };
  }
  if (first === 'bench') return parseBench(argv.slice(1));
  if (first === 'load') return parseLoad(argv.slice(1));
  if (first === 'help') {
    const topic = argv[1];
    if (topic === undefined) return { kind: 'help', topic: null };
    if ((topic === 'bench' || topic === 'load') && argv.length === 2) return { kind: 'help', topic };
    throw new UsageError(`no help topic '${argv.slice(1).join(' ')}' (expected: bench, load)`, null);
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`, null);
  throw new UsageError(`unknown command '${first}' (expected one of: ${SUBCOMMANDS.join(', ')})`, null);
}
