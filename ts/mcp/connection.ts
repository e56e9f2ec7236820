/**
 * One MCP server as codecell's client: connect (stdio or streamable HTTP), list tools, call them, follow
 * `notifications/tools/list_changed`, and reconnect on the next call after the server went away (a crashed stdio
 * server is restarted, so one crash costs one call, not the rest of the session).
 *
 * @module
 */
import {
  Client,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import type { CallToolResult, Progress, Tool } from "@modelcontextprotocol/client";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { isStdioServer, type McpServerConfig } from "./config.ts";
import { CODECELL_IMPLEMENTATION } from "./implementation.ts";
import { prefixLines } from "./stderr_lines.ts";
import { mcpCallFailed, type McpCallFailure } from "../contract/messages.ts";

/** Default timeout of one nested MCP tool call: as long as a cell may live by default (15 minutes). */
export const DEFAULT_MCP_CALL_TIMEOUT_MS = 15 * 60_000;

/** Default timeout of connecting to an MCP server (start, `initialize`, first `tools/list`). */
export const DEFAULT_MCP_CONNECT_TIMEOUT_MS = 30_000;

/** Options of {@link McpServerConnection}. */
export interface McpConnectionOptions {
  /** Timeout of one `tools/call`, in milliseconds. */
  callTimeoutMs: number;
  /** Timeout of connecting and listing tools, in milliseconds. */
  connectTimeoutMs: number;
  /** Receives each line of a stdio server's stderr, prefixed with `[<server>] `; dropped when absent. */
  stderr: ((line: string) => void) | undefined;
  /** Called with the server's new tool list after `list_changed` or a reconnect that changed it. */
  onToolsChanged: (tools: Tool[]) => void;
  /** Problems that no caller is waiting for (a failed re-list, a transport error). */
  onWarning: (message: string) => void;
}

/** A connection to one MCP server, named as in the config. */
export class McpServerConnection {
  readonly name: string;
  readonly #config: McpServerConfig;
  readonly #options: McpConnectionOptions;
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;
  #closed = false;
  /** The last tool list seen, to tell whether a reconnect changed it. */
  #tools: Tool[] = [];
  #listed = false;

  constructor(name: string, config: McpServerConfig, options: McpConnectionOptions) {
    this.name = name;
    this.#config = config;
    this.#options = options;
  }

  /** Connects and lists the server's tools. Rejects with an error naming the server. */
  async start(): Promise<Tool[]> {
    await this.#connected();
    return this.#tools;
  }

  /**
   * Calls a tool and resolves with its whole result (`isError: true` results included). Rejects with an error
   * naming the server and the tool when the call could not complete: the server disconnected or answered with a
   * protocol error, the call timed out or was cancelled through `signal`.
   */
  async callTool(
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    onProgress?: (progress: Progress) => void,
  ): Promise<CallToolResult> {
    const client = await this.#connected().catch((error: unknown) => {
      throw new Error(mcpCallFailed(this.name, tool, { code: "not_connected", reason: reasonOf(error) }));
    });
    try {
      return await client.callTool({ name: tool, arguments: args }, {
        signal,
        timeout: this.#options.callTimeoutMs,
        ...(onProgress === undefined ? {} : { onprogress: onProgress }),
      });
    } catch (error) {
      throw new Error(mcpCallFailed(this.name, tool, this.#callFailure(error, signal)));
    }
  }

  /** Disconnects (a stdio server is stopped). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? await this.#connecting?.catch(() => undefined);
    this.#client = undefined;
    await client?.close();
  }

  #connected(): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error("the connection was closed"));
    if (this.#client !== undefined) return Promise.resolve(this.#client);
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connect(): Promise<Client> {
    const client = new Client({ ...CODECELL_IMPLEMENTATION }, {
      listChanged: {
        tools: {
          debounceMs: 50,
          onChanged: (error, tools) => {
            // A refresh that lands after this client was replaced or closed has nothing left to update.
            if (this.#closed || this.#client !== client) return;
            if (error !== null) {
              this.#options.onWarning(`MCP server \`${this.name}\`: re-listing tools failed: ${reasonOf(error)}`);
            } else if (tools !== null) this.#setTools(tools);
          },
        },
      },
    });
    try {
      await client.connect(this.#transport(), { timeout: this.#options.connectTimeoutMs });
      const { tools } = await client.listTools(undefined, { timeout: this.#options.connectTimeoutMs });
      if (this.#closed) throw new Error("the connection was closed");
      client.onclose = () => {
        // Reconnect lazily, on the next call: a server that is not used again is not restarted.
        if (this.#client === client) this.#client = undefined;
      };
      client.onerror = (error) => this.#options.onWarning(`MCP server \`${this.name}\`: ${reasonOf(error)}`);
      this.#client = client;
      if (this.#listed) this.#setTools(tools);
      else this.#tools = tools;
      this.#listed = true;
      return client;
    } catch (error) {
      await client.close().catch(() => {});
      throw new Error(`could not connect to MCP server \`${this.name}\`: ${reasonOf(error)}`);
    }
  }

  #transport(): StdioClientTransport | StreamableHTTPClientTransport {
    const config = this.#config;
    if (isStdioServer(config)) {
      const sink = this.#options.stderr;
      const transport = new StdioClientTransport({
        command: config.command,
        args: config.args ?? [],
        // Without `env` the SDK passes only its allow-list; a config's `env` adds to it rather than replacing it.
        env: { ...getDefaultEnvironment(), ...config.env },
        cwd: config.cwd,
        stderr: sink === undefined ? "ignore" : "pipe",
      });
      if (sink !== undefined && transport.stderr !== null) prefixLines(transport.stderr, this.name, sink);
      return transport;
    }
    return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers ?? {} } });
  }

  #setTools(tools: Tool[]): void {
    const changed = JSON.stringify(tools) !== JSON.stringify(this.#tools);
    this.#tools = tools;
    if (changed) this.#options.onToolsChanged(tools);
  }

  #callFailure(error: unknown, signal: AbortSignal): McpCallFailure {
    if (signal.aborted) return { code: "cancelled" };
    if (this.#closed) return { code: "closed" };
    if (error instanceof SdkError) {
      switch (error.code) {
        case SdkErrorCode.ConnectionClosed:
        case SdkErrorCode.NotConnected:
        case SdkErrorCode.SendFailed:
          return { code: "disconnected", reason: reasonOf(error) };
        case SdkErrorCode.RequestTimeout:
          return { code: "timeout", timeoutMs: this.#options.callTimeoutMs };
      }
    }
    if (error instanceof ProtocolError) return { code: "protocol", reason: reasonOf(error) };
    return { code: "failed", reason: reasonOf(error) };
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
