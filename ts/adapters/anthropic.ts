/**
 * codecell for the Anthropic Messages API (`@anthropic-ai/sdk`), entry `codecell/anthropic`: the tool definitions,
 * and a `tool_use` block of `exec` or `wait` run into its `tool_result` block, typed as the SDK's own parameter
 * types (no casts in the caller's loop).
 *
 * @example
 * ```ts
 * import Anthropic from "@anthropic-ai/sdk";
 * import { anthropicTools, runToolUse } from "codecell/anthropic";
 *
 * const reply = await client.messages.create({ model, max_tokens: 2048, messages, tools: anthropicTools(session) });
 * for (const block of reply.content) {
 *   if (block.type === "tool_use") results.push((await runToolUse(session, block)) ?? myToolResult(block));
 * }
 * ```
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { ContentItem, ToolResponse } from "../contract/items.ts";
import type { CodeModeSession } from "../session.ts";
import { imageData, itemsText } from "./content.ts";
import { type CallOptions, runFunctionCall } from "./dispatch.ts";

export type { CallOptions } from "./dispatch.ts";

/** The image types an Anthropic image block takes. */
const MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

function isMediaType(type: string): type is MediaType {
  return MEDIA_TYPES.some((known) => known === type);
}

/**
 * `exec` and `wait` as Anthropic tools (`tools` of `messages.create`).
 *
 * @example
 * ```ts
 * await client.messages.create({ model, max_tokens: 2048, messages, tools: anthropicTools(session) });
 * ```
 */
export function anthropicTools(
  session: CodeModeSession,
  options: { codeModeOnly?: boolean } = {},
): Anthropic.Messages.Tool[] {
  return session.toolSpecs("anthropic", options);
}

/**
 * A response's items as tool-result content: text blocks and base64 image blocks.
 *
 * @example
 * ```ts
 * toolResultContent([{ type: "input_text", text: "5" }]); // [{ type: "text", text: "5" }]
 * ```
 */
export function toolResultContent(
  items: readonly ContentItem[],
): (Anthropic.Messages.TextBlockParam | Anthropic.Messages.ImageBlockParam)[] {
  return items.map((item): Anthropic.Messages.TextBlockParam | Anthropic.Messages.ImageBlockParam => {
    if (item.type === "input_text") return { type: "text", text: item.text };
    const image = imageData(item);
    if (image === undefined || !isMediaType(image.mediaType)) return { type: "text", text: itemsText([item]) };
    return { type: "image", source: { type: "base64", media_type: image.mediaType, data: image.data } };
  });
}

/**
 * The `tool_result` block answering `toolUseId` with a response; a failed cell is an error result.
 *
 * @example
 * ```ts
 * toolResult("toolu_1", await session.execTool("text(1)"));
 * ```
 */
export function toolResult(toolUseId: string, response: ToolResponse): Anthropic.Messages.ToolResultBlockParam {
  return {
    type: "tool_result",
    tool_use_id: toolUseId,
    is_error: !response.success,
    content: toolResultContent(response.items),
  };
}

/**
 * Runs a `tool_use` block of `exec` or `wait` and resolves with its `tool_result` block; `undefined` for another
 * tool, which the caller runs itself.
 *
 * @example
 * ```ts
 * const result = await runToolUse(session, block, { signal });
 * ```
 */
export async function runToolUse(
  session: CodeModeSession,
  block: Pick<Anthropic.Messages.ToolUseBlock, "id" | "name" | "input">,
  options: CallOptions = {},
): Promise<Anthropic.Messages.ToolResultBlockParam | undefined> {
  const response = await runFunctionCall(session, block.name, block.input, options);
  return response === undefined ? undefined : toolResult(block.id, response);
}
