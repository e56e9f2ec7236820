/**
 * The two model-facing tools, `exec` and `wait`, as each model API declares tools (docs/contract.md §1):
 * OpenAI Responses (exec as a custom tool with a Lark grammar), Chat Completions, Anthropic Messages and MCP (exec
 * as a function of `{code}`).
 *
 * The descriptions are read by the model on every turn: they say what a cell can do and how yielding works, then
 * list the nested tools.
 *
 * @module
 */
import {
  DEFAULT_LIMITS,
  DEFAULT_MAX_OUTPUT_TOKENS,
  DEFAULT_YIELD_TIME_MS,
  type SessionLimits,
} from "../contract/defaults.ts";
import { type DeclaredTool, MCP_TYPES, renderToolTypes } from "../typegen/declarations.ts";
import { HELPERS } from "../contract/helpers.ts";
import { ARGUMENT_DESCRIPTIONS } from "../contract/messages.ts";

/** The APIs {@link toolSpecs} can describe the tools for. */
export type ToolSpecFormat = "responses" | "chat" | "anthropic" | "mcp";

/**
 * A JSON Schema of tool arguments (always an object schema). A type alias, not an interface, so that it is
 * assignable to the SDKs' own schema types, which carry an index signature.
 */
export type ParametersSchema = {
  /** Always `"object"`: every API takes an object of arguments. */
  type: "object";
  /** Each argument's schema, with its description. */
  properties: Record<string, Record<string, unknown>>;
  /** The arguments that must be present. */
  required: string[];
  /** Unknown arguments are refused. */
  additionalProperties: false;
};

/** A custom (freeform) tool of the OpenAI Responses API: its input is raw text matching a grammar. */
export interface ResponsesCustomTool {
  /** Always `"custom"`. */
  type: "custom";
  /** The tool's name (`exec`). */
  name: string;
  /** What the model reads about the tool. */
  description: string;
  /** The Lark grammar the input must match. */
  format: { type: "grammar"; syntax: "lark"; definition: string };
}

/** A function tool of the OpenAI Responses API. */
export interface ResponsesFunctionTool {
  /** Always `"function"`. */
  type: "function";
  /** The tool's name (`wait`). */
  name: string;
  /** What the model reads about the tool. */
  description: string;
  /** JSON Schema of the arguments. */
  parameters: ParametersSchema;
  /** Not strict: optional arguments stay optional. */
  strict: false;
}

/** OpenAI Responses API tools: exec is a custom (freeform) tool, wait a function tool. */
export type ResponsesToolSpec = ResponsesCustomTool | ResponsesFunctionTool;

/** OpenAI Chat Completions function tool. */
export interface ChatToolSpec {
  /** Always `"function"`. */
  type: "function";
  /** The function's name, description and JSON Schema of arguments. */
  function: { name: string; description: string; parameters: ParametersSchema };
}

/** Anthropic Messages API tool. */
export interface AnthropicToolSpec {
  /** The tool's name. */
  name: string;
  /** What the model reads about the tool. */
  description: string;
  /** JSON Schema of the input. */
  input_schema: ParametersSchema;
}

/** MCP `Tool` object (as listed by `tools/list`). */
export interface McpToolSpec {
  /** The tool's name. */
  name: string;
  /** What the model reads about the tool. */
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: ParametersSchema;
}

/** Options of {@link toolSpecs}. */
export interface ToolSpecOptions {
  /**
   * The model has no other tools than exec and wait: the exec description then carries every nested tool's full
   * TypeScript declaration instead of a one-line summary.
   */
  codeModeOnly?: boolean;
  /** The session's limits, as stated in the description (default `DEFAULT_LIMITS`). */
  limits?: Readonly<SessionLimits>;
  /** Whether `console.*` produces output in this session (default true). */
  console?: boolean;
  /** exec's yield time when its pragma sets none, as stated in the description (default `DEFAULT_YIELD_TIME_MS`). */
  yieldTimeMs?: number;
}

/** Tool specs of any format. */
export type AnyToolSpecs = ResponsesToolSpec[] | ChatToolSpec[] | AnthropicToolSpec[] | McpToolSpec[];

/**
 * The `exec` and `wait` tools for the OpenAI Responses API, describing `tools` (the session's registry entries).
 *
 * @example
 * ```ts
 * const specs = toolSpecs("responses", new ToolRegistry([lookupOrder]).entries());
 * // [{ type: "custom", name: "exec", ... }, { type: "function", name: "wait", ... }]
 * ```
 */
