/**
 * Validation of a nested tool's arguments, with zod or a JSON Schema. Failures come back as issue data (paths and
 * codes, see `ts/contract/arguments.ts`), never as text: the contract renders what the cell reads
 * (docs/contract.md §5).
 *
 * JSON Schema issues are read from `@cfworker/json-schema`'s keywords, keyword locations and instance locations,
 * with the limits looked up in the schema itself, so a rewording inside that library cannot change what a cell
 * reads.
 *
 * @module
 */
import { dereference, type OutputUnit, type Schema, type SchemaDraft, validate } from "@cfworker/json-schema";
import { z } from "zod";
import type { ArgumentFailure, ArgumentIssue, IssueDetail } from "../contract/arguments.ts";
import { isRecord, pointerSegments, resolveSegments } from "./json.ts";

/** A JSON Schema object (any draft). Boolean schemas are {@link JsonSchema}. */
export type JsonSchemaObject = { readonly [keyword: string]: unknown };

/** A JSON Schema: an object, or `true` (anything) / `false` (nothing). */
export type JsonSchema = boolean | JsonSchemaObject;

/** Arguments of a function tool once validated: a JSON object. */
export type ToolArguments = { [key: string]: unknown };

/** The outcome of validating a tool's arguments; never thrown. */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: ArgumentFailure };

/**
 * Compiles a validator for a zod input schema. The value it returns is zod's parsed output (defaults applied,
 * transforms run). Async refinements are supported, hence the promise.
 */
export function compileZodValidator<S extends z.core.$ZodType>(
  schema: S,
): (args: unknown) => Promise<Validation<z.output<S>>> {
  return async (args) => {
    let parsed: z.ZodSafeParseResult<z.output<S>>;
    try {
      parsed = await z.safeParseAsync(schema, args, { error: markIssue, reportInput: true });
    } catch (error) {
      // A refinement of the tool's own schema threw: still an answer for the cell, not a host crash.
      return { ok: false, error: { code: "cannot_validate", reason: messageOf(error) } };
    }
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, error: { code: "invalid", issues: parsed.error.issues.flatMap(zodIssues) } };
  };
}

/**
 * Compiles a validator for a JSON Schema with `@cfworker/json-schema` (the draft named by `$schema`, 2020-12 by
 * default; every error, not just the first). Throws when the schema itself cannot be compiled (e.g. two
 * subschemas with the same `$id`); the schema is copied, because compiling annotates the objects it is given.
 */
