/**
 * `codecell mcp --http <host>:<port>`: streamable HTTP at `http://<host>:<port>/mcp`, stateful, with one
 * transport, one MCP server and one codecell session per MCP session id (closed when that session ends, is
 * deleted, or stays idle too long), behind the checks of `http_guard.ts` and a cap on open sessions.
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
import { createHttpGuard, type HttpGuardOptions, isLoopbackHost, LOOPBACK_HOSTNAMES } from "./http_guard.ts";
import { CodecellError } from "../contract/errors.ts";
import {
  HTTP_MISSING_SESSION,
  HTTP_NOT_FOUND,
  HTTP_SHUTTING_DOWN,
  HTTP_UNKNOWN_SESSION,
  remoteBindWarning,
  tooManySessions,
  unauthenticatedRemote,
} from "../contract/messages.ts";

/** Options of {@link serveHttp}. */
export interface HttpServeOptions extends CodecellMcpServerOptions, HttpGuardOptions {
  /** Interface to listen on, e.g. `127.0.0.1` (loopback hosts also get DNS-rebinding protection). */
  host: string;
  /** TCP port; `0` picks a free port (read it from the handle's `url`). */
  port: number;
  /** Subscribes to changes of the nested tools (e.g. `McpToolSource.onChange`), to refresh the tool descriptions. */
  onToolsChange?: (listener: () => void) => () => void;
  /** Most MCP sessions open at once; an `initialize` past it is answered 503 (default {@link DEFAULT_MAX_SESSIONS}). */
  maxSessions?: number;
  /**
   * A session with no request for this long (an open notification stream does not count) is closed and its
   * sandboxes stopped; its id then answers 404 (default {@link DEFAULT_SESSION_IDLE_MS}).
   */
  sessionIdleMs?: number;
  /** Notices for the operator (a non-loopback bind). Default: `console.warn`. */
  onWarning?: (message: string) => void;
  /** Told about each HTTP request once its answer has ended (for a request log); whatever it throws is ignored. */
  onRequest?: (request: HttpRequestRecord) => void;
}

