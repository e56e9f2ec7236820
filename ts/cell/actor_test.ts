// The cell actor over an in-memory sandbox: the test plays the sandbox, so races are set up exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CellActor, type CellContext } from "./actor.ts";
import type { ToolCallResult } from "../tools/registry.ts";
import type { CellStatus } from "./result.ts";
import { createMemoryPair, type MemorySandbox } from "../transport/memory.ts";
import { Sandbox } from "../transport/sandbox.ts";
import { PROTOCOL_VERSION } from "../contract/codec.ts";
import type { HostSetup, HostToSandbox } from "../contract/wire.ts";

const limits = {
  heapMiB: 64,
  lifetimeMs: 60_000,
  outputBytes: 1000,
  maxToolCallsInFlight: 2,
  maxNotifications: 3,
  storedValueBytes: 100,
  storedBytes: 150,
};
const setup: HostSetup = { type: "session/setup", tools: [], console: true, limits };
const noStoredValues = { entries: () => [].values(), bytesOf: () => 0, totalBytes: 0, pendingBytes: 0, reserve() {} };

interface Harness {
  cell: CellActor;
  sandbox: MemorySandbox;
  finished: { status: CellStatus; writes: Record<string, string> }[];
  closed: string[];
  /** The sandbox accepts the cell (`cell/started`): its clocks start. */
  started: () => void;
  /** What the host sent the sandbox after the cell's start. */
  sentAfterStart: () => HostToSandbox[];
  toolCalls: { name: string; input: unknown; signal: AbortSignal; settle: (o: ToolCallResult) => void }[];
}

/** A cell on a booted memory sandbox, started but not yet accepted; the test plays the sandbox. */
function harness(overrides: Partial<CellContext> = {}): Harness {
  const { link, sandbox } = createMemoryPair();
  const host = new Sandbox(link);
  sandbox.send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  const finished: Harness["finished"] = [];
  const closed: string[] = [];
  const toolCalls: Harness["toolCalls"] = [];
  const cell = new CellActor({
    id: "7",
    limits,
    stored: noStoredValues,
    tools: {
      call: (name, input, ctx) => new Promise((settle) => toolCalls.push({ name, input, signal: ctx.signal, settle })),
    },
    onFinished: (_c, status, writes) => finished.push({ status, writes: Object.fromEntries(writes) }),
    onClosed: (c) => closed.push(c.id),
    ...overrides,
  });
  cell.assign(host);
  void host.start("7", 'text("x")', setup, noStoredValues, cell);
  const started = sandbox.received.length;
  return {
    cell,
    sandbox,
    finished,
    closed,
    started: () => sandbox.send({ type: "cell/started" }),
    sentAfterStart: () => sandbox.received.slice(started),
    toolCalls,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test("the yield clock of exec starts only when the sandbox is ready to run the code", async () => {
  const h = harness();
  let answered = false;
  const result = h.cell.observe(0, true).then((r) => {
    answered = true;
    return r;
  });
  await tick();
  await tick();
  assert.equal(answered, false, "a booting sandbox must not use up the yield time");
  h.started();
  h.sandbox.send({ type: "output/text", text: "a" });
  assert.deepEqual(await result, { status: "running", cellId: "7", items: [{ type: "input_text", text: "a" }] });
});

test("yield_control answers the observer with the output so far; the cell keeps running", async () => {
  const h = harness();
  h.started();
  const first = h.cell.observe(60_000);
  h.sandbox.send({ type: "output/text", text: "a" });
  h.sandbox.send({ type: "cell/yield" });
  assert.deepEqual(await first, { status: "running", cellId: "7", items: [{ type: "input_text", text: "a" }] });
  h.sandbox.send({ type: "cell/yield" }); // nobody waiting: nothing happens
  h.sandbox.send({ type: "output/text", text: "b" });
  h.sandbox.send({ type: "cell/done", ok: true });
  assert.equal(h.cell.state, "finished");
  assert.deepEqual(await h.cell.observe(60_000), {
    status: "completed",
    cellId: "7",
    items: [{ type: "input_text", text: "b" }],
  });
  assert.equal(h.cell.state, "closed");
  assert.deepEqual(h.closed, ["7"]);
});

test("a failed cell reports the sandbox's error text and merges its writes", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "store/set", key: "k", json: "1" });
  h.sandbox.send({ type: "cell/done", ok: false, error: "Error: boom" });
  assert.deepEqual(h.finished, [{ status: "failed", writes: { k: "1" } }]);
  assert.deepEqual(await h.cell.observe(0), {
    status: "failed",
    cellId: "7",
    items: [],
    error: { kind: "script", message: "Error: boom" },
  });
});

