import { test } from "node:test";
import assert from "node:assert/strict";
import { type CallChannel, NotifyRouter } from "./notify_router.ts";

function recorder(name: string, log: string[]): CallChannel {
  return {
    send: (cellId, text) => void log.push(`${name} ${cellId}: ${text}`),
    progress: (message) => void log.push(`${name} progress: ${message}`),
  };
}

test("notifications go to the call observing their cell, else to the fallback", () => {
  const log: string[] = [];
  const router = new NotifyRouter((cellId, text) => void log.push(`fallback ${cellId}: ${text}`));
  const exec = recorder("exec", log);
  const wait = recorder("wait", log);
  router.beginExec(exec, "1");
  router.deliver("1", "a");
  router.end(exec);
  router.deliver("1", "b");
  router.beginWait(wait, "1");
  router.deliver("1", "c");
  router.deliver("2", "d");
  assert.deepEqual(log, ["exec 1: a", "fallback 1: b", "wait 1: c", "fallback 2: d"]);
});

test("progress of a nested call goes to the call observing the cell, and nowhere when none does", () => {
  const log: string[] = [];
  const router = new NotifyRouter((cellId, text) => void log.push(`fallback ${cellId}: ${text}`));
  const exec = recorder("exec", log);
  router.beginExec(exec, "1");
  router.progress("1", "step 1");
  router.progress("2", "step 2");
  router.end(exec);
  router.progress("1", "step 3");
  assert.deepEqual(log, ["exec progress: step 1"]);
});

test("a second wait on a cell does not take the first one's notifications", () => {
  const log: string[] = [];
  const router = new NotifyRouter(() => {});
  const first = recorder("first", log);
  const second = recorder("second", log);
  router.beginWait(first, "1");
  router.beginWait(second, "1");
  router.end(second);
  router.deliver("1", "a");
  assert.deepEqual(log, ["first 1: a"]);
});

test("nextObserver gives the call observing a cell now, else the next one to begin on it, else nothing once aborted", async () => {
  const log: string[] = [];
  const router = new NotifyRouter(() => {});
  const exec = recorder("exec", log);
  const wait = recorder("wait", log);
  router.beginExec(exec, "1");
  const now = await router.nextObserver("1", new AbortController().signal);
  router.end(exec);
  const later = router.nextObserver("1", new AbortController().signal);
  const otherCell = router.nextObserver("2", new AbortController().signal);
  router.beginWait(wait, "1");
  const abandoned = new AbortController();
  const never = router.nextObserver("3", abandoned.signal);
  abandoned.abort();
  assert.deepEqual([now, await later, await never], [exec, wait, undefined]);
  router.beginWait(exec, "2");
  assert.equal(await otherCell, exec);
});
