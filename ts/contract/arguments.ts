/**
 * What a cell reads when its arguments to a nested tool are refused, or a tool's result is not JSON
 * (docs/contract.md §5). The validators return these issues as data; this module alone turns them into text.
 *
 * Import-free: the sandbox may load it.
 *
 * @module
 */

/** A path inside the arguments (numbers index arrays). */
export type IssuePath = readonly PropertyKey[];

/** What is wrong at one path, as data. */
export type IssueDetail =
  | { readonly code: "missing" }
  | { readonly code: "type"; readonly expected: readonly string[]; readonly received: string }
  | { readonly code: "const"; readonly expected: unknown }
  | { readonly code: "enum"; readonly expected: readonly unknown[] }
  | { readonly code: "unexpected_property" }
  | { readonly code: "unexpected_item" }
  | { readonly code: "no_value_allowed" }
  | { readonly code: "no_alternative" }
  | { readonly code: "several_alternatives"; readonly matches: number | undefined }
  | { readonly code: "property_name"; readonly key: string | undefined }
  | { readonly code: "string_length"; readonly length: number; readonly limit: number; readonly bound: "min" | "max" }
  | { readonly code: "pattern" }
  | { readonly code: "format"; readonly format: string }
  | {
    readonly code: "number_range";
    readonly value: number;
    readonly limit: number;
    readonly bound: "min" | "max";
    readonly exclusive: boolean;
  }
  | { readonly code: "multiple_of"; readonly value: number; readonly divisor: number }
  | { readonly code: "item_count"; readonly count: number; readonly limit: number; readonly bound: "min" | "max" }
  | { readonly code: "unique_items" }
  | { readonly code: "contains" }
  | { readonly code: "property_count"; readonly limit: number; readonly bound: "min" | "max" }
  | { readonly code: "dependency"; readonly key: string; readonly missing: string }
  | { readonly code: "not" }
  | { readonly code: "keyword"; readonly keyword: string }
  /** A message the tool's schema carries (a zod schema's own wording, or one its author set). */
  | { readonly code: "message"; readonly text: string };

/** One problem with the arguments: where, and what. */
export type ArgumentIssue = { readonly path: IssuePath } & IssueDetail;

/** Why a call's arguments were refused. */
export type ArgumentFailure =
  | { readonly code: "invalid"; readonly issues: readonly ArgumentIssue[] }
  /** The validator itself failed (a refinement threw, a `$ref` did not resolve): its error text. */
  | { readonly code: "cannot_validate"; readonly reason: string };

/** The text a cell's rejected call carries for refused arguments. */
export function renderArgumentFailure(toolName: string, failure: ArgumentFailure): string {
  return failure.code === "invalid"
    ? invalidArguments(toolName, failure.issues)
    : `could not validate the arguments of tool \`${toolName}\`: ${failure.reason}`;
}

