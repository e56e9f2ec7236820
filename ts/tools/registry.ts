/**
 * The tools of one session, built once: global names, `ALL_TOOLS` descriptions, compiled argument validators, and
 * the call path (validate → run the handler → check the result is JSON).
 *
 * @module
 */
import { CodecellError } from "../errors.ts";
import type { SandboxTool } from "../protocol/messages.ts";
import {
  isToolDefinition,
  type PreparedTool,
  prepareTool,
  type ToolContext,
  type ToolDefinition,
  type ToolKind,
  type ToolResultKind,
} from "./define.ts";
import { namespacedToolName } from "./normalize.ts";
import { schemaToTs, toolDeclaration } from "./schema_to_ts.ts";
import { renderPath } from "./validate.ts";

/** A value JSON can represent exactly. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How a call ended: the handler's result as JSON, or the error text the cell's promise rejects with. */
export type ToolCallResult = { ok: true; value: JsonValue } | { ok: false; error: string };

/** One tool of the session, under its global name. */
export interface ToolEntry {
  /** Normalized global name (namespace applied): the key on the sandbox's `tools`. */
  readonly name: string;
  /** Whether the tool takes a JSON object of arguments or a raw string. */
  readonly kind: ToolKind;
  /** `"mcp"`: the declaration names `CallToolResult`, so a file holding it needs the MCP types preamble too. */
  readonly resultKind: ToolResultKind;
  /** The definition the entry was built from. */
  readonly definition: ToolDefinition;
  /** `declare const tools: { <name>(...): Promise<...>; };` */
  readonly declaration: string;
  /** The `ALL_TOOLS` description: the tool's description, then its declaration in a ts fence (contract §7). */
  readonly description: string;
  /** Validates `input`, runs the handler, and returns its result as JSON. Never throws. */
  call(input: unknown, ctx: ToolContext): Promise<ToolCallResult>;
}

/** Built from the session's tool definitions; the constructor throws `CodecellError` for a bad set of tools. */
export class ToolRegistry {
  readonly #entries = new Map<string, ToolEntry>();
  readonly #sandboxTools: readonly SandboxTool[];

  /**
   * Throws `CodecellError("tool_name_collision")` when two tools normalize to the same global name, and
   * `CodecellError("invalid_tool")` for a value not made by `defineTool` or an input schema that cannot compile.
   */
  constructor(definitions: Iterable<ToolDefinition>) {
    const origins = new Map<string, ToolDefinition>();
    let index = 0;
    for (const definition of definitions) {
      // The static type is a promise only: JavaScript callers can pass anything.
      if (!isToolDefinition(definition)) {
        throw new CodecellError("invalid_tool", `tools[${index}] was not created by defineTool`);
      }
      index++;
      const name = namespacedToolName(definition.namespace, definition.name);
      const earlier = origins.get(name);
      if (earlier) {
        throw new CodecellError(
          "tool_name_collision",
          `tools ${originalName(earlier)} and ${originalName(definition)} both become \`${name}\` in the sandbox; ` +
            `rename one of them`,
        );
      }
      origins.set(name, definition);
      this.#entries.set(name, entryFor(name, definition));
    }
    this.#sandboxTools = Object.freeze(
      [...this.#entries.values()].map(({ name, kind, description }) => Object.freeze({ name, kind, description })),
    );
  }

  /** The entry called `name` (normalized global name), if any. */
  get(name: string): ToolEntry | undefined {
    return this.#entries.get(name);
  }

