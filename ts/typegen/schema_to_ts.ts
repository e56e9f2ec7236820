/**
 * JSON Schema → TypeScript type text, for the tool declarations the model reads (docs/contract.md §5 and §7 "Declarations").
 *
 * Handles the shapes zod 4's `z.toJSONSchema` and MCP servers produce (drafts 2020-12, 2019-09 and 07). Unknown
 * keywords are ignored, so any schema renders to *some* valid type; `unknown` is the fallback.
 */
import { isRecord, pointerSegments, type Resolved, resolveSegments } from "../schema/json.ts";
import { normalizeToolName } from "../tools/normalize.ts";

/** A rendered type together with the `type X = ...;` lines it refers to. */
export interface TsWithAliases {
  /** The type expression. */
  type: string;
  /** One `type X = ...;` declaration per recursive definition, in the order they were first referenced. */
  aliases: string[];
}

/** Options for {@link schemaToTsWithAliases}. */
export interface AliasOptions {
  /**
   * Type names already in scope. Chosen alias names avoid them and are added to the set, so rendering every schema
   * that ends up in one file (a tool's input and output, all tools of a session) with one shared set keeps every
   * alias distinct.
   */
  taken?: Set<string>;
}

/** Renders a JSON Schema (draft 2020-12 / 2019-09 / 07 shapes, as produced by zod 4's z.toJSONSchema and by MCP servers) as a TypeScript type expression. */
export function schemaToTs(schema: unknown): string {
  // A lone expression cannot declare aliases: a recursive definition is expanded once and its inner self-references
  // become `unknown`. Use schemaToTsWithAliases to keep the recursion.
  const graph = new RefGraph(schema);
  const ctx: Ctx = { ...topContext(schema, graph), aliases: undefined };
  if (isRecord(schema) && graph.isRecursive(schema)) {
    return text(render(schema, { ...ctx, inRecursive: true, expanding: new Set([schema]) }));
  }
  return text(render(schema, ctx));
}

/**
 * Renders a JSON Schema like {@link schemaToTs}, but a recursive `$ref` (a definition that refers to itself,
 * directly or through others, including `"$ref": "#"`) becomes a named alias, declared in `aliases`. Non-recursive
 * refs are inlined; a `$ref` that does not resolve inside the schema renders `unknown`.
 */
export function schemaToTsWithAliases(schema: unknown, options: AliasOptions = {}): TsWithAliases {
  const graph = new RefGraph(schema);
  const aliases = new AliasTable(options.taken ?? new Set());
  const ctx: Ctx = { ...topContext(schema, graph), aliases };
  const type = isRecord(schema) && graph.isRecursive(schema)
    ? text(aliasReference(schema, "#", ctx))
    : text(render(schema, ctx));
  return { type, aliases: aliases.declarations() };
}

