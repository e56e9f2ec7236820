/**
 * codecell and MCP, both ways (entry `codecell/mcp`): MCP servers as nested tools of a session ({@link mcpTools}),
 * and codecell's `exec`/`wait` served to MCP clients ({@link createCodecellMcpServer}, {@link serveStdio},
 * {@link serveHttp}). Kept apart from the main entry so hosts that do not use MCP do not load the MCP SDK.
 *
 * @example
 * ```ts
 * import { CodeModeSession } from "codecell";
 * import { loadMcpConfig, mcpTools, serveStdio } from "codecell/mcp";
 *
 * const { mcpServers } = await loadMcpConfig("codecell.json");
 * const mcp = await mcpTools(mcpServers);
 * const served = await serveStdio({
 *   sessionFactory: ({ onNotify }) => new CodeModeSession({ tools: mcp.tools(), onNotify }),
 * });
 * await served.closed;
 * await mcp.close();
 * ```
 *
 * @module
 */
export {
  combineToolSources,
  DEFAULT_MCP_CALL_TIMEOUT_MS,
  DEFAULT_MCP_CONNECT_TIMEOUT_MS,
  DEFAULT_MCP_RETRY_INITIAL_MS,
  DEFAULT_MCP_RETRY_MAX_MS,
  mcpTools,
} from "./client.ts";
export type {
  McpHttpServerConfig,
  McpServerConfig,
  McpStdioServerConfig,
  McpToolsOptions,
  McpToolSource,
  NestedProgress,
} from "./client.ts";
export { isStdioServer, loadMcpConfig, parseMcpConfig } from "./config.ts";
export type { McpConfig } from "./config.ts";
export type { CodecellSettings } from "./settings.ts";
export { createCodecellMcpServer } from "./server.ts";
export type { CodecellMcpServer, CodecellMcpServerOptions, McpTransport, SessionHooks } from "./server.ts";
export { serveStdio } from "./serve_stdio.ts";
export type { StdioServeHandle, StdioServeOptions } from "./serve_stdio.ts";
export { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS, serveHttp } from "./serve_http.ts";
export type { HttpRequestRecord, HttpServeHandle, HttpServeOptions } from "./serve_http.ts";
export type { ApprovalRule } from "./approval_rules.ts";
export type { HttpGuardOptions } from "./http_guard.ts";
