import { test } from "node:test";
import assert from "node:assert/strict";
import { type CallChannel, newCellId, NotifyRouter } from "./notify_router.ts";

function recorder(name: string, log: string[]): CallChannel {
  return { send: (cellId, text) => Promise.resolve(void log.push(`${name} ${cellId}: ${text}`)) };
}

test("notifications go to the call observing their cell, else to the fallback", async () => {
  const log: string[] = [];
  const router = new NotifyRouter((cellId, text) => Promise.resolve(void log.push(`fallback ${cellId}: ${text}`)));
  const exec = recorder("exec", log);
  const wait = recorder("wait", log);
  router.beginExec(exec, "1");
  await router.deliver("1", "a");
  router.end(exec);
  await router.deliver("1", "b");
  router.beginWait(wait, "1");
  await router.deliver("1", "c");
  await router.deliver("2", "d");
  assert.deepEqual(log, ["exec 1: a", "fallback 1: b", "wait 1: c", "fallback 2: d"]);
});

test("an exec whose cell id is unknown gets its cell's notifications when it is the only such call", async () => {
  const log: string[] = [];
  const router = new NotifyRouter((cellId, text) => Promise.resolve(void log.push(`fallback ${cellId}: ${text}`)));
  const only = recorder("exec", log);
  router.beginExec(only, undefined);
  await router.deliver("3", "a");
  await router.deliver("4", "b");
  assert.deepEqual(log, ["exec 3: a", "fallback 4: b"]);
});

test("a second wait on a cell does not take the first one's notifications", async () => {
  const log: string[] = [];
  const router = new NotifyRouter(() => Promise.resolve());
  const first = recorder("first", log);
  const second = recorder("second", log);
  router.beginWait(first, "1");
  router.beginWait(second, "1");
  router.end(second);
  await router.deliver("1", "a");
  assert.deepEqual(log, ["first 1: a"]);
});

test("the new cell id is the one live cell that was not there before", () => {
  assert.equal(newCellId(["1"], ["1", "2"]), "2");
  assert.equal(newCellId(["1"], ["1"]), undefined);
});