test("only one observer at a time", async () => {
  const h = harness();
  h.started();
  const first = h.cell.observe(60_000);
  assert.deepEqual(await h.cell.observe(60_000), {
    status: "failed",
    cellId: "7",
    items: [],
    error: { kind: "rejected", message: "exec cell 7 already has an active observer" },
  });
  h.sandbox.send({ type: "cell/done", ok: true });
  assert.equal((await first).status, "completed");
});

test("terminate waits for the sandbox to exit, aborts tool calls and drops the writes", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "store/set", key: "k", json: "1" });
  h.sandbox.send({ type: "tool/call", callId: "1", tool: "t", input: "{}" });
  h.sandbox.send({ type: "output/text", text: "before" });
  const result = await h.cell.terminate();
  assert.equal(h.toolCalls[0].signal.aborted, true);
  assert.deepEqual(result, {
    status: "terminated",
    cellId: "7",
    items: [{ type: "input_text", text: "before" }],
    error: { kind: "terminated", message: "the cell was terminated" },
  });
  assert.deepEqual(h.finished, [{ status: "terminated", writes: { k: "1" } }]);
});

test("a completion that arrives before the kill lands wins over terminate", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "output/text", text: "done" });
  h.sandbox.send({ type: "cell/done", ok: true });
  const result = await h.cell.terminate();
  assert.deepEqual(result, { status: "completed", cellId: "7", items: [{ type: "input_text", text: "done" }] });
});

test("a second terminate while the first is in flight is refused", async () => {
  const h = harness();
  h.started();
  const first = h.cell.terminate();
  assert.deepEqual((await h.cell.terminate()).error, {
    kind: "rejected",
    message: "exec cell 7 is already terminating",
  });
  assert.equal((await first).status, "terminated");
});

test("tool results go back to the sandbox; completion cancels calls still in flight", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "tool/call", callId: "1", tool: "a", input: '{"x":1}' });
  h.sandbox.send({ type: "tool/call", callId: "2", tool: "b", input: '"raw"' });
  assert.deepEqual(h.toolCalls.map((c) => [c.name, c.input]), [["a", { x: 1 }], ["b", "raw"]]);
  h.toolCalls[0].settle({ ok: true, value: { y: 2 } });
  await tick();
  assert.deepEqual(h.sentAfterStart(), [{ type: "tool/result", callId: "1", ok: true, value: { y: 2 } }]);
  h.sandbox.send({ type: "cell/done", ok: true });
  assert.equal(h.toolCalls[1].signal.aborted, true);
  h.toolCalls[1].settle({ ok: false, error: "late" });
  await tick();
  assert.equal(h.sentAfterStart().length, 1, "no answer is sent for a call of a finished cell");
});

test("calls beyond the in-flight cap are refused without reaching the tool", async () => {
  const h = harness();
  h.started();
  for (const callId of ["1", "2", "3"]) h.sandbox.send({ type: "tool/call", callId, tool: "a", input: "{}" });
  await tick();
  assert.equal(h.toolCalls.length, 2);
  assert.deepEqual(h.sentAfterStart().at(-1), {
    type: "tool/result",
    callId: "3",
    ok: false,
    error: "too many tool calls in flight: this cell may have at most 2 at once; await some before calling more",
  });
});

test("notify goes to the session's callback at once", () => {
  const seen: unknown[] = [];
  const h = harness({ onNotify: (n) => seen.push(n) });
  h.started();
  h.sandbox.send({ type: "cell/notify", text: "hi" });
  assert.deepEqual(seen, [{ cellId: "7", text: "hi" }]);
});

test("too much undelivered output fails the cell with the output limit", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "output/text", text: "x".repeat(600) });
  const result = h.cell.observe(0);
  h.sandbox.send({ type: "output/text", text: "y".repeat(600) });
  const r = await result;
  assert.equal(r.status, "failed");
  assert.deepEqual(r.error, {
    kind: "output_limit",
    message: "exec cell 7 exceeded its output limit of 1000 bytes of buffered output and was stopped",
  });
  assert.deepEqual(h.sentAfterStart(), []);
});

