/**
 * The `codecell` command line: commands, their flags, and their help texts. Parsing never exits; it returns what
 * to do, or one usage error line.
 *
 * @module
 */
import { MAX_TIMER_MS } from "../ts/contract/defaults.ts";
import { type CodecellSettings, SETTING_FLAGS, settingsFromFlags } from "../ts/mcp/settings.ts";
import { LOG_LEVELS, type LogFormat, type LogLevel, parseLogLevel } from "../ts/session/logger.ts";

/** What the command line asks for. */
export type Command =
  | { command: "help"; text: string }
  | McpCommand
  | { command: "exec"; source: string; config: string | undefined; tools: string | undefined; log: LogFlags }
  | { command: "types"; config: string | undefined; tools: string | undefined };

/** `codecell mcp` and its flags. */
export interface McpCommand {
  command: "mcp";
  config: string | undefined;
  tools: string | undefined;
  http: HostPort | undefined;
  /** Session settings from flags; they override the config file's `"codecell"` block. */
  settings: CodecellSettings;
  /** `--auth-token` (`CODECELL_AUTH_TOKEN` is read by the command, not here). */
  authToken: string | undefined;
  /** `--allowed-origins`, as origins. */
  allowedOrigins: string[] | undefined;
  /** `--max-sessions`. */
  maxSessions: number | undefined;
  /** `--session-idle`, in milliseconds. */
  sessionIdleMs: number | undefined;
  log: LogFlags;
}

/** `--log-level` (`CODECELL_LOG` is read by the command, not here) and `--log-format`. */
export interface LogFlags {
  level: LogLevel | undefined;
  format: LogFormat;
}

/** A `--http <host>:<port>` value. */
export interface HostPort {
  host: string;
  port: number;
}

/** The outcome of {@link parseCommandLine}: a command, or a usage error (one line, no trailing period). */
export type Parsed = { ok: true; value: Command } | { ok: false; error: string };

export const GLOBAL_HELP = `codecell: run model-written TypeScript cells in sandboxes that call your tools

Usage:
  codecell mcp   [--config <file>] [--tools <module>] [--http <host>:<port>] [settings] [log flags]
  codecell exec  <file|-> [--config <file>] [--tools <module>] [log flags]
  codecell types [--config <file>] [--tools <module>]

Commands:
  mcp    Serve the code-mode tools exec and wait to an MCP client (stdio, or streamable HTTP with --http)
  exec   Run one cell and print what the model would see
  types  Print the TypeScript declarations cells are checked against

Nested tools come from the MCP servers of a config file ({"mcpServers": {"<name>": {"command", "args", "env"} |
{"url", "headers"}}}) and from a TypeScript/JavaScript module exporting defineTool() results.
Run "codecell <command> --help" for a command's flags.
`;

/** One line of a flag list: the flag and its value in the first column, the help after it. */
function flagLine(flag: string, help: string): string {
  return `  ${flag.padEnd(36)}${help}`;
}

const CONFIG_FLAG = flagLine("--config <file>", "MCP servers whose tools cells can call, as mcpServers JSON");
const TOOLS_FLAG = flagLine(
  "--tools <module>",
  "A .ts/.js module whose exports (default export array, or named exports) are defineTool() results",
);
const HELP_FLAG = flagLine("--help", "Show this help");

const LOG_FLAGS = [
  flagLine(
    `--log-level <${LOG_LEVELS.join("|")}>`,
    "What to log on stderr (default: CODECELL_LOG, else info); debug adds",
  ),
  flagLine("", "a line per cell and per tool call"),
  flagLine("--log-format <text|json>", "One line per entry: text, or one JSON object (default text)"),
].join("\n");

const SETTINGS_HELP = SETTING_FLAGS.map(({ flag, kind, choices, path, help }) => {
  const value = kind === "integer" ? " <n>" : kind === "choice" ? ` <${choices?.join("|")}>` : "[=true|false]";
  return flagLine(`${flag}${value}`, `${help} (config: ${path.join(".")})`);
}).join("\n");

