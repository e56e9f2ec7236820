/**
 * Argument validation for nested tools, before their handler runs (issue 4 item 1, contract §7 "Over MCP").
 *
 * Both validators produce the same report: one message that names the tool and lists each issue with its path,
 *
 * ```text
 * invalid arguments for tool `echo`:
 * - message: expected string, received number
 * - order_id: missing required property
 * ```
 *
 * so the model reads the same wording whether a tool was declared with zod or with a plain JSON Schema.
 *
 * @module
 */
import { type OutputUnit, type SchemaDraft, Validator } from "@cfworker/json-schema";
import { z } from "zod";

/** A JSON Schema object (any draft). Boolean schemas are {@link JsonSchema}. */
export type JsonSchemaObject = { readonly [keyword: string]: unknown };

/** A JSON Schema: an object, or `true` (anything) / `false` (nothing). */
export type JsonSchema = boolean | JsonSchemaObject;

/** Arguments of a function tool once validated: a JSON object. */
export type ToolArguments = { [key: string]: unknown };

/** The outcome of validating a tool's arguments; never thrown. */
export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

/** A path inside the arguments, as zod reports it (numbers index arrays). */
export type IssuePath = readonly PropertyKey[];

/** One problem with the arguments: where, and what was expected. */
export interface ArgumentIssue {
  path: IssuePath;
  expectation: string;
}

/**
 * Compiles a validator for a zod input schema. The value it returns is zod's parsed output (defaults applied,
 * transforms run). Async refinements are supported, hence the promise.
 */
export function compileZodValidator<S extends z.core.$ZodType>(
  toolName: string,
  schema: S,
): (args: unknown) => Promise<Validation<z.output<S>>> {
  return async (args) => {
    let parsed: z.ZodSafeParseResult<z.output<S>>;
    try {
      parsed = await z.safeParseAsync(schema, args, { error: jsonLikeWording });
    } catch (error) {
      // A refinement of the tool's own schema threw: still an answer for the cell, not a host crash.
      return { ok: false, message: cannotValidate(toolName, error) };
    }
    if (parsed.success) return { ok: true, value: parsed.data };
    const issues = parsed.error.issues.flatMap(expandUnrecognizedKeys);
    return { ok: false, message: invalidArguments(toolName, issues) };
  };
}

/**
 * Compiles a validator for a JSON Schema with `@cfworker/json-schema` (the draft named by `$schema`, 2020-12 by
 * default; every error, not just the first). Throws when the schema itself cannot be compiled (e.g. two
 * subschemas with the same `$id`); the schema is copied, because compiling annotates the objects it is given.
 */
export function compileJsonSchemaValidator(
  toolName: string,
  schema: JsonSchema,
): (args: ToolArguments) => Validation<ToolArguments> {
  const validator = new Validator(structuredClone(schema), draftOf(schema), false);
  return (args) => {
    let errors: OutputUnit[];
    try {
      errors = validator.validate(args).errors;
    } catch (error) {
      // Unresolvable `$ref`s and non-JSON values (`undefined`) throw instead of failing validation.
      return { ok: false, message: cannotValidate(toolName, error) };
    }
    if (errors.length === 0) return { ok: true, value: args };
    return { ok: false, message: invalidArguments(toolName, describeJsonSchemaErrors(errors, args)) };
  };
}

/** The report for invalid arguments; an issue at the root renders its path as `(root)`. */
export function invalidArguments(toolName: string, issues: readonly ArgumentIssue[]): string {
  const lines = issues.map((issue) => `- ${renderPath(issue.path)}: ${issue.expectation}`);
  return [`invalid arguments for tool \`${toolName}\`:`, ...new Set(lines)].join("\n");
}

