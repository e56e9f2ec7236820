/**
 * One function-tool call of `exec` or `wait` (arguments as an object or its JSON text) run on a session, for the
 * adapters whose SDK hands the caller the model's tool calls (Anthropic, OpenAI).
 *
 * @module
 */
import type { ToolResponse } from "../contract/items.ts";
import type { ExecToolOptions, WaitToolOptions } from "../model/tool_layer.ts";
import { parseExecArgs } from "../model/exec_args.ts";
import { toolError } from "../model/response.ts";
import type { CodeModeSession } from "../session.ts";

/** Options of a tool call run through an adapter. */
export interface CallOptions {
  /** Aborting it terminates the cell (see `ExecOptions.signal`). */
  signal?: AbortSignal;
  /** Type-check an `exec` cell before it runs. */
  typecheck?: boolean;
}

/**
 * Runs `exec` (`{code}`) or `wait` with the model's arguments; `undefined` for any other tool name, which the
 * caller runs itself.
 *
 * @example
 * ```ts
 * const response = await runFunctionCall(session, "exec", '{"code":"text(1)"}');
 * ```
 */
export function runFunctionCall(
  session: CodeModeSession,
  name: string,
  args: unknown,
  options: CallOptions = {},
): Promise<ToolResponse> | undefined {
  if (name === "exec") {
    const parsed = parseExecArgs(args);
    if (!parsed.ok) return Promise.resolve(toolError(parsed.error));
    const execOptions: ExecToolOptions = { typecheck: options.typecheck ?? false };
    if (options.signal !== undefined) execOptions.signal = options.signal;
    return session.execTool(parsed.code, execOptions);
  }
  if (name === "wait") {
    const waitOptions: WaitToolOptions = {};
    if (options.signal !== undefined) waitOptions.signal = options.signal;
    return session.waitTool(args, waitOptions);
  }
  return undefined;
}
