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
export { CodeModeSession } from "./session.ts";
export type { SessionOptions } from "./session.ts";
export type { Isolation } from "./session/sandboxes.ts";
export type { OsSandboxMode } from "./transport/os_sandbox.ts";
export { DEFAULT_LIMITS, DEFAULT_MAX_OUTPUT_TOKENS, DEFAULT_YIELD_TIME_MS } from "./contract/defaults.ts";
export type { CellLimits, SessionLimits } from "./contract/defaults.ts";
export type { CellInfo, ExecOptions, NotifyListener, TraceParent, WaitOptions } from "./cell/options.ts";
export type { ExecToolOptions, WaitToolOptions } from "./model/tool_layer.ts";
export type { CellError, CellErrorKind, CellResult, CellStatus } from "./cell/result.ts";
export type { ContentItem, IMAGE_DETAILS, ImageDetail, ImageItem, TextItem, ToolResponse } from "./contract/items.ts";
export { defineTool, withApproval, withResultKind } from "./tools/define.ts";
export type { ApprovalRequest, Approver, NeedsApproval } from "./tools/approval.ts";
export type {
  CellEndEvent,
  CellStartEvent,
  CodecellEvent,
  EventListener,
  NotifyEvent,
  SandboxEvent,
  SandboxKillEvent,
  SandboxRecycleEvent,
  SandboxRecycleReason,
  SandboxReuseEvent,
  SandboxSpawnEvent,
  StoreWriteEvent,
  ToolApprovalEvent,
  ToolEndEvent,
  ToolStartEvent,
} from "./session/events.ts";
export { APPROVAL_WITHDRAWN, TOOL_CALL_CANCELLED } from "./session/events.ts";
export { createLogger, eventLogger, LOG_LEVELS, parseLogLevel } from "./session/logger.ts";
export type { LogFields, LogFormat, Logger, LoggerOptions, LogLevel } from "./session/logger.ts";
export type { SandboxEndReason } from "./transport/sandbox.ts";
export type {
  FreeformToolSpec,
  JsonSchema,
  JsonSchemaObject,
  JsonSchemaToolSpec,
  MaybePromise,
  SchemaOutput,
  ToolArguments,
  ToolContext,
  ToolDefinition,
  ToolKind,
  ToolResultKind,
  ToolSpecBase,
  ZodSchema,
  ZodToolSpec,
} from "./tools/define.ts";
export type { ToolCallOptions, ToolCallResult, ToolEntry } from "./tools/registry.ts";
export type { JsonValue } from "./contract/json_value.ts";
export type { DeclaredTool } from "./typegen/declarations.ts";
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
export { CodecellError } from "./contract/errors.ts";
export type { CodecellErrorCode } from "./contract/errors.ts";