/** `items[0].name`, `["content-type"]`, or `(root)` for the empty path. */
export function renderPath(path: IssuePath): string {
  if (path.length === 0) return "(root)";
  let rendered = "";
  for (const segment of path) {
    if (typeof segment === "number") rendered += `[${segment}]`;
    else if (typeof segment === "symbol") rendered += `[${String(segment)}]`;
    else if (IDENTIFIER.test(segment)) rendered += rendered === "" ? segment : `.${segment}`;
    else rendered += `[${JSON.stringify(segment)}]`;
  }
  return rendered;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function cannotValidate(toolName: string, error: unknown): string {
  return `could not validate the arguments of tool \`${toolName}\`: ${
    error instanceof Error ? error.message : String(error)
  }`;
}

// ---------------------------------------------------------------------------------------------------------------
// zod

/**
 * Per-parse wording for the common issues, in the words used for JSON Schema tools. Messages a tool author set on
 * the schema take precedence over this map (zod's rule); other issue codes keep zod's own wording.
 */
const jsonLikeWording: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      // Arguments arrive as JSON, where a missing property is the only way to get `undefined`.
      if (issue.input === undefined) return "missing required property";
      return `expected ${typeName(issue.expected)}, received ${jsonTypeOf(issue.input)}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `expected ${literalText(issue.values[0])}`
        : `expected one of [${issue.values.map(literalText).join(",")}]`;
    case "unrecognized_keys":
      return UNEXPECTED_PROPERTY; // one issue per key, see expandUnrecognizedKeys
    case "invalid_union":
      return unionWording(issue);
    default:
      return undefined;
  }
};

const UNEXPECTED_PROPERTY = "unexpected property";

function unionWording(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidUnion>): string {
  if (issue.inclusive === false) return `matches ${issue.matches.length} of the alternatives, expected exactly one`;
  if (issue.discriminator !== undefined && issue.options) {
    return `expected one of [${issue.options.map(literalText).join(",")}]`;
  }
  // Alternatives that differ only by type read best as one type union: `expected string or number, received boolean`.
  const expected: string[] = [];
  for (const branch of issue.errors) {
    const [only] = branch;
    if (branch.length !== 1 || only.code !== "invalid_type" || only.path.length > 0) {
      return "matches none of the allowed alternatives";
    }
    expected.push(typeName(only.expected));
  }
  return `expected ${[...new Set(expected)].join(" or ")}, received ${jsonTypeOf(issue.input)}`;
}

/** One issue per unexpected key, at the key's own path, as for JSON Schema's `additionalProperties: false`. */
function expandUnrecognizedKeys(issue: z.core.$ZodIssue): ArgumentIssue[] {
  if (issue.code === "unrecognized_keys" && issue.message === UNEXPECTED_PROPERTY) {
    return issue.keys.map((key) => ({ path: [...issue.path, key], expectation: UNEXPECTED_PROPERTY }));
  }
  return [{ path: issue.path, expectation: issue.message }];
}

/** zod's `int` is JSON Schema's `integer`. */
function typeName(expected: string): string {
  return expected === "int" ? "integer" : expected;
}

/** A literal as JSON writes it; `undefined` and BigInts (which JSON cannot write) as JavaScript does. */
function literalText(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  return JSON.stringify(value) ?? String(value);
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON Schema

function draftOf(schema: JsonSchema): SchemaDraft {
  const declared = typeof schema === "object" && typeof schema.$schema === "string" ? schema.$schema : "";
  if (declared.includes("draft-04")) return "4";
  if (declared.includes("draft-07") || declared.includes("draft-06")) return "7";
  if (declared.includes("2019-09")) return "2019-09";
  return "2020-12";
}

/**
 * Keywords whose error only says "something below failed"; the errors that follow it say what. (`dependencies`
 * is one only in its schema form, see {@link isWrapper}.)
 */
const WRAPPER_KEYWORDS: ReadonlySet<string> = new Set([
  "$ref",
  "$recursiveRef",
  "$dynamicRef",
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "allOf",
  "if",
  "dependentSchemas",
]);

/**
 * Keywords whose own error is the useful one: the errors that follow it, from inside its subschemas, describe
 * alternatives (`anyOf`, `oneOf`), items that merely did not match (`contains`), or the key string rather than
 * the value (`propertyNames`).
 */
const SUMMARY_KEYWORDS: ReadonlySet<string> = new Set(["anyOf", "oneOf", "contains", "propertyNames"]);

/** cfworker's errors (wrappers first, then leaves) reduced to one issue per actual problem. */
function describeJsonSchemaErrors(errors: readonly OutputUnit[], args: unknown): ArgumentIssue[] {
  const locations = subschemaLocations(errors);
  const issues: ArgumentIssue[] = [];
  for (let index = 0; index < errors.length; index++) {
    const error = errors[index];
    if (isWrapper(error)) continue;
    if (SUMMARY_KEYWORDS.has(error.keyword)) {
      const inside = `${locations[index]}/`;
      let end = index + 1;
      while (end < errors.length && locations[end].startsWith(inside)) end++;
      issues.push(describeSummary(error, errors.slice(index + 1, end), args));
      index = end - 1;
      continue;
    }
    issues.push(describeLeaf(error, args));
  }
  return issues;
}

function isWrapper(error: OutputUnit): boolean {
  if (WRAPPER_KEYWORDS.has(error.keyword)) return true;
  return error.keyword === "dependencies" && error.error.endsWith("does not match dependant schema.");
}

/**
 * Where each error's subschema sits. cfworker reports a `false` schema at the *instance* location; such an error
 * always follows the error of the keyword that applied it, so it is placed under that keyword instead.
 */
function subschemaLocations(errors: readonly OutputUnit[]): string[] {
  const locations: string[] = [];
  errors.forEach((error, index) => {
    locations.push(error.keyword === "false" && index > 0 ? `${locations[index - 1]}/false` : error.keywordLocation);
  });
  return locations;
}

function describeLeaf(error: OutputUnit, args: unknown): ArgumentIssue {
  const path = instancePath(error.instanceLocation, args);
  switch (error.keyword) {
    case "type": {
      const mismatch = parseTypeError(error.error);
      if (mismatch) {
        return { path, expectation: `expected ${mismatch.expected.join(" or ")}, received ${mismatch.received}` };
      }
      break;
    }
    case "required": {
      const key = /required property "(.*)"\.$/s.exec(error.error)?.[1];
      if (key !== undefined) return { path: [...path, key], expectation: "missing required property" };
      break;
    }
    case "const": {
      const expected = /^Instance does not match (.*)\.$/s.exec(error.error)?.[1];
      if (expected !== undefined) return { path, expectation: `expected ${expected}` };
      break;
    }
    case "enum": {
      const expected = /^Instance does not match any of (.*)\.$/s.exec(error.error)?.[1];
      if (expected !== undefined) return { path, expectation: `expected one of ${expected}` };
      break;
    }
    case "false":
      if (path.length === 0) return { path, expectation: "no value is allowed" };
      return {
        path,
        expectation: typeof path[path.length - 1] === "number" ? "unexpected item" : "unexpected property",
      };
  }
  return { path, expectation: sentenceFragment(error.error) };
}

function describeSummary(summary: OutputUnit, inside: readonly OutputUnit[], args: unknown): ArgumentIssue {
  const path = instancePath(summary.instanceLocation, args);
  if (summary.keyword === "anyOf" || (summary.keyword === "oneOf" && summary.error.includes("(0 matches)"))) {
    // Alternatives that differ only by type read best as one type union: `expected string or number, received boolean`.
    const leaves = inside.filter((error) => !isWrapper(error));
    const mismatches = leaves.map((error) =>
      error.instanceLocation === summary.instanceLocation && error.keyword === "type"
        ? parseTypeError(error.error)
        : undefined
    );
    if (mismatches.length > 0 && mismatches.every((mismatch) => mismatch !== undefined)) {
      const expected = [...new Set(mismatches.flatMap((mismatch) => mismatch?.expected ?? []))];
      return { path, expectation: `expected ${expected.join(" or ")}, received ${mismatches[0]?.received}` };
    }
    return { path, expectation: "matches none of the allowed alternatives" };
  }
  if (summary.keyword === "oneOf") {
    const matches = /\((\d+) matches\)/.exec(summary.error)?.[1] ?? "several";
    return { path, expectation: `matches ${matches} of the alternatives, expected exactly one` };
  }
  if (summary.keyword === "propertyNames") {
    const key = /^Property name "(.*)" does not match schema\.$/s.exec(summary.error)?.[1];
    if (key !== undefined) return { path, expectation: `property name ${JSON.stringify(key)} is not allowed` };
  }
  return { path, expectation: sentenceFragment(summary.error) };
}

/** `Instance type "number" is invalid. Expected "string", "null".` → `{ expected: ["string", "null"], received: "number" }`. */
function parseTypeError(text: string): { expected: string[]; received: string } | undefined {
  const match = /^Instance type "(\w+)" is invalid\. Expected (.*)\.$/s.exec(text);
  if (!match) return undefined;
  return { received: match[1], expected: match[2].split(", ").map((name) => name.replace(/^"|"$/g, "")) };
}

/** cfworker's sentences (`String is too short (1 < 3).`) as a fragment after the path: lower-case, no final period. */
function sentenceFragment(text: string): string {
  const fragment = text.endsWith(".") ? text.slice(0, -1) : text;
  return fragment.charAt(0).toLowerCase() + fragment.slice(1);
}

/**
 * The path of a cfworker instance location (`#/list/0/a~1b`): JSON Pointer segments, URI-encoded. Segments that
 * index an array in `args` become numbers, so they render as `[0]`.
 */
function instancePath(location: string, args: unknown): PropertyKey[] {
  const pointer = location.startsWith("#") ? location.slice(1) : location;
  if (pointer === "") return [];
  const path: PropertyKey[] = [];
  let value = args;
  for (const encoded of pointer.slice(1).split("/")) {
    const segment = decodeSegment(encoded);
    if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      path.push(Number(segment));
      value = value[Number(segment)];
    } else {
      path.push(segment);
      value = isRecord(value) ? value[segment] : undefined;
    }
  }
  return path;
}

function decodeSegment(encoded: string): string {
  let decoded = encoded;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    // Not percent-encoded after all: keep it as written.
  }
  return decoded.replaceAll("~1", "/").replaceAll("~0", "~");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
