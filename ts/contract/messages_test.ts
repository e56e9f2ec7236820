import { test } from "node:test";
import assert from "node:assert/strict";
import * as sandboxMessages from "./messages.ts";
import {
  CLEAR_TIMEOUT_EXPECTS_NUMBER,
  describeJsonValue,
  EXEC_EXPECTS_SOURCE,
  EXEC_PRAGMA_NEEDS_SOURCE,
  EXEC_PRAGMA_NOT_OBJECT,
  execActiveCellLimitReached,
  execCellAlreadyObserved,
  execCellAlreadyTerminating,
  execCellNotFound,
  execPragmaFieldNotSafeInteger,
  execPragmaFieldsNotIntegers,
  execPragmaInvalidJson,
  execPragmaUnknownKey,
  execRuntimeEndedUnexpectedly,
  failedToParseFunctionArguments,
  GENERATED_IMAGE_EXPECTS_RESULT,
  GENERATED_IMAGE_HINT_NOT_STRING,
  IMAGE_CONTENT_OMITTED,
  IMAGE_DETAIL_NOT_STRING,
  IMAGE_DETAIL_UNSUPPORTED,
  IMAGE_EXPECTED_MCP_DATA,
  IMAGE_EXPECTS_IMAGE,
  IMAGE_REMOTE_URL_UNSUPPORTED,
  imageOnlyAcceptsMcpImageBlocks,
  invalidTypeDetail,
  invalidValueDetail,
  missingFieldDetail,
  NOTIFY_EXPECTS_TEXT,
  SESSION_SHUTTING_DOWN,
  SET_TIMEOUT_EXPECTS_FUNCTION,
  STORE_KEY_NOT_STRING,
  storeUnserializable,
  toolApprovalCheckFailed,
  toolApprovalFailed,
  toolCallDenied,
  toolCallNeedsApprover,
  toolExpectsJsonObject,
  toolExpectsString,
  unsupportedImport,
} from "./messages.ts";

test("pragma error strings match the contract byte for byte", () => {
  assert.equal(
    EXEC_EXPECTS_SOURCE,
    'exec expects raw JavaScript source text (non-empty). Provide JS only, optionally with first-line `// @exec: {"yield_time_ms": 10000, "max_output_tokens": 1000}`.',
  );
  assert.equal(EXEC_PRAGMA_NEEDS_SOURCE, "exec pragma must be followed by JavaScript source on subsequent lines");
  assert.equal(
    EXEC_PRAGMA_NOT_OBJECT,
    "exec pragma must be a JSON object with supported fields `yield_time_ms` and `max_output_tokens`",
  );
  assert.equal(
    execPragmaInvalidJson("Unexpected end of JSON input"),
    "exec pragma must be valid JSON with supported fields `yield_time_ms` and `max_output_tokens`: Unexpected end of JSON input",
  );
  assert.equal(
    execPragmaUnknownKey("timeout"),
    "exec pragma only supports `yield_time_ms` and `max_output_tokens`; got `timeout`",
  );
  assert.equal(
    execPragmaFieldsNotIntegers("detail"),
    "exec pragma fields `yield_time_ms` and `max_output_tokens` must be non-negative safe integers: detail",
  );
  assert.equal(
    execPragmaFieldNotSafeInteger("yield_time_ms"),
    "exec pragma field `yield_time_ms` must be a non-negative safe integer",
  );
  assert.equal(
    execPragmaFieldNotSafeInteger("max_output_tokens"),
    "exec pragma field `max_output_tokens` must be a non-negative safe integer",
  );
});

test("session and cell messages match the contract", () => {
  assert.equal(
    failedToParseFunctionArguments("missing field `cell_id`"),
    "failed to parse function arguments: missing field `cell_id`",
  );
  assert.equal(SESSION_SHUTTING_DOWN, "code mode session is shutting down");
  assert.equal(execCellNotFound("7"), "exec cell 7 not found");
  assert.equal(execCellAlreadyObserved("7"), "exec cell 7 already has an active observer");
  assert.equal(execCellAlreadyTerminating("7"), "exec cell 7 is already terminating");
  assert.equal(
    execActiveCellLimitReached(8),
    'exec has reached the limit of 8 active cells; wait for a cell to finish or terminate one with wait {"cell_id": ..., "terminate": true}',
  );
});

