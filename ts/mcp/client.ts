/**
 * MCP servers as nested tools: `mcpTools(servers)` connects to each server and exposes each of its tools as a
 * codecell tool `mcp__<server>__<tool>` that resolves with the whole `CallToolResult` (docs/contract.md §5, §7 "Over MCP").
 *
 * @module
 */
import type { Tool } from "@modelcontextprotocol/client";
import { defineTool, prepareTool, type ToolDefinition, withResultKind } from "../tools/define.ts";
import { namespacedToolName, normalizeToolName } from "../tools/normalize.ts";
import { mcpServerUnavailable, nestedCallProgress } from "../contract/messages.ts";
import process from "node:process";
import type { McpServerConfig } from "./config.ts";
import { type ApprovalMatcher, approvalMatcher } from "./approval_rules.ts";
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
  /**
   * A stdio server's stderr: each line prefixed with `[<server>] ` on codecell's stderr (`"inherit"`, the default),
   * dropped, or handed to a function.
   */
  stderr?: "inherit" | "ignore" | ((line: string) => void);
  /** Problems no caller waits for: a server that cannot be reached, a tool skipped for its schema, a failed re-list. Default: `console.warn`. */
  onWarning?: (message: string) => void;
  /** Delay before the first retry of a server that could not be reached, doubled after each failure (default 1 s). */
  retryInitialMs?: number;
  /** Longest delay between two retries (default 60 s). */
  retryMaxMs?: number;
}

/** Progress of a nested MCP call, for the cell that made it. */
export interface NestedProgress {
  /** The calling cell. */
  cellId: string;
  /** `<tool>: <progress>[/<total>][ <message>]`. */
  message: string;
}

/** The tools of a set of MCP servers, kept up to date with their `list_changed` notifications. */
export interface McpToolSource {
  /**
   * The current tools of every server, in config order then server order. The same array is returned until the
   * list changes, so a caller can compare identities to notice a change. A server that cannot be reached is
   * represented by one stand-in tool, `mcp__<server>__unavailable`, whose description says why (so `ALL_TOOLS` and
   * exec's description name it) and whose calls reject with the same text, until it connects.
   */
  tools(): readonly ToolDefinition[];
  /**
   * The same tools, whose calls report their progress to `listener` (for one session: the MCP server forwards it
   * to the client call observing the cell). Same identity rules as {@linkcode tools}.
   */
  withProgress(listener: (progress: NestedProgress) => void): { tools(): readonly ToolDefinition[] };
  /** Calls `listener` with the new list whenever a server's tools change. Returns a function that unsubscribes. */
  onChange(listener: (tools: readonly ToolDefinition[]) => void): () => void;
  /** Disconnects from every server (stdio servers are stopped) and stops retrying. Idempotent. */
  close(): Promise<void>;
}

/** How many distinct warnings a tool source remembers in order not to repeat them. */
const MAX_REMEMBERED_WARNINGS = 1024;

/** Default of {@link McpToolsOptions.retryInitialMs}. */
export const DEFAULT_MCP_RETRY_INITIAL_MS = 1000;
/** Default of {@link McpToolsOptions.retryMaxMs}. */
export const DEFAULT_MCP_RETRY_MAX_MS = 60_000;

/**
 * Connects to MCP servers (stdio or streamable HTTP) and exposes their tools as nested tools named
 * `mcp__<server>__<tool>` (namespace `mcp__<server>`). A call validates its arguments against the tool's
 * `inputSchema` before any request is sent, then resolves with the server's whole `CallToolResult`: a tool-level
 * failure is a result with `isError: true`, not a rejection. It rejects, with an error naming the server and the
 * tool, when the call cannot complete (the server crashed or disconnected, a protocol error, the timeout); the next
 * call reconnects (a stdio server is restarted). A cancelled cell cancels its in-flight MCP requests.
 *
 * A server that cannot be reached does not stop the others: it is reported through `onWarning` (naming it) and
 * retried in the background with a growing delay; meanwhile a stand-in tool says it is unavailable. Rejects only
 * for a config that cannot work (two server names that give the same tool names).
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
  checkDistinctNamespaces(Object.keys(servers));
  const source = new ServerToolSource({
    onWarning: options.onWarning ?? ((message) => console.warn(`codecell: ${message}`)),
    retryInitialMs: options.retryInitialMs ?? DEFAULT_MCP_RETRY_INITIAL_MS,
    retryMaxMs: options.retryMaxMs ?? DEFAULT_MCP_RETRY_MAX_MS,
  });
  const stderr = options.stderr ?? "inherit";
  const connectionOptions = {
    callTimeoutMs: options.callTimeoutMs ?? DEFAULT_MCP_CALL_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_MCP_CONNECT_TIMEOUT_MS,
    stderr: stderr === "ignore"
      ? undefined
      : stderr === "inherit"
      ? (line: string) => void process.stderr.write(line)
      : (line: string) => stderr(line.replace(/\n$/, "")),
  };
  const connections = Object.entries(servers).map(([name, config]) => source.add(name, config, connectionOptions));
  await Promise.all(connections.map((connection) => source.start(connection)));
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

/** What is known of one server: its tools, or why it cannot be reached. */
type ServerState = { readonly tools: readonly Tool[] } | { readonly unavailable: string };