const HELP: Record<"mcp" | "exec" | "types", string> = {
  mcp: `Usage: codecell mcp [--config <file>] [--tools <module>] [--http <host>:<port>] [flags below]

Serves the tools exec and wait to an MCP client, over stdio (default) or streamable HTTP at
http://<host>:<port>/mcp. Every client connection gets its own session (own cells and stored values) and, over
HTTP, its own connections to the config's MCP servers (except those marked "shared": true). A server that cannot
start is retried in the background; cells see it as mcp__<server>__unavailable meanwhile. SIGINT, SIGTERM, SIGHUP,
the end of the parent process or (stdio) the end of stdin close every session and server, then exit.

Flags:
${CONFIG_FLAG}
${TOOLS_FLAG}
  --http <host>:<port>                Serve streamable HTTP instead of stdio (port 0 picks a free port; the URL is printed on stderr)

HTTP flags:
  --auth-token <token>                Require "Authorization: Bearer <token>" (default: CODECELL_AUTH_TOKEN); required
                                      to listen on anything but loopback
  --allowed-origins <origin,...>      Browser origins allowed to call (default: http(s)://localhost, 127.0.0.1, [::1])
  --max-sessions <n>                  Open MCP sessions at most; more get HTTP 503 (default 32)
  --session-idle <seconds>            Close a session after this long without a request (default 1800)

Log flags (stdout carries only the protocol; the log goes to stderr, with a line per HTTP request at info):
${LOG_FLAGS}

Session settings (flags override the config file's "codecell" block, which uses the names in parentheses):
${SETTINGS_HELP}

${HELP_FLAG}
`,
  exec: `Usage: codecell exec <file|-> [--config <file>] [--tools <module>] [log flags]

Runs one cell (a file, or stdin with "-") and prints what the model would see: the text items, images as
[image ...]. A cell that yields is waited on until it finishes. Exits 0 when the cell completed, 1 otherwise.
Its notify() calls go to stderr as "notify: <text>" lines (log entries with --log-format json), and so does the
log.

Flags:
${CONFIG_FLAG}
${TOOLS_FLAG}
${LOG_FLAGS}
${HELP_FLAG}
`,
  types: `Usage: codecell types [--config <file>] [--tools <module>]

Prints the .d.ts that declares the cell helpers and the nested tools (what codecell/helpers and codecell/tools mean
inside a cell).

Flags:
${CONFIG_FLAG}
${TOOLS_FLAG}
${HELP_FLAG}
`,
};

const HTTP_FLAGS = ["--auth-token", "--allowed-origins", "--max-sessions", "--session-idle"];
const LOG_FLAG_NAMES = ["--log-level", "--log-format"];

const VALUE_FLAGS: Record<"mcp" | "exec" | "types", readonly string[]> = {
  mcp: [
    "--config",
    "--tools",
    "--http",
    ...HTTP_FLAGS,
    ...LOG_FLAG_NAMES,
    ...SETTING_FLAGS.filter((spec) => spec.kind !== "boolean").map((spec) => spec.flag),
  ],
  exec: ["--config", "--tools", ...LOG_FLAG_NAMES],
  types: ["--config", "--tools"],
};

/**
 * Parses `codecell`'s arguments (without the executable and script).
 *
 * @example
 * ```ts
 * parseCommandLine(["exec", "-", "--tools", "tools.ts"]);
 * // { ok: true, value: { command: "exec", source: "-", tools: "tools.ts", config: undefined } }
 * ```
 */