/** `declare const tools: { <name>(args: <input>): Promise<<output>>; };` for one tool. inputTs/outputTs are already rendered type texts. Freeform (string-input) tools render `<name>(input: string)`. */
export function toolDeclaration(
  name: string,
  input: { kind: "function"; ts: string } | { kind: "freeform" },
  outputTs: string,
): string {
  const parameter = input.kind === "freeform" ? "input: string" : `args: ${input.ts}`;
  return `declare const tools: { ${normalizeToolName(name)}(${parameter}): Promise<${outputTs}>; };`;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Everything a sub-render needs; copied with changes on the way down, never mutated (except the alias table). */
interface Ctx {
  readonly root: unknown;
  readonly graph: RefGraph;
  /** Where recursive definitions are declared; `undefined` when rendering one self-contained expression. */
  readonly aliases: AliasTable | undefined;
  /** Object nesting depth, for the indentation of multi-line objects. */
  readonly level: number;
  /**
   * True where TypeScript resolves a type reference eagerly (the top of an alias body, union and intersection
   * members, a tuple with a rest element): an alias referenced there must not lead back to the alias being declared.
   */
  readonly bare: boolean;
  /** The definition whose alias body is being rendered. */
  readonly alias: object | undefined;
  /** Definitions being inlined on the current path: a cycle guard that holds even if the ref graph missed an edge. */
  readonly expanding: ReadonlySet<object>;
  /** Without aliases: a recursive definition is being expanded, so any further recursive ref renders `unknown`. */
  readonly inRecursive: boolean;
}

function topContext(root: unknown, graph: RefGraph): Omit<Ctx, "aliases"> {
  return { root, graph, level: 0, bare: false, alias: undefined, expanding: new Set(), inRecursive: false };
}

/**
 * Renders a schema as its union members (one member unless the type is a union). Keeping the members apart lets
 * callers parenthesize unions inside intersections and optional tuple elements, and avoid a duplicate `null`.
 */
function render(schema: unknown, ctx: Ctx): string[] {
  if (schema === true) return ["unknown"];
  if (schema === false) return ["never"];
  if (!isRecord(schema)) return ["unknown"];
  const members = renderKeywords(schema, ctx);
  // OpenAPI's `nullable: true`.
  if (schema.nullable === true && !members.includes("null")) return [...members, "null"];
  return members;
}

function text(members: string[]): string {
  return members.join(" | ");
}

function renderKeywords(schema: Record<string, unknown>, ctx: Ctx): string[] {
  if (Object.hasOwn(schema, "const")) return [literal(schema.const)];
  if (Array.isArray(schema.enum)) return schema.enum.length > 0 ? schema.enum.map(literal) : ["never"];
  // Every applicable keyword constrains the value, so their types intersect.
  const parts: string[][] = [];
  if (typeof schema.$ref === "string") parts.push(renderRef(schema.$ref, ctx));
  const structural = renderStructure(schema, ctx);
  if (structural) parts.push(structural);
  for (const key of ["anyOf", "oneOf"]) {
    const variants = schema[key];
    if (Array.isArray(variants) && variants.length > 0) parts.push(variants.flatMap((v) => render(v, ctx)));
  }
  if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.map((member) => render(member, ctx)));
  return intersect(parts);
}

/** Joins intersected parts; `unknown` parts add nothing once there are others. */
function intersect(parts: string[][]): string[] {
  if (parts.length === 1) return parts[0];
  const informative = parts.filter((members) => !members.includes("unknown"));
  if (informative.length === 0) return ["unknown"];
  if (informative.length === 1) return informative[0];
  return [informative.map((members) => members.length > 1 ? `(${text(members)})` : members[0]).join(" & ")];
}

/** The type implied by `type` (or, without it, by object or array keywords); `undefined` when there is none. */
function renderStructure(schema: Record<string, unknown>, ctx: Ctx): string[] | undefined {
  const type = schema.type;
  if (typeof type === "string") return [renderType(type, schema, ctx)];
  if (Array.isArray(type)) {
    const names = [...new Set(type.filter(isString))];
    if (names.length > 0) return names.map((name) => renderType(name, schema, ctx));
  }
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return [renderObject(schema, ctx)];
  if (schema.items !== undefined || schema.prefixItems !== undefined) return [renderArray(schema, ctx)];
  return undefined;
}

function renderType(type: string, schema: Record<string, unknown>, ctx: Ctx): string {
  switch (type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return renderArray(schema, ctx);
    case "object":
      return renderObject(schema, ctx);
    default:
      return "unknown";
  }
}

function renderArray(schema: Record<string, unknown>, ctx: Ctx): string {
  if (Array.isArray(schema.prefixItems)) return renderTuple(schema.prefixItems, schema.items, schema, ctx);
  // Draft 07 tuples: `items` is an array and `additionalItems` describes the rest.
  if (Array.isArray(schema.items)) return renderTuple(schema.items, schema.additionalItems, schema, ctx);
  if (schema.items === undefined) return "Array<unknown>";
  if (schema.items === false) return "[]";
  // TypeScript resolves Array<T> lazily: recursion through it is fine.
  return `Array<${text(render(schema.items, { ...ctx, bare: false }))}>`;
}

function renderTuple(elements: unknown[], rest: unknown, schema: Record<string, unknown>, ctx: Ctx): string {
  const hasRest = rest !== undefined && rest !== false;
  // A tuple with a `...Array<T>` rest is resolved eagerly by TypeScript, its elements included, so they keep the
  // bare flag of the tuple itself; plain tuple elements are resolved lazily.
  const element: Ctx = hasRest ? ctx : { ...ctx, bare: false };
  // zod gives optional trailing elements as a `minItems` below the element count.
  const required = typeof schema.minItems === "number" ? schema.minItems : elements.length;
  const parts = elements.map((item, index) => {
    const members = render(item, element);
    if (index < required) return text(members);
    return members.length > 1 ? `(${text(members)})?` : `${members[0]}?`;
  });
  if (hasRest) parts.push(`...Array<${text(render(rest, ctx))}>`);
  return `[${parts.join(", ")}]`;
}

