// Owns the test-side protobuf schema for OTLP traces (collector/trace/v1, trace/v1, common/v1, resource/v1) and google.rpc.Status.
// Written by hand from the field numbers and types of open-telemetry/opentelemetry-proto at commit
// ac2c4b5d1f3a6079de62f9afec860158ecc8af09 (2026-08-18); must never import anything from src/ or assembly/.

import protobuf from 'protobufjs';

/** The opentelemetry-proto commit whose `.proto` files this schema was written from. */
export const UPSTREAM_PROTO_COMMIT = 'ac2c4b5d1f3a6079de62f9afec860158ecc8af09';

// protobufjs accepts one `package` per parse call, so each upstream package is its own chunk,
// parsed into one Root; cross-package references are fully qualified.
// Reserved numbers stay out on purpose: ResourceSpans 1000 (the old instrumentation_library_spans)
// and Status 1 (the old deprecated code) must count as unknown fields if an encoder emits them.
// The `*_strindex` fields and Resource.entity_refs are modelled so the strict walker sees them
// rather than flagging them as unknown; `*_strindex` is Profiling-only and never valid in traces.
const COMMON_SOURCE = `
syntax = "proto3";

package opentelemetry.proto.common.v1;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
    int32 string_value_strindex = 8;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
  int32 key_strindex = 3;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message EntityRef {
  string schema_url = 1;
  string type = 2;
  repeated string id_keys = 3;
  repeated string description_keys = 4;
}
`;

const RESOURCE_SOURCE = `
syntax = "proto3";
package opentelemetry.proto.resource.v1;
message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
  repeated opentelemetry.proto.common.v1.EntityRef entity_refs = 3;
}
`;

const TRACE_SOURCE = `
syntax = "proto3";
package opentelemetry.proto.trace.v1;
message TracesData { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
  fixed32 flags = 16;
}
message Status {
  enum StatusCode {
    STATUS_CODE_UNSET = 0;
    STATUS_CODE_OK = 1;
    STATUS_CODE_ERROR = 2;
  }
  string message = 2;
  StatusCode code = 3;
}
enum SpanFlags {
  SPAN_FLAGS_DO_NOT_USE = 0;
  SPAN_FLAGS_TRACE_FLAGS_MASK = 255;
  SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 256;
  SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 512;
}
`;

const COLLECTOR_SOURCE = `
syntax = "proto3";
package opentelemetry.proto.collector.trace.v1;
message ExportTraceServiceRequest {
  repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1;
}
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
`;

// google.rpc.Status / RetryInfo from googleapis google/rpc/{status,error_details}.proto; Any and
// Duration are protobuf well-known types, redeclared here so this Root never loads protobufjs' bundled copies.
const GOOGLE_PROTOBUF_SOURCE = `syntax = "proto3";
package google.protobuf;
message Any { string type_url = 1; bytes value = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
`;

const GOOGLE_RPC_SOURCE = `syntax = "proto3";
package google.rpc;
message Status {
  int32 code = 1;
  string message = 2;
  repeated google.protobuf.Any details = 3;
}
message RetryInfo { google.protobuf.Duration retry_delay = 1; }
`;

/**
 * Our own proto3 text for every message the oracle knows, one string per package, in dependency order.
 * Tests that want to see exactly what the oracle believes about the wire can read it here.
 */
export const OTLP_TRACE_SCHEMA_SOURCES: readonly string[] = [
  COMMON_SOURCE,
  RESOURCE_SOURCE,
  TRACE_SOURCE,
  COLLECTOR_SOURCE,
  GOOGLE_PROTOBUF_SOURCE,
  GOOGLE_RPC_SOURCE,
];

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // keepCase false: protobufjs exposes fields in lowerCamelCase, matching OTLP/JSON names.
  for (const source of OTLP_TRACE_SCHEMA_SOURCES) {
    protobuf.parse(source, root, { keepCase: false });
  }
  root.resolveAll();
  return root;
}

/** The resolved protobufjs Root holding every type above; built once at import. */
export const OTLP_TRACE_ROOT: protobuf.Root = buildRoot();

/** Fully qualified names of the message types tests decode or encode. */
export const TYPE_NAMES = {
  exportTraceServiceRequest: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  exportTraceServiceResponse: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  exportTracePartialSuccess: 'opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess',
  tracesData: 'opentelemetry.proto.trace.v1.TracesData',
  resourceSpans: 'opentelemetry.proto.trace.v1.ResourceSpans',
  scopeSpans: 'opentelemetry.proto.trace.v1.ScopeSpans',
  span: 'opentelemetry.proto.trace.v1.Span',
  spanEvent: 'opentelemetry.proto.trace.v1.Span.Event',
  spanLink: 'opentelemetry.proto.trace.v1.Span.Link',
  status: 'opentelemetry.proto.trace.v1.Status',
  anyValue: 'opentelemetry.proto.common.v1.AnyValue',
  keyValue: 'opentelemetry.proto.common.v1.KeyValue',
  instrumentationScope: 'opentelemetry.proto.common.v1.InstrumentationScope',
  resource: 'opentelemetry.proto.resource.v1.Resource',
  googleRpcStatus: 'google.rpc.Status',
  googleRpcRetryInfo: 'google.rpc.RetryInfo',
} as const;

/**
 * Looks up a message type by its fully qualified name.
 * @throws if the name is not in this schema (a typo in a test, not a wire problem).
 */
export function messageType(fullName: string): protobuf.Type {
  return OTLP_TRACE_ROOT.lookupType(fullName);
}

/** Numeric values of `trace.v1.Span.SpanKind`. */
export const SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** Numeric values of `trace.v1.Status.StatusCode`. */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Bit masks of `trace.v1.SpanFlags` for `Span.flags` and `Span.Link.flags`. */
export const SPAN_FLAGS = {
  TRACE_FLAGS_MASK: 0xff,
  CONTEXT_HAS_IS_REMOTE_MASK: 0x100,
  CONTEXT_IS_REMOTE_MASK: 0x200,
} as const;