for (
  const [name, exit, error] of [
    ["the memory limit", { outOfMemory: true, code: null, signal: "SIGTRAP" }, {
      kind: "memory_limit",
      message: "exec runtime ended unexpectedly: the cell exceeded its memory limit (64 MiB heap)",
    }],
    ["a signal", { signal: "SIGSEGV", code: null }, {
      kind: "runtime",
      message: "exec runtime ended unexpectedly: the sandbox was killed by SIGSEGV",
    }],
    ["an exit code", { code: 3 }, {
      kind: "runtime",
      message: "exec runtime ended unexpectedly: the sandbox exited with code 3",
    }],
    ["a protocol violation", { protocolError: { code: "malformed_frame", start: "{}", length: 2 } }, {
      kind: "protocol",
      message: 'exec runtime ended unexpectedly: protocol violation: malformed message: "{}"',
    }],
  ] as const
) {
  test(`a sandbox that dies names the reason: ${name}`, async () => {
    const h = harness();
    h.started();
    h.sandbox.send({ type: "output/text", text: "kept" });
    h.sandbox.exit(exit);
    assert.deepEqual(await h.cell.observe(0), {
      status: "failed",
      cellId: "7",
      items: [{ type: "input_text", text: "kept" }],
      error,
    });
  });
}

test("a handshake message in the middle of a cell is a protocol violation", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  const r = await h.cell.observe(0);
  assert.deepEqual(r.error, {
    kind: "protocol",
    message: "exec runtime ended unexpectedly: protocol violation: unexpected sandbox/hello during a cell",
  });
});

test("tool arguments nested deeper than the limit reject that call only", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "tool/call", callId: "1", tool: "a", input: `${"[".repeat(300)}${"]".repeat(300)}` });
  await tick();
  assert.deepEqual(h.toolCalls, []);
  assert.deepEqual(h.sentAfterStart(), [{
    type: "tool/result",
    callId: "1",
    ok: false,
    error: "tool `a` arguments nest deeper than 256 levels",
  }]);
  assert.equal(h.cell.state, "running");
});

test("a stored value over the limit is a protocol violation (the helpers refuse it first)", async () => {
  const h = harness();
  h.started();
  h.sandbox.send({ type: "store/set", key: "k", json: JSON.stringify("x".repeat(200)) });
  const r = await h.cell.observe(0);
  assert.deepEqual(r.error, {
    kind: "protocol",
    message:
      "exec runtime ended unexpectedly: protocol violation: stored values over their limit (202 bytes, the limit is 100)",
  });
});

test("notifications past the cell's budget are dropped, and the host is told once how many", () => {
  const seen: string[] = [];
  const h = harness({ onNotify: ({ text }) => seen.push(text) });
  h.started();
  for (let i = 1; i <= 5; i++) h.sandbox.send({ type: "cell/notify", text: `n${i}` });
  h.sandbox.send({ type: "cell/done", ok: true });
  assert.deepEqual(seen, [
    "n1",
    "n2",
    "n3",
    "codecell: 2 more notifications from this cell were dropped (the limit is 3 per cell)",
  ]);
});

test("the hooks hear each tool call end once, a call cut off by the cell's end as cancelled, then the outcome", async () => {
  const heard: unknown[] = [];
  const h = harness({
    hooks: {
      toolCall: (call) => {
        heard.push(["call", call]);
        return { run: (run) => run(), end: (outcome) => heard.push(["end", call.callId, outcome]) };
      },
      notify: (text) => heard.push(["notify", text]),
      finished: (outcome) => heard.push(["finished", outcome]),
    },
  });
  h.started();
  h.sandbox.send({ type: "tool/call", callId: "1", tool: "a", input: '{"x":1}' });
  h.sandbox.send({ type: "tool/call", callId: "2", tool: "b", input: "{}" });
  h.sandbox.send({ type: "output/text", text: "héllo" });
  h.sandbox.send({ type: "cell/notify", text: "n" });
  await tick();
  h.toolCalls[0].settle({ ok: true, value: 1 });
  await tick();
  h.sandbox.send({ type: "cell/done", ok: false, error: "boom" });
  h.toolCalls[1].settle({ ok: true, value: 2 }); // too late: the cell ended and cancelled it
  await tick();
  assert.deepEqual(heard, [
    ["call", { callId: "1", tool: "a", argumentsJson: '{"x":1}' }],
    ["call", { callId: "2", tool: "b", argumentsJson: "{}" }],
    ["notify", "n"],
    ["end", "1", { ok: true, value: 1 }],
    ["end", "2", { cancelled: true }],
    ["finished", { status: "failed", error: { kind: "script", message: "boom" }, outputBytes: 6, toolCalls: 2 }],
  ]);
});