/** One member of an object type: its comment lines and its `name: T;` text. */
interface Member {
  comment: string[];
  text: string;
}

function renderObject(schema: Record<string, unknown>, ctx: Ctx): string {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const names = Object.keys(properties).sort();
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter(isString) : []);
  const inner: Ctx = { ...ctx, level: ctx.level + 1, bare: false };
  const members: Member[] = names.map((name) => ({
    comment: descriptionComment(properties[name]),
    text: `${propertyKey(name)}${required.has(name) ? "" : "?"}: ${text(render(properties[name], inner))};`,
  }));
  const index = indexSignature(schema.additionalProperties, names.length > 0, inner);
  if (index !== undefined) members.push({ comment: [], text: `[key: string]: ${index};` });
  if (members.length === 0) return "{}";
  const multiLine = members.some((member) => member.comment.length > 0 || member.text.includes("\n"));
  if (!multiLine) return `{ ${members.map((member) => member.text).join(" ")} }`;
  const pad = "  ".repeat(ctx.level + 1);
  const lines = members.flatMap((member) => [...member.comment, member.text].map((line) => pad + line));
  return ["{", ...lines, "  ".repeat(ctx.level) + "}"].join("\n");
}

/** The index signature's value type, or `undefined` for none (docs/contract.md §7 "Declarations"). */
function indexSignature(additional: unknown, hasProperties: boolean, ctx: Ctx): string | undefined {
  if (additional === false) return undefined;
  // JSON Schema objects are open by default, but listing properties is taken as describing the whole object.
  if (additional === undefined) return hasProperties ? undefined : "unknown";
  // TypeScript requires every property, optional ones included, to fit the index type (TS2411).
  if (additional === true || hasProperties) return "unknown";
  return text(render(additional, ctx));
}

/** `// ` lines for a property's description: one per line, blank edges dropped, `*\/` escaped. */
function descriptionComment(schema: unknown): string[] {
  if (!isRecord(schema) || typeof schema.description !== "string") return [];
  // U+2028/U+2029 end a `//` comment in JavaScript too.
  const lines = schema.description.split(/\r\n|[\n\r\u2028\u2029]/).map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line === "" ? "//" : `// ${escapeCommentEnd(line)}`);
}

function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : escapeCommentEnd(JSON.stringify(name));
}

/** A `const`/`enum` value as a literal type; JSON text is valid type syntax (objects, arrays and all). */
function literal(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return "unknown"; // BigInt or a cycle: cannot come from JSON, but the argument is `unknown`.
  }
  return json === undefined ? "unknown" : escapeCommentEnd(json);
}

/**
 * Declarations may be embedded in block comments, so `*\/` never appears in them: in comments and in string
 * literals alike, `*\/` (a valid escape for `/` in a string) replaces it.
 */
function escapeCommentEnd(value: string): string {
  return value.replaceAll("*/", "*\\/");
}

// ---------------------------------------------------------------------------------------------------------------
// $ref

function renderRef(ref: string, ctx: Ctx): string[] {
  const resolved = resolvePointer(ctx.root, ref);
  if (!resolved.found) return ["unknown"];
  const target = resolved.value;
  if (!isRecord(target)) return render(target, ctx);
  if (ctx.graph.isRecursive(target)) {
    if (ctx.aliases) return aliasReference(target, ref, ctx);
    if (ctx.inRecursive || ctx.expanding.has(target)) return ["unknown"];
    return render(target, { ...ctx, inRecursive: true, expanding: new Set([...ctx.expanding, target]) });
  }
  if (ctx.expanding.has(target)) return ["unknown"];
  return render(target, { ...ctx, expanding: new Set([...ctx.expanding, target]) });
}

/** The alias name of a recursive definition, declaring the alias on first use. */
function aliasReference(target: Record<string, unknown>, ref: string, ctx: Ctx): string[] {
  const aliases = ctx.aliases;
  if (!aliases) return ["unknown"];
  // `type A = A | string` (or A = B, B = A) is a TypeScript error: cut a reference that would close such a loop.
  if (ctx.bare && ctx.alias && ctx.graph.reachesBare(target, ctx.alias)) return ["unknown"];
  const existing = aliases.nameOf(target);
  if (existing !== undefined) return [existing];
  const name = aliases.reserve(target, aliasBaseName(ref));
  const body: Ctx = { ...ctx, level: 0, bare: true, alias: target, expanding: new Set([target]) };
  aliases.define(name, `type ${name} = ${text(render(target, body))};`);
  return [name];
}