test("approval refusals name the tool, say it did not run, and tell the model what to do", () => {
  assert.equal(
    toolCallDenied("mcp__fs__delete"),
    "tool `mcp__fs__delete` was not run: the host denied this call. Do not retry it unchanged; continue without it " +
      "or ask the user",
  );
  assert.equal(
    toolCallNeedsApprover("mcp__fs__delete"),
    "tool `mcp__fs__delete` was not run: it needs the host's approval, and this host cannot give any. Do not retry " +
      "it; continue without it or ask the user",
  );
  assert.equal(
    toolApprovalFailed("rm", "approval service unreachable"),
    "tool `rm` was not run: the host's approval failed: approval service unreachable",
  );
  assert.equal(
    toolApprovalCheckFailed("rm", "path is not a string"),
    "tool `rm` was not run: checking whether this call needs approval failed: path is not a string",
  );
});

test("runtime death message appends the reason only when known", () => {
  assert.equal(execRuntimeEndedUnexpectedly(), "exec runtime ended unexpectedly");
  assert.equal(execRuntimeEndedUnexpectedly(""), "exec runtime ended unexpectedly");
  assert.equal(
    execRuntimeEndedUnexpectedly("memory limit of 64 MiB exceeded"),
    "exec runtime ended unexpectedly: memory limit of 64 MiB exceeded",
  );
});

test("helper error strings match the contract", () => {
  assert.equal(
    IMAGE_EXPECTS_IMAGE,
    "image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block",
  );
  assert.equal(imageOnlyAcceptsMcpImageBlocks("text"), 'image only accepts MCP image blocks, got "text"');
  assert.equal(IMAGE_EXPECTED_MCP_DATA, "image expected MCP image data");
  assert.equal(IMAGE_DETAIL_NOT_STRING, "image detail must be a string when provided");
  assert.equal(IMAGE_DETAIL_UNSUPPORTED, "image detail must be one of: auto, low, high, original");
  assert.equal(
    IMAGE_REMOTE_URL_UNSUPPORTED,
    "Tool call failed: remote image URLs are not supported in tool outputs. Pass a base64 data URI instead",
  );
  assert.equal(IMAGE_CONTENT_OMITTED, "image content omitted because it could not be processed");
  assert.equal(GENERATED_IMAGE_EXPECTS_RESULT, "generatedImage expects an image generation result object");
  assert.equal(GENERATED_IMAGE_HINT_NOT_STRING, "generatedImage output_hint must be a string when provided");
  assert.equal(STORE_KEY_NOT_STRING, "store key must be a string");
  assert.equal(
    storeUnserializable("state"),
    'Unable to store "state". Only plain serializable objects can be stored.',
  );
  assert.equal(NOTIFY_EXPECTS_TEXT, "notify expects non-empty text");
  assert.equal(SET_TIMEOUT_EXPECTS_FUNCTION, "setTimeout expects a function callback");
  assert.equal(CLEAR_TIMEOUT_EXPECTS_NUMBER, "clearTimeout expects a numeric timeout id");
  assert.equal(toolExpectsJsonObject("echo_tool"), "tool `echo_tool` expects a JSON object for arguments");
  assert.equal(toolExpectsString("apply_patch"), "tool `apply_patch` expects a string input");
  assert.equal(unsupportedImport("node:fs"), "Unsupported import in exec: node:fs");
});

test("helper strings are re-exported from the sandbox module, not redefined", () => {
  assert.equal(IMAGE_EXPECTS_IMAGE, sandboxMessages.IMAGE_EXPECTS_IMAGE);
  assert.equal(unsupportedImport, sandboxMessages.unsupportedImport);
  assert.equal(storeUnserializable, sandboxMessages.storeUnserializable);
});

test("argument details name the field and the value", () => {
  assert.equal(missingFieldDetail("cell_id"), "missing field `cell_id`");
  assert.equal(
    invalidTypeDetail("cell_id", "a string", 1),
    "invalid type for `cell_id`: expected a string, got the number 1",
  );
  assert.equal(
    invalidValueDetail("max_tokens", "a non-negative safe integer", -1),
    "invalid value for `max_tokens`: expected a non-negative safe integer, got the number -1",
  );
  assert.deepEqual(
    [null, 1.5, "5", true, [], {}, undefined].map(describeJsonValue),
    ["null", "the number 1.5", 'a string "5"', "the boolean true", "an array", "an object", "undefined"],
  );
});

test("no model-facing message ends with a space", () => {
  const strings = [
    EXEC_EXPECTS_SOURCE,
    EXEC_PRAGMA_NEEDS_SOURCE,
    EXEC_PRAGMA_NOT_OBJECT,
    execPragmaUnknownKey("k"),
    execPragmaFieldNotSafeInteger("yield_time_ms"),
    SESSION_SHUTTING_DOWN,
    execActiveCellLimitReached(1),
    ...Object.values(sandboxMessages).filter((value) => typeof value === "string"),
  ];
  for (const text of strings) assert.equal(text, text.trimEnd());
});
