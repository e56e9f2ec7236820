/**
 * Every model-facing string of the contract (docs: /work/shared/spec/contract.md §1, §3, §7), in one place.
 * Fixed strings are constants; parameterised ones are small functions. Strings are asserted byte for byte.
 *
 * The sandbox-side helper strings live in `ext/messages.ts` (it must stay import-free) and are re-exported here.
 */

export * from "../../ext/messages.ts";

// ---- exec pragma (§1) ----

/** `exec` input is empty or only whitespace. */
export const EXEC_EXPECTS_SOURCE =
  'exec expects raw JavaScript source text (non-empty). Provide JS only, optionally with first-line `// @exec: {"yield_time_ms": 10000, "max_output_tokens": 1000}`.';

/** The pragma line is not followed by any non-blank source. */
export const EXEC_PRAGMA_NEEDS_SOURCE = "exec pragma must be followed by JavaScript source on subsequent lines";

/** The pragma directive is empty or parses to something other than an object. */
export const EXEC_PRAGMA_NOT_OBJECT =
  "exec pragma must be a JSON object with supported fields `yield_time_ms` and `max_output_tokens`";

/** The pragma directive is not valid JSON; `parserMessage` is the JSON parser's own message. */
export function execPragmaInvalidJson(parserMessage: string): string {
  return `exec pragma must be valid JSON with supported fields \`yield_time_ms\` and \`max_output_tokens\`: ${parserMessage}`;
}

/** The pragma object has a key other than the two supported ones. */
export function execPragmaUnknownKey(key: string): string {
  return `exec pragma only supports \`yield_time_ms\` and \`max_output_tokens\`; got \`${key}\``;
}

/** A pragma field is negative, fractional, or not a number at all; `detail` says which and why. */
export function execPragmaFieldsNotIntegers(detail: string): string {
  return `exec pragma fields \`yield_time_ms\` and \`max_output_tokens\` must be non-negative safe integers: ${detail}`;
}

/** A pragma field is an integer above `Number.MAX_SAFE_INTEGER`. */
export function execPragmaFieldNotSafeInteger(field: "yield_time_ms" | "max_output_tokens"): string {
  return `exec pragma field \`${field}\` must be a non-negative safe integer`;
}

// ---- wait arguments (§1) ----

/** `wait` arguments could not be parsed; `detail` names the offending field, like serde does. */
export function failedToParseFunctionArguments(detail: string): string {
  return `failed to parse function arguments: ${detail}`;
}

// ---- cells and session (§3) ----

/** A new `exec` arrived after the session started shutting down. */
export const SESSION_SHUTTING_DOWN = "code mode session is shutting down";

/** The cell id was never issued, or its final result was already delivered. */
export function execCellNotFound(cellId: string): string {
  return `exec cell ${cellId} not found`;
}

/** A second concurrent `wait` on a cell that already has an observer. */
export function execCellAlreadyObserved(cellId: string): string {
  return `exec cell ${cellId} already has an active observer`;
}

/** A second `wait {terminate: true}` while a termination is still in progress. */
export function execCellAlreadyTerminating(cellId: string): string {
  return `exec cell ${cellId} is already terminating`;
}

/** The sandbox runtime died; codecell appends the reason (e.g. the memory limit) when it is known. */
export function execRuntimeEndedUnexpectedly(reason?: string): string {
  const base = "exec runtime ended unexpectedly";
  return reason === undefined || reason === "" ? base : `${base}: ${reason}`;
}

/** A new `exec` would exceed the configured number of live cells; says how to free one. */
export function execActiveCellLimitReached(limit: number): string {
  return `exec has reached the limit of ${limit} active cells; wait for a cell to finish or terminate one with wait {"cell_id": ..., "terminate": true}`;
}

// ---- argument details (the `<detail>` part of the pragma and wait-argument errors) ----

/** Detail for a required field that is absent, worded like serde's. */
export function missingFieldDetail(field: string): string {
  return `missing field \`${field}\``;
}

/** Detail for a field holding the wrong JSON type, e.g. ``invalid type for `x`: expected a string, got the number 1``. */
export function invalidTypeDetail(field: string, expected: string, got: unknown): string {
  return `invalid type for \`${field}\`: expected ${expected}, got ${describeJsonValue(got)}`;
}

/** Detail for a field of the right type but out of range, e.g. ``invalid value for `x`: expected ..., got the number -1``. */
export function invalidValueDetail(field: string, expected: string, got: unknown): string {
  return `invalid value for \`${field}\`: expected ${expected}, got ${describeJsonValue(got)}`;
}

/** Names a parsed JSON value for an error detail: `the number -1`, `a string "5"`, `null`, `an array`, ... */
export function describeJsonValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "string") return `a string ${JSON.stringify(value)}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return String(value);
}

/** Why a sandbox died, appended to `exec runtime ended unexpectedly`: the V8 heap limit was reached. */
export function memoryLimitReason(heapMiB: number): string {
  return `the cell exceeded its memory limit (${heapMiB} MiB heap)`;
}

/** Why a sandbox died: it broke the ops protocol (wrote a malformed or oversized frame). */
export function protocolViolationReason(detail: string): string {
  return `protocol violation: ${detail}`;
}

/** Why a sandbox died: it exited or was killed without ending its cell. */
export function sandboxExitReason(code: number | null, signal: string | null): string {
  return signal !== null ? `the sandbox was killed by ${signal}` : `the sandbox exited with code ${code}`;
}

/** A cell ran longer than the session's wall-clock lifetime limit and was stopped. */
export function cellLifetimeExceeded(cellId: string, lifetimeMs: number): string {
  return `exec cell ${cellId} exceeded its lifetime limit of ${lifetimeMs} ms and was stopped`;
}

/** A cell buffered more output than the session's limit without it being delivered, and was stopped. */
export function cellOutputLimitExceeded(cellId: string, outputBytes: number): string {
  return `exec cell ${cellId} exceeded its output limit of ${outputBytes} bytes of buffered output and was stopped`;
}

/** A nested tool call was refused: the cell already has the maximum number of calls in flight. */
export function toolCallsInFlightExceeded(limit: number): string {
  return `too many tool calls in flight: this cell may have at most ${limit} at once; await some before calling more`;
}

/** A sandbox asked for a tool the session does not have (only a forged frame can). */
export function unknownTool(name: string): string {
  return `unknown tool \`${name}\``;
}

/** A cell's source does not parse (reported before any sandbox is used). */
export function cellSyntaxError(message: string, line: number, column: number, snippet: string): string {
  return `SyntaxError: ${message}\n    at cell.ts:${line}:${column}${snippet ? `\n${snippet}` : ""}`;
}
