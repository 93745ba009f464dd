// Codec benchmark: per span on the same canonical 512-span batches, protobuf encode (spanwire's WASM encoder vs
// the official ProtobufTraceSerializer) and gzip (spanwire's WASM DEFLATE vs node:zlib levels 1 and 6 on the same
// protobuf bytes), all interleaved in one run. It reports medians and same-round ratios; it never fails on a time.
import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchEncoder, GZIP_LEVEL_BETTER, GZIP_LEVEL_FAST } from '../src/codec/batch-encoder.js';
import { loadCodec } from '../src/codec/codec-module.js';
import { SpanArena, SpanKindCode, StatusCodeValue } from '../src/arena/span-arena.js';
import type { BenchSubject, RatioResult, SubjectResult } from './bench-stats.js';
import { benchArgsFrom, formatNumber, formatTable, ratioOf, runInterleaved } from './bench-stats.js';
import { CANONICAL_WORKLOAD, CanonicalTraceSource, URL_PATH_ATTRIBUTE_INDEX } from './canonical-workload.js';
import { OfficialSdkRecorder, serializeOfficial } from './official-sdk.js';
import type { RatioPair } from './round-stream.js';
import { roundMessageOf, sendRound } from './round-stream.js';

const SEED = 0x2545f491;
const BATCH_SPANS = CANONICAL_WORKLOAD.batchSpans;
/**
 * Batches recorded once before timing and rotated per iteration, so consecutive encodes see different ids,
 * timestamps and url.path values (as dd-trace-js fixtures do) while recording stays out of the timed section.
 * 4 × 512 = 2048 spans: the arena capacity below.
 */
const ROTATING_BATCHES = 4;
const ARENA_SPANS = ROTATING_BATCHES * BATCH_SPANS;
/** The spanwire gzip levels compared: BatchEncoder.gzip's default (fast, greedy) and its better (lazy) level. */
const OUR_GZIP_DEFAULT_LEVEL = GZIP_LEVEL_FAST;
const OUR_GZIP_BETTER_LEVEL = GZIP_LEVEL_BETTER;
/** Same-round ratios (name, numerator subject, denominator subject): reported per round and as medians. */
const RATIO_PAIRS: readonly RatioPair[] = [
  ['encode time spanwire / official', 'encode spanwire', 'encode official'],
  [`gzip time spanwire L${OUR_GZIP_DEFAULT_LEVEL} / zlib L1`, `gzip spanwire level ${OUR_GZIP_DEFAULT_LEVEL}`,
    'gzip node:zlib level 1'],
  [`gzip time spanwire L${OUR_GZIP_BETTER_LEVEL} / zlib L1`, `gzip spanwire level ${OUR_GZIP_BETTER_LEVEL}`,
    'gzip node:zlib level 1'],
  [`gzip time spanwire L${OUR_GZIP_BETTER_LEVEL} / zlib L6`, `gzip spanwire level ${OUR_GZIP_BETTER_LEVEL}`,
    'gzip node:zlib level 6'],
];

/** Targets from DESIGN.md "Targets", as ratios ours / reference. */
const TARGET_ENCODE_TIME_RATIO = 1 / 20;
const TARGET_GZIP_TIME_RATIO = 1;
const TARGET_GZIP_SIZE_RATIO = 1.05;

const METHOD =
  `${ROTATING_BATCHES} batches x ${BATCH_SPANS} canonical spans recorded once per SDK before timing and rotated ` +
  'per iteration (ids, timestamps, url.path differ); every gzip subject compresses spanwire\'s protobuf bytes ' +
  'of the same batches (spanwire gzip re-encodes the batch untimed first: its gzip() takes only an encode() ' +
  'view); rounds interleaved A B / B A.';

/** Counts spans in an ExportTraceServiceRequest (fields 1 resource_spans > 2 scope_spans > 2 spans). */
function countOtlpSpans(bytes: Uint8Array): number {
  // Each level: the field number that leads one level down; the last level's matches are the spans.
  const path = [1, 2, 2];
  let spans = 0;
  const walk = (start: number, end: number, depth: number): void => {
    let pos = start;
    while (pos < end) {
      const [tag, afterTag] = readVarint(bytes, pos);
      pos = afterTag;
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (wireType === 0) pos = readVarint(bytes, pos)[1];
      else if (wireType === 1) pos += 8;
      else if (wireType === 5) pos += 4;
      else if (wireType === 2) {
        const [len, bodyStart] = readVarint(bytes, pos);
        pos = bodyStart + len;
        if (field === path[depth]) {
          if (depth === path.length - 1) spans++;
          else walk(bodyStart, pos, depth + 1);
        }
      } else throw new Error(`wire type ${wireType} at byte ${pos}`);
    }
    if (pos !== end) throw new Error(`message overruns its length by ${pos - end} bytes`);
  };
  walk(0, bytes.length, 0);
  return spans;
}

