/**
 * The first step of reading a function tool's arguments (`wait`, and `exec` in its `{code}` form): they arrive as a
 * parsed value or as the raw JSON text of the call, and must be a JSON object (docs/contract.md §1, §7).
 *
 * @module
 */
import { describeJsonValue } from "../contract/messages.ts";

/** The arguments as a plain object, or the `<detail>` of `failed to parse function arguments: <detail>`. */
export type ArgumentsObject = { ok: true; fields: Record<string, unknown> } | { ok: false; error: string };

/** Parses JSON text if given text, then requires a (non-array) object; unknown keys are kept for the caller. */
export function readArgumentsObject(input: unknown): ArgumentsObject {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: `invalid type: expected a JSON object, got ${describeJsonValue(value)}` };
  }
  return { ok: true, fields: { ...value } };
}