interface SourceOptions {
  onWarning: (message: string) => void;
  retryInitialMs: number;
  retryMaxMs: number;
}

class ServerToolSource implements McpToolSource {
  readonly #connections: McpServerConnection[] = [];
  readonly #states = new Map<McpServerConnection, ServerState>();
  readonly #retries = new Map<McpServerConnection, ReturnType<typeof setTimeout>>();
  readonly #listeners = new Set<(tools: readonly ToolDefinition[]) => void>();
  readonly #approvalRules = new Map<McpServerConnection, ApprovalMatcher>();
  readonly #warned = new Set<string>();
  readonly #options: SourceOptions;
  /** Every server's usable tools (schemas checked once, here), in config order. */
  #usable: readonly UsableTool[] = Object.freeze([]);
  #all: readonly ToolDefinition[] = Object.freeze([]);
  #closing: Promise<void> | undefined;

  constructor(options: SourceOptions) {
    this.#options = options;
  }

  add(
    name: string,
    config: McpServerConfig,
    options: Omit<McpConnectionOptions, "onToolsChanged" | "onWarning">,
  ): McpServerConnection {
    const connection: McpServerConnection = new McpServerConnection(name, config, {
      ...options,
      onToolsChanged: (tools) => this.#setState(connection, { tools }, true),
      onWarning: this.#options.onWarning,
    });
    this.#connections.push(connection);
    this.#approvalRules.set(connection, approvalMatcher(config.needsApproval));
    return connection;
  }

  /** Connects to a server; on failure it becomes unavailable and is retried. Never rejects. */
  async start(connection: McpServerConnection, attempt = 0): Promise<void> {
    try {
      const tools = await connection.start();
      if (attempt > 0) this.#options.onWarning(`[${connection.name}] connected; its tools are available again`);
      this.#setState(connection, { tools }, attempt > 0);
    } catch (error) {
      if (this.#closing !== undefined) return;
      const reason = reasonOf(error);
      const delay = Math.min(this.#options.retryInitialMs * 2 ** attempt, this.#options.retryMaxMs);
      this.#options.onWarning(`[${connection.name}] ${reason}; retrying in ${seconds(delay)}`);
      this.#setState(connection, { unavailable: reason }, attempt > 0);
      this.#retries.set(connection, setTimeout(() => void this.start(connection, attempt + 1), delay));
    }
  }

  tools(): readonly ToolDefinition[] {
    return this.#all;
  }

  withProgress(listener: (progress: NestedProgress) => void): { tools(): readonly ToolDefinition[] } {
    let usable: readonly UsableTool[] | undefined;
    let definitions: readonly ToolDefinition[] = Object.freeze([]);
    return {
      tools: () => {
        if (usable !== this.#usable) {
          usable = this.#usable;
          definitions = Object.freeze(usable.map((each) => each.define(listener)));
        }
        return definitions;
      },
    };
  }

  onChange(listener: (tools: readonly ToolDefinition[]) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#listeners.clear();
      for (const timer of this.#retries.values()) clearTimeout(timer);
      this.#retries.clear();
      await Promise.all(this.#connections.map((connection) => connection.close()));
    })();
    return this.#closing;
  }

  #setState(connection: McpServerConnection, state: ServerState, notify: boolean): void {
    if (this.#closing !== undefined) return;
    this.#states.set(connection, state);
    this.#usable = Object.freeze(this.#withoutClashes(this.#connections.map((each) => this.#usableTools(each))));
    this.#all = Object.freeze(this.#usable.map((each) => each.define(undefined)));
    if (!notify) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#all);
      } catch (error) {
        this.#options.onWarning(`a tools change listener threw: ${reasonOf(error)}`);
      }
    }
  }

