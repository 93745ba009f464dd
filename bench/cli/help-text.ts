// The `--help` texts of the `spanwire` command and its subcommands, as plain strings.
// Text only: it must never parse arguments or run anything.

/** `spanwire --help`. */
export const MAIN_HELP = `Usage: spanwire <command> [options]

Commands:
  bench        Run spanwire's benchmarks side by side with the official OpenTelemetry JS SDK
  help [cmd]   Show help for a command

Options:
  -h, --help     Show this help (or "spanwire <command> --help")
  -V, --version  Print the spanwire version

Exit codes: 0 success, 1 a scenario failed, 2 bad command line, 130 interrupted (Ctrl-C).
`;

/** `spanwire bench --help`; documents the JSON fields, which are a stable interface. */
export const BENCH_HELP = `Usage: spanwire bench [--scenario codec|lifecycle|e2e|all] [--quick] [--rounds N]
                      [--json | --markdown]

Runs the benchmark scripts in dist/bench/ one after another, each in its own Node process with --json, and
prints one summary at the end. Build first: npm run build.

Scenarios (default: all):
  codec      protobuf encode and gzip per span, spanwire WASM vs the official serializer and node:zlib (~1 min)
  lifecycle  span start/attributes/event/end through @opentelemetry/api, recorded and never sampled (~1-2 min)
  e2e        OTLP/HTTP and gRPC with gzip to a loopback sink, delivered spans/s and drops (~3-5 min)

Options:
  -s, --scenario NAME  codec, lifecycle, e2e, all, or a comma-separated list; repeatable
  --quick              Smoke run (fewer, shorter rounds): not a measurement
  --rounds N           Rounds per scenario (default: each script's own, 9 codec/lifecycle, 5 e2e)
  --json               Print one JSON document on stdout instead of a table
  --markdown           Print a Markdown table instead of aligned text
  -h, --help           Show this help

Progress goes to stderr: one live line on a terminal, plain lines otherwise. Ctrl-C stops the running
scenario and prints what finished so far, marked partial (exit code 130).

JSON document (--json), field names are stable:
  {
    "spanwire": "<package version>",
    "node": "<process.version>",
    "partial": false,                  true when interrupted before every scenario ran
    "options": { "quick": false, "rounds": null },
    "officialSdk": { "present": true, "missing": [] },
    "scenarios": [
      {
        "name": "codec" | "lifecycle" | "e2e",
        "ran": true,                   false: failed, skipped or interrupted
        "partial": false,              true: interrupted while running
        "durationMs": 12345,
        "results": { ... },            the script's own --json document (null if it did not finish)
        "summary": [ { "subject", "median", "unit", "ratioVsOfficial", "ratioName", "target", "met" } ],
        "error": "..."                 only when ran is false
      }
    ]
  }
"ratioVsOfficial" is the median of same-round ratios spanwire / reference (null when the row has none);
"met" is true, false, or null when the row has no target.
`;
