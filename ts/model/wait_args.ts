/** Parses the arguments of the `wait` function tool (docs/contract.md §1). */

import { failedToParseFunctionArguments, invalidTypeDetail, invalidValueDetail, missingFieldDetail } from "../contract/messages.ts";
import { readArgumentsObject } from "./function_args.ts";
import { DEFAULT_MAX_OUTPUT_TOKENS, DEFAULT_YIELD_TIME_MS } from "../contract/defaults.ts";

/** `wait` arguments with defaults applied. */
export interface WaitArgs {
  cellId: string;
  yieldTimeMs: number;
  maxTokens: number;
  terminate: boolean;
}

/** The outcome of {@link parseWaitArgs}: the arguments, or the tool-error message. */
export type ParsedWaitArgs = { ok: true; args: WaitArgs } | { ok: false; error: string };

const NON_NEGATIVE_INTEGER = "a non-negative integer";

/**
 * Validates `wait` arguments given as a parsed object or as the raw function-call arguments text.
 * Optional fields that are absent or `null` take their defaults; unknown keys are ignored.
 * Failures read `failed to parse function arguments: <detail>` and are meant to be returned as a tool error.
 */
export function parseWaitArgs(input: unknown): ParsedWaitArgs {
  const object = readArgumentsObject(input);
  if (!object.ok) return fail(object.error);
  const { fields } = object;

  const given = fields.cell_id;
  if (given === undefined) return fail(missingFieldDetail("cell_id"));
  // Ids are decimal strings; a model that writes one as a whole number means that id (docs/contract.md §7).
  const cellId = typeof given === "number" && Number.isSafeInteger(given) && given >= 0 ? String(given) : given;
  if (typeof cellId !== "string") return fail(invalidTypeDetail("cell_id", "a string", cellId));

  const yieldTimeMs = readNonNegativeInteger(fields, "yield_time_ms", DEFAULT_YIELD_TIME_MS);
  if (typeof yieldTimeMs === "string") return fail(yieldTimeMs);
  const maxTokens = readNonNegativeInteger(fields, "max_tokens", DEFAULT_MAX_OUTPUT_TOKENS);
  if (typeof maxTokens === "string") return fail(maxTokens);

  const terminate = fields.terminate ?? false;
  if (typeof terminate !== "boolean") return fail(invalidTypeDetail("terminate", "a boolean", terminate));

  return { ok: true, args: { cellId, yieldTimeMs, maxTokens, terminate } };
}

/** Reads an optional non-negative safe integer; returns the number, or an error detail string. */
function readNonNegativeInteger(fields: Record<string, unknown>, field: string, fallback: number): number | string {
  const value = fields[field] ?? fallback;
  if (typeof value !== "number") return invalidTypeDetail(field, NON_NEGATIVE_INTEGER, value);
  if (!Number.isSafeInteger(value) || value < 0) {
    return invalidValueDetail(field, "a non-negative safe integer", value);
  }
  // `+ 0` turns a `-0` into `0`.
  return value + 0;
}

function fail(detail: string): ParsedWaitArgs {
  return { ok: false, error: failedToParseFunctionArguments(detail) };
}
