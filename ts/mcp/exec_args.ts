/**
 * The arguments of `exec` when it is a function tool (MCP, Chat Completions, Anthropic): `{code: string}` carrying
 * the same raw text as the freeform form (docs/contract.md §1). Errors read like the `wait` ones (docs/contract.md §7 "Over MCP").
 *
 * @module
 */
import { failedToParseFunctionArguments, invalidTypeDetail, missingFieldDetail } from "../contract/messages.ts";
import { readArgumentsObject } from "../model/function_args.ts";

/** The raw exec input, or the tool-error message for unusable arguments. */
export type ParsedExecArgs = { ok: true; code: string } | { ok: false; error: string };

/**
 * Reads `{code}` from parsed arguments or their JSON text; other keys are ignored.
 *
 * @example
 * ```ts
 * parseExecArgs({ code: 'text("hi")' }); // { ok: true, code: 'text("hi")' }
 * parseExecArgs({}); // { ok: false, error: "failed to parse function arguments: missing field `code`" }
 * ```
 */
export function parseExecArgs(input: unknown): ParsedExecArgs {
  const object = readArgumentsObject(input);
  if (!object.ok) return fail(object.error);
  const code = object.fields.code;
  if (code === undefined) return fail(missingFieldDetail("code"));
  if (typeof code !== "string") return fail(invalidTypeDetail("code", "a string", code));
  return { ok: true, code };
}

function fail(detail: string): ParsedExecArgs {
  return { ok: false, error: failedToParseFunctionArguments(detail) };
}