  /**
   * Every server's tools, in config order, without the tools whose global name another server's tool has too
   * (server `a` with tool `b__c` and server `a__b` with tool `c` both give `mcp__a__b__c`): both are refused with a
   * warning, so no server can take another's tool (and its approval rule), or stop codecell by clashing with it.
   */
  #withoutClashes(perServer: readonly (readonly UsableTool[])[]): UsableTool[] {
    const servers = new Map<string, number>();
    for (const tools of perServer) {
      for (const name of new Set(tools.map((tool) => tool.globalName))) servers.set(name, (servers.get(name) ?? 0) + 1);
    }
    for (const [name, count] of servers) {
      if (count > 1) this.#warnOnce(`tool \`${name}\` is not available: ${count} MCP servers give a tool that name`);
    }
    return perServer.flat().filter((tool) => servers.get(tool.globalName) === 1);
  }

  /**
   * Warns once per message: the tools are recomputed at every change of any server. The memory of what was said is
   * bounded: a server that keeps renaming clashing tools makes codecell repeat itself, not grow.
   */
  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    if (this.#warned.size >= MAX_REMEMBERED_WARNINGS) this.#warned.clear();
    this.#warned.add(message);
    this.#options.onWarning(message);
  }

  /** A server's tools that codecell can use; a tool whose schema it cannot use is skipped with a warning. */
  #usableTools(connection: McpServerConnection): UsableTool[] {
    const state = this.#states.get(connection);
    if (state === undefined) return [];
    const namespace = mcpNamespace(connection.name);
    if ("unavailable" in state) return [unavailableTool(namespace, connection.name, state.unavailable)];
    const byGlobalName = new Map<string, UsableTool>();
    const rule = this.#approvalRules.get(connection) ?? approvalMatcher(undefined);
    const namesOf = (tool: Tool) => [tool.name, normalizeToolName(tool.name), namespacedToolName(namespace, tool.name)];
    for (const pattern of rule.unmatched(state.tools.map(namesOf))) {
      this.#warnOnce(
        `[${connection.name}] needsApproval pattern ${
          JSON.stringify(pattern)
        } matches none of its tools, so it guards nothing`,
      );
    }
    for (const tool of state.tools) {
      const globalName = namespacedToolName(namespace, tool.name);
      const skip = (why: string) =>
        this.#options.onWarning(`MCP server \`${connection.name}\`: tool \`${tool.name}\` is not available: ${why}`);
      if (byGlobalName.has(globalName)) {
        skip(`another of its tools is also called \`${globalName}\``);
        continue;
      }
      const needsApproval = rule.needs(namesOf(tool));
      const usable: UsableTool = {
        globalName,
        define: (listener) => mcpToolDefinition({ namespace, globalName, tool, connection, needsApproval }, listener),
      };
      try {
        prepareTool(usable.define(undefined), globalName); // compiles the input schema now, not in a session
        byGlobalName.set(globalName, usable);
      } catch (error) {
        skip(reasonOf(error));
      }
    }
    return [...byGlobalName.values()];
  }
}

/** A tool codecell can offer, defined anew for each progress listener. */
interface UsableTool {
  /** `mcp__<server>__<tool>`, normalized. */
  globalName: string;
  define(listener: ((progress: NestedProgress) => void) | undefined): ToolDefinition;
}

/** One tool of a server, as codecell offers it. */
interface McpToolSpec {
  namespace: string;
  globalName: string;
  tool: Tool;
  connection: McpServerConnection;
  /** The server's `needsApproval` rule marks this tool. */
  needsApproval: boolean;
}

function mcpToolDefinition(
  { namespace, globalName, tool, connection, needsApproval }: McpToolSpec,
  listener: ((progress: NestedProgress) => void) | undefined,
): ToolDefinition {
  return withResultKind(
    defineTool({
      name: tool.name,
      namespace,
      description: tool.description ?? tool.title ?? "",
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      needsApproval,
      run: (args, ctx) =>
        connection.callTool(
          tool.name,
          args,
          ctx.signal,
          listener === undefined
            ? undefined
            : ({ progress, total, message }) =>
              listener({ cellId: ctx.cellId, message: nestedCallProgress(globalName, progress, total, message) }),
        ),
    }),
    "mcp",
  );
}

/** The stand-in of a server that cannot be reached: its description says so, and calling it rejects with that. */
function unavailableTool(namespace: string, server: string, reason: string): UsableTool {
  const description = mcpServerUnavailable(server, reason);
  const definition = defineTool({
    name: "unavailable",
    namespace,
    description,
    inputSchema: { type: "object", properties: {}, additionalProperties: true },
    outputSchema: false,
    run: () => Promise.reject(new Error(description)),
  });
  return { globalName: namespacedToolName(namespace, "unavailable"), define: () => definition };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
