import { test } from "node:test";
import assert from "node:assert/strict";
import {
  header,
  scriptErrorItem,
  toolError,
} from "./response.ts";
import { STATUS_COMPLETED, STATUS_FAILED, STATUS_TERMINATED, statusRunning } from "../contract/messages.ts";

test("status lines match the contract", () => {
  assert.deepEqual(
    [STATUS_COMPLETED, STATUS_FAILED, STATUS_TERMINATED, statusRunning("12")],
    ["Script completed", "Script failed", "Script terminated", "Script running with cell ID 12"],
  );
});

test("header shows the wall time with exactly one decimal", () => {
  assert.deepEqual(header(STATUS_COMPLETED, 0), {
    type: "input_text",
    text: "Script completed\nWall time 0.0 seconds\nOutput:\n",
  });
  assert.deepEqual(header(STATUS_FAILED, 1.5), {
    type: "input_text",
    text: "Script failed\nWall time 1.5 seconds\nOutput:\n",
  });
  assert.deepEqual(header(statusRunning("1"), 12), {
    type: "input_text",
    text: "Script running with cell ID 1\nWall time 12.0 seconds\nOutput:\n",
  });
});

test("header rounds to the nearest tenth", () => {
  assert.equal(header(STATUS_COMPLETED, 0.04).text, "Script completed\nWall time 0.0 seconds\nOutput:\n");
  assert.equal(header(STATUS_COMPLETED, 0.06).text, "Script completed\nWall time 0.1 seconds\nOutput:\n");
  assert.equal(header(STATUS_COMPLETED, 9.96).text, "Script completed\nWall time 10.0 seconds\nOutput:\n");
});

test("header never shows a negative or non-finite time", () => {
  assert.equal(header(STATUS_TERMINATED, -0.01).text, "Script terminated\nWall time 0.0 seconds\nOutput:\n");
  assert.equal(header(STATUS_TERMINATED, Number.NaN).text, "Script terminated\nWall time 0.0 seconds\nOutput:\n");
});

test("script error item prefixes the error text", () => {
  assert.deepEqual(scriptErrorItem("Error: boom\n    at file:///cell.ts:1:7"), {
    type: "input_text",
    text: "Script error:\nError: boom\n    at file:///cell.ts:1:7",
  });
});

test("tool error is a failed response with the bare message and no header", () => {
  assert.deepEqual(toolError("code mode session is shutting down"), {
    success: false,
    items: [{ type: "input_text", text: "code mode session is shutting down" }],
  });
});
