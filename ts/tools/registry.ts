/**
 * The tools of one session, built once: global names, `ALL_TOOLS` descriptions, compiled argument validators, and
 * the call path (validate → run the handler → check the result is JSON).
 *
 * @module
 */
import { CodecellError } from "../contract/errors.ts";
import type { JsonValue, SandboxTool } from "../contract/wire.ts";
import { approveCall, type Approver, type NeedsApproval } from "./approval.ts";
import {
  approvalOf,
  isToolDefinition,
  type PreparedTool,
  prepareTool,
  type ToolContext,
  type ToolDefinition,
  type ToolKind,
  type ToolResultKind,
} from "./define.ts";
import { namespacedToolName } from "./normalize.ts";
import { renderToolTypes } from "../typegen/declarations.ts";
import { type IssuePath, type NotJsonReason, toolResultNotJson } from "../contract/arguments.ts";
import { allToolsDescription } from "../contract/messages.ts";

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
  /** The `type X = ...;` aliases its schemas need, then `declare const tools: { <name>(...): Promise<...>; };` */
  readonly declaration: string;
  /** The `ALL_TOOLS` description: the tool's description, then its declaration in a ts fence (docs/contract.md §5). */
  readonly description: string;
  /**
   * Validates `input`, asks `approve` when the tool needs approval (docs/contract.md §5), runs the handler, and
   * returns its result as JSON. Never throws.
   */
  call(input: unknown, ctx: ToolContext, options?: ToolCallOptions): Promise<ToolCallResult>;
}

/** What a call needs from the session besides its context. */
export interface ToolCallOptions {
  /** Decides on calls of tools that need approval; without it, those calls are refused. */
  approve?: Approver;
}

/** Built from the session's tool definitions; {@linkcode ToolRegistry.of} throws `CodecellError` for a bad set. */
export class ToolRegistry {
  readonly #entries = new Map<string, ToolEntry>();
  readonly #sandboxTools: readonly SandboxTool[];

  /**
   * The registry of a list of definitions, built once per list (sessions over the same array share it: declarations
   * are rendered and validators compiled once per process, not per session).
   *
   * Throws `CodecellError("tool_name_collision")` when two tools normalize to the same global name, and
   * `CodecellError("invalid_tool")` for a value not made by `defineTool` or an input schema that cannot compile.
   */
  static of(definitions: readonly ToolDefinition[]): ToolRegistry {
    let registry = registries.get(definitions);
    if (registry === undefined) registries.set(definitions, registry = new ToolRegistry(definitions));
    return registry;
  }

  /** Builds a registry (see {@linkcode ToolRegistry.of}, which reuses one per list); throws like it. */
  constructor(definitions: Iterable<ToolDefinition>) {
    const named: { name: string; definition: ToolDefinition }[] = [];
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
      named.push({ name, definition });
    }
    const rendered = renderToolTypes(named);
    named.forEach(({ name, definition }, position) => {
      const { aliases, declaration: declareLine } = rendered[position];
      const declaration = [...aliases, declareLine].join("\n");
      const prepared = preparedTool(definition, name);
      const needsApproval = approvalOf(definition);
      this.#entries.set(
        name,
        Object.freeze({
          name,
          kind: definition.kind,
          resultKind: definition.resultKind,
          definition,
          declaration,
          description: allToolsDescription(definition.description, declaration),
          call: (input: unknown, ctx: ToolContext, options: ToolCallOptions = {}) =>
            callTool(name, prepared, needsApproval, input, ctx, options),
        }),
      );
    });
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

  /** Number of tools. */
  get size(): number {
    return this.#entries.size;
  }

  /** What the sandbox needs to build `tools` and `ALL_TOOLS`, in definition order (computed once). */
  sandboxTools(): readonly SandboxTool[] {
    return this.#sandboxTools;
  }
}

const registries = new WeakMap<readonly ToolDefinition[], ToolRegistry>();

function originalName(definition: ToolDefinition): string {
  return definition.namespace === undefined
    ? `\`${definition.name}\``
    : `\`${definition.name}\` (namespace \`${definition.namespace}\`)`;
}

/** Compiled argument checks depend only on the definition and its global name: compiled once per process. */
const preparedCache = new WeakMap<ToolDefinition, Map<string, PreparedTool>>();

function preparedTool(definition: ToolDefinition, name: string): PreparedTool {
  let byName = preparedCache.get(definition);
  if (!byName) preparedCache.set(definition, byName = new Map());
  let prepared = byName.get(name);
  if (!prepared) byName.set(name, prepared = prepareTool(definition, name));
  return prepared;
}

async function callTool(
  name: string,
  prepared: PreparedTool,
  needsApproval: NeedsApproval<unknown>,
  input: unknown,
  ctx: ToolContext,
  options: ToolCallOptions,
): Promise<ToolCallResult> {
  let result: unknown;
  try {
    const checked = await prepared(input);
    if (!checked.ok) return checked;
    const { cellId, callId, signal } = ctx;
    const request = { cellId, callId, tool: name, args: checked.value.args, signal };
    const approval = await approveCall(needsApproval, request, options.approve);
    if (!approval.ok) return approval;
    result = await checked.value.run(ctx);
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
  const json = toJsonValue(result);
  if (!json.ok) return { ok: false, error: toolResultNotJson(name, json.error) };
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
export function toJsonValue(value: unknown): { ok: true; value: JsonValue } | { ok: false; error: NotJsonReason } {
  if (value === undefined) return { ok: true, value: null };
  try {
    return { ok: true, value: convert(value, "", [], new Set()) };
  } catch (error) {
    if (error instanceof NotJson) return { ok: false, error: error.reason };
    // A throwing getter or toJSON, or a structure too deep.
    return { ok: false, error: { code: "threw", message: errorText(error) } };
  }
}

class NotJson extends Error {
  constructor(readonly reason: NotJsonReason) {
    super(reason.code);
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
  if (ancestors.has(current)) throw new NotJson({ code: "circular", path });
  if (ArrayBuffer.isView(current) || OPAQUE_OBJECTS.some((type) => current instanceof type)) {
    throw new NotJson({ code: "opaque", typeName: current.constructor?.name ?? "object", path });
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

function primitive(value: unknown, path: IssuePath): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new NotJson({ code: "number", value: String(value), path });
      return value === 0 ? 0 : value; // -0 is 0 in JSON
    case "bigint":
      throw new NotJson({ code: "bigint", value: String(value), path });
    case "function":
      throw new NotJson({ code: "function", path });
    case "symbol":
      throw new NotJson({ code: "symbol", path });
    default:
      throw new NotJson({ code: "undefined", path });
  }
}

function hasToJson(value: object): value is { toJSON(key: string): unknown } {
  return "toJSON" in value && typeof value.toJSON === "function";
}
