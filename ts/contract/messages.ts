/**
 * Every model-facing string of codecell, in one place (docs/contract.md). Fixed strings are constants,
 * parameterised ones small functions; tests assert them byte for byte.
 *
 * Import-free and side-effect-free: the sandbox loads this module too (its helpers throw these errors).
 *
 * @module
 */
import type { ProtocolViolation } from "./wire.ts";
import { CELL_FILE_NAME } from "./cell_source.ts";
import { MAX_ARGUMENT_DEPTH, MAX_NOTIFY_CHARS } from "./defaults.ts";
import { EXIT_PERMISSIONS_GRANTED } from "./codec.ts";

// ---- helpers inside a cell (§4, §5) ----

/** `image()` got a first argument that is neither a URL string, an `{image_url}` object nor an MCP image block. */
export const IMAGE_EXPECTS_IMAGE =
  "image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block";

/** `image()` got an object whose `type` is not `"image"`. */
export function imageOnlyAcceptsMcpImageBlocks(type: string): string {
  return `image only accepts MCP image blocks, got "${type}"`;
}

/** `image()` got an MCP image block without a non-empty `data` string. */
export const IMAGE_EXPECTED_MCP_DATA = "image expected MCP image data";

/** `image()` got a `detail` that is not a string. */
export const IMAGE_DETAIL_NOT_STRING = "image detail must be a string when provided";

/** `image()` got a `detail` string outside the supported levels. */
export const IMAGE_DETAIL_UNSUPPORTED = "image detail must be one of: auto, low, high, original";

/** `image()` got an `http(s)` URL; only inline `data:` URLs reach the model. */
export const IMAGE_REMOTE_URL_UNSUPPORTED =
  "Tool call failed: remote image URLs are not supported in tool outputs. Pass a base64 data URI instead";

/** Text item that replaces an image whose `data:` payload does not decode (nothing is thrown). */
export const IMAGE_CONTENT_OMITTED = "image content omitted because it could not be processed";

/** `generatedImage()` got something that is not an `{image_url, output_hint?}` object. */
export const GENERATED_IMAGE_EXPECTS_RESULT = "generatedImage expects an image generation result object";

/** `generatedImage()` got an `output_hint` that is not a string. */
export const GENERATED_IMAGE_HINT_NOT_STRING = "generatedImage output_hint must be a string when provided";

/** `store()` got a key that cannot become a string (a Symbol). */
export const STORE_KEY_NOT_STRING = "store key must be a string";

// Captured when the sandbox boots: a cell may replace `JSON.stringify` before a helper builds this message.
const quote = JSON.stringify;

/** `store()` got a value that JSON cannot represent (`undefined`, a function, a symbol). */
export function storeUnserializable(key: string): string {
  // JSON quoting matches Codex's `{key:?}` for ordinary keys and stays unambiguous for keys holding quotes.
  return `Unable to store ${quote(key)}. Only plain serializable objects can be stored.`;
}

/** `store()` was refused: the value, or the session's stored values with it, would be over their limit. */
export function storeLimitExceeded(key: string, scope: "value" | "session", limit: number): string {
  return scope === "value"
    ? `Unable to store ${quote(key)}: the value is over the limit of ${limit} bytes of JSON for one stored value`
    : `Unable to store ${quote(key)}: this session's stored values would be over their limit of ${limit} bytes of JSON`;
}

/** `notify()` got text that is blank after trimming. */
export const NOTIFY_EXPECTS_TEXT = "notify expects non-empty text";

/** `notify()` got more text than a notification may hold. */
export function notifyTooLong(length: number): string {
  return `notify text is ${length} characters long; a notification holds at most ${MAX_NOTIFY_CHARS} (use text() for output)`;
}

/** `setTimeout()` got a callback that is not a function. */
export const SET_TIMEOUT_EXPECTS_FUNCTION = "setTimeout expects a function callback";

/** `clearTimeout()` got an id that is present but not a number. */
export const CLEAR_TIMEOUT_EXPECTS_NUMBER = "clearTimeout expects a numeric timeout id";

/** A function tool was called with something other than a JSON object (or `undefined`). */
export function toolExpectsJsonObject(toolName: string): string {
  return `tool \`${toolName}\` expects a JSON object for arguments`;
}

/** A freeform tool was called with something other than a string. */
export function toolExpectsString(toolName: string): string {
  return `tool \`${toolName}\` expects a string input`;
}

/** A cell imported a module other than `codecell/helpers` or `codecell/tools`. */
export function unsupportedImport(specifier: string): string {
  return `Unsupported import in exec: ${specifier}`;
}

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

