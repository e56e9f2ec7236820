/**
 * The arguments of `exec` when it is a function tool (MCP, Chat Completions, Anthropic): `{code: string}` carrying
 * the same raw text as the freeform form (docs/contract.md §1). Errors read like the `wait` ones; a `code` that is
 * exactly one markdown fence is unwrapped (docs/contract.md §7).
 *
 * @module
 */
import { failedToParseFunctionArguments, invalidTypeDetail, missingFieldDetail } from "../contract/messages.ts";
import { readArgumentsObject } from "./function_args.ts";

/** The raw exec input, or the tool-error message for unusable arguments. */
export type ParsedExecArgs = { ok: true; code: string } | { ok: false; error: string };

/**
 * Reads `{code}` from parsed arguments or their JSON text; other keys are ignored. A `code` that is exactly one
 * markdown fence (a line of three backticks with an optional language, the body, a closing line of three
 * backticks) gives the body: models wrap code that way out of habit.
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
  return { ok: true, code: unfenced(code) };
}

/** Opening line (backticks, an optional language), body, closing line; nothing around them but blank space. */
const ONE_FENCE = /^\s*```[\w+.#-]*[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*```[ \t]*\s*$/;

/** The body of a code string that is exactly one fence; any other string as it is. */
export function unfenced(code: string): string {
  const body = ONE_FENCE.exec(code)?.[1];
  // A body holding a fence line of its own is not one fence (two blocks, or a fence inside the code).
  return body === undefined || /^[ \t]*```/m.test(body) ? code : body;
}

function fail(detail: string): ParsedExecArgs {
  return { ok: false, error: failedToParseFunctionArguments(detail) };
}
