// The structured logger: levels, both line formats, log levels from untrusted text, and events at debug.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, eventLogger, type LoggerOptions, parseLogLevel } from "./logger.ts";

const now = () => new Date("2026-12-05T08:00:00.000Z");

function capture(options: LoggerOptions) {
  const lines: string[] = [];
  return { lines, log: createLogger({ now, write: (line) => lines.push(line), ...options }) };
}

test("a logger writes its level and the more severe ones, nothing else", () => {
  const { lines, log } = capture({ level: "warn" });
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assert.deepEqual(lines, ["2026-12-05T08:00:00.000Z WARN w", "2026-12-05T08:00:00.000Z ERROR e"]);
  assert.deepEqual([log.enabled("info"), log.enabled("warn")], [false, true]);
});

test("text lines give plain words bare and anything else as JSON", () => {
  const { lines, log } = capture({ level: "info" });
  log.info("http request", {
    method: "POST",
    path: "/mcp",
    status: 200,
    ms: 1.5,
    note: "two words",
    skipped: undefined,
  });
  assert.deepEqual(lines, [
    '2026-12-05T08:00:00.000Z INFO http request method=POST path=/mcp status=200 ms=1.5 note="two words"',
  ]);
});

test("json lines are one object each, the time, level and message first and not replaceable by fields", () => {
  const { lines, log } = capture({ level: "debug", format: "json" });
  log.debug("cell.end", { cellId: "1", level: "fake", writes: [{ key: "k", bytes: 2 }] });
  assert.deepEqual(lines, [
    '{"time":"2026-12-05T08:00:00.000Z","level":"debug","msg":"cell.end","cellId":"1","writes":[{"key":"k","bytes":2}]}',
  ]);
});

test("log levels are read from untrusted text in any case; anything else is no level", () => {
  assert.deepEqual(
    ["debug", " INFO ", "Warn", "error", "verbose", "", 3, undefined].map(parseLogLevel),
    ["debug", "info", "warn", "error", undefined, undefined, undefined, undefined],
  );
});

test("eventLogger writes each event at debug, with its type as the message", () => {
  const quiet = capture({ level: "info" });
  eventLogger(quiet.log)({ type: "notify", cellId: "1", bytes: 2 });
  const verbose = capture({ level: "debug", format: "json" });
  eventLogger(verbose.log)({ type: "sandbox.kill", sandboxId: 3, reason: "terminate" });
  assert.deepEqual([quiet.lines, verbose.lines], [
    [],
    ['{"time":"2026-12-05T08:00:00.000Z","level":"debug","msg":"sandbox.kill","sandboxId":3,"reason":"terminate"}'],
  ]);
});

test("eventLogger rounds durations to 0.1 ms and leaves whole numbers as they are", () => {
  const { log, lines } = capture({ level: "debug" });
  eventLogger(log)({
    type: "cell.end",
    cellId: "2",
    status: "completed",
    wallMs: 597.5063769999999,
    outputBytes: 2,
    toolCalls: 0,
  });
  assert.deepEqual(lines, [
    "2026-12-05T08:00:00.000Z DEBUG cell.end cellId=2 status=completed wallMs=597.5 outputBytes=2 toolCalls=0",
  ]);
});

test("eventLogger puts its context fields before each event's own", () => {
  const { log, lines } = capture({ level: "debug", format: "json" });
  eventLogger(log, { session: "s-1" })({ type: "notify", cellId: "1", bytes: 2 });
  assert.deepEqual(lines, [
    '{"time":"2026-12-05T08:00:00.000Z","level":"debug","msg":"notify","session":"s-1","cellId":"1","bytes":2}',
  ]);
});

test("text from cells and servers cannot split, forge or overwrite a line, in either format", () => {
  const forged = "zz\n2026-12-05T12:00:00.000Z ERROR forged\r\u001b[2J\u202e\u0085";
  const text = capture({ level: "info" });
  text.log.info(`[fx] ${forged}`, { tool: forged });
  const json = capture({ level: "info", format: "json" });
  json.log.info(`[fx] ${forged}`, { tool: forged });
  // A message is escaped as it is; a value is JSON text (\n, \r), escaped too.
  const inMessage = "zz\\u000a2026-12-05T12:00:00.000Z ERROR forged\\u000d\\u001b[2J\\u202e\\u0085";
  const inJson = "zz\\n2026-12-05T12:00:00.000Z ERROR forged\\r\\u001b[2J\\u202e\\u0085";
  assert.deepEqual([...text.lines, ...json.lines], [
    `2026-12-05T08:00:00.000Z INFO [fx] ${inMessage} tool="${inJson}"`,
    `{"time":"2026-12-05T08:00:00.000Z","level":"info","msg":"[fx] ${inJson}","tool":"${inJson}"}`,
  ]);
  assert.deepEqual(JSON.parse(json.lines[0]).tool, forged);
});
