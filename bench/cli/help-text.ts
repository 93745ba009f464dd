// The `--help` texts of the `spanwire` command and its subcommands, as plain strings.
// Text only: it must never parse arguments or run anything.

/** `spanwire --help`. */
export const MAIN_HELP = `Usage: spanwire <command> [options]

Commands:
  bench        Run spanwire's benchmarks side by side with the official OpenTelemetry JS SDK
  load         Generate canonical spans at a fixed rate for testing a collector or pipeline
  help [cmd]   Show help for a command

Options:
  -h, --help     Show this help (or "spanwire <command> --help")
  -V, --version  Print the spanwire version

Exit codes: 0 success, 1 a scenario failed (load: spans lost), 2 bad command line, 130 interrupted (Ctrl-C or
SIGTERM: both stop cleanly and print what was measured; a second one quits at once).
`;

/** `spanwire bench --help`; documents the JSON fields, which are a stable interface. */
export const BENCH_HELP = `Usage: spanwire bench [--scenario codec|lifecycle|e2e|all] [--quick] [--rounds N]
                      [--endpoint URL] [--protocol http|grpc] [--json | --markdown] [--svg FILE]

Runs the benchmark scripts in dist/bench/ one after another, each in its own Node process with --json, and
prints one summary at the end. Build first: npm run build.

Scenarios (default: all):
  codec      protobuf encode and gzip per span, spanwire WASM vs the official serializer and node:zlib (~1 min)
  lifecycle  span start/attributes/event/end through @opentelemetry/api, recorded and never sampled (~1-2 min)
  e2e        OTLP/HTTP and gRPC with gzip to a loopback sink, delivered spans/s and drops (~3-5 min); with
             --endpoint, to a collector of yours

Options:
  -s, --scenario NAME  codec, lifecycle, e2e, all, or a comma-separated list; repeatable
  --quick              Smoke run (fewer, shorter rounds): not a measurement
  --rounds N           Rounds per scenario (default: each script's own, 9 codec/lifecycle, 5 e2e)
  --json               Print one JSON document on stdout instead of a table
  --markdown           Print a Markdown table instead of aligned text
  --svg FILE           Also write a self-contained SVG chart to FILE: spanwire vs the reference per metric,
                       ratios and targets (written after Ctrl-C too, marked partial)
  --endpoint URL       e2e exports to this collector (spanwire and the official SDK in turn) instead of the
                       embedded loopback sink: the full URL for http (http://host:4318/v1/traces),
                       http://host:4317 for grpc. The embedded sink counts what arrives; a collector reports
                       no count back, so delivered counts are then each SDK's own (spans acknowledged)
  --protocol P         http (OTLP/HTTP protobuf) or grpc (OTLP/gRPC): e2e runs that protocol's pair only.
                       Default: both to the embedded sink; http with --endpoint
  -h, --help           Show this help

Progress goes to stderr: one live line on a terminal, plain lines otherwise, and a line as each round finishes
(the scripts stream every finished round to the CLI). Ctrl-C (or SIGTERM) stops the running scenario and prints
what finished so far, the finished rounds of the interrupted scenario included, marked partial (exit code 130).

JSON document (--json), field names are stable:
  {
    "spanwire": "<package version>",
    "node": "<process.version>",
    "partial": false,                  true when interrupted before every scenario ran
    "options": { "quick": false, "rounds": null,
                 "endpoint": null,     --endpoint URL, or null for the embedded sink
                 "protocol": null },   --protocol (http, grpc), or null for both
    "officialSdk": { "present": true, "missing": [] },
    "scenarios": [
      {
        "name": "codec" | "lifecycle" | "e2e",
        "ran": true,                   false: failed, skipped or interrupted
        "partial": false,              true: interrupted while running
        "durationMs": 12345,
        "results": { ... },            the script's own --json document. A scenario stopped (or failed) midway:
                                       what its finished rounds measured, or null if none finished:
                                       { "partial": true, "roundsCompleted", "roundsRequested", "unit",
                                         "rounds": [ { "round", "values": { subject: n }, "ratios": { name: n } } ],
                                         the subjects with median/min/max over those rounds, and "ratios" }
        "summary": [ { "subject", "median", "unit", "ratioVsOfficial", "ratioName", "target", "met" } ],
        "error": "..."                 only when ran is false
      }
    ]
  }
"ratioVsOfficial" is the median of same-round ratios spanwire / reference (null when the row has none);
"met" is true, false, or null when the row has no target.
The e2e document says who counted "delivered": "deliveredCountedBy": "sink" (the embedded sink) or "sdk" (with
--endpoint: each SDK's own accounting), and "endpoint" (the collector URL, or null). With the embedded sink and
OTLP/HTTP it also gives "httpGzipFloor": { "clientUsPerSpan", "clientThreadUsPerSpan", "sinkUsPerSpan", "cores",
"spansPerS" }: the CPU per span (client process, its main thread, sink) of a probe with no SDK that gzips
pre-encoded bodies (spanwire's WASM gzip, level 1) and sends them, and the most spans/s the cores could deliver at
that cost (null otherwise). Each producer runs in a process of its own, so
its RSS ("rssPeakBytes" in each round's "report") is its own.
When codec, lifecycle and e2e all ran, "pipelineFloor": { "recordUsPerSpan", "encodeUsPerSpan",
"gzipAndSendUsPerSpan", "sinkUsPerSpan", "cores", "spansPerS" } adds the minimal recorder and spanwire's encode to
that probe: the most spans/s any SDK could deliver over OTLP/HTTP + gzip here (null otherwise).
`;

