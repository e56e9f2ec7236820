/**
 * The first step of reading a function tool's arguments (`wait`, and `exec` in its `{code}` form): they arrive as a
 * parsed value or as the raw JSON text of the call, and must be a JSON object (contract §1, §7).
 *
 * @module
 */
import { describeJsonValue } from "./messages.ts";

/** The arguments as a plain object, or the `<detail>` of `failed to parse function arguments: <detail>`. */
export type ArgumentsObject = { ok: true; fields: Record<string, unknown> } | { ok: false; detail: string };

/** Parses JSON text if given text, then requires a (non-array) object; unknown keys are kept for the caller. */
export function readArgumentsObject(input: unknown): ArgumentsObject {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, detail: `invalid type: expected a JSON object, got ${describeJsonValue(value)}` };
  }
  return { ok: true, fields: { ...value } };
}
