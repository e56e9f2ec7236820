/**
 * The model-facing `exec` and `wait` tools over the programmatic session API: argument parsing, the header item,
 * status lines, the `Script error:` item, the success flag and the output budget (docs/contract.md §1–§2, §7).
 *
 * @module
 */
import type { CellResult } from "../cell/result.ts";
import type { ExecOptions, WaitOptions } from "../cell/options.ts";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "../contract/defaults.ts";
import type { ContentItem, ToolResponse } from "../contract/items.ts";
import { parseExecInput } from "./pragma.ts";
import { parseWaitArgs } from "./wait_args.ts";
import { header, scriptErrorItem, toolError } from "./response.ts";
import { STATUS_COMPLETED, STATUS_FAILED, STATUS_TERMINATED, statusRunning } from "../contract/messages.ts";
import { applyOutputBudget } from "./truncate.ts";

/** The part of a session the model layer drives. */
export interface ProgrammaticSession {
  exec(source: string, options?: ExecOptions): Promise<CellResult>;
  wait(cellId: string, options?: WaitOptions): Promise<CellResult>;
}

function statusLine(result: CellResult): string {
  switch (result.status) {
    case "completed":
      return STATUS_COMPLETED;
    case "failed":
      return STATUS_FAILED;
    case "terminated":
      return STATUS_TERMINATED;
    case "running":
      return statusRunning(result.cellId);
  }
}

/** Formats a programmatic result as the model sees it. `startedAt` is `performance.now()` at the tool call. */
export function toToolResponse(result: CellResult, maxTokens: number, startedAt: number): ToolResponse {
  if (result.error?.kind === "rejected") return toolError(result.error.message);
  const failed = result.status === "failed";
  const body: ContentItem[] = failed && result.error !== undefined
    ? [...result.items, scriptErrorItem(result.error.message)]
    : result.items;
  const wallSeconds = (performance.now() - startedAt) / 1000;
  return { success: !failed, items: [header(statusLine(result), wallSeconds), ...applyOutputBudget(body, maxTokens)] };
}

/** Options of the model-facing `exec` tool call; `yieldTimeMs` is the default that a pragma overrides. */
export type ExecToolOptions = Pick<
  ExecOptions,
  "typecheck" | "signal" | "onNotify" | "onCell" | "traceParent" | "yieldTimeMs"
>;

/** Options of the model-facing `wait` tool call. */
export type WaitToolOptions = Pick<WaitOptions, "signal" | "onNotify" | "traceParent">;

/** `exec`: raw source with an optional first-line pragma. */
export async function execToolResponse(
  session: ProgrammaticSession,
  raw: string,
  callOptions: ExecToolOptions = {},
): Promise<ToolResponse> {
  const startedAt = performance.now();
  const input = parseExecInput(raw);
  if (!input.ok) return toolError(input.error);
  const options: ExecOptions = { ...callOptions };
  if (input.yieldTimeMs !== undefined) options.yieldTimeMs = input.yieldTimeMs;
  const result = await session.exec(input.source, options);
  return toToolResponse(result, input.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, startedAt);
}

/** `wait`: `{cell_id, yield_time_ms?, max_tokens?, terminate?}` as an object or its JSON text. */
export async function waitToolResponse(
  session: ProgrammaticSession,
  args: unknown,
  callOptions: WaitToolOptions = {},
): Promise<ToolResponse> {
  const startedAt = performance.now();
  const parsed = parseWaitArgs(args);
  if (!parsed.ok) return toolError(parsed.error);
  const { cellId, yieldTimeMs, maxTokens, terminate } = parsed.args;
  const result = await session.wait(cellId, { ...callOptions, yieldTimeMs, terminate });
  return toToolResponse(result, maxTokens, startedAt);
}
