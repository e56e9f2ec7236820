/**
 * `codecell mcp` over stdio: one client, one session, for as long as the client keeps stdin open.
 *
 * @module
 */
import process from "node:process";
import type { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { type CodecellMcpServerOptions, createCodecellMcpServer } from "./server.ts";

/** Options of {@link serveStdio}. */
export interface StdioServeOptions extends CodecellMcpServerOptions {
  /** Default `process.stdin`. */
  stdin?: Readable;
  /** Default `process.stdout`: nothing else may write to it while serving. */
  stdout?: Writable;
  /** Subscribes to changes of the nested tools (e.g. `McpToolSource.onChange`), to refresh the tool descriptions. */
  onToolsChange?: (listener: () => void) => () => void;
}

/** A running stdio server. */
export interface StdioServeHandle {
  /** Resolves once the client has gone (stdin ended) and the session is closed. */
  readonly closed: Promise<void>;
  /** Stops serving and closes the session. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves codecell's `exec` and `wait` over stdio to one MCP client.
 *
 * @example
 * ```ts
 * const served = await serveStdio({
 *   sessionFactory: ({ onNotify }) => new CodeModeSession({ tools, onNotify }),
 * });
 * await served.closed;
 * ```
 */
export async function serveStdio(options: StdioServeOptions): Promise<StdioServeHandle> {
  const codecell = await createCodecellMcpServer(options);
  const unsubscribe = options.onToolsChange?.(() => codecell.refreshToolSpecs());
  await codecell.connect(new StdioServerTransport(options.stdin ?? process.stdin, options.stdout ?? process.stdout));
  const close = async () => {
    unsubscribe?.();
    await codecell.close();
  };
  return { closed: codecell.closed.finally(() => unsubscribe?.()), close };
}
