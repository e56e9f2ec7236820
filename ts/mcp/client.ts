/**
 * MCP servers as nested tools: `mcpTools(servers)` connects to each server and exposes each of its tools as a
 * codecell tool `mcp__<server>__<tool>` that resolves with the whole `CallToolResult` (docs/contract.md §5, §7 "Over MCP").
 *
 * @module
 */
import type { Tool } from "@modelcontextprotocol/client";
import { defineTool, prepareTool, type ToolDefinition, withResultKind } from "../tools/define.ts";
import { namespacedToolName } from "../tools/normalize.ts";
import type { McpServerConfig } from "./config.ts";
import {
  DEFAULT_MCP_CALL_TIMEOUT_MS,
  DEFAULT_MCP_CONNECT_TIMEOUT_MS,
  type McpConnectionOptions,
  McpServerConnection,
} from "./connection.ts";

export type { McpHttpServerConfig, McpServerConfig, McpStdioServerConfig } from "./config.ts";
export { DEFAULT_MCP_CALL_TIMEOUT_MS, DEFAULT_MCP_CONNECT_TIMEOUT_MS } from "./connection.ts";

/** Options of {@link mcpTools}. */
export interface McpToolsOptions {
  /** Timeout of one nested MCP call in milliseconds (default 15 minutes; the MCP SDK's own default is 60 s). */
  callTimeoutMs?: number;
  /** Timeout of connecting to a server and listing its tools, in milliseconds (default 30 s). */
  connectTimeoutMs?: number;
  /** A stdio server's stderr: shown on codecell's stderr (default) or dropped. */
  stderr?: "inherit" | "ignore";
  /** Problems no caller waits for: a tool skipped for its schema, a failed re-list. Default: `console.warn`. */
  onWarning?: (message: string) => void;
}

/** The tools of a set of MCP servers, kept up to date with their `list_changed` notifications. */
export interface McpToolSource {
  /**
   * The current tools of every server, in config order then server order. The same array is returned until the
   * list changes, so a caller can compare identities to notice a change.
   */
  tools(): readonly ToolDefinition[];
  /** Calls `listener` with the new list whenever a server's tools change. Returns a function that unsubscribes. */
  onChange(listener: (tools: readonly ToolDefinition[]) => void): () => void;
  /** Disconnects from every server (stdio servers are stopped). Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to MCP servers (stdio or streamable HTTP) and exposes their tools as nested tools named
 * `mcp__<server>__<tool>` (namespace `mcp__<server>`). A call validates its arguments against the tool's
 * `inputSchema` before any request is sent, then resolves with the server's whole `CallToolResult`: a tool-level
 * failure is a result with `isError: true`, not a rejection. It rejects, with an error naming the server and the
 * tool, when the call cannot complete (the server crashed or disconnected, a protocol error, the timeout); the next
 * call reconnects (a stdio server is restarted). A cancelled cell cancels its in-flight MCP requests.
 *
 * Rejects when a server cannot be reached, after disconnecting from the others.
 *
 * @example
 * ```ts
 * import { CodeModeSession } from "codecell";
 *
 * const mcp = await mcpTools({
 *   everything: { command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] },
 *   docs: { url: "https://example.com/mcp", headers: { Authorization: "Bearer ..." } },
 * });
 * const session = new CodeModeSession({ tools: mcp.tools() });
 * await session.execTool('const r = await tools.mcp__everything__get_sum({ a: 1, b: 2 }); text(r.content[0].text);');
 * await session.close();
 * await mcp.close();
 * ```
 */
export async function mcpTools(
  servers: Readonly<Record<string, McpServerConfig>>,
  options: McpToolsOptions = {},
): Promise<McpToolSource> {
  const source = new ServerToolSource(options.onWarning ?? ((message) => console.warn(`codecell: ${message}`)));
  const connectionOptions = {
    callTimeoutMs: options.callTimeoutMs ?? DEFAULT_MCP_CALL_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_MCP_CONNECT_TIMEOUT_MS,
    stderr: options.stderr ?? "inherit",
  };
  checkDistinctNamespaces(Object.keys(servers));
  const connections = Object.entries(servers).map(([name, config]) => source.add(name, config, connectionOptions));
  const started = await Promise.allSettled(connections.map(async (connection) => {
    source.setServerTools(connection, await connection.start(), false);
  }));
  const failure = started.find((outcome) => outcome.status === "rejected");
  if (failure !== undefined) {
    await source.close();
    throw failure.reason;
  }
  return source;
}

/** Two server names that normalize alike would give their tools the same global names. */
function checkDistinctNamespaces(names: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const namespace = mcpNamespace(name);
    const earlier = seen.get(namespace);
    if (earlier !== undefined) {
      throw new Error(
        `MCP servers \`${earlier}\` and \`${name}\` both give tools named \`${namespace}__...\`; rename one`,
      );
    }
    seen.set(namespace, name);
  }
}