/** An `exec` whose abort signal had fired before it began: no cell was started. */
export const EXEC_ABORTED = "exec was aborted before its cell started";

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

/** Why a sandbox died: it broke the ops protocol (wrote a malformed or oversized frame, ...). */
export function protocolViolationReason(violation: ProtocolViolation): string {
  return `protocol violation: ${describeViolation(violation)}`;
}

function describeViolation(violation: ProtocolViolation): string {
  switch (violation.code) {
    case "malformed_frame":
      return `malformed message: ${JSON.stringify(violation.length > 120 ? `${violation.start}…` : violation.start)}`;
    case "invalid_utf8":
      return "a frame is not valid UTF-8";
    case "frame_too_large":
      return `frame exceeds ${violation.limit} bytes (at least ${violation.bytes} bytes without a newline)`;
    case "truncated_frame":
      return `sandbox ended in the middle of a frame (${violation.bytes} bytes)`;
    case "version_mismatch":
      return `the sandbox speaks protocol version ${violation.sandbox}, the host ${violation.host}`;
    case "unexpected_message":
      return `unexpected ${violation.type} ${violation.when}`;
    case "store_limit":
      return `stored values over their limit (${violation.bytes} bytes, the limit is ${violation.limit})`;
  }
}

/** Why a sandbox died: it exited or was killed without ending its cell. */
export function sandboxExitReason(code: number | null, signal: string | null): string {
  if (signal !== null) return `the sandbox was killed by ${signal}`;
  if (code === EXIT_PERMISSIONS_GRANTED) return "the sandbox was started with permissions and refused to run";
  return `the sandbox exited with code ${code}`;
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

/** A tool call whose arguments the host refused to read: nested too deeply, or (forged) not JSON. */
export function toolArgumentsUnreadable(toolName: string, why: "depth" | "json"): string {
  return why === "depth"
    ? `tool \`${toolName}\` arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels`
    : `tool \`${toolName}\` arguments are not JSON`;
}

/** Told to the host once a cell's notifications went past its limit: how many more were dropped. */
export function notificationsDropped(count: number, limit: number): string {
  return `codecell: ${count} more notifications from this cell were dropped (the limit is ${limit} per cell)`;
}

/** A call to a tool that needs approval was denied by the host (docs/contract.md §5): its handler did not run. */
export function toolCallDenied(toolName: string): string {
  return `tool \`${toolName}\` was not run: the host denied this call. Do not retry it unchanged; ` +
    `continue without it or ask the user`;
}

/** A call to a tool that needs approval, in a session whose host gave no way to approve it: it did not run. */
export function toolCallNeedsApprover(toolName: string): string {
  return `tool \`${toolName}\` was not run: it needs the host's approval, and this host cannot give any. ` +
    `Do not retry it; continue without it or ask the user`;
}

/** The host's approval step failed with `reason` while deciding on a call: the call did not run. */
export function toolApprovalFailed(toolName: string, reason: string): string {
  return `tool \`${toolName}\` was not run: the host's approval failed: ${reason}`;
}

/** The tool's own check of whether a call needs approval failed with `reason`: the call did not run. */
export function toolApprovalCheckFailed(toolName: string, reason: string): string {
  return `tool \`${toolName}\` was not run: checking whether this call needs approval failed: ${reason}`;
}

/** A sandbox asked for a tool the session does not have (only a forged frame can). */
export function unknownTool(name: string): string {
  return `unknown tool \`${name}\``;
}

/** A cell could not be type-checked (`typecheck: true`): why. The cell fails with this, and nothing runs. */
export function typecheckFailed(reason: string): string {
  return `error: the cell could not be type-checked: ${reason}`;
}

/** A cell's source does not parse (reported before any sandbox is used). */
export function cellSyntaxError(message: string, line: number, column: number, snippet: string): string {
  return `SyntaxError: ${message}\n    at ${CELL_FILE_NAME}:${line}:${column}${snippet ? `\n${snippet}` : ""}`;
}

/** The `cellSyntaxError` message of a cell whose brackets nest deeper than `limit`. */
export function sourceNestedTooDeep(limit: number): string {
  return `brackets nest deeper than ${limit} levels`;
}

/** The `cellSyntaxError` message of a cell the type stripper failed on for another reason than its syntax. */
export function sourceUnreadable(reason: string): string {
  return `the source could not be read (${reason})`;
}

/** Why a cell that was terminated on request ended (its `error.message` in the programmatic API). */
export const CELL_TERMINATED = "the cell was terminated";

// ---- nested tools (§5) ----

/** A tool's `ALL_TOOLS` description: its own description, a blank line, then its declaration in a ts fence. */
export function allToolsDescription(description: string, declaration: string): string {
  return `${description}\n\nexec tool declaration:\n\`\`\`ts\n${declaration}\n\`\`\``;
}

/** Why a call to a nested MCP tool did not complete, as data. */
export type McpCallFailure =
  | { readonly code: "cancelled" | "closed" }
  | { readonly code: "not_connected" | "disconnected" | "protocol" | "failed"; readonly reason: string }
  | { readonly code: "timeout"; readonly timeoutMs: number };

/** The rejection of a nested MCP tool call that did not complete (a tool-level error resolves instead). */
export function mcpCallFailed(server: string, tool: string, failure: McpCallFailure): string {
  const call = `the call to tool \`${tool}\` of MCP server \`${server}\``;
  switch (failure.code) {
    case "cancelled":
      return `${call} was cancelled`;
    case "closed":
      return `${call} did not complete: the connection to the server was closed`;
    case "not_connected":
      return `MCP server \`${server}\` is not connected and reconnecting failed: ${failure.reason}`;
    case "disconnected":
      return `MCP server \`${server}\` disconnected during a call to its tool \`${tool}\` (${failure.reason}); ` +
        "codecell reconnects on the next call";
    case "timeout":
      return `${call} timed out after ${failure.timeoutMs} ms`;
    case "protocol":
      return `${call} failed with an MCP protocol error: ${failure.reason}`;
    case "failed":
      return `${call} failed: ${failure.reason}`;
  }
}

/** The description of the stand-in for an MCP server that cannot be reached (`ALL_TOOLS`, exec's description). */
export function mcpServerUnavailable(server: string, reason: string): string {
  return `MCP server \`${server}\` is unavailable (${reason}); codecell keeps trying to connect, and its tools ` +
    "appear in a later cell once it is back";
}

/** A nested MCP call's progress, forwarded as progress of the client's `exec` or `wait` call. */
export function nestedCallProgress(
  tool: string,
  progress: number,
  total: number | undefined,
  message?: string,
): string {
  const amount = total === undefined ? `${progress}` : `${progress}/${total}`;
  return `${tool}: ${amount}${message === undefined || message === "" ? "" : ` ${message}`}`;
}

/** Sent to an MCP client that read notifications slower than cells sent them, once it has caught up. */
export function notificationsDroppedSlowClient(count: number): string {
  return `codecell: ${count} notifications were dropped because the MCP client did not read them fast enough`;
}

// ---- codecell mcp over HTTP: answers to MCP clients and notices to the operator ----

/**
 * The question `codecell mcp` puts to the client's user (MCP elicitation) before a tool call that needs approval:
 * the tool and a preview of its arguments, with a warning when the preview had to cut some of them.
 */
export function approvalQuestion(toolName: string, argumentsPreview: string, complete: boolean): string {
  const warning = complete
    ? ""
    : "Some arguments are cut short above; decline unless you can check them another way.\n";
  return `Code written by the model wants to call the tool ${toolName} with these arguments:\n${argumentsPreview}\n` +
    `${warning}Accept to run this call once; decline to refuse it.`;
}

/**
 * Why `codecell mcp` refused a call that needs approval (the cell reads it after "the host's approval failed: "):
 * its client cannot ask its user.
 */
export const MCP_CLIENT_CANNOT_APPROVE = "this MCP client does not support elicitation, so codecell cannot ask the " +
  "user to approve the call. Do not retry it; continue without it or ask the user";

/** A request for another path than `/mcp`. */
export const HTTP_NOT_FOUND = "not found: codecell serves MCP at /mcp";

/** A request that arrived while the server shuts down. */
export const HTTP_SHUTTING_DOWN = "the server is shutting down";

/** A request for an MCP session that was never opened, was deleted, or expired after being idle. */
export const HTTP_UNKNOWN_SESSION = "unknown or closed MCP session (it may have expired after being idle); " +
  "initialize a new one";

/** A request without a session id that is not an `initialize`. */
export const HTTP_MISSING_SESSION = "missing Mcp-Session-Id header";

/** A request without the bearer token the server requires (HTTP 401). */
export const HTTP_UNAUTHORIZED = "missing or invalid bearer token (send Authorization: Bearer <token>)";

/** A request from a browser origin that is not allowed (HTTP 403). */
export function httpOriginNotAllowed(origin: string): string {
  return `origin ${origin} is not allowed (codecell mcp --allowed-origins lists the allowed ones)`;
}

/** An `initialize` past the session cap (HTTP 503). */
export function tooManySessions(max: number): string {
  return `codecell is serving its maximum of ${max} MCP sessions (--max-sessions); end one (HTTP DELETE with its ` +
    "Mcp-Session-Id) or retry once an idle one has expired";
}

/** `--http` on a non-loopback interface without a token: refused. */
export function unauthenticatedRemote(host: string): string {
  return `refusing to serve MCP on ${host} without an auth token: anyone who reaches it could run code with your ` +
    "tools; set --auth-token or CODECELL_AUTH_TOKEN, or listen on 127.0.0.1";
}

/** `--http` on a non-loopback interface with a token: said once on stderr. */
export function remoteBindWarning(host: string): string {
  return `WARNING: serving MCP on ${host}, reachable from other machines; every request needs the bearer token, ` +
    "and plain HTTP sends it in clear: put TLS in front of codecell";
}

/** A static import of anything but the helper modules: the cell fails with this before it runs. */
export function staticImportError(specifier: string, line: number, column: number): string {
  return `Error: ${unsupportedImport(specifier)}\n    at ${CELL_FILE_NAME}:${line}:${column}`;
}

/** A static import of a name the helper module does not export (`default` for a default import). */
export function importNotExported(specifier: string, name: string, line: number, column: number): string {
  return `SyntaxError: The requested module '${specifier}' does not provide an export named '${name}'\n` +
    `    at ${CELL_FILE_NAME}:${line}:${column}`;
}

/** The error text of a thrown value that cannot be turned into text (its getters throw, say). */
export const UNPRINTABLE_ERROR = "<error that could not be converted to text>";

// ---- responses (§2) ----

/** Status line of a cell that finished without error. */
export const STATUS_COMPLETED = "Script completed";
/** Status line of a cell that failed (uncaught error, unknown cell, runtime death, bad import). */
export const STATUS_FAILED = "Script failed";
/** Status line of a cell stopped by `wait {terminate: true}`. */
export const STATUS_TERMINATED = "Script terminated";

/** Status line of a cell that yielded and keeps running in the background. */
export function statusRunning(cellId: string): string {
  return `Script running with cell ID ${cellId}`;
}

/**
 * Item 0 of every script response: `"<status>\nWall time <s> seconds\nOutput:\n"`, where `<s>` is the time spent
 * in this call, rounded to one decimal and always showing it (`0.0`, `1.5`, `12.0`).
 */
export function headerText(status: string, wallSeconds: number): string {
  // Clamp so a clock hiccup can never print a negative or `-0.0` duration.
  const seconds = Number.isFinite(wallSeconds) && wallSeconds > 0 ? wallSeconds : 0;
  return `${status}\nWall time ${seconds.toFixed(1)} seconds\nOutput:\n`;
}

/** The last item of a failed script's response. */
export function scriptErrorText(text: string): string {
  return `Script error:\n${text}`;
}

// ---- output budget (§2) ----

/** Heads the single item that replaces all-text output over its budget; the cut text follows it. */
export function truncationWarning(originalTokens: number, lines: number): string {
  return `Warning: truncated output (original token count: ${originalTokens})\nTotal output lines: ${lines}\n\n`;
}

/** Stands between the head and the tail of a cut text. */
export function truncationMarker(removedTokens: number): string {
  return `…${removedTokens} tokens truncated…`;
}

/** Ends mixed output whose later text items did not fit the budget. */
export function omittedTextItems(count: number): string {
  return `[omitted ${count} text items ...]`;
}

/**
 * The error of a cell that made a helper's own machinery throw (by changing a built-in the helpers rely on, such as
 * a getter on `Promise.prototype`): the cell fails with this instead of what it threw.
 */
export const CELL_BROKE_HELPERS =
  "Error: the cell changed a built-in that codecell's helpers rely on (such as Promise.prototype), and they stopped";

// ---- exec and wait arguments (§1): the descriptions of each tool's argument schema ----

/** What the model reads about each argument of `exec` (`code`) and `wait` (the rest). */
export const ARGUMENT_DESCRIPTIONS = {
  code: "Raw JavaScript or TypeScript source (no markdown fence). " +
    'The first line may be a pragma: `// @exec: {"yield_time_ms": 10000, "max_output_tokens": 10000}`.',
  cell_id: "The ID from `Script running with cell ID <id>`.",
  yield_time_ms: "Return after this many milliseconds if the cell is still running. Ignored with terminate.",
  max_tokens: "Output budget of this response, in tokens.",
  terminate: "Stop the cell and return the output it emitted since the last response.",
} as const;

// ---- host-facing notices (onWarning) ----

/** A tool whose name is not an identifier: cells call it by its normalized name (docs/contract.md §7). */
export function toolRenamed(name: string, normalized: string): string {
  return `tool \`${name}\` is \`tools.${normalized}\` in cells: a tool name must be an identifier ` +
    `(letters, digits, _ and $), so the other characters became _`;
}