export function compileJsonSchemaValidator<T = ToolArguments>(schema: JsonSchema): (args: T) => Validation<T> {
  const copy = structuredClone(schema);
  if (!isSchema(copy)) throw new TypeError("a JSON Schema is an object or a boolean");
  const compiled: Compiled = { schema: copy, draft: draftOf(schema), lookup: dereference(copy) };
  return (args) => {
    let errors: OutputUnit[];
    try {
      errors = validate(args, compiled.schema, compiled.draft, compiled.lookup, false).errors;
    } catch (error) {
      // Unresolvable `$ref`s and non-JSON values (`undefined`) throw instead of failing validation.
      return { ok: false, error: { code: "cannot_validate", reason: messageOf(error) } };
    }
    if (errors.length === 0) return { ok: true, value: args };
    return { ok: false, error: { code: "invalid", issues: jsonSchemaIssues(errors, args, compiled) } };
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------------------
// zod

/**
 * Stands in for zod's message on the issues codecell renders itself. A message the tool author set on the schema
 * takes precedence over a per-parse error map (zod's rule), so such an issue keeps its own message.
 */
const RENDERED_BY_CODECELL = "\u0000codecell";

const markIssue: z.core.$ZodErrorMap = (issue) =>
  ["invalid_type", "invalid_value", "unrecognized_keys", "invalid_union"].includes(issue.code)
    ? RENDERED_BY_CODECELL
    : undefined;

function zodIssues(issue: z.core.$ZodIssue): ArgumentIssue[] {
  if (issue.message !== RENDERED_BY_CODECELL) return [{ path: issue.path, code: "message", text: issue.message }];
  switch (issue.code) {
    case "invalid_type":
      // Arguments arrive as JSON, where a missing property is the only way to get `undefined`.
      if (issue.input === undefined) return [{ path: issue.path, code: "missing" }];
      return [{
        path: issue.path,
        code: "type",
        expected: [typeName(issue.expected)],
        received: jsonTypeOf(issue.input),
      }];
    case "invalid_value":
      return [
        issue.values.length === 1
          ? { path: issue.path, code: "const", expected: issue.values[0] }
          : { path: issue.path, code: "enum", expected: issue.values },
      ];
    case "unrecognized_keys":
      // One issue per key, at the key's own path, as for JSON Schema's `additionalProperties: false`.
      return issue.keys.map((key) => ({ path: [...issue.path, key], code: "unexpected_property" }));
    case "invalid_union":
      return [{ path: issue.path, ...unionDetail(issue) }];
    default:
      return [{ path: issue.path, code: "message", text: issue.message }];
  }
}

function unionDetail(issue: z.core.$ZodIssueInvalidUnion): IssueDetail {
  if (issue.inclusive === false) return { code: "several_alternatives", matches: issue.matches?.length };
  if (issue.discriminator !== undefined && issue.options) return { code: "enum", expected: issue.options };
  // Alternatives that differ only by type read best as one type union: `expected string or number, received boolean`.
  const expected: string[] = [];
  for (const branch of issue.errors) {
    const [only] = branch;
    if (branch.length !== 1 || only.code !== "invalid_type" || only.path.length > 0) return { code: "no_alternative" };
    expected.push(typeName(only.expected));
  }
  return { code: "type", expected: [...new Set(expected)], received: jsonTypeOf(issue.input) };
}

/** zod's `int` is JSON Schema's `integer`. */
function typeName(expected: string): string {
  return expected === "int" ? "integer" : expected;
}

/** The JSON type of a value, as JSON Schema names it (`integer` is a `number`). */
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

/** A schema ready to validate with: cfworker's `Validator`, spelled out so its parts can be read. */
interface Compiled {
  readonly schema: Schema | boolean;
  readonly draft: SchemaDraft;
  /** Every (sub)schema by absolute URI, for `$ref`s. */
  readonly lookup: Record<string, Schema | boolean>;
}

/** What one validation needs to read its errors. */
interface Reading {
  readonly args: unknown;
  readonly compiled: Compiled;
}

/** cfworker's errors (wrappers first, then leaves) reduced to one issue per actual problem. */
function jsonSchemaIssues(errors: readonly OutputUnit[], args: unknown, compiled: Compiled): ArgumentIssue[] {
  const reading: Reading = { args, compiled };
  const locations = subschemaLocations(errors);
  const issues: ArgumentIssue[] = [];
  // `required` and `dependentRequired` report one error per missing key at the same locations: read them once.
  const seen = new Set<string>();
  for (let index = 0; index < errors.length; index++) {
    const error = errors[index];
    if (isWrapper(error, reading)) continue;
    if (SUMMARY_KEYWORDS.has(error.keyword)) {
      const inside = `${locations[index]}/`;
      let end = index + 1;
      while (end < errors.length && locations[end].startsWith(inside)) end++;
      issues.push(summaryIssue(error, errors.slice(index + 1, end), reading));
      index = end - 1;
      continue;
    }
    const key = `${error.keyword} ${error.keywordLocation} ${error.instanceLocation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(...leafIssues(error, reading));
  }
  return issues;
}

function isWrapper(error: OutputUnit, reading: Reading): boolean {
  if (WRAPPER_KEYWORDS.has(error.keyword)) return true;
  // `dependencies` holds subschemas (a wrapper) for some keys and lists of required keys for others.
  if (error.keyword !== "dependencies") return false;
  const instance = instanceAt(error.instanceLocation, reading.args);
  const dependencies = keywordValue(error, reading);
  return dependencyPairs(instance, dependencies).length === 0;
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

function leafIssues(error: OutputUnit, reading: Reading): ArgumentIssue[] {
  const path = instancePath(error.instanceLocation, reading.args);
  const instance = instanceAt(error.instanceLocation, reading.args);
  const value = error.keyword === "false" ? undefined : keywordValue(error, reading);
  const at = (detail: IssueDetail): ArgumentIssue[] => [{ path, ...detail }];
  switch (error.keyword) {
    case "type":
      return at({ code: "type", expected: typeNames(value), received: jsonTypeOf(instance) });
    case "required": {
      const required = Array.isArray(value) ? value.filter((key) => typeof key === "string") : [];
      const missing = isRecord(instance) ? required.filter((key) => !Object.hasOwn(instance, key)) : [];
      return missing.map((key) => ({ path: [...path, key], code: "missing" }));
    }
    case "const":
      return at({ code: "const", expected: value });
    case "enum":
      return at({ code: "enum", expected: Array.isArray(value) ? value : [] });
    case "false":
      if (path.length === 0) return at({ code: "no_value_allowed" });
      return at({ code: typeof path[path.length - 1] === "number" ? "unexpected_item" : "unexpected_property" });
    case "minLength":
    case "maxLength":
      if (typeof instance === "string" && typeof value === "number") {
        const bound = error.keyword === "minLength" ? "min" : "max";
        return at({ code: "string_length", length: [...instance].length, limit: value, bound });
      }
      break;
    case "pattern":
      return at({ code: "pattern" });
    case "format":
      return at({ code: "format", format: String(value) });
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const range = numberRange(error.keyword, value, instance, error, reading);
      if (range !== undefined) return at(range);
      break;
    }
    case "multipleOf":
      if (typeof instance === "number" && typeof value === "number") {
        return at({ code: "multiple_of", value: instance, divisor: value });
      }
      break;
    case "minItems":
    case "maxItems":
      if (Array.isArray(instance) && typeof value === "number") {
        const bound = error.keyword === "minItems" ? "min" : "max";
        return at({ code: "item_count", count: instance.length, limit: value, bound });
      }
      break;
    case "uniqueItems":
      return at({ code: "unique_items" });
    case "minProperties":
    case "maxProperties":
      if (typeof value === "number") {
        return at({ code: "property_count", limit: value, bound: error.keyword === "minProperties" ? "min" : "max" });
      }
      break;
    case "dependentRequired":
    case "dependencies":
      return dependencyPairs(instance, value).map(([key, missing]) => ({ path, code: "dependency", key, missing }));
    case "not":
      return at({ code: "not" });
  }
  return at({ code: "keyword", keyword: error.keyword });
}

function summaryIssue(summary: OutputUnit, inside: readonly OutputUnit[], reading: Reading): ArgumentIssue {
  const path = instancePath(summary.instanceLocation, reading.args);
  switch (summary.keyword) {
    case "anyOf":
    case "oneOf": {
      const leaves = inside.filter((error) => !isWrapper(error, reading));
      const matches = summary.keyword === "oneOf" ? oneOfMatches(summary, reading) : 0;
      if (matches > 1) return { path, code: "several_alternatives", matches };
      // Alternatives that differ only by type read best as one type union: `expected string or number, received boolean`.
      const byType = leaves.length > 0 &&
        leaves.every((error) => error.keyword === "type" && error.instanceLocation === summary.instanceLocation);
      if (!byType) return { path, code: "no_alternative" };
      const expected = [...new Set(leaves.flatMap((error) => typeNames(keywordValue(error, reading))))];
      const received = jsonTypeOf(instanceAt(summary.instanceLocation, reading.args));
      return { path, code: "type", expected, received };
    }
    case "propertyNames": {
      // The errors inside are about the key itself: their instance location ends with it.
      const location = inside[0]?.instanceLocation;
      const segments = location === undefined ? undefined : pointerSegments(location);
      return { path, code: "property_name", key: segments?.[segments.length - 1] };
    }
    default:
      return { path, code: "contains" };
  }
}

/** How many of a failed `oneOf`'s alternatives the instance matches (0, or more than 1). */
function oneOfMatches(summary: OutputUnit, reading: Reading): number {
  const alternatives = keywordValue(summary, reading);
  if (!Array.isArray(alternatives)) return 0;
  const instance = instanceAt(summary.instanceLocation, reading.args);
  const { draft, lookup } = reading.compiled;
  // The root's lookup: an alternative may `$ref` anywhere in the schema.
  return alternatives.filter((alternative) =>
    isSchema(alternative) && validate(instance, alternative, draft, lookup, true).valid
  )
    .length;
}

function numberRange(
  keyword: string,
  value: unknown,
  instance: unknown,
  error: OutputUnit,
  reading: Reading,
): IssueDetail | undefined {
  if (typeof instance !== "number") return undefined;
  const bound = keyword.endsWith("inimum") ? "min" : "max";
  if (keyword === "minimum" || keyword === "maximum") {
    if (typeof value !== "number") return undefined;
    // Draft 4 marks the bound itself exclusive with a boolean beside it.
    const flag = parentSchema(error, reading)?.[bound === "min" ? "exclusiveMinimum" : "exclusiveMaximum"];
    return { code: "number_range", value: instance, limit: value, bound, exclusive: flag === true };
  }
  if (typeof value === "number") return { code: "number_range", value: instance, limit: value, bound, exclusive: true };
  return undefined;
}

/** `[key, missing]` for each key that is present while a key it requires (`dependentRequired`) is not. */
function dependencyPairs(instance: unknown, dependencies: unknown): [string, string][] {
  if (!isRecord(instance) || !isRecord(dependencies)) return [];
  const pairs: [string, string][] = [];
  for (const [key, required] of Object.entries(dependencies)) {
    if (!Object.hasOwn(instance, key) || !Array.isArray(required)) continue;
    for (const dependency of required) {
      if (typeof dependency === "string" && !Object.hasOwn(instance, dependency)) pairs.push([key, dependency]);
    }
  }
  return pairs;
}

function isSchema(value: unknown): value is Schema | boolean {
  return typeof value === "boolean" || isRecord(value);
}

function typeNames(type: unknown): string[] {
  if (typeof type === "string") return [type];
  return Array.isArray(type) ? type.filter((name) => typeof name === "string") : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Locations

/**
 * The value of an error's keyword in the schema. cfworker's keyword location runs through `$ref`s (`.../$ref/...`
 * continues inside the referenced schema), and for some keywords it is spelled differently from the keyword
 * (`dependantRequired`), so the value is read from the schema object that holds the keyword.
 */
function keywordValue(error: OutputUnit, reading: Reading): unknown {
  return parentSchema(error, reading)?.[error.keyword];
}

/** The schema object whose keyword failed. */
function parentSchema(error: OutputUnit, reading: Reading): Record<string, unknown> | undefined {
  const segments = pointerSegments(error.keywordLocation);
  if (segments === undefined) return undefined;
  let schema: unknown = reading.compiled.schema;
  for (const segment of segments.slice(0, -1)) {
    if (segment === "$ref" || segment === "$recursiveRef" || segment === "$dynamicRef") {
      schema = isRecord(schema) ? followRef(schema, segment, reading.compiled) : undefined;
    } else {
      const next = resolveSegments(schema, [segment]);
      schema = next.found ? next.value : undefined;
    }
    if (schema === undefined) return undefined;
  }
  return isRecord(schema) ? schema : undefined;
}

/** The schema a `$ref` points to, through the lookup (`dereference` annotated each `$ref` with its absolute URI). */
function followRef(schema: Record<string, unknown>, keyword: string, compiled: Compiled): unknown {
  const absolute = schema[keyword === "$ref" ? "__absolute_ref__" : "__absolute_recursive_ref__"];
  const uri = typeof absolute === "string" ? absolute : schema[keyword];
  return typeof uri === "string" ? compiled.lookup[uri] : undefined;
}

/** The part of the arguments an instance location (`#/list/0/a~1b`) points to. */
function instanceAt(location: string, args: unknown): unknown {
  const segments = pointerSegments(location);
  if (segments === undefined) return undefined;
  const resolved = resolveSegments(args, segments);
  return resolved.found ? resolved.value : undefined;
}

/** The path of an instance location; segments that index an array in `args` become numbers (`[0]`). */
function instancePath(location: string, args: unknown): PropertyKey[] {
  const path: PropertyKey[] = [];
  let value = args;
  for (const segment of pointerSegments(location) ?? []) {
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