/** The namespace of a server's tools: `mcp__<server>` (normalized, so it is the prefix of the global names). */
function mcpNamespace(server: string): string {
  return namespacedToolName("mcp", server);
}

class ServerToolSource implements McpToolSource {
  readonly #connections: McpServerConnection[] = [];
  readonly #definitions = new Map<McpServerConnection, readonly ToolDefinition[]>();
  readonly #listeners = new Set<(tools: readonly ToolDefinition[]) => void>();
  readonly #onWarning: (message: string) => void;
  #all: readonly ToolDefinition[] = Object.freeze([]);
  #closing: Promise<void> | undefined;

  constructor(onWarning: (message: string) => void) {
    this.#onWarning = onWarning;
  }

  add(
    name: string,
    config: McpServerConfig,
    options: Omit<McpConnectionOptions, "onToolsChanged" | "onWarning">,
  ): McpServerConnection {
    const connection: McpServerConnection = new McpServerConnection(name, config, {
      ...options,
      onToolsChanged: (tools) => this.setServerTools(connection, tools, true),
      onWarning: this.#onWarning,
    });
    this.#connections.push(connection);
    return connection;
  }

  setServerTools(connection: McpServerConnection, tools: readonly Tool[], notify: boolean): void {
    if (this.#closing !== undefined) return;
    this.#definitions.set(connection, this.#definitionsOf(connection, tools));
    this.#all = Object.freeze(this.#connections.flatMap((each) => this.#definitions.get(each) ?? []));
    if (!notify) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#all);
      } catch (error) {
        this.#onWarning(`a tools change listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  tools(): readonly ToolDefinition[] {
    return this.#all;
  }

  onChange(listener: (tools: readonly ToolDefinition[]) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#listeners.clear();
      await Promise.all(this.#connections.map((connection) => connection.close()));
    })();
    return this.#closing;
  }

  /** A server's tools as definitions; a tool whose schema codecell cannot use is skipped with a warning. */
  #definitionsOf(connection: McpServerConnection, tools: readonly Tool[]): readonly ToolDefinition[] {
    const namespace = mcpNamespace(connection.name);
    const byGlobalName = new Map<string, ToolDefinition>();
    for (const tool of tools) {
      const globalName = namespacedToolName(namespace, tool.name);
      const skip = (why: string) =>
        this.#onWarning(`MCP server \`${connection.name}\`: tool \`${tool.name}\` is not available: ${why}`);
      if (byGlobalName.has(globalName)) {
        skip(`another of its tools is also called \`${globalName}\``);
        continue;
      }
      try {
        const definition = mcpToolDefinition(namespace, tool, connection);
        prepareTool(definition, globalName); // compiles the input schema now, not when a session is created
        byGlobalName.set(globalName, definition);
      } catch (error) {
        skip(error instanceof Error ? error.message : String(error));
      }
    }
    return Object.freeze([...byGlobalName.values()]);
  }
}

function mcpToolDefinition(namespace: string, tool: Tool, connection: McpServerConnection): ToolDefinition {
  return withResultKind(
    defineTool({
      name: tool.name,
      namespace,
      description: tool.description ?? tool.title ?? "",
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      run: (args, ctx) => connection.callTool(tool.name, args, ctx.signal),
    }),
    "mcp",
  );
}

/**
 * One tool source over fixed tools and live ones (e.g. a `--tools` module and MCP servers). `tools()` returns the
 * same array until a live source changes, so a session reading it per cell can tell when to rebuild.
 *
 * @example
 * ```ts
 * const source = combineToolSources([lookupOrder], await mcpTools(servers));
 * const session = new CodeModeSession({ toolSource: source });
 * ```
 */
export function combineToolSources(
  ...parts: ReadonlyArray<readonly ToolDefinition[] | Pick<McpToolSource, "tools">>
): { tools(): readonly ToolDefinition[] } {
  let inputs: readonly (readonly ToolDefinition[])[] = [];
  let combined: readonly ToolDefinition[] = Object.freeze([]);
  return {
    tools() {
      const current = parts.map((part): readonly ToolDefinition[] => ("tools" in part ? part.tools() : part));
      if (current.length !== inputs.length || current.some((list, index) => list !== inputs[index])) {
        inputs = current;
        combined = Object.freeze(current.flat());
      }
      return combined;
    },
  };
}
