/**
 * codecell as an MCP server: the tools `exec` and `wait` of one {@link CodeModeSession}, for any MCP client
 * (docs/contract.md §1–§3 over MCP, §7 "Over MCP"). One server, and one session, per client connection.
 *
 * @module
 */
import { McpServer, type ServerContext, type StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { CodeModeSession } from "../session.ts";
import type { McpToolSpec } from "../model/tool_specs.ts";
import { toCallToolResult } from "./content.ts";
import { parseExecArgs } from "../model/exec_args.ts";
import { parseWaitArgs } from "../model/wait_args.ts";
import { CODECELL_IMPLEMENTATION } from "./implementation.ts";
import { type CallChannel, NotifyRouter } from "./notify_router.ts";
import { NotifyQueue } from "./notify_queue.ts";
import { MCP_CLIENT_CANNOT_APPROVE, notificationsDroppedSlowClient } from "../contract/messages.ts";
import type { Approver } from "../tools/approval.ts";
import { askUser, type ObservingCall, oneAtATime } from "./ask_user.ts";

/** What a session factory is given for the connection it serves. */
export interface SessionHooks {
  /** The MCP session id of this connection over streamable HTTP (`Mcp-Session-Id`); `undefined` over stdio. */
  sessionId: string | undefined;
  /** Pass it as the session's `onNotify`: it forwards `notify()` to the client as MCP log messages. */
  onNotify: (notification: { cellId: string; text: string }) => void;
  /**
   * Progress of a nested call made by cell `cellId`: forwarded as progress of the client's call observing that
   * cell (when the client asked for progress), dropped otherwise.
   */
  onProgress: (progress: { cellId: string; message: string }) => void;
  /** Call it when the session's nested tools changed: `exec`'s description is then updated. */
  toolsChanged: () => void;
  /** Registers a clean-up run after the session has closed (e.g. closing this connection's own MCP servers). */
  onClose: (cleanup: () => Promise<void>) => void;
  /**
   * Pass it as the session's `approve`: it asks the client's user about each call that needs approval, through MCP
   * elicitation (a form with no fields: accept runs the call, decline or cancel refuses it), sent with the client's
   * `exec` or `wait` call observing the cell; a cell that no call observes (it yielded) asks once the client waits
   * on it again. A client without form elicitation gets every such call refused, with a reason the cell can read.
   */
  approve: Approver;
}

/** Options of {@link createCodecellMcpServer}. */
export interface CodecellMcpServerOptions {
  /**
   * Creates the session of one client connection; the server closes it when the connection ends. Pass
   * `hooks.onNotify` to the session so `notify()` reaches the client.
   */
  sessionFactory: (hooks: SessionHooks) => CodeModeSession | Promise<CodeModeSession>;
  /** Type-check every cell before it runs (see `ExecOptions.typecheck`). Default false. */
  typecheck?: boolean;
  /** The yield time of an `exec` whose pragma sets none, in milliseconds (default 10 000). */
  yieldTimeMs?: number;
  /** Most notifications waiting for a slow client before further ones are dropped (default 256). */
  notifyQueueCapacity?: number;
  /** The MCP session id the transport will give this connection, if known (passed on as `SessionHooks.sessionId`). */
  sessionId?: string;
}

/**
 * An MCP transport, as the MCP SDK's `Transport` declares it (structurally, so the SDK's types stay out of this
 * package's public API): `StdioServerTransport`, `NodeStreamableHTTPServerTransport` and the others fit.
 */
export interface McpTransport {
  /** Starts receiving messages. */
  start(): Promise<void>;
  /** Sends one JSON-RPC message. */
  send(message: { jsonrpc: "2.0" }, options?: object): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
  /** Set by the server: called when the connection closed. */
  onclose?: (() => void) | undefined;
  /** Set by the server: called on a transport error. */
  onerror?: ((error: Error) => void) | undefined;
  /** Set by the server: called for each message received. */
  onmessage?(message: { jsonrpc: "2.0" }, extra?: object): void;
  /** The transport's session id, when it has one. */
  sessionId?: string | undefined;
}

/** An MCP server bound to one session. */
export interface CodecellMcpServer {
  /** Serves this session over `transport` (one transport per server). */
  connect(transport: McpTransport): Promise<void>;
  /** Resolves once the server and its session are closed (the transport closed, or {@linkcode close} was called). */
  readonly closed: Promise<void>;
  /** The session of this connection (made by `sessionFactory`). */
  readonly session: CodeModeSession;
  /**
   * Re-reads the session's tool descriptions and, when they changed, updates `exec`/`wait` (the client then gets
   * `notifications/tools/list_changed`). Call it when the session's nested tools change.
   */
  refreshToolSpecs(): void;
  /** Closes the MCP server and then the session. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates an MCP server with the tools `exec` (`{code}`: a cell's source, optionally with its first-line pragma)
 * and `wait` (`{cell_id, yield_time_ms?, max_tokens?, terminate?}`), answering like the model-facing session tools:
 * text items become text blocks, images image blocks, `success: false` `isError: true`. Both tools accept any
 * object and parse it themselves, so bad arguments are answered with the contract's
 * `failed to parse function arguments: ...`. A cell's `notify()` becomes a log message (`logger: "codecell"`,
 * `data: {cell_id, text}`) of the call waiting on that cell, plus a progress notification when the call asked for
 * progress.
 *
 * @example
 * ```ts
 * import { CodeModeSession } from "codecell";
 * import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";
 *
 * const mcp = await createCodecellMcpServer({
 *   sessionFactory: ({ onNotify }) => new CodeModeSession({ tools: [lookupOrder], onNotify }),
 * });
 * await mcp.connect(new StdioServerTransport());
 * ```
 */
export async function createCodecellMcpServer(options: CodecellMcpServerOptions): Promise<CodecellMcpServer> {
  const server = new McpServer({ ...CODECELL_IMPLEMENTATION }, {
    capabilities: { logging: {}, tools: { listChanged: true } },
  });
  const log = (data: { cell_id: string; text: string }) =>
    server.sendLoggingMessage({ level: "info", logger: LOGGER, data }).catch(() => {});
  // Every notification to this client goes through one bounded queue: a slow client costs drops, not memory.
  const queue = new NotifyQueue({
    capacity: options.notifyQueueCapacity,
    sendDropped: (count) => log({ cell_id: "", text: notificationsDroppedSlowClient(count) }),
  });
  const notifyRouter = new NotifyRouter<CallNotifications>((cellId, text) =>
    queue.push(() => log({ cell_id: cellId, text }))
  );
  const cleanups: (() => Promise<void>)[] = [];
  const questions = oneAtATime();
  /** A call answered: it observes its cell no more, and its notifications go out before its answer. */
  const endCall = async (channel: CallNotifications) => {
    channel.finish();
    notifyRouter.end(channel);
    await channel.flush();
  };
  let refresh = () => {};
  const session = await options.sessionFactory({
    sessionId: options.sessionId,
    onNotify: ({ cellId, text }) => notifyRouter.deliver(cellId, text),
    onProgress: ({ cellId, message }) => notifyRouter.progress(cellId, message),
    toolsChanged: () => refresh(),
    onClose: (cleanup) => void cleanups.push(cleanup),
    approve: (request) => {
      if (!asksForms(server.server.getClientCapabilities()?.elicitation)) throw new Error(MCP_CLIENT_CANNOT_APPROVE);
      return askUser(request, {
        nextObserver: (cellId, signal) => notifyRouter.nextObserver(cellId, signal),
        elicit: (params, options) => server.server.elicitInput(params, options),
        turn: questions,
      });
    },
  });
  const closeSession = async () => {
    await session.close();
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  };

  let specs: ReturnType<typeof sessionToolSpecs>;
  try {
    specs = sessionToolSpecs(session, options.yieldTimeMs);
  } catch (error) {
    await closeSession();
    throw error;
  }
  const exec = server.registerTool("exec", {
    description: specs.exec.description,
    inputSchema: anyArguments(specs.exec.inputSchema),
  }, async (args, ctx): Promise<CallToolResult> => {
    const parsed = parseExecArgs(args ?? {});
    if (!parsed.ok) return toolError(parsed.error);
    const channel = callChannel(ctx, queue);
    try {
      return toCallToolResult(
        await session.execTool(parsed.code, {
          onCell: (cellId) => notifyRouter.beginExec(channel, cellId),
          typecheck: options.typecheck,
          yieldTimeMs: options.yieldTimeMs,
          traceParent: traceParentOf(ctx),
        }),
      );
    } finally {
      await endCall(channel);
    }
  });
  const wait = server.registerTool("wait", {
    description: specs.wait.description,
    inputSchema: anyArguments(specs.wait.inputSchema),
  }, async (args, ctx): Promise<CallToolResult> => {
    const input = args ?? {};
    const channel = callChannel(ctx, queue);
    // The cell as `wait` itself reads it (an id written as a number is that id), so the call observes that cell.
    const parsed = parseWaitArgs(input);
    const cellId = parsed.ok ? parsed.args.cellId : undefined;
    if (cellId !== undefined) notifyRouter.beginWait(channel, cellId);
    try {
      return toCallToolResult(await session.waitTool(input, { traceParent: traceParentOf(ctx) }));
    } finally {
      await endCall(channel);
    }
  });
  const refreshToolSpecs = () => {
    const next = sessionToolSpecs(session, options.yieldTimeMs);
    if (next.exec.description !== specs.exec.description) exec.update({ description: next.exec.description });
    if (next.wait.description !== specs.wait.description) wait.update({ description: next.wait.description });
    specs = next;
  };
  refresh = refreshToolSpecs;

  let closing: Promise<void> | undefined;
  // Assigned before the work starts: closing the MCP server calls `onclose`, which calls `close()` again at once.
  const close = () =>
    closing ??= Promise.resolve().then(async () => {
      refresh = () => {};
      await server.close().catch(() => {});
      await closeSession();
    });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  // The transport closing (client gone, HTTP session deleted) ends the session too.
  server.server.onclose = () => void close().then(resolveClosed);

  return {
    connect: (transport) => server.connect(transport),
    closed,
    session,
    refreshToolSpecs,
    close: () => close().then(resolveClosed),
  };
}

const LOGGER = "codecell";

/** The notifications of one call, which must all be sent before its answer (a progress update after it is lost). */
interface CallNotifications extends CallChannel, ObservingCall {
  /** Resolves once every notification queued so far has gone out. */
  flush(): Promise<void>;
  /** Marks the call answered: it no longer observes its cell. */
  finish(): void;
}

/** Whether a client's elicitation capability covers forms: `form` declared, or a bare `{}` (from before modes). */
function asksForms(elicitation: { form?: object; url?: object } | undefined): boolean {
  return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
}

/** The W3C trace context the client sent with its call (`_meta.traceparent`), to parent codecell's spans. */
function traceParentOf(ctx: ServerContext): string | undefined {
  const meta: unknown = ctx.mcpReq._meta;
  if (typeof meta !== "object" || meta === null) return undefined;
  const value: unknown = Reflect.get(meta, "traceparent");
  return typeof value === "string" ? value : undefined;
}

/**
 * A `notify()` of the cell this call waits on becomes a log message of the call, and progress if it asked for it;
 * a nested call's progress becomes progress of this call. Both go through the client's queue.
 */
function callChannel(ctx: ServerContext, queue: NotifyQueue): CallNotifications {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  let step = 0;
  const sendProgress = (message: string) =>
    progressToken === undefined
      ? undefined
      : ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken, progress: ++step, message } });
  const quietly = async (sending: Promise<unknown>) => {
    try {
      await sending;
    } catch {
      // The client left meanwhile: the notification has nowhere to go.
    }
  };
  let answered = false;
  return {
    requestId: ctx.mcpReq.id,
    get answered() {
      return answered;
    },
    finish() {
      answered = true;
    },
    send(cellId, text) {
      queue.push(() =>
        quietly(Promise.all([ctx.mcpReq.log("info", { cell_id: cellId, text }, LOGGER), sendProgress(text)]))
      );
    },
    progress(message) {
      if (progressToken !== undefined) queue.push(() => quietly(Promise.resolve(sendProgress(message))));
    },
    async flush() {
      await queue.idle();
      // The MCP client SDK handles a notification a microtask after it arrives but a response at once, so a
      // progress update read together with the answer finds its request gone; answering a tick later mostly
      // keeps them apart (progress stays best effort; the log message always arrives).
      if (step > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    },
  };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * An argument schema that advertises `jsonSchema` in `tools/list` but accepts any value: the handlers parse the
 * arguments themselves, so the client reads the contract's messages rather than the SDK's validation text.
 */
function anyArguments(schema: McpToolSpec["inputSchema"]): StandardSchemaWithJSON<unknown, unknown> {
  const jsonSchema: Record<string, unknown> = { ...schema };
  return {
    "~standard": {
      version: 1,
      vendor: "codecell",
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: () => jsonSchema, output: () => jsonSchema },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Tool descriptions

/**
 * The `exec`/`wait` descriptions and argument schemas for MCP, code-mode only: the client sees no other tool of
 * this session, so exec's description declares every nested tool.
 */
function sessionToolSpecs(
  session: CodeModeSession,
  yieldTimeMs: number | undefined,
): { exec: McpToolSpec; wait: McpToolSpec } {
  const specs = session.toolSpecs("mcp", { codeModeOnly: true, yieldTimeMs });
  const exec = specs.find((spec) => spec.name === "exec");
  const wait = specs.find((spec) => spec.name === "wait");
  if (exec === undefined || wait === undefined) throw new Error("the session's MCP tool specs lack exec or wait");
  return { exec, wait };
}
