/**
 * What the `codecell` commands do once their arguments are parsed: `mcp`, `exec` and `types`. Imported only when a
 * command runs, so `--help` and usage errors answer without loading the session, the sandbox or the MCP SDK.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { CodeModeSession, type SessionOptions } from "../ts/session.ts";
import type { ToolResponse } from "../ts/contract/items.ts";
import type { ToolDefinition } from "../ts/tools/define.ts";
import { combineToolSources, mcpTools, type McpToolSource } from "../ts/mcp/client.ts";
import { loadMcpConfig } from "../ts/mcp/config.ts";
import type { SessionHooks } from "../ts/mcp/server.ts";
import { serveHttp } from "../ts/mcp/serve_http.ts";
import { serveStdio } from "../ts/mcp/serve_stdio.ts";
import type { Command, LogFlags, McpCommand } from "./cli_args.ts";
import {
  createLogger,
  eventLogger,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  parseLogLevel,
} from "../ts/session/logger.ts";
import { escapeInvisible } from "../ts/contract/printable.ts";
import { mergeSettings } from "../ts/mcp/settings.ts";
import { loadToolModule } from "./tool_module.ts";

/** Exit code of a usage error. */
export const USAGE = 2;

/** A failure to report as one line, with its exit code. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/**
 * Runs a parsed command and resolves with its exit code (`codecell mcp`: once its client has gone or a signal came).
 * Throws {@link CliFailure} or `CodecellError` for what should be reported as one line.
 *
 * @example
 * ```ts
 * const code = await runCommand({ command: "types", config: undefined, tools: "tools.ts" });
 * ```
 */