/** One HTTP request and how it was answered. */
export interface HttpRequestRecord {
  /** `POST`, `GET` (a client's notification stream) or `DELETE` (a client ending its session). */
  method: string;
  /** The request's path. */
  path: string;
  /** The open MCP session it was served in (for an `initialize`, the session it opened); none when refused. */
  session: string | undefined;
  /** The HTTP status answered. */
  status: number;
  /** Milliseconds from the request's arrival to the end of its answer (a stream's, for streamed answers). */
  ms: number;
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

/** Default of {@link HttpServeOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 32;

/** Default of {@link HttpServeOptions.sessionIdleMs}: 30 minutes. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

/** Largest request body read, as the MCP SDK's own default. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One MCP session: its transport, its codecell server, and the requests it is serving now. */
interface OpenSession {
  transport: NodeStreamableHTTPServerTransport;
  codecell: CodecellMcpServer;
  busy: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Serves codecell's `exec` and `wait` over streamable HTTP, one codecell session per MCP session. Refuses to listen
 * beyond loopback without an `authToken` (a `CodecellError`), and warns once when it listens beyond loopback.
 *
 * @example
 * ```ts
 * const served = await serveHttp({
 *   host: "127.0.0.1",
 *   port: 8080,
 *   authToken: process.env.CODECELL_AUTH_TOKEN,
 *   sessionFactory: ({ onNotify }) => new CodeModeSession({ tools, onNotify }),
 * });
 * console.log(served.url); // http://127.0.0.1:8080/mcp
 * await served.close();
 * ```
 */
export async function serveHttp(options: HttpServeOptions): Promise<HttpServeHandle> {
  const loopback = isLoopbackHost(options.host);
  if (!loopback && options.authToken === undefined) {
    throw new CodecellError("invalid_options", unauthenticatedRemote(options.host));
  }
  const warn = options.onWarning ?? ((message: string) => console.warn(`codecell: ${message}`));
  if (!loopback) warn(remoteBindWarning(options.host));
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const sessions = new Map<string, OpenSession>();
  let starting = 0;
  const guard = createHttpGuard(options);
  const validHost = loopback ? hostHeaderValidation([...LOOPBACK_HOSTNAMES]) : undefined;
  const unsubscribe = options.onToolsChange?.(() => {
    for (const { codecell } of sessions.values()) codecell.refreshToolSpecs();
  });
  let closing: Promise<void> | undefined;

  // An expired session's id answers 404 from the moment it expires, while its sandboxes are being stopped.
  const expire = (open: OpenSession) => {
    const id = open.transport.sessionId;
    if (id !== undefined && sessions.get(id) === open) sessions.delete(id);
    void open.codecell.close();
  };
  const armIdle = (open: OpenSession) => {
    clearTimeout(open.idleTimer);
    open.idleTimer = open.busy > 0 ? undefined : setTimeout(() => expire(open), idleMs);
  };

  const startSession = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    // The id is chosen before the session exists, so the session factory can name it (in logs, for instance).
    const sessionId = randomUUID();
    const codecell = await createCodecellMcpServer({ ...options, sessionId });
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      onsessioninitialized: (id) => {
        const open: OpenSession = { transport, codecell, busy: 0, idleTimer: undefined };
        sessions.set(id, open);
        armIdle(open);
      },
    });
    codecell.closed.then(() => {
      const id = transport.sessionId;
      const open = id === undefined ? undefined : sessions.get(id);
      if (open === undefined || id === undefined) return;
      clearTimeout(open.idleTimer);
      sessions.delete(id);
    });
    await codecell.connect(transport);
    await transport.handleRequest(req, res, body);
    if (transport.sessionId !== undefined) servedSessions.set(res, transport.sessionId);
    // A refused initialize leaves no MCP session behind, so nothing would ever close this codecell session.
    if (transport.sessionId === undefined || closing !== undefined) await codecell.close();
  };

  const serveSession = async (open: OpenSession, req: IncomingMessage, res: ServerResponse) => {
    if (open.transport.sessionId !== undefined) servedSessions.set(res, open.transport.sessionId);
    // A GET is the client's standing notification stream: open for as long as the session, so it is not activity.
    if (req.method === "GET") return await open.transport.handleRequest(req, res);
    open.busy++;
    armIdle(open);
    try {
      await open.transport.handleRequest(req, res);
      // A POST answered as a stream is served until the stream ends, not until handleRequest returns.
      if (!res.writableFinished) await new Promise((resolve) => res.once("close", resolve));
    } finally {
      open.busy--;
      if (sessions.has(open.transport.sessionId ?? "")) armIdle(open);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (validHost !== undefined && !validHost(req, res)) return;
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/mcp") return reply(res, 404, HTTP_NOT_FOUND);
    const refusal = guard(req);
    if (refusal !== undefined) {
      if (refusal.status === 401) res.setHeader("www-authenticate", "Bearer");
      return reply(res, refusal.status, refusal.message);
    }
    if (closing !== undefined) return reply(res, 503, HTTP_SHUTTING_DOWN);
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const open = sessions.get(sessionId);
      if (open === undefined) return reply(res, 404, HTTP_UNKNOWN_SESSION, -32001);
      return await serveSession(open, req, res);
    }
    if (req.method !== "POST") return reply(res, 400, HTTP_MISSING_SESSION);
    const body = await readJsonBody(req);
    if (!body.ok) return reply(res, body.status, body.message, -32700);
    if (!isInitializeRequest(body.value)) return reply(res, 400, HTTP_MISSING_SESSION);
    if (sessions.size + starting >= maxSessions) return reply(res, 503, tooManySessions(maxSessions));
    starting++;
    try {
      await startSession(req, res, body.value);
    } finally {
      starting--;
    }
  };

  const http = createServer((req, res) => {
    if (options.onRequest !== undefined) recordRequest(req, res, options.onRequest);
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
        for (const each of open) clearTimeout(each.idleTimer);
        await Promise.all(open.map(({ codecell }) => codecell.close()));
        http.closeAllConnections(); // open SSE streams would otherwise keep close() waiting
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })(),
  };
}

/**
 * The MCP session a response served: an open session the request named, or the one its `initialize` opened. A
 * request refused before that (no token, unknown id) names no session in the log, whatever its header claims.
 */
const servedSessions = new WeakMap<ServerResponse, string>();

/** Calls `onRequest` once the answer to `req` has ended (or the connection closed under it). */
function recordRequest(req: IncomingMessage, res: ServerResponse, onRequest: (record: HttpRequestRecord) => void) {
  const start = performance.now();
  res.once("close", () => {
    const session = servedSessions.get(res);
    try {
      onRequest({
        method: req.method ?? "",
        path: new URL(req.url ?? "/", "http://localhost").pathname,
        session,
        status: res.statusCode,
        ms: Math.round((performance.now() - start) * 10) / 10,
      });
    } catch {
      // A request log must not break serving.
    }
  });
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
