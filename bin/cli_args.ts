/**
 * The `codecell` command line: commands, their flags, and their help texts. Parsing never exits; it returns what
 * to do, or one usage error line.
 *
 * @module
 */

/** What the command line asks for. */
export type Command =
  | { command: "help"; text: string }
  | { command: "mcp"; config: string | undefined; tools: string | undefined; http: HostPort | undefined }
  | { command: "exec"; source: string; config: string | undefined; tools: string | undefined }
  | { command: "types"; config: string | undefined; tools: string | undefined };

/** A `--http <host>:<port>` value. */
export interface HostPort {
  host: string;
  port: number;
}

/** The outcome of {@link parseCommandLine}: a command, or a usage error (one line, no trailing period). */
export type Parsed = { ok: true; value: Command } | { ok: false; error: string };

export const GLOBAL_HELP = `codecell: run model-written TypeScript cells in sandboxes that call your tools

Usage:
  codecell mcp   [--config <file>] [--tools <module>] [--http <host>:<port>]
  codecell exec  <file|-> [--config <file>] [--tools <module>]
  codecell types [--config <file>] [--tools <module>]

Commands:
  mcp    Serve the code-mode tools exec and wait to an MCP client (stdio, or streamable HTTP with --http)
  exec   Run one cell and print what the model would see
  types  Print the TypeScript declarations cells are checked against

Nested tools come from the MCP servers of a config file ({"mcpServers": {"<name>": {"command", "args", "env"} |
{"url", "headers"}}}) and from a TypeScript/JavaScript module exporting defineTool() results.
Run "codecell <command> --help" for a command's flags.
`;

const CONFIG_FLAG = "  --config <file>       MCP servers whose tools cells can call, as mcpServers JSON";
const TOOLS_FLAG =
  "  --tools <module>      A .ts/.js module whose exports (default export array, or named exports) are defineTool() results";

const HELP: Record<"mcp" | "exec" | "types", string> = {
  mcp: `Usage: codecell mcp [--config <file>] [--tools <module>] [--http <host>:<port>]

Serves the tools exec and wait to an MCP client, over stdio (default) or streamable HTTP at
http://<host>:<port>/mcp. Every client connection gets its own session (own cells and stored values).

Flags:
${CONFIG_FLAG}
${TOOLS_FLAG}
  --http <host>:<port>  Serve streamable HTTP instead of stdio (port 0 picks a free port; the URL is printed on stderr)
  --help                Show this help
`,
  exec: `Usage: codecell exec <file|-> [--config <file>] [--tools <module>]

Runs one cell (a file, or stdin with "-") and prints what the model would see: the text items, images as
[image ...]. A cell that yields is waited on until it finishes. Exits 0 when the cell completed, 1 otherwise.

Flags:
${CONFIG_FLAG}
${TOOLS_FLAG}
  --help                Show this help
`,
  types: `Usage: codecell types [--config <file>] [--tools <module>]

Prints the .d.ts that declares the cell helpers and the nested tools (what codecell/helpers and codecell/tools mean
inside a cell).

Flags:
${CONFIG_FLAG}
${TOOLS_FLAG}
  --help                Show this help
`,
};

const VALUE_FLAGS: Record<"mcp" | "exec" | "types", readonly string[]> = {
  mcp: ["--config", "--tools", "--http"],
  exec: ["--config", "--tools"],
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
    if (!VALUE_FLAGS[command].includes(name)) return usage(`unknown flag ${name} for codecell ${command}`, command);
    const value = inline ?? rest[++index];
    if (value === undefined || value === "") return usage(`${name} needs a value`, command);
    if (flags.has(name)) return usage(`${name} given twice`, command);
    flags.set(name, value);
  }
  const config = flags.get("--config");
  const tools = flags.get("--tools");
  switch (command) {
    case "mcp": {
      if (positionals.length > 0) return usage(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
      const httpFlag = flags.get("--http");
      const http = httpFlag === undefined ? undefined : parseHostPort(httpFlag);
      if (typeof http === "string") return usage(http, command);
      return { ok: true, value: { command, config, tools, http } };
    }
    case "exec": {
      if (positionals.length !== 1) {
        return usage(
          positionals.length === 0
            ? "missing the cell: a file, or - for stdin"
            : `unexpected argument ${JSON.stringify(positionals[1])}`,
          command,
        );
      }
      return { ok: true, value: { command, source: positionals[0], config, tools } };
    }
    case "types":
      if (positionals.length > 0) return usage(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
      return { ok: true, value: { command, config, tools } };
  }
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