/** Alias names for recursive definitions, unique among themselves and the caller's `taken` names. */
class AliasTable {
  readonly #names = new Map<object, string>();
  // Insertion order = order of first reference, so the output is deterministic.
  readonly #declarations = new Map<string, string>();
  readonly #taken: Set<string>;

  constructor(taken: Set<string>) {
    this.#taken = taken;
  }

  nameOf(target: object): string | undefined {
    return this.#names.get(target);
  }

  /** Picks a free name before the body is rendered, so references inside the body already find it. */
  reserve(target: object, base: string): string {
    let name = base;
    for (let n = 2; isReservedTypeName(name) || this.#taken.has(name); n++) name = `${base}_${n}`;
    this.#taken.add(name);
    this.#names.set(target, name);
    this.#declarations.set(name, "");
    return name;
  }

  define(name: string, declaration: string): void {
    this.#declarations.set(name, declaration);
  }

  declarations(): string[] {
    return [...this.#declarations.values()];
  }
}

/** An identifier from the last segment of a `$ref` (`#/$defs/Tree node` → `Tree_node`; `#` → `Root`). */
function aliasBaseName(ref: string): string {
  const segments = pointerSegments(ref);
  const last = segments && segments.length > 0 ? segments[segments.length - 1] : "Root";
  const name = last.replace(/[^A-Za-z0-9_$]/g, "_");
  if (name === "") return "_";
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** What a same-document `$ref` (`#`, `#/$defs/X`) points to; `#anchor` and other documents are not supported. */
function resolvePointer(root: unknown, ref: string): Resolved {
  const segments = ref.startsWith("#") ? pointerSegments(ref) : undefined;
  return segments === undefined ? { found: false } : resolveSegments(root, segments);
}

/** A `$ref` found while walking a schema: the definition it points to, and whether it sits in a bare position. */
interface Edge {
  target: object;
  bare: boolean;
}

/**
 * The graph of same-document `$ref`s between definitions (the root counts as one, for `"$ref": "#"`). It tells
 * which definitions are recursive and which references would make a type alias circular.
 */
class RefGraph {
  readonly #root: unknown;
  readonly #edges = new Map<object, Edge[]>();
  readonly #reach = new Map<object, Set<object>>();
  readonly #bareReach = new Map<object, Set<object>>();
  readonly #recursive = new Map<object, boolean>();

  constructor(root: unknown) {
    this.#root = root;
  }

  /** Whether `target` can reach itself through `$ref`s. */
  isRecursive(target: object): boolean {
    let recursive = this.#recursive.get(target);
    if (recursive === undefined) {
      recursive = this.#edgesOf(target).some((edge) => this.#closure(edge.target, false).has(target));
      this.#recursive.set(target, recursive);
    }
    return recursive;
  }

  /** Whether `to` is `from` or reachable from it through bare references only. */
  reachesBare(from: object, to: object): boolean {
    return this.#closure(from, true).has(to);
  }

  #edgesOf(node: object): Edge[] {
    let edges = this.#edges.get(node);
    if (!edges) {
      edges = [];
      collectEdges(node, true, this.#root, edges);
      this.#edges.set(node, edges);
    }
    return edges;
  }

  /** Everything reachable from `start`, itself included. */
  #closure(start: object, bareOnly: boolean): Set<object> {
    const memo = bareOnly ? this.#bareReach : this.#reach;
    const cached = memo.get(start);
    if (cached) return cached;
    const seen = new Set<object>([start]);
    const stack = [start];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      for (const edge of this.#edgesOf(node)) {
        if ((bareOnly && !edge.bare) || seen.has(edge.target)) continue;
        seen.add(edge.target);
        stack.push(edge.target);
      }
    }
    memo.set(start, seen);
    return seen;
  }
}

/**
 * Collects the `$ref`s the renderer may follow in `schema`, without following them. It must visit every keyword
 * `render` descends into (extra edges only make the output more cautious), with the same bare positions.
 */
function collectEdges(schema: unknown, bare: boolean, root: unknown, out: Edge[]): void {
  if (!isRecord(schema)) return;
  if (typeof schema.$ref === "string") {
    const resolved = resolvePointer(root, schema.$ref);
    if (resolved.found && isRecord(resolved.value)) out.push({ target: resolved.value, bare });
  }
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const members = schema[key];
    if (Array.isArray(members)) { for (const member of members) collectEdges(member, bare, root, out); }
  }
  if (isRecord(schema.properties)) {
    for (const property of Object.values(schema.properties)) collectEdges(property, false, root, out);
  }
  collectEdges(schema.additionalProperties, false, root, out);
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : undefined;
  const elements = prefix ?? (Array.isArray(schema.items) ? schema.items : undefined);
  if (!elements) {
    collectEdges(schema.items, false, root, out);
    return;
  }
  // Tuples: the same bare positions as renderTuple.
  const rest = prefix ? schema.items : schema.additionalItems;
  const elementBare = rest !== undefined && rest !== false ? bare : false;
  for (const element of elements) collectEdges(element, elementBare, root, out);
  collectEdges(rest, bare, root, out);
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/** ASCII identifiers only, like the tool-name normalization of docs/contract.md §5. */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Contract §5: each character that is not `_`, `$` or an ASCII letter (or, after the first, digit) becomes `_`. */

/**
 * Names an alias must not take: TypeScript keywords and predefined types, and the global types of the ES library
 * (a session's declarations are a global script checked with `lib: ["esnext"]`, where `type Map = ...` clashes).
 */
const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set(words(`
  abstract accessor any as asserts async await bigint boolean break case catch class const constructor continue
  debugger declare default delete do else enum export extends false finally for from function get global if
  implements import in infer instanceof interface intrinsic is keyof let module namespace never new null number
  object of out override package private protected public readonly require return satisfies set static string
  super switch symbol this throw true try type typeof undefined unique unknown using var void while with yield

  AggregateError Array ArrayBuffer AsyncDisposableStack Atomics BigInt BigInt64Array BigUint64Array Boolean
  DataView Date DisposableStack Error EvalError FinalizationRegistry Float16Array Float32Array Float64Array
  Function Infinity Int16Array Int32Array Int8Array Intl Iterator JSON Map Math NaN Number Object Promise Proxy
  RangeError ReferenceError Reflect RegExp Set SharedArrayBuffer String SuppressedError Symbol SyntaxError
  Temporal TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakRef WeakSet

  ArrayBufferLike ArrayBufferTypes ArrayBufferView ArrayIterator ArrayLike AsyncDisposable AsyncGenerator
  AsyncGeneratorFunction AsyncIterable AsyncIterableIterator AsyncIterator AsyncIteratorObject Awaited
  BuiltinIteratorReturn CallableFunction Capitalize ClassDecorator ConcatArray ConstructorParameters
  DecoratorContext DecoratorMetadata DecoratorMetadataObject Disposable Exclude Extract Generator
  GeneratorFunction IArguments ImportAttributes ImportCallOptions ImportMeta InstanceType Iterable
  IterableIterator IteratorObject IteratorResult IteratorReturnResult IteratorYieldResult Lowercase
  MapIterator MethodDecorator NewableFunction NoInfer NonNullable Omit OmitThisParameter ParameterDecorator
  Parameters Partial Pick PromiseConstructorLike PromiseFulfilledResult PromiseLike PromiseRejectedResult
  PromiseSettledResult PromiseWithResolvers PropertyDecorator PropertyDescriptor PropertyDescriptorMap
  PropertyKey ProxyHandler Readonly ReadonlyArray ReadonlyMap ReadonlySet Record RegExpExecArray
  RegExpMatchArray RegExpStringIterator Required ReturnType SetIterator StringIterator TemplateStringsArray
  ThisParameterType ThisType TypedPropertyDescriptor Uncapitalize Uppercase WeakKey WeakKeyTypes

  Console
`));

/** Whether an alias may not be called `name` (`MapConstructor` and the like included). */
function isReservedTypeName(name: string): boolean {
  const constructorOf = name.endsWith("Constructor") ? name.slice(0, -"Constructor".length) : undefined;
  return RESERVED_TYPE_NAMES.has(name) || (constructorOf !== undefined && RESERVED_TYPE_NAMES.has(constructorOf));
}

function words(list: string): string[] {
  return list.trim().split(/\s+/);
}

// ---------------------------------------------------------------------------------------------------------------
// Guards


function isString(value: unknown): value is string {
  return typeof value === "string";
}
