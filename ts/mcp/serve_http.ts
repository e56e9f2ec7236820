/**
 * `codecell mcp --http <host>:<port>`: streamable HTTP at `http://<host>:<port>/mcp`, stateful, with one
 * transport, one MCP server and one codecell session per MCP session id (closed when that session ends).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostHeaderValidation, NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import { isInitializeRequest } from "@modelcontextprotocol/server";
import { type CodecellMcpServer, type CodecellMcpServerOptions, createCodecellMcpServer } from "./server.ts";

/** Options of {@link serveHttp}. */
export interface HttpServeOptions extends CodecellMcpServerOptions {
  /** Interface to listen on, e.g. `127.0.0.1` (loopback hosts also get DNS-rebinding protection). */
  host: string;
  /** TCP port; `0` picks a free one (read it from the handle's `url`). */
  port: number;
  /** Subscribes to changes of the nested tools (e.g. `McpToolSource.onChange`), to refresh the tool descriptions. */
  onToolsChange?: (listener: () => void) => () => void;
}

/** A running HTTP server. */
export interface HttpServeHandle {
  /** `http://<host>:<port>/mcp`, with the port actually bound. */
  readonly url: string;
  /** Number of open MCP sessions (one codecell session each). */
  sessionCount(): number;
  /** Stops listening, ends every MCP session and closes their codecell sessions. Idempotent. */
  close(): Promise<void>;
}

/** Largest request body read, as the MCP SDK's own default. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Serves codecell's `exec` and `wait` over streamable HTTP, one codecell session per MCP session.
 *
 * @example
 * ```ts
 * const served = await serveHttp({
 *   host: "127.0.0.1",
 *   port: 8080,
 *   sessionFactory: ({ onNotify }) => new CodeModeSession({ tools, onNotify }),
 * });
 * console.log(served.url); // http://127.0.0.1:8080/mcp
 * await served.close();
 * ```
 */
export async function serveHttp(options: HttpServeOptions): Promise<HttpServeHandle> {
  const sessions = new Map<string, { transport: NodeStreamableHTTPServerTransport; codecell: CodecellMcpServer }>();
  const loopback = LOOPBACK_HOSTS.includes(options.host.startsWith("::") ? `[${options.host}]` : options.host);
  const validHost = loopback ? hostHeaderValidation(LOOPBACK_HOSTS) : undefined;
  const unsubscribe = options.onToolsChange?.(() => {
    for (const { codecell } of sessions.values()) codecell.refreshToolSpecs();
  });
  let closing: Promise<void> | undefined;

  const startSession = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const codecell = await createCodecellMcpServer(options);
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, codecell }),
    });
    codecell.closed.then(() => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    });
    await codecell.connect(transport);
    await transport.handleRequest(req, res, body);
    // A refused initialize leaves no MCP session behind, so nothing would ever close this codecell session.
    if (transport.sessionId === undefined || closing !== undefined) await codecell.close();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (validHost !== undefined && !validHost(req, res)) return;
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/mcp") {
      return reply(res, 404, "not found: codecell serves MCP at /mcp");
    }
    if (closing !== undefined) return reply(res, 503, "the server is shutting down");
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = sessions.get(sessionId);
      if (session === undefined) return reply(res, 404, "unknown or closed MCP session", -32001);
      return await session.transport.handleRequest(req, res);
    }
    if (req.method !== "POST") return reply(res, 400, "missing Mcp-Session-Id header");
    const body = await readJsonBody(req);
    if (!body.ok) return reply(res, body.status, body.message, -32700);
    if (!isInitializeRequest(body.value)) return reply(res, 400, "missing Mcp-Session-Id header");
    await startSession(req, res, body.value);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, error instanceof Error ? error.message : String(error), -32603);
      else res.end();
    });
  });
  await listen(http, options.host, options.port);
  const address = boundAddress(http);
  const hostInUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostInUrl}:${address.port}/mcp`,
    sessionCount: () => sessions.size,
    close: () =>
      closing ??= (async () => {
        unsubscribe?.();
        const open = [...sessions.values()];
        sessions.clear();
        await Promise.all(open.map(({ codecell }) => codecell.close()));
        http.closeAllConnections(); // open SSE streams would otherwise keep close() waiting
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })(),
  };
}

function boundAddress(http: Server): AddressInfo {
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("the HTTP server is not listening on TCP");
  return address;
}

function listen(http: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
}

type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; message: string };

async function readJsonBody(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, message: "request body too large" };
    chunks.push(buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch (error) {
    return {
      ok: false,
      status: 400,
      message: `invalid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** A JSON-RPC error answer, as MCP clients expect from the endpoint. */
function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
