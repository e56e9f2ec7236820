/**
 * codecell: run model-written TypeScript cells in permissionless Deno sandboxes that call your tools.
 *
 * @example
 * ```ts
 * import { CodeModeSession, defineTool } from "codecell";
 * import { z } from "zod";
 *
 * const session = new CodeModeSession({
 *   tools: [defineTool({
 *     name: "lookup_order",
 *     description: "Find an order.",
 *     input: z.object({ order_id: z.string() }),
 *     run: async ({ order_id }) => ({ ok: order_id.length > 0 }),
 *   })],
 * });
 * const out = await session.execTool('text(await tools.lookup_order({ order_id: "42" }));');
 * await session.close();
 * ```
 *
 * @module
 */
export { CodeModeSession, DEFAULT_LIMITS, DEFAULT_YIELD_TIME_MS } from "./session.ts";
export type { CellInfo, ExecOptions, SessionLimits, SessionOptions, WaitOptions } from "./session.ts";
export type { CellLimits } from "./cell.ts";
export type { CellError, CellErrorKind, CellResult, CellStatus } from "./cell_result.ts";
export type { ContentItem, IMAGE_DETAILS, ImageDetail, ImageItem, TextItem, ToolResponse } from "./model/items.ts";
export { DEFAULT_MAX_OUTPUT_TOKENS } from "./model/tool_layer.ts";
export { defineTool, withResultKind } from "./tools/define.ts";
export type {
  FreeformToolSpec,
  JsonSchema,
  JsonSchemaObject,
  JsonSchemaToolSpec,
  MaybePromise,
  ToolArguments,
  ToolContext,
  ToolDefinition,
  ToolKind,
  ToolResultKind,
  ToolSpecBase,
  ZodToolSpec,
} from "./tools/define.ts";
export type { JsonValue, ToolCallResult, ToolEntry } from "./tools/registry.ts";
export type { DeclaredTool } from "./tools/declarations.ts";
export type {
  AnthropicToolSpec,
  AnyToolSpecs,
  ChatToolSpec,
  McpToolSpec,
  ParametersSchema,
  ResponsesCustomTool,
  ResponsesFunctionTool,
  ResponsesToolSpec,
  ToolSpecFormat,
} from "./model/tool_specs.ts";
export { CodecellError } from "./errors.ts";
export type { CodecellErrorCode } from "./errors.ts";
