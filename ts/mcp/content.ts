/**
 * `exec`/`wait` responses as MCP tool results: text items become text blocks, image items (always `data:` URLs)
 * image blocks, and `success: false` becomes `isError: true`.
 *
 * @module
 */
import type { CallToolResult, ContentBlock } from "@modelcontextprotocol/server";
import type { ContentItem, ToolResponse } from "../contract/items.ts";
import { IMAGE_CONTENT_OMITTED } from "../contract/messages.ts";

/**
 * Maps a model-facing response to an MCP `CallToolResult`.
 *
 * @example
 * ```ts
 * toCallToolResult({ success: true, items: [{ type: "input_text", text: "hi" }] });
 * // { content: [{ type: "text", text: "hi" }] }
 * ```
 */
export function toCallToolResult(response: ToolResponse): CallToolResult {
  const content = response.items.map(toContentBlock);
  return response.success ? { content } : { content, isError: true };
}

/** One item as an MCP content block. */
export function toContentBlock(item: ContentItem): ContentBlock {
  if (item.type === "input_text") return { type: "text", text: item.text };
  const image = DATA_URL.exec(item.image_url);
  // image() only lets base64 data URLs through; anything else here would be a bug, and is not passed on raw.
  if (image === null) return { type: "text", text: IMAGE_CONTENT_OMITTED };
  const [, mimeType, data] = image;
  // MCP wants plain base64 and a MIME type; a data URL may wrap its payload and omit the type.
  return {
    type: "image",
    mimeType: mimeType === "" ? "application/octet-stream" : mimeType,
    data: data.replace(/\s+/g, ""),
  };
}

/** `data:<mime>[;param...];base64,<payload>`, scheme and `base64` in any case. */
const DATA_URL = /^data:([^;,]*)(?:;[^,]*)?;base64,(.*)$/is;
