// Classifies @opentelemetry/api AttributeValues into the kinds the codec encodes as OTLP AnyValue
// (common/v1: string_value, bool_value, int_value, double_value, array_value). Never throws, never allocates.

/** Kind codes written to the attribute kind column; must match assembly/layout.ts KIND_*. */
export const KIND_EMPTY = 0;
export const KIND_STRING = 1;
export const KIND_BOOL = 2;
export const KIND_INT = 3;
export const KIND_DOUBLE = 4;
export const KIND_ARRAY = 5;
/** Not encodable: objects, functions, symbols, bigint, null/undefined as a value, mixed arrays. */
export const KIND_INVALID = -1;

// int64 range as doubles: [-2^63, 2^63). A number outside it (or fractional, NaN, ±Infinity) is a double.
const INT64_MIN = -9223372036854775808;
const INT64_LIMIT = 9223372036854775808;

/** Scalar kind of a number: int_value when it is an integer representable as int64, else double_value. */
export function numberKind(value: number): number {
  return Number.isInteger(value) && value >= INT64_MIN && value < INT64_LIMIT ? KIND_INT : KIND_DOUBLE;
}

function scalarKind(value: unknown): number {
  switch (typeof value) {
    case 'string': return KIND_STRING;
    case 'boolean': return KIND_BOOL;
    case 'number': return numberKind(value);
    default: return KIND_INVALID;
  }
}

/**
 * Kind of an attribute value. Arrays must be homogeneous by JS type (string, boolean or number), with
 * null/undefined entries allowed (they encode as an empty AnyValue, as the official SDK does).
 */
export function attributeKind(value: unknown): number {
  if (!Array.isArray(value)) return scalarKind(value);
  let elementType: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i];
    if (element === null || element === undefined) continue;
    const type = typeof element;
    if (type !== 'string' && type !== 'boolean' && type !== 'number') return KIND_INVALID;
    if (elementType === undefined) elementType = type;
    else if (elementType !== type) return KIND_INVALID;
  }
  return KIND_ARRAY;
}
