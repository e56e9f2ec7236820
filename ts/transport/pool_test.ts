// The host's warm pool over in-memory links: the test plays every sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WarmPool } from "./pool.ts";
import { createMemoryPair, type MemorySandbox } from "./memory.ts";
import { PROTOCOL_VERSION } from "../contract/codec.ts";

function memoryPool() {
  const sandboxes: MemorySandbox[] = [];
  const pool = new WarmPool(() => {
    const { link, sandbox } = createMemoryPair();
    sandboxes.push(sandbox);
    return link;
  });
  return { pool, sandboxes };
}

/** Plays a sandbox through boot and warm-up. */
function warm(sandbox: MemorySandbox): void {
  sandbox.send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  sandbox.send({ type: "sandbox/warm" });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test("the first session of a cold pool starts one sandbox, alone", async () => {
  const { pool, sandboxes } = memoryPool();
  const leave = pool.join({}, 2);
  assert.equal(sandboxes.length, 1);
  await tick();
  assert.equal(sandboxes.length, 1, "the second waits until the first is warm");
  warm(sandboxes[0]);
  await tick();
  await tick();
  assert.equal(sandboxes.length, 2);
  await leave();
});

test("acquire hands out a warm sandbox first, else a booting one, else a new one", async () => {
  const { pool, sandboxes } = memoryPool();
  const leave = pool.join({}, 1);
  warm(sandboxes[0]);
  await tick();
  const first = pool.acquire();
  assert.equal(first.idle, true);
  const second = pool.acquire(); // nothing warm, nothing booting yet: a new one, not a wait
  assert.equal(second.idle, false);
  assert.equal(sandboxes.length, 2);
  await leave();
});

test("refills come in a later tick, one boot at a time, up to the size asked for", async () => {
  const { pool, sandboxes } = memoryPool();
  const leave = pool.join({}, 2);
  warm(sandboxes[0]);
  await tick();
  await tick();
  assert.equal(sandboxes.length, 2);
  warm(sandboxes[1]);
  await tick();
  await tick();
  assert.equal(sandboxes.length, 2, "no further than asked");
  assert.equal(pool.size, 2);
  await leave();
});

test("a warm sandbox that dies is dropped and replaced; it is never handed out", async () => {
  const { pool, sandboxes } = memoryPool();
  const leave = pool.join({}, 1);
  warm(sandboxes[0]);
  sandboxes[0].exit({ code: null, signal: "SIGKILL" });
  await tick();
  await tick();
  assert.equal(pool.size, 1);
  assert.equal(sandboxes.length, 2);
  assert.equal(pool.acquire().dead, false);
  await leave();
});

test("sandboxes that keep dying while they boot are not replaced forever", async () => {
  const { pool, sandboxes } = memoryPool();
  const leave = pool.join({}, 1);
  for (let round = 0; round < 5; round++) {
    sandboxes.at(-1)!.exit({ code: 1 });
    await tick();
    await tick();
  }
  assert.equal(sandboxes.length, 3, "three failed boots in a row stop the refills");
  await leave();
});

test("when the last session leaves, the pool closes its sandboxes and stops refilling", async () => {
  const { pool, sandboxes } = memoryPool();
  const a = {};
  const b = {};
  const leaveA = pool.join(a, 1);
  const leaveB = pool.join(b, 1);
  warm(sandboxes[0]);
  await leaveA();
  assert.equal(pool.size, 1, "another session still uses the pool");
  await leaveB();
  assert.equal(pool.size, 0);
  await tick();
  assert.equal(sandboxes.length, 1);
});

test("a session that asks for no warm sandboxes gets one started per acquire", async () => {
  const { pool, sandboxes } = memoryPool();
  const leave = pool.join({}, 0);
  assert.equal(sandboxes.length, 0);
  pool.acquire();
  await tick();
  assert.deepEqual([sandboxes.length, pool.size], [1, 0]);
  await leave();
});