export function runCommand(command: Exclude<Command, { command: "help" }>): Promise<number> {
  switch (command.command) {
    case "mcp":
      return serveMcp(command);
    case "exec":
      return execOneCell(command);
    case "types":
      return printTypes(command);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tools of a command: a --tools module and the MCP servers of a --config file

interface CommandTools {
  /** Every tool now, the same array until an MCP server's list changes. */
  source: { tools(): readonly ToolDefinition[] };
  mcp: McpToolSource | undefined;
  close(): Promise<void>;
}

async function commandTools(
  options: { config: string | undefined; tools: string | undefined },
  logger: Logger,
): Promise<CommandTools> {
  // Both are read before anything is started, so a usage error leaves nothing to clean up.
  const config = options.config === undefined ? undefined : await loadMcpConfig(options.config);
  const moduleTools = options.tools === undefined ? [] : await loadToolModule(options.tools);
  const mcp = config === undefined ? undefined : await mcpTools(config.mcpServers, upstreamLogging(logger));
  return {
    source: mcp === undefined ? combineToolSources(moduleTools) : combineToolSources(moduleTools, mcp),
    mcp,
    close: async () => await mcp?.close(),
  };
}

/** Session options over a tool source: the session reads it at every cell, so changed tool lists reach the next one. */
function sessionOptions(source: CommandTools["source"], extra: SessionOptions): SessionOptions {
  return { ...extra, toolSource: source };
}

// ---------------------------------------------------------------------------------------------------------------
// The log: leveled lines on stderr (docs/architecture.md "Observe"); stdout is the command's output or the protocol

/** The logger of a command: `--log-level`, else `CODECELL_LOG`, else `info`; `--log-format`. */
function commandLogger(flags: LogFlags): Logger {
  const fromEnv = process.env.CODECELL_LOG?.trim() || undefined;
  const envLevel = fromEnv === undefined ? undefined : parseLogLevel(fromEnv);
  if (flags.level === undefined && fromEnv !== undefined && envLevel === undefined) {
    throw new CliFailure(
      `CODECELL_LOG expects one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(fromEnv)}`,
      USAGE,
    );
  }
  return createLogger({ level: flags.level ?? envLevel ?? "info", format: flags.format });
}

/**
 * How the MCP servers of a config report to the log: problems at `warn`, each line of their stderr at `info`; the
 * servers of one HTTP client name its MCP session.
 */
function upstreamLogging(
  logger: Logger,
  session?: string,
): { onWarning: (message: string) => void; stderr: (line: string) => void } {
  const fields = session === undefined ? {} : { session };
  return { onWarning: (message) => logger.warn(message, fields), stderr: (line) => logger.info(line, fields) };
}

/**
 * The session options that log its events at `debug`, each line naming the MCP session when there is one (none when
 * the log is less detailed).
 */
function eventLogging(logger: Logger, session?: string): Pick<SessionOptions, "onEvent"> {
  if (!logger.enabled("debug")) return {};
  return { onEvent: eventLogger(logger, session === undefined ? {} : { session }) };
}

// ---------------------------------------------------------------------------------------------------------------
// codecell mcp

async function serveMcp(command: McpCommand): Promise<number> {
  // Everything is read and checked before anything is started, so a usage error leaves nothing to clean up.
  const config = command.config === undefined ? undefined : await loadMcpConfig(command.config);
  const settings = mergeSettings(config?.codecell ?? {}, command.settings);
  const moduleTools = command.tools === undefined ? [] : await loadToolModule(command.tools);
  const http = command.http;
  const authToken = command.authToken ?? (process.env.CODECELL_AUTH_TOKEN || undefined);
  const servers = Object.entries(config?.mcpServers ?? {});
  // Over stdio there is one client, so every server is its own; over HTTP each client gets its own connections to
  // the servers not marked shared (docs: README, "HTTP deployment").
  const perClient = http === undefined ? {} : Object.fromEntries(servers.filter(([, server]) => !server.shared));
  const shared = Object.fromEntries(servers.filter(([name]) => !(name in perClient)));
  const logger = commandLogger(command.log);
  const upstream = upstreamLogging(logger);
  const onWarning = upstream.onWarning;
  const sharedTools = await mcpTools(shared, upstream);
  const { typecheck, yieldTimeMs, ...sessionSettings } = settings;
  const sessionFactory = async (hooks: SessionHooks) => {
    const own = Object.keys(perClient).length === 0
      ? undefined
      : await mcpTools(perClient, upstreamLogging(logger, hooks.sessionId));
    try {
      const parts = [moduleTools, sharedTools.withProgress(hooks.onProgress)];
      if (own !== undefined) {
        parts.push(own.withProgress(hooks.onProgress));
        own.onChange(() => hooks.toolsChanged());
        hooks.onClose(() => own.close());
      }
      return new CodeModeSession({
        ...sessionSettings,
        toolSource: combineToolSources(...parts),
        onNotify: hooks.onNotify,
        approve: hooks.approve,
        onWarning,
        ...eventLogging(logger, hooks.sessionId),
      });
    } catch (error) {
      await own?.close();
      throw error;
    }
  };
  const onToolsChange = (listener: () => void) => sharedTools.onChange(listener);
  const stop = termination();
  try {
    if (http === undefined) {
      const served = await serveStdio({ sessionFactory, onToolsChange, typecheck, yieldTimeMs });
      await Promise.race([served.closed, stop.signalled]);
      await served.close();
    } else {
      const served = await serveHttp({
        ...http,
        sessionFactory,
        onToolsChange,
        typecheck,
        yieldTimeMs,
        authToken,
        allowedOrigins: command.allowedOrigins,
        maxSessions: command.maxSessions,
        sessionIdleMs: command.sessionIdleMs,
        onWarning,
        onRequest: (request) => logger.info("http request", { ...request }),
      });
      logger.info(`serving MCP over streamable HTTP at ${served.url}`);
      await stop.signalled;
      await served.close();
    }
    return 0;
  } finally {
    stop.dispose();
    await sharedTools.close();
  }
}

/** How often `codecell mcp` checks that the process that started it (`npx`, a shell) is still there. */
const PARENT_CHECK_MS = 1000;

/**
 * Resolves `signalled` on SIGINT, SIGTERM or SIGHUP (a closed terminal), or when the process that started codecell
 * is gone (a wrapper such as `npx` killed without passing the signal on), so the command closes every session and
 * server before it exits; a second signal exits at once.
 */
function termination(): { signalled: Promise<void>; dispose(): void } {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  let received = false;
  let resolve!: () => void;
  const signalled = new Promise<void>((done) => (resolve = done));
  const onSignal = () => {
    if (received) process.exit(1);
    received = true;
    resolve();
  };
  for (const signal of signals) process.on(signal, onSignal);
  // An orphan is adopted by init or a subreaper, so its parent id changes; one started by init has nothing to watch.
  const parent = process.ppid;
  const watch = parent === 1 ? undefined : setInterval(() => {
    if (process.ppid !== parent && !received) onSignal();
  }, PARENT_CHECK_MS);
  watch?.unref();
  return {
    signalled,
    dispose: () => {
      clearInterval(watch);
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// codecell exec

async function execOneCell(command: Extract<Command, { command: "exec" }>): Promise<number> {
  const logger = commandLogger(command.log);
  const source = await readCell(command.source);
  const tools = await commandTools(command, logger);
  const session = new CodeModeSession(sessionOptions(tools.source, {
    pool: 0,
    onNotify: notifyWriter(command.log.format),
    onWarning: (message) => logger.warn(message),
    ...eventLogging(logger),
  }));
  try {
    let response = await session.execTool(source);
    printResponse(response);
    for (let cellId = runningCellId(response); cellId !== undefined; cellId = runningCellId(response)) {
      response = await session.waitTool({ cell_id: cellId });
      printResponse(response);
    }
    return response.success && !response.items.some(isFailedHeader) ? 0 : 1;
  } finally {
    await session.close();
    await tools.close();
  }
}

/**
 * Where `codecell exec` shows a cell's `notify()` calls: on stderr whatever the log level (they are the cell's
 * output, not log), as `notify: <text>` lines, or log entries with `--log-format json`; escaped either way, so a
 * cell cannot forge a line.
 */
function notifyWriter(format: LogFormat): (notification: { cellId: string; text: string }) => void {
  if (format === "json") {
    const lines = createLogger({ level: "info", format });
    return ({ cellId, text }) => lines.info("notify", { cellId, text });
  }
  return ({ text }) => void process.stderr.write(`notify: ${escapeInvisible(text)}\n`);
}

async function readCell(source: string): Promise<string> {
  try {
    if (source !== "-") return await readFile(source, "utf8");
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdin) {
      chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
    }
    return new TextDecoder().decode(concat(chunks));
  } catch (error) {
    const what = source === "-" ? "stdin" : `cell file ${source}`;
    throw new CliFailure(`cannot read ${what}: ${error instanceof Error ? error.message : String(error)}`, USAGE);
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Prints a response as the model reads it: text items as they are, images as one descriptive line. */
function printResponse(response: ToolResponse): void {
  for (const item of response.items) {
    const text = item.type === "input_text" ? item.text : describeImage(item.image_url, item.detail);
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
}

function describeImage(url: string, detail: string): string {
  const match = /^data:([^;,]*)[^,]*,(.*)$/is.exec(url);
  if (match === null) return `[image, detail ${detail}]`;
  const base64 = match[2].replace(/\s+/g, "");
  const bytes = Math.floor(base64.length * 3 / 4) - (base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0);
  return `[image ${match[1] || "unknown type"}, ${bytes} bytes, detail ${detail}]`;
}

function runningCellId(response: ToolResponse): string | undefined {
  const head = response.items[0];
  if (head?.type !== "input_text") return undefined;
  return /^Script running with cell ID (\S+)\n/.exec(head.text)?.[1];
}

function isFailedHeader(item: ToolResponse["items"][number]): boolean {
  return item.type === "input_text" && item.text.startsWith("Script failed\n");
}

// ---------------------------------------------------------------------------------------------------------------
// codecell types

async function printTypes(command: Extract<Command, { command: "types" }>): Promise<number> {
  // Its output is the declarations: only problems are logged, whatever CODECELL_LOG says.
  const logger = createLogger({ level: "warn" });
  const tools = await commandTools(command, logger);
  const session = new CodeModeSession(
    sessionOptions(tools.source, { pool: 0, onWarning: (message) => logger.warn(message) }),
  );
  try {
    process.stdout.write(ensureNewline(session.typeDeclarations()));
    return 0;
  } finally {
    await session.close();
    await tools.close();
  }
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