/** Reads a base-128 varint up to 2^53 at `pos`; returns [value, position after it]. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= bytes.length) throw new Error('varint runs past the end');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
}

/** Checks both encodings once before timing; returns warnings (empty if all is well). */
function checkEncodings(ours: Uint8Array, official: Uint8Array): string[] {
  const warnings: string[] = [];
  for (const [name, bytes] of [['spanwire', ours], ['official', official]] as const) {
    try {
      const spans = countOtlpSpans(bytes);
      if (spans !== BATCH_SPANS) warnings.push(`${name} batch decodes to ${spans} spans, expected ${BATCH_SPANS}`);
    } catch (error) {
      warnings.push(`${name} batch does not parse as OTLP protobuf: ${(error as Error).message}`);
    }
  }
  const sizeRatio = ours.length / official.length;
  if (Math.abs(sizeRatio - 1) > 0.2) {
    warnings.push(`spanwire batch is ${formatNumber(sizeRatio)}x the official size: an encoder bug is likely`);
  }
  return warnings;
}

/** spanwire's side: one arena holding all rotating batches, one encoder, slot lists per batch. */
interface SpanwireSide {
  arena: SpanArena;
  encoder: BatchEncoder;
  batchSlots: Uint32Array[];
}

/** Records `ROTATING_BATCHES` canonical batches into a fresh arena, with the official side's dynamic fields. */
function recordSpanwireBatches(clockStartMs: number): SpanwireSide {
  const codec = loadCodec();
  const arena = new SpanArena(codec, { spans: ARENA_SPANS });
  arena.setResource({ ...CANONICAL_WORKLOAD.resourceAttributes }, '');
  const scope = arena.addScope(CANONICAL_WORKLOAD.scopeName, CANONICAL_WORKLOAD.scopeVersion);
  const source = new CanonicalTraceSource(SEED, clockStartMs);
  const attributes = CANONICAL_WORKLOAD.spanAttributes;
  const decorate = (slot: number, eventMs: number): void => {
    const gen = arena.generationOf(slot);
    for (let i = 0; i < attributes.length; i++) {
      const value = i === URL_PATH_ATTRIBUTE_INDEX ? source.urlPath : attributes[i]!.value;
      arena.setAttribute(slot, gen, attributes[i]!.key, value);
    }
    const event = arena.addEvent(slot, gen, CANONICAL_WORKLOAD.eventName, eventMs + 0.001);
    if (event < 0) throw new Error('arena refused the cache.lookup event');
    arena.setEventAttribute(slot, gen, event, CANONICAL_WORKLOAD.eventAttributeKey, source.cacheKey);
    arena.setStatus(slot, gen, StatusCodeValue.OK);
  };
  const batchSlots: Uint32Array[] = [];
  for (let b = 0; b < ROTATING_BATCHES; b++) {
    const slots = new Uint32Array(BATCH_SPANS);
    let n = 0;
    for (let t = 0; t < CANONICAL_WORKLOAD.tracesPerBatch; t++) {
      source.next();
      const root = arena.startSpan(scope, CANONICAL_WORKLOAD.rootSpanName, SpanKindCode.SERVER, source.rootStartMs, -1);
      if (root < 0) throw new Error('arena is full');
      for (let c = 0; c < CANONICAL_WORKLOAD.childrenPerTrace; c++) {
        const child = arena.startSpan(
          scope,
          CANONICAL_WORKLOAD.childSpanName,
          SpanKindCode.CLIENT,
          source.childStartMs[c]!,
          root,
        );
        if (child < 0) throw new Error('arena is full');
        decorate(child, source.childStartMs[c]!);
        arena.endSpan(child, arena.generationOf(child), source.childEndMs[c]!);
        slots[n++] = child;
      }
      decorate(root, source.rootStartMs);
      arena.endSpan(root, arena.generationOf(root), source.rootEndMs);
      slots[n++] = root;
    }
    batchSlots.push(slots);
  }
  return { arena, encoder: new BatchEncoder(arena), batchSlots };
}

/** Encodes one spanwire batch; the view lives in WASM memory until the next encode() or gzip(). */
function encodeSpanwire(side: SpanwireSide, batch: number): Uint8Array {
  const body = side.encoder.encode(side.batchSlots[batch]!, BATCH_SPANS);
  if (body === null) throw new Error(`spanwire encoder failed on batch ${batch} (code ${side.encoder.lastResult})`);
  return body;
}