/** `spanwire load --help`; documents the JSON fields, which are a stable interface. */
export const LOAD_HELP = `Usage: spanwire load [--rate N | --max] [--duration S] [--protocol http|grpc] [--endpoint URL] [--json]

Records canonical traces (a SERVER span and 3 CLIENT children, 8 attributes and an event each) through
@opentelemetry/api into spanwire's SpanwireTracerProvider and OtlpTraceExporter (gzip; one request per 512-span
batch, ~20 KB on the wire), for testing a collector or pipeline. Without --endpoint it starts the embedded
loopback sink (a child process on 127.0.0.1) and checks at the end that the sink counted every span the exporter
says it delivered. Build first: npm run build.

Options:
  --rate N          Spans per second, paced every 10 ms in whole traces of 4 spans (default 10000)
  --max             As fast as the exporter keeps up: records 128-span chunks while the next one fits in the
                    8192-span queue (spans already handed to the exporter do not count), else waits 1 ms
  --duration S      Seconds to produce (default 10); then flush for up to 10 s
  --protocol P      http (OTLP/HTTP protobuf, default) or grpc (OTLP/gRPC)
  --endpoint URL    Export there instead of the embedded sink: the full URL for http
                    (http://host:4318/v1/traces), http://host:4317 for grpc
  --json            Print one JSON document on stdout at the end instead of a summary
  -h, --help        Show this help

Progress goes to stderr, one line a second: achieved rate, exported, dropped by reason, export errors. Ctrl-C
or SIGTERM (kill <pid>) stops producing, flushes for up to 1 s and prints the summary so far (exit code 130).
Exit codes: 0 nothing lost, 1 spans dropped, left unflushed, or the sink's count differs from exported,
2 bad command line, 130 interrupted.

JSON document (--json), field names are stable:
  {
    "command": "load",
    "protocol": "http" | "grpc",
    "endpoint": "<URL exported to>",
    "embeddedSink": true,              false with --endpoint
    "targetSpansPerS": 10000,          null with --max
    "durationS": 10,                   requested
    "partial": false,                  true when interrupted (Ctrl-C)
    "elapsedS": 10.0,                  production time, without the flush
    "flushS": 0.1,
    "generated": 100000,               spans recorded
    "achievedSpansPerS": 10000,        generated / elapsedS
    "queueWaitS": 0,                   --max: production time spent waiting for queue room (0 with --rate);
                                       near elapsedS the exporter or collector is the limit, near 0 this CPU
    "exported": 100000,                stats().exported: spans the receiver accepted
    "dropped": { "<reason>": 0 },      stats().dropped, e.g. queue_full, export_failed
    "droppedTotal": 0,
    "exportErrors": 0,                 dropped spans whose reason is an export error
    "unflushed": 0,                    still queued, in flight or live when the flush ended
    "sinkSpans": 100000,               spans the embedded sink counted (null with --endpoint)
    "sinkBadRequests": 0,              requests the sink refused (null with --endpoint)
    "sinkMatchesExported": true,       sinkSpans == exported (null with --endpoint)
    "seconds": [ { "elapsedS", "intervalSpansPerS", "generated", "exported", "dropped", "droppedTotal",
                   "exportErrors" } ],  one progress sample a second, cumulative counts
    "exitCode": 0
  }
`;
