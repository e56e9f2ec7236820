/**
 * The MCP servers codecell connects to, and the config file that lists them: the `mcpServers` JSON MCP clients
 * already use (`{"mcpServers": {"<name>": {"command", "args"?, "env"?, "cwd"?} | {"url", "headers"?}}}`, each
 * with an optional `"shared": true` and `"needsApproval"`), plus an optional `"codecell": {...}` block of session settings.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CodecellError } from "../contract/errors.ts";
import { type CodecellSettings, CodecellSettingsSchema } from "./settings.ts";
import type { ApprovalRule } from "./approval_rules.ts";

/** An MCP server started as a child process and spoken to over its stdio. */
export interface McpStdioServerConfig {
  /** The executable that starts the server (`npx`, `node`, `uvx`, ...). */
  command: string;
  /** Its arguments. */
  args?: string[];
  /** Added to the MCP SDK's default environment (an allow-list: PATH, HOME, ...), overriding it. */
  env?: Record<string, string>;
  /** Its working directory (default: codecell's). */
  cwd?: string;
  /** Over HTTP, one connection for every client instead of one per client (see {@link McpConfig}). */
  shared?: boolean;
  /**
   * Which of its tools pause at each call for the host's approval: all (`true`), or those whose names match one of
   * these patterns (`*` any run of characters, `?` one), e.g. `["delete_*", "merge_pull_request"]`.
   */
  needsApproval?: ApprovalRule;
}

/** An MCP server reached over streamable HTTP. */
export interface McpHttpServerConfig {
  /** The server's streamable HTTP endpoint, e.g. `https://example.com/mcp`. */
  url: string;
  /** Sent with every request, e.g. `Authorization`. */
  headers?: Record<string, string>;
  /** Over HTTP, one connection for every client instead of one per client (see {@link McpConfig}). */
  shared?: boolean;
  /**
   * Which of its tools pause at each call for the host's approval: all (`true`), or those whose names match one of
   * these patterns (`*` any run of characters, `?` one), e.g. `["delete_*", "merge_pull_request"]`.
   */
  needsApproval?: ApprovalRule;
}

/** How to reach one MCP server. */
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

/** A parsed config file. */
export interface McpConfig {
  /**
   * The servers by name; a server's tools become `tools.mcp__<name>__<tool>`. `codecell mcp --http` connects to
   * each server once per client session, so clients cannot see or break each other's servers; a server marked
   * `"shared": true` is connected once for all of them (its state, its tool list and a crash are shared too).
   */
  mcpServers: Record<string, McpServerConfig>;
  /** Session settings (the `"codecell"` block), overridden by command-line flags. */
  codecell?: CodecellSettings;
}

const stringRecord = z.record(z.string(), z.string({ error: "expected a string" }), {
  error: "expected an object of strings",
});

// Loose objects: configs written for other MCP clients carry extra keys (`type`, `disabled`, ...); they are ignored.
const needsApproval = z.union([
  z.boolean(),
  z.array(z.string().min(1, { error: "a tool name pattern must not be empty" })),
], { error: "expected true, false or an array of tool name patterns" });

const stdioServer = z.looseObject({
  command: z.string({ error: "expected a string" }).min(1, { error: "must not be empty" }),
  args: z.array(z.string(), { error: "expected an array of strings" }).optional(),
  env: stringRecord.optional(),
  cwd: z.string({ error: "expected a string" }).optional(),
  shared: z.boolean({ error: "expected true or false" }).optional(),
  needsApproval: needsApproval.optional(),
});

const httpServer = z.looseObject({
  url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
  headers: stringRecord.optional(),
  shared: z.boolean({ error: "expected true or false" }).optional(),
  needsApproval: needsApproval.optional(),
});

const serverEntry = z.unknown().transform((value, ctx): McpServerConfig => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: "custom", message: 'expected an object with "command" (stdio) or "url" (streamable HTTP)' });
    return z.NEVER;
  }
  const hasCommand = "command" in value;
  const hasUrl = "url" in value;
  if (hasCommand === hasUrl) {
    ctx.addIssue({ code: "custom", message: 'expected exactly one of "command" (stdio) or "url" (streamable HTTP)' });
    return z.NEVER;
  }
  // Only the known keys go on, so the rest of codecell sees exactly McpServerConfig.
  if (hasCommand) {
    const parsed = stdioServer.safeParse(value);
    if (!parsed.success) return reportIssues(parsed.error, ctx);
    const { command, args, env, cwd, shared, needsApproval } = parsed.data;
    return withoutUndefined({ command, args, env, cwd, shared, needsApproval });
  }
  const parsed = httpServer.safeParse(value);
  if (!parsed.success) return reportIssues(parsed.error, ctx);
  const { url, headers, shared, needsApproval } = parsed.data;
  return withoutUndefined({ url, headers, shared, needsApproval });
});

/**
 * The zod schema of a config file.
 *
 * @example
 * ```ts
 * const parsed = McpConfigSchema.safeParse(JSON.parse(text));
 * ```
 */
export const McpConfigSchema: z.ZodType<McpConfig> = z.object({
  mcpServers: z.record(
    z.string().min(1, { error: "a server name must not be empty" }),
    serverEntry,
    { error: "expected an object mapping server names to servers" },
  ),
  codecell: CodecellSettingsSchema.optional(),
}, { error: 'expected a JSON object with an "mcpServers" object' });

/**
 * Reads and validates a config file. Throws `CodecellError("invalid_options")` with a one-line message naming the
 * file and the first problem (unreadable file, invalid JSON, wrong shape).
 *
 * @example
 * ```ts
 * const { mcpServers } = await loadMcpConfig("codecell.json");
 * const source = await mcpTools(mcpServers);
 * ```
 */
export async function loadMcpConfig(path: string): Promise<McpConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CodecellError("invalid_options", `cannot read config file ${path}: ${reasonOf(error)}`);
  }
  return parseMcpConfig(text, path);
}

/**
 * Validates the text of a config file; `path` only names it in errors. Throws like {@link loadMcpConfig}.
 *
 * @example
 * ```ts
 * parseMcpConfig('{"mcpServers": {"everything": {"command": "npx", "args": ["@modelcontextprotocol/server-everything"]}}}', "inline");
 * ```
 */
export function parseMcpConfig(text: string, path: string): McpConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CodecellError("invalid_options", `invalid config file ${path}: not valid JSON: ${reasonOf(error)}`);
  }
  const parsed = McpConfigSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue.path.length === 0 ? "" : `${issue.path.map(String).join(".")}: `;
    throw new CodecellError("invalid_options", `invalid config file ${path}: ${where}${oneLine(issue.message)}`);
  }
  return parsed.data;
}

/**
 * Whether a server is reached over stdio (else streamable HTTP).
 *
 * @example
 * ```ts
 * isStdioServer({ command: "npx" }); // true
 * ```
 */
export function isStdioServer(config: McpServerConfig): config is McpStdioServerConfig {
  return "command" in config;
}

function reportIssues(error: z.ZodError, ctx: z.RefinementCtx): never {
  for (const issue of error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  return z.NEVER;
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function reasonOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
