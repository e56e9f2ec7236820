// The host's side of one sandbox's protocol, over an in-memory link: the test plays the sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sandbox } from "./sandbox.ts";
import { createMemoryPair, type MemorySandbox } from "./memory.ts";
import { PROTOCOL_VERSION } from "../contract/codec.ts";
import type { HostSetup } from "../contract/wire.ts";
import type { CellListener, CellMessage, StoredValues } from "./sandbox.ts";
import type { SandboxExit } from "./link.ts";

const limits = { storedValueBytes: 100, storedBytes: 1000 };
const setup: HostSetup = { type: "session/setup", tools: [], console: true, limits };

function stored(values: Record<string, [json: string, version: number]>): StoredValues {
  return {
    entries: () =>
      Object.entries(values).map(([key, [json, version]]): [string, { json: string; version: number }] => [key, {
        json,
        version,
      }]),
  };
}

function listener(): CellListener & {
  accepted: () => void;
  messages: CellMessage[];
  exits: SandboxExit[];
  started: number;
} {
  const recorded = {
    messages: [] as CellMessage[],
    exits: [] as SandboxExit[],
    started: 0,
    accepted: () => void recorded.started++,
    message: (message: CellMessage) => void recorded.messages.push(message),
    exit: (exit: SandboxExit) => void recorded.exits.push(exit),
  };
  return recorded;
}

function booted(): { host: Sandbox; sandbox: MemorySandbox } {
  const { link, sandbox } = createMemoryPair();
  const host = new Sandbox(link);
  sandbox.send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  return { host, sandbox };
}

test("a cell gets the setup, the stored values and its script, and its messages once it is accepted", async () => {
  const { host, sandbox } = booted();
  const cell = listener();
  const accepted = host.start("1", "script", setup, stored({ k: ['{"a":1}', 1] }), cell);
  assert.deepEqual(sandbox.received, [
    setup,
    { type: "store/put", key: "k", value: { a: 1 } },
    { type: "cell/start", cellId: "1", script: "script" },
  ]);
  sandbox.send({ type: "cell/started" });
  assert.equal(await accepted, true);
  sandbox.send({ type: "output/text", text: "x" });
  sandbox.send({ type: "cell/done", ok: true });
  assert.deepEqual([cell.started, cell.messages], [1, [{ type: "output/text", text: "x" }, {
    type: "cell/done",
    ok: true,
  }]]);
  const settled = host.settled();
  sandbox.send({ type: "sandbox/ready", heapBytes: 123 });
  assert.equal(await settled, true);
  assert.deepEqual([host.idle, host.cellsServed, host.heapBytes], [true, 1, 123]);
});

test("the next cell is sent only the stored values and setup that changed", async () => {
  const { host, sandbox } = booted();
  const run = async (values: StoredValues, setupNow: HostSetup) => {
    const before = sandbox.received.length;
    const accepted = host.start("1", "s", setupNow, values, listener());
    sandbox.send({ type: "cell/started" });
    await accepted;
    sandbox.send({ type: "cell/done", ok: true });
    sandbox.send({ type: "sandbox/ready", heapBytes: 0 });
    await host.settled();
    return sandbox.received.slice(before).map((message) => message.type === "store/put" ? message.key : message.type);
  };
  assert.deepEqual(await run(stored({ a: ["1", 1], b: ["2", 2] }), setup), ["session/setup", "a", "b", "cell/start"]);
  host.noteStored("c", 3); // the cell wrote it: the sandbox has it
  assert.deepEqual(await run(stored({ a: ["1", 1], b: ["5", 4], c: ["3", 3] }), setup), ["b", "cell/start"]);
  assert.deepEqual(await run(stored({}), { ...setup, console: false }), ["session/setup", "cell/start"]);
});

test("a cell that takes a still-booting sandbox skips the warm-up trip", async () => {
  const { link, sandbox } = createMemoryPair();
  const host = new Sandbox(link);
  host.warmUp();
  const accepted = host.start("1", "s", setup, stored({}), listener());
  assert.equal(sandbox.received.length, 0, "nothing is sent before the sandbox's hello");
  sandbox.send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  assert.deepEqual(sandbox.received.map((message) => message.type), ["session/setup", "cell/start"]);
  sandbox.send({ type: "cell/started" });
  assert.equal(await accepted, true);
});

test("an unclaimed sandbox warms up, and is idle once warm", async () => {
  const { link, sandbox } = createMemoryPair();
  const host = new Sandbox(link);
  host.warmUp();
  sandbox.send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  assert.deepEqual([sandbox.received, host.idle], [[{ type: "cell/warmup" }], false]);
  sandbox.send({ type: "sandbox/warm" });
  await host.whenIdle();
  assert.equal(host.idle, true);
});

test("a sandbox that dies before accepting the cell reports it: none of the cell's code ran", async () => {
  const { host, sandbox } = booted();
  const cell = listener();
  const accepted = host.start("1", "s", setup, stored({}), cell);
  sandbox.exit({ code: 1 });
  assert.deepEqual([await accepted, cell.exits, host.dead], [false, [], true]);
  assert.equal(await host.start("2", "s", setup, stored({}), cell), false, "a dead sandbox takes no cell");
});

test("anything but cell/started before the cell is accepted is a protocol violation", async () => {
  const { host, sandbox } = booted();
  const accepted = host.start("1", "s", setup, stored({}), listener());
  sandbox.send({ type: "output/text", text: "too early" });
  assert.equal(await accepted, false);
  assert.deepEqual((await host.link.closed).protocolError, {
    code: "unexpected_message",
    type: "output/text",
    when: "before the cell started",
  });
});

test("a sandbox that says anything but ready after the cell's end is stopped", async () => {
  const { host, sandbox } = booted();
  const cell = listener();
  void host.start("1", "s", setup, stored({}), cell);
  sandbox.send({ type: "cell/started" });
  sandbox.send({ type: "cell/done", ok: true });
  sandbox.send({ type: "output/text", text: "after the end" });
  assert.equal(await host.settled(), false);
  assert.deepEqual(cell.messages, [{ type: "cell/done", ok: true }]);
  assert.deepEqual((await host.link.closed).protocolError, {
    code: "unexpected_message",
    type: "output/text",
    when: "after the cell's end",
  });
});

test("a sandbox speaking another protocol version is stopped before it gets any work", async () => {
  const { link, sandbox } = createMemoryPair();
  const host = new Sandbox(link);
  const accepted = host.start("1", "s", setup, stored({}), listener());
  sandbox.send({ type: "sandbox/hello", protocol: 999 });
  assert.equal(await accepted, false);
  assert.deepEqual(sandbox.received, []);
  assert.deepEqual((await link.closed).protocolError, {
    code: "version_mismatch",
    sandbox: 999,
    host: PROTOCOL_VERSION,
  });
});

test("a sandbox that dies under a cell tells the cell", async () => {
  const { host, sandbox } = booted();
  const cell = listener();
  void host.start("1", "s", setup, stored({}), cell);
  sandbox.send({ type: "cell/started" });
  sandbox.exit({ code: null, signal: "SIGKILL" });
  assert.deepEqual(cell.exits, [{ code: null, signal: "SIGKILL", outOfMemory: false, stderrTail: "" }]);
  assert.equal(await host.settled(), false);
});
