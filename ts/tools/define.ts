/**
 * `defineTool`: how a host declares a nested tool (docs/contract.md §5).
 *
 * A definition is checked eagerly, so a mistake fails where the tool is written rather than when a cell calls it.
 * The registry ({@link prepareTool}) later compiles its argument validator once per session.
 *
 * @module
 */
import { z } from "zod";
import { CodecellError } from "../contract/errors.ts";
import { toolExpectsJsonObject, toolExpectsString } from "../contract/messages.ts";
import { renderArgumentFailure, toolResultInvalid } from "../contract/arguments.ts";
import {
  compileJsonSchemaValidator,
  compileZodValidator,
  type JsonSchema,
  type JsonSchemaObject,
  type ToolArguments,
  type Validation,
} from "../schema/validate.ts";
import { isRecord } from "../schema/json.ts";
import type { NeedsApproval } from "./approval.ts";

export type { JsonSchema, JsonSchemaObject, ToolArguments } from "../schema/validate.ts";
export type { NeedsApproval } from "./approval.ts";

/** What a handler learns about the call besides its arguments. */
export interface ToolContext {
  /** Aborted when the calling cell is terminated or the session closes. */
  readonly signal: AbortSignal;
  /** The id of the calling cell. */
  readonly cellId: string;
  /** The id of this call, unique within the calling cell. */
  readonly callId: string;
}

/** `"function"` tools take a JSON object of arguments; `"freeform"` tools take the raw string the cell passes. */
export type ToolKind = "function" | "freeform";

/**
 * What a call resolves with: `"json"`, the handler's result as it is (described by `outputSchema`); `"mcp"`, an MCP
 * `CallToolResult` whose `structuredContent` is described by `outputSchema` (declared as `CallToolResult<...>`).
 */
export type ToolResultKind = "json" | "mcp";

/** A value, or a promise of it: what a handler may return. */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * A zod 4 schema, as the public types see it: the Standard Schema interface (standardschema.dev) that every zod 4
 * schema implements, so these types do not depend on zod's own. At run time `defineTool` requires a zod schema.
 */