export function parseCommandLine(args: readonly string[]): Parsed {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return { ok: true, value: { command: "help", text: GLOBAL_HELP } };
  }
  if (command !== "mcp" && command !== "exec" && command !== "types") {
    return usage(`unknown command ${JSON.stringify(command)} (expected mcp, exec or types)`);
  }
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index];
    if (arg === "--help" || arg === "-h") return { ok: true, value: { command: "help", text: HELP[command] } };
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg];
    const boolean = command === "mcp" && BOOLEAN_FLAGS.includes(name);
    if (!boolean && !VALUE_FLAGS[command].includes(name)) {
      return usage(`unknown flag ${name} for codecell ${command}`, command);
    }
    const value = boolean ? inline ?? "true" : inline ?? rest[++index];
    if (value === undefined || value === "") return usage(`${name} needs a value`, command);
    if (flags.has(name)) return usage(`${name} given twice`, command);
    flags.set(name, value);
  }
  const config = flags.get("--config");
  const tools = flags.get("--tools");
  const log = parseLogFlags(flags); // codecell types takes no log flags: it gets the defaults
  if (typeof log === "string") return usage(log, command);
  switch (command) {
    case "mcp":
      if (positionals.length > 0) return usage(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
      return parseMcp(flags, config, tools, log);
    case "exec": {
      if (positionals.length !== 1) {
        return usage(
          positionals.length === 0
            ? "missing the cell: a file, or - for stdin"
            : `unexpected argument ${JSON.stringify(positionals[1])}`,
          command,
        );
      }
      return { ok: true, value: { command, source: positionals[0], config, tools, log } };
    }
    case "types":
      if (positionals.length > 0) return usage(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
      return { ok: true, value: { command, config, tools } };
  }
}

const BOOLEAN_FLAGS = SETTING_FLAGS.filter((spec) => spec.kind === "boolean").map((spec) => spec.flag);

function parseMcp(
  flags: ReadonlyMap<string, string>,
  config: string | undefined,
  tools: string | undefined,
  log: LogFlags,
): Parsed {
  const httpFlag = flags.get("--http");
  const http = httpFlag === undefined ? undefined : parseHostPort(httpFlag);
  if (typeof http === "string") return usage(http, "mcp");
  if (http === undefined) {
    const httpOnly = HTTP_FLAGS.find((flag) => flags.has(flag));
    if (httpOnly !== undefined) return usage(`${httpOnly} applies only with --http`, "mcp");
  }
  const settings = settingsFromFlags(flags);
  if (!settings.ok) return usage(settings.error, "mcp");
  const origins = flags.get("--allowed-origins");
  const allowedOrigins = origins === undefined ? undefined : parseOrigins(origins);
  if (typeof allowedOrigins === "string") return usage(allowedOrigins, "mcp");
  const maxSessions = wholeNumber(flags, "--max-sessions", 1, 100_000);
  if (typeof maxSessions === "string") return usage(maxSessions, "mcp");
  const idleSeconds = wholeNumber(flags, "--session-idle", 1, Math.floor(MAX_TIMER_MS / 1000));
  if (typeof idleSeconds === "string") return usage(idleSeconds, "mcp");
  return {
    ok: true,
    value: {
      command: "mcp",
      config,
      tools,
      http,
      settings: settings.value,
      authToken: flags.get("--auth-token"),
      allowedOrigins,
      maxSessions,
      sessionIdleMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
      log,
    },
  };
}

/** `--log-level` and `--log-format`; an error text when one names no level or format. */
function parseLogFlags(flags: ReadonlyMap<string, string>): LogFlags | string {
  const levelFlag = flags.get("--log-level");
  const level = levelFlag === undefined ? undefined : parseLogLevel(levelFlag);
  if (levelFlag !== undefined && level === undefined) {
    return `--log-level expects one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(levelFlag)}`;
  }
  const format = flags.get("--log-format") ?? "text";
  if (format !== "text" && format !== "json") return `--log-format expects text or json, got ${JSON.stringify(format)}`;
  return { level, format };
}

/** A whole-number flag within `[min, max]`; `undefined` when absent; an error text when invalid. */
function wholeNumber(
  flags: ReadonlyMap<string, string>,
  flag: string,
  min: number,
  max: number,
): number | undefined | string {
  const raw = flags.get(flag);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    return `${flag} expects a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`;
  }
  return value;
}

/** `https://a.example,http://localhost:3000` → their origins; an error text when one is not an http(s) origin. */
function parseOrigins(value: string): string[] | string {
  const origins: string[] = [];
  for (const part of value.split(",").map((each) => each.trim()).filter((each) => each !== "")) {
    let origin: string | undefined;
    try {
      const url = new URL(part);
      origin = url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
    } catch {
      origin = undefined;
    }
    if (origin === undefined) {
      return `--allowed-origins expects comma-separated origins like https://app.example.com, got ${
        JSON.stringify(part)
      }`;
    }
    origins.push(origin);
  }
  return origins;
}

/** `127.0.0.1:8080`, `localhost:0`, `[::1]:8080`; an error text otherwise. */
function parseHostPort(value: string): HostPort | string {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(value);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) {
    return `--http expects <host>:<port> (e.g. 127.0.0.1:8080), got ${JSON.stringify(value)}`;
  }
  return { host: match[1] ?? match[2], port };
}

function usage(message: string, command?: string): Parsed {
  const hint = command === undefined ? "codecell --help" : `codecell ${command} --help`;
  return { ok: false, error: `${message} (see ${hint})` };
}
