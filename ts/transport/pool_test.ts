import { test } from "node:test";
import assert from "node:assert/strict";
import { SandboxPool } from "./pool.ts";
import { createMemoryPair, type MemorySandbox } from "./memory.ts";
import type { HostCellStart, HostSetup, SandboxToHost } from "../contract/wire.ts";
import type { LinkListener, SandboxExit } from "./link.ts";

const setup: HostSetup = { type: "session/setup", protocol: 1, tools: [], console: true };
const start: HostCellStart = { type: "cell/start", cellId: "1", source: 'text("x")', mode: "function", stored: {} };

/** A pool over memory links; the test plays every sandbox. */
function memoryPool(size: number) {
  const sandboxes: MemorySandbox[] = [];
  const pool = new SandboxPool({
    size,
    setup,
    spawn: () => {
      const { link, sandbox } = createMemoryPair();
      sandboxes.push(sandbox);
      return link;
    },
  });
  return { pool, sandboxes };
}

function recorder(): LinkListener & { messages: SandboxToHost[]; exits: SandboxExit[] } {
  const messages: SandboxToHost[] = [];
  const exits: SandboxExit[] = [];
  return { messages, exits, message: (m) => messages.push(m), exit: (e) => exits.push(e) };
}

const nextTick = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a pooled sandbox gets the setup and a warm-up cell, and the warm-up output never reaches a cell", async () => {
  const { pool, sandboxes } = memoryPool(1);
  const [sandbox] = sandboxes;
  sandbox.send({ type: "sandbox/hello", protocol: 1 });
  assert.deepEqual(sandbox.received, [setup, { type: "cell/warmup" }]);
  sandbox.send({ type: "output/text", text: "" });
  sandbox.send({ type: "sandbox/warm" });
  const cell = recorder();
  const lease = pool.take(start, cell);
  await lease.started;
  assert.deepEqual(sandbox.received.at(-1), start);
  sandbox.send({ type: "output/text", text: "x" });
  assert.deepEqual(cell.messages, [{ type: "output/text", text: "x" }]);
  await pool.close();
});

test("a cell that takes a still-booting sandbox skips the warm-up trip", async () => {
  const { pool, sandboxes } = memoryPool(1);
  const cell = recorder();
  const lease = pool.take(start, cell);
  let started = false;
  lease.started.then(() => (started = true));
  await nextTick();
  assert.equal(started, false, "nothing can start before the sandbox said hello");
  sandboxes[0].send({ type: "sandbox/hello", protocol: 1 });
  await lease.started;
  assert.deepEqual(sandboxes[0].received, [setup, start]);
  await pool.close();
});

test("with no warm sandbox, take starts one for the cell instead of waiting for a refill", async () => {
  const { pool, sandboxes } = memoryPool(0);
  assert.equal(sandboxes.length, 0);
  pool.take(start, recorder());
  assert.equal(sandboxes.length, 1);
  sandboxes[0].send({ type: "sandbox/hello", protocol: 1 });
  assert.deepEqual(sandboxes[0].received, [setup, start]);
  await nextTick();
  assert.equal(sandboxes.length, 1, "a pool of size 0 never refills");
  await pool.close();
});

test("the pool refills in a later tick, up to its size and no further", async () => {
  const { pool, sandboxes } = memoryPool(2);
  assert.equal(sandboxes.length, 1, "one sandbox at creation: booting all at once delays the first cell");
  pool.take(start, recorder());
  assert.equal(sandboxes.length, 1, "no spawn in the tick that handed out a sandbox");
  await nextTick();
  assert.equal(pool.idleCount, 2);
  assert.equal(sandboxes.length, 3);
  await nextTick();
  assert.equal(sandboxes.length, 3);
  await pool.close();
});

test("an idle sandbox that dies is dropped and replaced; a cell never gets it", async () => {
  const { pool, sandboxes } = memoryPool(1);
  sandboxes[0].exit({ code: null, signal: "SIGKILL" });
  assert.equal(pool.idleCount, 0);
  await nextTick();
  assert.equal(sandboxes.length, 2);
  const cell = recorder();
  pool.take(start, cell);
  sandboxes[1].send({ type: "sandbox/hello", protocol: 1 });
  assert.deepEqual(cell.exits, []);
  assert.deepEqual(sandboxes[1].received, [setup, start]);
  await pool.close();
});

test("a sandbox that dies after a cell took it reports the exit to that cell", async () => {
  const { pool, sandboxes } = memoryPool(1);
  const cell = recorder();
  pool.take(start, cell);
  sandboxes[0].exit({ code: 1 });
  assert.deepEqual(cell.exits, [{ code: 1, signal: null, outOfMemory: false, stderrTail: "" }]);
  await pool.close();
});

test("a sandbox speaking another protocol version is stopped before it gets any work", async () => {
  const { pool, sandboxes } = memoryPool(0);
  const cell = recorder();
  pool.take(start, cell);
  sandboxes[0].send({ type: "sandbox/hello", protocol: 999 });
  assert.deepEqual(sandboxes[0].received, []);
  assert.deepEqual(cell.exits, [{
    code: null,
    signal: "SIGKILL",
    outOfMemory: false,
    stderrTail: "",
    protocolError: { code: "version_mismatch", sandbox: 999, host: 1 },
  }]);
  await pool.close();
});

test("close stops idle sandboxes and ends refilling; it is idempotent", async () => {
  const { pool, sandboxes } = memoryPool(2);
  await pool.close();
  await pool.close();
  await nextTick();
  assert.equal(sandboxes.length, 1);
  assert.equal(pool.idleCount, 0);
});

test("sandboxes that keep dying while they boot are not replaced forever", async () => {
  const { pool, sandboxes } = memoryPool(1);
  for (let i = 0; i < 10 && sandboxes.length > i; i++) {
    sandboxes[i].exit({ code: 1 });
    await nextTick();
  }
  assert.equal(sandboxes.length, 3);
  await pool.close();
});

test("with another sandbox ready, a taken one is replaced when its cell's process exits, not while it runs", async () => {
  const { pool, sandboxes } = memoryPool(2);
  const warm = (sandbox: MemorySandbox) => {
    sandbox.send({ type: "sandbox/hello", protocol: 1 });
    sandbox.send({ type: "sandbox/warm" });
  };
  warm(sandboxes[0]);
  pool.take(start, recorder()); // the only one: a burst, refill at once
  await nextTick();
  assert.equal(sandboxes.length, 3);
  warm(sandboxes[1]);
  warm(sandboxes[2]);
  pool.take(start, recorder());
  await nextTick();
  assert.equal(sandboxes.length, 3, "no sandbox boots while the cell that took one runs");
  sandboxes[1].exit({ code: 0 });
  await nextTick(); // the exit settles `closed`, which schedules the refill for the next tick
  await nextTick();
  assert.equal(sandboxes.length, 4);
  await pool.close();
});
