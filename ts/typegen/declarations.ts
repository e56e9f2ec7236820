/**
 * TypeScript declarations of what a cell sees: the helper globals and this session's `tools` (docs/contract.md §5).
 *
 * One path renders every tool ({@link renderToolTypes}) and one table lists the helpers (`ts/contract/helpers.ts`),
 * so these cannot drift apart:
 * - {@link typeDeclarations}: the session's global `.d.ts` (what `deno check` checks a cell against);
 * - {@link helperModuleSource} / {@link toolsModuleSource}: `codecell/helpers` and `codecell/tools` for that check,
 *   re-exporting the globals;
 * - {@link packageModuleDeclarations}: the static `ext/helpers.d.ts` / `ext/tools.d.ts` the package exports point
 *   to (generic `tools`, for editors outside a session).
 *
 * @module
 */
import { HELPERS, helperNames, type HelperModule } from "../contract/helpers.ts";
import type { ToolDefinition } from "../tools/define.ts";
import { schemaToTsWithAliases, toolDeclaration } from "./schema_to_ts.ts";

/** A tool under its global name, as the declarations need it (`ToolRegistry.entries()` gives them). */
export interface DeclaredTool {
  /** The tool's global name (normalized, namespace applied). */
  readonly name: string;
  /** Its definition (schemas, description, result kind). */
  readonly definition: ToolDefinition;
}

/** One tool rendered as TypeScript; alias names are unique across every tool rendered together. */
export interface ToolTypes {
  /** The tool's global name. */
  readonly name: string;
  /** `type X = ...;` lines for the recursive definitions its schemas use. */
  readonly aliases: readonly string[];
  /** The method signature inside `tools`: `name(args: <input>): Promise<<output>>` (may span lines). */
  readonly signature: string;
  /** `declare const tools: { <signature>; };`, the line `ALL_TOOLS` descriptions show after the aliases. */
  readonly declaration: string;
  /** Whether the result is typed with {@link MCP_TYPES}' `CallToolResult`. */
  readonly mcp: boolean;
}

/**
 * Whether a tool is bridged from an MCP server, so it resolves with a whole `CallToolResult` (docs/contract.md §5): its
 * definition's `resultKind` is `"mcp"` (set by `mcpTools`, or `withResultKind(definition, "mcp")`).
 *
 * @example
 * ```ts
 * isMcpTool({ name: "mcp__github__search", definition: withResultKind(definition, "mcp") }); // true
 * ```
 */
export function isMcpTool(tool: DeclaredTool): boolean {
  return tool.definition.resultKind === "mcp";
}

/**
 * Renders each tool's signature. Recursive `$defs` become aliases, named once across all the tools (one shared set
 * of taken names, seeded with the MCP type names), so the results can live in one file.
 *
 * @example
 * ```ts
 * const [order] = renderToolTypes(new ToolRegistry([lookupOrder]).entries());
 * order.signature; // 'lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>'
 * ```
 */
export function renderToolTypes(tools: readonly DeclaredTool[]): ToolTypes[] {
  const taken = new Set(MCP_TYPE_NAMES);
  return tools.map((tool) => {
    const { name, definition } = tool;
    const aliases: string[] = [];
    const render = (schema: unknown) => {
      const rendered = schemaToTsWithAliases(schema, { taken });
      aliases.push(...rendered.aliases);
      return rendered.type;
    };
    const input = definition.inputSchema === undefined
      ? { kind: "freeform" as const }
      : { kind: "function" as const, ts: render(definition.inputSchema) };
    const output = definition.outputSchema === undefined ? undefined : render(definition.outputSchema);
    const mcp = isMcpTool(tool);
    const result = mcp ? (output === undefined ? "CallToolResult" : `CallToolResult<${output}>`) : output ?? "unknown";
    const parameter = input.kind === "freeform" ? "input: string" : `args: ${input.ts}`;
    return {
      name,
      aliases,
      signature: `${name}(${parameter}): Promise<${result}>`,
      declaration: toolDeclaration(name, input, result),
      mcp,
    };
  });
}

/**
 * The session's declarations as one global `.d.ts` text: every helper global with its JSDoc and `tools` typed from
 * each tool's schemas (plus {@link MCP_TYPES} when a tool is bridged from MCP). It passes `deno check` with
 * `lib: ["esnext"]`.
 *
 * @example
 * ```ts
 * const dts = typeDeclarations(new ToolRegistry([lookupOrder]).entries());
 * // ...declare function text(value?: unknown): void; ...
 * // declare const tools: {
 * //   /** Find an order. *\/
 * //   lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>;
 * // };
 * ```
 */
export function typeDeclarations(tools: readonly DeclaredTool[]): string {
  const rendered = renderToolTypes(tools);
  const sections = [DTS_HEADER];
  if (rendered.some((tool) => tool.mcp)) sections.push(MCP_TYPES);
  const aliases = rendered.flatMap((tool) => tool.aliases);
  if (aliases.length > 0) sections.push(aliases.join("\n"));
  for (const helper of HELPERS) {
    const body = helper.name === "tools" ? toolsObjectType(tools, rendered) : helper.declaration;
    sections.push(`${jsDoc(helper.doc, "")}\ndeclare ${body}`);
  }
  return `${sections.join("\n\n")}\n`;
}