export interface ZodSchema<Output = unknown, Input = unknown> {
  /** The Standard Schema properties; only the inferred types are read here. */
  readonly "~standard": {
    /** The schema's input and output types (types only, absent at run time). */
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The type a zod schema parses to (`z.output<S>`). */
export type SchemaOutput<S extends ZodSchema> = NonNullable<S["~standard"]["types"]>["output"];

/** The fields every kind of tool spec passed to {@link defineTool} shares. */
export interface ToolSpecBase {
  /** The tool's name; the sandbox calls it under its normalized form (`echo-tool` → `tools.echo_tool`). */
  name: string;
  /** What the model reads about the tool (before its TypeScript declaration in `ALL_TOOLS`). */
  description?: string;
  /** Groups tools: `mcp__github` makes `search` callable as `tools.mcp__github__search`. */
  namespace?: string;
}

/** A function tool whose arguments (and optionally result) are zod schemas. */
export interface ZodToolSpec<I extends ZodSchema, O extends ZodSchema> extends ToolSpecBase {
  /** `"function"` (the default): the tool takes a JSON object of arguments. */
  kind?: "function";
  /** Validates the arguments; the handler receives the parsed value (defaults applied). */
  input: I;
  /** Not allowed with `input`: a tool has one argument schema. */
  inputSchema?: undefined;
  /** Documents the result in the tool's declaration. */
  output?: O;
  /** The result as a JSON Schema instead of `output`. */
  outputSchema?: JsonSchema;
  /** The handler: receives the parsed arguments and returns a JSON-serializable result (or a promise of one). */
  run: (args: SchemaOutput<I>, ctx: ToolContext) => MaybePromise<SchemaOutput<O>>;
  /**
   * Pause each call for the host's `approve` (a session option) before `run`: always, or when this predicate says
   * so for the parsed arguments. A denied call rejects in the cell and `run` never sees it.
   */
  needsApproval?: NeedsApproval<SchemaOutput<I>>;
}

/** A function tool whose arguments are described by a plain JSON Schema (`{type: "object"}` when omitted). */
export interface JsonSchemaToolSpec extends ToolSpecBase {
  /** `"function"` (the default): the tool takes a JSON object of arguments. */
  kind?: "function";
  /** Validates the arguments; must describe a JSON object (default `{type: "object"}`). */
  inputSchema?: JsonSchemaObject;
  /** Not allowed with `inputSchema`: a tool has one argument schema. */
  input?: undefined;
  /** Documents the result in the tool's declaration, as a JSON Schema. */
  outputSchema?: JsonSchema;
  /** Documents the result in the tool's declaration, as a zod schema instead of `outputSchema`. */
  output?: ZodSchema;
  // Method syntax on purpose: a handler may annotate `args` with the type its schema guarantees (`{ name: string }`).
  /** The handler: receives the validated arguments and returns a JSON-serializable result (or a promise of one). */
  run(args: ToolArguments, ctx: ToolContext): unknown;
  /** Pause each call for the host's `approve` before `run`: always, or when this predicate says so for the arguments. */
  needsApproval?: NeedsApproval<ToolArguments>;
}

/** A tool that takes the raw string the cell passes (`tools.shout("hi")`). */
export interface FreeformToolSpec extends ToolSpecBase {
  /** Always `"freeform"`. */
  kind: "freeform";
  /** Not allowed: a freeform tool takes a raw string, not arguments. */
  input?: undefined;
  /** Not allowed: a freeform tool takes a raw string, not arguments. */
  inputSchema?: undefined;
  /** Documents the result in the tool's declaration, as a zod schema. */
  output?: ZodSchema;
  /** Documents the result in the tool's declaration, as a JSON Schema instead of `output`. */
  outputSchema?: JsonSchema;
  /** The handler: receives the string the cell passed and returns a JSON-serializable result (or a promise of one). */
  run: (input: string, ctx: ToolContext) => unknown;
  /** Pause each call for the host's `approve` before `run`: always, or when this predicate says so for the input. */
  needsApproval?: NeedsApproval<string>;
}

/** A checked tool, as returned by {@link defineTool}. Pass an array of them to the session. */
export interface ToolDefinition {
  /** The tool's name as written in the spec (before normalization and namespacing). */
  readonly name: string;
  /** The namespace its global name is prefixed with, if any. */
  readonly namespace: string | undefined;
  /** What the model reads about the tool (empty when the spec had none). */
  readonly description: string;
  /** Whether the tool takes a JSON object of arguments or a raw string. */
  readonly kind: ToolKind;
  /** JSON Schema of the arguments (function tools; `$schema` removed), `undefined` for freeform tools. */
  readonly inputSchema: JsonSchemaObject | undefined;
  /** JSON Schema of the result (of its `structuredContent` for `resultKind: "mcp"`), `undefined` when not declared. */
  readonly outputSchema: JsonSchema | undefined;
  /** `"mcp"` for tools that resolve with a whole MCP `CallToolResult` (see {@link withResultKind}), else `"json"`. */
  readonly resultKind: ToolResultKind;
}

/** A handler call whose input was accepted, ready to run: the parsed arguments, and the handler bound to them. */
export interface ToolInvocation {
  /** The arguments as the handler gets them (a freeform tool's string). */
  args: unknown;
  run(ctx: ToolContext): unknown;
}

/**
 * Checks a call's input (`undefined` means `{}` for function tools) and binds it to the handler; a refused input
 * gives the text the cell's call rejects with.
 */
export type PreparedTool = (
  input: unknown,
) => Promise<{ ok: true; value: ToolInvocation } | { ok: false; error: string }>;

/**
 * Defines a nested tool that cells call as `tools.<name>(args)`. Arguments are validated before `run` is called;
 * invalid ones reject inside the cell with a message listing each issue, and `run` never sees them. `run` may be
 * sync or async; its result must be JSON-serializable. Throws `CodecellError("invalid_tool")` for a malformed
 * definition.
 *
 * @example
 * ```ts
 * import { defineTool } from "codecell";
 * import { z } from "zod";
 *
 * const lookupOrder = defineTool({
 *   name: "lookup_order",
 *   description: "Find an order.",
 *   input: z.object({ order_id: z.string() }),
 *   output: z.object({ ok: z.boolean() }),
 *   run: async (args, ctx) => ({ ok: args.order_id !== "" && !ctx.signal.aborted }),
 * });
 *
 * const echo = defineTool({
 *   name: "echo",
 *   inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
 *   run: (args: { message: string }) => ({ echo: args.message }),
 * });
 *
 * const shout = defineTool({ name: "shout", kind: "freeform", run: (input) => input.toUpperCase() });
 * ```
 */
export function defineTool<I extends ZodSchema, O extends ZodSchema = ZodSchema>(
  spec: ZodToolSpec<I, O>,
): ToolDefinition;
/** Defines a function tool whose arguments are described by a plain JSON Schema. */
export function defineTool(spec: JsonSchemaToolSpec): ToolDefinition;
/** Defines a freeform tool: it takes the raw string the cell passes. */
export function defineTool(spec: FreeformToolSpec): ToolDefinition;
export function defineTool(spec: unknown): ToolDefinition {
  const fields = checkFields(spec);
  const outputSchema = outputJsonSchema(fields);
  const base = {
    name: fields.name,
    namespace: fields.namespace,
    description: fields.description,
    outputSchema,
    resultKind: "json" as const,
  };
  if (fields.kind === "freeform") {
    if (fields.input !== undefined || fields.inputSchema !== undefined) {
      throw invalid(`tool \`${fields.name}\` is freeform (it takes a raw string), so it cannot have an input schema`);
    }
    const definition: ToolDefinition = Object.freeze({ ...base, kind: "freeform", inputSchema: undefined });
    if (fields.needsApproval !== false) approvals.set(definition, fields.needsApproval);
    preparers.set(definition, (toolName, resultKind) => {
      const run = checkedRun(fields, toolName, resultKind);
      return (input) =>
        Promise.resolve(
          typeof input === "string"
            ? { ok: true, value: { args: input, run: (ctx) => run(input, ctx) } }
            : { ok: false, error: toolExpectsString(toolName) },
        );
    });
    return definition;
  }
  if (fields.input !== undefined && fields.inputSchema !== undefined) {
    throw invalid(`tool \`${fields.name}\` has both \`input\` (zod) and \`inputSchema\` (JSON Schema); keep one`);
  }
  const input = fields.input;
  const inputSchema = input === undefined
    ? copyJsonSchema(fields.name, "inputSchema", fields.inputSchema ?? { type: "object" })
    : zodJsonSchema(fields.name, "input", input, "input");
  if (typeof inputSchema !== "object" || !describesObjects(inputSchema)) {
    throw invalid(
      `tool \`${fields.name}\`: the input schema must describe a JSON object (function tools take an object of ` +
        `arguments); use \`kind: "freeform"\` for a tool that takes a raw string`,
    );
  }
  const definition: ToolDefinition = Object.freeze({ ...base, kind: "function", inputSchema });
  if (fields.needsApproval !== false) approvals.set(definition, fields.needsApproval);
  preparers.set(definition, (toolName, resultKind) => {
    const run = checkedRun(fields, toolName, resultKind);
    const bind = input === undefined
      ? bindJsonSchema(compileJsonSchema(fields.name, inputSchema), run)
      : bindZod(compileZodValidator(input), run);
    return async (args) => {
      const object = args === undefined ? {} : args;
      if (!isRecord(object)) return { ok: false, error: toolExpectsJsonObject(toolName) };
      const bound = await bind(object);
      return bound.ok ? bound : { ok: false, error: renderArgumentFailure(toolName, bound.error) };
    };
  });
  return definition;
}

/**
 * Compiles the argument check of a definition made by {@link defineTool}, for a session where it is called
 * `toolName` (its normalized global name, used in error messages). Throws `CodecellError("invalid_tool")` when
 * `definition` did not come from `defineTool` or its JSON Schema cannot be compiled.
 */
export function prepareTool(definition: ToolDefinition, toolName: string): PreparedTool {
  const prepare = preparers.get(definition);
  if (!prepare) throw invalid(`tool \`${toolName}\` was not created by defineTool`);
  return prepare(toolName, definition.resultKind);
}

/**
 * The same tool with another result kind. MCP bridges use `"mcp"`: the tool then resolves with a whole MCP
 * `CallToolResult`, its `outputSchema` describes the result's `structuredContent`, and its declaration reads
 * `Promise<CallToolResult<...>>` (or `Promise<CallToolResult>` without an output schema). Throws
 * `CodecellError("invalid_tool")` when `definition` did not come from `defineTool`.
 *
 * @example
 * ```ts
 * const search = withResultKind(defineTool({
 *   name: "search",
 *   namespace: "mcp__docs",
 *   inputSchema: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
 *   run: () => ({ content: [{ type: "text", text: "no results" }] }),
 * }), "mcp");
 * // declare const tools: { mcp__docs__search(args: { query: string; }): Promise<CallToolResult>; };
 * ```
 */
export function withResultKind(definition: ToolDefinition, resultKind: ToolResultKind): ToolDefinition {
  const prepare = preparers.get(definition);
  if (!prepare) throw invalid(`tool \`${String(definition?.name)}\` was not created by defineTool`);
  if (definition.resultKind === resultKind) return definition;
  const changed: ToolDefinition = Object.freeze({ ...definition, resultKind });
  preparers.set(changed, prepare);
  const needsApproval = approvals.get(definition);
  if (needsApproval !== undefined) approvals.set(changed, needsApproval);
  return changed;
}

/**
 * The same tool with another approval rule (see `needsApproval` in {@link defineTool}); `false` removes it. For
 * tools defined elsewhere, such as MCP tools a host wants to confirm. Throws `CodecellError("invalid_tool")` when
 * `definition` did not come from `defineTool`.
 *
 * @example
 * ```ts
 * const remove = withApproval(defineTool({ name: "delete_file", run: () => "deleted" }), true);
 * ```
 */
export function withApproval(definition: ToolDefinition, needsApproval: NeedsApproval<unknown>): ToolDefinition {
  const prepare = preparers.get(definition);
  if (!prepare) throw invalid(`tool \`${String(definition?.name)}\` was not created by defineTool`);
  const checked = checkNeedsApproval(`tool \`${definition.name}\``, needsApproval, undefined);
  const changed: ToolDefinition = Object.freeze({ ...definition });
  preparers.set(changed, prepare);
  if (checked !== false) approvals.set(changed, checked);
  return changed;
}

/** Whether calls of a tool made by {@link defineTool} need the host's approval (`false` when they never do). */
export function approvalOf(definition: ToolDefinition): NeedsApproval<unknown> {
  return approvals.get(definition) ?? false;
}

/** Whether `value` was returned by {@link defineTool}. */
export function isToolDefinition(value: unknown): value is ToolDefinition {
  return typeof value === "object" && value !== null && preparers.has(value);
}

// Kept off the public object: how a definition validates and runs is the registry's business, not the host's.
const preparers = new WeakMap<object, (toolName: string, resultKind: ToolResultKind) => PreparedTool>();
/** The approval rule of the definitions that have one. */
const approvals = new WeakMap<object, NeedsApproval<unknown>>();

// ---------------------------------------------------------------------------------------------------------------
// Checking results

/**
 * The handler, with its result checked against the tool's output schema (`output` with zod, `outputSchema` as JSON
 * Schema): a result that does not match rejects the call with what is wrong (docs/contract.md §5). An MCP tool's
 * output schema describes only its result's `structuredContent`, which its server answers for: not checked here.
 */
function checkedRun(fields: Fields, toolName: string, resultKind: ToolResultKind): Fields["run"] {
  const check = resultKind === "json" ? outputCheck(fields) : undefined;
  if (check === undefined) return fields.run;
  return async (input, ctx) => {
    const result = await fields.run(input, ctx);
    const checked = await check(result);
    if (!checked.ok) throw new Error(toolResultInvalid(toolName, checked.error));
    return result;
  };
}

function outputCheck(fields: Fields): ((value: unknown) => Promise<Validation<unknown>>) | undefined {
  if (fields.output !== undefined) return compileZodValidator(fields.output);
  const schema = fields.outputSchema;
  if (schema === undefined) return undefined;
  let validate: (value: unknown) => Validation<unknown>;
  try {
    validate = compileJsonSchemaValidator<unknown>(schema);
  } catch (error) {
    throw invalid(`tool \`${fields.name}\`: \`outputSchema\` cannot be compiled: ${messageOf(error)}`);
  }
  return (value) => Promise.resolve(validate(value));
}

// ---------------------------------------------------------------------------------------------------------------
// Checking the definition

/** The fields of a definition, type-checked at run time (JavaScript callers and `any` skip the static types). */
interface Fields {
  name: string;
  description: string;
  namespace: string | undefined;
  kind: ToolKind;
  input: z.core.$ZodType | undefined;
  inputSchema: JsonSchemaObject | undefined;
  output: z.core.$ZodType | undefined;
  outputSchema: JsonSchema | undefined;
  /** The handler; the static input type belongs to the overload that was used, so it is checked by validation. */
  run: (input: unknown, ctx: ToolContext) => unknown;
  needsApproval: NeedsApproval<unknown>;
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  "name",
  "description",
  "namespace",
  "kind",
  "input",
  "inputSchema",
  "output",
  "outputSchema",
  "run",
  "needsApproval",
]);

function checkFields(spec: unknown): Fields {
  if (!isRecord(spec)) throw invalid("defineTool expects an object with at least `name` and `run`");
  const { name, description, namespace, kind, input, inputSchema, output, outputSchema, run, needsApproval } = spec;
  if (typeof name !== "string" || name === "") throw invalid("a tool needs a non-empty string `name`");
  const label = `tool \`${name}\``;
  const unknownField = Object.keys(spec).find((key) => !KNOWN_FIELDS.has(key));
  if (unknownField !== undefined) {
    throw invalid(`${label} has an unknown field \`${unknownField}\` (known: ${[...KNOWN_FIELDS].join(", ")})`);
  }
  if (typeof run !== "function") throw invalid(`${label} needs a \`run\` function`);
  if (description !== undefined && typeof description !== "string") {
    throw invalid(`${label}: \`description\` must be a string`);
  }
  if (namespace !== undefined && (typeof namespace !== "string" || namespace === "")) {
    throw invalid(`${label}: \`namespace\` must be a non-empty string`);
  }
  if (kind !== undefined && kind !== "function" && kind !== "freeform") {
    throw invalid(`${label}: \`kind\` must be "function" or "freeform"`);
  }
  if (input !== undefined && !isZodSchema(input)) throw invalid(`${label}: \`input\` must be a zod schema`);
  if (output !== undefined && !isZodSchema(output)) throw invalid(`${label}: \`output\` must be a zod schema`);
  if (inputSchema !== undefined && !isRecord(inputSchema)) {
    throw invalid(`${label}: \`inputSchema\` must be a JSON Schema object`);
  }
  if (outputSchema !== undefined && typeof outputSchema !== "boolean" && !isRecord(outputSchema)) {
    throw invalid(`${label}: \`outputSchema\` must be a JSON Schema (an object or a boolean)`);
  }
  if (output !== undefined && outputSchema !== undefined) {
    throw invalid(`${label} has both \`output\` (zod) and \`outputSchema\` (JSON Schema); keep one`);
  }
  return {
    name,
    description: description ?? "",
    namespace,
    kind: kind ?? "function",
    input,
    inputSchema,
    output,
    outputSchema,
    // Called on the spec, so a handler written as a method keeps its `this`.
    run: (input, ctx) => Reflect.apply(run, spec, [input, ctx]),
    needsApproval: checkNeedsApproval(label, needsApproval, spec),
  };
}

/** `needsApproval` as given (absent: `false`); a predicate is called on `owner`, like `run`. */
function checkNeedsApproval(label: string, needsApproval: unknown, owner: unknown): NeedsApproval<unknown> {
  if (needsApproval === undefined) return false;
  if (typeof needsApproval === "boolean") return needsApproval;
  if (typeof needsApproval !== "function") {
    throw invalid(`${label}: \`needsApproval\` must be a boolean or a function of the arguments`);
  }
  return (args) => Reflect.apply(needsApproval, owner, [args]);
}

function outputJsonSchema(fields: Fields): JsonSchema | undefined {
  if (fields.output !== undefined) return zodJsonSchema(fields.name, "output", fields.output, "output");
  if (fields.outputSchema !== undefined) return copyJsonSchema(fields.name, "outputSchema", fields.outputSchema);
  return undefined;
}

/**
 * The JSON form of a zod schema, as the declaration and MCP clients need it. Types JSON Schema cannot express
 * (`z.date()`, `z.custom()`) become `{}` (`unknown` in the declaration) rather than an error: zod still checks them.
 */
function zodJsonSchema(
  toolName: string,
  field: "input" | "output",
  schema: z.core.$ZodType,
  io: "input" | "output",
): JsonSchema {
  let converted: unknown;
  try {
    converted = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  } catch (error) {
    throw invalid(`tool \`${toolName}\`: \`${field}\` cannot be converted to JSON Schema: ${messageOf(error)}`);
  }
  if (typeof converted === "boolean") return converted;
  if (!isRecord(converted)) throw invalid(`tool \`${toolName}\`: \`${field}\` did not convert to a JSON Schema`);
  const { $schema: _dialect, ...rest } = converted;
  return rest;
}

/** A private copy, so later changes to the caller's object cannot desynchronize declaration and validation. */
function copyJsonSchema(toolName: string, field: string, schema: JsonSchema): JsonSchema {
  try {
    return structuredClone(schema);
  } catch (error) {
    throw invalid(`tool \`${toolName}\`: \`${field}\` must be plain JSON: ${messageOf(error)}`);
  }
}

/** Whether a schema's top-level `type` (when it has one) admits objects. */
function describesObjects(schema: JsonSchemaObject): boolean {
  const { type } = schema;
  if (type === undefined) return true;
  return type === "object" || (Array.isArray(type) && type.includes("object"));
}

function compileJsonSchema(name: string, schema: JsonSchemaObject) {
  try {
    return compileJsonSchemaValidator(schema);
  } catch (error) {
    throw invalid(`tool \`${name}\`: \`inputSchema\` cannot be compiled: ${messageOf(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Binding validated arguments to the handler

function bindJsonSchema(
  validate: (args: ToolArguments) => Validation<ToolArguments>,
  run: Fields["run"],
): (args: ToolArguments) => Validation<ToolInvocation> {
  return (args) => {
    const checked = validate(args);
    return checked.ok ? { ok: true, value: { args: checked.value, run: (ctx) => run(checked.value, ctx) } } : checked;
  };
}

function bindZod<T>(
  validate: (args: unknown) => Promise<Validation<T>>,
  run: Fields["run"],
): (args: ToolArguments) => Promise<Validation<ToolInvocation>> {
  return async (args) => {
    const checked = await validate(args);
    return checked.ok ? { ok: true, value: { args: checked.value, run: (ctx) => run(checked.value, ctx) } } : checked;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Guards

/** zod 4 schemas (classic and mini) carry their traits; `instanceof` checks them, across zod copies too. */
function isZodSchema(value: unknown): value is z.core.$ZodType {
  return value instanceof z.core.$ZodType;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalid(message: string): CodecellError {
  return new CodecellError("invalid_tool", message);
}
