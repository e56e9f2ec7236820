/**
 * How codecell names itself to MCP peers, as client and as server.
 *
 * @module
 */

/**
 * The `clientInfo` / `serverInfo` codecell sends in MCP's `initialize`.
 *
 * @example
 * ```ts
 * new McpServer(CODECELL_IMPLEMENTATION);
 * ```
 */
export const CODECELL_IMPLEMENTATION: Readonly<{ name: string; version: string }> = Object.freeze({
  name: "codecell",
  version: "0.1.0",
});