/** `invalid arguments for tool \`<name>\`:` and one `- <path>: <what>` line per distinct issue. */
export function invalidArguments(toolName: string, issues: readonly ArgumentIssue[]): string {
  const lines = issues.map((issue) => `- ${renderPath(issue.path)}: ${describeIssue(issue)}`);
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

/** The part after `<path>: `. */
export function describeIssue(issue: IssueDetail): string {
  switch (issue.code) {
    case "missing":
      return "missing required property";
    case "type":
      return `expected ${issue.expected.join(" or ")}, received ${issue.received}`;
    case "const":
      return `expected ${literalText(issue.expected)}`;
    case "enum":
      return `expected one of [${issue.expected.map(literalText).join(",")}]`;
    case "unexpected_property":
      return "unexpected property";
    case "unexpected_item":
      return "unexpected item";
    case "no_value_allowed":
      return "no value is allowed";
    case "no_alternative":
      return "matches none of the allowed alternatives";
    case "several_alternatives":
      return `matches ${issue.matches ?? "several"} of the alternatives, expected exactly one`;
    case "property_name":
      return issue.key === undefined
        ? "a property name is not allowed"
        : `property name ${JSON.stringify(issue.key)} is not allowed`;
    case "string_length":
      return issue.bound === "min"
        ? `string is too short (${issue.length} < ${issue.limit})`
        : `string is too long (${issue.length} > ${issue.limit})`;
    case "pattern":
      return "string does not match pattern";
    case "format":
      return `string does not match format ${JSON.stringify(issue.format)}`;
    case "number_range": {
      const relation = issue.bound === "min" ? "less than" : "greater than";
      return `${issue.value} is ${relation}${issue.exclusive ? " or equal to" : ""} ${issue.limit}`;
    }
    case "multiple_of":
      return `${issue.value} is not a multiple of ${issue.divisor}`;
    case "item_count":
      return issue.bound === "min"
        ? `array has too few items (${issue.count} < ${issue.limit})`
        : `array has too many items (${issue.count} > ${issue.limit})`;
    case "unique_items":
      return "array items are not unique";
    case "contains":
      return "array does not contain item matching schema";
    case "property_count":
      return issue.bound === "min"
        ? `instance does not have at least ${issue.limit} properties`
        : `instance has more than ${issue.limit} properties`;
    case "dependency":
      return `instance has ${JSON.stringify(issue.key)} but does not have ${JSON.stringify(issue.missing)}`;
    case "not":
      return "instance matches a schema it must not match";
    case "keyword":
      return `does not match the schema's \`${issue.keyword}\``;
    case "message":
      return issue.text;
  }
}

/** A literal as JSON writes it; `undefined` and BigInts (which JSON cannot write) as JavaScript does. */
function literalText(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  return JSON.stringify(value) ?? String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Tool results

/** Why a tool's result is not JSON, and where in it. */
export type NotJsonReason =
  | { readonly code: "function" | "symbol" | "circular" | "undefined"; readonly path: IssuePath }
  | { readonly code: "number" | "bigint"; readonly value: string; readonly path: IssuePath }
  /** An object JSON would turn into `{}` (a Map, a Promise, a typed array, ...), by its constructor's name. */
  | { readonly code: "opaque"; readonly typeName: string; readonly path: IssuePath }
  /** Converting threw (a getter, a `toJSON`, a structure too deep): its error text. */
  | { readonly code: "threw"; readonly message: string };

/** The rejection of a call whose handler's result does not match the tool's output schema. */
export function toolResultInvalid(toolName: string, failure: ArgumentFailure): string {
  if (failure.code === "cannot_validate") {
    return `could not validate the result of tool \`${toolName}\`: ${failure.reason}`;
  }
  const lines = failure.issues.map((issue) => `- ${renderPath(issue.path)}: ${describeIssue(issue)}`);
  return [`tool \`${toolName}\` returned a result that does not match its output schema:`, ...new Set(lines)].join(
    "\n",
  );
}

/** The rejection of a call whose handler returned something JSON cannot carry. */
export function toolResultNotJson(toolName: string, reason: NotJsonReason): string {
  return `tool \`${toolName}\` returned a value that is not JSON-serializable: ${describeNotJson(reason)}`;
}

function describeNotJson(reason: NotJsonReason): string {
  switch (reason.code) {
    case "threw":
      return reason.message;
    case "function":
      return `a function at ${renderPath(reason.path)}`;
    case "symbol":
      return `a symbol at ${renderPath(reason.path)}`;
    case "circular":
      return `a circular reference at ${renderPath(reason.path)}`;
    case "undefined":
      return `undefined at ${renderPath(reason.path)}`;
    case "number":
      return `the number ${reason.value} at ${renderPath(reason.path)}`;
    case "bigint":
      return `a BigInt (${reason.value}n) at ${renderPath(reason.path)}`;
    case "opaque": {
      const article = /^[AEIO]/.test(reason.typeName) ? "an" : "a"; // "a Uint8Array": U sounds like "you" here
      const hint = reason.typeName === "Promise" ? " (missing await?)" : "";
      return `${article} ${reason.typeName}${hint} at ${renderPath(reason.path)}`;
    }
  }
}