export function toolSpecs(
  format: "responses",
  tools: readonly DeclaredTool[],
  options?: ToolSpecOptions,
): ResponsesToolSpec[];
/** The `exec` and `wait` tools for OpenAI Chat Completions (`exec` takes `{code}`). */
export function toolSpecs(format: "chat", tools: readonly DeclaredTool[], options?: ToolSpecOptions): ChatToolSpec[];
/** The `exec` and `wait` tools for the Anthropic Messages API (`exec` takes `{code}`). */
export function toolSpecs(
  format: "anthropic",
  tools: readonly DeclaredTool[],
  options?: ToolSpecOptions,
): AnthropicToolSpec[];
/** The `exec` and `wait` tools as MCP `Tool` objects (`exec` takes `{code}`). */
export function toolSpecs(format: "mcp", tools: readonly DeclaredTool[], options?: ToolSpecOptions): McpToolSpec[];
/** The `exec` and `wait` tools for `format`. */
export function toolSpecs(
  format: ToolSpecFormat,
  tools: readonly DeclaredTool[],
  options?: ToolSpecOptions,
): AnyToolSpecs;
export function toolSpecs(
  format: ToolSpecFormat,
  tools: readonly DeclaredTool[],
  options: ToolSpecOptions = {},
): AnyToolSpecs {
  const exec = execDescription(format === "responses" ? "raw" : "code", tools, options);
  const wait = WAIT_DESCRIPTION;
  switch (format) {
    case "responses":
      return [
        {
          type: "custom",
          name: "exec",
          description: exec,
          format: { type: "grammar", syntax: "lark", definition: EXEC_GRAMMAR },
        },
        { type: "function", name: "wait", description: wait, parameters: waitParameters(), strict: false },
      ];
    case "chat":
      return [
        { type: "function", function: { name: "exec", description: exec, parameters: execParameters() } },
        { type: "function", function: { name: "wait", description: wait, parameters: waitParameters() } },
      ];
    case "anthropic":
      return [
        { name: "exec", description: exec, input_schema: execParameters() },
        { name: "wait", description: wait, input_schema: waitParameters() },
      ];
    case "mcp":
      return [
        { name: "exec", description: exec, inputSchema: execParameters() },
        { name: "wait", description: wait, inputSchema: waitParameters() },
      ];
  }
}

/** The Lark grammar of exec's raw input (docs/contract.md §1), byte for byte as Codex sends it. */
export const EXEC_GRAMMAR: string = String.raw`
start: pragma_source | plain_source
pragma_source: PRAGMA_LINE NEWLINE SOURCE
plain_source: SOURCE

PRAGMA_LINE: /[ \t]*\/\/ @exec:[^\r\n]*/
NEWLINE: /\r?\n/
SOURCE: /[\s\S]+/
`;

// ---------------------------------------------------------------------------------------------------------------
// Arguments

function execParameters(): ParametersSchema {
  return {
    type: "object",
    properties: {
      code: {
        type: "string",
        description: ARGUMENT_DESCRIPTIONS.code,
      },
    },
    required: ["code"],
    additionalProperties: false,
  };
}

