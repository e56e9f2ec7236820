/** Parses `exec` input: raw source with an optional first-line `// @exec: {...}` pragma (docs/contract.md §1, §7). */

import {
  EXEC_EXPECTS_SOURCE,
  EXEC_PRAGMA_NEEDS_SOURCE,
  EXEC_PRAGMA_NOT_OBJECT,
  execPragmaFieldNotSafeInteger,
  execPragmaFieldsNotIntegers,
  execPragmaInvalidJson,
  execPragmaUnknownKey,
  invalidTypeDetail,
  invalidValueDetail,
} from "../contract/messages.ts";
import { isRecord } from "../schema/json.ts";

/** The outcome of {@link parseExecInput}: the source and pragma settings, or the tool-error message. */
export type ParsedExecInput =
  | { ok: true; source: string; yieldTimeMs: number | undefined; maxOutputTokens: number | undefined }
  | { ok: false; error: string };

type PragmaField = "yield_time_ms" | "max_output_tokens";

const PRAGMA_PREFIX = "// @exec:";
const EXPECTED = "a non-negative integer";
const PRAGMA_FIELDS: readonly string[] = ["yield_time_ms", "max_output_tokens"];
// Mirrors the grammar's `PRAGMA_LINE: /[ \t]*\/\/ @exec:.../`: only spaces and tabs may precede the pragma.
const PRAGMA_LINE = /^[ \t]*\/\/ @exec:/;

/**
 * Splits `exec` input into source and pragma settings.
 * Without a pragma the whole input is the source; with one, the source is everything after the first newline.
 * Failures carry the exact contract message and are meant to be returned as a tool error.
 */
export function parseExecInput(raw: string): ParsedExecInput {
  if (raw.trim() === "") return { ok: false, error: EXEC_EXPECTS_SOURCE };

  const newline = raw.indexOf("\n");
  const firstLine = newline === -1 ? raw : raw.slice(0, newline);
  if (!PRAGMA_LINE.test(firstLine)) {
    return { ok: true, source: raw, yieldTimeMs: undefined, maxOutputTokens: undefined };
  }

  const source = newline === -1 ? "" : raw.slice(newline + 1);
  if (source.trim() === "") return { ok: false, error: EXEC_PRAGMA_NEEDS_SOURCE };

  // trim() also drops the `\r` of a CRLF pragma line.
  const directive = firstLine.slice(firstLine.indexOf(PRAGMA_PREFIX) + PRAGMA_PREFIX.length).trim();
  if (directive === "") return { ok: false, error: EXEC_PRAGMA_NOT_OBJECT };

  let value: unknown;
  try {
    value = JSON.parse(directive);
  } catch (error) {
    return { ok: false, error: execPragmaInvalidJson(error instanceof Error ? error.message : String(error)) };
  }
  if (!isRecord(value)) return { ok: false, error: EXEC_PRAGMA_NOT_OBJECT };

  const unknownKey = Object.keys(value).find((key) => !PRAGMA_FIELDS.includes(key));
  if (unknownKey !== undefined) return { ok: false, error: execPragmaUnknownKey(unknownKey) };

  const yieldTime = readField(value, "yield_time_ms");
  if (!yieldTime.ok) return yieldTime;
  const maxOutput = readField(value, "max_output_tokens");
  if (!maxOutput.ok) return maxOutput;

  return { ok: true, source, yieldTimeMs: yieldTime.value, maxOutputTokens: maxOutput.value };
}

type FieldResult = { ok: true; value: number | undefined } | { ok: false; error: string };

/** Reads one optional pragma field; `null` and absence both mean "not set". */
function readField(pragma: Record<string, unknown>, field: PragmaField): FieldResult {
  const value = pragma[field];
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== "number") {
    return { ok: false, error: execPragmaFieldsNotIntegers(invalidTypeDetail(field, EXPECTED, value)) };
  }
  // JSON.parse rounds integers above 2^53-1 to a nearby (still integral) double, so "integer but not safe" is
  // exactly the "above 2^53-1" case; everything else that is not a non-negative integer gets the general message.
  if (Number.isInteger(value) && value >= 0 && !Number.isSafeInteger(value)) {
    return { ok: false, error: execPragmaFieldNotSafeInteger(field) };
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    return { ok: false, error: execPragmaFieldsNotIntegers(invalidValueDetail(field, EXPECTED, value)) };
  }
  // `+ 0` turns a `-0` into `0`.
  return { ok: true, value: value + 0 };
}

