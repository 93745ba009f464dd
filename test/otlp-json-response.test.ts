// OTLP/JSON answers decoded (src/export/otlp-response.ts): ExportTraceServiceResponse.partialSuccess and
// google.rpc.Status with RetryInfo as proto3 JSON (camelCase or original names, int64 as string or number,
// Duration as "1.5s"), and the protobuf fallback for a receiver that answers protobuf to a JSON request.
import { describe, expect, it } from 'vitest';
import { decodeJsonPartialSuccess, decodeJsonRpcStatus } from '../src/export/otlp-response.js';
import { encodeExportTraceResponse } from './support/otlp-decode.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('decodeJsonPartialSuccess', () => {
  it.each([
    ['', undefined],
    ['{}', undefined],
    ['  \n{"partialSuccess":{}}', { rejectedSpans: 0, errorMessage: '' }],
    ['{"partialSuccess":{"rejectedSpans":"3","errorMessage":"quota"}}', { rejectedSpans: 3, errorMessage: 'quota' }],
    ['{"partialSuccess":{"rejectedSpans":7}}', { rejectedSpans: 7, errorMessage: '' }],
    ['{"partial_success":{"rejected_spans":"2","error_message":"snake"}}', { rejectedSpans: 2, errorMessage: 'snake' }],
    ['{"partialSuccess":{"rejectedSpans":"-5","errorMessage":"negative"}}', { rejectedSpans: 0, errorMessage: 'negative' }],
    ['{"partialSuccess":{"rejectedSpans":"lots"}}', { rejectedSpans: 0, errorMessage: '' }],
    ['{"partialSuccess":null}', undefined],
    ['{"partialSuccess":', undefined],
  ])('%j', (text, expected) => {
    expect(decodeJsonPartialSuccess(bytes(text))).toEqual(expected);
  });

  it('reads a protobuf answer all the same (no protobuf message starts with "{")', () => {
    const protobuf = encodeExportTraceResponse({ rejectedSpans: 4, errorMessage: 'pb' });
    expect(decodeJsonPartialSuccess(protobuf)).toEqual({ rejectedSpans: 4, errorMessage: 'pb' });
  });
});

describe('decodeJsonRpcStatus', () => {
  const retryInfo = (retryDelay: unknown): string => JSON.stringify({
    code: 14, message: 'later', details: [{ '@type': 'type.googleapis.com/google.rpc.Other' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }],
  });

  it.each([
    ['1.5s', 1500], ['3s', 3000], ['0.000000001s', 0], ['0.25s', 250], ['-1s', undefined], ['5', undefined], [5, undefined],
  ])('RetryInfo retryDelay %j -> %j ms', (delay, ms) => {
    expect(decodeJsonRpcStatus(bytes(retryInfo(delay)))).toEqual({ code: 14, message: 'later', retryDelayMs: ms });
  });

  it('code and message without details; not JSON: undefined', () => {
    expect(decodeJsonRpcStatus(bytes('{"code":"3","message":"bad"}'))).toEqual({ code: 3, message: 'bad', retryDelayMs: undefined });
    expect(decodeJsonRpcStatus(bytes('<html>bad gateway</html>'))).toBeUndefined();
    expect(decodeJsonRpcStatus(bytes('[1,2]'))).toBeUndefined();
  });
});