/**
 * `codecell/helpers` for type-checking a cell against {@link typeDeclarations}: the helper globals as exports. A
 * module cannot `export { text }` a global, so each is bound to a local first.
 *
 * @example
 * ```ts
 * helperModuleSource(); // "...const text_ = text;\n...export { text_ as text, ... };\n"
 * ```
 */
export function helperModuleSource(): string {
  return reexportGlobals(helperNames("helpers"));
}

/**
 * `codecell/tools` for type-checking a cell against {@link typeDeclarations}: `ALL_TOOLS` and `tools`.
 *
 * @example
 * ```ts
 * toolsModuleSource(); // "...export { ALL_TOOLS_ as ALL_TOOLS, tools_ as tools };\n"
 * ```
 */
export function toolsModuleSource(): string {
  return reexportGlobals(helperNames("tools"));
}

/**
 * The static declaration file of the package export `codecell/helpers` or `codecell/tools` (`ext/helpers.d.ts`,
 * `ext/tools.d.ts`): the same signatures as module exports, with a generic `tools` since no session is known.
 *
 * @example
 * ```ts
 * packageModuleDeclarations("tools"); // "...export declare const tools: Readonly<Record<string, ...>>;\n"
 * ```
 */
export function packageModuleDeclarations(module: HelperModule): string {
  const header = [
    `// The \`codecell/${module}\` module as a cell sees it, for editors and type checkers outside a session.`,
    "// Generated by packageModuleDeclarations() in ts/typegen/declarations.ts (declarations_test.ts checks it).",
    "// A session's own tool signatures come from CodeModeSession.typeDeclarations().",
  ].join("\n");
  const exports = HELPERS.filter((helper) => helper.modules.includes(module))
    .map((helper) => `${jsDoc(helper.doc, "")}\nexport declare ${helper.declaration}`);
  return `${[header, ...exports].join("\n\n")}\n`;
}

const DTS_HEADER = [
  "// The globals of a codecell cell: the helpers and this session's nested tools.",
  "// The modules `codecell/helpers` and `codecell/tools` export the same names.",
].join("\n");

// ---------------------------------------------------------------------------------------------------------------
// MCP

/** Type names {@link MCP_TYPES} declares; tool aliases never take them. */
const MCP_TYPE_NAMES: readonly string[] = [
  "TextContent",
  "ImageContent",
  "AudioContent",
  "ResourceLink",
  "EmbeddedResource",
  "ContentBlock",
  "CallToolResult",
];

/**
 * What a tool bridged from MCP resolves with: MCP's `CallToolResult` and its content blocks, declared once when
 * any such tool is present. `T` is the structured content, when the tool declares an output schema.
 */
export const MCP_TYPES: string = [
  'type TextContent = { type: "text"; text: string; _meta?: { [key: string]: unknown } };',
  'type ImageContent = { type: "image"; data: string; mimeType: string; _meta?: { [key: string]: unknown } };',
  'type AudioContent = { type: "audio"; data: string; mimeType: string; _meta?: { [key: string]: unknown } };',
  'type ResourceLink = { type: "resource_link"; uri: string; name: string; description?: string; mimeType?: string };',
  "type EmbeddedResource = {",
  '  type: "resource";',
  "  resource: { uri: string; mimeType?: string; text: string } | { uri: string; mimeType?: string; blob: string };",
  "};",
  "type ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource;",
  "/** What an MCP tool resolves with; a tool-level failure is `isError: true`, not a rejection. */",
  "type CallToolResult<T = { [key: string]: unknown }> = {",
  "  content: ContentBlock[];",
  "  structuredContent?: T;",
  "  isError?: boolean;",
  "};",
].join("\n");

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** `const tools: { ... };` with each tool's description as its JSDoc. */
function toolsObjectType(tools: readonly DeclaredTool[], rendered: readonly ToolTypes[]): string {
  if (rendered.length === 0) return "const tools: {};";
  const members = rendered.map((tool, index) => {
    // Continuation lines of a multi-line type are indented for column 0: shift them into the object.
    const signature = `  ${tool.signature};`.replaceAll("\n", "\n  ");
    const description = tools[index].definition.description;
    return description.trim() === "" ? signature : `${jsDoc(description, "  ")}\n${signature}`;
  });
  return `const tools: {\n${members.join("\n")}\n};`;
}

/** A JSDoc block; `*\/` inside the text would end it early, so it is escaped. */
function jsDoc(text: string, indent: string): string {
  const lines = text.trim().split(/\r\n|[\n\r\u2028\u2029]/).map((line) => line.trimEnd().replaceAll("*/", "*\\/"));
  if (lines.length === 1) return `${indent}/** ${lines[0]} */`;
  const body = lines.map((line) => line === "" ? `${indent} *` : `${indent} * ${line}`);
  return [`${indent}/**`, ...body, `${indent} */`].join("\n");
}

function reexportGlobals(names: readonly string[]): string {
  return [
    "// Re-exports cell globals declared by the session's declarations file.",
    ...names.map((name) => `const ${name}_ = ${name};`),
    `export { ${names.map((name) => `${name}_ as ${name}`).join(", ")} };`,
    "",
  ].join("\n");
}