/** gzip of one spanwire batch at `level` (encodes it first, since gzip() takes only an encode() view). */
function gzipSpanwire(side: SpanwireSide, batch: number, level: number): Uint8Array {
  return side.encoder.gzip(encodeSpanwire(side, batch), level);
}

/** One row of the size table. */
interface SizeRow {
  name: string;
  bytesPerSpan: number;
}

async function main(): Promise<void> {
  const args = benchArgsFrom(process.argv.slice(2));
  const clockStartMs = performance.now();

  const official = new OfficialSdkRecorder(SEED, clockStartMs);
  const officialBatches = Array.from({ length: ROTATING_BATCHES }, () => official.recordBatch());
  await official.shutdown();
  const officialBodies = officialBatches.map(serializeOfficial);

  const spanwire = recordSpanwireBatches(clockStartMs);
  const ourBodies = Array.from({ length: ROTATING_BATCHES }, (_, b) => encodeSpanwire(spanwire, b).slice());

  const warnings = checkEncodings(ourBodies[0]!, officialBodies[0]!);
  // Anything the arena dropped or refused while recording would make the batches smaller than canonical.
  for (const [counter, value] of Object.entries(spanwire.arena.counters)) {
    if (!counter.startsWith('spans') && value !== 0) warnings.push(`spanwire arena counter ${counter} = ${value}`);
  }
  for (const level of [OUR_GZIP_DEFAULT_LEVEL, OUR_GZIP_BETTER_LEVEL]) {
    const gz = gzipSpanwire(spanwire, 0, level).slice();
    if (!Buffer.from(gunzipSync(gz)).equals(Buffer.from(ourBodies[0]!))) {
      warnings.push(`spanwire gzip level ${level} does not gunzip (node:zlib) back to its input`);
    }
  }

  const totalSpans = ROTATING_BATCHES * BATCH_SPANS;
  const sumBytes = (make: (b: number) => number): number => {
    let total = 0;
    for (let b = 0; b < ROTATING_BATCHES; b++) total += make(b);
    return total / totalSpans;
  };
  const gzipInputs = ourBodies;
  const sizes: SizeRow[] = [
    { name: 'protobuf spanwire', bytesPerSpan: sumBytes((b) => ourBodies[b]!.length) },
    { name: 'protobuf official', bytesPerSpan: sumBytes((b) => officialBodies[b]!.length) },
    {
      name: `gzip spanwire level ${OUR_GZIP_DEFAULT_LEVEL}`,
      bytesPerSpan: sumBytes((b) => gzipSpanwire(spanwire, b, OUR_GZIP_DEFAULT_LEVEL).length),
    },
    {
      name: `gzip spanwire level ${OUR_GZIP_BETTER_LEVEL}`,
      bytesPerSpan: sumBytes((b) => gzipSpanwire(spanwire, b, OUR_GZIP_BETTER_LEVEL).length),
    },
    { name: 'gzip node:zlib level 1', bytesPerSpan: sumBytes((b) => gzipSync(gzipInputs[b]!, { level: 1 }).length) },
    { name: 'gzip node:zlib level 6', bytesPerSpan: sumBytes((b) => gzipSync(gzipInputs[b]!, { level: 6 }).length) },
  ];

  // Sinks keep every result observable so no JIT can drop the work.
  let sink = 0;
  let ourBody = encodeSpanwire(spanwire, 0);
  const rotate = (iteration: number): number => iteration % ROTATING_BATCHES;
  const subjects: BenchSubject[] = [
    {
      name: 'encode spanwire',
      unitsPerRun: BATCH_SPANS,
      run: (i) => {
        sink += spanwire.encoder.encode(spanwire.batchSlots[rotate(i)]!, BATCH_SPANS)!.length;
      },
    },
    {
      name: 'encode official',
      unitsPerRun: BATCH_SPANS,
      run: (i) => {
        sink += serializeOfficial(officialBatches[rotate(i)]!).length;
      },
    },
    {
      name: `gzip spanwire level ${OUR_GZIP_DEFAULT_LEVEL}`,
      unitsPerRun: BATCH_SPANS,
      prepare: (i) => {
        ourBody = encodeSpanwire(spanwire, rotate(i));
      },
      run: () => {
        sink += spanwire.encoder.gzip(ourBody, OUR_GZIP_DEFAULT_LEVEL).length;
      },
    },
    {
      name: `gzip spanwire level ${OUR_GZIP_BETTER_LEVEL}`,
      unitsPerRun: BATCH_SPANS,
      prepare: (i) => {
        ourBody = encodeSpanwire(spanwire, rotate(i));
      },
      run: () => {
        sink += spanwire.encoder.gzip(ourBody, OUR_GZIP_BETTER_LEVEL).length;
      },
    },
    {
      name: 'gzip node:zlib level 1',
      unitsPerRun: BATCH_SPANS,
      run: (i) => {
        sink += gzipSync(gzipInputs[rotate(i)]!, { level: 1 }).length;
      },
    },
    {
      name: 'gzip node:zlib level 6',
      unitsPerRun: BATCH_SPANS,
      run: (i) => {
        sink += gzipSync(gzipInputs[rotate(i)]!, { level: 6 }).length;
      },
    },
  ];
  const results = runInterleaved(subjects, args.options, (round, samples) => {
    const values = Object.fromEntries(samples.map((sample) => [sample.name, sample.nsPerUnit]));
    sendRound(roundMessageOf('codec', round, args.options.rounds, 'ns/span', values, RATIO_PAIRS));
  });
  const byName = (name: string): SubjectResult => results.find((r) => r.name === name)!;
  const sizeOf = (name: string): number => sizes.find((s) => s.name === name)!.bytesPerSpan;

  const ratios: RatioResult[] = RATIO_PAIRS.map(([name, num, den]) => ratioOf(name, byName(num), byName(den)));
  const targets = [
    { what: ratios[0]!.name, value: ratios[0]!.ratio.median, target: TARGET_ENCODE_TIME_RATIO },
    { what: ratios[1]!.name, value: ratios[1]!.ratio.median, target: TARGET_GZIP_TIME_RATIO },
    { what: ratios[2]!.name, value: ratios[2]!.ratio.median, target: TARGET_GZIP_TIME_RATIO },
    {
      what: `gzip size spanwire L${OUR_GZIP_DEFAULT_LEVEL} / zlib L6`,
      value: sizeOf(`gzip spanwire level ${OUR_GZIP_DEFAULT_LEVEL}`) / sizeOf('gzip node:zlib level 6'),
      target: TARGET_GZIP_SIZE_RATIO,
    },
    {
      what: `gzip size spanwire L${OUR_GZIP_BETTER_LEVEL} / zlib L6`,
      value: sizeOf(`gzip spanwire level ${OUR_GZIP_BETTER_LEVEL}`) / sizeOf('gzip node:zlib level 6'),
      target: TARGET_GZIP_SIZE_RATIO,
    },
  ].map((t) => ({ ...t, met: t.value <= t.target }));

  if (args.json) {
    const report = {
      benchmark: 'codec',
      node: process.version,
      method: METHOD,
      options: args.options,
      batchSpans: BATCH_SPANS,
      subjects: results,
      ratios,
      bytesPerSpan: sizes,
      targets,
      warnings,
      sink,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }

  const out: string[] = [];
  out.push(`spanwire codec benchmark — Node ${process.version}, ${args.options.rounds} rounds` +
    `${args.quick ? ' (--quick: smoke run, not a measurement)' : ''}`);
  out.push(METHOD);
  for (const warning of warnings) out.push(`WARNING: ${warning}`);
  out.push('');
  out.push(
    formatTable(
      ['time per span', 'median ns', 'min ns', 'max ns', 'runs/sample'],
      results.map((r) => [r.name, r.nsPerUnit.median, r.nsPerUnit.min, r.nsPerUnit.max, String(r.runsPerSample)]),
    ),
  );
  out.push('');
  out.push(
    formatTable(
      ['size per span', 'bytes', `vs official protobuf`],
      sizes.map((s) => [s.name, s.bytesPerSpan, s.bytesPerSpan / sizeOf('protobuf official')]),
    ),
  );
  out.push(`(DESIGN.md expects about ${CANONICAL_WORKLOAD.expectedProtobufBytesPerSpan} protobuf bytes per span. ` +
    'The official serializer also writes zero-valued dropped_*_count fields, which proto3 lets an encoder omit: ' +
    'span fields 10, 12, 14 and the event\'s 4, 8 bytes per canonical span.)');
  out.push('');
  out.push(
    formatTable(
      ['same-round ratio', 'median', 'min', 'max'],
      ratios.map((r) => [r.name, r.ratio.median, r.ratio.min, r.ratio.max]),
    ),
  );
  out.push('');
  out.push(
    formatTable(
      ['target (median)', 'value', 'target', 'met'],
      targets.map((t) => [t.what, t.value, `<= ${formatNumber(t.target)}`, t.met ? 'yes' : 'NO']),
    ),
  );
  process.stdout.write(out.join('\n') + '\n');
}

// Bad flags or a broken encoder end the run with one line on stderr and exit code 1; timings never fail it.
await main().catch((error: unknown) => {
  process.stderr.write(`codec-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