function waitParameters(): ParametersSchema {
  return {
    type: "object",
    properties: {
      cell_id: { type: "string", description: ARGUMENT_DESCRIPTIONS.cell_id },
      yield_time_ms: {
        type: "number",
        description: ARGUMENT_DESCRIPTIONS.yield_time_ms,
        default: DEFAULT_YIELD_TIME_MS,
      },
      max_tokens: {
        type: "number",
        description: ARGUMENT_DESCRIPTIONS.max_tokens,
        default: DEFAULT_MAX_OUTPUT_TOKENS,
      },
      terminate: {
        type: "boolean",
        description: ARGUMENT_DESCRIPTIONS.terminate,
        default: false,
      },
    },
    required: ["cell_id"],
    additionalProperties: false,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Descriptions

const WAIT_DESCRIPTION = "Resumes a cell that exec left running and returns the output it emitted since the previous " +
  "response. Returns when the cell ends, calls `yield_control()`, or after `yield_time_ms`. With `terminate: true` " +
  "it stops the cell instead. A cell ID is valid until the cell's final result has been returned once.";

/** `raw`: the Responses API custom tool, whose input is the source itself; `code`: a function of `{code}`. */
type ExecInput = "raw" | "code";

function execDescription(input: ExecInput, tools: readonly DeclaredTool[], options: ToolSpecOptions): string {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const consoleOn = options.console ?? true;
  const sendSource = input === "raw"
    ? "Send the raw source as the input: not JSON, not a markdown fence."
    : "Pass the raw source as `code` (no markdown fence).";
  const helpers = HELPERS.filter((helper) => helper.summary !== undefined && (helper.name !== "console" || consoleOn))
    .map((helper) => `- ${helper.summary}`);
  return [
    "Runs JavaScript or TypeScript in a fresh sandboxed cell, an ES module: top-level `await` works and types are " +
    `stripped. ${sendSource} An optional first line sets this call's yield time and output budget: ` +
    `\`// @exec: {"yield_time_ms": ${DEFAULT_YIELD_TIME_MS}, "max_output_tokens": ${DEFAULT_MAX_OUTPUT_TOKENS}}\`.`,
    "A cell has the ECMAScript built-ins and the globals below; no network, files, `fetch`, `process` or `Deno`. " +
    "Nothing survives between cells except stored values. The globals can also be imported " +
    '(`import { text, store } from "codecell/helpers"`, `import { tools } from "codecell/tools"`); nothing else can.\n' +
    helpers.join("\n"),
    "The response starts with a status line (`Script completed`, `Script failed`, `Script terminated` or " +
    "`Script running with cell ID <id>`) and the wall time, then the items the cell emitted since the previous " +
    "response; a failure ends with `Script error:` and the error.",
    "`exec` returns when the cell ends, calls `yield_control()`, or has run for `yield_time_ms` (default " +
    `${options.yieldTimeMs ?? DEFAULT_YIELD_TIME_MS}). A cell still running keeps running: call \`wait\` with its ` +
    "cell ID for more output, or with `terminate: true` to stop it.",
    `Output over \`max_output_tokens\` (default ${DEFAULT_MAX_OUTPUT_TOKENS}; a token is about 4 bytes) is cut in ` +
    "the middle with a truncation notice; images are kept.",
    `Limits: per cell ${mebibytes(limits.heapMiB)} of heap, ${duration(limits.lifetimeMs)} of run time, ` +
    `${byteSize(limits.outputBytes)} of output and ${limits.maxToolCallsInFlight} tool calls in flight; ` +
    `${limits.maxCells} live cells per session. A cell over a limit fails with an error naming it.`,
    options.codeModeOnly ? fullToolList(tools) : compactToolList(tools),
  ].join("\n\n");
}

/** One line per tool: its name and the first line of its description. */
function compactToolList(tools: readonly DeclaredTool[]): string {
  if (tools.length === 0) return "Nested tools: none in this session.";
  const lines = tools.map(({ name, definition }) => {
    const summary = firstLine(definition.description);
    const input = definition.kind === "freeform" ? " (takes a string)" : "";
    return summary === "" ? `- \`${name}\`${input}` : `- \`${name}\`${input}: ${summary}`;
  });
  return ["Nested tools (their full declarations are in `ALL_TOOLS`):", ...lines].join("\n");
}

/** Every tool with its description and TypeScript declaration, grouped by namespace. */
function fullToolList(tools: readonly DeclaredTool[]): string {
  if (tools.length === 0) return "Nested tools: none in this session.";
  const rendered = renderToolTypes(tools);
  const groups = new Map<string | undefined, string[]>();
  tools.forEach((tool, index) => {
    const { aliases, declaration } = rendered[index];
    const fence = ["```ts", ...aliases, declaration, "```"].join("\n");
    const description = tool.definition.description.trim();
    const namespace = tool.definition.namespace;
    const group = groups.get(namespace) ?? [];
    group.push(description === "" ? fence : `${description}\n${fence}`);
    groups.set(namespace, group);
  });
  const sections = ["Nested tools, declared as `tools` is typed in a cell (`ALL_TOOLS` holds the same):"];
  if (rendered.some((tool) => tool.mcp)) {
    sections.push(`MCP tools resolve with a \`CallToolResult\`:\n\`\`\`ts\n${MCP_TYPES}\n\`\`\``);
  }
  // Tools without a namespace first, then each namespace under its heading, in order of first appearance.
  sections.push(...(groups.get(undefined) ?? []));
  for (const [namespace, group] of groups) {
    if (namespace !== undefined) sections.push(`### Namespace \`${namespace}\``, ...group);
  }
  return sections.join("\n\n");
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0].trim();
}

function mebibytes(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

function byteSize(bytes: number): string {
  const mib = 1 << 20;
  if (bytes % mib === 0) return mebibytes(bytes / mib);
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