  /** Every entry, in definition order. */
  entries(): ToolEntry[] {
    return [...this.#entries.values()];
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What the sandbox needs to build `tools` and `ALL_TOOLS`, in definition order (computed once). */
  sandboxTools(): readonly SandboxTool[] {
    return this.#sandboxTools;
  }
}

function originalName(definition: ToolDefinition): string {
  return definition.namespace === undefined
    ? `\`${definition.name}\``
    : `\`${definition.name}\` (namespace \`${definition.namespace}\`)`;
}

/**
 * Entries are immutable and depend only on the definition and its global name, so sessions built from the same
 * definitions share them: declarations are rendered and validators compiled once per process, not per session.
 */
const entryCache = new WeakMap<ToolDefinition, Map<string, ToolEntry>>();

function entryFor(name: string, definition: ToolDefinition): ToolEntry {
  let byName = entryCache.get(definition);
  if (!byName) entryCache.set(definition, byName = new Map());
  let cached = byName.get(name);
  if (!cached) byName.set(name, cached = createEntry(name, definition));
  return cached;
}

function createEntry(name: string, definition: ToolDefinition): ToolEntry {
  const prepared = prepareTool(definition, name);
  const declaration = declarationOf(name, definition);
  return Object.freeze({
    name,
    kind: definition.kind,
    resultKind: definition.resultKind,
    definition,
    declaration,
    description: `${definition.description}\n\nexec tool declaration:\n\`\`\`ts\n${declaration}\n\`\`\``,
    call: (input: unknown, ctx: ToolContext) => callTool(name, prepared, input, ctx),
  });
}

function declarationOf(name: string, definition: ToolDefinition): string {
  const input = definition.inputSchema === undefined
    ? { kind: "freeform" as const }
    : { kind: "function" as const, ts: schemaToTs(definition.inputSchema) };
  const outputTs = definition.outputSchema === undefined ? undefined : schemaToTs(definition.outputSchema);
  const resultTs = definition.resultKind === "mcp"
    ? (outputTs === undefined ? "CallToolResult" : `CallToolResult<${outputTs}>`)
    : outputTs ?? "unknown";
  return toolDeclaration(name, input, resultTs);
}

async function callTool(
  name: string,
  prepared: PreparedTool,
  input: unknown,
  ctx: ToolContext,
): Promise<ToolCallResult> {
  let result: unknown;
  try {
    const checked = await prepared(input);
    if (!checked.ok) return { ok: false, error: checked.message };
    result = await checked.value(ctx);
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
  const json = toJsonValue(result);
  if (!json.ok) {
    return { ok: false, error: `tool \`${name}\` returned a value that is not JSON-serializable: ${json.reason}` };
  }
  return { ok: true, value: json.value };
}

/** The text of a thrown value, as the cell's rejected promise carries it. */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error); // e.g. an object without a prototype
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Results as JSON

/**
 * A JSON copy of `value`, as `JSON.parse(JSON.stringify(value))` would give (`toJSON` honoured, so Dates become
 * strings; `undefined` properties omitted; `undefined` overall becomes `null`), except that what JSON would lose
 * silently or cannot encode is refused with the reason: functions, symbols, BigInts, non-finite numbers, cycles,
 * `undefined` array items, and objects such as Map, Set or a Promise that would turn into `{}`.
 */
export function toJsonValue(value: unknown): { ok: true; value: JsonValue } | { ok: false; reason: string } {
  if (value === undefined) return { ok: true, value: null };
  try {
    return { ok: true, value: convert(value, "", [], new Set()) };
  } catch (error) {
    if (error instanceof NotJson) return { ok: false, reason: `${error.what} at ${renderPath(error.path)}` };
    return { ok: false, reason: errorText(error) }; // a throwing getter or toJSON, or a structure too deep
  }
}

class NotJson extends Error {
  constructor(readonly what: string, readonly path: readonly PropertyKey[]) {
    super(what);
  }
}

/** Objects that JSON.stringify would silently turn into `{}` (or a bag of indices) rather than their content. */
const OPAQUE_OBJECTS: readonly (abstract new (...args: never[]) => object)[] = [
  Map,
  Set,
  WeakMap,
  WeakSet,
  Promise,
  RegExp,
  Error,
  ArrayBuffer,
];

function convert(value: unknown, key: string, path: PropertyKey[], ancestors: Set<object>): JsonValue {
  let current = value;
  if (typeof current === "object" && current !== null && hasToJson(current)) current = current.toJSON(key);
  if (current === null) return null;
  if (typeof current !== "object") return primitive(current, path);
  if (current instanceof Number || current instanceof String || current instanceof Boolean) {
    return convert(current.valueOf(), key, path, ancestors);
  }
  if (ancestors.has(current)) throw new NotJson("a circular reference", path);
  if (ArrayBuffer.isView(current) || OPAQUE_OBJECTS.some((type) => current instanceof type)) {
    const typeName = current.constructor?.name ?? "object";
    const hint = current instanceof Promise ? " (missing await?)" : "";
    const article = /^[AEIO]/.test(typeName) ? "an" : "a"; // "a Uint8Array": U sounds like "you" here
    throw new NotJson(`${article} ${typeName}${hint}`, path);
  }
  ancestors.add(current);
  try {
    if (Array.isArray(current)) {
      const items: JsonValue[] = [];
      for (let index = 0; index < current.length; index++) {
        items.push(convert(current[index], String(index), [...path, index], ancestors));
      }
      return items;
    }
    const entries: [string, JsonValue][] = [];
    for (const [name, property] of Object.entries(current)) {
      if (property === undefined) continue; // like JSON.stringify: an absent optional field
      entries.push([name, convert(property, name, [...path, name], ancestors)]);
    }
    return Object.fromEntries(entries); // defines keys, so a `__proto__` key stays data
  } finally {
    ancestors.delete(current);
  }
}

function primitive(value: unknown, path: readonly PropertyKey[]): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new NotJson(`the number ${value}`, path);
      return value === 0 ? 0 : value; // -0 is 0 in JSON
    case "bigint":
      throw new NotJson(`a BigInt (${value}n)`, path);
    case "function":
      throw new NotJson("a function", path);
    case "symbol":
      throw new NotJson("a symbol", path);
    default:
      throw new NotJson(String(value), path); // undefined
  }
}

function hasToJson(value: object): value is { toJSON(key: string): unknown } {
  return "toJSON" in value && typeof value.toJSON === "function";
}
